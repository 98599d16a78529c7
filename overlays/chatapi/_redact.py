"""Redaction: text from the server made fit for an error message, the credential never in it.

Errors keep the method and URL of a request, never its headers, so the token cannot leak
through them. Text from the server (messages, page titles, schema problems, response
headers) is redacted first, then stripped of control characters and escape sequences, then
shortened: a token the server echoes back never survives, not even in part at a cut.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

__all__ = [
    "SNIPPET_LENGTH",
    "credential_of",
    "redact",
    "redact_document",
    "redact_headers",
    "server_text",
    "snippet",
]

SNIPPET_LENGTH = 200
"""Characters of server text an error message keeps."""
_SNIPPET_SCAN = 4096
"""Bytes of a body searched for a title or text: an error page's title comes early."""
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b.?"  # any other escape
)

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
"""C0 and C1 controls (tabs and newlines too: error text is one line) and the bidirectional
overrides that reorder what a terminal shows."""

_REDACTED = "[redacted]"


def snippet(body: bytes, credential: str = "") -> str:
    """A short one-line text for a body: an HTML page's title, else its text, truncated.

    Only the head of the body is read, and a little beyond it, so that a credential
    straddling the end of the head is read whole and redacted, never kept in part.
    """
    # The patterns below backtrack: bound their input, or a hostile page costs seconds.
    head = body[: _SNIPPET_SCAN + 8 * len(credential)]
    title = _TITLE.search(head[:_SNIPPET_SCAN])
    text = (title.group(1) if title else head).decode("utf-8", "replace")
    text = html.unescape(_TAG.sub(" ", text))
    return server_text(text, credential)


def server_text(text: str, credential: str, limit: int = SNIPPET_LENGTH) -> str:
    """``text`` from the server, made fit for an error message.

    In this order: the credential redacted (before anything can cut it), terminal escape
    sequences and
    control characters removed, whitespace collapsed to single spaces, then shortened to
    ``limit`` characters. The redaction runs again after the clean-up, which could join a
    credential split by control characters.
    """
    text = redact(text, credential)
    text = _CONTROLS.sub(" ", _ESCAPES.sub("", text))
    text = redact(" ".join(text.split()), credential)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def credential_of(request: httpx.Request | None) -> str:
    """The request's credential (the ``Authorization`` value less its scheme), or ``""``.

    A credential shorter than 4 characters is not worth hiding, and replacing tiny strings
    would garble every message: it counts as none.
    """
    if request is None:
        return ""
    authorization = request.headers.get("authorization", "")
    credential = authorization.split(" ", 1)[-1].strip()
    return credential if len(credential) >= 4 else ""


def redact(text: str, credential: str) -> str:
    """``text`` without ``credential``, in case the server echoed it."""
    if not credential or credential not in text:
        return text
    return text.replace(credential, _REDACTED)


def redact_headers(headers: httpx.Headers, credential: str) -> httpx.Headers:
    """``headers``, with every value that echoes the credential redacted."""
    if not credential or not any(credential in value for value in headers.values()):
        return headers
    items = headers.multi_items()
    return httpx.Headers([(name, redact(value, credential)) for name, value in items])


def redact_document(document: Any, credential: str) -> Any:
    """A parsed JSON ``document`` with the credential redacted in every string and key."""
    if isinstance(document, str):
        return redact(document, credential)
    if isinstance(document, list):
        return [redact_document(item, credential) for item in document]
    if isinstance(document, dict):
        return {
            redact(key, credential): redact_document(value, credential)
            for key, value in document.items()
        }
    return document
