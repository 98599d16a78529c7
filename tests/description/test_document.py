"""Reading the description: the YAML 1.2 loader and `$ref` resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatapi_description import DescriptionError, Document, escape, load_yaml, pointer_to


def test_yaml_is_read_as_1_2_and_as_json_data(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "answers:\n  200: ok\n  true: yes\nnorway: no\ntime: 10:30\nday: 2024-01-01\nzero: 010\n",
        encoding="utf-8",
    )
    assert load_yaml(path) == {
        "answers": {"200": "ok", "true": "yes"},  # keys as a JSON reader makes them
        "norway": "no",  # YAML 1.1 would read false
        "time": "10:30",  # YAML 1.1 would read 630
        "day": "2024-01-01",  # a plain string in YAML 1.2's core schema
        "zero": 10,  # no octal without 0o
    }


def test_unreadable_yaml_is_a_description_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [", encoding="utf-8")
    with pytest.raises(DescriptionError, match=r"cannot read bad\.yaml"):
        load_yaml(bad)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n", encoding="utf-8")
    with pytest.raises(DescriptionError, match="not a mapping"):
        load_yaml(listed)


def test_the_same_bytes_are_parsed_once_and_each_reader_gets_its_own_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruamel.yaml import YAML

    parsed: list[object] = []
    parse = YAML.load

    def counting(reader: YAML, stream: Any) -> Any:
        parsed.append(stream)
        return parse(reader, stream)

    monkeypatch.setattr(YAML, "load", counting)
    text = f"# {tmp_path}\nlimits: {{perSecond: 10, burst: .inf}}\ntags: [a, b]\n"
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(text, encoding="utf-8")
    second.write_text(text, encoding="utf-8")
    one = load_yaml(first)
    one["tags"].append("changed by its reader")
    two = load_yaml(second)  # another file, the same bytes: not parsed again
    assert two == {"limits": {"perSecond": 10, "burst": float("inf")}, "tags": ["a", "b"]}
    assert isinstance(two["limits"]["perSecond"], int)
    assert len(parsed) == 1
    first.write_text(text + "more: 1\n", encoding="utf-8")
    assert load_yaml(first)["more"] == 1  # changed bytes are parsed
    assert len(parsed) == 2


DOCUMENT: dict[str, Any] = {
    "paths": {"/contact/{identifier}": {"get": {"operationId": "getContact"}}},
    "components": {
        "responses": {
            "ByPath": {"$ref": "#/paths/~1contact~1{identifier}/get"},
            "Twice": {"$ref": "#/components/responses/ByPath"},
            "Loop": {"$ref": "#/components/responses/Loop"},
            "Away": {"$ref": "other.yaml#/x"},
            "Nowhere": {"$ref": "#/components/responses/Missing"},
            "til~de": {"description": "a tilde in a key"},
        }
    },
}


def test_escaped_pointers_resolve() -> None:
    """`~1` is a slash and `~0` a tilde inside one token (RFC 6901)."""
    document = Document(DOCUMENT)
    responses = DOCUMENT["components"]["responses"]
    target, where = document.resolve(responses["Twice"], "#/components/responses/Twice")
    assert target == {"operationId": "getContact"}
    assert where == "#/paths/~1contact~1{identifier}/get"
    assert document.at(pointer_to("components", "responses", "til~de")) == {
        "description": "a tilde in a key"
    }
    assert escape("/a~b") == "~1a~0b"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Loop", "refers to itself"),
        ("Away", "only local references"),
        ("Nowhere", "points to nothing"),
    ],
)
def test_bad_references_are_description_errors(name: str, message: str) -> None:
    node = DOCUMENT["components"]["responses"][name]
    with pytest.raises(DescriptionError, match=message):
        Document(DOCUMENT).resolve(node, f"#/components/responses/{name}")


def test_percent_encoded_references_resolve_like_plain_ones() -> None:
    document = Document(DOCUMENT)
    plain = document.at("#/paths/~1contact~1{identifier}/get")
    assert document.at("#/paths/~1contact~1%7Bidentifier%7D/get") is plain


def test_timestamps_stay_as_written(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("a: 2024-01-01 10:00:00\nb: 2024-1-5 1:00:00\n", encoding="utf-8")
    assert load_yaml(path) == {"a": "2024-01-01 10:00:00", "b": "2024-1-5 1:00:00"}
