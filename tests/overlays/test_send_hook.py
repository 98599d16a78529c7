"""SendHook: a call's mark is written only when it changes, never cleared once it may count."""

from __future__ import annotations

import pytest

from chatapi._sending import SendHook


class Marks:
    """The callbacks of a hook, noting each write."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def hook(self, *, marked: bool = True) -> SendHook:
        return SendHook(
            lambda: self.writes.append("clear"), lambda: self.writes.append("mark"), marked=marked
        )


def test_a_call_granted_its_slot_at_once_writes_nothing_more() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.sending()
    assert marks.writes == []  # the caller's mark stands


def test_a_call_that_waits_is_unmarked_then_marked_again_once() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.waiting()
    hook.waiting()  # a second wait of the same slot
    hook.sending()
    assert marks.writes == ["clear", "mark"]


def test_an_attempt_not_processed_lets_the_retry_wait_unmarked() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.sending()
    hook.unsent()  # a 429: nothing was processed
    hook.waiting()
    hook.sending()
    assert marks.writes == ["clear", "mark"]


def test_once_an_attempt_may_have_been_processed_the_mark_stays() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.sending()
    hook.waiting()  # no report on the attempt: it may have been processed
    hook.sending()  # retried all the same (the caller said it is safe to repeat)
    hook.unsent()  # a 429 for this attempt says nothing of the one before
    hook.waiting()
    hook.sending()
    assert marks.writes == []


def test_a_mark_that_could_not_be_written_is_tried_again() -> None:
    writes: list[str] = []
    disk_full = [True]

    def mark() -> None:
        if disk_full:
            raise OSError("disk full")
        writes.append("mark")

    hook = SendHook(lambda: writes.append("clear"), mark, marked=True)
    hook.waiting()
    with pytest.raises(OSError, match="disk full"):
        hook.sending()  # the request does not leave
    disk_full.clear()
    hook.sending()
    assert writes == ["clear", "mark"]
