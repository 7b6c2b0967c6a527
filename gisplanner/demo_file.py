"""Building the demo into a SQLite file atomically: into `<file>.building`, renamed into place.

`demo` and the app's first start used to build straight into the target file, so kill -9 (or
closing the app) left a half-built database that looked like data and was never rebuilt. Now
the target either does not exist, or holds a complete demo; a stale `.building` is discarded.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from gisplanner.store import Store, StoreError


def _remove(db: Path) -> None:
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")):
        p.unlink(missing_ok=True)


def is_empty_database(path: Path) -> bool:
    """No file, or one of ours without areas (a foreign file raises StoreError)."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    store = Store.open(path)
    try:
        return store.is_empty()
    finally:
        store.close()


def build_demo_database(path: str | Path, *, households: int = 8_000, seed: int = 1, progress=None) -> dict:
    """Build the demo town into a new SQLite file at `path`; returns the counts."""
    from gisplanner.demo import build_demo

    path = Path(path).expanduser().resolve()
    if not is_empty_database(path):
        raise StoreError(f"数据库 {path} 已有数据，演示数据只能写入空数据库或新文件")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    _remove(tmp)  # what an interrupted earlier build left
    store = Store.open(tmp)
    try:
        counts = build_demo(store, households=households, seed=seed, progress=progress)
    except BaseException:
        store.close()
        _remove(tmp)
        raise
    store.close()
    # fold the write-ahead log into the file so that the rename carries everything
    with contextlib.closing(sqlite3.connect(tmp)) as c:
        c.execute("PRAGMA journal_mode=DELETE")
    _remove(path)  # empty (checked above): an empty database or nothing
    os.replace(tmp, path)
    return counts
