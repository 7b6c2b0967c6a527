"""Backups of a SQLite database file: checked, per database, never rotating away the last good one.

- Each database has its own backup folder, named by its file name and a hash of its full path
  (`backups/gisplanner-1a2b3c4d5e/`): `a/gisplanner.sqlite` is never offered the backups of
  `b/gisplanner.sqlite`.
- `PRAGMA quick_check` runs on the database before a backup (a damaged database is not copied
  over good backups) and on the copy before it counts; rotation deletes old backups only after
  a new good one exists, so the newest good backup always survives.
- Restore writes the backup into a temporary file beside the database and renames it into place;
  the current file is backed up first or, when damaged, kept beside as `*.damaged-<time>`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gisplanner import paths

log = logging.getLogger(__name__)
KEEP = 7
STAMP = "last-good.json"  # the database's state when its newest good backup was taken


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message names the file (in Chinese)."""


def folder_for(db: Path, root: Path | None = None) -> Path:
    db = Path(db).expanduser().resolve()
    digest = hashlib.sha1(str(db).encode("utf-8")).hexdigest()[:10]
    return Path(root or paths.backup_dir()) / f"{db.stem}-{digest}"


def _read_only(path: Path) -> sqlite3.Connection:
    # a file: URI (percent-encoded, forward slashes) also for Windows paths and Chinese names
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def quick_check(path: Path) -> str | None:
    """None when SQLite finds the file sound, else what is wrong (in words)."""
    path = Path(path)
    if not path.exists():
        return "文件不存在"
    try:
        with contextlib.closing(_read_only(path)) as c:
            rows = [r[0] for r in c.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as e:
        return str(e)
    if rows == ["ok"]:
        return None
    lines = [line for r in rows for line in str(r).splitlines() if line.strip()]
    text = "；".join(lines[:3])
    return (text[:300] + "…" if len(text) > 300 else text) + (
        f"（共 {len(lines)} 处）" if len(lines) > 3 else ""
    )


def is_ours(path: Path) -> bool:
    """A SQLite file with gisplanner's version stamp and area table."""
    try:
        with contextlib.closing(_read_only(path)) as c:
            names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError:
        return False
    return {"alembic_version", "area", "target"} <= names


@dataclass
class BackupInfo:
    path: Path
    when: dt.datetime
    size: int

    def as_dict(self, with_check: bool = False) -> dict:
        out = {
            "file": str(self.path),
            "time": self.when.isoformat(sep=" ", timespec="seconds"),
            "bytes": self.size,
        }
        if with_check:
            out["problem"] = quick_check(self.path)
        return out


def list_backups(db: Path, root: Path | None = None) -> list[BackupInfo]:
    """This database's backups, newest first."""
    folder = folder_for(db, root)
    out = []
    for p in folder.glob("*.sqlite"):
        try:
            when = dt.datetime.strptime("-".join(p.stem.rsplit("-", 3)[-3:]), "%Y%m%d-%H%M%S-%f")
        except ValueError:
            when = dt.datetime.fromtimestamp(p.stat().st_mtime)
        out.append(BackupInfo(p, when, p.stat().st_size))
    return sorted(out, key=lambda b: (b.when, b.path.name), reverse=True)


def newest_good_backup(db: Path, root: Path | None = None) -> Path | None:
    for b in list_backups(db, root):
        if quick_check(b.path) is None and is_ours(b.path):
            return b.path
    return None


def backup(db: Path, root: Path | None = None, keep: int = KEEP) -> Path:
    """Copy `db` (SQLite's online backup API) after checking it; returns the new backup.

    Raises BackupError when the database is damaged: its content must not push good backups out.
    """
    db = Path(db)
    problem = quick_check(db)
    if problem:
        good = newest_good_backup(db, root)
        raise BackupError(
            f"数据库“{db}”已损坏（{problem}），未备份，以免覆盖完好的备份。"
            + (f"最新的完好备份：{good}" if good else "没有找到它的完好备份")
        )
    folder = folder_for(db, root)
    folder.mkdir(parents=True, exist_ok=True)
    before = file_state(db)  # taken before the copy: a change during the copy backs up again
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{db.stem}-{stamp}.sqlite"
    tmp = dest.with_suffix(".part")
    with contextlib.closing(sqlite3.connect(db)) as s, contextlib.closing(sqlite3.connect(tmp)) as d:
        s.backup(d)
    problem = quick_check(tmp)
    if problem:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"数据库“{db}”的备份没有通过检查（{problem}），未保存")
    os.replace(tmp, dest)
    _write_stamp(folder, {"state": before, "backup": dest.name})
    if keep > 0:
        for old in list_backups(db, root)[keep:]:
            if old.path != dest:
                old.path.unlink(missing_ok=True)
    log.info("backup of %s written to %s", db, dest)
    return dest


