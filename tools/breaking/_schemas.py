"""Schema against schema, in the direction of the data: requests may widen, responses narrow.

Requests: every value the release accepted must still be accepted. Responses: every value the
new description may send must have been described by the release. Removing a property is
breaking both ways (clients send it, or read it), and a response may gain optional properties
(clients ignore what they do not know) unless the release closed the object.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tools._files import Document
from tools.breaking._documents import Schema, covers, flatten
from tools.breaking._model import Change, Direction

# Bounds: which keywords cap a value from above and which from below.
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
# Keywords that restrict values when present: adding or changing one narrows, removing widens.
_RESTRICTIONS = ("pattern", "format", "multipleOf")
# Number formats that only name the widest storage of their type: every integer and number a
# JSON parser keeps exactly fits them, so adding or removing one changes no accepted value.
_WIDEST_FORMATS = frozenset({"int64", "double"})
# Keywords JSON Schema applies to strings alone: beside `type: number` they restrict nothing,
# so a request that accepted no string before is not narrowed by a string's new `pattern`.
_STRING_ONLY = frozenset({"pattern", "minLength", "maxLength"})

Stack = frozenset[tuple[str, str]]


class SchemaComparison:
    """Compares schemas of the release (base) with those of the new description (head)."""

    def __init__(self, base: Document, head: Document) -> None:
        self.base = base
        self.head = head

    def compare(
        self,
        base_node: Any,
        base_pointer: str,
        head_node: Any,
        head_pointer: str,
        direction: Direction,
        where: str,
    ) -> list[Change]:
        """The breaking changes from the base schema to the head schema, read as `direction`."""
        base = flatten(self.base, base_node, base_pointer)
        head = flatten(self.head, head_node, head_pointer)
        return self._compare(base, head, direction, where, frozenset())

    def _compare(
        self, base: Schema, head: Schema, direction: Direction, where: str, stack: Stack
    ) -> list[Change]:
        key = (base.pointer, head.pointer)
        if key in stack:  # a recursive schema: this pair is already being compared
            return []
        stack = stack | {key}
        if base.union() or head.union():
            return self._variants(base, head, direction, where, stack)
        changes = _types_changed(base, head, direction, where)
        changes += _values_changed(base, head, direction, where)
        changes += _bounds_changed(base, head, direction, where)
        changes += self._properties(base, head, direction, where, stack)
        changes += self._additional_properties(base, head, direction, where, stack)
        if "items" in base.keywords or "items" in head.keywords:
            changes += self._compare(
                flatten(self.base, base.keywords.get("items", {}), base.at("items")),
                flatten(self.head, head.keywords.get("items", {}), head.at("items")),
                direction,
                f"{where} > []",
                stack,
            )
        return changes

    def _properties(
        self, base: Schema, head: Schema, direction: Direction, where: str, stack: Stack
    ) -> list[Change]:
        changes: list[Change] = []
        for name, (node, pointer) in base.properties.items():
            if name not in head.properties:
                rule = f"{direction.value}-property-removed"
                changes.append(Change(rule, where, f"property {name!r} is gone", pointer))
                continue
            new_node, new_pointer = head.properties[name]
            changes += self._compare(
                flatten(self.base, node, pointer),
                flatten(self.head, new_node, new_pointer),
                direction,
                f"{where} > {name}",
                stack,
            )
        if direction is Direction.REQUEST:
            for name in sorted(head.required - base.required):
                what = "now required:" if name in base.properties else "new required property"
                rule = "request-property-now-required"
                changes.append(Change(rule, where, f"{what} {name!r}", head.at("required")))
        else:
            for name in sorted((base.required - head.required) & set(head.properties)):
                rule = "response-property-now-optional"
                message = f"{name!r} is no longer always present"
                changes.append(Change(rule, where, message, head.at("required")))
        return changes

    def _additional_properties(
        self, base: Schema, head: Schema, direction: Direction, where: str, stack: Stack
    ) -> list[Change]:
        old = base.keywords.get("additionalProperties", True)
        new = head.keywords.get("additionalProperties", True)
        pointer = head.at("additionalProperties")
        if direction is Direction.REQUEST and new is False and old is not False:
            message = "additional properties are no longer accepted"
            return [Change("request-constraint-tightened", where, message, pointer)]
        if direction is Direction.RESPONSE and old is False:
            added = sorted(set(head.properties) - set(base.properties))
            if new is not False or added:
                also = f"; new properties {', '.join(added)}" if added else ""
                message = f"the release closed the object (additionalProperties: false){also}"
                return [Change("response-object-opened", where, message, pointer)]
        if isinstance(old, dict) or isinstance(new, dict):
            if old is False or new is False:
                return []
            old_schema = old if isinstance(old, dict) else {}
            new_schema = new if isinstance(new, dict) else {}
            return self._compare(
                flatten(self.base, old_schema, base.at("additionalProperties")),
                flatten(self.head, new_schema, pointer),
                direction,
                f"{where} > (additional property)",
                stack,
            )
        return []

    # Unions ---------------------------------------------------------------------------------

    def _variants(
        self, base: Schema, head: Schema, direction: Direction, where: str, stack: Stack
    ) -> list[Change]:
        """Each variant the writer may send must still be described on the reader's side.

        A schema that is no union stands for itself (split by type when it has several).
        Requests: every released variant must match a new one; responses: every new variant
        must match a released one. Variants match by component name, by a `const` property
        (the tag) or by a lone type. Failing that, a variant that some variant of the other
        side takes without a breaking change is covered: a catch-all such as
        `UnknownMessage` covers a new kind of message in a response.
        """
        base_variants = list(_split(self.base, base))
        head_variants = list(_split(self.head, head))
        needed, offered = base_variants, head_variants
        if direction is Direction.RESPONSE:
            needed, offered = head_variants, base_variants
        changes: list[Change] = []
        for label, variant in needed:
            twin = next((other for other_label, other in offered if other_label == label), None)
            if twin is not None:
                changes += self._pair(variant, twin, direction, f"{where} ({label})", stack)
            elif not any(
                not self._pair(variant, other, direction, where, stack) for _, other in offered
            ):
                if direction is Direction.REQUEST:
                    rule, message = "request-variant-removed", f"{label} is no longer accepted"
                else:
                    rule, message = "response-variant-added", f"{label} is new to clients"
                changes.append(Change(rule, where, message, variant.pointer))
        return changes

    def _pair(
        self, needed: Schema, other: Schema, direction: Direction, where: str, stack: Stack
    ) -> list[Change]:
        """Compare a needed variant with a candidate, each in its own role (base or head)."""
        if direction is Direction.REQUEST:
            return self._compare(needed, other, direction, where, stack)
        return self._compare(other, needed, direction, where, stack)


def _split(document: Document, schema: Schema) -> Iterator[tuple[str, Schema]]:
    """A schema's variants, each with a label; a schema that is no union is its own variants.

    A schema of several types (`type: [string, "null"]`) is split by type, so that it lines up
    with `oneOf: [{type: string}, {type: "null"}]`.
    """
    keyword = schema.union()
    if keyword is not None:
        for index, raw in enumerate(schema.keywords[keyword]):
            ref = raw.get("$ref") if isinstance(raw, dict) else None
            variant = flatten(document, raw, f"{schema.at(keyword)}/{index}")
            _inherit(variant, schema, keyword)
            yield _label(variant, ref, index), variant
        return
    types = schema.types()
    if types is None or len(types) < 2 or "type" not in schema.keywords:
        yield _label(schema, None, 0), schema
        return
    for json_type in sorted(types):
        keywords = {**schema.keywords, "type": json_type}
        variant = Schema(schema.pointer, keywords, schema.origins, schema.properties)
        variant.required = schema.required
        yield f"type {json_type}", variant


def _inherit(variant: Schema, union: Schema, keyword: str) -> None:
    """Give a variant what its union says beside `oneOf`/`anyOf`: it applies to every variant."""
    for name, prop in union.properties.items():
        variant.properties.setdefault(name, prop)
    variant.required |= union.required
    for key, value in union.keywords.items():
        if key != keyword and key not in variant.keywords:
            variant.keywords[key] = value
            variant.origins[key] = union.origins.get(key, union.pointer)


def _label(variant: Schema, ref: object, index: int) -> str:
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    for name, (node, _) in sorted(variant.properties.items()):
        if isinstance(node, dict) and "const" in node:
            return f"{name}={json.dumps(node['const'])}"
    types = variant.types()
    if types is not None and len(types) == 1:
        return f"type {next(iter(types))}"
    return f"variant #{index}"


def _types_changed(base: Schema, head: Schema, direction: Direction, where: str) -> list[Change]:
    old, new = base.types(), head.types()
    pointer = head.at("type")
    if direction is Direction.REQUEST and new is not None:
        if old is None:
            message = f"now limited to {', '.join(sorted(new))}"
            return [Change("request-type-narrowed", where, message, pointer)]
        lost = sorted(t for t in old if not covers(new, t))
        if lost:
            message = f"no longer accepts {', '.join(lost)}"
            return [Change("request-type-narrowed", where, message, pointer)]
    if direction is Direction.RESPONSE and old is not None:
        gained = ["any type"] if new is None else sorted(t for t in new if not covers(old, t))
        if gained:
            message = f"may now be {', '.join(gained)}"
            return [Change("response-type-widened", where, message, pointer)]
    return []


def _values_changed(base: Schema, head: Schema, direction: Direction, where: str) -> list[Change]:
    old, new = base.values(), head.values()
    pointer = head.at("const" if "const" in head.keywords else "enum")
    if direction is Direction.REQUEST and new is not None:
        if old is None:
            message = f"now limited to {', '.join(sorted(new))}"
            return [Change("request-enum-narrowed", where, message, pointer)]
        lost = sorted(set(old) - set(new))
        if lost:
            message = f"no longer accepts {', '.join(lost)}"
            return [Change("request-enum-narrowed", where, message, pointer)]
    if direction is Direction.RESPONSE and old is not None:
        if new is None:
            message = "no longer limited to the released values"
            return [Change("response-enum-widened", where, message, pointer)]
        gained = sorted(set(new) - set(old))
        if gained:
            message = f"may now be {', '.join(gained)}, which the released enum does not list"
            return [Change("response-enum-widened", where, message, pointer)]
    return []


def _bounds_changed(base: Schema, head: Schema, direction: Direction, where: str) -> list[Change]:
    """Tighter bounds and new restrictions narrow (requests); looser or removed ones widen."""
    request = direction is Direction.REQUEST
    rule = "request-constraint-tightened" if request else "response-constraint-loosened"
    changes: list[Change] = []
    # The side whose values the change could affect: what clients sent (requests) or what
    # the server now sends (responses). A string-only keyword restricts nothing without strings.
    strings = _may_be_string(base if request else head)
    for keyword in (*_UPPER_BOUNDS, *_LOWER_BOUNDS):
        old, new = base.keywords.get(keyword), head.keywords.get(keyword)
        if old == new or not _number_or_none(old) or not _number_or_none(new):
            continue
        if keyword in _STRING_ONLY and not strings:
            continue
        if old is None or new is None:
            tightened = old is None
        else:
            tightened = new < old if keyword in _UPPER_BOUNDS else new > old
        if tightened == request:
            message = f"{keyword} {_show(old)} -> {_show(new)}"
            changes.append(Change(rule, where, message, head.at(keyword)))
    for keyword in _RESTRICTIONS:
        old, new = base.keywords.get(keyword), head.keywords.get(keyword)
        if keyword == "format":
            old, new = _restricting_format(old), _restricting_format(new)
        if keyword in _STRING_ONLY and not strings:
            continue
        if old != new and (new if request else old) is not None:
            message = f"{keyword} {_show(old)} -> {_show(new)}"
            changes.append(Change(rule, where, message, head.at(keyword)))
    old_unique = base.keywords.get("uniqueItems") is True
    new_unique = head.keywords.get("uniqueItems") is True
    if old_unique != new_unique and new_unique == request:
        message = f"uniqueItems {_show(old_unique)} -> {_show(new_unique)}"
        changes.append(Change(rule, where, message, head.at("uniqueItems")))
    return changes


def _restricting_format(value: object) -> object:
    """`format`, or None for the widest number formats: they restrict no value (of any type).

    OpenAPI's format registry applies `int64` to integers and `double` to numbers only, so a
    string beside them in a type list is not restricted either.
    """
    return None if value in _WIDEST_FORMATS else value


def _may_be_string(schema: Schema) -> bool:
    """Whether the schema allows strings (no `type`, `const` or `enum`: anything)."""
    types = schema.types()
    return types is None or "string" in types


def _number_or_none(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value)
