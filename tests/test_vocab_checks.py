"""One vocabulary: outcomes, statuses and kinds are enums, guarded by CHECK constraints on both
backends (migration 0008_checks), refused by the ORM when set, never counted when unknown."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from test_results_entry import _write, sheet  # noqa: F401  (the route-sheet fixture)

from gisplanner.campaign import coverage as cov
from gisplanner.store.database import Store, StoreError, _alembic_config, head_revision
from gisplanner.store.model import Base, Household, Problem, Round, Visit, VisitSession
from gisplanner.store.vocab import (
    Outcome,
    ProblemStatus,
    RoundKind,
    RoundStatus,
    SessionKind,
    TargetKind,
    UnknownValueError,
    outcome_code,
)

GUARDED = {
    ("visit", "ck_visit_outcome"): Outcome,
    ("problem", "ck_problem_status"): ProblemStatus,
    ("round", "ck_round_kind"): RoundKind,
    ("round", "ck_round_status"): RoundStatus,
    ("target", "ck_target_kind"): TargetKind,
    ("visit_session", "ck_visit_session_kind"): SessionKind,
}


def test_enum_values_are_the_stored_strings_with_one_label_each():
    assert Outcome.MET == "met" and Outcome("phone") is Outcome.PHONE
    assert [o.value for o in Outcome] == ["met", "not_home", "refused", "moved", "phone"]
    assert Outcome.NOT_HOME.zh == "不在家" and ProblemStatus.RECTIFICATION.zh == "纳入集中整治"
    assert outcome_code("phone") == 4
    with pytest.raises(UnknownValueError, match="'phoned'"):
        outcome_code("phoned")


def test_migrated_database_has_the_orm_check_constraints(backend_store):
    """A database made by the migrations carries the same CHECKs as the ORM (create_all)."""
    insp = inspect(backend_store.engine)
    for (table, name), enum_cls in GUARDED.items():
        checks = {c["name"]: c["sqltext"] for c in insp.get_check_constraints(table)}
        assert name in checks, (table, checks)
        for v in enum_cls:
            assert f"'{v.value}'" in checks[name]
        orm = {
            c.name
            for c in Base.metadata.tables[table].constraints
            if c.__class__.__name__ == "CheckConstraint"
        }
        assert name in orm


def test_the_database_refuses_an_unknown_outcome_and_status(two_towns):
    store, ids = two_towns
    with pytest.raises((IntegrityError, DBAPIError)):
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO visit (target_id, visited_at, outcome, planned, created_at) "
                    "VALUES (:t, :w, 'phoned', true, :w)"
                ),
                {"t": ids["targets_A"][0], "w": dt.datetime(2026, 11, 2, 19)},
            )
    with pytest.raises((IntegrityError, DBAPIError)):
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE problem SET status = 'done' WHERE id = :p"), {"p": ids["problem_A"]})
    with store.session() as s:
        assert (
            s.scalar(select(Problem.status).where(Problem.id == ids["problem_A"])) in ProblemStatus.values()
        )
        assert "phoned" not in set(s.scalars(select(Visit.outcome)))


def test_the_orm_refuses_an_unknown_value_when_it_is_set(two_towns):
    store, ids = two_towns
    with store.session() as s:
        with pytest.raises(UnknownValueError, match="visit.outcome.*'phoned'"):
            Visit(target_id=ids["targets_A"][0], visited_at=dt.datetime(2026, 11, 2), outcome="phoned")
        with pytest.raises(UnknownValueError, match="problem.status"):
            s.get(Problem, ids["problem_A"]).status = "done"
        with pytest.raises(UnknownValueError, match="round.kind"):
            Round(name="x", kind="special")
        with pytest.raises(UnknownValueError, match="visit_session.kind"):
            VisitSession(
                round_id=1, start=dt.datetime(2026, 1, 1, 19), end=dt.datetime(2026, 1, 1, 21), kind="night"
            )
        # a member or its string is stored as the plain string
        v = Visit(target_id=ids["targets_A"][0], visited_at=dt.datetime(2026, 11, 2), outcome=Outcome.PHONE)
        assert v.outcome == "phone" and type(v.outcome) is str
        s.rollback()


def test_coverage_refuses_an_unknown_outcome_instead_of_counting_it_as_a_visit():
    areas = pd.DataFrame(
        {"id": [1], "code": ["1"], "name": ["村"], "level": ["village"], "parent_id": [None]}
    )
    targets = pd.DataFrame(
        {"id": [10, 11], "area_id": [1, 1], "kind": ["household"] * 2, "special": [False] * 2}
    )
    problems = pd.DataFrame({"target_id": pd.Series([], dtype="int64"), "status": [], "deadline": []})
    good = pd.DataFrame({"target_id": [10], "outcome": ["phone"]})
    c = cov.compute(cov.CoverageInputs(areas, targets, good, problems))
    assert int(c.areas.loc[1, "visited"]) == 1 and int(c.areas.loc[1, "phone"]) == 1
    bad = pd.DataFrame({"target_id": [10, 11], "outcome": ["phone", "phoned"]})
    with pytest.raises(UnknownValueError, match="'phoned'"):
        cov.compute(cov.CoverageInputs(areas, targets, bad, problems))


# -- the migration on an existing database ---------------------------------------------------------
def _database_at_0007(path) -> str:
    """A SQLite file migrated to 0007_offices (the revision before the constraints)."""
    from alembic import command

    url = f"sqlite:///{path}"
    store = Store.open(url, upgrade=False)
    cfg = _alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007_offices")
    store.close()
    return url


def test_upgrade_keeps_rows_indexes_triggers_and_cascades_nothing(tmp_path):
    path = tmp_path / "old.sqlite"
    url = _database_at_0007(path)
    db = sqlite3.connect(path)
    db.executescript(
        """
        INSERT INTO area (id, code, name, level, urban, derived, version) VALUES (1, '1', '村', 'village', 0, 0, 1);
        INSERT INTO target (id, kind, name, lon, lat, area_id, created_at, version, elderly_alone, disabled,
            hardship, away_business, ex_serviceman, new_resident, key_enterprise)
            VALUES (1, 'household', '王', 120, 31, 1, '2026-01-01', 1, 0, 0, 0, 0, 0, 0, 0);
        INSERT INTO round (id, name, kind, status, created_at, version) VALUES (1, '第一轮', 'regular', 'running', '2026-01-01', 1);
        INSERT INTO visit_session (id, round_id, start, "end", holiday, kind)
            VALUES (1, 1, '2026-01-02 19:00:00', '2026-01-02 21:00:00', 0, 'evening');
        INSERT INTO team (id, round_id, name, version) VALUES (1, 1, '一组', 1);
        INSERT INTO session_team (session_id, team_id) VALUES (1, 1);
        INSERT INTO assignment (id, round_id, target_id, team_id, priority) VALUES (1, 1, 1, 1, 0);
        INSERT INTO route (id, round_id, team_id, session_id, walking_minutes, created_at) VALUES (1, 1, 1, 1, 3, '2026-01-01');
        INSERT INTO visit (id, round_id, target_id, team_id, visited_at, outcome, planned, created_at)
            VALUES (1, 1, 1, 1, '2026-01-02 19:30:00', 'met', 1, '2026-01-02');
        INSERT INTO problem (id, target_id, visit_id, round_id, category, description, handling, level, status,
            solved_on_spot, escalations, created_at, version)
            VALUES (1, 1, 1, 1, 'other', '路灯坏了', 'self', 'village', 'open', 0, 0, '2026-01-02', 1);
        INSERT INTO problem_event (problem_id, at, actor, action, to_status) VALUES (1, '2026-01-02', '甲', 'create', 'open');
        """
    )
    db.commit()
    tables = (
        "round",
        "visit_session",
        "team",
        "session_team",
        "assignment",
        "route",
        "visit",
        "problem",
        "problem_event",
    )
    before = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()

    store = Store.open(url)  # upgrades to head
    assert store.current_revision() == head_revision()
    store.close()
    db = sqlite3.connect(path)
    assert {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables} == before
    assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")} >= indexes
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert triggers == {"problem_event_no_update", "problem_event_no_delete"}
    schema = "\n".join(r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    for name in ("ck_visit_outcome", "ck_problem_status", "ck_round_kind", "ck_round_status", "ck_target_kind",
                 "ck_visit_session_kind", "ck_visit_session_times"):  # fmt: skip
        assert f"CONSTRAINT {name} CHECK" in schema
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()
    # foreign keys are back on for the program's connections: deleting a round cascades again
    store = Store.open(url)
    with store.engine.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_upgrade_refuses_unknown_stored_values_and_changes_nothing(tmp_path):
    path = tmp_path / "bad.sqlite"
    url = _database_at_0007(path)
    db = sqlite3.connect(path)
    db.executescript(
        """
        INSERT INTO area (id, code, name, level, urban, derived, version) VALUES (1, '1', '村', 'village', 0, 0, 1);
        INSERT INTO target (id, kind, name, lon, lat, area_id, created_at, version, elderly_alone, disabled,
            hardship, away_business, ex_serviceman, new_resident, key_enterprise)
            VALUES (1, 'household', '王', 120, 31, 1, '2026-01-01', 1, 0, 0, 0, 0, 0, 0, 0);
        INSERT INTO visit (id, target_id, visited_at, outcome, planned, created_at)
            VALUES (1, 1, '2026-01-02 19:30:00', 'phoned', 1, '2026-01-02');
        """
    )
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=r"visit\.outcome = 'phoned'：1 行"):
        Store.open(url)
    raw = Store.open(url, upgrade=False)
    assert raw.current_revision() == "0007_offices"
    with raw.engine.connect() as conn:
        assert (
            "ck_visit_outcome"
            not in conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'visit'").scalar()
        )
    raw.close()


def test_household_is_refused_by_the_database_with_an_unknown_kind(two_towns):
    store, ids = two_towns
    with store.session() as s:
        h = s.get(Household, ids["targets_A"][0])
        assert h.kind == TargetKind.HOUSEHOLD
    with pytest.raises((IntegrityError, DBAPIError)):
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE target SET kind = 'shop' WHERE id = :t"), {"t": ids["targets_A"][0]})


# -- the results importer: an unknown outcome is refused at the boundary ---------------------------
def test_results_import_refuses_an_unknown_outcome_naming_file_row_and_field(sheet, tmp_path, capsys):  # noqa: F811
    import json

    from gisplanner import cli

    path = _write(tmp_path / "回收.xlsx", [
        [1, "A001", "户主1", "见面", "", "", "", ""],
        [2, "A002", "户主2", "phoned", "", "", "", ""],  # row 4: no such outcome
    ])  # fmt: skip
    url = sheet.engine.url.render_as_string(hide_password=False)
    code = cli.run(
        ["results", "import", str(path), "--route", str(sheet.ids["route"]), "--json", "--db", url]
    )
    assert code == 2
    captured = capsys.readouterr()
    errors = json.loads(captured.out)["errors"]
    assert {"row": 4, "field": "走访结果"}.items() <= next(e for e in errors if e["row"] == 4).items()
    assert "phoned" in captured.err and "回收.xlsx" in captured.err
    with sheet.session() as s:  # nothing half-written: not even the good first row
        assert s.scalar(select(func.count()).select_from(Visit)) == 0
