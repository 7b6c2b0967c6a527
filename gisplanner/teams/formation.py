"""三搭配 team formation (组建走访小组): optimal teams for weighted make-up rules.

Rules (each with a weight the official can change; weight 0 switches a rule off):
- ``mixed_gender``   男女搭配: at least one man and one woman;
- ``has_local``      本地外地搭配: at least one local cadre (locals bridge the dialect barrier);
- ``age_mix``        老中青搭配: members from at least two age bands;
- ``age_all_bands``  老中青齐全: all three age bands (teams of three only);
- ``leader``         有带队干部: a leader / experienced member;
- ``shared_sessions`` 共同可走访时段: the members can all go out in enough of the round's
                     sessions together — at least ``min_shared`` of the sessions of the member
                     who can do fewest (an evenings-only cadre is not paired with a
                     weekends-only one); heavily weighted, so it is broken only when the roster
                     leaves no other way, and the report names those teams;
- previous teams     ``keep``: reward every pair of last round's teammates kept together
                     (回头访 by the same faces); ``rotate``: penalise every such pair.

Objective. A team's value is ``-sum(weight of each applicable rule it fails) + sign * w_previous *
(previous-teammate pairs in it)``; the formation maximises the sum over teams. With fixed team sizes
this equals maximising the weighted rules met; with mixed sizes it lets triples appear only where
they avoid failures (a tiny bonus per team prefers as many pairs as possible).

Why the solution is exact:
- ``enumerate`` (small rosters): a set-partitioning integer programme over every candidate team,
  solved by HiGHS (scipy.optimize.milp, relative gap 0).
- ``matching`` (pairs only, even roster): maximum-weight perfect matching (networkx, blossom
  algorithm) on the pair values - exact for any pair scores, previous teammates included.
- ``aggregate`` (large rosters): a team's rule score depends only on its members' *types*
  (gender x local x age band x leader, only the dimensions whose rule is on), so an integer
  programme chooses how many teams of each type *composition* to form (at most a few thousand
  integer variables, whatever the roster size). Previous-team pairs are the only
  person-specific term: in ``keep`` mode every team that contains a previous pair is a specific
  candidate (the pair + a third member of some type, or an intact previous triple), so every
  partition maps to an ILP solution of equal value, and realising the ILP solution with any
  cadres of the right types can only add accidental kept pairs - hence the value reached is the
  optimum. In ``rotate`` mode the composition ILP is an upper bound (it assumes no previous pair
  meets again) and the cadres are placed into the chosen compositions so that no previous pair
  meets; when that succeeds the bound is reached and the result is optimal. If it does not
  (placement is first greedy, then an exact placement ILP), all-pair rosters are solved by
  ``matching`` and rosters small enough by ``enumerate`` instead; others say
  ``proven_optimal=False`` with the gap (not seen on realistic rosters, see bench/teams_bench.py).

Team sizes: ``2`` (an odd roster gets one triple), ``3`` (3k+1 cadres: two pairs instead of one
triple; 3k+2: one pair; see :func:`team_sizes`), ``"pairs_then_triples"`` (the optimiser chooses
freely between pairs and triples, preferring pairs; a triple appears where it avoids failures).
A single cadre cannot form a team and is reported as left over. The result's ``notes`` state
how a remainder was handled.

Length: the rules, the set-partitioning model and the rotation against the last round are one
optimisation; the readable report of a formation is in team_report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from gisplanner.progress import Progress, check, finish
from gisplanner.store.vocab import SessionKind

MIXED = "pairs_then_triples"
ENUMERATE_MAX = 5000  # candidate triples up to which a roster is solved by plain set partitioning
PREVIOUS_MODES = ("ignore", "keep", "rotate")

RULE_ZH = {
    "mixed_gender": "男女搭配",
    "has_local": "本地外地搭配",
    "age_mix": "老中青搭配",
    "age_all_bands": "老中青齐全",
    "leader": "有带队干部",
    "shared_sessions": "共同可走访时段",
    "previous_kept": "保留上轮搭档",
    "rotated": "轮换搭档",
}
BAND_ZH = ("青年", "中年", "老年")


class FormationError(ValueError):
    """Bad input to team formation (message names the cadre and the field)."""


@dataclass(frozen=True)
class CadreInfo:
    """A cadre (干部) as team formation sees them."""

    id: int
    name: str
    gender: str  # 'M' / 'F'
    birth_year: int
    is_local: bool
    dialects: tuple[str, ...] = ()
    is_leader: bool = False
    previous_team: int | None = None  # team id in the previous round, None if new
    sessions: frozenset[int] | None = None  # the round's sessions the cadre can do; None: unknown
    home_area_id: int | None = None  # home village (熟悉的村)


@dataclass(frozen=True)
class FormationRules:
    """Weights and settings of the 三搭配 rules."""

    size: int | str = 2  # 2, 3 or "pairs_then_triples"
    w_mixed_gender: float = 3.0
    w_has_local: float = 3.0
    w_age_mix: float = 2.0
    w_age_all_bands: float = 1.0
    w_leader: float = 0.0
    w_shared: float = 100.0  # 共同可走访时段: far above the others (a team that cannot go out is no team)
    min_shared: float = 0.5  # share of the least available member's sessions all must share
    # capacity: + w_capacity * (shared sessions / sessions_total) per team, a tie-break below every
    # rule that puts the evenings-only cadres together rather than spoiling two full teams
    w_capacity: float = 0.5
    sessions_total: int = 0  # the round's sessions (0: no capacity term)
    previous: str = "ignore"  # ignore / keep / rotate
    w_previous: float = 1.0
    # lower bounds (years of age) of the middle and the old band: <35 young, 35-49 middle, >=50 old
    age_bands: tuple[int, int] = (35, 50)
    reference_year: int | None = None  # default: this year

    def year(self) -> int:
        return self.reference_year if self.reference_year is not None else dt.date.today().year

    def band(self, birth_year: int) -> int:
        age = self.year() - birth_year
        return 2 if age >= self.age_bands[1] else 1 if age >= self.age_bands[0] else 0

    def previous_sign(self) -> int:
        if self.w_previous <= 0 or self.previous == "ignore":
            return 0
        return 1 if self.previous == "keep" else -1

    def active_rules(self) -> list[str]:
        names = [
            ("mixed_gender", self.w_mixed_gender),
            ("has_local", self.w_has_local),
            ("age_mix", self.w_age_mix),
            ("age_all_bands", self.w_age_all_bands),
            ("leader", self.w_leader),
            ("shared_sessions", self.w_shared),
        ]
        out = [n for n, w in names if w > 0]
        if self.previous_sign() > 0:
            out.append("previous_kept")
        elif self.previous_sign() < 0:
            out.append("rotated")
        return out

    def weight(self, rule: str) -> float:
        if rule in ("previous_kept", "rotated"):
            return self.w_previous
        if rule == "shared_sessions":
            return self.w_shared
        return getattr(self, "w_" + rule)


@dataclass
class FormedTeam:
    members: tuple[CadreInfo, ...]
    rules_met: list[str]
    rules_failed: list[str]
    value: float
    shared: int | None = None  # sessions all members can do (None: availability unknown)


@dataclass
class UnmetRule:
    """A rule some teams fail, and why."""

    rule: str
    teams_failing: int
    reason: str
    roster_limit: bool  # True: the roster makes it impossible; False: traded for heavier rules


@dataclass
class FormationResult:
    teams: list[FormedTeam]
    unmet: list[UnmetRule]
    objective: float
    upper_bound: float
    proven_optimal: bool
    method: str
    notes: list[str] = field(default_factory=list)
    leftover: list[CadreInfo] = field(default_factory=list)


# ----------------------------------------------------------------------------- scoring


def team_sizes(n: int, size: int | str) -> tuple[int, int] | None:
    """(pairs, triples) for ``n`` cadres; None when the optimiser chooses (mixed sizes)."""
    if n < 2:
        return (0, 0)
    if size == MIXED:
        return None
    if size == 2:
        return (n // 2, 0) if n % 2 == 0 else ((n - 3) // 2, 1)
    if size == 3:
        if n % 3 == 0:
            return (0, n // 3)
        if n % 3 == 1:
            return (2, (n - 4) // 3)
        return (1, (n - 2) // 3)
    raise FormationError(f"队伍人数只能是 2、3 或 {MIXED}，而不是 {size!r}")


def previous_pairs(members: Sequence[CadreInfo]) -> int:
    """How many pairs in ``members`` were teammates last round."""
    teams = [c.previous_team for c in members if c.previous_team is not None]
    return sum(k * (k - 1) // 2 for k in Counter(teams).values())


def shared_sessions(members: Sequence[CadreInfo]) -> tuple[int | None, int | None]:
    """(sessions all members can do, sessions of the least available member); (None, None)
    when some member's availability is unknown."""
    sets = [c.sessions for c in members]
    if not sets or any(x is None for x in sets):
        return None, None
    return len(frozenset.intersection(*sets)), min(len(x) for x in sets)


