"""Plan a round's routes (路线规划): database → schedule + routing → database.

For each team of the round: its assigned targets (Assignment rows), its village office
(村委会/居委会) as start and end, the sessions all its members can do as shifts, walking times
along the demo/imported road network, availability windows from :mod:`gisplanner.campaign.schedule`.
Each team is solved on its own, in a pool of worker processes, by
:func:`gisplanner.routing.decompose.solve_decomposed` (targets to sessions by cheapest
feasible insertion in time order, then groups of nearby sessions improved with PyVRP), with
a share of the time limit that follows the team's size. The plan is stored as Route +
RouteStop rows in one transaction. The capacity figures (:mod:`gisplanner.planning.capacity`) come
with every plan, and each target that could not be scheduled comes back with one reason
(:data:`REASONS`).

Re-planning mid-round (``remaining=True``): only targets not yet visited, only into sessions
not yet begun, and never onto or over a route sheet that was already printed (those routes
stay as they are and their targets are not planned again).

Length: the whole-round planner (input per team, the time budget shared over a process pool,
storing and reporting the result); the reasons and the input live in plan_reasons and plan_input.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections import defaultdict
from concurrent.futures import as_completed
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, select, update

from gisplanner.campaign.appointments import round_appointments
from gisplanner.campaign.schedule import Availability, ScheduleConfig, SessionInfo, moved_reason
from gisplanner.planning.capacity import CapacityConfig, RoundCapacity, round_capacity_of
from gisplanner.planning.plan_input import (
    PlanInputError,
    Prizes,
    RoundInput,
    TeamInput,
    load_round,
    round_availability,
)
from gisplanner.planning.plan_reasons import (
    NO_CAPACITY,
    NO_TEAM,
    NO_TEAM_SESSION,
    REASONS,
    TOO_FAR,
)
from gisplanner.planning.plan_reasons import NO_WINDOW as NO_WINDOW_REASON
from gisplanner.procpool import process_pool
from gisplanner.progress import CANCELLED, Cancelled, Progress, cancel_requested, check, finish, reporter
from gisplanner.routing.decompose import solve_decomposed
from gisplanner.routing.matrix import WALKING, TravelProfile, travel_matrices
from gisplanner.routing.vrptw import NO_TIME, NO_WINDOW, Client, Shift
from gisplanner.routing.vrptw import Problem as RoutingProblem
from gisplanner.routing.vrptw import validate as validate_vrptw
from gisplanner.store.model import (
    Area,
    Assignment,
    PrintLog,
    Round,
    RouteStop,
    Target,
    Team,
    Visit,
    VisitSession,
    utcnow,
)
from gisplanner.store.model import Route as RouteRow
from gisplanner.store.vocab import PRINTOUT_TITLES, Outcome

__all__ = ["PlanInputError", "PlanConfig", "PlanResult", "plan_round", "REASONS", "REASON_ZH"]

REASON_ZH = REASONS
# a target with one of these outcomes in the round is done; not home is visited again
VISITED_OUTCOMES = tuple(o for o in Outcome if o != Outcome.NOT_HOME)


@dataclass
class PlanConfig:
    """Knobs of the planner; the schedule rules live in ScheduleConfig."""

    time_limit: float = 45.0  # seconds for the whole round (wall clock)
    profile: TravelProfile = WALKING
    detour: float = 1.3  # straight line × detour where no road is known
    workers: int | None = None  # processes; None = one per CPU core
    seed: int = 0
    # prizes in metres of walking a visit is worth (the solver minimises walking − prizes)
    prize_regular: int = 10_000
    prize_special: int = 30_000  # special groups, key enterprises
    prize_priority: int = 100_000  # 重点访/回头访 targets, open problems, Assignment.priority > 0
    group_size: int = 4  # sessions re-solved together when improving a team's plan
    remaining: bool = False  # re-plan the rest of a running round (see the module docstring)
    now: dt.datetime | None = None  # "now" for remaining (default: the clock)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)

    @property
    def prizes(self) -> Prizes:
        return Prizes(self.prize_regular, self.prize_special, self.prize_priority)


@dataclass
class PlannedStop:
    seq: int
    target_id: int
    name: str
    arrival: dt.datetime
    start: dt.datetime
    window_start: dt.datetime
    window_end: dt.datetime
    service_minutes: int
    note: str | None = None  # why this window (learnt from history)


@dataclass
class PlannedRoute:
    team_id: int
    team: str
    session_id: int
    session: str
    start: dt.datetime
    end: dt.datetime
    walking_minutes: float
    distance_m: int
    stops: list[PlannedStop]


@dataclass
class Unscheduled:
    target_id: int
    team_id: int | None
    reason: str  # one of REASONS
    detail: str


@dataclass
class PlanResult:
    round_id: int
    routes: list[PlannedRoute]
    unscheduled: list[Unscheduled]
    targets: int
    teams: int
    runtime: float
    violations: list[str]
    saved: bool = False
    priority_targets: int = 0  # 重点访/回头访/open-problem targets in the round
    priority_scheduled: int = 0
    capacity: RoundCapacity | None = None
    with_window: int = 0  # targets with a window in some session (the share's denominator)
    remaining: bool = False
    kept_routes: int = 0  # printed or begun routes left as they were (remaining)
    kept_stops: int = 0
    visited: int = 0  # targets already visited, not planned again (remaining)
    printed_replaced: int = 0  # printed route sheets this plan replaces (said, never silent)
    notes: list[str] = field(default_factory=list)

    @property
    def scheduled(self) -> int:
        return sum(len(r.stops) for r in self.routes)

    @property
    def walking_minutes(self) -> float:
        return sum(r.walking_minutes for r in self.routes)

    def by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for u in self.unscheduled:
            out[u.reason] = out.get(u.reason, 0) + 1
        return out

    def to_json(self) -> dict:
        iso = dt.datetime.isoformat
        return {
            "round": self.round_id,
            "routes": [
                {
                    "team": r.team,
                    "team_id": r.team_id,
                    "session": r.session,
                    "session_id": r.session_id,
                    "start": iso(r.start),
                    "end": iso(r.end),
                    "walking_minutes": round(r.walking_minutes, 1),
                    "stops": [
                        {
                            "target_id": s.target_id,
                            "arrival": iso(s.start),
                            "window_start": iso(s.window_start),
                            "window_end": iso(s.window_end),
                            "service_minutes": s.service_minutes,
                            **({"note": s.note} if s.note else {}),
                        }
                        for s in r.stops
                    ],
                }
                for r in self.routes
            ],
            "unscheduled": [
                {"target_id": u.target_id, "team_id": u.team_id, "reason": u.reason, "detail": u.detail}
                for u in self.unscheduled
            ],
            "summary": {
                "targets": self.targets,
                "scheduled": self.scheduled,
                "by_reason": self.by_reason(),
                "with_window": self.with_window,
                "unscheduled": len(self.unscheduled),
                "teams": self.teams,
                "walking_minutes": round(self.walking_minutes, 1),
                "priority_targets": self.priority_targets,
                "priority_scheduled": self.priority_scheduled,
                "violations": len(self.violations),
                "runtime_s": round(self.runtime, 2),
                "cancelled": False,  # a cancelled plan raises Cancelled; the key stays for --json readers
                "saved": self.saved,
                "remaining": self.remaining,
                "kept_routes": self.kept_routes,
                "kept_stops": self.kept_stops,
                "visited": self.visited,
                "printed_replaced": self.printed_replaced,
                "notes": self.notes,
            },
            "capacity": self.capacity.to_json() if self.capacity is not None else None,
        }


# --------------------------------------------------------------------------- mid-round state


@dataclass
class RoundState:
    """What a re-plan must leave alone: visited targets, begun or printed routes."""

    visited: set[int]
    kept_route_ids: set[int]
    kept_targets: set[int]  # on kept routes in sessions still to come (they keep their sheet)
    busy: set[tuple[int, int]]  # (team, session) pairs taken by kept routes
    open_sessions: set[int]  # sessions not yet begun
    printed_route_ids: set[int]


def printed_route_ids(store, round_id: int) -> set[int]:
    """Routes of the round whose route sheet (走访路线单) was printed after they were planned.

    The print log names the printout and the round in its text; a route counts as printed
    when a route-sheet print of its round is logged after the route was stored.
    """
    title = PRINTOUT_TITLES["route-sheets"]
    with store.session() as s:
        rnd = s.get(Round, round_id)
        if rnd is None:
            return set()
        prints = s.scalars(select(PrintLog.at).where(PrintLog.what.like(f"{title}（{rnd.name}，%"))).all()
        if not prints:
            return set()
        last = max(prints)
        routes = s.execute(
            select(RouteRow.id, RouteRow.created_at).where(RouteRow.round_id == round_id)
        ).all()
    # the print log keeps local time, routes UTC
    offset = dt.datetime.now() - utcnow()
    return {
        rid
        for rid, created in routes
        if created is None or created + offset <= last + dt.timedelta(seconds=1)
    }


def round_state(store, round_id: int, now: dt.datetime | None = None) -> RoundState:
    now = now or dt.datetime.now()
    printed = printed_route_ids(store, round_id)
    with store.session() as s:
        sessions = s.execute(
            select(VisitSession.id, VisitSession.start).where(VisitSession.round_id == round_id)
        ).all()
        begun = {sid for sid, start in sessions if start <= now}
        visited = set(
            s.scalars(
                select(Visit.target_id).where(Visit.round_id == round_id, Visit.outcome.in_(VISITED_OUTCOMES))
            ).all()
        )
        routes = s.execute(
            select(RouteRow.id, RouteRow.team_id, RouteRow.session_id).where(RouteRow.round_id == round_id)
        ).all()
        kept = {rid for rid, _, sid in routes if rid in printed or sid in begun}
        busy = {(team, sid) for rid, team, sid in routes if rid in kept}
        future_kept = [rid for rid, _, sid in routes if rid in kept and sid not in begun]
        kept_targets = set()
        for k in range(0, len(future_kept), 900):
            kept_targets.update(
                s.scalars(select(RouteStop.target_id).where(RouteStop.route_id.in_(future_kept[k : k + 900])))
            )
    return RoundState(visited, kept, kept_targets, busy, {sid for sid, _ in sessions} - begun, printed)


# --------------------------------------------------------------------------- one team


@dataclass
class _TeamProblem:
    team: TeamInput
    problem: RoutingProblem
    t0: dt.datetime
    client_targets: list[int]
    busy: list[int]  # windows only in sessions the team's members cannot do


def _windows(av: Availability, order: dict[int, int], base: int, sec) -> list[tuple[int, int, int]]:
    """The target's windows in the team's sessions as (start, end, prize) in seconds, one per
    window (each inside one session: the decomposition needs to know the session)."""
    return [
        (sec(c.start), sec(c.end), max(1, int(base * c.p_home)))
        for c in sorted(av.windows, key=lambda c: c.start)
        if c.session_id in order
    ]


def _team_problem(ri: RoundInput, team: TeamInput, avail: dict[int, Availability], cfg: PlanConfig):
    t0 = dt.datetime.combine(ri.sessions[0].start.date(), dt.time())

    def sec(t: dt.datetime) -> int:
        return int((t - t0).total_seconds())

    usable = {s.id for s in team.sessions}
    plannable = [tid for tid in team.targets if any(c.session_id in usable for c in avail[tid].windows)]
    planned_set = set(plannable)
    busy = [tid for tid in team.targets if avail[tid].windows and tid not in planned_set]
    pts = np.vstack([team.office_xy[None, :]] + [ri.xy[tid][None, :] for tid in plannable])
    mats = travel_matrices(pts, ri.roads, profile=cfg.profile, detour=cfg.detour)
    order = {s.id: i for i, s in enumerate(team.sessions)}
    clients = []
    for k, tid in enumerate(plannable, start=1):
        av = avail[tid]
        base = ri.prizes.get(tid, cfg.prize_regular)
        windows = _windows(av, order, base, sec)
        clients.append(
            Client(
                location=k,
                windows=[(a, b) for a, b, _ in windows],
                service=av.service_minutes * 60,
                prize=base,
                window_prizes=[w for _, _, w in windows],
                required=False,
                ref=tid,
            )
        )
    shifts = [
        Shift(depot=0, tw_early=sec(s.start), tw_late=sec(s.end), label=s.label, ref=s.id)
        for s in team.sessions
    ]
    # distance in metres is the cost; durations in seconds
    prob = RoutingProblem(mats.distance, mats.duration, clients, shifts)
    return _TeamProblem(team, prob, t0, plannable, busy)


def _solve_one(problem: RoutingProblem, time_limit: float, seed: int, group_size: int = 4):
    """Run in a worker process: solve and validate one team's problem."""
    sol = solve_decomposed(problem, time_limit=time_limit, seed=seed, group_size=group_size)
    return sol, validate_vrptw(problem, sol)


