"""Per-call options: precedence, nesting, and how they reach concurrent tasks and threads."""

from __future__ import annotations

import asyncio
import contextvars
import math
import threading

import httpx
import pytest

from chatapi import RequestOptions, request_options
from chatapi._options import deadline_of, options_for

from .fakes import FakeClock


def _request(**extensions: object) -> httpx.Request:
    return httpx.Request("GET", "https://api.test/v2/x", extensions=extensions)


def test_no_options_means_all_unset() -> None:
    assert options_for(_request()) == RequestOptions()


def test_context_blocks_nest_field_by_field() -> None:
    with request_options(deadline=9, max_retries=1), request_options(safe_to_repeat=True):
        assert options_for(_request()) == RequestOptions(
            safe_to_repeat=True, max_retries=1, deadline=9
        )
    assert options_for(_request()) == RequestOptions()


def test_request_extension_wins_over_the_context() -> None:
    with request_options(max_retries=1, deadline=9):
        request = _request(chatapi={"max_retries": 4})
        assert options_for(request) == RequestOptions(max_retries=4, deadline=9)


def test_unknown_option_names_are_refused() -> None:
    with pytest.raises(TypeError):
        options_for(_request(chatapi={"retries": 4}))


def test_tasks_inherit_the_block_and_do_not_leak_it() -> None:
    async def seen() -> RequestOptions:
        await asyncio.sleep(0)
        return options_for(_request())

    async def main() -> tuple[RequestOptions, RequestOptions]:
        with request_options(safe_to_repeat=True):
            inside = asyncio.create_task(seen())
        outside = asyncio.create_task(seen())
        return await inside, await outside

    inside, outside = asyncio.run(main())
    assert inside.safe_to_repeat is True
    assert outside.safe_to_repeat is None


def test_threads_get_the_block_only_through_copy_context() -> None:
    results: dict[str, RequestOptions] = {}

    def record(name: str) -> None:
        results[name] = options_for(_request())

    with request_options(max_retries=0):
        plain = threading.Thread(target=record, args=("plain",))
        copied = threading.Thread(target=contextvars.copy_context().run, args=(record, "copied"))
        for thread in (plain, copied):
            thread.start()
            thread.join()
    assert results["plain"].max_retries is None
    assert results["copied"].max_retries == 0


def test_the_deadline_is_fixed_once_per_call() -> None:
    clock = FakeClock()
    request = _request(chatapi=RequestOptions(deadline=5))
    first = deadline_of(request, clock, default=60)
    clock.advance(2)
    assert deadline_of(request, clock, default=60) == first == 1005.0
    assert deadline_of(_request(), clock, default=math.inf) == math.inf
