"""One command per operation, made at run time from the operation index, and ``call``.

``chatapi contacts get IDENT``, ``chatapi messages send IDENT --text hi``,
``chatapi space list-users --all``: path parameters are arguments in path order, query
parameters options, the body ``--body`` (JSON text, ``@file.json`` or ``-`` for stdin).
Calls go through the connected client's retries, rate limits and typed errors.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import click

from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec
from chatapi_description import PAGE_CURSOR, PAGE_ITEMS, PAGE_LINKS, Operation

from .._connect import connect
from .._preflight import PATH_TEMPLATE
from ._output import emit
from ._settings import EXIT_USAGE, Settings, fail, guarded

__all__ = ["GROUP_NAMES", "call_command", "command_for", "group_name", "invoke"]

GROUP_NAMES = {"messaging": "messages"}
"""Command groups named otherwise than the description's resource."""

_SCALARS: Mapping[str, click.ParamType[Any]] = {
    "integer": click.INT,
    "number": click.FLOAT,
    "boolean": click.BOOL,
    "string": click.STRING,
}


def group_name(operation: Operation) -> str:
    """The command group of an operation: its resource (``messaging`` is ``messages``)."""
    return GROUP_NAMES.get(operation.resource, operation.resource)


def command_name(operation: Operation) -> str:
    """The command of an operation: its method name in kebab case (``add-tags``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", operation.action).lower()


def read_body(value: str | None) -> Any:
    """``--body``: JSON text, ``@path`` to read a file, ``-`` to read stdin."""
    if value is None:
        return None
    if value == "-":
        text = sys.stdin.read()
    elif value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except OSError as error:
            fail(f"cannot read {value[1:]}: {error.strerror}", EXIT_USAGE)
    else:
        text = value
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"the body is not JSON: {error.msg} at line {error.lineno}", EXIT_USAGE)


def invoke(
    settings: Settings,
    operation: Operation,
    values: Mapping[str, Any],
    body: Any,
    *,
    all_pages: bool = False,
) -> Iterator[Any]:
    """Call ``operation``; yield its answer, or every item of every page with ``all_pages``."""
    path = operation.path
    query: dict[str, Any] = {}
    for parameter in operation.parameters:
        value = values.get(parameter.name)
        if value is None:
            continue
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", quote(str(value), safe=""))
        elif parameter.location == "query":
            query[parameter.name] = str(value).lower() if isinstance(value, bool) else value
    if operation.request_body is not None and operation.request_body.required and body is None:
        fail(f"{operation.operation_id} needs a body: --body JSON, @file.json or -", EXIT_USAGE)
    client = guarded(
        settings,
        lambda: connect(
            settings.token(), base_url=settings.url(), rate_limit_store=settings.store()
        ),
    )
    seen: set[str] = set()
    with client.get_httpx_client() as http:
        while True:
            response = guarded(
                settings,
                lambda: http.request(
                    operation.method,
                    path,
                    params=query,
                    json=body if operation.request_body else None,
                    # What the generated functions name: the client refuses, before
                    # sending, a value that moves the call to another route ("list").
                    extensions={PATH_TEMPLATE: operation.path},
                ),
            )
            document = response.json() if response.content else None
            if not (all_pages and operation.paginated and isinstance(document, dict)):
                yield document
                return
            yield from document.get(PAGE_ITEMS) or ()
            cursor = _next_cursor(document)
            if cursor is None:
                return
            if cursor in seen:  # the server went round: following it would never end
                fail(f"the server returned the page cursor {cursor!r} again: stopping here")
            seen.add(cursor)
            query[PAGE_CURSOR] = cursor


def _next_cursor(page: Mapping[str, Any]) -> str | None:
    links = page.get(PAGE_LINKS)
    link = links.get("next") if isinstance(links, Mapping) else None
    if not isinstance(link, str) or not link:
        return None
    found = parse_qs(urlsplit(link).query).get(PAGE_CURSOR)
    return found[0] if found else None


def command_for(operation: Operation) -> click.Command:
    """The command of one operation."""
    path_names = re.findall(r"{([^}]+)}", operation.path)
    by_name = {p.name: p for p in operation.parameters}
    params: list[click.Parameter] = [
        click.Argument([name.lower()], type=_SCALARS[by_name[name].scalar_type])
        for name in path_names
    ]
    for parameter in operation.parameters:
        if parameter.location == "query":
            flag = "--" + re.sub(r"(?<!^)(?=[A-Z])", "-", parameter.name).lower()
            params.append(
                click.Option(
                    [flag, parameter.name],
                    type=_SCALARS[parameter.scalar_type],
                    help=f"query parameter {parameter.name}",
                )
            )
    if operation.request_body is not None:
        params.append(click.Option(["--body"], help="JSON text, @file.json, or - for stdin"))
    if operation.operation_id == "sendMessage":
        params.append(click.Option(["--text"], help="send this text message (no --body needed)"))
    if operation.paginated:
        params.append(
            click.Option(
                ["--all", "all_pages"],
                is_flag=True,
                help="every item of every page, one JSON line each",
            )
        )
    params.append(
        click.Option(
            ["--output"], type=click.Choice(["json", "jsonl"]), default="json", show_default=True
        )
    )

    def callback(**kwargs: Any) -> None:
        settings = click.get_current_context().find_object(Settings)
        assert settings is not None  # noqa: S101 - the group always sets it
        values = {name: kwargs.pop(name.lower(), None) for name in path_names}
        values.update(
            {p.name: kwargs.get(p.name) for p in operation.parameters if p.location == "query"}
        )
        body = read_body(kwargs.get("body"))
        text = kwargs.get("text")
        if text is not None:
            body = {"message": {"type": "text", "text": text}}
        all_pages = bool(kwargs.get("all_pages"))
        output = "jsonl" if all_pages else kwargs["output"]
        emit(invoke(settings, operation, values, body, all_pages=all_pages), output)

    safe = "safe to repeat" if operation.idempotent else "not safe to repeat: never resent"
    summary = _summaries().get(operation.operation_id, "")
    return click.Command(
        command_name(operation),
        params=params,
        callback=callback,
        short_help=summary or None,
        help=f"{summary} {operation.method} {operation.path} ({operation.operation_id}; "
        f"{operation.rate_limit.requests_per_second}/s, {safe}).".strip(),
    )


@cache
def _summaries() -> dict[str, str]:
    """Each operation's ``summary``, from the bundled description."""
    found: dict[str, str] = {}
    for item in load_spec().get("paths", {}).values():
        for body in item.values():
            if isinstance(body, dict) and "operationId" in body:
                found[str(body["operationId"])] = str(body.get("summary", ""))
    return found