def _size(tp: _TeamProblem) -> float:
    """Search effort a team's problem deserves: its targets, twice as many for a team whose
    visits fill its sessions (a loose team's plan is easy, a tight one's is not)."""
    p = tp.problem
    minutes = sum(s.tw_late - s.tw_early for s in p.shifts)
    load = sum(c.service for c in p.clients) / minutes if minutes else 1.0
    return max(1, len(p.clients)) * (1.0 + min(1.0, load))


# --------------------------------------------------------------------------- the round


def plan_round(
    store,
    round_id: int,
    config: PlanConfig | None = None,
    progress: Progress | None = None,
    save: bool = True,
) -> PlanResult:
    """Plan every team's routes for a round; store them unless ``save`` is False.

    A cancel (``progress`` answering False) raises :class:`gisplanner.progress.Cancelled`
    before anything is saved: the round keeps the routes it had."""
    cfg = config or PlanConfig()
    t_start = time.perf_counter()
    report = reporter(progress)
    report(0.0, "读取轮次数据")
    state = round_state(store, round_id, cfg.now) if cfg.remaining else None
    if state is not None:
        if not state.open_sessions:
            raise PlanInputError("本轮已没有尚未开始的走访时段：请先添加时段（sessions add / generate）")
        ri = load_round(
            store, round_id, cfg.prizes, session_ids=state.open_sessions,
            exclude_targets=state.visited | state.kept_targets,
        )  # fmt: skip
        for t in ri.teams:
            t.sessions = [v for v in t.sessions if (t.team_id, v.id) not in state.busy]
    else:
        ri = load_round(store, round_id, cfg.prizes, profile=cfg.profile)
    appts = round_appointments(store, round_id)  # 约定回访时间 -> that household's window
    avail = round_availability(ri, cfg.schedule, appts)
    capacity = round_capacity_of(ri, avail, CapacityConfig(profile=cfg.profile, detour=cfg.detour))
    all_targets = ri.assigned + ri.unassigned
    report(0.05, "计算步行时间")
    with_targets = [t for t in ri.teams if t.targets]
    problems = []
    for t in with_targets:
        if t.sessions and any(
            c.session_id in {v.id for v in t.sessions} for tid in t.targets for c in avail[tid].windows
        ):
            problems.append(_team_problem(ri, t, avail, cfg))
    solved_ids = {tp.team.team_id for tp in problems}
    report(0.1, "求解路线")

    results = _solve_all(problems, cfg, t_start, progress)

    routes: list[PlannedRoute] = []
    unscheduled: list[Unscheduled] = []
    violations: list[str] = []
    sess_by_id = {s.id: s for s in ri.sessions}

    def no_window(tid: int, team_id: int | None) -> Unscheduled:
        return Unscheduled(
            tid, team_id, NO_WINDOW_REASON, avail[tid].no_window_reason or REASONS[NO_WINDOW_REASON]
        )

    for tid in ri.unassigned:
        unscheduled.append(
            no_window(tid, None)
            if not avail[tid].windows
            else Unscheduled(tid, None, NO_TEAM, "本轮还没有分到小组")
        )
    for t in with_targets:
        if t.team_id in solved_ids:
            continue
        for tid in t.targets:
            if not avail[tid].windows:
                unscheduled.append(no_window(tid, t.team_id))
            else:
                why = "小组成员在本轮各时段都没空" if not t.sessions else "可走访时段小组成员都没空"
                unscheduled.append(Unscheduled(tid, t.team_id, NO_TEAM_SESSION, why))
    for i, tp in enumerate(problems):
        sol, errs = results[i]
        violations += [f"{tp.team.name}: {e}" for e in errs]
        for tid in tp.team.targets:
            if not avail[tid].windows:
                unscheduled.append(no_window(tid, tp.team.team_id))
        for tid in tp.busy:
            unscheduled.append(Unscheduled(tid, tp.team.team_id, NO_TEAM_SESSION, "可走访时段小组成员都没空"))
        for u in sol.unserved:
            tid = tp.client_targets[u.client]
            if u.reason == NO_WINDOW:
                unscheduled.append(Unscheduled(tid, tp.team.team_id, TOO_FAR, REASONS[TOO_FAR]))
            else:
                assert u.reason == NO_TIME
                unscheduled.append(Unscheduled(tid, tp.team.team_id, NO_CAPACITY, REASONS[NO_CAPACITY]))
        for r in sorted(sol.routes, key=lambda r: r.shift):
            shift = tp.problem.shifts[r.shift]
            ses = sess_by_id[shift.ref]
            stops = []
            for seq, st in enumerate(r.stops, start=1):
                tid = tp.client_targets[st.client]
                av = avail[tid]
                begin = tp.t0 + dt.timedelta(seconds=int(st.start))
                in_session = [c for c in av.windows if c.session_id == ses.id]
                cw = next((c for c in in_session if c.start <= begin <= c.end), in_session[0])

                def at(sec: int, t0=tp.t0) -> dt.datetime:
                    return t0 + dt.timedelta(seconds=int(sec))

                stops.append(
                    PlannedStop(
                        seq, tid, ri.names[tid], at(st.arrival), at(st.start), cw.start, cw.end,
                        av.service_minutes, moved_reason(av, cw),
                    )
                )  # fmt: skip
            routes.append(
                PlannedRoute(
                    tp.team.team_id, tp.team.name, ses.id, _session_name(ses), tp.t0 + dt.timedelta(seconds=r.start),
                    tp.t0 + dt.timedelta(seconds=r.end), r.travel / 60.0, r.distance, stops,
                )
            )  # fmt: skip
    unscheduled.sort(key=lambda u: (u.team_id or 0, u.target_id))
    result = PlanResult(
        round_id, routes, unscheduled, len(all_targets), len(ri.teams), time.perf_counter() - t_start, violations,
    )  # fmt: skip
    result.capacity = capacity
    result.with_window = sum(1 for t in all_targets if avail[t].windows)
    prio = {tid for tid in all_targets if ri.prizes.get(tid, 0) >= cfg.prize_priority}
    result.priority_targets = len(prio)
    result.priority_scheduled = sum(1 for r in routes for st in r.stops if st.target_id in prio)
    if state is not None:
        result.remaining = True
        result.kept_routes = len(state.kept_route_ids)
        result.visited = len(state.visited)
        result.kept_stops = len(state.kept_targets)
        printed_kept = len(state.kept_route_ids & state.printed_route_ids)
        if printed_kept:
            result.notes.append(f"{printed_kept} 张已打印的路线单保持不变，其上的对象不再重新安排")
    else:
        replaced = len(printed_route_ids(store, round_id))
        if replaced:
            result.printed_replaced = replaced
            result.notes.append(
                f"注意：本次规划替换了 {replaced} 张已打印的路线单，请重新打印（只排剩余部分请用 --remaining）"
            )
    if save and not violations:
        report(0.97, "保存路线")
        save_plan(store, result, keep=state.kept_route_ids if state is not None else None)
        result.saved = True
    result.runtime = time.perf_counter() - t_start
    finish(progress)
    return result