def shared_ok(members: Sequence[CadreInfo], rules: FormationRules) -> bool | None:
    common, least = shared_sessions(members)
    if common is None:
        return None
    return common >= max(1, math.ceil(rules.min_shared * least - 1e-9))


def evaluate_team(members: Sequence[CadreInfo], rules: FormationRules) -> FormedTeam:
    """Which active rules a team meets and fails, and its value for the objective."""
    met: list[str] = []
    failed: list[str] = []
    genders = {c.gender for c in members}
    bands = {rules.band(c.birth_year) for c in members}
    checks = {
        "mixed_gender": ("M" in genders and "F" in genders),
        "has_local": any(c.is_local for c in members),
        "age_mix": len(bands) >= 2,
        "age_all_bands": len(bands) == 3 if len(members) >= 3 else None,
        "leader": any(c.is_leader for c in members),
        "shared_sessions": shared_ok(members, rules) if rules.w_shared > 0 else None,
    }
    value = 0.0
    pp = previous_pairs(members)
    for rule in rules.active_rules():
        if rule == "previous_kept":
            ok = pp > 0
        elif rule == "rotated":
            ok = pp == 0
        else:
            ok = checks[rule]
        if ok is None:  # not applicable to this team size
            continue
        (met if ok else failed).append(rule)
        if not ok and rule not in ("previous_kept", "rotated"):
            value -= rules.weight(rule)
    value += rules.previous_sign() * rules.w_previous * pp
    shared = shared_sessions(members)[0]
    if shared is not None and rules.sessions_total > 0 and rules.w_capacity > 0:
        value += rules.w_capacity * shared / rules.sessions_total
    return FormedTeam(tuple(members), met, failed, value, shared)


def _team_bonus(rules: FormationRules) -> float:
    """Tiny per-team bonus in mixed mode so pairs are preferred when rules are indifferent."""
    if rules.size != MIXED:
        return 0.0
    weights = [rules.weight(r) for r in rules.active_rules()] or [1.0]
    return min(weights) * 1e-3


def objective_of(teams: Iterable[Sequence[CadreInfo]], rules: FormationRules) -> float:
    """The objective the formation maximises (used by tests to check optimality)."""
    bonus = _team_bonus(rules)
    return sum(evaluate_team(t, rules).value + bonus for t in teams)


