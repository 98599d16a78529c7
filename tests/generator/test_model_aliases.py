"""Renamed models keep their earlier Python names (generator/model_aliases.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

import chatapi_client.models as models
from generator.model_aliases import AliasError, add_aliases, read_aliases

ALIASES = Path(__file__).resolve().parents[2] / "generator" / "model_aliases.yaml"

GENERATED_INIT = '''"""Contains all the data models used in inputs/outputs"""

from .error_response import ErrorResponse

__all__ = (
    "ErrorResponse",
)
'''


def test_every_old_name_is_the_new_class() -> None:
    aliases = read_aliases(ALIASES)
    assert aliases["NewContact"] == "CreateContactRequest"
    for old, new in aliases.items():
        assert getattr(models, old) is getattr(models, new), old
        assert old in models.__all__


def test_old_names_still_build_what_the_api_takes() -> None:
    body = models.NewContact(first_name="Ada")
    assert isinstance(body, models.CreateContactRequest)
    assert body.to_dict() == {"firstName": "Ada"}
    email = models.EmailMessageWithMessageBody(message="Hello")
    assert email.to_dict() == {"type": "email", "message": "Hello"}
    error = models.Error.from_dict({"code": "502", "message": "Bad gateway."})
    assert isinstance(error, models.ErrorResponse)


def test_aliases_are_appended_and_exported(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(GENERATED_INIT, encoding="utf-8")
    add_aliases(init, {"Error": "ErrorResponse"})
    namespace: dict[str, object] = {}
    text = init.read_text(encoding="utf-8").replace("from .error_response import", "#")
    exec(compile(text, "models", "exec"), {"ErrorResponse": int}, namespace)  # noqa: S102
    assert namespace["Error"] is int
    assert namespace["__all__"] == ("ErrorResponse", "Error")


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ({"Error": "Missing"}, "the generator wrote no model Missing"),
        ({"ErrorResponse": "ErrorResponse"}, "is still a model of its own"),
    ],
)
def test_an_alias_that_cannot_hold_is_refused(
    tmp_path: Path, aliases: dict[str, str], message: str
) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(GENERATED_INIT, encoding="utf-8")
    with pytest.raises(AliasError, match=message):
        add_aliases(init, aliases)


def test_a_malformed_alias_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("Error: [ErrorResponse]\n", encoding="utf-8")
    with pytest.raises(AliasError, match="not a pair of names"):
        read_aliases(path)
