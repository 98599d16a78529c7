"""Starting and stopping: in-process, as a command, and refusing a mismatched description."""

from __future__ import annotations

import copy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import chatapi_sandbox
from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec
from chatapi_description import Route
from chatapi_sandbox._core import SandboxCore
from chatapi_sandbox._example_only import success_example
from chatapi_sandbox._handlers import HANDLERS
from chatapi_sandbox._server import bind


def test_the_public_surface_is_pinned() -> None:
    assert chatapi_sandbox.__all__ == [
        "DEFAULT_MAX_BODY_BYTES",
        "DEFAULT_TOKEN",
        "Counters",
        "Fault",
        "FaultKind",
        "RetryAfterForm",
        "Sandbox",
        "SandboxApp",
        "SandboxClient",
        "SandboxOptions",
        "SpecError",
        "Token",
        "When",
        "create_app",
        "running",
    ]


def test_running_starts_answers_and_stops_without_leaks() -> None:
    threads_before = set(threading.enumerate())
    with chatapi_sandbox.running(["only:solo"]) as sandbox:
        assert sandbox.base_url.startswith("http://127.0.0.1:")
        assert sandbox.base_url.endswith("/v2")
        assert sandbox.token == "only"
        assert sandbox.tokens == (chatapi_sandbox.Token("only", "solo"),)
        port = int(sandbox.origin.rsplit(":", 1)[1])
        response = httpx.get(
            f"{sandbox.base_url}/space/user", headers={"Authorization": "Bearer only"}
        )
        assert response.status_code == 200
    assert set(threading.enumerate()) == threads_before
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass  # nobody listens any more
    with socket.socket() as probe:  # and the port can be bound again (TIME_WAIT aside)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()
    sandbox.stop()  # stopping twice is harmless


def test_running_reports_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="in use"):
            chatapi_sandbox.running(port=taken.getsockname()[1])


def test_the_command_prints_its_url_and_tokens_and_stops_on_sigterm(tmp_path: Path) -> None:
    url_file = tmp_path / "url"
    command = [
        sys.executable,
        "-m",
        "chatapi_sandbox",
        "--port",
        "0",
        "--token",
        "alpha:acme",
        "--token",
        "beta",
        "--url-file",
        str(url_file),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    ) as process:
        try:
            deadline = time.monotonic() + 20
            while not url_file.exists():
                assert process.poll() is None, "the sandbox exited early"
                assert time.monotonic() < deadline, "no URL file"
                time.sleep(0.05)
            base_url = url_file.read_text().strip()
            answer = httpx.get(f"{base_url}/space/user", headers={"Authorization": "Bearer beta"})
            assert answer.status_code == 200
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        output = process.stdout.read() if process.stdout else ""
    assert f"ChatAPI sandbox: {base_url}" in output
    assert "token alpha  (organization acme)" in output
    assert "token beta  (organization beta)" in output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--token", "has space"], "no spaces"),
        (["--token", "a:"], "organization must be non-empty"),
    ],
)
def test_the_command_refuses_bad_tokens(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    from chatapi_sandbox.__main__ import main

    assert main(["--port", "0", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_an_operation_without_handler_is_served_from_its_example() -> None:
    handlers = dict(HANDLERS)
    del handlers["getUser"]
    core = SandboxCore(load_spec(), chatapi_sandbox.SandboxOptions(), handlers)
    assert core.example_only == ("getUser",)
    with chatapi_sandbox.Sandbox(chatapi_sandbox.SandboxApp(core), bind(), 10.0) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        answer = httpx.get(f"{sandbox.base_url}/space/user/1", headers=headers, timeout=30)
        assert answer.status_code == 200
        assert answer.json() == success_example(load_spec(), INDEX["getUser"])[1]


def test_an_operation_with_neither_handler_nor_example_stops_start_up() -> None:
    spec = copy.deepcopy(load_spec())
    del spec["paths"]["/space/user/{id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    handlers = dict(HANDLERS)
    del handlers["getUser"]
    with pytest.raises(chatapi_sandbox.SpecError, match=r"getUser has no handler .* no example"):
        SandboxCore(spec, chatapi_sandbox.SandboxOptions(), handlers)


def test_a_handler_without_operation_stops_start_up() -> None:
    spec = copy.deepcopy(load_spec())
    del spec["paths"]["/space/user/{id}"]
    with pytest.raises(
        chatapi_sandbox.SpecError, match=r"handlers without operation: \['getUser'\]"
    ):
        chatapi_sandbox.create_app(spec=spec)


def test_routes_and_limits_come_from_the_description() -> None:
    spec = copy.deepcopy(load_spec())
    spec["servers"] = [{"url": "https://example.com/v9"}]
    spec["paths"]["/space/people"] = spec["paths"].pop("/space/user")
    spec["paths"]["/space/people"]["get"]["x-rate-limit"] = {
        "bucket": "b",
        "requests-per-second": 1,
    }
    app = chatapi_sandbox.create_app(spec=spec)
    assert app.core.base_path == "/v9"
    route = app.core.index.match("GET", "/space/people")
    assert isinstance(route, Route)
    assert route.target.operation_id == "listUsers"
    assert app.core.operations["listUsers"].rate_limit.requests_per_second == 1


def test_an_unsupported_parameter_stops_start_up() -> None:
    spec = copy.deepcopy(load_spec())
    spec["paths"]["/space/user"]["get"]["parameters"].append(
        {"name": "session", "in": "cookie", "schema": {"type": "string"}}
    )
    with pytest.raises(chatapi_sandbox.SpecError, match="cookie"):
        chatapi_sandbox.create_app(spec=spec)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("abc", chatapi_sandbox.Token("abc", "abc")),
        ("abc:acme", chatapi_sandbox.Token("abc", "acme")),
        ("abc:acme:x", chatapi_sandbox.Token("abc", "acme:x")),
    ],
)
def test_tokens_parse(text: str, token: chatapi_sandbox.Token) -> None:
    assert chatapi_sandbox.Token.parse(text) == token


def test_options_need_distinct_tokens() -> None:
    assert chatapi_sandbox.SandboxOptions().tokens == (chatapi_sandbox.DEFAULT_TOKEN,)
    with pytest.raises(ValueError, match="once"):
        chatapi_sandbox.SandboxOptions(
            tokens=chatapi_sandbox.SandboxOptions.tokens_from(["a", "a:x"])
        )
    with pytest.raises(ValueError, match="at least one"):
        chatapi_sandbox.SandboxOptions(tokens=())
