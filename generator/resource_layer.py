"""Render the resource-style client layer and its Python reference from one parse.

Two sources, both the pipeline's own: the operation index (``chatapi_description``: each
operation's ``x-client`` resource and method name, paging, HTTP method and path) and
openapi-python-client's parse of the same description (the generated module of each
operation, its parameters' Python names and types, its success model). Every operation
becomes one method; nothing here lists operations by hand.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.errors import GeneratorError
from openapi_python_client.strings import snake_case

from chatapi_description import PAGE_CURSOR, PAGE_ITEMS, Document, Operation, pointer_to, read_index

from .reference_models import ReferenceModel, constraint_words, examples_of, reference_models

__all__ = ["Layer", "LayerError", "Method", "Parameter", "Resource", "read_layer", "render_layer"]

TEMPLATES = Path(__file__).resolve().parent / "own_templates"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BUILTIN_GENERICS = re.compile(r"\b(list|dict|set|tuple)\[")
_CODE = re.compile(r"(?<!`)`([^`]+)`(?!`)")


class LayerError(ValueError):
    """The parse and the index disagree, or an operation cannot become a method."""


@dataclass(frozen=True)
class Parameter:
    """A method parameter: its Python name and type, whether the caller must pass it.

    ``description``, ``notes`` (constraints in words) and ``examples`` are the description's.
    """

    name: str
    annotation: str
    required: bool
    description: str = ""
    notes: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Method:
    """One operation as a resource method."""

    name: str
    operation: Operation
    module: str
    summary: str
    description: str
    path_parameters: tuple[Parameter, ...]
    keyword_parameters: tuple[Parameter, ...]
    returns: str
    returns_module: str
    item: str | None
    cursor: str | None

    @property
    def paginated(self) -> bool:
        """Whether the method returns a pager over ``item``."""
        return self.item is not None

    @property
    def docstring_lines(self) -> tuple[str, ...]:
        """The operation's description as docstring lines (wrapped, code in double backticks)."""
        lines: list[str] = []
        for paragraph in self.description.split("\n\n"):
            text = _CODE.sub(r"``\1``", " ".join(paragraph.split()))
            text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
            if text:
                lines += [*([""] if lines else []), *textwrap.wrap(text, 84)]
        return tuple(lines)

    @property
    def function(self) -> str:
        """The name of its generated module (``get_contact``)."""
        return self.module.rsplit(".", 1)[1]

    @property
    def package(self) -> str:
        """The package its generated module is in (``chatapi_client.api.contact``)."""
        return self.module.rsplit(".", 1)[0]

    @property
    def endpoint(self) -> str:
        """The name of its ``Endpoint`` in the resource layer (``GET_CONTACT``)."""
        return self.function.upper()

    @property
    def target(self) -> str:
        """Its generated module below ``chatapi_client.api`` (``contact.get_contact``)."""
        return self.module.removeprefix("chatapi_client.api.")


@dataclass(frozen=True)
class Resource:
    """A group of methods: ``contacts``, ``messaging``..."""

    name: str
    methods: tuple[Method, ...]

    @property
    def class_name(self) -> str:
        """``contacts`` -> ``Contacts``; ``closingNotes`` -> ``ClosingNotes``."""
        return self.name[0].upper() + self.name[1:]


@dataclass(frozen=True)
class Layer:
    """Every resource, and the names ``chatapi_client.models`` exports."""

    resources: tuple[Resource, ...]
    models: frozenset[str]
    reference: tuple[ReferenceModel, ...] = ()


def read_layer(spec: Mapping[str, Any], config: Path, spec_path: Path) -> Layer:
    """Every resource with its methods, from the index and openapi-python-client's parse.

    Raises:
        LayerError: an operation the parse lacks, or whose success answer is not one model.
    """
    parse = _parse(spec, config, spec_path)
    endpoints = {
        str(endpoint.name): (str(tag), endpoint)
        for tag, collection in parse.endpoint_collections_by_tag.items()
        for endpoint in collection.endpoints
    }
    models = {str(model.class_info.name) for model in parse.models}
    models |= {str(enum.class_info.name) for enum in parse.enums}
    grouped: dict[str, list[Method]] = {}
    document = Document(spec)
    for operation in read_index(spec).operations:
        found = endpoints.get(snake_case(operation.operation_id))
        if found is None:
            raise LayerError(f"{operation.operation_id}: not in openapi-python-client's parse")
        tag, endpoint = found
        method = _method(operation, tag, endpoint, models, document)
        grouped.setdefault(operation.resource, []).append(method)
    resources = tuple(Resource(name, tuple(methods)) for name, methods in grouped.items())
    roots = [
        annotation
        for resource in resources
        for method in resource.methods
        for annotation in (
            method.returns,
            *(p.annotation for p in (*method.path_parameters, *method.keyword_parameters)),
        )
    ]
    return Layer(resources, frozenset(models), reference_models(parse, spec, roots))


def _parse(spec: Mapping[str, Any], config: Path, spec_path: Path) -> GeneratorData:
    settings = Config.from_sources(
        ConfigFile.load_from_path(config), MetaType.NONE, spec_path, "utf-8", False, None
    )
    parsed = GeneratorData.from_dict(dict(spec), config=settings)
    if isinstance(parsed, GeneratorError):
        raise LayerError(f"openapi-python-client cannot parse the description: {parsed.header}")
    return parsed


