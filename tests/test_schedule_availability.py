"""Sessions from templates, availability per target type, learning from visit history."""

from __future__ import annotations

import datetime as dt

from gisplanner.campaign.schedule import (
    DEFAULT_TEMPLATE,
    HomeModel,
    PastVisit,
    ScheduleConfig,
    SessionInfo,
    TargetInfo,
    availability,
    moved_reason,
    sessions_from_template,
)

MON = dt.date(2026, 3, 2)  # a Monday


def week_sessions(holidays=()):
    specs = sessions_from_template(MON, MON + dt.timedelta(days=6), DEFAULT_TEMPLATE, holidays=holidays)
    return [SessionInfo(i + 1, s.start, s.end, s.label, s.holiday) for i, s in enumerate(specs)]


def test_template_gives_weekday_evenings_and_weekend_daytime():
    specs = sessions_from_template(MON, MON + dt.timedelta(days=6))
    assert len(specs) == 5 + 2 * 2
    evenings = [s for s in specs if s.label == "工作日晚上"]
    assert [s.start.weekday() for s in evenings] == [0, 1, 2, 3, 4]
    assert evenings[0].start == dt.datetime(2026, 3, 2, 19, 0) and evenings[0].end == dt.datetime(
        2026, 3, 2, 21, 0
    )
    sat = [s for s in specs if s.start.weekday() == 5]
    assert [(s.start.time(), s.end.time()) for s in sat] == [
        (dt.time(9, 0), dt.time(11, 30)),
        (dt.time(14, 30), dt.time(17, 30)),
    ]


def test_holiday_uses_weekend_slots():
    specs = sessions_from_template(MON, MON, holidays=[MON])
    assert {s.label for s in specs} == {"周末上午", "周末下午"}
    assert all(s.holiday for s in specs)


def test_windows_follow_target_type():
    sessions = week_sessions()
    targets = [
        TargetInfo(1, "household", urban=True),
        TargetInfo(2, "household", urban=True, elderly_alone=True),
        TargetInfo(3, "enterprise"),
        TargetInfo(4, "household", away_business=True),
    ]
    av = availability(targets, sessions)
    urban = av[1]
    assert urban.service_minutes == 20
    assert {c.start.weekday() for c in urban.windows} == set(range(7))
    # elderly living alone: daytime only, never in the evening sessions
    elderly = av[2]
    assert elderly.service_minutes == 30
    assert elderly.windows and all(c.end.hour < 18 for c in elderly.windows)
    # enterprise: weekday working hours; these sessions have none
    assert av[3].service_minutes == 40
    assert av[3].windows == [] and "企业" in av[3].no_window_reason
    # away on business: holiday sessions only, else phone
    assert av[4].windows == [] and "电话" in av[4].no_window_reason


def test_away_business_gets_holiday_sessions():
    sessions = week_sessions(holidays=[MON + dt.timedelta(days=5)])
    av = availability([TargetInfo(4, "household", away_business=True)], sessions)
    assert av[4].windows and all(c.start.weekday() == 5 for c in av[4].windows)


def test_service_window_leaves_room_for_the_visit():
    sessions = week_sessions()
    av = availability([TargetInfo(1, "household", urban=True)], sessions)
    mon = [c for c in av[1].windows if c.start.weekday() == 0][0]
    assert mon.start == dt.datetime(2026, 3, 2, 19, 0)
    assert mon.end == dt.datetime(2026, 3, 2, 20, 40)  # session ends 21:00, 20 min visit


def test_repeatedly_not_home_in_the_evening_moves_to_the_weekend():
    sessions = week_sessions()
    before = dt.date(2026, 2, 2)  # earlier round, Mondays and Wednesdays in the evening
    history = [
        PastVisit(1, dt.datetime.combine(before + dt.timedelta(days=d), dt.time(19, 20)), "not_home")
        for d in (0, 2, 7)
    ]
    # other households were home in the evenings, so the population rate stays high
    history += [PastVisit(100 + i, dt.datetime.combine(before, dt.time(19, 10)), "met") for i in range(30)]
    home = HomeModel(history)
    assert home.p_home(1, dt.datetime(2026, 3, 2, 19, 30)) < 0.4
    assert home.p_home(2, dt.datetime(2026, 3, 2, 19, 30)) > 0.7
    av = availability(
        [TargetInfo(1, "household", urban=True), TargetInfo(2, "household", urban=True)], sessions, home=home
    )
    moved = av[1]
    assert moved.windows and all(c.start.weekday() >= 5 for c in moved.windows)
    assert moved.dropped and all(c.start.hour == 19 for c in moved.dropped)
    assert moved.note == "上次周一19点不在家"
    assert moved_reason(moved, moved.windows[0]) == "上次周一19点不在家，改为周六上午"
    # the neighbour without bad history keeps its evenings
    assert any(c.start.weekday() < 5 for c in av[2].windows)
    assert av[2].note is None


def test_no_better_window_keeps_all():
    sessions = week_sessions()
    # not home at every hour ever tried: nothing to prefer, keep all windows
    history = [
        PastVisit(1, dt.datetime(2026, 2, d, h), "not_home")
        for d in range(2, 9)
        for h in (9, 10, 14, 15, 16, 19, 20)
    ]
    av = availability([TargetInfo(1, "household", urban=True)], sessions, home=HomeModel(history))
    assert av[1].dropped == [] and len(av[1].windows) > 5


def test_config_changes_service_minutes():
    cfg = ScheduleConfig(service_household=15)
    av = availability([TargetInfo(1, "household", urban=True)], week_sessions(), cfg=cfg)
    assert av[1].service_minutes == 15


def test_round_sessions_created_from_template_once(empty_store):
    import pytest
    from sqlalchemy import select

    from gisplanner.campaign.schedule import create_round_sessions
    from gisplanner.store.model import Round, VisitSession

    with empty_store.session() as s:
        r = Round(
            name="测试轮次",
            kind="regular",
            status="planning",
            start_date=MON,
            end_date=MON + dt.timedelta(days=13),
        )
        s.add(r)
        s.flush()
        rid = r.id
    # ten working days (an evening, a working-hours morning and afternoon) and four weekend days
    assert create_round_sessions(empty_store, rid) == 10 * 3 + 4 * 2
    with empty_store.session() as s:
        rows = s.scalars(
            select(VisitSession).where(VisitSession.round_id == rid).order_by(VisitSession.start)
        ).all()
        assert (rows[0].start, rows[0].kind) == (dt.datetime(2026, 3, 2, 9, 0), "workday")
        assert (rows[2].start, rows[2].label, rows[2].kind) == (
            dt.datetime(2026, 3, 2, 19, 0),
            "工作日晚上",
            "evening",
        )
    with pytest.raises(ValueError, match="已有 38 个"):
        create_round_sessions(empty_store, rid)
