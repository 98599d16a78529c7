"""``chatapi contacts import``, ``chatapi broadcast`` and ``chatapi journal``."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from .._client import AsyncChatAPI
from ..bulk import (
    FAILED,
    UNKNOWN,
    AsyncHandler,
    AsyncSteps,
    Broadcast,
    ContactImport,
    ContactRow,
    Journal,
    JournalError,
    JournalItem,
    RowProblem,
    RowSettings,
    areconcile,
    contact_filter,
    file_fingerprint,
    read_contact_rows,
)
from ._display import Display
from ._runner import open_client, run_job
from ._settings import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, Settings, fail, guarded

__all__ = ["broadcast_command", "import_command", "journal_group", "pairs"]

IMPORT_JOB = "contacts-import"
BROADCAST_JOB = "broadcast"


def pairs(values: Sequence[str], what: str) -> list[tuple[str, str]]:
    """``NAME=VALUE`` options as pairs; a usage error for any other form."""
    found = []
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint=what)
        found.append((name.strip(), rest.strip()))
    return found


def _set_quiet(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    settings = ctx.find_object(Settings)
    if value and settings is not None:
        settings.quiet = True


quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    expose_value=False,
    callback=_set_quiet,
    help="no progress, only errors and the summary",
)
concurrency_option = click.option(
    "--concurrency", type=click.IntRange(1, 64), default=8, show_default=True
)
existing_file = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def journal_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--journal PATH``, whose default the command names in ``default``."""
    return click.option(
        "--journal",
        "journal_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"the journal file (default: {default}); rerun to resume",
    )


def _journal(path: Path) -> Journal:
    try:
        return Journal(path)
    except JournalError as error:
        fail(str(error), EXIT_USAGE)


def _read_only(path: Path) -> Journal:
    """The journal at ``path`` opened so that nothing changes it; a usage error otherwise."""
    try:
        journal = Journal(path, read_only=True)
    except JournalError as error:
        fail(str(error), EXIT_USAGE)
    if journal.meta("job") is None:
        journal.close()
        fail(f"{path} is not the journal of a chatapi job (no job is recorded in it)", EXIT_USAGE)
    return journal


class _RowInvalidError(ValueError):
    """A row that failed validation; journaled as failed with its reason."""


def _import_handler(job: ContactImport) -> Any:
    def make(client: AsyncChatAPI) -> AsyncHandler:
        inner = job.async_handler(client)

        async def handle(item: JournalItem, steps: AsyncSteps) -> str:
            problem = item.payload.get("problem")
            if problem is not None:
                raise _RowInvalidError(str(problem))
            return await inner(item, steps)

        return handle

    return make