# ----------------------------------------------------------------------------- validation


def _validate(cadres: Sequence[CadreInfo], rules: FormationRules) -> None:
    if rules.previous not in PREVIOUS_MODES:
        raise FormationError(f"上轮搭档处理方式只能是 {PREVIOUS_MODES}，而不是 {rules.previous!r}")
    lo, hi = rules.age_bands
    if not 0 < lo < hi:
        raise FormationError(f"年龄段分界 {rules.age_bands} 无效：应为 (中年下限, 老年下限) 且递增")
    team_sizes(len(cadres), rules.size)
    seen: set[int] = set()
    for c in cadres:
        if c.id in seen:
            raise FormationError(f"干部 {c.name} (id {c.id}) 重复出现")
        seen.add(c.id)
        if c.gender not in ("M", "F"):
            raise FormationError(f"干部 {c.name} (id {c.id}) 的性别字段 gender={c.gender!r} 应为 'M' 或 'F'")
        if not 1900 < c.birth_year <= rules.year():
            raise FormationError(f"干部 {c.name} (id {c.id}) 的出生年份 birth_year={c.birth_year} 无效")


# ----------------------------------------------------------------------------- solvers


def _solve_milp(values: np.ndarray, matrix, lower, upper, integral_ub: np.ndarray):
    """Maximise values @ x subject to lower <= matrix @ x <= upper, 0 <= x <= ub, x integer."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # imported on use: keeps start-up fast

    res = milp(
        c=-values,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(len(values)),
        bounds=Bounds(np.zeros(len(values)), integral_ub),
        # HiGHS presolve costs seconds on these programmes and gains nothing (the LP bound is
        # tight: 1 node); measured 1.9 s -> 0.16 s for 200 cadres in triples keeping last teams
        options={"mip_rel_gap": 0.0, "time_limit": 120.0, "presolve": False},
    )
    if res.x is None:
        raise FormationError(f"整数规划无解：{res.message}")
    return np.round(res.x).astype(int), -res.fun


def _size_rows(sizes: list[int], fixed: tuple[int, int] | None):
    """Constraint rows fixing how many pairs and triples (fixed sizes only)."""
    if fixed is None:
        return [], [], []
    rows, lo = [], []
    for s, count in ((2, fixed[0]), (3, fixed[1])):
        rows.append([1.0 if k == s else 0.0 for k in sizes])
        lo.append(count)
    return rows, lo, lo


def _enumerate(cadres: Sequence[CadreInfo], rules: FormationRules, fixed, progress: Progress | None):
    """Set partitioning over every candidate team: exact for any roster small enough."""
    from scipy import sparse

    n = len(cadres)
    allowed = (2, 3)
    cands: list[tuple[int, ...]] = []
    for s in allowed:
        if fixed is not None and fixed[allowed.index(s)] == 0:
            continue
        cands.extend(itertools.combinations(range(n), s))
    bonus = _team_bonus(rules)
    values = np.array([evaluate_team([cadres[i] for i in c], rules).value + bonus for c in cands])
    rows, cols = [], []
    for j, c in enumerate(cands):
        rows.extend(c)
        cols.extend([j] * len(c))
    cover = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(cands)))
    srows, slo, shi = _size_rows([len(c) for c in cands], fixed)
    matrix = sparse.vstack([cover, sparse.csr_matrix(np.array(srows).reshape(len(srows), len(cands)))])
    lower = np.concatenate([np.ones(n), slo])
    upper = np.concatenate([np.ones(n), shi])
    x, best = _solve_milp(values, matrix, lower, upper, np.ones(len(cands)))
    teams = [[cadres[i] for i in cands[j]] for j in np.flatnonzero(x)]
    return teams, best, True


def _matching(cadres: Sequence[CadreInfo], rules: FormationRules):
    """Pairs only: maximum-weight perfect matching (networkx, Edmonds' blossom algorithm)."""
    import networkx as nx

    values = {}
    for i, j in itertools.combinations(range(len(cadres)), 2):
        values[(i, j)] = evaluate_team([cadres[i], cadres[j]], rules).value
    shift = -min(values.values()) + 1.0  # positive weights; with maxcardinality every cadre is paired
    graph = nx.Graph()
    graph.add_weighted_edges_from((i, j, v + shift) for (i, j), v in values.items())
    pairs = nx.max_weight_matching(graph, maxcardinality=True)
    teams = [[cadres[i], cadres[j]] for i, j in pairs]
    return teams, objective_of(teams, rules), True


def _type_key(c: CadreInfo, rules: FormationRules) -> tuple:
    """The attributes the rule score depends on (only those whose rule is on)."""
    return (
        c.gender if rules.w_mixed_gender > 0 else "",
        c.is_local if rules.w_has_local > 0 else False,
        rules.band(c.birth_year) if (rules.w_age_mix > 0 or rules.w_age_all_bands > 0) else 0,
        c.is_leader if rules.w_leader > 0 else False,
        c.sessions if rules.w_shared > 0 else None,
    )


def _unit_options(members: list[int], allow_pairs: bool, allow_triples: bool) -> list[list[tuple[int, ...]]]:
    """Every non-empty set of disjoint kept units (pairs / intact triples) from one previous team."""
    units = []
    if allow_pairs:
        units += list(itertools.combinations(members, 2))
    if allow_triples:
        units += list(itertools.combinations(members, 3))
    options: list[list[tuple[int, ...]]] = []

    def grow(start: int, chosen: list[tuple[int, ...]], taken: set[int]) -> None:
        for u in range(start, len(units)):
            if taken.isdisjoint(units[u]):
                option = [*chosen, units[u]]
                options.append(option)
                grow(u + 1, option, taken | set(units[u]))

    grow(0, [], set())
    return options


def _aggregate(cadres: Sequence[CadreInfo], rules: FormationRules, fixed, progress: Progress | None):
    """Composition-count ILP over cadre types, plus kept previous-team units (keep mode)."""
    from scipy import sparse

    keys = sorted({_type_key(c, rules) for c in cadres}, key=repr)
    kidx = {k: i for i, k in enumerate(keys)}
    ctype = [kidx[_type_key(c, rules)] for c in cadres]
    counts = Counter(ctype)
    # a representative cadre per type, stripped of its previous team, scores a composition
    rep = {}
    for i, c in enumerate(cadres):
        rep.setdefault(
            ctype[i], CadreInfo(-1, "", c.gender, c.birth_year, c.is_local, (), c.is_leader, None, c.sessions)
        )

    def typeval(types) -> float:
        return evaluate_team([rep[k] for k in types], rules).value + bonus

    sizes_allowed = [s for s in (2, 3) if fixed is None or fixed[(2, 3).index(s)] > 0]
    bonus = _team_bonus(rules)
    nt = len(keys)
    # columns: ("g", comp) generic team; ("w", pair_type, third_type|None) kept pair + a third;
    # ("z", group, option) which units of one previous team are kept.
    columns: list[tuple] = []
    values: list[float] = []
    for s in sizes_allowed:
        for comp in itertools.combinations_with_replacement(range(nt), s):
            if all(comp.count(k) <= counts[k] for k in set(comp)):
                columns.append(("g", comp))
                values.append(typeval(comp))

    sign = rules.previous_sign()
    groups: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(cadres):
        if c.previous_team is not None:
            groups[c.previous_team].append(i)
    group_ids = sorted(g for g, m in groups.items() if len(m) >= 2) if sign > 0 else []
    pair_types: list[tuple[int, int]] = []
    if group_ids:
        for g in group_ids:
            opts = _unit_options(groups[g], allow_pairs=True, allow_triples=3 in sizes_allowed)
            for opt in opts:
                columns.append(("z", g, opt))
                v = sum(typeval([ctype[p] for p in u]) + 3 * rules.w_previous for u in opt if len(u) == 3)
                values.append(v)
                for u in opt:
                    if len(u) == 2:
                        pair_types.append(tuple(sorted((ctype[u[0]], ctype[u[1]]))))
        pair_types = sorted(set(pair_types))
        for pt in pair_types:
            thirds = ([None] if 2 in sizes_allowed else []) + (list(range(nt)) if 3 in sizes_allowed else [])
            for k in thirds:
                if k is not None and counts[k] - pt.count(k) <= 0:
                    continue
                columns.append(("w", pt, k))
                values.append(typeval(pt if k is None else (*pt, k)) + rules.w_previous)

    # rows: types, then one per previous team (at most one option), then one per pair type (balance)
    g_row = {g: nt + r for r, g in enumerate(group_ids)}
    p_row = {pt: nt + len(group_ids) + r for r, pt in enumerate(pair_types)}
    nrow = nt + len(group_ids) + len(pair_types)
    rows, cols, data = [], [], []
    ub = np.zeros(len(columns))
    col_sizes = []  # 2 / 3 per team formed, 0 when the column forms no team by itself
    for j, col in enumerate(columns):
        use: Counter = Counter()
        if col[0] == "g":
            use.update(col[1])
            ub[j] = min(counts[k] // m for k, m in Counter(col[1]).items())
            col_sizes.append((len(col[1]), 1))
        elif col[0] == "w":
            _, pt, k = col
            if k is not None:
                use[k] += 1
            rows.append(p_row[pt])
            cols.append(j)
            data.append(-1.0)
            ub[j] = len(cadres)
            col_sizes.append((2 if k is None else 3, 1))
        else:
            _, g, opt = col
            for u in opt:
                use.update(ctype[p] for p in u)
                if len(u) == 2:
                    rows.append(p_row[tuple(sorted((ctype[u[0]], ctype[u[1]])))])
                    cols.append(j)
                    data.append(1.0)
            rows.append(g_row[g])
            cols.append(j)
            data.append(1.0)
            ub[j] = 1
            col_sizes.append((3, sum(len(u) == 3 for u in opt)))
        for k, m in use.items():
            rows.append(k)
            cols.append(j)
            data.append(float(m))
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(nrow, len(columns)))
    lower = np.array([counts[k] for k in range(nt)] + [0] * len(group_ids) + [0] * len(pair_types), float)
    upper = np.array([counts[k] for k in range(nt)] + [1] * len(group_ids) + [0] * len(pair_types), float)
    if fixed is not None:
        srows = [[m if s == size else 0.0 for s, m in col_sizes] for size in (2, 3)]
        matrix = sparse.vstack([matrix, sparse.csr_matrix(np.array(srows, dtype=float))])
        lower = np.concatenate([lower, fixed])
        upper = np.concatenate([upper, fixed])
    check(progress, 0.3, "求解整数规划")
    x, bound = _solve_milp(np.array(values), matrix, lower, upper, ub)

    # realise: kept units first, then fill type slots from the pool of the other cadres
    used: set[int] = set()
    skeletons: list[tuple[list[int], list[int]]] = []  # (fixed cadre idx, slot types)
    pair_units: dict[tuple[int, int], list[tuple[int, ...]]] = defaultdict(list)
    for j in np.flatnonzero(x):
        col = columns[j]
        if col[0] == "z":
            for u in col[2]:
                used.update(u)
                if len(u) == 3:
                    skeletons.append((list(u), []))
                else:
                    pair_units[tuple(sorted((ctype[u[0]], ctype[u[1]])))].append(u)
    for j in np.flatnonzero(x):
        col = columns[j]
        for _ in range(x[j]):
            if col[0] == "g":
                skeletons.append(([], list(col[1])))
            elif col[0] == "w":
                unit = pair_units[col[1]].pop()
                skeletons.append((list(unit), [] if col[2] is None else [col[2]]))
    pool: dict[int, list[int]] = defaultdict(list)
    for i in range(len(cadres)):
        if i not in used:
            pool[ctype[i]].append(i)
    teams_idx = _fill_slots(skeletons, pool, cadres, ctype, avoid_previous=sign < 0)
    teams = [[cadres[i] for i in t] for t in teams_idx]
    return teams, bound, None


def _fill_slots(skeletons, pool, cadres, ctype, avoid_previous: bool) -> list[list[int]]:
    """Put pool cadres into type slots; with ``avoid_previous`` keep last round's teammates apart."""
    # largest previous groups first: they are the hardest to keep apart
    group_size = Counter(c.previous_team for c in cadres if c.previous_team is not None)
    for k in pool:
        pool[k].sort(key=lambda i: (-group_size.get(cadres[i].previous_team, 0), cadres[i].id))
    teams = [list(fixed) for fixed, _ in skeletons]
    slot_list = [(t, k) for t, (_, slots) in enumerate(skeletons) for k in slots]
    for t, k in slot_list:
        cands = pool[k]
        pick = 0
        if avoid_previous:
            present = {cadres[i].previous_team for i in teams[t]} - {None}
            for pos, i in enumerate(cands):
                if cadres[i].previous_team is None or cadres[i].previous_team not in present:
                    pick = pos
                    break
        teams[t].append(cands.pop(pick))
    if avoid_previous:
        _repair_conflicts(teams, skeletons, cadres, ctype)
        if any(previous_pairs([cadres[i] for i in t]) for t in teams):
            teams = _place_apart(skeletons, teams, cadres, ctype) or teams
    return teams


def _place_apart(skeletons, teams, cadres, ctype) -> list[list[int]] | None:
    """Exact placement of the pool cadres into the slots with no previous pair together, or None."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    fixed = [list(f) for f, _ in skeletons]
    placed = [i for t, members in enumerate(teams) for i in members if i not in set(fixed[t])]
    slots = [Counter(s) for _, s in skeletons]
    var = [(i, t) for i in placed for t in range(len(teams)) if slots[t][ctype[i]] > 0]
    vidx = {v: j for j, v in enumerate(var)}
    rows, cols, lo, hi = [], [], [], []
    r = 0
    for i in placed:  # every cadre placed once
        for t in range(len(teams)):
            if (i, t) in vidx:
                rows.append(r)
                cols.append(vidx[(i, t)])
        lo.append(1)
        hi.append(1)
        r += 1
    by_type: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (i, t), j in vidx.items():
        by_type[(t, ctype[i])].append(j)
    for (t, k), js in by_type.items():  # every slot filled
        rows.extend([r] * len(js))
        cols.extend(js)
        lo.append(slots[t][k])
        hi.append(slots[t][k])
        r += 1
    by_group: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (i, t), j in vidx.items():
        if cadres[i].previous_team is not None:
            by_group[(t, cadres[i].previous_team)].append(j)
    for (t, g), js in by_group.items():  # at most one member of a previous team per team
        already = sum(cadres[i].previous_team == g for i in fixed[t])
        if len(js) + already > 1:
            rows.extend([r] * len(js))
            cols.extend(js)
            lo.append(0)
            hi.append(1 - already)
            r += 1
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(r, len(var)))
    res = milp(
        c=np.zeros(len(var)),
        constraints=LinearConstraint(matrix, lo, hi),
        integrality=np.ones(len(var)),
        bounds=Bounds(0, 1),
        options={"time_limit": 30.0},
    )
    if res.x is None:
        return None
    out = [list(f) for f in fixed]
    for j in np.flatnonzero(np.round(res.x)):
        i, t = var[j]
        out[t].append(i)
    return out


def _repair_conflicts(teams, skeletons, cadres, ctype, rounds: int = 20) -> None:
    """Swap same-type pool cadres between teams while that removes previous-teammate pairs."""
    fixed = [set(f) for f, _ in skeletons]

    def conflicts(members):
        return previous_pairs([cadres[i] for i in members])

    for _ in range(rounds):
        improved = False
        bad = [t for t in range(len(teams)) if conflicts(teams[t]) > 0]
        if not bad:
            return
        for t in bad:
            for a in [i for i in teams[t] if i not in fixed[t]]:
                done = False
                for u in range(len(teams)):
                    if u == t:
                        continue
                    for b in [i for i in teams[u] if i not in fixed[u]]:
                        if ctype[a] != ctype[b]:  # same type: the rule score is unchanged
                            continue
                        before = conflicts(teams[t]) + conflicts(teams[u])
                        ta = [b if i == a else i for i in teams[t]]
                        ub = [a if i == b else i for i in teams[u]]
                        if conflicts(ta) + conflicts(ub) < before:
                            teams[t], teams[u] = ta, ub
                            improved = done = True
                            break
                    if done:
                        break
                if done:
                    break
        if not improved:
            return


# ----------------------------------------------------------------------------- the report


def _explain(teams: list[FormedTeam], cadres: Sequence[CadreInfo], rules: FormationRules) -> list[UnmetRule]:
    n_teams = len(teams)
    n_triples = sum(1 for t in teams if len(t.members) >= 3)
    men = sum(c.gender == "M" for c in cadres)
    women = len(cadres) - men
    locals_ = sum(c.is_local for c in cadres)
    leaders = sum(c.is_leader for c in cadres)
    bands = Counter(rules.band(c.birth_year) for c in cadres)
    biggest_band, biggest = max(((b, bands.get(b, 0)) for b in range(3)), key=lambda p: p[1])
    groups = Counter(c.previous_team for c in cadres if c.previous_team is not None)
    kept_pairs_possible = sum(g // 2 for g in groups.values())
    lo, hi = rules.age_bands
    band_label = {0: f"{lo}岁以下", 1: f"{lo}–{hi - 1}岁", 2: f"{hi}岁及以上"}

    out: list[UnmetRule] = []
    for rule in rules.active_rules():
        failing = sum(rule in t.rules_failed for t in teams)
        if failing == 0:
            continue
        applicable = n_triples if rule == "age_all_bands" else n_teams
        limit, why = applicable, ""
        if rule == "mixed_gender" and min(men, women) < n_teams:
            fewer, word = (women, "女干部") if women <= men else (men, "男干部")
            limit = fewer
            why = f"共{n_teams}个队伍，但只有{fewer}名{word}：{n_teams - fewer}个队伍无法男女搭配"
        elif rule == "has_local" and locals_ < n_teams:
            limit = locals_
            why = f"共{n_teams}个队伍，但只有{locals_}名本地干部：{n_teams - locals_}个队伍没有本地干部"
        elif rule == "age_mix" and len(cadres) - biggest < n_teams:
            limit = len(cadres) - biggest
            why = (
                f"共{n_teams}个队伍，但{band_label[biggest_band]}以外的干部只有{limit}名"
                f"（{band_label[biggest_band]}有{biggest}名）：{n_teams - limit}个队伍无法跨年龄段搭配"
            )
        elif rule == "age_all_bands" and min(bands.get(b, 0) for b in range(3)) < n_triples:
            b_min = min(range(3), key=lambda b: bands.get(b, 0))
            limit = bands.get(b_min, 0)
            why = (
                f"共{n_triples}个三人组，但{band_label[b_min]}干部只有{limit}名："
                f"{n_triples - limit}个三人组无法老中青齐全"
            )
        elif rule == "leader" and leaders < n_teams:
            limit = leaders
            why = f"共{n_teams}个队伍，但只有{leaders}名带队干部：{n_teams - leaders}个队伍没有带队干部"
        elif rule == "shared_sessions":
            bad = [t for t in teams if rule in t.rules_failed]
            names = "；".join(
                "、".join(c.name for c in t.members) + f"（共同 {t.shared} 个时段）" for t in bad[:5]
            )
            more = f" 等{len(bad)}个队伍" if len(bad) > 5 else ""
            limit = applicable - failing
            why = (
                f"{names}{more}：成员共同可走访的时段少于可走访最少者的{rules.min_shared:.0%}，"
                "花名册中找不到时段更合适的搭档（请调整干部可走访时段、请假，或在日历中增加时段）"
            )
        elif rule == "previous_kept" and kept_pairs_possible < n_teams:
            limit = kept_pairs_possible
            why = (
                f"共{n_teams}个队伍，但本轮可用的上轮搭档只够{kept_pairs_possible}对："
                f"{n_teams - kept_pairs_possible}个队伍无法保留上轮搭档"
            )
        forced = applicable - limit
        if failing > forced:
            tradeoff = f"另有{failing - forced}个队伍未满足：花名册本可满足，但会牺牲权重更高的规则（按权重最优取舍）"
            why = f"{why}；{tradeoff}" if why else tradeoff
        out.append(UnmetRule(rule, failing, why, roster_limit=forced > 0))
    return out


def _size_notes(n: int, rules: FormationRules, teams: list[FormedTeam]) -> list[str]:
    pairs = sum(len(t.members) == 2 for t in teams)
    triples = sum(len(t.members) == 3 for t in teams)
    if rules.size == 2 and n % 2 == 1 and n >= 3:
        return [f"干部人数{n}为奇数：组成{pairs}个两人组和1个三人组"]
    if rules.size == 3 and n % 3 != 0 and n >= 2:
        return [f"干部人数{n}不能被3整除：组成{triples}个三人组和{pairs}个两人组"]
    if rules.size == MIXED:
        return [f"尽量两人一组，规则需要时组成三人组：{pairs}个两人组，{triples}个三人组"]
    return []


def form_teams(
    cadres: Sequence[CadreInfo],
    rules: FormationRules | None = None,
    *,
    method: str = "auto",
    progress: Progress | None = None,
) -> FormationResult:
    """Form optimal teams from the available cadres (see the module docstring for the method)."""
    rules = rules or FormationRules()
    cadres = sorted(cadres, key=lambda c: c.id)
    _validate(cadres, rules)
    n = len(cadres)
    if n < 2:
        note = "可用干部不足两人，无法组队" if n else "没有可用干部"
        return FormationResult([], [], 0.0, 0.0, True, "none", [note], list(cadres))
    fixed = team_sizes(n, rules.size)
    if method not in ("auto", "aggregate", "enumerate", "matching"):
        raise FormationError(f"未知的求解方法 {method!r}")
    check(progress, 0.05, "组建队伍")
    if method == "enumerate":
        raw, bound, _ = _enumerate(cadres, rules, fixed, progress)
    elif method == "matching":
        if fixed != (n // 2, 0):
            raise FormationError("最大权匹配只适用于偶数人数的两人组")
        raw, bound, _ = _matching(cadres, rules)
    else:
        raw, bound, _ = _aggregate(cadres, rules, fixed, progress)
    objective = objective_of(raw, rules)
    proven = objective >= bound - 1e-6
    if not proven and method == "auto" and fixed == (n // 2, 0):
        # all pairs: maximum-weight perfect matching is exact for any pair scores
        raw, bound, _ = _matching(cadres, rules)
        objective, method, proven = objective_of(raw, rules), "matching", True
    elif not proven and method == "auto" and math.comb(n, 3) <= ENUMERATE_MAX:
        # rotate mode on a roster where the composition bound cannot be reached: solve exactly
        raw, bound, _ = _enumerate(cadres, rules, fixed, progress)
        objective, method = objective_of(raw, rules), "enumerate"
        proven = True
    elif method == "auto":
        method = "aggregate"
    teams = [evaluate_team(sorted(t, key=lambda c: c.id), rules) for t in raw]
    teams.sort(key=lambda t: t.members[0].id)
    notes = _size_notes(n, rules, teams)
    if not proven:
        notes.append(f"未能证明最优：目标值 {objective:.3f}，上界 {bound:.3f}")
    finish(progress)
    return FormationResult(teams, _explain(teams, cadres, rules), objective, bound, proven, method, notes)


# ----------------------------------------------------------------------------- teams in the database


@dataclass
class StoredFormation:
    """A formation stored for a round: the result and the new team ids (in ``result.teams`` order)."""

    round_id: int
    team_ids: list[int]
    result: FormationResult
    previous_round_id: int | None


def previous_round_id(s, round_id: int) -> int | None:
    """The most recent earlier round that has teams."""
    from sqlalchemy import select

    from gisplanner.store.model import Round, Team

    rnd = s.get(Round, round_id)
    if rnd is None:
        raise FormationError(f"找不到走访轮次 {round_id}")
    q = select(Round).where(Round.id != round_id, Round.id.in_(select(Team.round_id)))
    earlier = [
        r
        for r in s.scalars(q)
        if (r.start_date, r.id) < (rnd.start_date or dt.date.max, rnd.id)
        or (rnd.start_date is None and r.id < rnd.id)
    ]
    if not earlier:
        return None
    return max(earlier, key=lambda r: (r.start_date or dt.date.min, r.id)).id


def staffing_area_ids(s, round_id: int) -> set[int] | None:
    """The areas whose cadres can staff a round: the town (镇/街道) the round's area lies in and
    everything below it — a village round or a 补课访 of three villages is staffed from the town's
    cadres. A round over a district or city uses the cadres in that area. None: no area (all)."""
    from gisplanner.store.area_tree import area_and_below
    from gisplanner.store.model import Area, Round

    rnd = s.get(Round, round_id)
    if rnd is None or rnd.scope_area_id is None:
        return None
    area = s.get(Area, rnd.scope_area_id)
    top = area
    while top is not None and top.level == "village" and top.parent_id is not None:
        top = s.get(Area, top.parent_id)
    return area_and_below(s, (top or area).id)


def round_session_sets(s, round_id: int, cadres) -> dict[int, frozenset[int]] | None:
    """Cadre id -> the round's sessions (ids) the cadre can do (kind and leave). A round without
    sessions is judged on the sessions its templates would give it over its dates (negative
    ids); None when it has neither sessions nor dates."""
    from sqlalchemy import select

    from gisplanner.store.model import Round, VisitSession

    rows = [
        (v.id, v.kind, v.start.date())
        for v in s.scalars(select(VisitSession).where(VisitSession.round_id == round_id))
    ]
    if not rows:
        rnd = s.get(Round, round_id)
        if rnd is None or rnd.start_date is None or rnd.end_date is None:
            return None
        from gisplanner.campaign.schedule import template_specs

        specs, _ = template_specs(s, rnd.start_date, rnd.end_date, tuple(SessionKind))
        rows = [(-(n + 1), sp.kind, sp.start.date()) for n, sp in enumerate(specs)]
    out = {}
    for c in cadres:
        kinds = set(c.kinds)
        leaves = [(lv.start_date, lv.end_date) for lv in c.leaves]
        out[c.id] = frozenset(
            sid for sid, kind, day in rows if kind in kinds and not any(a <= day <= b for a, b in leaves)
        )
    return out


def round_cadres(s, round_id: int) -> tuple[list[CadreInfo], int | None]:
    """The cadres available for a round (active, serving the town the round lies in, free for at
    least one of its sessions) with the sessions each can do, and the previous round whose
    teams fill ``previous_team``."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from gisplanner.store.model import Cadre, Round, Team, TeamMember

    rnd = s.get(Round, round_id)
    if rnd is None:
        raise FormationError(f"找不到走访轮次 {round_id}")
    q = select(Cadre).where(Cadre.active.is_(True)).options(selectinload(Cadre.leaves))
    scope = staffing_area_ids(s, round_id)
    if scope is not None:
        q = q.where(Cadre.area_id.in_(scope) | Cadre.area_id.is_(None))
    cadres = list(s.scalars(q.order_by(Cadre.id)))
    sets = round_session_sets(s, round_id, cadres)
    if sets is not None:
        cadres = [c for c in cadres if sets[c.id]]
    prev_id = previous_round_id(s, round_id)
    prev: dict[int, int] = {}
    if prev_id is not None:
        rows = s.execute(
            select(TeamMember.cadre_id, TeamMember.team_id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.round_id == prev_id)
        )
        prev = {cid: tid for cid, tid in rows}
    infos = [
        CadreInfo(
            c.id,
            c.name,
            c.gender,
            c.birth_year,
            bool(c.is_local),
            tuple(d.strip() for d in (c.dialects or "").split(",") if d.strip()),
            bool(c.is_leader),
            prev.get(c.id),
            sets[c.id] if sets is not None else None,
            c.home_area_id,
        )
        for c in cadres
    ]
    return infos, prev_id


def choose_cadres(
    cadres: Sequence[CadreInfo], n: int, round_area_ids: set[int] | None
) -> tuple[list[CadreInfo], list[str]]:
    """``n`` cadres for a round smaller than the town: women and men in turn, on each side those
    whose home village (所在村) lies in the round's area first, then local cadres, then the most
    available; notes say who was chosen."""
    if n >= len(cadres):
        return list(cadres), []

    def key(c: CadreInfo):
        home = round_area_ids is not None and c.home_area_id in round_area_ids
        return (not home, not c.is_local, -(len(c.sessions) if c.sessions is not None else 0), c.id)

    # as many women as men where the roster allows (男女搭配), each side in the order above
    sides = [sorted((c for c in cadres if c.gender == g), key=key) for g in ("F", "M")]
    picked: list[CadreInfo] = []
    while len(picked) < n and any(sides):
        for side in sorted(sides, key=lambda side: key(side[0]) if side else (True,)):
            if side and len(picked) < n:
                picked.append(side.pop(0))
    chosen = sorted(picked, key=lambda c: c.id)
    home = sum(1 for c in chosen if round_area_ids is not None and c.home_area_id in round_area_ids)
    notes = [
        f"从 {len(cadres)} 名可用干部中选出 {n} 名（家在本轮区域的 {home} 名优先，其次本地干部、可走访时段多者）"
    ]
    return chosen, notes


def delete_round_teams(s, round_id: int) -> int:
    """Remove a round's teams (their members and routes; assignments become unassigned)."""
    from sqlalchemy import delete, select, update

    from gisplanner.store.model import Assignment, Route, RouteStop, Team, TeamMember, Visit

    ids = list(s.scalars(select(Team.id).where(Team.round_id == round_id)))
    if not ids:
        return 0
    routes = select(Route.id).where(Route.team_id.in_(ids))
    s.execute(delete(RouteStop).where(RouteStop.route_id.in_(routes)))
    s.execute(delete(Route).where(Route.team_id.in_(ids)))
    s.execute(update(Assignment).where(Assignment.team_id.in_(ids)).values(team_id=None))
    s.execute(update(Visit).where(Visit.team_id.in_(ids)).values(team_id=None))
    s.execute(delete(TeamMember).where(TeamMember.team_id.in_(ids)))
    s.execute(delete(Team).where(Team.id.in_(ids)))
    return len(ids)


def form_round_teams(
    store,
    round_id: int,
    rules: FormationRules | None = None,
    progress: Progress | None = None,
    teams: int | None = None,
) -> StoredFormation:
    """Form teams for a round from its available cadres and store them, replacing the round's
    teams in one transaction (assignments of the old teams become unassigned).

    ``teams``: how many teams at most (a village round needs fewer than the town has); the
    cadres are then chosen by :func:`choose_cadres`. A team whose member lives in a village of
    the round is based there (office_area_id), so the territory split gives it that village.
    """
    from gisplanner.store.area_tree import area_and_below
    from gisplanner.store.model import Round, Team, TeamMember

    rules = rules or FormationRules()
    if teams is not None and teams < 1:
        raise FormationError(f"队伍数 {teams} 应至少为 1")
    with store.session() as s:
        cadres, prev_id = round_cadres(s, round_id)
        known = set().union(*(c.sessions for c in cadres if c.sessions is not None))
        if known and rules.sessions_total == 0:
            rules = dataclasses.replace(rules, sessions_total=len(known))
        rnd = s.get(Round, round_id)
        inside = area_and_below(s, rnd.scope_area_id) if rnd.scope_area_id is not None else None
        notes: list[str] = []
        if teams is not None:
            per = 3 if rules.size == 3 else 2
            cadres, notes = choose_cadres(cadres, teams * per, inside)
        result = form_teams(cadres, rules, progress=progress)
        result.notes[:0] = notes
        delete_round_teams(s, round_id)
        team_ids = []
        for n, team in enumerate(result.teams, start=1):
            # the leader: a cadre flagged as leader, else the eldest
            lead = max(team.members, key=lambda c: (c.is_leader, -c.birth_year, -c.id))
            homes = [c.home_area_id for c in sorted(team.members, key=lambda c: c is not lead)]
            base = next((h for h in homes if h is not None and (inside is None or h in inside)), None)
            row = Team(round_id=round_id, name=f"第{n}组", office_area_id=base)
            row.members = [
                TeamMember(cadre_id=c.id, role="leader" if c is lead else "member") for c in team.members
            ]
            s.add(row)
            s.flush()
            team_ids.append(row.id)
    return StoredFormation(round_id, team_ids, result, prev_id)


def round_team_members(store, round_id: int) -> dict[int, list[str]]:
    """Team id -> member names (the leader first) of a round's teams."""
    from sqlalchemy import select

    from gisplanner.store.model import Cadre, Team, TeamMember

    out: dict[int, list[str]] = {}
    with store.session() as s:
        rows = s.execute(
            select(Team.id, Cadre.name, TeamMember.role)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Cadre, Cadre.id == TeamMember.cadre_id)
            .where(Team.round_id == round_id)
            .order_by(Team.id, TeamMember.id)
        ).all()
    for tid, name, role in rows:
        names = out.setdefault(tid, [])
        names.insert(0, name) if role == "leader" else names.append(name)
    return out
