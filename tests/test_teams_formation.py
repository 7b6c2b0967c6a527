"""三搭配 team formation: optimality against brute force, rule reports, keep vs rotate."""

import itertools
import random

import pytest

from gisplanner.teams.formation import (
    MIXED,
    CadreInfo,
    FormationError,
    FormationRules,
    evaluate_team,
    form_teams,
    objective_of,
    team_sizes,
)

YEAR = 2026


def cadre(i, gender, age, local=True, leader=False, prev=None):
    return CadreInfo(i, f"干部{i}", gender, YEAR - age, local, ("常州话",) if local else (), leader, prev)


def random_roster(n, seed, with_previous=False):
    r = random.Random(seed)
    prev = {}
    order = list(range(n))
    r.shuffle(order)
    pos, team = 0, 100
    while pos < n:  # last round's teams: pairs and triples, some members now unavailable
        for i in order[pos : pos + r.choice((2, 3))]:
            if r.random() < 0.85:
                prev[i] = team
        pos, team = pos + 3, team + 1
    return [
        cadre(
            i + 1,
            r.choice("MF"),
            r.randint(24, 60),
            r.random() < 0.55,
            r.random() < 0.25,
            prev.get(i) if with_previous else None,
        )
        for i in range(n)
    ]


def partitions(items, pairs, triples):
    """Every partition of ``items`` into blocks of 2 and 3 (counts fixed, or free when None)."""
    if not items:
        if pairs in (0, None) and triples in (0, None):
            yield []
        return
    first, rest = items[0], items[1:]
    for size, left_p, left_t in ((2, pairs, triples), (3, pairs, triples)):
        if size == 2 and left_p == 0 or size == 3 and left_t == 0:
            continue
        np_ = None if left_p is None else left_p - (size == 2)
        nt_ = None if left_t is None else left_t - (size == 3)
        for mates in itertools.combinations(rest, size - 1):
            remaining = [x for x in rest if x not in mates]
            for tail in partitions(remaining, np_, nt_):
                yield [(first, *mates), *tail]


def brute_force_best(cadres, rules):
    sizes = team_sizes(len(cadres), rules.size)
    pairs, triples = sizes if sizes is not None else (None, None)
    return max(objective_of(p, rules) for p in partitions(list(cadres), pairs, triples))


def check_partition(result, cadres, rules):
    ids = sorted(c.id for t in result.teams for c in t.members)
    assert ids == sorted(c.id for c in cadres), "every cadre in exactly one team"
    sizes = team_sizes(len(cadres), rules.size)
    if sizes is not None:
        assert sum(len(t.members) == 2 for t in result.teams) == sizes[0]
        assert sum(len(t.members) == 3 for t in result.teams) == sizes[1]
    assert all(len(t.members) in (2, 3) for t in result.teams)


@pytest.mark.parametrize("size", [2, 3, MIXED])
@pytest.mark.parametrize("previous", ["ignore", "keep", "rotate"])
def test_formation_equals_brute_force_optimum(size, previous):
    for seed, n in itertools.product(range(3), (5, 8, 9)):
        cadres = random_roster(n, seed * 31 + n, with_previous=previous != "ignore")
        rules = FormationRules(size=size, previous=previous, w_leader=1.0, reference_year=YEAR)
        result = form_teams(cadres, rules)
        check_partition(result, cadres, rules)
        assert result.proven_optimal
        assert result.objective == pytest.approx(brute_force_best(cadres, rules)), (seed, n)


@pytest.mark.parametrize("size", [2, 3, MIXED])
@pytest.mark.parametrize("previous", ["ignore", "keep"])
def test_type_aggregated_programme_matches_set_partitioning(size, previous):
    """The large-roster method (counts of type compositions) reaches the exact optimum."""
    for seed in range(2):
        cadres = random_roster(21, 500 + seed, with_previous=previous != "ignore")
        rules = FormationRules(size=size, previous=previous, w_leader=0.5, reference_year=YEAR)
        agg = form_teams(cadres, rules, method="aggregate")
        exact = form_teams(cadres, rules, method="enumerate")
        check_partition(agg, cadres, rules)
        assert agg.proven_optimal
        assert agg.objective == pytest.approx(exact.objective)


def test_pairs_equal_maximum_weight_matching():
    """Pairs: the composition programme reaches the value of Edmonds' maximum-weight matching."""
    for previous in ("ignore", "keep", "rotate"):
        cadres = random_roster(60, 11, with_previous=True)
        rules = FormationRules(size=2, previous=previous, w_leader=1.0, reference_year=YEAR)
        agg = form_teams(cadres, rules, method="aggregate")
        matched = form_teams(cadres, rules, method="matching")
        check_partition(matched, cadres, rules)
        assert agg.objective == pytest.approx(matched.objective)


