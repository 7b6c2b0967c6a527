"""Planning a round end to end on the demo town: DB -> schedule -> routing -> DB.

A small round (one village, two teams) keeps the solver fast; every stored route is then
re-checked from the database rows alone.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select, update

from gisplanner.planning.plan import PlanConfig, PlanInputError, plan_round, quick_teams
from gisplanner.progress import Cancelled
from gisplanner.store.model import (
    Area,
    Assignment,
    Round,
    RouteStop,
    Target,
    Team,
    Visit,
    VisitSession,
)
from gisplanner.store.model import Route as RouteRow

ROOT = Path(__file__).resolve().parent.parent


def small_round(store, n_targets=70, teams=2, kind="regular") -> int:
    """A new round over the first n households of one village plus its enterprises, with six of
    the demo's next-round sessions (no working hours)."""
    with store.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village", Area.office_lon.is_not(None))).first()
        hh = s.scalars(
            select(Target.id)
            .where(Target.area_id == village.id, Target.kind == "household")
            .order_by(Target.id)
        ).all()[:n_targets]
        ent = s.scalars(
            select(Target.id).where(Target.area_id == village.id, Target.kind == "enterprise")
        ).all()[:2]
        demo_next = s.scalars(select(Round).where(Round.status == "planning")).first()
        r = Round(name="测试小轮次", kind=kind, status="planning", scope_area_id=village.id)
        s.add(r)
        s.flush()
        # its first five days without working hours: Sat/Sun mornings and afternoons, Mon and Wed evenings
        for v in demo_next.sessions:
            if (
                v.kind != "workday"
                and v.start.date() <= dt.date(2026, 12, 9)
                and v.start.weekday() in (0, 2, 5, 6)
            ):
                s.add(VisitSession(round_id=r.id, label=v.label, start=v.start, end=v.end, holiday=v.holiday,
                                   kind=v.kind))  # fmt: skip
        for tid in list(hh) + list(ent):
            s.add(Assignment(round_id=r.id, target_id=tid, team_id=None, priority=0))
        rid = r.id
    quick_teams(store, rid, teams)
    return rid


def check_stored_routes(store, round_id):
    """Independent check from the stored rows: order, windows, sessions."""
    with store.session() as s:
        routes = s.scalars(select(RouteRow).where(RouteRow.round_id == round_id)).all()
        assert routes
        for r in routes:
            ses = s.get(VisitSession, r.session_id)
            stops = sorted(r.stops, key=lambda x: x.seq)
            assert [x.seq for x in stops] == list(range(1, len(stops) + 1))
            prev_end = ses.start
            for x in stops:
                assert x.window_start <= x.eta <= x.window_end, "visit starts outside its window"
                assert x.eta >= prev_end, "visit starts before the previous one ended"
                prev_end = x.eta + dt.timedelta(minutes=x.service_minutes)
            assert prev_end <= ses.end, "last visit ends after the session"
        return routes


@pytest.fixture
def planned(demo_store_copy):
    rid = small_round(demo_store_copy)
    res = plan_round(demo_store_copy, rid, PlanConfig(time_limit=3, workers=1))
    return demo_store_copy, rid, res


def test_plan_is_valid_and_stored(planned):
    store, rid, res = planned
    assert res.violations == []
    assert res.saved
    routes = check_stored_routes(store, rid)
    assert sum(len(r.stops) for r in routes) == res.scheduled > 20
    # every assigned target is either on a route or reported, exactly once
    on_route = [st.target_id for r in res.routes for st in r.stops]
    reported = [u.target_id for u in res.unscheduled]
    assert len(set(on_route)) == len(on_route)
    assert sorted(on_route + reported) == sorted(set(on_route) | set(reported))
    assert len(on_route) + len(reported) == res.targets
    # routes start and end at the team's office: the first visit needs walking time from it
    assert all(r.walking_minutes > 0 for r in res.routes)


def test_enterprise_without_working_hours_sessions_has_no_window(planned):
    store, rid, res = planned
    with store.session() as s:
        ents = set(s.scalars(select(Target.id).where(Target.kind == "enterprise")).all())
    ent_reports = [u for u in res.unscheduled if u.target_id in ents]
    assert ent_reports and all(u.reason == "no_window" for u in ent_reports)
    assert all("企业" in u.detail for u in ent_reports)


def test_replanning_replaces_the_previous_plan(planned):
    store, rid, res = planned
    res2 = plan_round(store, rid, PlanConfig(time_limit=1, workers=1))
    with store.session() as s:
        n_routes = s.scalar(select(func.count()).select_from(RouteRow).where(RouteRow.round_id == rid))
        n_stops = s.scalar(
            select(func.count()).select_from(RouteStop).join(RouteRow).where(RouteRow.round_id == rid)
        )
    assert n_routes == len(res2.routes)
    assert n_stops == res2.scheduled


