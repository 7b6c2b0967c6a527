"""Capacity before planning (容量测算): does the round's work fit its teams' sessions?

For each team: the work (service minutes by target type, as the schedule rules set them,
plus the estimated walk between visits and from the village office out and back in every
session used) against the session time all its members can give. Because a target can only
be visited in the sessions where it has a window (an enterprise in working hours, an elderly
person living alone in the daytime), "fits" is decided by a max-flow of work from targets
to the sessions they can be visited in, not by comparing two sums.

When a round does not fit: how many more sessions (of the round's mean length) or teams
(of the round's mean capacity) it needs, and the date by which the current teams would be
done if their sessions went on in the same weekly rhythm.

The arithmetic is in plain functions over :class:`~gisplanner.planning.plan_input.RoundInput` (the
planner reads the round the same way), so the figures and the plan agree.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from gisplanner.campaign.schedule import Availability, SessionInfo
from gisplanner.planning.plan_input import RoundInput, TeamInput, load_round, round_availability
from gisplanner.progress import Progress, check
from gisplanner.routing.matrix import WALKING, TravelProfile

SPLIT_TOLERANCE = 0.10  # the territory split's balance (territory.split_round's tolerance)


@dataclass(frozen=True)
class CapacityConfig:
    """How walking is estimated before any route exists (calibrated against planned routes,
    see bench/plan_bench.py)."""

    profile: TravelProfile = WALKING
    detour: float = 1.3  # straight line × detour = walking distance
    between_factor: float = 2.0  # route legs between visits vs nearest-neighbour distance
    min_walk_minutes: float = 1.0  # between two visits, even in one building
    leg_factor: float = 1.3  # office → first visit and last visit → office vs mean office distance
    end_slack: float = 10.0  # minutes at a session's end too short for one more visit (on average)
    # before teams exist (no offices, no legs): the share of a session a team loses walking out
    # and back; the demo town's teams lose 10-25 %, and every team must fit, so the high end
    leg_share: float = 0.3


@dataclass
class TeamCapacity:
    team_id: int
    name: str
    targets: int  # assigned to the team
    plannable: int  # with a window in a session the team can do
    service_minutes: float
    walking_minutes: float
    workload_minutes: float
    available_minutes: float  # every session all members can do
    sessions: int
    sessions_needed: int
    fitting_minutes: float  # the part of the work that the sessions can take (windows respected)
    fits: bool
    shortfall_minutes: float
    finish: dt.date | None  # last session needed, or extrapolated past the round; None = never

    @property
    def load(self) -> float:
        """Workload / available time (1.0 = exactly full)."""
        return self.workload_minutes / self.available_minutes if self.available_minutes else math.inf


@dataclass
class RoundCapacity:
    round_id: int
    name: str
    targets: int
    with_window: int  # have a window in some session of the round
    no_window: int
    no_team: int  # not assigned to a team
    no_team_session: int  # windows only in sessions their team's members cannot do
    workload_minutes: float
    available_minutes: float
    fits: bool
    extra_sessions_needed: int
    extra_teams_needed: int
    expected_finish: dt.date | None
    session_minutes: float  # mean session length
    teams: list[TeamCapacity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The `capacity` object of `plan --json` (keys are a contract)."""
        return {
            "workload_minutes": round(self.workload_minutes, 1),
            "available_minutes": round(self.available_minutes, 1),
            "fits": self.fits,
            "extra_sessions_needed": self.extra_sessions_needed,
            "extra_teams_needed": self.extra_teams_needed,
            "expected_finish": self.expected_finish.isoformat() if self.expected_finish else None,
            "targets": self.targets,
            "with_window": self.with_window,
            "no_window": self.no_window,
            "no_team": self.no_team,
            "no_team_session": self.no_team_session,
            "session_minutes": round(self.session_minutes, 1),
            "notes": self.notes,
            "teams": [
                {
                    **{k: v for k, v in asdict(t).items() if k != "finish"},
                    "finish": t.finish.isoformat() if t.finish else None,
                    "service_minutes": round(t.service_minutes, 1),
                    "walking_minutes": round(t.walking_minutes, 1),
                    "workload_minutes": round(t.workload_minutes, 1),
                    "available_minutes": round(t.available_minutes, 1),
                    "fitting_minutes": round(t.fitting_minutes, 1),
                    "shortfall_minutes": round(t.shortfall_minutes, 1),
                }
                for t in self.teams
            ],
        }

    def summary_zh(self) -> str:
        h = self.workload_minutes / 60
        a = self.available_minutes / 60
        if self.fits:
            end = f"，预计 {self.expected_finish:%m-%d} 前完成" if self.expected_finish else ""
            return f"工作量约 {h:.0f} 小时，可用时段 {a:.0f} 小时：时间够用{end}"
        need = []
        if self.extra_sessions_needed:
            need.append(f"再加 {self.extra_sessions_needed} 个时段")
        if self.extra_teams_needed:
            need.append(f"再加 {self.extra_teams_needed} 个小组")
        end = f"；按现有小组约 {self.expected_finish:%Y-%m-%d} 完成" if self.expected_finish else ""
        return f"工作量约 {h:.0f} 小时，可用时段 {a:.0f} 小时：时间不够，需{'或'.join(need) or '调整'}{end}"


