"""What planning and the capacity check read of a round (轮次的规划输入), as plain data.

One reader for both, so that the capacity figures and the planner see the same targets,
sessions, teams and windows: the round's sessions, each team with its office (村委会) and
the sessions all its members can do, every assigned target with its type, tags, position
in a local metric CRS and prize, the visit history (for learning when people are home) and
optionally the road network.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from gisplanner.campaign.appointments import apply_appointments
from gisplanner.campaign.schedule import (
    Availability,
    HomeModel,
    PastVisit,
    ScheduleConfig,
    SessionInfo,
    TargetInfo,
    availability,
    team_session_ids,
)
from gisplanner.geo.roads import graph_from_rows
from gisplanner.io.crs import LocalProjection
from gisplanner.routing.matrix import WALKING, RoadGraph, TravelProfile
from gisplanner.store.model import (
    CLOSED_STATUSES,
    Area,
    Assignment,
    Problem,
    Road,
    Round,
    Target,
    Team,
    Visit,
    VisitSession,
)
from gisplanner.store.vocab import RoundKind


class PlanInputError(ValueError):
    """The round is not ready to be planned (message in Chinese, for the user)."""


@dataclass(frozen=True)
class Prizes:
    """Prizes in metres of walking a visit is worth (the solver minimises walking − prizes)."""

    regular: int = 10_000
    special: int = 30_000  # special groups, key enterprises
    priority: int = 100_000  # 重点访/回头访 targets, open problems, Assignment.priority > 0


@dataclass
class TeamInput:
    team_id: int
    name: str
    office_xy: np.ndarray
    targets: list[int]
    sessions: list[SessionInfo] = field(default_factory=list)  # the sessions all members can do


@dataclass
class RoundInput:
    round_id: int
    name: str
    sessions: list[SessionInfo]
    teams: list[TeamInput]  # every team of the round, also those without targets
    xy: dict[int, np.ndarray]
    names: dict[int, str]
    infos: dict[int, TargetInfo]
    prizes: dict[int, int]
    roads: RoadGraph | None
    history: list[PastVisit]
    unassigned: list[int] = field(default_factory=list)  # targets of the round without a team
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    @property
    def assigned(self) -> list[int]:
        return [tid for t in self.teams for tid in t.targets]


class CachedHomeModel(HomeModel):
    """:class:`HomeModel` with the per-interval at-home probability remembered.

    Sessions repeat every week, so a target's probability over an interval depends only on
    the hour of the week the interval starts in and how many hours it touches; remembering
    it makes the windows of a six-week round about as cheap as those of one week.
    """

    def __init__(self, visits, cfg: ScheduleConfig | None = None):
        super().__init__(visits, cfg)
        self._memo: dict[tuple, float] = {}

    def p_home_interval(self, target_id: int, start: dt.datetime, end: dt.datetime) -> float:
        if end.day != start.day or end.month != start.month:  # over midnight: not remembered
            return super().p_home_interval(target_id, start, end)
        key = (
            target_id if target_id in self._seen else None,
            start.weekday(),
            start.hour,
            end.hour,
            bool(end.minute or end.second or end.microsecond),
        )
        p = self._memo.get(key)
        if p is None:
            p = self._memo[key] = super().p_home_interval(target_id, start, end)
        return p


def round_availability(
    ri: RoundInput, schedule: ScheduleConfig | None = None, appointments: dict | None = None
) -> dict[int, Availability]:
    """Windows of every target of the round in its sessions (after learning from history; a
    standing 约定回访时间 from :func:`gisplanner.campaign.appointments.round_appointments` narrows them)."""
    cfg = schedule or ScheduleConfig()
    ids = ri.assigned + ri.unassigned
    home = CachedHomeModel(ri.history, cfg)
    avail = availability([ri.infos[t] for t in ids], ri.sessions, cfg, home)
    apply_appointments(avail, appointments or {}, ri.sessions)
    return avail


def _team_sessions(s, round_id: int, teams, sess: list[SessionInfo]) -> dict[int, list[SessionInfo]]:
    """The sessions all members of each team can do (kinds, leave, sessions marked for teams)."""
    by_id = {v.id: v for v in sess}
    ids = team_session_ids(s, round_id)
    return {t.id: [by_id[i] for i in ids.get(t.id, []) if i in by_id] for t in teams}


def load_round(
    store,
    round_id: int,
    prizes: Prizes | None = None,
    *,
    roads: bool = True,
    profile: str | TravelProfile = WALKING,
    require_teams: bool = True,
    session_ids: set[int] | None = None,
    exclude_targets: set[int] | None = None,
) -> RoundInput:
    """Read a round for planning or the capacity check.

    ``session_ids`` keeps only those sessions (re-planning the rest of a round);
    ``exclude_targets`` leaves targets out (already visited, or on sheets that stay).
    Raises :class:`PlanInputError` when the round is unknown or has no sessions, and with
    ``require_teams`` when it has no teams or no target is assigned to one.
    """
    pz = prizes or Prizes()
    exclude = exclude_targets or set()
    with store.session() as s:
        rnd = s.get(Round, round_id)
        if rnd is None:
            raise PlanInputError(f"找不到走访轮次 {round_id}")
        sessions = s.scalars(
            select(VisitSession).where(VisitSession.round_id == round_id).order_by(VisitSession.start)
        ).all()
        if not sessions:
            from gisplanner.campaign.rounds import no_sessions_hint

            raise PlanInputError(f"轮次「{rnd.name}」还没有走访时段：{no_sessions_hint(round_id)}")
        if session_ids is not None:
            sessions = [v for v in sessions if v.id in session_ids]
        teams = s.scalars(select(Team).where(Team.round_id == round_id).order_by(Team.id)).all()
        rows = s.execute(
            select(Assignment.target_id, Assignment.team_id, Assignment.priority).where(
                Assignment.round_id == round_id
            )
        ).all()
        rows = [r for r in rows if r.target_id not in exclude]
        assigned = [r for r in rows if r.team_id is not None]
        if require_teams and (not teams or not assigned):
            raise PlanInputError(
                f"轮次「{rnd.name}」还没有组队或分配走访对象（{len(teams)} 个小组，"
                f"{len(assigned)}/{len(rows)} 个对象已分配）：请先用「teams form」组队、「teams split」划分片区，"
                "或在命令行加 --auto-teams 自动组队并划分"
            )
        tids = sorted({r.target_id for r in rows})
        trows = []
        for k in range(0, len(tids), 900):
            trows += s.execute(
                select(
                    Target.id, Target.kind, Target.name, Target.lon, Target.lat, Target.elderly_alone,
                    Target.disabled, Target.hardship, Target.away_business, Target.key_enterprise, Area.urban,
                )
                .join(Area, Area.id == Target.area_id)
                .where(Target.id.in_(tids[k : k + 900]))
            ).all()  # fmt: skip
        if trows:
            lon = np.array([r.lon for r in trows])
            lat = np.array([r.lat for r in trows])
            proj = LocalProjection.for_lonlat(float(np.mean(lon)), float(np.mean(lat)))
            x, y = proj.forward(lon, lat)
            x, y = np.atleast_1d(x), np.atleast_1d(y)
        else:
            proj = LocalProjection.for_lonlat(120.0, 31.0)
            x = y = np.zeros(0)
        xy = {r.id: np.array([x[i], y[i]]) for i, r in enumerate(trows)}
        infos = {
            r.id: TargetInfo(
                r.id, r.kind, bool(r.urban), bool(r.elderly_alone), bool(r.disabled), bool(r.hardship),
                bool(r.away_business),
            )
            for r in trows
        }  # fmt: skip
        names = {r.id: r.name for r in trows}
        open_problem: set[int] = set()
        for k in range(0, len(tids), 900):
            open_problem.update(
                s.scalars(
                    select(Problem.target_id).where(
                        Problem.target_id.in_(tids[k : k + 900]), Problem.status.not_in(CLOSED_STATUSES)
                    )
                ).all()
            )
        priority_round = rnd.kind in (RoundKind.PRIORITY, RoundKind.RETURN)
        key_ent = {r.id for r in trows if r.key_enterprise}
        prize_of = {}
        for r in rows:
            info = infos.get(r.target_id)
            if info is None:
                continue
            if priority_round or (r.priority or 0) > 0 or r.target_id in open_problem:
                prize_of[r.target_id] = pz.priority + 10_000 * max(0, r.priority or 0)
            elif info.special or r.target_id in key_ent:
                prize_of[r.target_id] = pz.special
            else:
                prize_of[r.target_id] = pz.regular
        by_team = defaultdict(list)
        for r in assigned:
            if r.target_id in xy:
                by_team[r.team_id].append(r.target_id)
        unassigned = sorted(r.target_id for r in rows if r.team_id is None and r.target_id in xy)
        offices = {a.id: a for a in s.scalars(select(Area).where(Area.office_lon.is_not(None))).all()}
        sess = [SessionInfo(v.id, v.start, v.end, v.label or "", bool(v.holiday)) for v in sessions]
        usable = _team_sessions(s, round_id, teams, sess) if teams else {}
        team_inputs = []
        for t in teams:
            members = sorted(by_team.get(t.id, []))
            office = offices.get(t.office_area_id)
            if office is not None:
                ox, oy = proj.forward(office.office_lon, office.office_lat)
                oxy = np.array([float(ox), float(oy)])
            elif members:  # no office known: start from the middle of the team's targets
                oxy = np.mean([xy[i] for i in members], axis=0)
            else:
                oxy = np.zeros(2)
            team_inputs.append(TeamInput(t.id, t.name, oxy, members, usable.get(t.id, [])))
        history: list[PastVisit] = []
        if sess:
            first = sess[0].start
            for k in range(0, len(tids), 900):
                hist = s.execute(
                    select(Visit.target_id, Visit.visited_at, Visit.outcome).where(
                        Visit.target_id.in_(tids[k : k + 900]), Visit.visited_at < first
                    )
                ).all()
                history += [PastVisit(h.target_id, h.visited_at, h.outcome) for h in hist]
        road_rows = s.execute(select(Road.geometry, Road.kind, Road.source)).all() if roads else []
        name, start_date, end_date = rnd.name, rnd.start_date, rnd.end_date
    # the roads this profile may use (walkers: no motorways; e-bikes: no steps or footways)
    graph = graph_from_rows(road_rows, proj, profile) if road_rows else None
    return RoundInput(
        round_id, name, sess, team_inputs, xy, names, infos, prize_of, graph, history, unassigned,
        start_date, end_date,
    )  # fmt: skip
