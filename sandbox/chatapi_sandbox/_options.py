"""How a sandbox is set up: its tokens and organizations, and its switches."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_TOKEN", "SandboxOptions", "Token"]


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
    """

    tokens: tuple[Token, ...] = (DEFAULT_TOKEN,)
    rate_limit: bool = True
    check_responses: bool = True
    clock: Callable[[], float] = field(default=_monotonic, compare=False)
    wall_clock: Callable[[], float] = field(default=_wall, compare=False)

    def __post_init__(self) -> None:
        """Reject an empty or ambiguous token list."""
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