@click.command("import")
@existing_file
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="feed a field from a column (firstName, email, tags, custom:NAME...)",
)
@click.option(
    "--identifier",
    default="email,phone",
    show_default=True,
    help="the fields that name the contact, in order of preference",
)
@click.option("--tags-column", default="tags", show_default=True, help="the column of tags")
@click.option("--tag-separator", default=";", show_default=True, help="between two tags")
@click.option(
    "--custom",
    "custom",
    multiple=True,
    metavar="COLUMN",
    help="a column holding the custom field of the same name",
)
@click.option(
    "--on-existing",
    type=click.Choice(["update", "keep"]),
    default="update",
    show_default=True,
    help="what to do with a contact that exists already",
)
@click.option("--dry-run", is_flag=True, help="check the rows and say what would be done")
@click.option("--validate-only", is_flag=True, help="check every row offline, send nothing")
@click.option(
    "--errors",
    "errors_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write the rows that failed, with the reason, to this CSV file",
)
@journal_option("FILE.journal")
@click.option("--retry-failed", is_flag=True, help="try failed rows again")
@concurrency_option
@quiet_option
@click.pass_obj
def import_command(
    settings: Settings,
    file: Path,
    mapping: tuple[str, ...],
    identifier: str,
    tags_column: str,
    tag_separator: str,
    custom: tuple[str, ...],
    on_existing: str,
    dry_run: bool,
    validate_only: bool,
    errors_file: Path | None,
    journal_path: Path | None,
    retry_failed: bool,
    concurrency: int,
) -> None:
    """Import contacts from a CSV file: create or update each, then add its tags."""
    row_settings = RowSettings(
        mapping=dict(pairs(mapping, "--map")),
        identifiers=tuple(i.strip() for i in identifier.split(",") if i.strip()),
        tags_column=tags_column,
        tag_separator=tag_separator,
        custom_columns=custom,
    )
    try:
        rows = list(read_contact_rows(file, row_settings))
    except (ValueError, UnicodeDecodeError, csv.Error) as error:
        fail(f"cannot read {file}: {error}", EXIT_USAGE)
    problems = [row for row in rows if isinstance(row, RowProblem)]
    valid = [row for row in rows if isinstance(row, ContactRow)]
    job = ContactImport(on_existing="keep" if on_existing == "keep" else "update")
    if validate_only or dry_run:
        for problem in problems:
            click.echo(problem.reason, err=True)
        if errors_file is not None:
            _write_errors(errors_file, [(p.raw, p.reason) for p in problems])
        tagged = sum(1 for row in valid if row.tags)
        verb = "would import" if dry_run else "valid:"
        click.echo(
            f"{verb} {len(valid)} contact(s) ({tagged} with tags, existing ones: "
            f"{on_existing}); {len(problems)} invalid row(s); nothing was sent",
            err=True,
        )
        raise SystemExit(EXIT_SOME_FAILED if problems else EXIT_OK)

    journal = _journal(journal_path or file.with_name(file.name + ".journal"))
    try:
        _claim(journal, "job", IMPORT_JOB)
        _claim(journal, "input", file_fingerprint(file))
        journal.set_meta("on_existing", job.on_existing)
        journal.add((f"line {row.line}", row.payload()) for row in valid)
        new_problems = [
            (f"line {p.line}", p) for p in problems if journal.get(f"line {p.line}") is None
        ]
        journal.add(
            (key, {"line": p.line, "raw": p.raw, "problem": p.reason}) for key, p in new_problems
        )
        for key, problem in new_problems:
            journal.start(key)
            journal.fail(key, problem.reason)
        if retry_failed:
            journal.retry([FAILED])
        code = run_job(
            settings,
            journal,
            f"import {file.name}",
            job.items_per_second,
            _import_handler(job),
            concurrency=concurrency,
        )
        if errors_file is not None:
            _write_errors(
                errors_file,
                [
                    (dict(item.payload.get("raw") or {}), item.error or "")
                    for item in journal.items()
                    if item.state in (FAILED, UNKNOWN)
                ],
            )
    finally:
        journal.close()
    raise SystemExit(code)


def _claim(journal: Journal, name: str, value: str) -> None:
    try:
        journal.claim(name, value)
    except JournalError as error:
        journal.close()
        fail(str(error), EXIT_USAGE)


def _write_errors(path: Path, rows: list[tuple[dict[str, Any], str]]) -> None:
    columns: list[str] = []
    for raw, _ in rows:
        columns += [c for c in raw if c not in columns]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [*columns, "error"], extrasaction="ignore")
        writer.writeheader()
        for raw, reason in rows:
            writer.writerow({**raw, "error": reason})


@click.command("broadcast")
@click.option("--tag", help="send to every contact with this tag")
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="FIELD=VALUE",
    help="and whose field equals this value",
)
@click.option("--search", help="and who match this search")
@click.option("--text", help="the text message to send")
@click.option("--template", help="or: the approved WhatsApp template to send, by name")
@click.option("--language", default="en", show_default=True, help="the template's language")
@click.option("--channel", type=int, help="the channel to send on (default: the last one used)")
@journal_option("broadcast-<digest>.journal")
@click.option(
    "--reconcile",
    is_flag=True,
    help="first settle unknown sends by looking for them in each contact's history",
)
@click.option(
    "--window",
    type=float,
    default=600.0,
    show_default=True,
    help="seconds around a send within which a found message counts",
)
@click.option("--retry-failed", is_flag=True, help="send again to contacts whose send failed")
@click.option("--dry-run", is_flag=True, help="list who would receive it, send nothing")
@concurrency_option
@quiet_option
@click.pass_obj
def broadcast_command(
    settings: Settings,
    tag: str | None,
    where: tuple[str, ...],
    search: str | None,
    text: str | None,
    template: str | None,
    language: str,
    channel: int | None,
    journal_path: Path | None,
    reconcile: bool,
    window: float,
    retry_failed: bool,
    dry_run: bool,
    concurrency: int,
) -> None:
    """Send one message (a text or a template) to every matching contact, at most once each."""
    if tag is None and not where and search is None:
        raise click.UsageError("say who receives it: --tag, --where or --search")
    if (text is None) == (template is None):
        raise click.UsageError("say what to send: --text or --template, one of them")
    conditions = pairs(where, "--where")
    body = contact_filter(tag=tag, where=conditions, search=search)
    job = Broadcast(text or "", template=template, language=language, channel_id=channel)
    what = json.dumps({"message": job.message(), "channel": channel}, sort_keys=True)
    audience_key = json.dumps({"tag": tag, "where": conditions, "search": search}, sort_keys=True)
    if dry_run:

        async def count() -> int:
            async with open_client(settings) as client:
                return sum([1 async for _ in client.contacts.list(body=body, limit=100)])

        n = guarded(settings, lambda: asyncio.run(count()))
        click.echo(f"would send to {n} contact(s); nothing was sent", err=True)
        raise SystemExit(EXIT_OK)
    digest = hashlib.sha256(f"{audience_key}\n{what}".encode()).hexdigest()[:12]
    journal = _journal(journal_path or Path(f"broadcast-{digest}.journal"))
    try:
        _claim(journal, "job", BROADCAST_JOB)
        _claim(journal, "message", what)
        _claim(journal, "audience", audience_key)
        if retry_failed:
            journal.retry([FAILED])

        async def before(client: AsyncChatAPI, display: Display) -> None:
            if journal.meta("listed") is None:
                contacts = [c async for c in client.contacts.list(body=body, limit=100)]
                journal.add(Broadcast.audience(contacts))
                journal.set_meta("listed", str(len(contacts)))
                display.line(f"audience: {len(contacts)} contact(s), journal {journal.path}")
            if reconcile:
                journal.recover()
                result = await areconcile(client, journal, job, window=window)
                display.line(
                    f"reconcile: {len(result.settled)} unknown send(s) found delivered, "
                    f"{len(result.unsettled)} could not be settled"
                )
                for key, why in result.unsettled.items():
                    display.line(f"  {key}: {why}")

        code = run_job(
            settings,
            journal,
            "broadcast",
            job.items_per_second,
            job.async_handler,
            before=before,
            concurrency=concurrency,
        )
    finally:
        journal.close()
    raise SystemExit(code)


