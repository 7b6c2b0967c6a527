"""约定回访时间: an appointment made at the door becomes that household's window next round."""

from __future__ import annotations

import datetime as dt

from gisplanner.campaign.appointments import apply_appointments, round_appointments
from gisplanner.campaign.schedule import SessionInfo, TargetInfo
from gisplanner.campaign.schedule import availability as plain_availability
from gisplanner.store.model import Area, Assignment, Household, Round, Visit, VisitSession

SAT = dt.datetime(2026, 12, 12, 9, 0)
SESSIONS = [
    SessionInfo(1, dt.datetime(2026, 12, 9, 19, 0), dt.datetime(2026, 12, 9, 21, 0), "工作日晚上"),
    SessionInfo(2, SAT, SAT.replace(hour=11, minute=30), "周末上午"),
    SessionInfo(3, SAT.replace(hour=14, minute=30), SAT.replace(hour=17, minute=30), "周末下午"),
    SessionInfo(4, dt.datetime(2026, 12, 19, 9, 0), dt.datetime(2026, 12, 19, 11, 30), "周末上午"),
]


def availability(targets, sessions, appointments=None):
    """Windows after learning, then narrowed by the appointments (as planning does)."""
    avail = plain_availability(targets, sessions)
    apply_appointments(avail, appointments or {}, sessions)
    return avail


def test_an_appointment_in_a_session_is_the_households_only_window():
    t = TargetInfo(1, "household", urban=True)
    free = availability([t], SESSIONS)[1]
    assert {w.session_id for w in free.windows} == {1, 2, 3, 4}
    av = availability([t], SESSIONS, appointments={1: SAT.replace(hour=10, minute=0)})[1]
    assert [(w.session_id, w.start, w.end) for w in av.windows] == [
        (2, SAT.replace(hour=9, minute=30), SAT.replace(hour=10, minute=30))
    ]
    assert av.windows[0].p_home > free.windows[0].p_home and "约定回访 12-12 10:00" in av.note


def test_an_appointment_on_another_date_keeps_its_weekday_and_hour():
    t = TargetInfo(1, "household", urban=True)
    last_saturday_at_10 = dt.datetime(2026, 12, 5, 10, 0)
    av = availability([t], SESSIONS, appointments={1: last_saturday_at_10})[1]
    assert {w.session_id for w in av.windows} == {2, 4}
    assert all(w.start.hour == 9 and w.start.minute == 30 for w in av.windows)
    # a time no session covers leaves the windows and says so
    av = availability([t], SESSIONS, appointments={1: dt.datetime(2026, 12, 8, 7, 0)})[1]
    assert len(av.windows) == len(availability([t], SESSIONS)[1].windows)
    assert "不在本轮时段内" in av.note


def test_round_appointments_reads_the_standing_appointment(empty_store):
    with empty_store.session() as s:
        vil = Area(code="320412100201", name="潘家村", level="village")
        s.add(vil)
        s.flush()
        hs = [Household(name=f"户{i}", lon=120.0, lat=31.5, area_id=vil.id) for i in range(3)]
        nxt = Round(name="回头访")
        s.add_all([*hs, nxt])
        s.flush()
        s.add(VisitSession(round_id=nxt.id, start=SESSIONS[1].start, end=SESSIONS[1].end))
        for h in hs:
            s.add(Assignment(round_id=nxt.id, target_id=h.id))
        appt = dt.datetime(2026, 12, 12, 10, 0)
        s.add_all([
            Visit(target_id=hs[0].id, visited_at=dt.datetime(2026, 12, 5, 19), outcome="not_home", appointment_at=appt),
            # 户1: appointment made, then met on a later visit: used up
            Visit(target_id=hs[1].id, visited_at=dt.datetime(2026, 12, 1, 19), outcome="not_home", appointment_at=appt),
            Visit(target_id=hs[1].id, visited_at=dt.datetime(2026, 12, 3, 19), outcome="met"),
        ])  # fmt: skip
        s.flush()
        ids = [h.id for h in hs]
        rid = nxt.id
    assert round_appointments(empty_store, rid) == {ids[0]: appt}


def test_the_next_rounds_plan_visits_at_the_appointment(demo_store_copy):
    """A household that said "come back Sunday at 15:00" is planned then, not at any other time."""
    from sqlalchemy import select, update

    from gisplanner.planning.plan import PlanConfig, plan_round, quick_teams

    store = demo_store_copy
    with store.session() as s:
        rid = s.scalar(select(Round.id).where(Round.name == "2026年冬季大走访"))
        sessions = s.scalars(
            select(VisitSession).where(VisitSession.round_id == rid).order_by(VisitSession.start)
        ).all()
        sunday = next(v for v in sessions if v.start.weekday() == 6 and v.start.hour >= 14)
        appt = sunday.start.replace(hour=15, minute=0)
        first = sessions[0].start
        tid = s.scalar(
            select(Assignment.target_id).where(Assignment.round_id == rid).order_by(Assignment.target_id)
        )
        s.execute(
            update(Assignment)
            .where(Assignment.round_id == rid, Assignment.target_id == tid)
            .values(priority=5)
        )
        s.add(
            Visit(
                target_id=tid,
                visited_at=first - dt.timedelta(days=20),
                outcome="not_home",
                appointment_at=appt,
            )
        )
    quick_teams(store, rid, 2)
    res = plan_round(store, rid, PlanConfig(time_limit=2, workers=1), save=False)
    stops = [(r.session_id, st) for r in res.routes for st in r.stops if st.target_id == tid]
    assert len(stops) == 1
    sid, st = stops[0]
    assert sid == sunday.id
    assert appt - dt.timedelta(minutes=30) <= st.start <= appt + dt.timedelta(minutes=30)
