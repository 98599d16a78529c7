"""The ``chatapi`` command: its groups, the list/export, limits and sandbox commands, ``main``."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import click
import httpx

from chatapi_client.operations import INDEX

from .._errors import RequestProcessedError
from ..bulk import contact_filter
from ._bulk import broadcast_command, import_command, journal_group, pairs
from ._operations import call_command, command_for, command_name, group_name
from ._output import emit, emit_records
from ._runner import open_client
from ._settings import (
    EXIT_PROCESSED_UNREADABLE,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    STORE_VARIABLE,
    CliError,
    Settings,
    fail,
    guarded,
)

__all__ = ["cli", "main"]

_ADMIN_HEADER = "X-Sandbox-Admin"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--token-file",
    metavar="PATH",
    help="read the API token from this file (- for stdin) instead of CHATAPI_TOKEN",
)
@click.option(
    "--base-url", metavar="URL", help="the API's URL (default: CHATAPI_BASE_URL, else the live API)"
)
@click.option(
    "--rate-limit-store",
    metavar="URL",
    help=f"share rate limits with other "
    f"processes: sqlite:///path.db or redis://... (default: {STORE_VARIABLE})",
)
@click.option("--quiet", "-q", is_flag=True, help="no progress, only errors and the summary")
@click.pass_context
def cli(
    ctx: click.Context,
    token_file: str | None,
    base_url: str | None,
    rate_limit_store: str | None,
    quiet: bool,
) -> None:
    """ChatAPI v2 from the command line: every operation, and journaled bulk jobs.

    Exit codes: 0 all done; 1 some items failed or are unknown; 2 usage; 3 authentication;
    4 the API could not be reached; 5 the one call may have been processed (outcome
    unknown); 6 the one call was processed but its answer could not be read.
    """
    ctx.obj = Settings(token_file, base_url, rate_limit_store, quiet)


_OUTPUTS = click.Choice(["table", "jsonl", "csv", "json"])


def _listing(default_output: str, name: str, doc: str) -> click.Command:
    @click.command(name, help=doc)
    @click.option("--tag", help="contacts with this tag")
    @click.option("--where", multiple=True, metavar="FIELD=VALUE", help="field equals value")
    @click.option("--search", help="part of a name, an email address or a phone number")
    @click.option("--output", "-o", type=_OUTPUTS, default=default_output, show_default=True)
    @click.option("--fields", default="", help="comma-separated fields to show (default: all)")
    @click.pass_obj
    def listing(
        settings: Settings,
        tag: str | None,
        where: tuple[str, ...],
        search: str | None,
        output: str,
        fields: str,
    ) -> None:
        body = contact_filter(tag=tag, where=pairs(where, "--where"), search=search)
        chosen = [f.strip() for f in fields.split(",") if f.strip()]
        if output == "table" and not chosen:
            chosen = ["id", "firstName", "lastName", "email", "phone", "tags"]

        async def contacts() -> list[dict[str, Any]]:
            async with open_client(settings) as client:
                return [c.to_dict() async for c in client.contacts.list(body=body, limit=100)]

        records = guarded(settings, lambda: asyncio.run(contacts()))
        n = emit_records(records, "jsonl" if output == "json" else output, chosen)
        if not settings.quiet:
            click.echo(f"{n} contact(s)", err=True)

    return listing


def _build() -> None:
    groups: dict[str, click.Group] = {}
    for operation in INDEX.operations:
        name = group_name(operation)
        if name not in groups:
            groups[name] = click.Group(name, help=f"The {name} operations.")
            cli.add_command(groups[name])
        groups[name].add_command(command_for(operation))
    contacts = groups["contacts"]
    contacts.add_command(import_command)
    # `contacts list` walks every page with filters; the raw page is `chatapi call listContacts`.
    contacts.add_command(_listing("table", "list", "List contacts: every page, filtered."))
    contacts.add_command(
        _listing("csv", "export", "Export contacts: every page, filtered, as CSV by default.")
    )
    cli.add_command(broadcast_command)
    cli.add_command(journal_group)
    cli.add_command(call_command)


@cli.command("limits")
@click.option("--output", "-o", type=_OUTPUTS, default="table", show_default=True)
def limits(output: str) -> None:
    """Each operation's command, rate-limit bucket and rate, and whether it is safe to repeat."""
    records = [
        {
            "operation": op.operation_id,
            "command": f"{group_name(op)} {command_name(op)}",
            "bucket": op.rate_limit.bucket,
            "per_second": op.rate_limit.requests_per_second,
            "safe_to_repeat": op.idempotent,
        }
        for op in INDEX.operations
    ]
    emit_records(records, "jsonl" if output == "json" else output, [])


