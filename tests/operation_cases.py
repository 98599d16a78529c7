"""Every operation of the spec as a ready-made call: arguments and answer from its examples.

Shared by the layers that drive all 31 generated operations (the smoke test on a mock
transport, the contract test against Prism, the integration tests against the sandbox).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from openapi_python_client.strings import snake_case

import chatapi_client.models
from chatapi_client.spec import load_spec
from chatapi_description import Document, load_yaml

__all__ = ["CASES", "SPEC", "Case", "example_of", "resolve"]

SPEC = load_spec()
CLASS_OVERRIDES = load_yaml(Path(__file__).resolve().parents[1] / "generator" / "config.yaml")[
    "class_overrides"
]


def model_class(schema_name: str) -> Any:
    """The generated class of a component schema, honouring the generator's class overrides."""
    name = CLASS_OVERRIDES.get(schema_name, {}).get("class_name", schema_name)
    return getattr(chatapi_client.models, name)


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow local ``$ref``s to the object they name."""
    target: dict[str, Any] = Document(SPEC).resolve(node, "#")[0]
    return target


def example_of(media: dict[str, Any]) -> Any:
    """The media type's ``example``, or the first of its ``examples``."""
    if "example" in media:
        return media["example"]
    return resolve(next(iter(media["examples"].values())))["value"]


def model_name(schema: dict[str, Any]) -> str | None:
    """The component name a schema refers to, if it refers to an object component."""
    ref = schema.get("$ref", "")
    name = ref.rsplit("/", 1)[-1]
    if name and SPEC["components"]["schemas"][name].get("type") == "array":
        return None  # a bare array (TagNames) is passed as a plain list
    return name or None


@dataclass(frozen=True)
class Case:
    """One operation, with the arguments and answer its examples give."""

    operation_id: str
    method: str
    module: ModuleType
    kwargs: dict[str, Any]
    body: Any
    answer: Any
    answer_model: type


def cases() -> list[Case]:
    """One case per operation of the spec."""
    found = []
    for item in SPEC["paths"].values():
        for method in ("get", "post", "put", "delete"):
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [resolve(p) for p in item.get("parameters", [])]
            parameters += [resolve(p) for p in operation.get("parameters", [])]
            kwargs = {snake_case(p["name"]): p["example"] for p in parameters}
            body = None
            if "requestBody" in operation:
                media = operation["requestBody"]["content"]["application/json"]
                body = example_of(media)
                name = model_name(media["schema"])
                kwargs["body"] = model_class(name).from_dict(body) if name else list(body)
            success = resolve(operation["responses"]["200"])["content"]["application/json"]
            tag = operation["tags"][0]
            module = importlib.import_module(
                f"chatapi_client.api.{tag}.{snake_case(operation['operationId'])}"
            )
            answer_model = model_class(success["schema"]["$ref"].rsplit("/")[-1])
            found.append(
                Case(
                    operation["operationId"],
                    method.upper(),
                    module,
                    kwargs,
                    body,
                    example_of(success),
                    answer_model,
                )
            )
    return found


CASES = cases()
"""One case per operation, in the spec's order."""
