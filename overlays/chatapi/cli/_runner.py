"""Running a journaled job from the command line: the client, Ctrl-C, the summary, the exit."""

from __future__ import annotations

import asyncio
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from .._client import AsyncChatAPI
from .._errors import ChatAPIError
from .._ratelimit.redis_store import describe_redis_url
from .._ratelimit.store_url import split_credentials
from ..bulk import IN_FLIGHT, PENDING, AsyncHandler, Journal, Summary, arun, summarize
from ._display import Display
from ._settings import EXIT_OK, EXIT_SOME_FAILED, Settings, exit_code_of, fail, sentence

__all__ = ["open_client", "resume_command", "run_job"]


_URL_OPTIONS = ("--base-url", "--rate-limit-store")
"""Options whose URL may carry a user name and password, hidden when the line is shown."""

HIDDEN = "***"
"""What stands for the user info of a URL on the shown command line."""


def resume_command() -> str:
    """The command line that was run, to run again, without secrets.

    The token is never on it; the user info of a URL option's value is shown as ``***``.
    """
    args = sys.argv[1:]
    shown: list[str] = []
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if eq and name in _URL_OPTIONS:
            arg = f"{name}={_redacted(value)}"
        elif i > 0 and args[i - 1] in _URL_OPTIONS:
            arg = _redacted(arg)
        shown.append(arg)
    return shlex.join(["chatapi", *shown])


def _redacted(url: str) -> str:
    """``url`` with any user name and password (and a Redis ``password=``) hidden."""
    bare, credentials = split_credentials(url)
    if "password=" in urlsplit(bare).query.lower():
        return describe_redis_url(url)  # drops the query that holds it
    if credentials is None:
        return url
    scheme, _, rest = bare.partition("://")
    return f"{scheme}://{HIDDEN}@{rest}"


def open_client(settings: Settings) -> AsyncChatAPI:
    """An async client on the command's settings."""
    try:
        return AsyncChatAPI(
            settings.token(), base_url=settings.url(), rate_limit_store=settings.store()
        )
    except ValueError as error:
        fail(settings.scrub(str(error)), 2)


def run_job(
    settings: Settings,
    journal: Journal,
    label: str,
    rate_limit: float,
    handler: Callable[[AsyncChatAPI], AsyncHandler],
    *,
    before: Callable[[AsyncChatAPI, Display], Awaitable[None]] | None = None,
    concurrency: int = 8,
) -> int:
    """Do the journal's pending items; print progress and the summary; return the exit code.

    The first Ctrl-C stops taking items and lets the calls in flight finish; a second one
    stops at once, journaling the items in flight (unknown if their non-repeatable call may
    have left). An authentication or connection error stops the run with exit code 3 or 4.
    """
    resume = resume_command()
    counts = journal.counts()
    display = Display(label, counts[PENDING] + counts[IN_FLIGHT], rate_limit, quiet=settings.quiet)

    async def main() -> Summary:
        async with open_client(settings) as client:
            if before is not None:
                await before(client, display)
                counts = journal.counts()
                display.retotal(counts[PENDING] + counts[IN_FLIGHT])
            return await _interruptible(journal, handler(client), display, concurrency)

    try:
        summary = asyncio.run(main())
    except ChatAPIError as error:
        display.summary(summarize(journal, recovered=(0, 0), interrupted=True), resume=resume)
        fail(settings.scrub(sentence(error)), exit_code_of(error))
    finally:
        display.close()
    display.summary(summary, resume=resume)
    return EXIT_OK if summary.complete else EXIT_SOME_FAILED


async def _interruptible(
    journal: Journal, handler: AsyncHandler, display: Display, concurrency: int
) -> Summary:
    stop = asyncio.Event()
    task = asyncio.ensure_future(
        arun(journal, handler, concurrency=concurrency, stop=stop, on_item=display.on_item)
    )
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        if not stop.is_set():
            stop.set()
            display.line(
                "stopping: no new items; waiting for the calls in flight "
                "(Ctrl-C again to stop at once)"
            )
        else:
            task.cancel()

    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        return await task
    finally:
        loop.remove_signal_handler(signal.SIGINT)
