"""A local sandbox that behaves like ChatAPI v2, driven by the bundled OpenAPI description.

Routes, request validation and rate limits come from the description; contacts, messages
and the workspace live in memory, per organization. Faults (429, 5xx, dropped connections,
delays) can be injected per operation, and counters tell what the server really did.

Example:
    with chatapi_sandbox.running() as sandbox:
        client = chatapi.connect(sandbox.token, base_url=sandbox.base_url)
        sandbox.inject("sendMessage", "drop", when="after")
        ...
        assert sandbox.counters().messages_stored == 1

From a shell: ``chatapi-sandbox --port 8400 --token secret:acme``. Needs the ``sandbox``
extra: ``pip install 'chatapi[sandbox]'``.
"""

try:  # the server's dependencies come with the extra only
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as missing:
    raise ImportError(
        "the ChatAPI sandbox needs the 'sandbox' extra: pip install 'chatapi[sandbox]' "
        f"({missing.name or 'a dependency'} is not installed)"
    ) from None

from ._app import SandboxApp, create_app
from ._client import SandboxClient
from ._core import SpecError
from ._counters import Counters
from ._faults import Fault, FaultKind, RetryAfterForm, When
from ._options import DEFAULT_MAX_BODY_BYTES, DEFAULT_TOKEN, SandboxOptions, Token
from ._server import Sandbox, running

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOKEN",
    "Counters",
    "Fault",
    "FaultKind",
    "RetryAfterForm",
    "Sandbox",
    "SandboxApp",
    "SandboxClient",
    "SandboxOptions",
    "SpecError",
    "Token",
    "When",
    "create_app",
    "running",
]