@click.command("call")
@click.argument("operation_id")
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="a path or query parameter"
)
@click.option("--body", help="JSON text, @file.json, or - for stdin")
@click.option("--all", "all_pages", is_flag=True, help="every item of every page")
@click.option("--output", type=click.Choice(["json", "jsonl"]), default="json", show_default=True)
@click.pass_obj
def call_command(
    settings: Settings,
    operation_id: str,
    params: tuple[str, ...],
    body: str | None,
    all_pages: bool,
    output: str,
) -> None:
    """Call any operation by its operationId (see `chatapi limits` for the list)."""
    try:
        operation = INDEX[operation_id]
    except KeyError:
        raise click.BadParameter(
            f"no operation {operation_id!r}", param_hint="OPERATION_ID"
        ) from None
    values: dict[str, Any] = {}
    known = {p.name for p in operation.parameters}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or name not in known:
            raise click.BadParameter(
                f"{item!r}: expected NAME=VALUE, NAME one of {', '.join(sorted(known)) or '-'}",
                param_hint="--param",
            )
        values[name] = value
    missing = [
        p.name for p in operation.parameters if p.location == "path" and p.name not in values
    ]
    if missing:
        raise click.BadParameter(f"missing path parameter {missing[0]}", param_hint="--param")
    emit(
        invoke(settings, operation, values, read_body(body), all_pages=all_pages),
        "jsonl" if all_pages else output,
    )
