"""What every command shares: the connection settings, exit codes and one-sentence errors."""

from __future__ import annotations

import ast
import os
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from .._connect import BASE_URL_VARIABLE, TOKEN_VARIABLE
from .._errors import (
    APIConnectionError,
    AuthenticationError,
    ChatAPIError,
    OutcomeUnknownError,
    RequestPathError,
    RequestProcessedError,
)
from .._outcome import check_call

__all__ = [
    "EXIT_AUTH",
    "EXIT_MAYBE_PROCESSED",
    "EXIT_OK",
    "EXIT_PROCESSED_UNREADABLE",
    "EXIT_SOME_FAILED",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "STORE_VARIABLE",
    "CliError",
    "Settings",
    "exit_code_of",
    "fail",
    "guarded",
    "sentence",
]

EXIT_OK = 0
"""Everything was done."""
EXIT_SOME_FAILED = 1
"""Some items failed or are unknown (or the one call failed)."""
EXIT_USAGE = 2
"""The command line or its input was wrong; nothing was sent."""
EXIT_AUTH = 3
"""No token, or the API refused it."""
EXIT_UNREACHABLE = 4
"""The API could not be reached."""
EXIT_MAYBE_PROCESSED = 5
"""The one call may have been processed (outcome unknown); it was not repeated."""
EXIT_PROCESSED_UNREADABLE = 6
"""The one call was processed (2xx), but its answer could not be read; never resend it."""

STORE_VARIABLE = "CHATAPI_RATE_LIMIT_STORE"

T = TypeVar("T")


class CliError(click.ClickException):
    """An error the command reports in one sentence, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_SOME_FAILED) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_SOME_FAILED) -> NoReturn:
    """Stop the command with one sentence on stderr and ``code``."""
    raise CliError(message, code)


@dataclass
class Settings:
    """The connection settings: flags first, then the environment, as the client reads them.

    The token is never a flag's value (it would show in ``ps`` and shell history):
    ``--token-file`` reads it from a file, or from stdin with ``-``.
    """

    token_file: str | None = None
    base_url: str | None = None
    rate_limit_store: str | None = None
    quiet: bool = False
    _token: str | None = None

    def token(self) -> str:
        """The API token; a ``CliError`` (exit 3) when there is none."""
        if self._token is None:
            if self.token_file == "-":  # noqa: S105 - stdin, not a token
                value = sys.stdin.readline()
            elif self.token_file is not None:
                try:
                    value = Path(self.token_file).read_text(encoding="utf-8")
                except OSError as error:
                    fail(f"cannot read the token file: {error.strerror}", EXIT_USAGE)
            else:
                value = os.environ.get(TOKEN_VARIABLE, "")
            self._token = value.strip()
        if not self._token:
            fail(f"no API token: set {TOKEN_VARIABLE} or pass --token-file", EXIT_AUTH)
        return self._token

    def url(self) -> str | None:
        """The base URL, or None for the client's default (the live API)."""
        return self.base_url or os.environ.get(BASE_URL_VARIABLE) or None

    def store(self) -> str | None:
        """The shared rate-limit store, or None for one process's own budgets."""
        return self.rate_limit_store or os.environ.get(STORE_VARIABLE) or None

    def scrub(self, text: str) -> str:
        """``text`` with the token, should it appear, replaced."""
        return text.replace(self._token, "[token]") if self._token else text


def exit_code_of(error: ChatAPIError) -> int:
    """The exit code a failed call maps to."""
    if isinstance(error, AuthenticationError):
        return EXIT_AUTH
    if isinstance(error, APIConnectionError):
        return EXIT_UNREACHABLE
    if isinstance(error, OutcomeUnknownError):
        return EXIT_MAYBE_PROCESSED
    if isinstance(error, RequestPathError):  # a path parameter that names another route
        return EXIT_USAGE
    return EXIT_SOME_FAILED


def guarded(settings: Settings, action: Callable[[], T]) -> T:
    """Run ``action``; a client error becomes one sentence and its exit code."""
    try:
        return action()
    except ChatAPIError as error:
        fail(settings.scrub(sentence(error)), exit_code_of(error))
    except RequestProcessedError as error:  # not a ChatAPIError, on purpose: never resend
        fail(
            settings.scrub(
                f"the request was processed (the server answered {error.status_code}), but "
                f"its answer cannot be used: {error.error}. Do not send it again."
            ),
            EXIT_PROCESSED_UNREADABLE,
        )
    except ValueError as error:  # bad settings: a URL, a store, a token with spaces
        fail(settings.scrub(str(error)), EXIT_USAGE)


def sentence(error: ChatAPIError) -> str:
    """The one sentence a failed call is reported with."""
    if isinstance(error, AuthenticationError):
        return f"the API refused the token: {error}"
    if isinstance(error, APIConnectionError):
        return f"could not reach the API: {error}"
    if isinstance(error, OutcomeUnknownError):
        command = _check_command(error)
        check = f"Run `{command}` to see" if command else "Check"
        return (
            f"the outcome is unknown, the request may have been processed: {error.error}. "
            f"It was not repeated. {check} whether it took effect before sending it again."
        )
    return str(error)


_CALL = re.compile(r"client\.(\w+)\.(\w+)\((.*)\)")


def _check_command(error: OutcomeUnknownError) -> str | None:
    """The ``chatapi`` command that reads what the request of ``error`` wrote, if any."""
    request = error.request
    call = None if request is None else check_call(request.method, request.path)
    found = None if call is None else _CALL.fullmatch(call)
    if found is None:
        return None
    from ._operations import GROUP_NAMES  # that module imports this one

    resource, action, arguments = found.groups()
    values = ast.literal_eval(f"({arguments},)") if arguments else ()
    group = GROUP_NAMES.get(resource, resource)
    return shlex.join(["chatapi", group, action.replace("_", "-"), *map(str, values)])
