"""Progress and summaries on stderr: a bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.text import Text

from ..bulk import DONE, FAILED, PENDING, UNKNOWN, ItemEvent, Summary

__all__ = ["Display"]

PLAIN_EVERY = 2.0
"""Seconds between two plain progress lines."""


class _Pace(ProgressColumn):
    """Items a second so far, the limit's rate, and the time left at the slower of the two."""

    def __init__(self, limit: float) -> None:
        super().__init__()
        self._limit = limit

    def render(self, task: Task) -> Text:
        rate = _rate(task.completed, task.start_time, task.get_time())
        left = (task.total or 0) - task.completed
        pace = min(rate, self._limit) if rate > 0 else self._limit
        eta = _clock(left / pace) if pace > 0 else "?"
        return Text(f"{rate:.1f}/s (limit {self._limit:g}/s) · {eta} left", style="cyan")


def _rate(done: float, start: float | None, now: float) -> float:
    return done / (now - start) if start is not None and now > start else 0.0


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Display:
    """What a bulk run shows while it goes: ``on_item`` is the engine's callback.

    On a terminal (stderr is a TTY): a rich progress bar with the rate and time left,
    computed from the job's bottleneck rate until the run's own rate is known. Otherwise a
    plain line every ``PLAIN_EVERY`` seconds and one per failed or unknown item. ``quiet``
    shows neither.
    """

    def __init__(
        self,
        label: str,
        total: int,
        rate_limit: float,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = sys.stderr if stream is None else stream
        self._label = label
        self._total = total
        self._quiet = quiet
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._done = self._failed = self._unknown = 0
        self._console = Console(file=self._stream, stderr=stream is None, highlight=False)
        self._tty = self._stream.isatty()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if self._tty and not quiet:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                _Pace(rate_limit),
                TextColumn("[red]{task.fields[problems]}"),
                console=self._console,
                transient=False,
            )
            self._task = self._progress.add_task(label, total=total, problems="")
            self._progress.start()

    def retotal(self, total: int) -> None:
        """Change how many items the run expects (once the audience is known)."""
        self._total = total
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def on_item(self, event: ItemEvent) -> None:
        """Count a finished item and show it."""
        if event.state == PENDING:
            return
        self._done += event.state == DONE
        self._failed += event.state == FAILED
        self._unknown += event.state == UNKNOWN
        if self._progress is not None and self._task is not None:
            problems = []
            if self._failed:
                problems.append(f"{self._failed} failed")
            if self._unknown:
                problems.append(f"{self._unknown} unknown")
            self._progress.update(self._task, advance=1, problems=", ".join(problems))
            return
        if self._quiet:
            return
        if event.state in (FAILED, UNKNOWN):
            self.line(f"{event.key}: {event.state}: {event.error}")
        now = self._clock()
        finished = self._done + self._failed + self._unknown
        if now - self._last_line >= PLAIN_EVERY or finished == self._total:
            self._last_line = now
            rate = _rate(finished, self._started, now)
            self.line(
                f"{self._label}: {finished}/{self._total} "
                f"({self._done} done, {self._failed} failed, {self._unknown} unknown), "
                f"{rate:.1f}/s"
            )

    def line(self, text: str) -> None:
        """One plain line on stderr (above the bar, on a terminal)."""
        if self._progress is not None:
            self._progress.console.print(text, markup=False)
        else:
            print(text, file=self._stream, flush=True)

    def close(self) -> None:
        """Stop the bar (it stays on screen, complete or not)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def summary(self, summary: Summary, *, resume: str | None) -> None:
        """The summary: outcomes, failures and unknowns with grouped reasons, how to resume."""
        self.close()
        counts = summary.counts
        outcomes = ", ".join(f"{n} {outcome}" for outcome, n in sorted(summary.outcomes.items()))
        self.line(
            f"{self._label}: {counts[DONE]} done ({outcomes or 'nothing new'}), "
            f"{counts[FAILED]} failed, {counts[UNKNOWN]} unknown, {counts[PENDING]} not done yet"
        )
        if summary.recovered != (0, 0):
            again, unknown = summary.recovered
            self.line(
                f"a previous run stopped mid-way: {again} item(s) taken again, "
                f"{unknown} whose call may have been processed marked unknown"
            )
        for reason, n in summary.reasons[:8]:
            self.line(f"  {n} x {reason}")
        if len(summary.reasons) > 8:
            self.line(f"  ... and {len(summary.reasons) - 8} other reasons (chatapi journal show)")
        if counts[UNKNOWN]:
            self.line(
                "unknown items may have been processed and are never resent automatically: "
                "settle them with --reconcile, or resend them knowingly with "
                "`chatapi journal retry JOURNAL --unknown`"
            )
        if summary.interrupted and resume is not None:
            self.line(f"stopped before the end; to resume, run: {resume}")