# --------------------------------------------------------------------------- arithmetic


def session_minutes(s: SessionInfo) -> float:
    return (s.end - s.start).total_seconds() / 60.0


def walk_minutes(metres, cfg: CapacityConfig) -> np.ndarray:
    return np.asarray(metres, dtype=float) * cfg.detour / (cfg.profile.speed_kmh * 1000.0 / 60.0)


def visit_minutes(xy: np.ndarray, service: np.ndarray, cfg: CapacityConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per target: (service minutes, walking minutes to it from the previous visit), the walk
    estimated from the distance to its nearest neighbour among the team's targets."""
    n = len(service)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    if n == 1:
        nn = np.zeros(1)
    else:
        from scipy.spatial import cKDTree

        d, _ = cKDTree(xy).query(xy, k=2)
        nn = d[:, 1]
    walk = np.maximum(walk_minutes(nn, cfg) * cfg.between_factor, cfg.min_walk_minutes)
    return np.asarray(service, float), walk


def max_flow_minutes(demand: dict[tuple, float], capacity: dict[int, float]) -> float:
    """How many minutes of work the sessions can take.

    ``demand`` maps a class of targets — a tuple of (session id, minutes of the session its
    windows span) — to the work of the class; the class's work flows only into those
    sessions, at most the span into each (a rural household's evening window ends before
    the evening session does), and each session holds at most its ``capacity``.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    classes = [c for c, d in demand.items() if d > 0 and c]
    if not classes or not capacity:
        return 0.0
    sids = sorted(capacity)
    col = {sid: i for i, sid in enumerate(sids)}
    n = 2 + len(classes) + len(sids)  # source 0, classes, sessions, sink n-1
    edges: dict[tuple[int, int], int] = {}
    scale = 10  # tenths of a minute: integer capacities
    for k, c in enumerate(classes, start=1):
        edges[(0, k)] = int(round(demand[c] * scale))
        for sid, span in c:
            if sid in col:
                key = (k, 1 + len(classes) + col[sid])
                edges[key] = edges.get(key, 0) + int(max(0.0, span) * scale)
    for sid in sids:
        edges[(1 + len(classes) + col[sid], n - 1)] = int(max(0.0, capacity[sid]) * scale)
    rows = [a for a, _ in edges]
    cols = [b for _, b in edges]
    caps = np.minimum(np.array(list(edges.values()), dtype=np.int64), 2**31 - 1).astype(np.int32)
    g = csr_matrix((caps, (rows, cols)), shape=(n, n))
    return maximum_flow(g, 0, n - 1).flow_value / scale


@dataclass
class _TeamWork:
    classes: dict[tuple, float]  # ((session, span minutes), ...) -> minutes of service + walk
    service: float
    between: float
    leg: float  # office out and back per session used
    plannable: int
    end_slack: float = 0.0


def _team_work(ri: RoundInput, team: TeamInput, avail: dict[int, Availability], cfg: CapacityConfig):
    usable = {s.id for s in team.sessions}
    plannable = [tid for tid in team.targets if any(c.session_id in usable for c in avail[tid].windows)]
    if not plannable:
        return _TeamWork({}, 0.0, 0.0, 0.0, 0)
    xy = np.array([ri.xy[t] for t in plannable])
    service, between = visit_minutes(xy, np.array([avail[t].service_minutes for t in plannable]), cfg)
    classes: dict[tuple, float] = {}
    for k, tid in enumerate(plannable):
        spans: dict[int, float] = {}
        for c in avail[tid].windows:
            if c.session_id in usable:
                span = (c.end - c.start).total_seconds() / 60.0 + service[k]
                spans[c.session_id] = spans.get(c.session_id, 0.0) + span
        key = tuple(sorted((sid, round(v)) for sid, v in spans.items()))
        classes[key] = classes.get(key, 0.0) + service[k] + between[k]
    dist = np.hypot(xy[:, 0] - team.office_xy[0], xy[:, 1] - team.office_xy[1])
    leg = float(2 * walk_minutes(dist.mean(), cfg) * cfg.leg_factor)
    return _TeamWork(classes, float(service.sum()), float(between.sum()), leg, len(plannable), cfg.end_slack)


def _fit(work: _TeamWork, sessions: Sequence[SessionInfo]) -> tuple[float, int]:
    """(minutes of work the sessions take, sessions that carry work) — every session used
    loses the walk out from the office and back."""
    cap = {s.id: max(0.0, session_minutes(s) - work.leg - work.end_slack) for s in sessions}
    flow = max_flow_minutes(work.classes, cap)
    mean_cap = np.mean(list(cap.values())) if cap else 0.0
    used = min(len(sessions), math.ceil(flow / mean_cap - 1e-9)) if mean_cap > 0 else 0
    return flow, used


def team_capacity(
    ri: RoundInput, team: TeamInput, avail: dict[int, Availability], cfg: CapacityConfig
) -> TeamCapacity:
    work = _team_work(ri, team, avail, cfg)
    sessions = sorted(team.sessions, key=lambda s: s.start)
    total = sum(work.classes.values())
    flow, used = _fit(work, sessions)
    fits = bool(flow >= total - 0.5)  # half a minute of rounding
    shortfall = max(0.0, total - flow)
    walking = work.between + used * work.leg
    if shortfall > 0 and sessions:
        mean_cap = np.mean([max(0.0, session_minutes(s) - work.leg - work.end_slack) for s in sessions])
        used += math.ceil(shortfall / mean_cap) if mean_cap > 0 else 0
        walking = work.between + used * work.leg
    finish = _finish_date(work, sessions, total, fits, shortfall)
    return TeamCapacity(
        team.team_id, team.name, len(team.targets), work.plannable, float(work.service), float(walking),
        float(work.service + walking), float(sum(session_minutes(s) for s in sessions)), len(sessions), used,
        float(flow), fits, float(shortfall), finish,
    )  # fmt: skip


def _finish_date(work: _TeamWork, sessions: list[SessionInfo], total: float, fits: bool, shortfall: float):
    """The date of the last session the work needs (binary search over the sessions in time
    order); past the round: its rhythm of session minutes per day continued."""
    if total <= 0:
        return None
    if not sessions:
        return None
    if fits:
        lo, hi = 1, len(sessions)
        while lo < hi:
            mid = (lo + hi) // 2
            if _fit(work, sessions[:mid])[0] >= total - 0.5:
                hi = mid
            else:
                lo = mid + 1
        return sessions[lo - 1].start.date()
    first, last = sessions[0].start.date(), sessions[-1].start.date()
    days = (last - first).days + 1
    # the sessions of a shorter round are taken as one week of its rhythm
    per_day = sum(max(0.0, session_minutes(s) - work.leg - work.end_slack) for s in sessions) / max(days, 7)
    if per_day <= 0:
        return None
    return last + dt.timedelta(days=math.ceil(shortfall / per_day))


def session_shares(ri: RoundInput, avail: dict[int, Availability]) -> dict[int, float]:
    """Session id -> the share of the round's work (service minutes of the targets with a window)
    that can be done in it: an evening counts for the households home then, working hours only
    for the enterprises and 名士 (:func:`gisplanner.teams.territory.team_session_hours` weighs alike)."""
    per: dict[int, float] = dict.fromkeys((s.id for s in ri.sessions), 0.0)
    total = 0.0
    for t in ri.assigned + ri.unassigned:
        a = avail[t]
        if not a.windows:
            continue
        total += a.service_minutes
        for sid in {c.session_id for c in a.windows}:
            per[sid] = per.get(sid, 0.0) + a.service_minutes
    return {sid: v / total for sid, v in per.items()} if total > 0 else {}


def usable_minutes(sessions: Sequence[SessionInfo], shares: dict[int, float]) -> float:
    """Session minutes, each weighed by the share of the work that can use it."""
    return sum(session_minutes(s) * shares.get(s.id, 0.0) for s in sessions)


def teams_for_work(ri: RoundInput, avail: dict[int, Availability], cfg: CapacityConfig) -> int:
    """How many teams (each able to go out in every session) the round's work needs.

    The territory split shares the teams out over the villages in proportion to their work and
    balances the territories within its tolerance, so every team gets about the mean work, in
    the mix of its village: an urban community's teams only have households that are home in
    the evenings and at weekends, a rural village's can also use working hours. So: the fewest
    N for which, in the urban and in the rural part alike, a team's share of the work (the mean
    plus the tolerance, in that part's mix of windows) flows into the sessions, each target only
    into those where it has a window and for no longer than the window (a team is one pair of
    feet), as :func:`team_capacity` decides "fits". Each session loses the end slack and
    ``cfg.leg_share`` for the walk out and back (no offices are known before the teams).
    """
    ids = [t for t in ri.assigned + ri.unassigned if avail[t].windows]
    if not ids or not ri.sessions:
        return 0
    parts = []
    for urban in (False, True):
        part = [t for t in ids if bool(ri.infos[t].urban) == urban]
        if part:
            work = _team_work(ri, TeamInput(0, "", np.zeros(2), part, list(ri.sessions)), avail, cfg)
            parts.append(work.classes)
    total = sum(sum(c.values()) for c in parts)
    one = {s.id: max(0.0, (session_minutes(s) - cfg.end_slack) * (1 - cfg.leg_share)) for s in ri.sessions}

    def fits(n: int) -> bool:
        per_team = total * (1 + SPLIT_TOLERANCE) / n
        for classes in parts:
            scale = per_team / sum(classes.values())
            if max_flow_minutes({c: d * scale for c, d in classes.items()}, one) < per_team - 0.5:
                return False
        return True

    if not fits(len(ids)):
        return 0  # windows too narrow whatever the teams: more sessions are needed, not teams
    lo, hi = 1, len(ids)
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def round_capacity_of(
    ri: RoundInput,
    avail: dict[int, Availability],
    cfg: CapacityConfig | None = None,
    progress: Progress | None = None,
) -> RoundCapacity:
    """The capacity figures of a loaded round (see the module docstring)."""
    cfg = cfg or CapacityConfig()
    teams = []
    for k, t in enumerate(ri.teams):
        check(progress, k / max(1, len(ri.teams)), f"测算 {t.name}")
        teams.append(team_capacity(ri, t, avail, cfg))
    all_ids = ri.assigned + ri.unassigned
    with_window = [t for t in all_ids if avail[t].windows]
    no_team_session = sum(tc.targets for tc in teams) - sum(tc.plannable for tc in teams)
    no_team_session -= sum(1 for t in ri.assigned if not avail[t].windows)
    mean_len = float(np.mean([session_minutes(s) for s in ri.sessions])) if ri.sessions else 0.0
    # work of the targets without a team: service + the mean walk per visit of the teams
    un = [t for t in ri.unassigned if avail[t].windows]
    per_visit_walk = (
        sum(tc.walking_minutes for tc in teams) / max(1, sum(tc.plannable for tc in teams)) if teams else 0.0
    )
    if not teams or per_visit_walk == 0:
        per_visit_walk = 5.0
    unassigned_work = sum(avail[t].service_minutes for t in un) + per_visit_walk * len(un)
    workload = sum(tc.workload_minutes for tc in teams) + unassigned_work
    available = sum(tc.available_minutes for tc in teams)
    shortfall = sum(tc.shortfall_minutes for tc in teams) + unassigned_work
    fits = bool(shortfall <= 0.5 * max(1, len(teams)) and not un)
    extra_sessions = 0
    for tc in teams:
        if tc.shortfall_minutes > 0:
            sess_cap = max(
                1.0, mean_len - (tc.workload_minutes - tc.service_minutes) / max(1, tc.sessions_needed)
            )
            extra_sessions = max(extra_sessions, math.ceil(tc.shortfall_minutes / sess_cap))
    # a team's sessions weighed by the share of the work that can use them (working hours help
    # only enterprises and 名士), as the territory split weighs its shares
    shares = session_shares(ri, avail)
    mean_team = float(np.mean([usable_minutes(t.sessions, shares) for t in ri.teams])) if teams else 0.0
    if fits:
        extra_teams = 0
    elif not teams:
        extra_teams = teams_for_work(ri, avail, cfg)
    else:
        per_team = mean_team * 0.9  # walking out and back: no team fills its sessions to the minute
        extra_teams = math.ceil(shortfall / per_team) if per_team > 0 else 0
    finishes = [tc.finish for tc in teams if tc.plannable]
    if any(f is None for f in finishes) or (un and not teams):
        expected = None
    else:
        expected = max(finishes) if finishes else None
    notes = []
    if un:
        notes.append(f"{len(un)} 个对象还没有分到小组")
    if no_team_session > 0:
        notes.append(f"{no_team_session} 个对象只在所属小组成员都没空的时段可走访")
    return RoundCapacity(
        ri.round_id, ri.name, len(all_ids), len(with_window), len(all_ids) - len(with_window), len(ri.unassigned),
        max(0, no_team_session), workload, available, fits, extra_sessions, extra_teams, expected, mean_len,
        teams, notes,
    )  # fmt: skip


def round_capacity(
    store, round_id: int, cfg: CapacityConfig | None = None, progress: Progress | None = None
) -> RoundCapacity:
    """Read a round and compute its capacity figures (no road network needed: fast)."""
    ri = load_round(store, round_id, roads=False, require_teams=False)
    return round_capacity_of(ri, round_availability(ri), cfg, progress)
