"""Writing output files whole or not at all: write to a temporary file beside, then rename."""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path


@contextlib.contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """A temporary path in `dest`'s folder (same suffix) that replaces `dest` when the block ends.

    If the block raises, the temporary file is removed and `dest` is untouched — a reader never
    sees half a file, and an old export survives a failed new one.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _clean_hidden_parts(dest)  # what a killed earlier export of `dest` left behind
    # `.<stem>.<pid>-<n>.part<suffix>`: the writer's pid tells a later run whether it still runs
    tmp_path = dest.with_name(f".{dest.stem}.{os.getpid()}-{next(_SEQ)}.part{dest.suffix}")
    tmp_path.unlink(missing_ok=True)  # some writers (GDAL) refuse to write over an existing file
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        for leftover in (tmp_path, *tmp_path.parent.glob(tmp_path.name + "-*")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


_SEQ = count(1)


def _clean_hidden_parts(dest: Path, max_age_s: float = 86_400.0) -> None:
    """Temporary files of `atomic_path` for `dest` whose writer died (or older than a day), with
    the side files a writer may have made beside them (GeoPackage -journal/-wal)."""
    now = time.time()
    head, tail = f".{dest.stem}.", f".part{dest.suffix}"
    for p in dest.parent.glob(glob.escape(head) + "*" + glob.escape(tail) + "*"):
        base = p.name if p.name.endswith(tail) else p.name[: p.name.rfind(tail) + len(tail)]
        middle = base[len(head) : -len(tail)]
        pid = middle.split("-")[0]
        try:
            old = now - p.stat().st_mtime > max_age_s
        except FileNotFoundError:
            continue
        if (pid.isdigit() and not _alive(int(pid))) or old:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


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
