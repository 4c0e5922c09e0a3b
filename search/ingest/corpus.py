"""Which files of a corpus directory are read: the directory is a boundary.

A symbolic link whose target lies outside the corpus directory is not followed (a
`passwd.txt -> /etc/passwd` was indexed and shown), unless the user opts in; even then the
kernel's pseudo-files (/proc, /sys, /dev) are not read. A link to a folder inside the corpus
is not followed either: its files are read where they are, and a loop cannot form. FIFOs,
sockets and devices are never read (a FIFO blocks its reader). Each refused file that would
otherwise be read comes back as a `Skipped` with its reason, so the report lists it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from search.ingest.files import SYSTEM_FOLDERS, special_kind
from search.model import Skipped

FORMATS = {
    ".txt": "export",
    ".md": "export",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".warc": "warc",
    ".warc.gz": "warc",
}
# A folder's own notes are not articles: README.md, LICENSE.txt and the like.
NOT_ARTICLES = ("readme", "license", "licence", "licenses", "copying", "changelog")


def input_format(path: Path) -> str | None:
    """The format of a corpus file by its name, or None when Archivio does not read it."""
    name = path.name.lower()
    for suffix, kind in FORMATS.items():
        if name.endswith(suffix):
            return kind
    return None


def discover(root: Path, *, follow_symlinks_outside: bool = False) -> Iterator[Path | Skipped]:
    """Every corpus file under `root` in a stable order, and a `Skipped` for each refused one.

    Hidden files and folders are passed over, and so are README/LICENSE-style notes and
    files in formats Archivio does not read. `Skipped.path` is relative to `root`.
    """
    real_root = root.resolve()
    yield from _walk(root, root, real_root, follow_symlinks_outside, {real_root})


def _walk(
    folder: Path, root: Path, real_root: Path, follow: bool, visited: set[Path]
) -> Iterator[Path | Skipped]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        yield Skipped(_label(folder, root), f"cartella illeggibile: {error.strerror or error}")
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.lower().split(".")[0] in NOT_ARTICLES:
            continue
        path = Path(entry.path)
        if not _utf8(entry.name):  # an id, a link, a message could not carry it
            if input_format(path) or entry.is_dir(follow_symlinks=False):
                yield Skipped(
                    _printable(_label(path, root)),
                    "il nome non è in UTF-8 (scritto con un'altra codifica): non si legge; "
                    "rinominalo",
                )
            continue
        label = _label(path, root)
        target: Path | None = None
        if entry.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                if input_format(path):
                    yield Skipped(label, "collegamento simbolico rotto o circolare: non si legge")
                continue
            if target.is_relative_to(real_root):
                if target.is_dir():
                    continue  # its files are read where they are
            elif not follow:
                if target.is_dir() or input_format(path):
                    yield Skipped(
                        label,
                        f"collegamento simbolico a {target}, fuori dalla cartella del corpus: "
                        "non si segue (--follow-symlinks per seguirlo)",
                    )
                continue
            elif target.parts[1:2] in SYSTEM_FOLDERS:
                yield Skipped(label, f"collegamento a un file di sistema ({target}): non si legge")
                continue
        try:
            mode = path.stat().st_mode
        except OSError as error:
            if input_format(path):
                yield Skipped(label, f"file illeggibile: {error.strerror or error}")
            continue
        if stat.S_ISDIR(mode):
            if target is not None:
                if target in visited:
                    continue
                visited.add(target)
            yield from _walk(path, root, real_root, follow, visited)
        elif input_format(path) is not None:
            kind = special_kind(mode)
            if kind is None:
                yield path
            else:
                yield Skipped(label, f"non è un file regolare ma {kind}: non si legge")


def _label(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _utf8(name: str) -> bool:
    """False for a name whose bytes are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(label: str) -> str:
    """A label with bytes that are not UTF-8 shown as escapes (\\xff)."""
    return os.fsencode(label).decode("utf-8", "backslashreplace")
