"""Teams in the database: formed from the round's cadres, replacing the round's teams in one transaction."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from gisplanner.store.model import Assignment, Cadre, Team, TeamMember
from gisplanner.teams.formation import FormationError, FormationRules, form_round_teams


def members_by_team(store, round_id):
    with store.session() as s:
        rows = s.execute(
            select(TeamMember.team_id, TeamMember.cadre_id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.round_id == round_id)
        ).all()
    out: dict[int, set[int]] = {}
    for t, c in rows:
        out.setdefault(t, set()).add(c)
    return out


def test_form_replaces_the_rounds_teams_and_unassigns_their_targets(demo_store_copy):
    store = demo_store_copy
    first = form_round_teams(store, 2, FormationRules(size=3))
    with store.session() as s:
        n_cadres = s.scalar(select(func.count()).select_from(Cadre))
        # give some targets to the first team, then form again
        some = s.scalars(select(Assignment.id).where(Assignment.round_id == 2).limit(25)).all()
        for a in s.scalars(select(Assignment).where(Assignment.id.in_(some))):
            a.team_id = first.team_ids[0]
    teams = members_by_team(store, 2)
    assert sorted(len(m) for m in teams.values())[-1] == 3
    assert sum(len(m) for m in teams.values()) <= n_cadres
    second = form_round_teams(store, 2, FormationRules(size=2))
    after = members_by_team(store, 2)
    # only the new teams are left (SQLite may reuse the old ids): pairs now, the old triples are gone
    assert set(after) == set(second.team_ids) and len(after) == len(second.result.teams)
    placed = sum(len(m) for m in after.values())  # an odd roster gets one triple
    assert sorted(len(m) for m in after.values())[-2:] == ([2, 3] if placed % 2 else [2, 2])
    assert max(len(m) for m in after.values()) <= 3 and len(after) > len(first.team_ids)
    with store.session() as s:
        assert (
            s.scalar(select(func.count()).where(Assignment.round_id == 2, Assignment.team_id.is_not(None)))
            == 0
        )
        leaders = s.scalars(select(TeamMember.role).join(Team).where(Team.round_id == 2)).all()
    assert leaders.count("leader") == len(second.team_ids)  # one leader per team
    assert second.previous_round_id == 1  # the demo's first round had teams


def test_keep_previous_reunites_last_rounds_pairs(demo_store_copy):
    store = demo_store_copy
    last = members_by_team(store, 1)
    # (shared sessions off: a pair that cannot go out together any more is split, see
    # test_teams_availability)
    kept = form_round_teams(store, 2, FormationRules(size=2, previous="keep", w_previous=10.0, w_shared=0))
    now = members_by_team(store, 2)
    pairs_last = {frozenset(m) for m in last.values()}
    reunited = sum(any(p <= m for m in now.values()) for p in pairs_last)
    # every last-round pair whose two cadres are both available again is together again
    available = {c.id for t in kept.result.teams for c in t.members}
    possible = sum(p <= available for p in pairs_last)
    assert reunited == possible > 0
    rotated = form_round_teams(store, 2, FormationRules(size=2, previous="rotate", w_previous=10.0))
    now = members_by_team(store, 2)
    assert not any(p <= m for p in pairs_last for m in now.values())
    assert rotated.result.proven_optimal


def test_failed_formation_leaves_the_old_teams(demo_store_copy, monkeypatch):
    store = demo_store_copy
    form_round_teams(store, 2, FormationRules(size=2))
    before = members_by_team(store, 2)

    def broken(*_a, **_k):
        raise FormationError("测试：求解失败")

    monkeypatch.setattr("gisplanner.teams.formation.form_teams", broken)
    with pytest.raises(FormationError):
        form_round_teams(store, 2, FormationRules(size=3))
    assert members_by_team(store, 2) == before


def test_cli_form_keep_previous_json_and_text(demo_store_copy, capsys):
    from gisplanner import cli

    db = str(demo_store_copy.sqlite_path)
    assert cli.run(["teams", "form", "--db", db, "--round", "2", "--keep-previous", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["previous_round"] == 1 and out["proven_optimal"]
    # default weights: a kept pair (1) never outweighs mixing genders (3): some pairs are kept, not all
    assert 0 < sum("previous_kept" in t["rules_met"] for t in out["teams"]) < len(out["teams"])
    assert cli.run(["teams", "form", "--db", db, "--round", "2", "--rotate", "--json"]) == 0
    rotated = json.loads(capsys.readouterr().out)
    assert all("rotated" in t["rules_met"] for t in rotated["teams"])
    assert all(set(u) >= {"rule", "reason"} for u in out["unmet"])
    assert cli.run(["teams", "form", "--db", db, "--round", "2", "--size", "3", "--rotate"]) == 0
    text = capsys.readouterr().out
    assert "第1组" in text and "轮换搭档" in text and "三人组" in text
    with pytest.raises(SystemExit):
        cli.run(["teams", "form", "--db", db, "--round", "2", "--keep-previous", "--rotate"])
