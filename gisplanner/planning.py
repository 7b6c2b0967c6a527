"""Plan a round's routes (路线规划): database → schedule + routing → database.

For each team of the round: its assigned targets (Assignment rows), its village office
(村委会/居委会) as start and end, the round's sessions as shifts, walking times along the
demo/imported road network, availability windows from :mod:`gisplanner.schedule`; solved
with :mod:`gisplanner.routing.vrptw` and stored as Route + RouteStop rows (the round's
previous plan is replaced in one transaction). Targets that could not be scheduled come
back with the reason.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import delete, select, update

from gisplanner.appointments import round_appointments
from gisplanner.io.crs import LocalProjection
from gisplanner.model import (
    CLOSED_STATUSES,
    Area,
    Assignment,
    Cadre,
    Problem,
    Road,
    Round,
    RouteStop,
    Target,
    Team,
    TeamMember,
    Visit,
    VisitSession,
)
from gisplanner.model import Route as RouteRow
from gisplanner.routing.matrix import WALKING, RoadGraph, TravelProfile, travel_matrices
from gisplanner.routing.vrptw import NO_TIME, NO_WINDOW, Client, Shift
from gisplanner.routing.vrptw import Problem as RoutingProblem
from gisplanner.routing.vrptw import solve as solve_vrptw
from gisplanner.routing.vrptw import validate as validate_vrptw
from gisplanner.schedule import (
    Availability,
    HomeModel,
    PastVisit,
    ScheduleConfig,
    SessionInfo,
    TargetInfo,
    availability,
    moved_reason,
)

Progress = Callable[[float, str], bool] | None

REASON_ZH = {NO_WINDOW: "没有合适的时段", NO_TIME: "时段内时间不够"}


class PlanInputError(ValueError):
    """The round is not ready to be planned (message in Chinese, for the user)."""


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
    # candidate set per team: regular targets beyond candidate_factor × what the sessions can hold
    candidate_factor: float = 1.5
    min_candidates: int = 40
    walk_minutes_per_visit: float = 5.0
    merge_windows: bool = True  # one window over consecutive fully covered sessions
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)


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
    reason: str  # no_window / no_time
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
    cancelled: bool = False
    saved: bool = False
    priority_targets: int = 0  # 重点访/回头访/open-problem targets in the round
    priority_scheduled: int = 0

    @property
    def scheduled(self) -> int:
        return sum(len(r.stops) for r in self.routes)

    @property
    def walking_minutes(self) -> float:
        return sum(r.walking_minutes for r in self.routes)

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
                {"target_id": u.target_id, "reason": u.reason, "detail": u.detail} for u in self.unscheduled
            ],
            "summary": {
                "targets": self.targets,
                "scheduled": self.scheduled,
                "unscheduled": len(self.unscheduled),
                "teams": self.teams,
                "walking_minutes": round(self.walking_minutes, 1),
                "priority_targets": self.priority_targets,
                "priority_scheduled": self.priority_scheduled,
                "violations": len(self.violations),
                "runtime_s": round(self.runtime, 2),
                "cancelled": self.cancelled,
            },
        }


# --------------------------------------------------------------------------- reading the round


@dataclass
class _TeamInput:
    team_id: int
    name: str
    office_xy: np.ndarray
    targets: list[int]
    sessions: list[SessionInfo] = field(default_factory=list)  # the sessions all members can do


@dataclass
class _RoundInput:
    round_id: int
    sessions: list[SessionInfo]
    teams: list[_TeamInput]
    xy: dict[int, np.ndarray]
    names: dict[int, str]
    infos: dict[int, TargetInfo]
    prizes: dict[int, int]
    roads: RoadGraph | None
    history: list[PastVisit]


def _load(store, round_id: int, cfg: PlanConfig) -> _RoundInput:
    with store.session() as s:
        rnd = s.get(Round, round_id)
        if rnd is None:
            raise PlanInputError(f"找不到走访轮次 {round_id}")
        sessions = s.scalars(
            select(VisitSession).where(VisitSession.round_id == round_id).order_by(VisitSession.start)
        ).all()
        if not sessions:
            raise PlanInputError(f"轮次「{rnd.name}」还没有走访时段：请先按模板生成时段（错时走访）")
        teams = s.scalars(select(Team).where(Team.round_id == round_id).order_by(Team.id)).all()
        rows = s.execute(
            select(Assignment.target_id, Assignment.team_id, Assignment.priority, Assignment.reason).where(
                Assignment.round_id == round_id
            )
        ).all()
        assigned = [r for r in rows if r.team_id is not None]
        if not teams or not assigned:
            raise PlanInputError(
                f"轮次「{rnd.name}」还没有组队或分配走访对象（{len(teams)} 个小组，"
                f"{len(assigned)}/{len(rows)} 个对象已分配）：请先用「teams form」组队、「teams split」划分片区，"
                "或在命令行加 --auto-teams 自动组队并划分"
            )
        tids = sorted({r.target_id for r in assigned})
        trows = s.execute(
            select(
                Target.id, Target.kind, Target.name, Target.lon, Target.lat, Target.elderly_alone,
                Target.disabled, Target.hardship, Target.away_business, Target.key_enterprise, Area.urban,
            )
            .join(Area, Area.id == Target.area_id)
            .where(Target.id.in_(tids))
        ).all()  # fmt: skip
        lon = np.array([r.lon for r in trows])
        lat = np.array([r.lat for r in trows])
        proj = LocalProjection.for_lonlat(float(np.mean(lon)), float(np.mean(lat)))
        x, y = proj.forward(lon, lat)
        xy = {r.id: np.array([x[i], y[i]]) for i, r in enumerate(trows)}
        infos = {
            r.id: TargetInfo(
                r.id, r.kind, bool(r.urban), bool(r.elderly_alone), bool(r.disabled), bool(r.hardship),
                bool(r.away_business),
            )
            for r in trows
        }  # fmt: skip
        names = {r.id: r.name for r in trows}
        open_problem = set(
            s.scalars(
                select(Problem.target_id).where(
                    Problem.target_id.in_(tids), Problem.status.not_in(CLOSED_STATUSES)
                )
            ).all()
        )
        priority_round = rnd.kind in ("priority", "return")
        key_ent = {r.id for r in trows if r.key_enterprise}
        prizes = {}
        for r in assigned:
            info = infos.get(r.target_id)
            if info is None:
                continue
            if priority_round or (r.priority or 0) > 0 or r.target_id in open_problem:
                prizes[r.target_id] = cfg.prize_priority + 10_000 * max(0, r.priority or 0)
            elif info.special or r.target_id in key_ent:
                prizes[r.target_id] = cfg.prize_special
            else:
                prizes[r.target_id] = cfg.prize_regular
        by_team = defaultdict(list)
        for r in assigned:
            if r.target_id in xy:
                by_team[r.team_id].append(r.target_id)
        offices = {a.id: a for a in s.scalars(select(Area).where(Area.office_lon.is_not(None))).all()}
        sess = [SessionInfo(v.id, v.start, v.end, v.label or "", bool(v.holiday)) for v in sessions]
        avail_rows = s.execute(
            select(TeamMember.team_id, Cadre.avail_weekday_evening, Cadre.avail_weekend)
            .join(Cadre, Cadre.id == TeamMember.cadre_id)
            .where(TeamMember.team_id.in_([t.id for t in teams]))
        ).all()
        evening_ok: dict[int, bool] = {}
        weekend_ok: dict[int, bool] = {}
        for tid_, ev, we in avail_rows:
            evening_ok[tid_] = evening_ok.get(tid_, True) and bool(ev)
            weekend_ok[tid_] = weekend_ok.get(tid_, True) and bool(we)
        team_inputs = []
        for t in teams:
            members = sorted(by_team.get(t.id, []))
            if not members:
                continue
            office = offices.get(t.office_area_id)
            if office is not None:
                ox, oy = proj.forward(office.office_lon, office.office_lat)
                oxy = np.array([float(ox), float(oy)])
            else:  # no office known: start from the middle of the team's targets
                oxy = np.mean([xy[i] for i in members], axis=0)
            usable = [
                v
                for v in sess
                if (weekend_ok.get(t.id, True) if _is_weekend(v) else True)
                and (evening_ok.get(t.id, True) if (not _is_weekend(v) and v.start.hour >= 17) else True)
            ]
            team_inputs.append(_TeamInput(t.id, t.name, oxy, members, usable))
        first = sessions[0].start
        hist = s.execute(
            select(Visit.target_id, Visit.visited_at, Visit.outcome).where(
                Visit.target_id.in_(tids), Visit.visited_at < first
            )
        ).all()
        history = [PastVisit(h.target_id, h.visited_at, h.outcome) for h in hist]
        road_geoms = s.scalars(select(Road.geometry)).all()
    roads = None
    if road_geoms:
        lines = []
        for g in shapely.from_wkb(list(road_geoms)):
            for part in shapely.get_parts(g):
                c = np.asarray(part.coords)
                if c.shape[0] >= 2:
                    px, py = proj.forward(c[:, 0], c[:, 1])
                    lines.append(np.column_stack([px, py]))
        if lines:
            roads = RoadGraph.from_polylines(lines)
    return _RoundInput(round_id, sess, team_inputs, xy, names, infos, prizes, roads, history)


# --------------------------------------------------------------------------- one team


@dataclass
class _TeamProblem:
    team: _TeamInput
    problem: RoutingProblem
    t0: dt.datetime
    client_targets: list[int]
    avail: dict[int, Availability]
    left_out: list[int]  # regular targets not offered to the solver (far from the office)
    busy: list[int]  # windows only in sessions the team's members cannot do


def _merged_windows(
    av: Availability, sessions: list[SessionInfo], order: dict[int, int], base: int, sec, merge: bool = True
):
    """The target's windows in the team's sessions as (start, end, prize) in seconds.

    Windows that fill consecutive sessions completely (from the session start to its last
    possible start) are merged into one window: a visit can only happen inside a session
    anyway, so the merged window allows exactly the same visits, and the solver gets one
    client instead of one alternative per session. Only windows of similar prize (at-home
    probability within 10 %) are merged; the lower prize is kept.
    """
    service = dt.timedelta(minutes=av.service_minutes)
    cands = sorted((c for c in av.windows if c.session_id in order), key=lambda c: c.start)
    out: list[list] = []
    prev = None
    for c in cands:
        prize = max(1, int(base * c.p_home))
        if merge and prev is not None and out:
            a, b = sessions[order[prev.session_id]], sessions[order[c.session_id]]
            last = out[-1]
            if (
                order[c.session_id] == order[prev.session_id] + 1
                and prev.end >= a.end - service
                and c.start <= b.start
                and abs(prize - last[2]) <= 0.1 * max(prize, last[2])
            ):
                last[1] = sec(c.end)
                last[2] = min(last[2], prize)
                prev = c
                continue
        out.append([sec(c.start), sec(c.end), prize])
        prev = c
    return [tuple(w) for w in out]


def _is_weekend(s: SessionInfo) -> bool:
    return s.holiday or s.start.weekday() >= 5


def _team_problem(ri: _RoundInput, team: _TeamInput, avail: dict[int, Availability], cfg: PlanConfig):
    t0 = dt.datetime.combine(ri.sessions[0].start.date(), dt.time())

    def sec(t: dt.datetime) -> int:
        return int((t - t0).total_seconds())

    usable = {s.id for s in team.sessions}
    plannable = [tid for tid in team.targets if any(c.session_id in usable for c in avail[tid].windows)]
    # windows only in sessions the team cannot do (a member is not free then)
    planned_set = set(plannable)
    busy = [tid for tid in team.targets if avail[tid].windows and tid not in planned_set]
    pts = np.vstack([team.office_xy[None, :]] + [ri.xy[tid][None, :] for tid in plannable])
    mats = travel_matrices(pts, ri.roads, profile=cfg.profile, detour=cfg.detour)
    # Candidate set: the sessions hold only so many visits. Priority and special targets
    # always go in; regular ones nearest the office first, 1.5× what fits. This keeps
    # the solver's problem small (each candidate brings one alternative per session).
    minutes = sum((s.end - s.start).total_seconds() / 60 for s in team.sessions)
    mean_service = np.mean([avail[tid].service_minutes for tid in plannable]) if plannable else 20
    fits = minutes / (mean_service + cfg.walk_minutes_per_visit)
    keep_n = max(cfg.min_candidates, int(cfg.candidate_factor * fits))
    important = [
        k for k, tid in enumerate(plannable) if ri.prizes.get(tid, cfg.prize_regular) > cfg.prize_regular
    ]
    regular = [
        k for k, tid in enumerate(plannable) if ri.prizes.get(tid, cfg.prize_regular) <= cfg.prize_regular
    ]
    regular.sort(key=lambda k: mats.duration[0, k + 1])
    chosen = sorted(important + regular[: max(0, keep_n - len(important))])
    left_out = [plannable[k] for k in regular[max(0, keep_n - len(important)) :]]
    rows = np.array([0] + [k + 1 for k in chosen])
    dist = mats.distance[np.ix_(rows, rows)]
    dur = mats.duration[np.ix_(rows, rows)]
    plannable = [plannable[k] for k in chosen]
    clients = []
    order = {s.id: i for i, s in enumerate(team.sessions)}
    for k, tid in enumerate(plannable, start=1):
        av = avail[tid]
        base = ri.prizes.get(tid, cfg.prize_regular)
        windows = _merged_windows(av, team.sessions, order, base, sec, cfg.merge_windows)
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
    prob = RoutingProblem(dist, dur, clients, shifts)
    return _TeamProblem(team, prob, t0, plannable, avail, left_out, busy)


def _solve_one(problem: RoutingProblem, time_limit: float, seed: int):
    """Run in a worker process: solve and validate one team's problem."""
    sol = solve_vrptw(problem, time_limit=time_limit, seed=seed)
    return sol, validate_vrptw(problem, sol)