@click.group("journal")
def journal_group() -> None:
    """Read a job's journal, or try its failed items again."""


@journal_group.command("show")
@existing_file
@click.option(
    "--items",
    "show_items",
    type=click.Choice(["problems", "all", "none"]),
    default="problems",
    show_default=True,
    help="which items to list",
)
def journal_show(file: Path, show_items: str) -> None:
    """Counts per state and outcome, then the failed and unknown items with their reasons."""
    journal = _read_only(file)
    with journal:
        counts = journal.counts()
        click.echo(f"job: {journal.meta('job') or '?'}")
        click.echo("states: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
        outcomes = journal.outcomes()
        if outcomes:
            click.echo("done: " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))
        if show_items != "none":
            for item in journal.items():
                if show_items == "all" or item.state in (FAILED, UNKNOWN):
                    detail = item.error or item.outcome or ""
                    click.echo(f"{item.key}\t{item.state}\t{detail}")
    raise SystemExit(EXIT_OK if counts[FAILED] + counts[UNKNOWN] == 0 else EXIT_SOME_FAILED)


@journal_group.command("retry")
@existing_file
@click.option(
    "--unknown",
    "include_unknown",
    is_flag=True,
    help="resend unknown items too: each may then be delivered twice",
)
@concurrency_option
@quiet_option
@click.pass_obj
def journal_retry(settings: Settings, file: Path, include_unknown: bool, concurrency: int) -> None:
    """Put the failed items (and, on request, the unknown ones) back, and run the job."""
    with _read_only(file) as peek:  # checked before the lock file or any table is made
        kind = peek.meta("job")
    if kind not in (BROADCAST_JOB, IMPORT_JOB):
        fail(f"{file} is not the journal of a job this command knows", EXIT_USAGE)
    journal = _journal(file)
    try:
        if kind == BROADCAST_JOB:
            job_handler = _stored_broadcast(journal).async_handler
            rate = Broadcast("").items_per_second
        else:
            job = ContactImport(
                on_existing="keep" if journal.meta("on_existing") == "keep" else "update"
            )
            job_handler = _import_handler(job)
            rate = job.items_per_second
        again = journal.retry([FAILED, UNKNOWN] if include_unknown else [FAILED])
        click.echo(f"{again} item(s) put back to do", err=True)
        code = run_job(settings, journal, kind, rate, job_handler, concurrency=concurrency)
    finally:
        journal.close()
    raise SystemExit(code)


def _stored_broadcast(journal: Journal) -> Broadcast:
    """The broadcast a journal was made for, from what it claimed."""
    stored = json.loads(journal.meta("message") or "{}")
    message = stored.get("message") or {}
    reference = message.get("template") or {}
    return Broadcast(
        str(message.get("text", "")),
        template=reference.get("name"),
        language=str(reference.get("languageCode", "en")),
        channel_id=stored.get("channel"),
    )