def test_priority_targets_kept_when_time_is_short(demo_store_copy):
    store = demo_store_copy
    rid = small_round(store, n_targets=120, teams=1)
    with store.session() as s:
        team = s.scalars(select(Team).where(Team.round_id == rid)).one()
        office = s.get(Area, team.office_area_id)
        rows = s.execute(
            select(Assignment.id, Target.id, Target.lon, Target.lat)
            .join(Target, Target.id == Assignment.target_id)
            .where(Assignment.round_id == rid, Target.kind == "household")
        ).all()
        # the 6 households farthest from the office become 回头访 priority targets
        d = [(r[2] - office.office_lon) ** 2 + (r[3] - office.office_lat) ** 2 for r in rows]
        far = [rows[i] for i in np.argsort(d)[-6:]]
        s.execute(update(Assignment).where(Assignment.id.in_([r[0] for r in far])).values(priority=2))
        prio = {r[1] for r in far}
    res = plan_round(store, rid, PlanConfig(time_limit=4, workers=1))
    assert res.violations == []
    visited = {st.target_id for r in res.routes for st in r.stops}
    assert len(visited) < 120  # capacity really is short
    assert prio <= visited
    assert res.priority_targets >= 6 and res.priority_scheduled >= 6


def test_repeatedly_not_home_household_is_moved_to_another_slot(demo_store_copy):
    store = demo_store_copy
    rid = small_round(store, n_targets=30, teams=1)
    with store.session() as s:
        team = s.scalars(select(Team).where(Team.round_id == rid)).one()
        tid = s.scalars(
            select(Target.id)
            .join(Assignment, Assignment.target_id == Target.id)
            .join(Area, Area.id == Target.area_id)
            .where(Assignment.round_id == rid, Target.kind == "household", Target.elderly_alone.is_(False))
            .where(Target.away_business.is_(False))
        ).first()
        s.execute(
            update(Assignment)
            .where(Assignment.round_id == rid, Assignment.target_id == tid)
            .values(priority=3)
        )
        s.query(Visit).filter(Visit.target_id == tid).delete()
        for day in (dt.date(2026, 10, 12), dt.date(2026, 10, 14), dt.date(2026, 10, 19)):  # Mon, Wed, Mon
            s.add(Visit(target_id=tid, team_id=None, visited_at=dt.datetime.combine(day, dt.time(19, 30)),
                        outcome="not_home", planned=True))  # fmt: skip
        assert team is not None
    res = plan_round(store, rid, PlanConfig(time_limit=2, workers=1))
    stop = next(st for r in res.routes for st in r.stops if st.target_id == tid)
    assert stop.start.weekday() >= 5, "still planned on a weekday evening"
    assert stop.note is not None and stop.note.startswith("上次周一19点不在家，改为周")


def test_round_without_teams_gives_a_clear_message(demo_store_copy):
    with demo_store_copy.session() as s:
        rid = s.scalars(select(Round.id).where(Round.status == "planning")).first()
    with pytest.raises(PlanInputError, match="组队"):
        plan_round(demo_store_copy, rid, PlanConfig(time_limit=1, workers=1))


def test_cancel_returns_without_saving(demo_store_copy):
    rid = small_round(demo_store_copy)
    with pytest.raises(Cancelled):
        plan_round(demo_store_copy, rid, PlanConfig(time_limit=20, workers=1), progress=lambda f, m: f < 0.2)
    with demo_store_copy.session() as s:
        assert s.scalar(select(func.count()).select_from(RouteRow).where(RouteRow.round_id == rid)) == 0


def test_cli_plan_json(demo_store_copy):
    rid = small_round(demo_store_copy, n_targets=40, teams=1)
    path = demo_store_copy.sqlite_path
    demo_store_copy.close()
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "plan", "--db", str(path), "--round", str(rid),
         "--time-limit", "3", "--workers", "1", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["routes"] and "unscheduled" in data
    r = data["routes"][0]
    assert {"team", "session", "start", "end", "stops"} <= set(r)
    st = r["stops"][0]
    assert {"target_id", "arrival", "window_start", "window_end", "service_minutes"} <= set(st)
    assert st["window_start"] <= st["arrival"] <= st["window_end"]
    dt.datetime.fromisoformat(r["start"])
    assert all(u["reason"] in ("no_window", "no_capacity", "too_far") for u in data["unscheduled"])


def test_cli_plan_without_teams(demo_store_copy):
    path = demo_store_copy.sqlite_path
    with demo_store_copy.session() as s:
        rid = s.scalars(select(Round.id).where(Round.status == "planning")).first()
    demo_store_copy.close()
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "plan", "--db", str(path), "--round", str(rid)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2
    assert "teams form" in out.stderr


def test_team_only_gets_sessions_all_members_can_do(demo_store_copy):
    from gisplanner.store.model import Cadre, TeamMember

    store = demo_store_copy
    rid = small_round(store, n_targets=40, teams=1)
    with store.session() as s:
        team = s.scalars(select(Team).where(Team.round_id == rid)).one()
        a, b = s.scalars(select(Cadre).order_by(Cadre.id).limit(2)).all()
        a.avail_weekend, a.avail_weekday_evening = True, True
        b.avail_weekend, b.avail_weekday_evening = False, True  # one member has no weekends
        s.add_all([TeamMember(team_id=team.id, cadre_id=a.id), TeamMember(team_id=team.id, cadre_id=b.id)])
    res = plan_round(store, rid, PlanConfig(time_limit=2, workers=1))
    assert res.routes and res.violations == []
    assert all(r.start.weekday() < 5 for r in res.routes)


def test_household_codes_are_unique_in_the_round(planned):
    """Results are typed back by the printed code: one code must mean one stop of the round."""
    store, rid, res = planned
    codes = store.read_frame(
        "SELECT s.code FROM route_stop s JOIN route r ON r.id = s.route_id WHERE r.round_id = :r", {"r": rid}
    )["code"]
    assert len(codes) == res.scheduled and codes.notna().all()
    assert codes.is_unique
