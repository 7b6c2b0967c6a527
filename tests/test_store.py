"""The store: schema upgrade on open, refusing a newer schema, backups, append-only audit, CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from gisplanner.store.database import (
    Store,
    StoreError,
    backup_sqlite,
    head_revision,
    list_backups,
    restore_sqlite,
)
from gisplanner.store.model import AppendOnlyError, Problem, ProblemEvent


def test_new_database_is_at_head_with_wal_and_foreign_keys(empty_store):
    assert empty_store.current_revision() == head_revision()
    with empty_store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "newer.sqlite"
    Store.open(path).close()
    with sqlite3.connect(path) as c:
        c.execute("UPDATE alembic_version SET version_num='9999_future'")
    with pytest.raises(StoreError, match="比本程序新"):
        Store.open(path)


def test_problem_events_are_append_only(demo_store_copy):
    with pytest.raises(AppendOnlyError), demo_store_copy.session() as s:
        ev = s.scalars(select(ProblemEvent).limit(1)).one()
        ev.note = "篡改"
        s.flush()
    # and in the database itself, below the ORM
    with pytest.raises(DatabaseError, match="append-only"), demo_store_copy.engine.begin() as c:
        c.execute(text("DELETE FROM problem_event"))
    with demo_store_copy.session() as s:
        assert s.scalar(select(ProblemEvent.id).limit(1)) is not None


def test_failed_unit_of_work_leaves_nothing(demo_store_copy):
    with demo_store_copy.session() as s:
        before = s.get(Problem, 1).description
    with pytest.raises(RuntimeError), demo_store_copy.session() as s:
        s.get(Problem, 1).description = "半截写入"
        s.flush()
        raise RuntimeError("boom")
    with demo_store_copy.session() as s:
        assert s.get(Problem, 1).description == before


def test_backups_are_kept_and_restorable(demo_store_copy, gisplanner_home):
    first = backup_sqlite(demo_store_copy, keep=3)
    with demo_store_copy.engine.begin() as c:
        c.execute(text("UPDATE target SET name='改错的名字' WHERE id=1"))
    for _ in range(4):
        backup_sqlite(demo_store_copy, keep=3)
    backups = list_backups(demo_store_copy)
    assert len(backups) == 3 and first not in backups
    # restore an old copy: the wrong edit is gone
    with sqlite3.connect(backups[-1]) as c:
        c.execute("UPDATE target SET name='原来的名字' WHERE id=1")
    restore_sqlite(demo_store_copy, backups[-1])
    with demo_store_copy.engine.connect() as c:
        assert c.execute(text("SELECT name FROM target WHERE id=1")).scalar() == "原来的名字"


def test_targets_frame_has_latest_outcome_and_open_problems(demo_store):
    df = demo_store.targets_frame()
    direct = demo_store.read_frame(
        "SELECT v.target_id, v.outcome FROM visit v WHERE v.visited_at = "
        "(SELECT MAX(visited_at) FROM visit w WHERE w.target_id = v.target_id)"
    ).set_index("target_id")["outcome"]
    got = df.set_index("id")["last_outcome"].dropna()
    assert got.sort_index().equals(direct.sort_index().rename("last_outcome"))
    n_open = demo_store.read_frame(
        "SELECT COUNT(*) AS n FROM problem WHERE status NOT IN ('resolved','explained','rectification')"
    )["n"][0]
    assert df["open_problems"].sum() == n_open


def run_cli(*args):
    return subprocess.run([sys.executable, "main.py", *args], capture_output=True, text=True, timeout=300)


def test_cli_demo_and_info(tmp_path):
    db = tmp_path / "cli.sqlite"
    r = run_cli("demo", "--db", str(db), "--households", "1200", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert "演示数据库已生成" in r.stdout
    r = run_cli("info", "--db", str(db), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["households"] == 1200
    assert info["areas"] == {"city": 1, "district": 1, "town": 1, "village": 18}
    assert {"enterprises", "notable_persons", "cadres", "rounds", "visits", "problems"} <= info.keys()
    assert [r["status"] for r in info["round_list"]] == ["closed", "planning"]
    # a second demo into the same file is refused, nothing changes
    r = run_cli("demo", "--db", str(db))
    assert r.returncode == 2 and "已有数据" in r.stderr
