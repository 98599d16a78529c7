"""Rate limits from ``x-rate-limit``, per (organization, bucket), over a sliding second."""

from __future__ import annotations

import time

import httpx

import chatapi_sandbox
from chatapi_sandbox._ratelimit import SlidingWindowLimiter

from ._helpers import TEXT, SteppedClock, assert_conforms, error_message


def test_limiter_allows_the_limit_per_sliding_second() -> None:
    clock = SteppedClock()
    limiter = SlidingWindowLimiter(clock)
    decisions = []
    for _ in range(3):
        decisions.append(limiter.hit("k", 3))
        clock.advance(0.2)
    assert [(d.allowed, d.remaining) for d in decisions] == [(True, 2), (True, 1), (True, 0)]
    refused = limiter.hit("k", 3)
    assert (refused.allowed, refused.remaining, refused.retry_after) == (False, 0, 1)
    clock.advance(0.41)  # the first hit (at 0.0) leaves the window at 1.0
    assert limiter.hit("k", 3).allowed
    assert not limiter.hit("k", 3).allowed
    assert limiter.hit("other", 3).allowed


def test_limiter_counts_only_accepted_requests() -> None:
    clock = SteppedClock()
    limiter = SlidingWindowLimiter(clock)
    assert limiter.hit("k", 1).allowed
    for _ in range(5):
        clock.advance(0.1)
        assert not limiter.hit("k", 1).allowed
    clock.advance(0.5)  # one second after the only accepted request
    assert limiter.hit("k", 1).allowed


def test_limiter_unenforced_counts_but_never_refuses() -> None:
    limiter = SlidingWindowLimiter(SteppedClock())
    decisions = [limiter.hit("k", 2, enforce=False) for _ in range(4)]
    assert all(d.allowed for d in decisions)
    assert [d.remaining for d in decisions] == [1, 0, 0, 0]


def test_the_eleventh_send_within_a_second_gets_429(raw: httpx.Client) -> None:
    answers = [raw.post("/contact/id:123/message", json=TEXT) for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == [
        *(str(n) for n in range(9, -1, -1)),
        "0",
    ]
    limited = answers[-1]
    assert limited.headers["X-RateLimit-Limit"] == "10"
    assert limited.headers["Retry-After"] == "1"
    assert "send-message allows 10 per second" in error_message(limited)
    assert_conforms("sendMessage", limited)


def test_the_window_slides(raw: httpx.Client, clock: SteppedClock) -> None:
    for _ in range(5):
        raw.get("/space/user")
        clock.advance(0.1)
    assert raw.get("/space/user").status_code == 429
    clock.advance(0.51)  # the first request (at +0.0) has left the window
    assert raw.get("/space/user").status_code == 200
    assert raw.get("/space/user").status_code == 429


def test_operations_naming_one_bucket_share_it(raw: httpx.Client) -> None:
    # createContact, updateContact and deleteContact all draw from contact-write (5/s).
    for index in range(3):
        raw.post(f"/contact/email:b{index}@example.com", json={"firstName": "B"})
    raw.put("/contact/id:123", json={"lastName": "X"})
    raw.delete("/contact/email:b0@example.com")
    refused = raw.put("/contact/id:123", json={"lastName": "Y"})
    assert refused.status_code == 429
    assert raw.get("/contact/id:123").status_code == 200  # get-contact is another bucket


def test_organizations_do_not_share_tokens_of_one_do(
    raw: httpx.Client, raw_acme_2: httpx.Client, raw_globex: httpx.Client
) -> None:
    for _ in range(5):
        assert raw.get("/space/channel").status_code == 200
    assert raw_acme_2.get("/space/channel").status_code == 429
    assert raw_globex.get("/space/channel").status_code == 200


def test_counters_record_the_limiter(raw: httpx.Client, sandbox: chatapi_sandbox.Sandbox) -> None:
    for _ in range(7):
        raw.get("/space/closing_notes")
    counters = sandbox.counters()
    assert counters.requests_by_bucket == {"list-closing-notes": 7}
    assert counters.rate_limited == 2
    assert counters.rate_limited_by_bucket == {"list-closing-notes": 2}
    assert counters.responses_by_status == {200: 5, 429: 2}


def test_every_answer_carries_the_headers(raw: httpx.Client) -> None:
    for response in (
        raw.get("/contact/id:123"),
        raw.get("/contact/id:404404"),
        raw.get("/contact/nonsense"),
    ):
        assert response.headers["X-RateLimit-Limit"] == "10"
        assert "Retry-After" not in response.headers
    assert [raw.get("/contact/id:123").headers["X-RateLimit-Remaining"] for _ in range(2)] == [
        "6",
        "5",
    ]


def test_without_rate_limiting_nothing_is_refused() -> None:
    with chatapi_sandbox.running(rate_limit=False, clock=SteppedClock()) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        with httpx.Client(base_url=sandbox.base_url, headers=headers) as client:
            answers = [client.get("/space/user") for _ in range(8)]
    assert {a.status_code for a in answers} == {200}
    assert answers[-1].headers["X-RateLimit-Remaining"] == "0"
    assert answers[-1].headers["X-RateLimit-Limit"] == "5"


def test_real_time_limits_on_a_real_clock() -> None:
    """The one test on the wall clock: 11 quick sends, then a second later one more.

    The limiter's clock is the real one, stamped at each reading. On a quiet machine the 11
    sends fit in a second and the 11th is refused; on a busy one they may not, so what each
    had to get is worked out from when the limiter saw it, by the rule: refused when 10
    were accepted in the second before.
    """
    stamps: list[float] = []

    def clock() -> float:
        stamps.append(time.monotonic())
        return stamps[-1]

    with chatapi_sandbox.running(clock=clock) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        with httpx.Client(base_url=sandbox.base_url, headers=headers) as client:
            codes = [
                client.post("/contact/id:123/message", json=TEXT).status_code for _ in range(11)
            ]
            time.sleep(1.0)
            codes.append(client.post("/contact/id:123/message", json=TEXT).status_code)
    assert len(stamps) == len(codes)  # one reading per request: when the limiter saw it
    accepted: list[float] = []
    expected = []
    for now in stamps:
        if sum(1 for then in accepted if then > now - 1.0) >= 10:
            expected.append(429)
        else:
            accepted.append(now)
            expected.append(200)
    assert codes == expected, stamps
    assert codes[-1] == 200
