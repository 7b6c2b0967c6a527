"""The targets of a round in the order the teams meet them (the plan order of the route sheets).

When the round has routes (``plan`` has run) the order is session, team, stop number; before
that, the targets assigned to a team, by team, village, building and unit so that paper for
one building stays together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from gisplanner.reporting.printouts.common import ReportError
from gisplanner.store.database import Store
from gisplanner.store.model import Assignment, Round, Route, RouteStop, Target, Team, VisitSession


@dataclass(frozen=True)
class PlannedVisit:
    team_id: int
    target_id: int
    seq: int  # stop number on the team's sheet (1-based), or running number when unrouted
    code: str  # the short household code printed on the sheet
    session_id: int | None = None
    route_id: int | None = None


def round_name(store: Store, round_id: int) -> tuple[str, str]:
    """(name, kind) of a round, or a clear error when it does not exist."""
    with store.session() as s:
        r = s.get(Round, round_id)
        if r is None:
            raise ReportError(f"找不到走访轮次 {round_id}")
        return r.name, r.kind


def planned_visits(store: Store, round_id: int, only=None) -> list[PlannedVisit]:
    """The round's visits in booklet order (team, then session, then stop), limited to a
    :class:`~gisplanner.reporting.printouts.selection.PrintSelection` when `only` is given."""
    round_name(store, round_id)
    keep_routes = keep_targets = None
    if only is not None and not only.is_all:
        from gisplanner.reporting.printouts.selection import selected_routes, selected_targets

        has_routes = False
        with store.session() as s:
            has_routes = s.scalar(select(Route.id).where(Route.round_id == round_id).limit(1)) is not None
        if has_routes:
            keep_routes = set(selected_routes(store, round_id, only))
        elif only.team or only.date or only.session:
            raise ReportError("该轮次还没有路线：按小组、日期或时段打印需要先排定路线（plan）")
        keep_targets = selected_targets(store, only)
    with store.session() as s:
        rows = s.execute(
            select(
                Route.id, Route.team_id, Route.session_id, RouteStop.seq, RouteStop.code, RouteStop.target_id
            )
            .join(RouteStop, RouteStop.route_id == Route.id)
            .join(VisitSession, VisitSession.id == Route.session_id)
            .where(Route.round_id == round_id)
            .order_by(Route.team_id, VisitSession.start, Route.id, RouteStop.seq)
        ).all()
        if rows:
            out = [
                PlannedVisit(
                    team_id=t,
                    target_id=tid,
                    seq=seq,
                    code=code or f"{rid}-{seq}",
                    session_id=sid,
                    route_id=rid,
                )
                for rid, t, sid, seq, code, tid in rows
                if (keep_routes is None or rid in keep_routes)
                and (keep_targets is None or tid in keep_targets)
            ]
            if not out:
                raise ReportError("所选范围内没有走访对象")
            return out
        rows = s.execute(
            select(Assignment.team_id, Assignment.target_id)
            .join(Target, Target.id == Assignment.target_id)
            .join(Team, Team.id == Assignment.team_id)
            .where(Assignment.round_id == round_id, Assignment.team_id.is_not(None))
            .order_by(Assignment.team_id, Target.area_id, Target.building, Target.unit_no, Target.id)
        ).all()
    if not rows:
        raise ReportError("该轮次还没有分组和路线：请先组建走访小组并排定路线（plan）")
    out, counter = [], {}
    for team_id, tid in rows:
        if keep_targets is not None and tid not in keep_targets:
            continue
        counter[team_id] = counter.get(team_id, 0) + 1
        n = counter[team_id]
        out.append(PlannedVisit(team_id=team_id, target_id=tid, seq=n, code=f"{team_id}-{n:03d}"))
    return out


def chunked(ids, size: int = 900):
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
