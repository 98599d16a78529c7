"""Running a journaled job from the command line: the client, Ctrl-C, the summary, the exit."""

from __future__ import annotations

import asyncio
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable

from .._client import AsyncChatAPI
from .._errors import ChatAPIError
from ..bulk import IN_FLIGHT, PENDING, AsyncHandler, Journal, Summary, arun, summarize
from ._display import Display
from ._settings import EXIT_OK, EXIT_SOME_FAILED, Settings, exit_code_of, fail, sentence

__all__ = ["open_client", "resume_command", "run_job"]


def resume_command() -> str:
    """The command line that was run, to run again (the token is never on it)."""
    return shlex.join(["chatapi", *sys.argv[1:]])


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