def test_rotate_on_a_larger_roster_reaches_the_bound():
    cadres = random_roster(60, 7, with_previous=True)
    rules = FormationRules(size=3, previous="rotate", reference_year=YEAR)
    result = form_teams(cadres, rules)
    assert result.method == "aggregate" and result.proven_optimal
    assert all("rotated" in t.rules_met for t in result.teams)


def test_every_rule_met_when_the_roster_allows():
    # 12 cadres: 6 men / 6 women, 6 locals, 4 per age band, 4 leaders -> 4 triples can meet all
    ages = [28, 40, 55] * 4
    cadres = [
        cadre(i + 1, "MF"[i % 2], ages[i], local=(i // 3) % 2 == 0 or i % 3 == 0, leader=i % 3 == 2)
        for i in range(12)
    ]
    rules = FormationRules(size=3, w_leader=1.0, reference_year=YEAR)
    result = form_teams(cadres, rules)
    assert result.unmet == []
    for team in result.teams:
        assert set(team.rules_met) == {"mixed_gender", "has_local", "age_mix", "age_all_bands", "leader"}
    pairs = form_teams(cadres, FormationRules(size=2, w_leader=0.0, reference_year=YEAR))
    assert pairs.unmet == [] and len(pairs.teams) == 6
    assert all(set(t.rules_met) == {"mixed_gender", "has_local", "age_mix"} for t in pairs.teams)


def unmet_of(result, rule):
    found = [u for u in result.unmet if u.rule == rule]
    return found[0] if found else None


def test_report_too_few_women():
    cadres = [cadre(i, "F" if i < 9 else "M", 30 + i, local=True) for i in range(28)]
    result = form_teams(cadres, FormationRules(size=2, reference_year=YEAR))
    u = unmet_of(result, "mixed_gender")
    assert len(result.teams) == 14
    assert u is not None and u.teams_failing == 5 and u.roster_limit
    assert "14个队伍" in u.reason and "9名女干部" in u.reason and "5个队伍" in u.reason
    assert sum("mixed_gender" in t.rules_met for t in result.teams) == 9


def test_report_too_few_locals_leaders_and_age_mix():
    # 10 pairs; 3 locals, 2 leaders, 16 cadres aged >= 50 (only 4 outside that band)
    cadres = [cadre(i, "MF"[i % 2], 55 if i < 16 else 30, local=i < 3, leader=i in (5, 6)) for i in range(20)]
    result = form_teams(cadres, FormationRules(size=2, w_leader=1.0, reference_year=YEAR))
    assert unmet_of(result, "has_local").teams_failing == 7
    assert "3名本地干部" in unmet_of(result, "has_local").reason
    assert unmet_of(result, "leader").teams_failing == 8
    age = unmet_of(result, "age_mix")
    assert age.teams_failing == 6 and age.roster_limit and "6个队伍" in age.reason
    assert unmet_of(result, "mixed_gender") is None  # 10 men, 10 women: all mixed


def test_report_separates_tradeoffs_from_roster_limits():
    # young man and old woman are the only locals: every rule is possible on its own, not all at once
    cadres = [cadre(1, "M", 25, local=True), cadre(2, "F", 26, local=False), cadre(3, "M", 60, local=False)]
    cadres.append(cadre(4, "F", 61, local=True))
    rules = FormationRules(size=2, w_has_local=3.0, w_age_mix=2.0, reference_year=YEAR)
    result = form_teams(cadres, rules)
    # (25M,61F)+(26F,60M) fails one local (3) < (25M,26F)+(60M,61F) fails two age mixes (4)
    local = unmet_of(result, "has_local")
    assert local.teams_failing == 1 and not local.roster_limit and "权重" in local.reason
    assert unmet_of(result, "age_mix") is None
    heavier_local = form_teams(
        cadres, FormationRules(size=2, w_has_local=5.0, w_age_mix=2.0, reference_year=YEAR)
    )
    assert unmet_of(heavier_local, "has_local") is None
    assert unmet_of(heavier_local, "age_mix").teams_failing == 2
    assert not unmet_of(heavier_local, "age_mix").roster_limit
    lopsided = [cadre(1, "M", 25), cadre(2, "F", 26), cadre(3, "M", 27), cadre(4, "F", 60)]
    age = unmet_of(form_teams(lopsided, rules), "age_mix")
    # only one cadre is outside the young band, so one pair is all young: a roster limit
    assert age.teams_failing == 1 and age.roster_limit


def test_keep_previous_keeps_teams_and_rotate_separates_them():
    # last round: three good mixed teams; keep reunites them, rotate splits every one
    cadres = []
    for t in range(3):
        cadres += [
            cadre(10 * t + 1, "M", 30, local=True, prev=t),
            cadre(10 * t + 2, "F", 40, local=False, prev=t),
            cadre(10 * t + 3, "F", 55, local=True, prev=t),
        ]
    keep = form_teams(cadres, FormationRules(size=3, previous="keep", reference_year=YEAR))
    assert sorted(sorted(c.id for c in t.members) for t in keep.teams) == [
        [1, 2, 3],
        [11, 12, 13],
        [21, 22, 23],
    ]
    assert all("previous_kept" in t.rules_met for t in keep.teams)
    rotate = form_teams(cadres, FormationRules(size=3, previous="rotate", reference_year=YEAR))
    for team in rotate.teams:
        assert len({c.previous_team for c in team.members}) == 3
        assert "rotated" in team.rules_met
    assert {"mixed_gender", "has_local", "age_mix", "age_all_bands"} <= set(rotate.teams[0].rules_met)


def test_keep_previous_report_when_last_teams_are_gone():
    cadres = [cadre(i, "MF"[i % 2], 30 + 2 * i, prev=i) for i in range(8)]  # nobody's teammate is left
    result = form_teams(cadres, FormationRules(size=2, previous="keep", reference_year=YEAR))
    u = unmet_of(result, "previous_kept")
    assert u.teams_failing == 4 and u.roster_limit and "0对" in u.reason


def test_leftover_sizes_are_stated():
    assert team_sizes(7, 2) == (2, 1)
    assert team_sizes(10, 3) == (2, 2)
    assert team_sizes(11, 3) == (1, 3)
    result = form_teams(random_roster(7, 3), FormationRules(size=2, reference_year=YEAR))
    assert sorted(len(t.members) for t in result.teams) == [2, 2, 3]
    assert any("三人组" in n for n in result.notes)
    lone = form_teams([cadre(1, "M", 30)], FormationRules(reference_year=YEAR))
    assert lone.teams == [] and [c.id for c in lone.leftover] == [1]


def test_mixed_sizes_prefer_pairs_unless_a_triple_avoids_failures():
    even = [cadre(i, "MF"[i % 2], 30 + 10 * (i % 3)) for i in range(6)]
    assert [
        len(t.members) for t in form_teams(even, FormationRules(size=MIXED, reference_year=YEAR)).teams
    ] == [
        2,
        2,
        2,
    ]
    # 4 men, 2 women: three pairs leave one all-male pair; two triples are both mixed
    skewed = [cadre(i, "F" if i < 2 else "M", 30 + 10 * (i % 3)) for i in range(6)]
    result = form_teams(skewed, FormationRules(size=MIXED, reference_year=YEAR))
    assert sorted(len(t.members) for t in result.teams) == [3, 3]
    assert all("mixed_gender" in t.rules_met for t in result.teams)


def test_evaluate_team_by_hand():
    rules = FormationRules(w_leader=1.0, reference_year=YEAR)
    team = evaluate_team([cadre(1, "M", 52, local=False), cadre(2, "F", 34, local=True, leader=True)], rules)
    assert set(team.rules_met) == {"mixed_gender", "has_local", "age_mix", "leader"}
    assert team.value == 0
    bad = evaluate_team([cadre(1, "M", 36, local=False), cadre(2, "M", 49, local=False)], rules)
    assert set(bad.rules_failed) == {"mixed_gender", "has_local", "age_mix", "leader"}
    assert bad.value == -(3 + 3 + 2 + 1)
    # bands are configurable: with 40 as the lower bound of the middle band, 36 and 49 differ
    wide = FormationRules(age_bands=(40, 60), reference_year=YEAR)
    assert "age_mix" in evaluate_team([cadre(1, "M", 36), cadre(2, "F", 49)], wide).rules_met


def test_bad_input_names_cadre_and_field():
    with pytest.raises(FormationError, match="干部2.*gender"):
        form_teams([cadre(1, "M", 30), cadre(2, "X", 30)], FormationRules(reference_year=YEAR))
    with pytest.raises(FormationError, match="队伍人数"):
        form_teams([cadre(1, "M", 30), cadre(2, "F", 30)], FormationRules(size=4, reference_year=YEAR))