def _solve_all(
    problems: list[_TeamProblem], cfg: PlanConfig, t_start: float, progress: Progress | None
) -> dict:
    """Solve the teams' problems (a process pool on more than one core), sharing the wall-clock
    budget by problem size as teams finish: each next team gets its share of the worker time
    left, minus the overhead measured so far, so the whole round ends on time. A cancel stops
    the workers and raises Cancelled."""
    workers = cfg.workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(problems)))
    # keep back time for storing the plan: about a second per 3,000 stops
    stops = sum(len(tp.problem.clients) for tp in problems)
    deadline = t_start + cfg.time_limit - 1.0 - stops / 3000
    overhead = [0.3 if workers > 1 else 0.1]
    size = [_size(tp) for tp in problems]
    running: dict = {}

    def next_limit(i: int, waiting: list[int]) -> float:
        now = time.perf_counter()
        busy = sum(max(0.0, started + lim - now) for _, lim, started in running.values())
        pool_time = max(0.0, (deadline - now) * workers - busy)
        share = size[i] / (size[i] + sum(size[j] for j in waiting))
        est = sum(overhead) / len(overhead)
        return max(0.1, pool_time * share - est)

    results: dict[int, tuple] = {}
    if not problems:
        return results
    if workers == 1:
        for i, tp in enumerate(problems):
            limit = next_limit(i, list(range(i + 1, len(problems))))
            t = time.perf_counter()
            results[i] = _solve_one(tp.problem, limit, cfg.seed, cfg.group_size)
            overhead.append(max(0.0, time.perf_counter() - t - limit))
            check(progress, 0.1 + 0.85 * (i + 1) / len(problems), f"已完成 {tp.team.name}")
        return results
    with process_pool(workers) as pool:
        # largest first, so the last teams to finish are small ones (less idle time at the end)
        queue = sorted(range(len(problems)), key=lambda j: -size[j])

        def submit() -> None:
            i = queue.pop(0)
            limit = next_limit(i, queue)
            fut = pool.submit(_solve_one, problems[i].problem, limit, cfg.seed, cfg.group_size)
            running[fut] = (i, limit, time.perf_counter())

        while queue and len(running) < workers:
            submit()
        done_count = 0
        while running:
            fut = next(as_completed(list(running)))
            i, limit, started = running.pop(fut)
            results[i] = fut.result()
            overhead.append(max(0.0, time.perf_counter() - started - limit))
            done_count += 1
            if cancel_requested(
                progress,
                0.1 + 0.85 * done_count / len(problems),
                f"已完成 {done_count}/{len(problems)} 个小组",
            ):
                for f in running:
                    f.cancel()
                pool.terminate()
                raise Cancelled(CANCELLED)
            if queue:
                submit()
    return results