# --------------------------------------------------------------------------- the round


def plan_round(
    store, round_id: int, config: PlanConfig | None = None, progress: Progress = None, save: bool = True
) -> PlanResult:
    """Plan every team's routes for a round; store them unless ``save`` is False or cancelled."""
    cfg = config or PlanConfig()
    t_start = time.perf_counter()

    def report(frac: float, msg: str) -> bool:
        return True if progress is None else progress(frac, msg) is not False

    if not report(0.0, "读取轮次数据"):
        return PlanResult(round_id, [], [], 0, 0, 0.0, [], cancelled=True)
    ri = _load(store, round_id, cfg)
    all_targets = [tid for t in ri.teams for tid in t.targets]
    home = HomeModel(ri.history, cfg.schedule)
    appts = round_appointments(store, round_id)  # 约定回访时间 -> that household's window
    avail = availability([ri.infos[t] for t in all_targets], ri.sessions, cfg.schedule, home, appts)
    report(0.05, "计算步行时间")
    problems = [_team_problem(ri, t, avail, cfg) for t in ri.teams if t.sessions]
    idle = [t for t in ri.teams if not t.sessions]  # no member free in any session of the round
    report(0.1, "求解路线")

    workers = cfg.workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(problems)))
    # share the wall-clock budget: each worker solves about len/workers teams one after
    # another; keep back time for starting the worker processes and saving
    # The wall-clock budget is shared out as the teams are solved: each next team gets the
    # time left divided by the rounds of teams still to come, minus the overhead measured so
    # far (process start, model building, validation), so the whole round ends on time.
    deadline = t_start + cfg.time_limit - 1.0  # leave a second for storing the plan
    overhead = [0.3 if workers > 1 else 0.1]
    # bigger problems (more window alternatives) get proportionally more search time
    size = [max(1, sum(len(c.windows) for c in tp.problem.clients)) for tp in problems]
    running: dict = {}

    def next_limit(i: int, waiting: list[int]) -> float:
        """Search time for team i: its share (by size) of the worker time left."""
        now = time.perf_counter()
        busy = sum(max(0.0, started + lim - now) for _, lim, started in running.values())
        pool_time = max(0.0, (deadline - now) * workers - busy)
        share = size[i] / (size[i] + sum(size[j] for j in waiting))
        est = sum(overhead) / len(overhead)
        return max(0.1, pool_time * share - est)

    results: dict[int, tuple] = {}
    cancelled = False
    if workers == 1:
        for i, tp in enumerate(problems):
            base = 0.1 + 0.85 * i / len(problems)

            def inner(frac, msg, base=base, name=tp.team.name):
                return report(base + 0.85 * frac / len(problems), f"{name}：{msg}")

            limit = next_limit(i, list(range(i + 1, len(problems))))
            t = time.perf_counter()
            sol = solve_vrptw(tp.problem, time_limit=limit, seed=cfg.seed, progress=inner)
            results[i] = (sol, validate_vrptw(tp.problem, sol))
            overhead.append(max(0.0, time.perf_counter() - t - limit))
            if sol.cancelled or not report(0.1 + 0.85 * (i + 1) / len(problems), f"已完成 {tp.team.name}"):
                cancelled = True
                break
    else:
        import multiprocessing as mp

        ctx = mp.get_context("spawn")  # safe from a GUI worker thread
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            # largest first, so the last teams to finish are small ones (less idle time at the end)
            queue = sorted(range(len(problems)), key=lambda j: -size[j])

            def submit() -> None:
                i = queue.pop(0)
                limit = next_limit(i, queue)
                fut = pool.submit(_solve_one, problems[i].problem, limit, cfg.seed)
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
                if not report(
                    0.1 + 0.85 * done_count / len(problems), f"已完成 {done_count}/{len(problems)} 个小组"
                ):
                    cancelled = True
                    for f in running:
                        f.cancel()
                    break
                if queue:
                    submit()
    if cancelled:
        return PlanResult(
            round_id, [], [], len(all_targets), len(ri.teams), time.perf_counter() - t_start, [], True
        )

    routes: list[PlannedRoute] = []
    unscheduled: list[Unscheduled] = []
    violations: list[str] = []
    sess_by_id = {s.id: s for s in ri.sessions}
    for t in idle:
        for tid in t.targets:
            unscheduled.append(Unscheduled(tid, t.team_id, NO_WINDOW, "小组成员在本轮各时段都没空"))
    for i, tp in enumerate(problems):
        sol, errs = results[i]
        violations += [f"{tp.team.name}: {e}" for e in errs]
        for tid in tp.team.targets:
            if not avail[tid].windows:
                unscheduled.append(
                    Unscheduled(tid, tp.team.team_id, NO_WINDOW, avail[tid].no_window_reason or "")
                )
        for tid in tp.busy:
            unscheduled.append(Unscheduled(tid, tp.team.team_id, NO_WINDOW, "可走访时段小组成员都没空"))
        for tid in tp.left_out:
            unscheduled.append(Unscheduled(tid, tp.team.team_id, NO_TIME, "时段已排满（离驻地较远）"))
        for u in sol.unserved:
            tid = tp.client_targets[u.client]
            detail = REASON_ZH[u.reason]
            unscheduled.append(Unscheduled(tid, tp.team.team_id, u.reason, detail))
        for r in sorted(sol.routes, key=lambda r: r.shift):
            shift = tp.problem.shifts[r.shift]
            ses = sess_by_id[shift.ref]
            stops = []
            for seq, st in enumerate(r.stops, start=1):
                tid = tp.client_targets[st.client]
                av = avail[tid]
                # the candidate window of this session (windows may have been merged)
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
            walking = r.travel / 60.0
            routes.append(
                PlannedRoute(
                    tp.team.team_id, tp.team.name, ses.id, _session_name(ses), tp.t0 + dt.timedelta(seconds=r.start),
                    tp.t0 + dt.timedelta(seconds=r.end), walking, r.distance, stops,
                )
            )  # fmt: skip
    unscheduled.sort(key=lambda u: (u.team_id or 0, u.target_id))
    result = PlanResult(
        round_id,
        routes,
        unscheduled,
        len(all_targets),
        len(ri.teams),
        time.perf_counter() - t_start,
        violations,
    )
    prio = {tid for tid in all_targets if ri.prizes.get(tid, 0) >= cfg.prize_priority}
    result.priority_targets = len(prio)
    result.priority_scheduled = sum(1 for r in routes for st in r.stops if st.target_id in prio)
    if save and not violations:
        report(0.97, "保存路线")
        save_plan(store, result)
        result.saved = True
    result.runtime = time.perf_counter() - t_start
    report(1.0, "完成")
    return result


def _session_name(s: SessionInfo) -> str:
    from gisplanner.schedule import WEEKDAY_ZH

    return f"{s.start:%m-%d} {WEEKDAY_ZH[s.start.weekday()]} {s.start:%H:%M}-{s.end:%H:%M} {s.label}".strip()


def save_plan(store, result: PlanResult) -> None:
    """Replace the round's routes with this plan, in one transaction."""
    with store.session() as s:
        old = select(RouteRow.id).where(RouteRow.round_id == result.round_id)
        s.execute(delete(RouteStop).where(RouteStop.route_id.in_(old)))
        s.execute(delete(RouteRow).where(RouteRow.round_id == result.round_id))
        sheet_of_team: dict[int, int] = defaultdict(int)
        for r in sorted(result.routes, key=lambda r: (r.team_id, r.start)):
            # household code "team-sheet+stop" (e.g. 41-307): unique in the round, so results
            # typed back by code never hit two households
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

    from gisplanner.model import Target as T

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
