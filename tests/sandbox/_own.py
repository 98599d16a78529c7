"""A sandbox of a test's own, for tests that change its parts or its limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import chatapi_sandbox
from chatapi_client.spec import load_spec
from chatapi_sandbox._core import SandboxCore
from chatapi_sandbox._handlers import HANDLERS, Handler
from chatapi_sandbox._server import bind


def own_sandbox(
    handlers: Mapping[str, Handler] | None = None, **options: Any
) -> tuple[chatapi_sandbox.Sandbox, SandboxCore]:
    """A running sandbox (rate limits off) with some handlers replaced, and its core."""
    settings = replace(chatapi_sandbox.SandboxOptions(rate_limit=False), **options)
    core = SandboxCore(load_spec(), settings, {**HANDLERS, **(handlers or {})})
    app = chatapi_sandbox.SandboxApp(core)
    return chatapi_sandbox.Sandbox(app, bind(), startup_timeout=10.0), core


def bearer(sandbox: chatapi_sandbox.Sandbox) -> dict[str, str]:
    """The API's authorization header for the sandbox's first token."""
    return {"Authorization": f"Bearer {sandbox.token}"}
