"""Unmasked exports are logged like unmasked prints: who, when, what, how many (issue 15, item 10)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from gisplanner.access.audit import current_user
from gisplanner.cli import run


def log_rows(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT at, user, what, pages, unmasked FROM print_log ORDER BY id").fetchall()


def test_unmasked_exports_are_logged_and_masked_ones_are_not(demo_store_copy, tmp_path, capsys, demo_facts):
    db = str(demo_store_copy.sqlite_path)
    demo_store_copy.close()
    before = log_rows(db)
    assert run(["export", "targets", "--db", db, "--out", str(tmp_path / "masked.xlsx")]) == 0
    assert run(["export", "webmap", "--db", db, "--out", str(tmp_path / "masked.html")]) == 0
    assert log_rows(db) == before
    assert run(["export", "targets", "--db", db, "--out", str(tmp_path / "全部电话.xlsx"), "--unmasked"]) == 0
    assert run(["export", "webmap", "--db", db, "--out", str(tmp_path / "map.html"), "--unmasked"]) == 0
    new = log_rows(db)[len(before) :]
    assert len(new) == 2
    (at1, user1, what1, n1, un1), (_, _, what2, n2, un2) = new
    assert user1 == current_user() and un1 and un2
    assert abs(dt.datetime.fromisoformat(str(at1)) - dt.datetime.now()) < dt.timedelta(minutes=5)
    assert "全部电话.xlsx" in what1 and "未隐藏" in what1 and n1 == demo_facts.targets
    assert "map.html" in what2 and n2 == demo_facts.households + demo_facts.enterprises
