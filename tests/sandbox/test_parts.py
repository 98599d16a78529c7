"""Unit checks of the parts: faults (routing and patterns are the description model's)."""

from __future__ import annotations

import pytest

from chatapi_sandbox import Fault, FaultKind, RetryAfterForm, When


def test_fault_defaults_depend_on_the_kind() -> None:
    assert Fault("x", FaultKind.BAD_GATEWAY).body == "html"
    assert Fault("x", FaultKind.UNAVAILABLE).retry_after_form is RetryAfterForm.SECONDS
    assert Fault("x", FaultKind.INTERNAL_ERROR).retry_after_form is RetryAfterForm.NONE
    assert Fault("x", FaultKind.TRUNCATE).when is When.AFTER
    assert Fault("x", FaultKind.DROP).when is When.BEFORE
    assert FaultKind.DROP.status is None
    assert FaultKind.RETRY_LATER.status == 449
    with pytest.raises(ValueError, match="times"):
        Fault("x", FaultKind.DROP, times=0)
    assert Fault.from_json({"operation_id": "x", "kind": 503}).kind is FaultKind.UNAVAILABLE
