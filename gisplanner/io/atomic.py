"""Writing output files whole or not at all: write to a temporary file beside, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
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
