"""Schema migrations and bulk loads on both backends (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from gisplanner.store.database import Store, StoreError, bulk_insert, head_revision, resolve_url
from gisplanner.store.model import Area, Household, Problem, ProblemEvent, Target


def test_upgrade_from_empty_creates_every_table(backend_store):
    store = backend_store
    assert store.current_revision() == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "area",
        "target",
        "visit",
        "problem",
        "problem_event",
        "round",
        "team",
        "alembic_version",
    } <= tables
    # opening again is a no-op at head
    again = Store.open(store.engine.url.render_as_string(hide_password=False))
    assert again.current_revision() == head_revision()
    again.close()


def test_problem_events_are_append_only_in_the_database(two_towns):
    store, ids = two_towns
    with pytest.raises((IntegrityError, DBAPIError), match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(
                text("UPDATE problem_event SET note = 'changed' WHERE problem_id = :p"),
                {"p": ids["problem_A"]},
            )
    with pytest.raises((IntegrityError, DBAPIError), match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM problem_event"))
    with store.session() as s:
        assert s.scalar(select(ProblemEvent.note).where(ProblemEvent.problem_id == ids["problem_A"])) is None


def test_newer_unknown_revision_is_refused_with_a_clear_message(backend_url):
    store = Store.open(backend_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    with pytest.raises(StoreError, match="9999_future") as err:
        Store.open(backend_url)
    assert "比本程序新" in str(err.value) and "升级" in str(err.value)
    # nothing was changed by the refused open
    raw = Store.open(backend_url, upgrade=False)
    assert raw.current_revision() == "9999_future"
    raw.close()


def test_plain_postgresql_urls_use_psycopg3():
    assert resolve_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_bulk_insert_round_trips_values_and_fills_defaults(two_towns):
    store, ids = two_towns
    n = 5
    df = pd.DataFrame(
        {
            "id": np.arange(1000, 1000 + n),
            "kind": "household",
            "name": ["王\t建国", "张\n秀兰", "back\\slash", "引号\"'", ""],
            "lon": np.linspace(120.0, 120.004, n),
            "lat": 31.405,
            "area_id": ids["A1"],
            "members": pd.array([3, None, 1, 2, None], dtype="Int64").astype("float"),  # ints with gaps
            "elderly_alone": [True, False, True, False, False],
            "phone": [None, "13900001111", np.nan, None, "13900002222"],
            "created_at": pd.Timestamp("2026-09-01 08:30:00"),
        }
    )
    with store.engine.begin() as conn:
        assert bulk_insert(conn, "target", df) == n
    got = store.read_frame(
        "SELECT id, name, members, elderly_alone, disabled, phone, created_at, version FROM target "
        "WHERE id >= 1000 ORDER BY id"
    )
    assert got["name"].tolist() == ["王\t建国", "张\n秀兰", "back\\slash", "引号\"'", ""]
    assert [None if pd.isna(m) else int(m) for m in got["members"]] == [3, None, 1, 2, None]
    assert got["elderly_alone"].astype(bool).tolist() == [True, False, True, False, False]
    assert not got["disabled"].astype(bool).any()  # default filled
    assert got["version"].tolist() == [1] * n  # default filled
    assert got["phone"].tolist()[1] == "13900001111" and got["phone"].isna().tolist() == [
        True,
        False,
        True,
        True,
        False,
    ]
    assert pd.to_datetime(got["created_at"]).eq(pd.Timestamp("2026-09-01 08:30:00")).all()
    # the id sequence moved past the loaded ids: the next ORM insert does not collide
    with store.session() as s:
        h = Household(name="新住户", area_id=ids["A1"], lon=120.001, lat=31.405)
        s.add(h)
        s.flush()
        assert h.id > 1000 + n - 1


def test_bulk_insert_is_all_or_nothing(two_towns):
    store, ids = two_towns
    with store.session() as s:
        before = s.scalar(select(Target.id).order_by(Target.id.desc()).limit(1))
    bad = pd.DataFrame(
        {
            "id": [2000, 2001],
            "kind": "household",
            "name": ["甲", None],
            "lon": 120.0,
            "lat": 31.4,
            "area_id": ids["A1"],
        }
    )
    with pytest.raises((IntegrityError, DBAPIError)):
        with store.engine.begin() as conn:
            bulk_insert(conn, "target", bad)  # name is NOT NULL: the second row fails
    with store.session() as s:
        assert s.scalar(select(Target.id).order_by(Target.id.desc()).limit(1)) == before
        assert s.get(Target, 2000) is None


def test_demo_on_the_backend_then_edit_through_the_orm(backend_store):
    from gisplanner.demo import build_demo

    counts = build_demo(backend_store, households=3_000, seed=3)
    assert counts["households"] == 3_000 and counts["problems"] > 0
    with backend_store.session() as s:
        village = s.scalar(select(Area.id).where(Area.level == "village").limit(1))
        h = Household(name="新迁入户", area_id=village, lon=120.03, lat=31.49)
        s.add(h)
        s.flush()
        p = Problem(target_id=h.id, category="housing", description="房屋漏雨")
        s.add(p)
        s.flush()
        s.add(
            ProblemEvent(
                problem_id=p.id, actor="测试", action="create", to_status="open", at=dt.datetime(2026, 11, 1)
            )
        )
    assert backend_store.counts()["households"] == 3_001


def test_many_clients_opening_a_new_database_at_once(backend_url):
    """After installing a new version, every office's client opens the shared database at once."""
    import subprocess
    import sys

    code = "import sys; from gisplanner.store.database import Store; print(Store.open(sys.argv[1]).current_revision())"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, backend_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 3, [err[-600:] for _out, err in results]
    assert [out.strip() for out, _err in results] == [head_revision()] * 3
