"""Writing output files whole or not at all: write to a temporary file beside, then rename."""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """A temporary path in `dest`'s folder (same suffix) that replaces `dest` when the block ends.

    If the block raises, the temporary file is removed and `dest` is untouched — a reader never
    sees half a file, and an old export survives a failed new one.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=f".part{dest.suffix}", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # some writers (GDAL) refuse to write over an existing file
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        for leftover in (tmp_path, *tmp_path.parent.glob(tmp_path.name + "-*")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there: judge by age instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_parts(dest: str | Path, max_age_s: float = 86_400.0) -> list[Path]:
    """Remove what writers of `dest` killed mid-write (kill -9, power cut) left beside it:
    `<name>.<pid>.part` of processes that no longer run, and any part older than a day."""
    dest = Path(dest)
    removed = []
    now = time.time()
    pattern = glob.escape(dest.name) + ".*part"
    for p in dest.parent.glob(pattern):
        middle = p.name[len(dest.name) :].strip(".").removesuffix("part").strip(".")
        try:
            old = now - p.stat().st_mtime > max_age_s
        except FileNotFoundError:
            continue
        dead = middle.isdigit() and not _alive(int(middle))
        legacy = middle == ""  # `<name>.part` of older versions: its writer is gone when it is old
        if dead or old or (legacy and now - p.stat().st_mtime > 60):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                removed.append(p)
    return removed


def part_path(dest: str | Path) -> Path:
    """The temporary name to write `dest` under (`<name>.<pid>.part`), after removing the
    leftovers of earlier writers that were killed; rename it onto `dest` when complete."""
    dest = Path(dest)
    clean_stale_parts(dest)
    return dest.with_name(f"{dest.name}.{os.getpid()}.part")
