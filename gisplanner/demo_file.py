"""Building the demo into a SQLite file atomically: into `<file>.building`, renamed into place.

`demo` and the app's first start used to build straight into the target file, so kill -9 (or
closing the app) left a half-built database that looked like data and was never rebuilt. Now
the target either does not exist, or holds a complete demo; a stale `.building` is discarded.

Also the demo as importable sample files (maps/demo/, written by gisplanner.io.write_demo_files):

    python -m gisplanner.demo_file [--out maps/demo] [--households 8000] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from gisplanner.store.database import Store, StoreError


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


def write_sample_files(out: Path, *, households: int = 8_000, seed: int = 1) -> dict[str, int]:
    """Build the demo town in a scratch database and write it as importable files under `out`;
    returns the rows written per file kind."""
    from gisplanner.demo import build_demo
    from gisplanner.io.write_demo_files import write_files

    tmp = Path(tempfile.mkdtemp(prefix="gisplanner-demo-files-"))
    try:
        store = Store.open(tmp / "demo.sqlite")
        build_demo(store, households=households, seed=seed)
        counts = write_files(store, out)
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    from gisplanner.io.write_demo_files import DEFAULT_OUT

    ap = argparse.ArgumentParser(description="把演示镇数据写成可导入的文件（maps/demo/）")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--households", type=int, default=8_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    counts = write_sample_files(args.out, households=args.households, seed=args.seed)
    print(f"已写入 {args.out}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