def _session_name(s: SessionInfo) -> str:
    from gisplanner.campaign.schedule import WEEKDAY_ZH

    return f"{s.start:%m-%d} {WEEKDAY_ZH[s.start.weekday()]} {s.start:%H:%M}-{s.end:%H:%M} {s.label}".strip()


def save_plan(store, result: PlanResult, keep: set[int] | None = None) -> None:
    """Replace the round's routes with this plan, in one transaction; routes in ``keep``
    (printed or begun, when re-planning the rest of a round) stay as they are."""
    keep = keep or set()
    with store.session() as s:
        old = select(RouteRow.id).where(RouteRow.round_id == result.round_id)
        if keep:
            old = old.where(RouteRow.id.not_in(list(keep)))
        old_ids = s.scalars(old).all()
        for k in range(0, len(old_ids), 900):
            part = old_ids[k : k + 900]
            s.execute(delete(RouteStop).where(RouteStop.route_id.in_(part)))
            s.execute(delete(RouteRow).where(RouteRow.id.in_(part)))
        # household code "team-sheet+stop" (e.g. 41-307): unique in the round, so results
        # typed back by code never hit two households; kept sheets keep their numbers
        sheet_of_team: dict[int, int] = defaultdict(int)
        if keep:
            for team_id, code in s.execute(
                select(RouteRow.team_id, RouteStop.code)
                .join(RouteStop, RouteStop.route_id == RouteRow.id)
                .where(RouteRow.round_id == result.round_id)
            ):
                head, _, tail = (code or "").partition("-")
                if tail[:-2].isdigit():
                    sheet_of_team[team_id] = max(sheet_of_team[team_id], int(tail[:-2]))
        for r in sorted(result.routes, key=lambda r: (r.team_id, r.start)):
            sheet_of_team[r.team_id] += 1
            sheet = sheet_of_team[r.team_id]
            row = RouteRow(
                round_id=result.round_id,
                team_id=r.team_id,
                session_id=r.session_id,
                walking_minutes=r.walking_minutes,
            )
            row.stops = [
                RouteStop(
                    seq=st.seq, target_id=st.target_id, eta=st.start, window_start=st.window_start,
                    window_end=st.window_end, service_minutes=st.service_minutes, code=f"{r.team_id}-{sheet}{st.seq:02d}",
                )
                for st in r.stops
            ]  # fmt: skip
            s.add(row)