def file_state(db: Path) -> dict:
    """What changes when the database's content changes: size and modification time of the file
    and of its write-ahead log, and SQLite's file change counter (header bytes 24–27)."""
    db = Path(db)
    st = db.stat()
    with open(db, "rb") as f:
        header = f.read(100)
    wal = Path(str(db) + "-wal")
    try:
        w = wal.stat()
        wal_state = [w.st_size, w.st_mtime_ns] if w.st_size else None
    except OSError:
        wal_state = None
    counter = int.from_bytes(header[24:28], "big") if len(header) >= 28 else None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "wal": wal_state, "counter": counter}


def _write_stamp(folder: Path, content: dict) -> None:
    tmp = folder / (STAMP + ".part")
    tmp.write_text(json.dumps(content), encoding="utf-8")
    os.replace(tmp, folder / STAMP)


def unchanged_backup(db: Path, root: Path | None = None) -> Path | None:
    """The newest good backup when the database has not changed since it was taken, else None.

    Cheap (a stat and 100 bytes read): the start-up backup skips an unchanged database."""
    db = Path(db)
    folder = folder_for(db, root)
    try:
        recorded = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        current = file_state(db)
    except (OSError, ValueError):
        return None
    dest = folder / str(recorded.get("backup", ""))
    if recorded.get("state") != current or not recorded.get("backup") or not dest.is_file():
        return None
    return dest


def backup_if_changed(db: Path, root: Path | None = None, keep: int = KEEP) -> tuple[Path, bool]:
    """(backup, written): a new checked backup, or the last good one when nothing changed since."""
    same = unchanged_backup(db, root)
    if same is not None:
        return same, False
    return backup(db, root, keep), True


def restore(db: Path, source: Path | None = None, root: Path | None = None) -> tuple[Path, Path | None]:
    """Replace `db` with a backup (the newest good one when `source` is None).

    Returns (the backup used, where the previous content went: a backup, a `.damaged-*` copy, or
    None when there was no file). Nothing may hold the database open (dispose engines first).
    """
    db = Path(db).expanduser().resolve()
    if source is None:
        source = newest_good_backup(db, root)
        if source is None:
            raise BackupError(f"没有找到“{db}”的完好备份（备份目录：{folder_for(db, root)}）")
    source = Path(source)
    problem = quick_check(source)
    if problem:
        raise BackupError(f"备份文件“{source}”已损坏或不是数据库（{problem}），未恢复")
    if not is_ours(source):
        raise BackupError(f"文件“{source}”不是 gisplanner 的数据库，未恢复")
    previous: Path | None = None
    if db.exists():
        if quick_check(db) is None:
            previous = backup(db, root, keep=0)  # the restore can itself be undone
        else:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            previous = db.with_name(f"{db.name}.damaged-{stamp}")
            os.replace(db, previous)
    tmp = db.with_name(db.name + ".restore-part")
    with contextlib.closing(sqlite3.connect(source)) as s, contextlib.closing(sqlite3.connect(tmp)) as d:
        s.backup(d)
    # a write-ahead log of the old file must not be replayed onto the restored one
    for side in ("-wal", "-shm", "-journal"):
        Path(str(db) + side).unlink(missing_ok=True)
    os.replace(tmp, db)
    log.info("restored %s from %s (previous content: %s)", db, source, previous)
    return source, previous
