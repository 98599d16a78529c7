"""The table output prints what the data holds, markup included, as plain text."""

from __future__ import annotations

import pytest

from chatapi.cli._output import emit_records


def test_markup_in_the_data_is_printed_not_interpreted(capsys: pytest.CaptureFixture[str]) -> None:
    records = [
        {"firstName": "[/vip]", "lastName": "x"},
        {"firstName": "[link=https://evil.test]click[/link]", "lastName": "[bold]y"},
    ]
    assert emit_records(records, "table", ["firstName", "lastName"]) == 2
    out = capsys.readouterr().out
    assert "[/vip]" in out
    assert "[link=https://evil.test]click[/link]" in out
    assert "[bold]y" in out
    assert "\x1b]8;" not in out  # no terminal hyperlink
