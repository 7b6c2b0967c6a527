"""Rounds and sessions: who can go out when (team_session_ids), the holiday calendar, the
session rules (bad input refused, nothing written)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gisplanner.model import Area, Cadre, CadreLeave, Round, SessionTeam, Team, TeamMember, VisitSession
from gisplanner.schedule import team_session_ids


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
