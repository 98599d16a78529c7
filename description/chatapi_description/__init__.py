"""One model of the ChatAPI v2 description, owned here and used by every other part.

The client's overlays, the sandbox, the generator, the tools and the tests read the
description through this package only:

- ``load_yaml``: the YAML 1.2 reader the generator uses, giving JSON data;
- ``Document``: a parsed description whose ``$ref``s resolve (``referencing``);
- ``read_index`` / ``OperationIndex``: every operation's id, method, path template, tag,
  rate limit, whether it is safe to repeat, parameters, body and responses, with ``match``
  mapping a raw request path to its operation (``PathMatcher``); the generator writes the
  index of the bundled
  description into ``chatapi_client.operations``;
- ``Schemas``: the one JSON Schema validator configuration (jsonschema-rs, ECMA-262
  patterns, the same format checks), compiled once per schema.
"""

from ._document import DOCUMENT_URI, Document, escape, pointer_to, unescape
from ._matching import PathMatcher, Route, relative_path
from ._operations import (
    HTTP_METHODS,
    PAGE_CURSOR,
    PAGE_ITEMS,
    PAGE_LINKS,
    Operation,
    OperationIndex,
    Parameter,
    RateLimit,
    RequestBody,
    read_index,
)
from ._schemas import Schemas, ValidationFailure, describe
from ._yaml import DescriptionError, load_yaml

__all__ = [
    "DOCUMENT_URI",
    "HTTP_METHODS",
    "PAGE_CURSOR",
    "PAGE_ITEMS",
    "PAGE_LINKS",
    "DescriptionError",
    "Document",
    "Operation",
    "OperationIndex",
    "Parameter",
    "PathMatcher",
    "RateLimit",
    "RequestBody",
    "Route",
    "Schemas",
    "ValidationFailure",
    "describe",
    "escape",
    "load_yaml",
    "pointer_to",
    "read_index",
    "relative_path",
    "unescape",
]
