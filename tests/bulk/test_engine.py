"""The bulk engine and its journal, on the real client over a mock transport, no sleeps."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import chatapi
from chatapi.bulk import (
    Broadcast,
    ContactImport,
    ContactRow,
    Journal,
    JournalBusyError,
    JournalError,
    JournalItem,
    RowProblem,
    RowSettings,
    StepOrderError,
    Steps,
    arun,
    items_per_second,
    read_contact_rows,
    reconcile,
    run,
)
from tests.overlays.fakes import FakeClock, message_record

BASE = "https://api.test/v2"
Route = Callable[[httpx.Request], httpx.Response]


def _client(route: Route, seen: list[str] | None = None) -> chatapi.ChatAPI:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(f"{request.method} {request.url.raw_path.decode()}")
        return route(request)

    return chatapi.ChatAPI("token", **_mocked(handler))


def _async_client(route: Route) -> chatapi.AsyncChatAPI:
    return chatapi.AsyncChatAPI("token", **_mocked(route))


def _mocked(route: Route) -> dict[str, Any]:
    """A client's settings for answers from ``route``: no rate limit, a fake clock."""
    return {
        "base_url": BASE,
        "transport": httpx.MockTransport(route),
        "rate_limit": False,
        "clock": FakeClock(),
    }


def _sent(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"messageId": 7, "contactId": 1})


def _audience(journal: Journal, n: int) -> None:
    journal.add((f"id:{i}", {"identifier": f"id:{i}"}) for i in range(1, n + 1))