def load_plan(store, round_id: int) -> list[dict]:
    """The stored plan of a round as rows (team, session, order, ETA, target, and the team's
    office) for tables and maps, in team / session / stop order."""
    from sqlalchemy.orm import aliased

    from gisplanner.store.model import Target as T

    office = aliased(Area)
    with store.session() as s:
        rows = s.execute(
            select(
                RouteRow.id, Team.name, VisitSession.start, VisitSession.end, VisitSession.label, RouteStop.seq,
                RouteStop.eta, RouteStop.target_id, T.name, T.lon, T.lat, RouteRow.walking_minutes,
                office.office_lon, office.office_lat,
            )
            .join(Team, Team.id == RouteRow.team_id)
            .outerjoin(office, office.id == Team.office_area_id)
            .join(VisitSession, VisitSession.id == RouteRow.session_id)
            .join(RouteStop, RouteStop.route_id == RouteRow.id)
            .join(T, T.id == RouteStop.target_id)
            .where(RouteRow.round_id == round_id)
            .order_by(Team.name, VisitSession.start, RouteStop.seq)
        ).all()  # fmt: skip
    return [
        {
            "route_id": r[0], "team": r[1], "session": f"{r[2]:%m-%d %H:%M}-{r[3]:%H:%M} {r[4] or ''}".strip(),
            "seq": r[5], "eta": r[6], "target_id": r[7], "target": r[8], "lon": r[9], "lat": r[10],
            "walking_minutes": r[11], "office_lon": r[12], "office_lat": r[13],
        }
        for r in rows
    ]  # fmt: skip


