"""Rounds and sessions: who can go out when (team_session_ids), the holiday calendar, the
session rules (bad input refused, nothing written)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gisplanner.campaign.schedule import team_session_ids
from gisplanner.store.model import Area, Cadre, CadreLeave, Round, SessionTeam, Team, TeamMember, VisitSession


def _at(day: str, hm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {hm}")


@pytest.fixture
def round_with_teams(empty_store):
    """A town round 2026-12-07..12-20 with four sessions and three teams of two."""
    store = empty_store
    with store.session() as s:
        town = Area(code="320412100000", name="雪堰镇", level="town")
        s.add(town)
        s.flush()
        rnd = Round(name="冬季走访", kind="regular", scope_area_id=town.id,
                    start_date=dt.date(2026, 12, 7), end_date=dt.date(2026, 12, 20))  # fmt: skip
        s.add(rnd)
        s.flush()
        sess = [
            VisitSession(round_id=rnd.id, start=_at("2026-12-08", "19:00"), end=_at("2026-12-08", "21:00"), kind="evening"),
            VisitSession(round_id=rnd.id, start=_at("2026-12-12", "09:00"), end=_at("2026-12-12", "11:30"), kind="weekend"),
            VisitSession(round_id=rnd.id, start=_at("2026-12-15", "09:00"), end=_at("2026-12-15", "11:30"), kind="workday"),
            VisitSession(round_id=rnd.id, start=_at("2026-12-19", "14:30"), end=_at("2026-12-19", "17:30"), kind="weekend"),
        ]  # fmt: skip
        s.add_all(sess)
        kinds = ["evening,weekend,workday", "evening,weekend", "weekend", "evening,weekend,workday",
                 "evening,weekend,workday", "evening,weekend,workday"]  # fmt: skip
        cadres = [
            Cadre(name=f"干部{i}", gender="MF"[i % 2], birth_year=1980 + i, avail_kinds=k, area_id=town.id)
            for i, k in enumerate(kinds)
        ]
        s.add_all(cadres)
        s.flush()
        cadres[4].leaves.append(CadreLeave(start_date=dt.date(2026, 12, 11), end_date=dt.date(2026, 12, 13)))
        teams = []
        for n, pair in enumerate([(0, 1), (2, 3), (4, 5)], start=1):
            t = Team(round_id=rnd.id, name=f"第{n}组")
            t.members = [TeamMember(cadre_id=cadres[i].id) for i in pair]
            s.add(t)
            teams.append(t)
        s.flush()
        ids = {"round": rnd.id, "sessions": [v.id for v in sess], "teams": [t.id for t in teams],
               "cadres": [c.id for c in cadres], "town": town.id}  # fmt: skip
    return store, ids


def test_a_team_goes_out_only_when_all_its_members_can(round_with_teams):
    store, ids = round_with_teams
    ev, sat, wd, sat2 = ids["sessions"]
    t1, t2, t3 = ids["teams"]
    with store.session() as s:
        got = team_session_ids(s, ids["round"])
    assert got[t1] == [ev, sat, sat2]  # member 1 does no working hours
    assert got[t2] == [sat, sat2]  # member 2 does weekends only
    assert got[t3] == [ev, wd, sat2]  # member 4 is on leave 12-11..12-13


def test_sessions_marked_for_teams_and_inactive_members(round_with_teams):
    store, ids = round_with_teams
    ev, sat, wd, sat2 = ids["sessions"]
    t1, t2, t3 = ids["teams"]
    with store.session() as s:
        s.add(SessionTeam(session_id=sat2, team_id=t2))  # the Saturday afternoon is team 2's alone
        s.get(Cadre, ids["cadres"][2]).active = False  # the weekends-only cadre leaves
    with store.session() as s:
        got = team_session_ids(s, ids["round"])
        assert s.scalar(select(func.count()).select_from(SessionTeam)) == 1
    assert got[t1] == [ev, sat]
    assert got[t2] == [ev, sat, wd, sat2]  # only the active member counts now
    assert got[t3] == [ev, wd]


# --------------------------------------------------------------------------- the CLI


def _cli(store, *argv):
    from gisplanner import cli

    try:
        return cli.run([*argv, "--db", str(store.sqlite_path)])
    except SystemExit as e:  # argparse and resolve_round exit with the code
        return e.code


def _snapshot(store) -> tuple:
    with store.session() as s:
        sess = s.execute(
            select(VisitSession.id, VisitSession.start, VisitSession.end, VisitSession.kind).order_by(
                VisitSession.id
            )
        ).all()
        rounds = s.execute(select(Round.id, Round.name, Round.status, Round.start_date, Round.end_date)).all()
        links = s.execute(select(SessionTeam.session_id, SessionTeam.team_id)).all()
    return sess, rounds, links


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sessions", "add", "--date", "2026-12-09", "--start", "21:00", "--end", "19:00"], "不晚于开始时间"),
        (["sessions", "add", "--date", "2026-12-08", "--start", "20:00", "--end", "22:00"], "重叠"),
        (["sessions", "add", "--date", "2026-12-25", "--start", "19:00", "--end", "21:00"], "不在轮次"),
        (
            [
                "sessions",
                "add",
                "--date",
                "2026-12-09",
                "--start",
                "19:00",
                "--end",
                "21:00",
                "--team",
                "999",
            ],
            "不属于",
        ),
        (["sessions", "add", "--date", "2026-12-9x", "--start", "19:00", "--end", "21:00"], "YYYY-MM-DD"),
        (["sessions", "remove", "--session", "99999"], "找不到走访时段"),
        (["round", "set", "--start", "2026-12-10"], "不在新的日期"),
        (["round", "set", "--end", "2026-12-01"], "早于"),
        (["sessions", "generate", "--template", "nights"], "未知的时段模板"),
    ],
)
def test_session_cli_bad_input_exits_2_and_writes_nothing(round_with_teams, capsys, argv, message):
    store, ids = round_with_teams
    before = _snapshot(store)
    assert _cli(store, *argv, "--round", str(ids["round"])) == 2
    assert message in capsys.readouterr().err
    assert _snapshot(store) == before


def test_unknown_round_and_round_without_sessions(round_with_teams, capsys):
    store, ids = round_with_teams
    assert _cli(store, "sessions", "list", "--round", "77") == 2
    assert "找不到走访轮次" in capsys.readouterr().err
    assert _cli(store, "round", "new", "--name", "村补课", "--kind", "regular", "--start", "2027-01-04",
                "--end", "2027-01-10", "--json") == 0  # fmt: skip
    out = capsys.readouterr()
    assert '"sessions": 0' in out.out and "sessions generate" in out.err
    new_id = max(r["id"] for r in _rounds(store, capsys))
    before = _snapshot(store)
    assert _cli(store, "sessions", "remove", "--round", str(new_id), "--session", "1") == 2
    err = capsys.readouterr().err
    assert "还没有走访时段" in err and f"sessions generate --round {new_id}" in err
    assert _snapshot(store) == before


def _rounds(store, capsys) -> list[dict]:
    import json

    assert _cli(store, "round", "list", "--json") == 0
    return json.loads(capsys.readouterr().out)["rounds"]


def test_round_new_list_set_json_keys_and_status(round_with_teams, capsys):
    import json

    store, ids = round_with_teams
    assert _cli(store, "round", "new", "--name", "国庆走访", "--kind", "regular", "--area", "320412100000",
                "--start", "2026-09-28", "--end", "2026-10-11", "--template", "evenings,weekends,workdays",
                "--json") == 0  # fmt: skip
    made = json.loads(capsys.readouterr().out)
    assert set(made) == {"round", "sessions"} and made["sessions"] > 0
    rounds = _rounds(store, capsys)
    row = next(r for r in rounds if r["id"] == made["round"])
    assert set(row) == {"id", "name", "kind", "area", "start", "end", "status", "sessions", "targets"}
    assert (row["name"], row["kind"], row["area"], row["start"], row["end"], row["status"], row["sessions"]) == (
        "国庆走访", "regular", "320412100000", "2026-09-28", "2026-10-11", "planning", made["sessions"],
    )  # fmt: skip
    for status in ("running", "closed"):
        assert _cli(store, "round", "set", "--round", str(made["round"]), "--status", status) == 0
        capsys.readouterr()
        assert next(r for r in _rounds(store, capsys) if r["id"] == made["round"])["status"] == status
    assert _cli(store, "round", "set", "--round", str(made["round"]), "--status", "finished") == 2


def test_sessions_add_list_remove(round_with_teams, capsys):
    import json

    store, ids = round_with_teams
    rid, t1 = str(ids["round"]), ids["teams"][0]
    # the same evening as session 1, but only for team 1 — still overlaps team 1's session 1
    assert _cli(store, "sessions", "add", "--round", rid, "--date", "2026-12-08", "--start", "19:30",
                "--end", "20:30", "--team", str(t1)) == 2  # fmt: skip
    capsys.readouterr()
    assert _cli(store, "sessions", "add", "--round", rid, "--date", "2026-12-10", "--start", "19:00",
                "--end", "21:00", "--team", str(t1), "--json") == 0  # fmt: skip
    added = json.loads(capsys.readouterr().out)
    assert (added["kind"], added["teams"]) == ("evening", [t1])
    # another team can go out at the same time when the first session is marked for team 1 only
    assert _cli(store, "sessions", "add", "--round", rid, "--date", "2026-12-10", "--start", "19:00",
                "--end", "21:00", "--team", str(ids["teams"][1])) == 0  # fmt: skip
    capsys.readouterr()
    assert _cli(store, "sessions", "list", "--round", rid, "--json") == 0
    listed = json.loads(capsys.readouterr().out)["sessions"]
    assert len(listed) == 6 and [s["date"] for s in listed] == sorted(s["date"] for s in listed)
    assert _cli(store, "sessions", "remove", "--round", rid, "--session", str(added["id"])) == 0
    with store.session() as s:
        assert s.get(VisitSession, added["id"]) is None
        assert team_session_ids(s, ids["round"])[t1] == [
            ids["sessions"][0],
            ids["sessions"][1],
            ids["sessions"][3],
        ]


def test_cadre_availability_cli(round_with_teams, capsys):
    store, ids = round_with_teams
    c = str(ids["cadres"][0])
    assert _cli(store, "cadres", "availability", "--cadre", c, "--kinds", "weekend", "--leave",
                "2026-12-19:2026-12-20") == 0  # fmt: skip
    with store.session() as s:
        got = team_session_ids(s, ids["round"])[ids["teams"][0]]
    assert got == [ids["sessions"][1]]  # weekends only, and away on the 19th
    before = _snapshot(store)
    for bad in (
        ["--kinds", "nights"],
        ["--kinds", "weekend", "--leave", "2026-12-20:2026-12-19"],
        ["--kinds", ""],
    ):
        assert _cli(store, "cadres", "availability", "--cadre", c, *bad) == 2
        assert "错误" in capsys.readouterr().err
    assert _cli(store, "cadres", "availability", "--cadre", "9999", "--kinds", "weekend") == 2
    with store.session() as s:
        cadre = s.get(Cadre, ids["cadres"][0])
        assert (cadre.avail_kinds, [(lv.start_date, lv.end_date) for lv in cadre.leaves]) == (
            "weekend", [(dt.date(2026, 12, 19), dt.date(2026, 12, 20))],
        )  # fmt: skip
    assert _snapshot(store) == before


# --------------------------------------------------------------------------- the holiday calendar


def test_national_day_and_tiaoxiu_change_the_generated_sessions():
    from gisplanner.campaign.schedule import calendar_sessions

    specs = calendar_sessions(dt.date(2026, 9, 28), dt.date(2026, 10, 11))
    by_day: dict[dt.date, set[str]] = {}
    for sp in specs:
        by_day.setdefault(sp.start.date(), set()).add(sp.kind)
    for d in range(1, 8):  # 国庆节 2026-10-01..07: days off, weekdays included
        assert by_day[dt.date(2026, 10, d)] == {"weekend"}
    assert all(sp.holiday for sp in specs if dt.date(2026, 10, 1) <= sp.start.date() <= dt.date(2026, 10, 7))
    assert "国庆节" in next(sp.label for sp in specs if sp.start.date() == dt.date(2026, 10, 5))
    assert by_day[dt.date(2026, 10, 10)] == {"evening", "workday"}  # 调休: Saturday is a working day
    assert by_day[dt.date(2026, 10, 11)] == {"weekend"}
    assert by_day[dt.date(2026, 9, 28)] == {"evening", "workday"}


def test_calendar_overrides_in_the_database_and_deadlines(empty_store):
    from gisplanner.campaign.cncalendar import HolidayCalendar, set_override
    from gisplanner.campaign.problems import DeadlineRules
    from gisplanner.campaign.workdays import WorkCalendar

    # problem deadlines skip National Day and count the 调休 Saturday
    assert WorkCalendar().add(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert WorkCalendar().add(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)
    assert WorkCalendar(official=False).add(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 1)
    with empty_store.session() as s:
        set_override(s, dt.date(2026, 12, 11), False, "镇庆")  # a local day off
        set_override(s, dt.date(2026, 12, 12), True)  # a Saturday worked
    with empty_store.session() as s:
        cal = HolidayCalendar.load(s)
        rules = DeadlineRules.load(s)
    assert not cal.is_workday(dt.date(2026, 12, 11)) and cal.is_holiday(dt.date(2026, 12, 11))
    assert cal.is_workday(dt.date(2026, 12, 12)) and "镇庆" in cal.describe(dt.date(2026, 12, 11))
    assert rules.calendar.add(dt.date(2026, 12, 10), 1) == dt.date(2026, 12, 12)


def test_years_the_calendar_does_not_know_fall_back_to_weekends(empty_store):
    from gisplanner.campaign.cncalendar import HolidayCalendar, official_years
    from gisplanner.campaign.schedule import calendar_sessions

    year = official_years()[1] + 2
    cal = HolidayCalendar()
    jan1 = dt.date(year, 1, 1)
    specs = calendar_sessions(jan1, jan1 + dt.timedelta(days=6), calendar=cal)
    for sp in specs:
        assert (sp.kind == "weekend") == (sp.start.weekday() >= 5)
    note = cal.fallback_note(jan1, jan1)
    assert str(year) in note and "只按周六、周日" in note


def test_calendar_cli_overrides(empty_store, capsys):
    import json

    assert _cli(empty_store, "calendar", "set", "--date", "2026-12-11", "--holiday", "--note", "镇庆") == 0
    assert (
        _cli(empty_store, "calendar", "show", "--start", "2026-10-09", "--end", "2026-12-11", "--json") == 0
    )
    days = {d["date"]: d for d in json.loads(capsys.readouterr().out.split("\n", 1)[1])["days"]}
    assert days["2026-10-10"]["workday"] and "调休" in days["2026-10-10"]["what"]
    assert not days["2026-12-11"]["workday"] and "镇庆" in days["2026-12-11"]["what"]
    assert _cli(empty_store, "calendar", "clear", "--date", "2026-12-11") == 0
    assert _cli(empty_store, "calendar", "show", "--start", "2026-12-11", "--end", "2026-12-01") == 2
