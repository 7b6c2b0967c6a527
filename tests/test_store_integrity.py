"""What an interrupted write or a foreign file must not do to a SQLite database (issue 15, item 5):
DDL rolls back with the transaction, missing indexes come back on open, and a SQLite file that is
not ours is refused before anything is created inside it."""

from __future__ import annotations

import sqlite3

import pytest

from gisplanner.progress import Cancelled
from gisplanner.store.database import Store, StoreError
from gisplanner.store.model import Target


def index_names(db) -> set[str]:
    with sqlite3.connect(db) as c:
        return {
            r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'ix_%'")
        }


def test_index_drop_rolls_back_with_the_transaction(empty_store):
    db = empty_store.sqlite_path
    before = index_names(db)
    assert "ix_target_area_id" in before
    with pytest.raises(RuntimeError), empty_store.engine.begin() as conn:
        conn.exec_driver_sql("SELECT COUNT(*) FROM target").all()  # reads first, as importers do
        for ix in Target.__table__.indexes:
            if not ix.unique:
                ix.drop(conn)
        raise RuntimeError("killed")
    assert index_names(db) == before


def test_cancelled_bulk_roster_import_keeps_the_indexes(demo_store_copy, monkeypatch, tmp_path):
    import numpy as np
    import pandas as pd

    from gisplanner.io import roster_import
    from gisplanner.io.readers import RawTable

    db = demo_store_copy.sqlite_path
    before = index_names(db)
    monkeypatch.setattr(roster_import, "BULK_ROWS", 10)  # the index-rebuild path, without 20,000 rows
    v = demo_store_copy.areas_gdf(level="village").geometry.iloc[0].representative_point()
    header = ["户号", "户主", "经度", "纬度"]
    frame = pd.DataFrame(
        [[f"X{i}", f"测试{i}", str(v.x), str(v.y)] for i in range(40)], columns=header, dtype=object
    )
    table = RawTable(tmp_path / "x.xlsx", header, frame, np.arange(2, 42))
    preview = roster_import.preview_roster(demo_store_copy, table.path, "households", table=table)
    assert preview.good_count == 40
    with pytest.raises(Cancelled):
        roster_import.import_roster(demo_store_copy, preview, progress=lambda f, m: f < 0.5)
    assert index_names(db) == before
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM target WHERE ext_id LIKE 'X%'").fetchone()[0] == 0


def test_missing_indexes_are_rebuilt_on_open(demo_store_copy):
    db = demo_store_copy.sqlite_path
    before = index_names(db)
    demo_store_copy.close()
    with sqlite3.connect(db) as c:  # a database damaged by an older version
        c.execute("DROP INDEX ix_target_area_id")
        c.execute("DROP INDEX ix_target_kind")
    Store.open(db).close()
    assert index_names(db) == before


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE target (id INTEGER PRIMARY KEY, what TEXT)")
        c.execute("INSERT INTO target (what) VALUES ('not ours')")
    with pytest.raises(StoreError) as e:
        Store.open(db)
    assert "other.sqlite" in str(e.value) and "gisplanner" in str(e.value)
    with sqlite3.connect(db) as c:
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"target"}


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_bytes(b"this is a text file, not a database" * 100)
    with pytest.raises(StoreError) as e:
        Store.open(bad)
    assert "notes.sqlite" in str(e.value)
    assert bad.read_bytes().startswith(b"this is a text file")


def test_a_failed_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    from alembic import command

    real = command.upgrade

    def upgrade_then_fail(cfg, rev):
        real(cfg, rev)  # every table created …
        raise RuntimeError("power cut")  # … and then the process dies before the commit

    monkeypatch.setattr(command, "upgrade", upgrade_then_fail)
    db = tmp_path / "new.sqlite"
    with pytest.raises(RuntimeError):
        Store.open(db)
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT name FROM sqlite_master").fetchall() == []
    monkeypatch.setattr(command, "upgrade", real)
    Store.open(db).close()  # and the next open migrates normally