@cli.group("sandbox")
def sandbox() -> None:
    """A running sandbox's admin actions (for test scripts): counters, reset, inject."""


def _admin(settings: Settings, method: str, path: str, payload: Any = None) -> Any:
    url = settings.url()
    if url is None:
        fail("the sandbox's URL is needed: --base-url or CHATAPI_BASE_URL", EXIT_USAGE)
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    try:
        response = httpx.request(
            method,
            f"{origin}/_sandbox{path}",
            json=payload,
            headers={_ADMIN_HEADER: "1"},
            timeout=10,
        )
    except httpx.HTTPError as error:
        fail(f"could not reach the sandbox at {origin}: {type(error).__name__}", EXIT_UNREACHABLE)
    if response.status_code >= 400:
        fail(f"the sandbox refused it ({response.status_code}): {response.text[:200]}")
    return response.json()


@sandbox.command("counters")
@click.pass_obj
def sandbox_counters(settings: Settings) -> None:
    """What the sandbox really did since start-up or the last reset, as JSON."""
    emit([_admin(settings, "GET", "/counters")], "json")


@sandbox.command("reset")
@click.pass_obj
def sandbox_reset(settings: Settings) -> None:
    """Fresh workspaces, empty rate-limit windows, no pending fault, zero counters."""
    _admin(settings, "POST", "/reset")


@sandbox.command("inject")
@click.argument("operation_id")
@click.argument("kind")
@click.option("--when", type=click.Choice(["before", "after"]), help="before or after processing")
@click.option("--times", type=click.IntRange(1), default=1, show_default=True)
@click.pass_obj
def sandbox_inject(
    settings: Settings, operation_id: str, kind: str, when: str | None, times: int
) -> None:
    """Make the next requests to OPERATION_ID misbehave: KIND is 502, 503, drop, ..."""
    fault: dict[str, Any] = {"operation_id": operation_id, "kind": kind, "times": times}
    if when is not None:
        fault["when"] = when
    emit([_admin(settings, "POST", "/faults", fault)], "json")


_build()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``chatapi``; returns the exit code (0, 1, 2 usage, 3 auth, 4 unreachable, 5, 6)."""
    settings_holder: list[Settings] = []
    try:
        with cli.make_context("chatapi", list(sys.argv[1:] if argv is None else argv)) as ctx:
            if isinstance(ctx.obj, Settings):
                settings_holder.append(ctx.obj)
            cli.invoke(ctx)
    except CliError as error:
        message = error.format_message()
        if settings_holder:
            message = settings_holder[0].scrub(message)
        click.echo(f"chatapi: {message}", err=True)
        return error.code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.Abort:
        click.echo("chatapi: stopped", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        click.echo("chatapi: stopped", err=True)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python's flush at exit
        # from failing on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except RequestProcessedError as error:  # raised outside ``guarded``: still never resend
        click.echo(f"chatapi: {error}", err=True)
        return EXIT_PROCESSED_UNREADABLE
    except Exception as error:  # noqa: BLE001 - one sentence, never a traceback
        text = " ".join(str(error).split())
        if settings_holder:
            text = settings_holder[0].scrub(text)
        click.echo(f"chatapi: unexpected error ({type(error).__name__}): {text}", err=True)
        return 1
    return 0
