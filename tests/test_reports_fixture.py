"""A small hand-made plan (teams, sessions, routes with stops) written as plain rows.

The printouts only need what `plan` writes (Route/RouteStop); this builds the same rows without
the solver so the printing tests and bench/print_bench.py do not depend on routing.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import select, update

from gisplanner.store.model import (
    Area,
    Assignment,
    Cadre,
    Household,
    Round,
    Route,
    RouteStop,
    Team,
    TeamMember,
    VisitSession,
)

WALK_M_PER_MIN = 70.0


def write_plan(
    store, round_name: str | None = None, *, teams: int = 3, sessions: int = 2, stops: int = 8
) -> dict:
    """Teams of two based at village offices, each with one route per session of `stops` households.

    Stops are the households nearest the office, in nearest-neighbour order; ETAs add walking
    time (70 m/min) and 20 minutes per visit. Returns {"round": id, "routes": [id, ...]}.
    """
    with store.session() as s:
        q = select(Round).order_by(Round.id.desc())
        rnd = s.scalars(q.where(Round.name == round_name) if round_name else q).first()
        villages = s.scalars(select(Area).where(Area.level == "village").order_by(Area.code)).all()
        cadres = s.scalars(select(Cadre).order_by(Cadre.id)).all()
        sess = s.scalars(
            select(VisitSession).where(VisitSession.round_id == rnd.id).order_by(VisitSession.start)
        ).all()[:sessions]
        route_ids = []
        used: set[int] = set()
        for t in range(teams):
            village = villages[t % len(villages)]
            team = Team(round_id=rnd.id, name=f"测试第{t + 1}组", office_area_id=village.id,
                        phone="051988001234" if t == 0 else None)  # fmt: skip
            team.members = [
                TeamMember(cadre_id=cadres[(2 * t) % len(cadres)].id, role="leader"),
                TeamMember(cadre_id=cadres[(2 * t + 1) % len(cadres)].id, role="member"),
            ]
            s.add(team)
            s.flush()
            homes = s.scalars(
                select(Household).where(Household.area_id == village.id).order_by(Household.id)
            ).all()
            ox, oy = village.office_lon, village.office_lat
            for k, session in enumerate(sess):
                pool = [h for h in homes if h.id not in used]
                order, cur = [], (ox, oy)
                while pool and len(order) < stops:
                    nxt = min(pool, key=lambda h, c=cur: _metres(c, (h.lon, h.lat)))
                    pool.remove(nxt)
                    order.append(nxt)
                    cur = (nxt.lon, nxt.lat)
                used.update(h.id for h in order)
                route = Route(round_id=rnd.id, team_id=team.id, session_id=session.id)
                clock, cur, walked = session.start, (ox, oy), 0.0
                for seq, h in enumerate(order, start=1):
                    minutes = _metres(cur, (h.lon, h.lat)) / WALK_M_PER_MIN
                    walked += minutes
                    clock += dt.timedelta(minutes=minutes)
                    route.stops.append(
                        RouteStop(
                            seq=seq,
                            target_id=h.id,
                            eta=clock,
                            window_start=session.start,
                            window_end=session.end,
                            service_minutes=20,
                            code=f"{chr(65 + t % 26)}{k + 1}{seq:02d}",
                        )  # fmt: skip
                    )
                    clock += dt.timedelta(minutes=20)
                    cur = (h.lon, h.lat)
                route.walking_minutes = walked
                s.add(route)
                s.flush()
                route_ids.append(route.id)
                s.execute(
                    update(Assignment)
                    .where(Assignment.round_id == rnd.id, Assignment.target_id.in_([h.id for h in order]))
                    .values(team_id=team.id)
                )
        return {"round": rnd.id, "routes": route_ids}


def _metres(a, b) -> float:
    dx = (b[0] - a[0]) * 111_320 * math.cos(math.radians(a[1]))
    dy = (b[1] - a[1]) * 110_540
    return math.hypot(dx, dy)


def test_write_plan_gives_each_team_ordered_routes(demo_store_copy):
    plan = write_plan(demo_store_copy, teams=2, sessions=2, stops=5)
    assert len(plan["routes"]) == 4
    with demo_store_copy.session() as s:
        for rid in plan["routes"]:
            stops = s.get(Route, rid).stops
            assert [st.seq for st in stops] == [1, 2, 3, 4, 5]
            etas = [st.eta for st in stops]
            assert etas == sorted(etas)
            assert len({st.code for st in stops}) == 5


@pytest.fixture(scope="module")
def planned_db(demo_db_path, tmp_path_factory):
    """A private copy of the demo database with a 3-team, 2-session, 6-stop plan (per test module).

    Tests that print from it only add print-log rows; tests that change data use their own copy.
    """
    import sqlite3

    from gisplanner.store.database import Store

    dest = tmp_path_factory.mktemp("planned") / "planned.sqlite"
    with sqlite3.connect(demo_db_path) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    store = Store.open(dest)
    plan = write_plan(store, teams=3, sessions=2, stops=6)
    store.close()
    return dest, plan
