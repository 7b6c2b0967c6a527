"""三搭配 formation that knows when cadres can go out, and rounds staffed from the town's cadres."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from gisplanner.campaign.schedule import team_session_ids
from gisplanner.store.model import Area, Cadre, Round, Target, Team, TeamMember
from gisplanner.teams.formation import CadreInfo, FormationRules, evaluate_team, form_round_teams, form_teams

EVENINGS = frozenset(range(0, 10))
WEEKENDS = frozenset(range(10, 18))
ALL = EVENINGS | WEEKENDS


def _c(i, gender, age, sessions, local=True):
    return CadreInfo(i, f"干部{i}", gender, 2026 - age, local, (), False, None, sessions)


def test_weekday_and_weekend_only_cadres_are_not_paired():
    # the 三搭配 rules alone would pair each man with a woman: 1+2 and 3+4 (men evenings-only,
    # women weekends-only) - teams that could never go out together
    cadres = [
        _c(1, "M", 30, EVENINGS), _c(2, "F", 55, WEEKENDS),
        _c(3, "M", 52, WEEKENDS), _c(4, "F", 28, EVENINGS),
    ]  # fmt: skip
    rules = FormationRules(reference_year=2026)
    res = form_teams(cadres, rules)
    pairs = sorted(tuple(sorted(c.id for c in t.members)) for t in res.teams)
    assert pairs == [(1, 4), (2, 3)]
    assert all(t.shared and "shared_sessions" in t.rules_met for t in res.teams)
    blind = form_teams(cadres, FormationRules(reference_year=2026, w_shared=0))
    assert any(evaluate_team(t.members, rules).shared == 0 for t in blind.teams)  # without the rule


def test_enough_shared_sessions_and_the_report_names_the_team():
    # an evenings-only cadre with a weekends-only one is left no other partner: the report says so
    cadres = [_c(1, "M", 30, EVENINGS), _c(2, "F", 40, WEEKENDS)]
    res = form_teams(cadres, FormationRules(reference_year=2026))
    (team,) = res.teams
    assert team.shared == 0 and "shared_sessions" in team.rules_failed
    (unmet,) = [u for u in res.unmet if u.rule == "shared_sessions"]
    assert unmet.teams_failing == 1 and "干部1" in unmet.reason and "干部2" in unmet.reason
    # min_shared: a cadre on leave for most of the round can do 4 of the partner's 18 sessions
    few = frozenset(range(0, 4))
    r = FormationRules(reference_year=2026)
    assert evaluate_team([_c(1, "M", 30, ALL), _c(2, "F", 40, few)], r).rules_failed == []
    early, late = frozenset(range(0, 10)), frozenset(range(7, 18))  # 3 in common: less than half of 10
    assert "shared_sessions" in evaluate_team([_c(1, "M", 30, early), _c(2, "F", 40, late)], r).rules_failed
    assert evaluate_team([_c(1, "M", 30, early), _c(2, "F", 40, frozenset(range(5, 18)))], r).shared == 5


def _town_with_village_round(store):
    """A town with two villages; the cadres belong to the town (Cadre.area_id = town)."""
    with store.session() as s:
        town = Area(code="320412101000", name="雪堰镇", level="town")
        s.add(town)
        s.flush()
        v1 = Area(code="320412101201", name="城西村", level="village", parent_id=town.id,
                  office_lon=120.0, office_lat=31.5)  # fmt: skip
        v2 = Area(code="320412101202", name="潘家村", level="village", parent_id=town.id,
                  office_lon=120.05, office_lat=31.5)  # fmt: skip
        s.add_all([v1, v2])
        s.flush()
        for i in range(6):
            s.add(Target(kind="household", name=f"户{i}", lon=120.0 + i * 1e-3, lat=31.5, area_id=v1.id))
        kinds = ["evening,weekend,workday"] * 4 + ["evening", "evening", "weekend", "weekend"]
        for i, k in enumerate(kinds):
            s.add(Cadre(name=f"干部{i}", gender="MF"[i % 2], birth_year=1970 + 4 * i, avail_kinds=k,
                        area_id=town.id, home_area_id=v1.id if i in (2, 5) else v2.id))  # fmt: skip
        s.flush()
        return town.id, v1.id, v2.id


def test_a_village_round_is_staffed_from_the_town_cadres(empty_store, capsys):
    from gisplanner import cli

    store = empty_store
    _, v1, _ = _town_with_village_round(store)
    db = str(store.sqlite_path)
    assert cli.run(["round", "new", "--db", db, "--name", "城西村补课访", "--kind", "regular", "--area",
                    "320412101201", "--start", "2026-12-07", "--end", "2026-12-20", "--template",
                    "evenings,weekends", "--json"]) == 0  # fmt: skip
    rid = json.loads(capsys.readouterr().out)["round"]
    assert cli.run(["teams", "form", "--db", db, "--round", str(rid), "--json"]) == 0
    formed = json.loads(capsys.readouterr().out)
    assert len(formed["teams"]) == 4  # all eight town cadres, though none is "inside" the village
    with store.session() as s:
        can = team_session_ids(s, rid)
        members = {
            t.id: sorted(m.cadre.avail_kinds for m in t.members)
            for t in s.scalars(select(Team).where(Team.round_id == rid))
        }
    assert all(can[t] for t in can), members  # every team can go out in some session
    # fewer teams: the cadres whose home village is the round's village come first
    assert cli.run(["teams", "form", "--db", db, "--round", str(rid), "--teams", "1", "--json"]) == 0
    (team,) = json.loads(capsys.readouterr().out)["teams"]
    with store.session() as s:
        homes = [s.get(Cadre, c).home_area_id for c in team["members"]]
        office = s.scalar(select(Team.office_area_id).where(Team.round_id == rid))
    assert homes == [v1, v1] and office == v1


def test_form_round_teams_uses_leave_and_the_round_sessions(empty_store):
    store = empty_store
    town, v1, _ = _town_with_village_round(store)
    with store.session() as s:
        rnd = Round(name="冬季", kind="regular", scope_area_id=town,
                    start_date=dt.date(2026, 12, 7), end_date=dt.date(2026, 12, 13))  # fmt: skip
        s.add(rnd)
        s.flush()
        rid = rnd.id
    # no sessions yet: judged on the template sessions the round's dates would get
    stored = form_round_teams(store, rid, FormationRules(reference_year=2026))
    assert all(t.shared for t in stored.result.teams)
    with store.session() as s:
        pairs = s.execute(select(TeamMember.team_id, TeamMember.cadre_id)).all()
    assert len({t for t, _ in pairs}) == 4


def test_territories_follow_the_teams_session_time():
    import numpy as np

    from gisplanner.teams.territory import split_points

    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 3000, 600), rng.uniform(0, 2000, 600)
    minutes = np.full(600, 20.0)
    shares = np.array([0.1, 0.2, 0.3, 0.4])  # e.g. 30 h, 60 h, 90 h, 120 h of sessions
    res = split_points(x, y, minutes, np.arange(600), 4, shares=shares)
    work = np.array([t.hours for t in res.territories])
    assert np.allclose(work / work.sum(), shares, atol=0.02), work / work.sum()
    equal = split_points(x, y, minutes, np.arange(600), 4)
    hours = np.array([t.hours for t in equal.territories])
    assert hours.max() <= 1.1 * hours.mean()
