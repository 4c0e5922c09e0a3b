"""Reading corpus files within their limits: regular files only, bounded reads and lines.

A FIFO opened for reading blocks until a writer comes, so files are opened non-blocking
and checked on the open descriptor (the name may have been swapped since discovery). For
the same reason a reindex checks where the open descriptor really leads (`corpus_boundary`):
a file swapped for a link out of the corpus after discovery, or a folder swapped for one,
is not read.
Compressed streams count what they expand to; lines are cut from fixed-size chunks, so a
line over the limit is skipped without ever being held whole, and runs of blank lines are
passed over in C, not one Python step a line (4 GiB of newlines took over 5 minutes).
"""

from __future__ import annotations

import fcntl
import gzip
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO, Protocol

from search.errors import SkipInput
from search.ingest.limits import MB, IngestLimits, size_text

_CHUNK = 1 * MB
# Two patterns: a run of one literal byte is the fastest loop of `re` (2 ns a byte).
_NEWLINES = re.compile(rb"\n+")
_SPACES = re.compile(rb"[ \t\r]+")
_KINDS = {
    stat.S_IFIFO: "una FIFO",
    stat.S_IFSOCK: "un socket",
    stat.S_IFCHR: "un dispositivo",
    stat.S_IFBLK: "un dispositivo",
    stat.S_IFDIR: "una cartella",
}


# The kernel's pseudo-files: never read, even when links out of the corpus are followed.
SYSTEM_FOLDERS = (("proc",), ("sys",), ("dev",))  # first part of a path under /
# (the corpus folder resolved, whether links out of it are followed) while a reindex reads
_BOUNDARY: ContextVar[tuple[Path, bool] | None] = ContextVar("corpus_boundary", default=None)


@contextmanager
def corpus_boundary(root: Path, follow_outside: bool) -> Iterator[None]:
    """Within: every file opened by `open_regular` must really lie under `root` (unless
    `follow_outside`), whatever was swapped for a link since the folder was listed."""
    token = _BOUNDARY.set((root.resolve(), follow_outside))
    try:
        yield
    finally:
        _BOUNDARY.reset(token)


def _check_boundary(fd: int) -> None:
    boundary = _BOUNDARY.get()
    if boundary is None:
        return
    root, follow_outside = boundary
    try:
        real = Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:  # no /proc: the check made when the folder was listed stands
        return
    if real.is_relative_to(root):
        return
    if not follow_outside:
        raise SkipInput(
            f"il file porta a {real}, fuori dalla cartella del corpus (scambiato con un "
            "collegamento durante la lettura?): non si legge"
        )
    if real.parts[1:2] in SYSTEM_FOLDERS:
        raise SkipInput(f"il file porta a un file di sistema ({real}): non si legge")


def special_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), "un file speciale")


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading; `SkipInput` unless it is a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        _check_boundary(fd)
        kind = special_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise SkipInput(f"non è un file regolare ma {kind}: non si legge")
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_whole(path: Path, limits: IngestLimits) -> bytes:
    """The bytes of a file read whole; `SkipInput` past `max_file_bytes`."""
    with open_regular(path) as stream:
        data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise SkipInput(
            f"file troppo grande: oltre {size_text(limits.max_file_bytes)} (limite max_file_bytes)"
        )
    return data


class TooMuchData(Exception):
    """A compressed file expands past its limits; the message is the reason."""


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class Decompressed:
    """A gzip stream that stops, with `TooMuchData`, past the limits on what it expands to."""

    def __init__(self, raw: BinaryIO, limits: IngestLimits) -> None:
        self.raw = raw
        self.gzip = gzip.GzipFile(fileobj=raw)
        self.limits = limits
        self.total = 0

    def read(self, size: int, /) -> bytes:
        data = self.gzip.read1(size)
        self.total += len(data)
        check_expansion(self.total, self.raw.tell(), self.limits)
        return data


def check_expansion(expanded: int, compressed: int, limits: IngestLimits) -> None:
    """`TooMuchData` when `compressed` bytes have expanded to more than the limits allow."""
    if expanded > limits.max_decompressed_bytes:
        raise TooMuchData(
            f"il file decompresso supera {size_text(limits.max_decompressed_bytes)} "
            "(limite max_decompressed_bytes): letto fino a lì"
        )
    if expanded > MB and expanded > limits.max_compression_ratio * compressed:
        raise TooMuchData(
            f"il file si decomprime oltre {limits.max_compression_ratio} volte la sua "
            "dimensione (limite max_compression_ratio), come una bomba di decompressione: "
            "letto fino a lì"
        )


def bounded_lines(stream: Readable, max_line: int) -> Iterator[tuple[int, bytes | None]]:
    """(number, line) for every non-blank line; None instead of a line over `max_line` bytes.

    Lines are numbered from 1 as an editor does; the blanks that start a line are dropped.
    """
    number = 1  # the number of the line being read
    pending = b""  # the start of a line whose end is not read yet (never over max_line)
    skipping = False  # inside a line over the limit: bytes are dropped up to its end
    while data := stream.read(_CHUNK):
        buffer, pending, pos = pending + data, b"", 0
        while pos < len(buffer):
            if skipping:
                end = buffer.find(b"\n", pos)
                if end < 0:
                    break
                skipping, number, pos = False, number + 1, end + 1
                continue
            if run := _NEWLINES.match(buffer, pos):
                number, pos = number + run.end() - pos, run.end()
                continue
            if run := _SPACES.match(buffer, pos):
                pos = run.end()
                continue
            end = buffer.find(b"\n", pos)
            if end < 0:
                if len(buffer) - pos > max_line:
                    yield number, None
                    skipping = True
                else:
                    pending = buffer[pos:]
                break
            yield number, (buffer[pos:end] if end - pos <= max_line else None)
            number, pos = number + 1, end + 1
    if pending:
        yield number, pending
