"""How a sandbox is set up: its tokens and organizations, and its switches."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_TOKEN", "SandboxOptions", "Token"]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""The largest request body by default: far above any request the API takes."""


@dataclass(frozen=True)
class Token:
    """An access token the sandbox accepts, and the organization it belongs to.

    Tokens of one organization share its rate-limit budgets and its workspace (contacts,
    messages, ...); organizations share nothing.
    """

    token: str
    organization: str

    @classmethod
    def parse(cls, text: str) -> Token:
        """Read ``TOKEN[:ORGANIZATION]``; a token without organization gets its own one.

        Raises:
            ValueError: an empty token or organization, or whitespace in either.
        """
        token, separator, organization = text.partition(":")
        if not separator:
            organization = token
        for name, value in (("token", token), ("organization", organization)):
            if not value or any(c.isspace() for c in value):
                raise ValueError(f"{text!r}: the {name} must be non-empty and have no spaces")
        return cls(token, organization)


DEFAULT_TOKEN = Token("sandbox-token", "sandbox")
"""The token a sandbox accepts when it is given none."""


def _monotonic() -> float:
    return time.monotonic()


def _wall() -> float:
    return time.time()


@dataclass(frozen=True)
class SandboxOptions:
    """Everything that shapes one sandbox's behaviour.

    Attributes:
        tokens: The accepted tokens; at least one, each token once.
        rate_limit: Enforce the description's rate limits (429 when exceeded). When off,
            requests are still counted and the ``X-RateLimit-*`` headers still sent.
        check_responses: Validate every success body against the description before
            sending it, and answer 500 naming the mismatch if it does not match: a sandbox
            bug must not pass as API behaviour.
        clock: The rate limiter's clock (seconds, never going back); tests step it.
        wall_clock: Unix seconds, for the timestamps the sandbox writes.
        max_body_bytes: The largest request body; a larger one is answered 413.
        idle_timeout: Seconds a connection may take to deliver a complete request, from
            its opening or its last answer; then it is closed.
        max_connections: Connections open at once; past it the longest-idle one is closed
            for a new one. None: 1,000, or half the process's file-descriptor limit if less.
    """

    tokens: tuple[Token, ...] = (DEFAULT_TOKEN,)
    rate_limit: bool = True
    check_responses: bool = True
    clock: Callable[[], float] = field(default=_monotonic, compare=False)
    wall_clock: Callable[[], float] = field(default=_wall, compare=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    idle_timeout: float = 5.0
    max_connections: int | None = None

    @property
    def admin_token(self) -> str:
        """The token the admin routes accept: the first one."""
        return self.tokens[0].token

    def __post_init__(self) -> None:
        """Reject an empty or ambiguous token list, and limits that are not limits."""
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be at least 1")
        if not (math.isfinite(self.idle_timeout) and self.idle_timeout > 0):
            raise ValueError("idle_timeout must be a positive number of seconds")
        if self.max_connections is not None and self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if not self.tokens:
            raise ValueError("a sandbox needs at least one token")
        names = [t.token for t in self.tokens]
        if len(set(names)) != len(names):
            raise ValueError("each token may be given once")

    @staticmethod
    def tokens_from(values: Iterable[str | Token]) -> tuple[Token, ...]:
        """Tokens from ``TOKEN[:ORGANIZATION]`` strings or Token objects; default if none."""
        tokens = tuple(v if isinstance(v, Token) else Token.parse(v) for v in values)
        return tokens or (DEFAULT_TOKEN,)
