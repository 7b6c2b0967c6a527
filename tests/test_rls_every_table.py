"""PostgreSQL row-level security covers every table with town data: a role bound to town A reads,
changes and creates nothing of town B in any table (issue 15, item 7). The role is granted every
privilege on every table first, so only the policies stand in its way."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gisplanner.store import pg
from gisplanner.store.model import (
    Assignment,
    Base,
    Cadre,
    Household,
    PrintLog,
    Problem,
    ProblemEvent,
    Road,
    Round,
    Route,
    RouteStop,
    Setting,
    Team,
    TeamMember,
    Unit,
    Visit,
    VisitSession,
)

pytestmark = pytest.mark.postgres
T0 = dt.datetime(2026, 11, 7, 19, 0)


def town_rows(s, town: str, area_id: int, village_id: int, target_id: int, user: str) -> dict[str, int]:
    unit = Unit(name=f"{town}镇综治办", level="town", area_id=area_id, phone="051912345678")
    cadre = Cadre(name=f"{town}干部", gender="M", birth_year=1980, area_id=area_id, phone="13900001111")
    rnd = Round(name=f"{town}镇冬季走访", scope_area_id=area_id)
    s.add_all([unit, cadre, rnd])
    s.flush()
    sess = VisitSession(round_id=rnd.id, start=T0, end=T0 + dt.timedelta(hours=2))
    team = Team(round_id=rnd.id, name=f"{town}一组", office_area_id=village_id)
    s.add_all([sess, team])
    s.flush()
    member = TeamMember(team_id=team.id, cadre_id=cadre.id)
    asg = Assignment(round_id=rnd.id, target_id=target_id, team_id=team.id)
    route = Route(round_id=rnd.id, team_id=team.id, session_id=sess.id)
    road = Road(name=f"{town}路", geometry=b"\x00", area_id=area_id)
    log = PrintLog(user=user, what=f"{town}镇路线单", pages=3)
    s.add_all([member, asg, route, road, log])
    s.flush()
    stop = RouteStop(route_id=route.id, seq=1, target_id=target_id, eta=T0)
    s.add(stop)
    s.flush()
    return {
        "unit": unit.id, "cadre": cadre.id, "round": rnd.id, "visit_session": sess.id, "team": team.id,
        "team_member": member.id, "assignment": asg.id, "route": route.id, "route_stop": stop.id,
        "road": road.id, "print_log": log.id,
    }  # fmt: skip


@contextlib.contextmanager
def as_role(store, role):
    with store.engine.connect() as conn:
        conn.execute(text(f"SET LOCAL ROLE {role}"))
        try:
            yield conn
        finally:
            conn.rollback()


def test_a_town_role_reads_and_writes_nothing_of_another_town(two_towns, backend):
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    store, ids = two_towns
    role = f"gp_rls_{uuid.uuid4().hex[:8]}"
    other = f"gp_rls_{uuid.uuid4().hex[:8]}"
    pg.enable_row_level_security(store.engine)
    pg.grant_official(store.engine, role, ids["A"], create=True)
    pg.grant_official(store.engine, other, ids["B"], create=True)
    with store.session() as s:
        mine = town_rows(s, "A", ids["A"], ids["A1"], ids["targets_A"][0], role)
        theirs = town_rows(s, "B", ids["B"], ids["B1"], ids["targets_B"][0], other)
        s.add(Setting(key="import:households", value="{}"))
    with store.session() as s:
        event_b = s.query(ProblemEvent.id).filter(ProblemEvent.problem_id == ids["problem_B"]).scalar()
        visit_b = s.query(Visit.id).filter(Visit.target_id == ids["targets_B"][0]).scalar()
    theirs |= {
        "area": ids["B1"], "target": ids["targets_B"][0], "problem": ids["problem_B"],
        "problem_event": event_b, "visit": visit_b,
    }  # fmt: skip
    with store.engine.begin() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
        conn.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {role}"))
        conn.execute(text(f"GRANT {role} TO CURRENT_USER"))
        conn.execute(text(f"GRANT {other} TO CURRENT_USER"))
    try:
        # every table of the schema has a policy (a new table without one fails here)
        assert set(Base.metadata.tables) <= set(pg.RLS_TABLES)
        for table, key in theirs.items():
            with as_role(store, role) as conn:
                seen = set(conn.scalars(text(f"SELECT id FROM {table}")).all())
                assert key not in seen, table
                assert (
                    conn.execute(text(f"UPDATE {table} SET id = id WHERE id = :k"), {"k": key}).rowcount == 0
                )
                if table != "problem_event":  # append-only anyway
                    assert (
                        conn.execute(text(f"DELETE FROM {table} WHERE id = :k"), {"k": key}).rowcount == 0
                    ), table
        with as_role(store, role) as conn:  # the role's own town is all there
            for table, key in mine.items():
                assert key in set(conn.scalars(text(f"SELECT id FROM {table}")).all()), table
            keys = set(conn.scalars(text("SELECT key FROM setting")).all())
            assert f"scope:{role}" in keys and f"scope:{other}" not in keys and "import:households" in keys
            phones = set(conn.scalars(text("SELECT phone FROM cadre")).all())
            assert phones == {"13900001111"} and len(conn.scalars(text("SELECT id FROM cadre")).all()) == 1
            assert (
                conn.execute(text("DELETE FROM setting WHERE key = :k"), {"k": f"scope:{role}"}).rowcount == 0
            )
        # nothing may be created in town B, nor hung onto B's rows
        attempts = {
            "problem_event": lambda: ProblemEvent(problem_id=ids["problem_B"], actor="x", action="note"),
            "visit": lambda: Visit(target_id=ids["targets_B"][0], visited_at=T0, outcome="met"),
            "problem": lambda: Problem(target_id=ids["targets_B"][0], category="other", description="x"),
            "target": lambda: Household(name="外镇", area_id=ids["B1"], lon=120.1, lat=31.4),
            "cadre": lambda: Cadre(name="外镇", gender="F", birth_year=1990, area_id=ids["B"]),
            "round": lambda: Round(name="外镇", scope_area_id=ids["B"]),
            "team": lambda: Team(round_id=theirs["round"], name="外镇"),
            "visit_session": lambda: VisitSession(round_id=theirs["round"], start=T0, end=T0),
            "team_member": lambda: TeamMember(team_id=mine["team"], cadre_id=theirs["cadre"]),
            "assignment": lambda: Assignment(round_id=mine["round"], target_id=ids["targets_B"][0]),
            "route": lambda: Route(round_id=theirs["round"], team_id=theirs["team"], session_id=theirs["visit_session"]),
            "route_stop": lambda: RouteStop(route_id=mine["route"], seq=2, target_id=ids["targets_B"][0], eta=T0),
            "road": lambda: Road(geometry=b"\x00", area_id=ids["B"]),
            "unit": lambda: Unit(name="外镇单位", level="town", area_id=ids["B"]),
            "setting": lambda: Setting(key=f"scope:{role}x", value=str(ids["district"])),
        }  # fmt: skip
        for make in attempts.values():
            with as_role(store, role) as conn:
                s = Session(bind=conn)
                s.add(make())
                with pytest.raises(DBAPIError, match="row-level security"):
                    s.flush()
                s.close()
        # and the role's own town stays writable
        with as_role(store, role) as conn:
            s = Session(bind=conn)
            s.add(ProblemEvent(problem_id=ids["problem_A"], actor="x", action="note"))
            s.add(RouteStop(route_id=mine["route"], seq=2, target_id=ids["targets_A"][1], eta=T0))
            s.flush()
            s.close()
        # a cycle in the area tree (written past the app, e.g. by an old version) must not hang
        # every query of the role: the scope functions stop at areas already seen
        with store.engine.begin() as conn:
            conn.execute(
                text("UPDATE area SET parent_id = :v WHERE id = :t"), {"v": ids["A1"], "t": ids["A"]}
            )
        with as_role(store, role) as conn:
            conn.execute(text("SET LOCAL statement_timeout = '10s'"))
            assert conn.scalar(text("SELECT count(*) FROM problem")) == 1
        with store.engine.begin() as conn:
            conn.execute(
                text("UPDATE area SET parent_id = :d WHERE id = :t"), {"d": ids["district"], "t": ids["A"]}
            )
    finally:
        with store.engine.begin() as conn:
            for r in (role, other):
                conn.execute(text(f"DROP OWNED BY {r}"))
                conn.execute(text(f"DROP ROLE {r}"))
        pg.disable_row_level_security(store.engine)
