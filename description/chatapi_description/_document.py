"""A parsed description whose local ``$ref``s resolve, through the ``referencing`` library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ._yaml import DescriptionError

__all__ = ["DOCUMENT_URI", "Document", "as_uri_fragment", "escape", "pointer_to", "unescape"]

DOCUMENT_URI = "urn:chatapi:openapi"
"""The URI the description is registered under; schema ``$ref``s resolve inside it."""


def escape(token: str) -> str:
    """Escape one JSON pointer token (RFC 6901): ``/contact/{id}`` -> ``~1contact~1{id}``."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Undo ``escape``."""
    return token.replace("~1", "/").replace("~0", "~")


def as_uri_fragment(pointer: str) -> str:
    """``pointer`` as a URI fragment: what a URI cannot carry percent-encoded, ``%`` kept.

    A ``%`` already there is an escape (``%7B``), as in any URI; the resolvers decode once.
    """
    return quote(pointer, safe="#/~%!$&'()*+,;=:@")


def pointer_to(*tokens: str | int) -> str:
    """The fragment pointer (``#/paths/...``) of a location given token by token."""
    return "#" + "".join("/" + escape(str(token)) for token in tokens)


class Document:
    """An OpenAPI description held as JSON data, with its references resolvable.

    Pointers are fragments, ``#/components/schemas/Contact``, as ``$ref`` writes them: a
    fragment may be percent-encoded (``~1contact~1%7Bidentifier%7D``) or not (``{``, ``}``
    written as they are), and both mean the same location.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        """Wrap ``data`` (parsed JSON or YAML); it is not copied and must not change."""
        # Imported here: the client at run time resolves nothing (the index is generated),
        # so it need not pay for importing referencing.
        from referencing import Registry, Resource

        self.data = data
        resource: Resource[Any] = Resource.opaque(data)
        self._resolver = Registry().with_resource(DOCUMENT_URI, resource).resolver(DOCUMENT_URI)

    def at(self, pointer: str) -> Any:
        """The value at a fragment pointer (``"#"`` is the whole document).

        Raises:
            DescriptionError: nothing is there.
        """
        if not pointer.startswith("#"):
            raise DescriptionError(f"{pointer!r} is not a reference inside the description")
        from referencing.exceptions import Unresolvable

        try:
            # referencing percent-decodes the fragment first, as RFC 3986 says a URI's is.
            return self._resolver.lookup(as_uri_fragment(pointer)).contents
        except Unresolvable:
            raise DescriptionError(f"{pointer!r} points to nothing in the description") from None

    def resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow ``$ref`` chains from ``node`` (found at ``pointer``): the target and its pointer.

        Raises:
            DescriptionError: a reference that is not local, is circular or points nowhere.
        """
        seen = {pointer}
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                raise DescriptionError(f"{pointer}: only local references are supported: {ref!r}")
            if ref in seen:
                raise DescriptionError(f"{pointer}: {ref!r} refers to itself")
            seen.add(ref)
            node, pointer = self.at(ref), ref
        return node, pointer

    def resolve_mapping(self, node: Any, pointer: str) -> tuple[Mapping[str, Any], str]:
        """``resolve``, for a target that must be an object (a parameter, a response...)."""
        target, where = self.resolve(node, pointer)
        if not isinstance(target, Mapping):
            raise DescriptionError(f"{where}: expected an object")
        return target, where