def _method(
    operation: Operation, tag: str, endpoint: Any, models: set[str], document: Document
) -> Method:
    name = operation.operation_id
    if endpoint.header_parameters or endpoint.cookie_parameters:
        # A resource method has no place for them yet: refuse rather than drop them.
        raise LayerError(f"{name}: header and cookie parameters are not supported")
    successes = [r for r in endpoint.responses.patterns if 200 <= _status(r) < 300]
    returned = {_code(r.prop.get_type_string()) for r in successes}
    if len(returned) != 1:
        raise LayerError(f"{name}: its 2xx answers must be one model, not {sorted(returned)}")
    success = successes[0]
    (returns,) = returned
    if returns not in models:
        raise LayerError(f"{name}: its success answer is not one model")
    item = None
    if operation.paginated:
        properties = [*success.prop.required_properties, *success.prop.optional_properties]
        items = [p for p in properties if p.name == PAGE_ITEMS]
        if len(items) != 1 or not hasattr(items[0], "inner_property"):
            raise LayerError(f"{name}: a page's {PAGE_ITEMS} must be a list")
        item = _code(items[0].inner_property.get_type_string())
    raw = document.at(pointer_to("paths", operation.path, operation.method.lower()))
    described = _described_parameters(operation, document)
    path_parameters = tuple(
        Parameter(p.python_name, _code(p.get_type_string()), True, *described.get(_name(p), ()))
        for p in endpoint.path_parameters
    )
    keyword: list[Parameter] = []
    cursor = None
    for body in endpoint.bodies:
        annotation = _code(body.prop.get_type_string(no_optional=True))
        keyword.append(Parameter("body", annotation, bool(body.prop.required)))
    for query in endpoint.query_parameters:
        if query.name == PAGE_CURSOR and operation.paginated:
            cursor = query.python_name  # the pager supplies it; ``cursor=`` starts elsewhere
            continue
        annotation = _code(query.get_type_string(no_optional=True))
        keyword.append(
            Parameter(
                query.python_name,
                annotation,
                bool(query.required),
                *described.get(_name(query), ()),
            )
        )
    return Method(
        name=snake_case(operation.action),
        operation=operation,
        module=f"chatapi_client.api.{tag}.{endpoint.name}",
        summary=_text(endpoint.summary) or name,
        description=str(raw.get("description") or "").strip(),
        path_parameters=path_parameters,
        keyword_parameters=tuple(sorted(keyword, key=lambda p: not p.required)),
        returns=returns,
        returns_module=f"chatapi_client.models.{success.prop.class_info.module_name}",
        item=item,
        cursor=cursor,
    )


def _described_parameters(
    operation: Operation, document: Document
) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Each parameter's description, constraints in words and examples, by its name."""
    described = {}
    for parameter in operation.parameters:
        schema = document.at(parameter.schema)
        target, _ = document.resolve(schema, parameter.schema)
        description = " ".join(str(target.get("description") or "").split())
        described[parameter.name] = (
            description,
            tuple(constraint_words(schema, document)),
            examples_of(schema, document),
        )
    return described


def _status(response: Any) -> int:
    """A response's status; a range (``2XX``) or ``default`` counts as none."""
    code_range = response.status_code.range
    return code_range[0] if code_range and code_range[0] == code_range[1] else 0


def _code(code: Any) -> str:
    """A type as Python source, builtin generics spelled ``builtins.list[...]``.

    A resource method named ``list`` would otherwise shadow the builtin in later annotations.
    """
    return _BUILTIN_GENERICS.sub(r"builtins.\1[", str(code.as_unembedded_code()))


def _text(value: Any) -> str:
    """A description's text on one line, safe inside a docstring."""
    text = value.get_untrusted_value() if hasattr(value, "get_untrusted_value") else value
    text = " ".join(str(text or "").split())
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _imports(layer: Layer) -> list[str]:
    names: set[str] = set()
    for resource in layer.resources:
        for method in resource.methods:
            annotations = [
                p.annotation for p in (*method.path_parameters, *method.keyword_parameters)
            ]
            for annotation in (*annotations, method.returns, method.item or ""):
                names |= {n for n in _IDENTIFIER.findall(annotation) if n in layer.models}
    return sorted(names)


def render_layer(layer: Layer) -> tuple[str, str]:
    """The source of ``chatapi_client/resources.py`` and the text of ``api.md``."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - Python source and Markdown, not HTML
    )
    context = {
        "resources": layer.resources,
        "methods": sorted(
            (m for resource in layer.resources for m in resource.methods), key=lambda m: m.endpoint
        ),
        "models": _imports(layer),
        "reference": layer.reference,
        "cursor": PAGE_CURSOR,
    }
    source = environment.get_template("resources.py.jinja").render(context)
    reference = environment.get_template("api.md.jinja").render(context)
    return source, reference


def _name(parameter: Any) -> str:
    """A parameter's name in the description (``messageId``), not its Python name."""
    name = parameter.name
    return str(name.get_untrusted_value() if hasattr(name, "get_untrusted_value") else name)
