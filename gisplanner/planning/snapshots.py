"""Undo for the big replacing actions: snapshots of a round's assignments, teams and plan.

自动划分片区 replaces the round's assignments, 组建队伍 replaces its teams (and with them their
assignments and routes), 规划路线 replaces its routes. Each takes a snapshot first; restoring
one puts every row back as it was, with the same ids, in one transaction (so sheets already
printed keep their household codes). Plain data: the UI keeps snapshots on its undo stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update

from gisplanner.store.model import Assignment, Route, RouteStop, SessionTeam, Team, TeamMember, Visit

CHUNK = 900  # SQLite's bound-parameter limit, with room to spare


def _chunks(seq):
    seq = list(seq)
    for k in range(0, len(seq), CHUNK):
        yield seq[k : k + CHUNK]


def _rows(s, table, col, ids) -> list[dict]:
    out: list[dict] = []
    for part in _chunks(ids):
        out += [dict(r._mapping) for r in s.execute(select(table).where(col.in_(part)))]
    return out


def assignment_snapshot(store, round_id: int) -> dict[int, int | None]:
    """Target id -> team id (None: unassigned) of every target in the round."""
    with store.session() as s:
        rows = s.execute(
            select(Assignment.target_id, Assignment.team_id).where(Assignment.round_id == round_id)
        ).all()
    return {int(t): (int(team) if team is not None else None) for t, team in rows}


def restore_assignments(s, round_id: int, previous: dict[int, int | None]) -> None:
    by_team: dict[int | None, list[int]] = {}
    for tid, team in previous.items():
        by_team.setdefault(team, []).append(int(tid))
    for team, tids in by_team.items():
        for part in _chunks(tids):
            s.execute(
                update(Assignment)
                .where(Assignment.round_id == round_id, Assignment.target_id.in_(part))
                .values(team_id=team)
            )


def restore_assignment_snapshot(store, round_id: int, snap: dict[int, int | None]) -> None:
    with store.session() as s:
        restore_assignments(s, round_id, snap)


@dataclass
class PlanSnapshot:
    round_id: int
    routes: list[dict] = field(default_factory=list)
    stops: list[dict] = field(default_factory=list)

    @property
    def stop_count(self) -> int:
        return len(self.stops)


def plan_snapshot(store, round_id: int) -> PlanSnapshot:
    """Every route of the round with its stops."""
    with store.session() as s:
        routes = [
            dict(r._mapping) for r in s.execute(select(Route.__table__).where(Route.round_id == round_id))
        ]
        stops = _rows(s, RouteStop.__table__, RouteStop.route_id, [r["id"] for r in routes])
    return PlanSnapshot(round_id, routes, stops)


def _delete_plan(s, round_id: int) -> None:
    ids = s.scalars(select(Route.id).where(Route.round_id == round_id)).all()
    for part in _chunks(ids):
        s.execute(delete(RouteStop).where(RouteStop.route_id.in_(part)))
        s.execute(delete(Route).where(Route.id.in_(part)))


def _insert_plan(s, snap: PlanSnapshot) -> None:
    if snap.routes:
        s.execute(insert(Route.__table__), snap.routes)
    if snap.stops:
        s.execute(insert(RouteStop.__table__), snap.stops)


def restore_plan(store, snap: PlanSnapshot) -> None:
    """The round's routes exactly as in the snapshot (the current ones are deleted)."""
    with store.session() as s:
        _delete_plan(s, snap.round_id)
        _insert_plan(s, snap)


@dataclass
class TeamSnapshot:
    round_id: int
    teams: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    session_teams: list[dict] = field(default_factory=list)
    plan: PlanSnapshot | None = None
    assignments: dict[int, int | None] = field(default_factory=dict)
    visits: dict[int, int] = field(default_factory=dict)  # visit id -> team id


def team_snapshot(store, round_id: int) -> TeamSnapshot:
    """The round's teams with their members, marked sessions, routes, assignments and visits."""
    with store.session() as s:
        teams = [dict(r._mapping) for r in s.execute(select(Team.__table__).where(Team.round_id == round_id))]
        ids = [t["id"] for t in teams]
        members = _rows(s, TeamMember.__table__, TeamMember.team_id, ids)
        session_teams = _rows(s, SessionTeam.__table__, SessionTeam.team_id, ids)
        visits = {}
        for part in _chunks(ids):
            visits.update(
                dict(s.execute(select(Visit.id, Visit.team_id).where(Visit.team_id.in_(part))).all())
            )
    return TeamSnapshot(
        round_id, teams, members, session_teams, plan_snapshot(store, round_id),
        assignment_snapshot(store, round_id), visits,
    )  # fmt: skip


def restore_teams(store, snap: TeamSnapshot) -> None:
    """Replace the round's current teams by the snapshot's (same ids), with their members,
    sessions, routes, assignments and visits, in one transaction."""
    from gisplanner.teams.formation import delete_round_teams

    rid = snap.round_id
    with store.session() as s:
        current = s.scalars(select(Team.id).where(Team.round_id == rid)).all()
        for part in _chunks(current):
            s.execute(delete(SessionTeam).where(SessionTeam.team_id.in_(part)))
        delete_round_teams(s, rid)
        _delete_plan(s, rid)
        if snap.teams:
            s.execute(insert(Team.__table__), snap.teams)
        if snap.members:
            s.execute(insert(TeamMember.__table__), snap.members)
        if snap.session_teams:
            s.execute(insert(SessionTeam.__table__), snap.session_teams)
        if snap.plan is not None:
            _insert_plan(s, snap.plan)
        restore_assignments(s, rid, snap.assignments)
        by_team: dict[int, list[int]] = {}
        for vid, team in snap.visits.items():
            by_team.setdefault(team, []).append(vid)
        for team, vids in by_team.items():
            for part in _chunks(vids):
                s.execute(update(Visit).where(Visit.id.in_(part)).values(team_id=team))


def replace_counts(store, round_id: int, area_code: str | None = None) -> dict:
    """What a replacing action would replace: teams, assigned targets (in the area, a village
    or a town, when given), routes and their stops."""
    from sqlalchemy import func, or_

    from gisplanner.store.model import Area, Target

    with store.session() as s:

        def count(q) -> int:
            return int(s.scalar(q) or 0)

        assigned_q = (
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.round_id == round_id, Assignment.team_id.is_not(None))
        )
        if area_code is not None:
            area = s.scalars(select(Area.id).where(Area.code == area_code)).first()
            below = select(Area.id).where(or_(Area.id == area, Area.parent_id == area))
            assigned_q = assigned_q.where(
                Assignment.target_id.in_(select(Target.id).where(Target.area_id.in_(below)))
            )
        routes = select(Route.id).where(Route.round_id == round_id)
        return {
            "teams": count(select(func.count()).select_from(Team).where(Team.round_id == round_id)),
            "assigned": count(assigned_q),
            "routes": count(select(func.count()).select_from(routes.subquery())),
            "stops": count(select(func.count()).select_from(RouteStop).where(RouteStop.route_id.in_(routes))),
        }
