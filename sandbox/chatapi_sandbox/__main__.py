"""The ``chatapi-sandbox`` command (also ``python -m chatapi_sandbox``).

Serves until SIGINT or SIGTERM, then exits 0: ``make`` can start it in the background and
stop it by PID.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from chatapi_client.operations import INDEX

from ._admin_guard import ADMIN_HEADER
from ._core import SpecError
from ._handlers import HANDLERS
from ._options import DEFAULT_MAX_BODY_BYTES, SandboxOptions
from ._server import bind, serve

__all__ = ["main", "network_warning"]


def network_warning(host: str) -> str | None:
    """The warning to print when ``host`` is not a loopback address, else None."""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass  # a host name other than localhost: it may resolve to anything
    return (
        f"chatapi-sandbox: warning: listening on {host}, not on loopback: the API and the "
        "admin routes (/_sandbox: reset, faults, tokens) are reachable from the network.\n"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatapi-sandbox",
        description="A local server that behaves like ChatAPI v2; admin routes under /_sandbox.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8400,
        help="port to listen on, 0 for a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="TOKEN[:ORGANIZATION]",
        help="an accepted token, repeatable; tokens naming one organization share its limits "
        "and data; a token without organization gets its own (default: sandbox-token)",
    )
    parser.add_argument(
        "--no-rate-limit",
        action="store_true",
        help="count requests and send X-RateLimit-* headers, but never answer 429",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help="largest request body, larger ones get 413 (default: %(default)s)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=5.0,
        help="seconds a connection may take to send a complete request before it is closed "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        help="connections open at once; past it the longest-idle one is closed "
        "(default: 1000, or half the file-descriptor limit if less)",
    )
    parser.add_argument(
        "--url-file", type=Path, help="write the base URL to this file once the server listens"
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn's log level (default: %(default)s)",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (implies --log-level info)"
    )
    return parser


def _stop(signum: int, _: FrameType | None) -> None:
    # uvicorn shuts down gracefully on SIGTERM, then raises it again for the handler it
    # found installed: this one, so that a stop by PID ends with exit status 0.
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, print the base URL and tokens, serve until stopped."""
    args = _parser().parse_args(argv)
    try:
        options = SandboxOptions(
            tokens=SandboxOptions.tokens_from(args.token),
            rate_limit=not args.no_rate_limit,
            max_body_bytes=args.max_body_bytes,
            idle_timeout=args.idle_timeout,
            max_connections=args.max_connections,
        )
        sock = bind(args.host, args.port)
    except (ValueError, OSError) as problem:
        sys.stderr.write(f"chatapi-sandbox: {problem}\n")
        return 2

    def announce(origin: str, base_url: str) -> None:
        lines = [f"ChatAPI sandbox: {base_url}"]
        lines += [f"  token {t.token}  (organization {t.organization})" for t in options.tokens]
        lines.append(
            f"  admin: {origin}/_sandbox/counters, /reset, /faults with the header "
            f"{ADMIN_HEADER}: 1 or Authorization: Bearer {options.admin_token}"
        )
        if not options.rate_limit:
            lines.append("  rate limits: counted, not enforced")
        example_only = sorted({op.operation_id for op in INDEX.operations} - HANDLERS.keys())
        if example_only:
            lines.append(
                "  example-only (no handler yet; valid requests get the description's "
                f"example): {', '.join(example_only)}"
            )
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()

    warning = network_warning(args.host)
    if warning:
        sys.stderr.write(warning)
    signal.signal(signal.SIGTERM, _stop)
    try:
        serve(
            options,
            sock,
            announce=announce,
            url_file=args.url_file,
            log_level="info" if args.access_log else args.log_level,
            access_log=args.access_log,
        )
    except SpecError as problem:
        sys.stderr.write(f"chatapi-sandbox: {problem}\n")
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