# --------------------------------------------------------------------------- quick input


def quick_teams(store, round_id: int, teams: int = 40) -> int:
    """A quick plan input for trying the planner: ``teams`` teams (without members) based at
    village offices, each village's assigned targets cut into sectors around its office
    (a sweep split). Use the teams module (三搭配, territories) for the real thing.

    Only for a round without teams; returns the number of teams created.
    """
    with store.session() as s:
        if s.scalar(select(Team.id).where(Team.round_id == round_id).limit(1)) is not None:
            raise PlanInputError("该轮次已有小组，不自动划分")
        rows = s.execute(
            select(Assignment.id, Target.area_id, Target.lon, Target.lat)
            .join(Target, Target.id == Assignment.target_id)
            .where(Assignment.round_id == round_id)
        ).all()
        if not rows:
            raise PlanInputError("该轮次没有走访对象（Assignment）")
        by_area = defaultdict(list)
        for r in rows:
            by_area[r.area_id].append(r)
        areas = {a.id: a for a in s.scalars(select(Area).where(Area.id.in_(list(by_area)))).all()}
        total = len(rows)
        shares = {a: max(1, round(teams * len(v) / total)) for a, v in by_area.items()}
        made = 0
        for area_id, members in sorted(by_area.items()):
            a = areas[area_id]
            k = shares[area_id]
            ox = a.office_lon if a.office_lon is not None else float(np.mean([m.lon for m in members]))
            oy = a.office_lat if a.office_lat is not None else float(np.mean([m.lat for m in members]))
            ang = np.array(
                [math.atan2(m.lat - oy, (m.lon - ox) * math.cos(math.radians(oy))) for m in members]
            )
            order = np.argsort(ang)
            chunks = np.array_split(order, k)
            for j, chunk in enumerate(chunks, start=1):
                team = Team(round_id=round_id, name=f"{a.name}第{j}组", office_area_id=area_id)
                s.add(team)
                s.flush()
                ids = [members[int(i)].id for i in chunk]
                s.execute(update(Assignment).where(Assignment.id.in_(ids)).values(team_id=team.id))
                made += 1
    return made
