"""Reading a response body within the call's deadline and the client's size limit.

httpx's ``response.read()`` decodes each chunk whole: 1.8 KB of gzip-in-gzip becomes 1 GB in
one call, and a server trickling one byte per read keeps it going for as long as it likes.
``read_body`` reads the raw stream chunk by chunk instead, checks the clock after each one,
and decompresses with a bound on every step's output.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import httpx

from ._clock import Clock

__all__ = ["DEFAULT_MAX_RESPONSE_SIZE", "BodyTooLargeError", "aread_body", "read_body"]

DEFAULT_MAX_RESPONSE_SIZE = 16 * 1024 * 1024
"""Bytes of a decoded body; the API's largest pages are well under 1 MiB."""
_STEP = 64 * 1024
"""Bytes a decompressor may produce per step; beyond it, output waits in the decompressor."""


class BodyTooLargeError(Exception):
    """The decoded body outgrew the limit; reading stopped."""


class _Decoder(Protocol):
    def decode(self, data: bytes, room: int) -> bytes: ...
    def flush(self, room: int) -> bytes: ...


class _Identity:
    def decode(self, data: bytes, room: int) -> bytes:
        return data

    def flush(self, room: int) -> bytes:
        return b""


class _Zlib:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), output bounded."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding == "gzip"
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        self._first = True

    def decode(self, data: bytes, room: int) -> bytes:
        if self._first and not self._gzip and data:
            self._first = False
            try:
                return self._step(data, room)
            except zlib.error:  # raw deflate without the zlib header, as IIS sends it
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._step(data, room)

    def flush(self, room: int) -> bytes:
        out = self._step(b"", room)
        if self._gzip and not self._inflate.eof:
            raise zlib.error("the gzip stream ends early")
        return out

    def _step(self, data: bytes, room: int) -> bytes:
        """Decompress ``data``; more than ``room`` bytes of output means over the limit."""
        parts: list[bytes] = []
        produced = 0
        pending = data
        while True:
            out = self._inflate.decompress(pending, min(_STEP, room - produced + 1))
            parts.append(out)
            produced += len(out)
            if produced > room:
                raise BodyTooLargeError
            pending = self._inflate.unconsumed_tail
            if not pending and (len(out) < _STEP or self._inflate.eof):
                return b"".join(parts)


def _decoders(headers: httpx.Headers) -> list[_Decoder]:
    """Decoders for the Content-Encoding chain, outermost (last applied) first."""
    encodings = [
        part.strip().lower()
        for value in headers.get_list("content-encoding")
        for part in value.split(",")
        if part.strip()
    ]
    decoders: list[_Decoder] = []
    for encoding in reversed(encodings):
        if encoding in ("gzip", "x-gzip", "deflate"):
            decoders.append(_Zlib("gzip" if encoding != "deflate" else "deflate"))
        elif encoding != "identity":
            # httpx asks for gzip and deflate only: anything else is not ours to expand.
            raise httpx.DecodingError(f"unsupported content-encoding {encoding!r}")
    return decoders or [_Identity()]


class _Reader:
    """The decoding state of one body: the chain of decoders and the bytes so far."""

    def __init__(self, response: httpx.Response, limit: int, deadline: float, clock: Clock):
        self._decoders = _decoders(response.headers)
        self._limit = limit
        self._deadline = deadline
        self._clock = clock
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        if self._clock.monotonic() >= self._deadline:
            raise httpx.ReadTimeout("the call's deadline passed while the body was read")
        self._keep(self._through(chunk, 0, final=False))

    def finish(self) -> bytes:
        self._keep(self._through(b"", 0, final=True))
        return b"".join(self.parts)

    def _through(self, data: bytes, level: int, *, final: bool) -> bytes:
        if level == len(self._decoders):
            return data
        decoder = self._decoders[level]
        room = self._limit - self.size
        try:
            out = decoder.decode(data, room) if data else b""
            if final:
                out += decoder.flush(room - len(out))
        except zlib.error as exc:
            raise httpx.DecodingError(f"the body is not valid compressed data: {exc}") from None
        return self._through(out, level + 1, final=final)

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise BodyTooLargeError
        if data:
            self.parts.append(data)


def _reader(
    response: httpx.Response, limit: int, deadline: float, clock: Clock
) -> httpx.Response | _Reader:
    """``response`` itself if its body is in memory already, else a ``_Reader`` for its chunks.

    Raises ``BodyTooLargeError`` for a body (or an announced length) over ``limit``.
    """
    if (done := _already_read(response, limit)) is not None:
        return done
    if _announced_too_large(response, limit):
        raise BodyTooLargeError
    return _Reader(response, limit, deadline, clock)


def _already_read(response: httpx.Response, limit: int) -> httpx.Response | None:
    """``response`` if its body is in memory already (a ``MockTransport`` answer), else None."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None
    if len(content) > limit:
        raise BodyTooLargeError
    return response


def _announced_too_large(response: httpx.Response, limit: int) -> bool:
    length = response.headers.get("content-length", "")
    return length.isascii() and length.isdigit() and int(length) > limit


def _decoded(response: httpx.Response, body: bytes) -> httpx.Response:
    """A response holding the decoded ``body``; its headers no longer announce an encoding."""
    headers = httpx.Headers(
        [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length")
        ]
    )
    headers["content-length"] = str(len(body))
    return httpx.Response(
        response.status_code, headers=headers, content=body, extensions=response.extensions
    )


def read_body(
    response: httpx.Response, *, limit: int, deadline: float, clock: Clock
) -> httpx.Response:
    """Read ``response``'s body; the returned response holds it decoded.

    Raises:
        BodyTooLargeError: The decoded body (or its announced length) exceeds ``limit`` bytes.
        httpx.ReadTimeout: ``clock`` passed ``deadline`` while reading.
        httpx.DecodingError: The body is not valid for its Content-Encoding.
        httpx.TransportError: The connection failed while reading.
    """
    try:
        reader = _reader(response, limit, deadline, clock)
        if isinstance(reader, httpx.Response):
            return reader
        for chunk in response.iter_raw():
            reader.feed(chunk)
        return _decoded(response, reader.finish())
    finally:
        response.close()


async def aread_body(
    response: httpx.Response, *, limit: int, deadline: float, clock: Clock
) -> httpx.Response:
    """``read_body`` for an async response."""
    try:
        reader = _reader(response, limit, deadline, clock)
        if isinstance(reader, httpx.Response):
            return reader
        async for chunk in response.aiter_raw():
            reader.feed(chunk)
        return _decoded(response, reader.finish())
    finally:
        await response.aclose()