def test_a_non_repeatable_call_is_on_disk_before_it_leaves(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    seen_on_disk: list[str | None] = []

    def route(request: httpx.Request) -> httpx.Response:
        with Journal(path, lock=False) as other:  # another connection: what a crash leaves
            item = other.get("id:1")
            seen_on_disk.append(None if item is None else item.sending)
        return _sent(request)

    with Journal(path) as journal, _client(route) as client:
        _audience(journal, 1)
        summary = run(journal, Broadcast("hi").handler(client))
    assert seen_on_disk == ["sendMessage"]
    assert summary.complete
    assert summary.outcomes == {"sent": 1}


def test_a_send_that_may_have_been_processed_is_unknown_and_never_resent(tmp_path: Path) -> None:
    seen: list[str] = []

    def route(request: httpx.Request) -> httpx.Response:
        if "id%3A2" in request.url.raw_path.decode():
            return httpx.Response(502, json={"code": 502, "message": "bad gateway"})
        return _sent(request)

    with Journal(tmp_path / "j.db") as journal, _client(route, seen) as client:
        _audience(journal, 3)
        first = run(journal, Broadcast("hi").handler(client), concurrency=1)
        assert first.counts["unknown"] == 1
        assert first.counts["done"] == 2
        assert "It was not repeated" in first.reasons[0][0]
        again = run(journal, Broadcast("hi").handler(client))
    assert again.processed == 0
    assert seen.count("POST /v2/contact/id%3A2/message") == 1  # once, never again


def test_a_processed_send_with_an_unreadable_answer_is_done_and_never_resent(
    tmp_path: Path,
) -> None:
    seen: list[str] = []

    def route(request: httpx.Request) -> httpx.Response:
        if "id%3A2" in request.url.raw_path.decode():
            return httpx.Response(200, content=b"<html>ok</html>")
        return _sent(request)

    with Journal(tmp_path / "j.db") as journal, _client(route, seen) as client:
        _audience(journal, 3)
        first = run(journal, Broadcast("hi").handler(client), concurrency=1)
        assert first.counts["done"] == 3
        assert first.outcomes == {"sent": 2, "sent (answer unreadable)": 1}
        assert journal.retry(["failed", "unknown"]) == 0
        again = run(journal, Broadcast("hi").handler(client))
    assert again.processed == 0
    assert seen.count("POST /v2/contact/id%3A2/message") == 1  # processed once, never again


def test_a_refused_item_fails_with_its_reason_and_retry_puts_it_back(tmp_path: Path) -> None:
    refuse = [True]

    def route(request: httpx.Request) -> httpx.Response:
        if refuse[0] and "id%3A1/" in request.url.raw_path.decode():
            return httpx.Response(404, json={"code": 404, "message": "Contact not found."})
        return _sent(request)

    with Journal(tmp_path / "j.db") as journal, _client(route) as client:
        _audience(journal, 2)
        summary = run(journal, Broadcast("hi").handler(client))
        assert summary.counts["failed"] == 1
        assert summary.reasons[0][1] == 1
        assert "Contact not found." in summary.reasons[0][0]
        refuse[0] = False
        assert journal.retry(["failed"]) == 1
        assert run(journal, Broadcast("hi").handler(client)).complete


def test_an_authentication_error_stops_the_run_and_keeps_the_item_to_do(tmp_path: Path) -> None:
    def route(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": 401, "message": "Invalid token."})

    with Journal(tmp_path / "j.db") as journal, _client(route) as client:
        _audience(journal, 20)
        with pytest.raises(chatapi.AuthenticationError):
            run(journal, Broadcast("hi").handler(client), concurrency=2)
        counts = journal.counts()
    assert counts["pending"] == 20  # nothing failed: the token did
    assert counts["in_flight"] == 0


def test_a_killed_run_is_recovered_by_what_may_have_left(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with Journal(path) as journal:
        _audience(journal, 3)
        journal.start("id:1")  # was doing repeatable calls
        journal.start("id:2")
        journal.sending("id:2", "sendMessage")  # its send may have left
        journal.done("id:3", "sent")
    with Journal(path) as journal:
        assert journal.recover() == (1, 1)
        assert [i.key for i in journal.pending()] == ["id:1"]
        unknown = journal.get("id:2")
        assert unknown is not None
        assert unknown.state == "unknown"
        assert unknown.sent_at is not None


def test_a_call_after_the_non_repeatable_one_is_refused(tmp_path: Path) -> None:
    def handler(item: JournalItem, steps: Steps) -> str:
        steps.call("sendMessage", lambda: None)
        steps.call("getContact", lambda: None)
        return "sent"

    with Journal(tmp_path / "j.db") as journal:
        _audience(journal, 1)
        summary = run(journal, handler)
    assert summary.counts["failed"] == 1
    assert "must be an item's last" in summary.reasons[0][0]
    with Journal(tmp_path / "j.db") as journal:
        steps = Steps(journal, "id:1")
        steps.call("sendMessage", lambda: None)
        with pytest.raises(StepOrderError):
            steps.call("addTags", lambda: None)


def test_one_journal_one_run_and_one_job(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with Journal(path) as journal:
        with pytest.raises(JournalBusyError):
            Journal(path)
        journal.claim("text", "hello")
        journal.claim("text", "hello")
        with pytest.raises(JournalError, match="belongs to another job"):
            journal.claim("text", "goodbye")
    Journal(path).close()  # free again once closed


def test_cancelling_arun_journals_what_was_in_flight(tmp_path: Path) -> None:
    async def scenario() -> tuple[dict[str, int], str | None]:
        started = asyncio.Event()
        release = asyncio.Event()

        async def handler(item: JournalItem, steps: chatapi.bulk.AsyncSteps) -> str:
            if item.key == "id:1":

                async def hang() -> None:
                    started.set()
                    await release.wait()

                await steps.call("sendMessage", hang)  # left, then cancelled mid-call
            else:
                await steps.call("getContact", release.wait)  # repeatable: back to pending
            return "sent"

        with Journal(tmp_path / "j.db") as journal:
            _audience(journal, 2)
            task = asyncio.ensure_future(arun(journal, handler, concurrency=2))
            await started.wait()
            await asyncio.sleep(0)
            task.cancel()
            summary = await task
            item = journal.get("id:1")
            return summary.counts, None if item is None else item.error

    counts, error = asyncio.run(scenario())
    assert counts["unknown"] == 1
    assert counts["pending"] == 1
    assert counts["in_flight"] == 0
    assert error is not None
    assert "on its way" in error


def test_the_async_import_creates_updates_and_tags(tmp_path: Path) -> None:
    existing = {"email:old@example.com"}
    calls: list[tuple[str, str, object]] = []

    def route(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        body = json.loads(request.content) if request.content else None
        calls.append((request.method, path, body))
        if request.method == "GET":
            found = any(ident.replace(":", "%3A").replace("@", "%40") in path for ident in existing)
            if not found:
                return httpx.Response(404, json={"code": 404, "message": "Contact not found."})
            return httpx.Response(200, json={"id": 5, "firstName": "Old"})
        return httpx.Response(200, json={"contactId": 5})

    rows = [
        ContactRow(2, "email:new@example.com", {"firstName": "New"}, ["vip"], {}),
        ContactRow(3, "email:old@example.com", {"firstName": "Renamed"}, ["vip"], {}),
    ]

    async def scenario() -> dict[str, int]:
        async with _async_client(route) as client:
            with Journal(tmp_path / "j.db") as journal:
                journal.add((f"line {r.line}", r.payload()) for r in rows)
                summary = await arun(journal, ContactImport().async_handler(client))
                return summary.outcomes

    assert asyncio.run(scenario()) == {"created": 1, "updated": 1}
    writes = [(m, p, b) for m, p, b in calls if m != "GET"]
    assert ("POST", "/v2/contact/create_or_update/email%3Anew%40example.com",
            {"firstName": "New"}) in writes  # fmt: skip
    # An existing contact is overwritten with updateContact: createOrUpdateContact would
    # keep its old first name.
    assert ("PUT", "/v2/contact/email%3Aold%40example.com", {"firstName": "Renamed"}) in writes
    assert sum(1 for m, p, _ in writes if p.endswith("/tag")) == 2


def test_rows_are_mapped_and_checked_against_the_description(tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text(
        "name,email,phone,labels,tier\n"
        "Ana,ana@example.com,,a|b,gold\n"
        "Bo,,+60123456789,,\n"
        "Cy,,0123,,\n"
        "Di,di@example.com,,,\n",
        encoding="utf-8",
    )
    settings = RowSettings(
        mapping={"name": "firstName", "labels": "tags"},
        identifiers=("phone", "email"),
        tag_separator="|",
        custom_columns=("tier",),
    )
    rows = list(read_contact_rows(source, settings))
    ana, bo, cy, di = rows
    assert isinstance(ana, ContactRow)
    assert ana.identifier == "email:ana@example.com"
    assert ana.tags == ["a", "b"]
    assert ana.fields["custom_fields"] == [{"name": "tier", "value": "gold"}]
    assert isinstance(bo, ContactRow)
    assert bo.identifier == "phone:+60123456789"  # phone first, as asked
    assert isinstance(cy, RowProblem)
    assert "pattern" in cy.reason
    assert cy.reason.startswith("line 4:")
    assert isinstance(di, ContactRow)
    with pytest.raises(ValueError, match="cannot map a column to 'nickname'"):
        list(read_contact_rows(source, RowSettings(mapping={"name": "nickname"})))


def test_the_bottleneck_comes_from_the_description() -> None:
    assert items_per_second(["sendMessage"]) == 10
    assert items_per_second(["getContact", "createOrUpdateContact", "addTags"]) == 5
    # Two calls per item in one bucket halve it.
    assert items_per_second(["addTags", "removeTags"]) == 2.5
    assert ContactImport().items_per_second == 5


def test_reasons_are_grouped_across_items(tmp_path: Path) -> None:
    def route(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": 400, "message": "Template is pending."})

    with Journal(tmp_path / "j.db") as journal, _client(route) as client:
        _audience(journal, 3)
        summary = run(journal, Broadcast("hi").handler(client))
        item = journal.get("id:2")
    assert summary.reasons == [("400 Bad Request: Template is pending.", 3)]
    assert item is not None
    assert item.error is not None
    assert "(POST /v2/contact/id%3A2/message)" in item.error  # each item keeps its request


def test_a_template_broadcast_sends_and_recognizes_its_template() -> None:
    job = Broadcast(template="order_update", language="pt_BR", channel_id=5501)
    body = job._body().to_dict()
    assert body == {
        "channelId": 5501,
        "message": {
            "type": "whatsapp_template",
            "template": {"name": "order_update", "languageCode": "pt_BR"},
        },
    }
    assert job.matches(body["message"])
    assert not job.matches({"type": "whatsapp_template", "template": {"name": "other"}})
    assert not Broadcast("hi").matches(body["message"])
    assert Broadcast("hi").matches({"type": "text", "text": "hi"})


def test_setting_stop_ends_the_run_after_the_items_in_flight(tmp_path: Path) -> None:
    stop = threading.Event()
    seen: list[str] = []

    def handler(item: JournalItem, steps: Steps) -> str:
        seen.append(item.key)
        stop.set()  # as Ctrl-C would, while this item is in flight
        return "sent"

    with Journal(tmp_path / "j.db") as journal:
        _audience(journal, 5)
        summary = run(journal, handler, concurrency=1, stop=stop)
    assert seen == ["id:1"]
    assert summary.interrupted
    assert summary.counts["done"] == 1
    assert summary.counts["pending"] == 4


def test_reconcile_settles_only_on_a_copy_stamped_from_the_send_on(tmp_path: Path) -> None:
    history: dict[str, list[dict[str, object]]] = {}

    def route(request: httpx.Request) -> httpx.Response:
        ident = request.url.raw_path.decode().split("/")[3].replace("%3A", ":")
        return httpx.Response(200, json={"items": history[ident]})

    def copy(message_id: int, stamp: float | None) -> dict[str, object]:
        status = [] if stamp is None else [{"value": "sent", "timestamp": int(stamp)}]
        return {**message_record(message_id), "status": status}

    with Journal(tmp_path / "j.db") as journal, _client(route) as client:
        _audience(journal, 3)
        for key in ("id:1", "id:2", "id:3"):
            journal.start(key)
            journal.sending(key, "sendMessage")
            journal.unknown(key, "timed out")
        sent_at = journal.get("id:1").sent_at  # type: ignore[union-attr]
        assert sent_at is not None
        history["id:1"] = [copy(11, sent_at - 300)]  # an older copy of the same text
        history["id:2"] = [copy(12, None)]  # no timestamp: no proof of this send
        history["id:3"] = [copy(13, sent_at + 2)]
        result = reconcile(client, journal, "hi")
    assert result.settled == {"id:3": 13}
    assert set(result.unsettled) == {"id:1", "id:2"}
