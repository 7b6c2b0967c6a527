"""Print what you need: a round's paper limited to a team, a date, a session, an area or a map
selection, in booklets — one per team, its sheets in session order.

The sheet number (路线单编号) printed large on each route sheet is the route's id: the number
``results sheet --route`` and the entry panel's picker use and ``plan --json`` reports as
``sheet``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from gisplanner.reporting.printouts.common import ReportError
from gisplanner.store.area_tree import area_and_below
from gisplanner.store.database import Store
from gisplanner.store.model import Area, Route, RouteStop, Target, Team, VisitSession


@dataclass(frozen=True)
class PrintSelection:
    team: str | None = None  # team id or name
    date: dt.date | None = None
    session: str | None = None  # session id or label (周末上午 …)
    area: str | None = None  # area code: a village, or a town and its villages
    target_ids: frozenset[int] | None = None  # a map selection

    @property
    def is_all(self) -> bool:
        return not (self.team or self.date or self.session or self.area or self.target_ids is not None)

    def describe(self) -> str:
        parts = []
        if self.team:
            parts.append(f"小组 {self.team}")
        if self.date:
            parts.append(f"日期 {self.date:%Y-%m-%d}")
        if self.session:
            parts.append(f"时段 {self.session}")
        if self.area:
            parts.append(f"区划 {self.area}")
        if self.target_ids is not None:
            parts.append(f"地图所选 {len(self.target_ids)} 个对象")
        return "，".join(parts)


def _area_ids(s, code: str) -> set[int]:
    root = s.scalar(select(Area).where(Area.code == code))
    if root is None:
        raise ReportError(f"区划代码 {code} 不存在")
    return area_and_below(s, root.id)


def selected_targets(store: Store, sel: PrintSelection | None) -> set[int] | None:
    """The targets an area / map selection allows (None: no restriction)."""
    if sel is None or (not sel.area and sel.target_ids is None):
        return None
    allowed: set[int] | None = set(sel.target_ids) if sel.target_ids is not None else None
    if sel.area:
        with store.session() as s:
            areas = _area_ids(s, sel.area)
            in_area = set(s.scalars(select(Target.id).where(Target.area_id.in_(areas))))
        allowed = in_area if allowed is None else allowed & in_area
    return allowed


def selected_routes(store: Store, round_id: int, sel: PrintSelection | None) -> list[int]:
    """The round's routes the selection keeps, in booklet order: team, then session start."""
    sel = sel or PrintSelection()
    with store.session() as s:
        q = (
            select(Route.id, Team.id, Team.name, VisitSession.id, VisitSession.label, VisitSession.start)
            .join(Team, Team.id == Route.team_id)
            .join(VisitSession, VisitSession.id == Route.session_id)
            .where(Route.round_id == round_id)
            .order_by(Team.id, VisitSession.start, Route.id)
        )
        rows = s.execute(q).all()
        if not rows:
            return []
        if sel.team:
            t = sel.team.strip()
            keep = [r for r in rows if str(r[1]) == t or r[2] == t]
            if not keep:
                names = "、".join(dict.fromkeys(r[2] for r in rows))
                raise ReportError(f"本轮次没有小组“{t}”（可选：{names}）")
            rows = keep
        if sel.date:
            rows = [r for r in rows if r[5].date() == sel.date]
            if not rows:
                raise ReportError(f"{sel.date:%Y-%m-%d} 没有走访路线")
        if sel.session:
            t = sel.session.strip()
            keep = [r for r in rows if str(r[3]) == t or (r[4] or "") == t or f"{r[5]:%H:%M}" == t]
            if not keep:
                labels = "、".join(dict.fromkeys(f"{r[3]}（{r[4] or ''} {r[5]:%m-%d %H:%M}）" for r in rows))
                raise ReportError(f"没有走访时段“{t}”（可填时段编号、名称或开始时刻，如：{labels[:200]}）")
            rows = keep
        route_ids = [r[0] for r in rows]
    allowed = selected_targets(store, sel)
    if allowed is not None:
        with store.session() as s:
            touching = set()
            ids = list(route_ids)
            for i in range(0, len(ids), 900):
                touching.update(
                    s.scalars(
                        select(RouteStop.route_id).where(
                            RouteStop.route_id.in_(ids[i : i + 900]), RouteStop.target_id.in_(allowed)
                        )
                    )
                )
        route_ids = [r for r in route_ids if r in touching]
    if not route_ids:
        raise ReportError(f"所选范围（{sel.describe() or '全部'}）内没有走访路线")
    return route_ids


@dataclass
class PrintChoices:
    """What a print dialog offers for a round: its teams, session days, sessions and villages."""

    teams: list[tuple[str, str]]  # (id as text, name)
    days: list[dt.date]
    sessions: list[tuple[str, str]]  # (id as text, label)
    villages: list[tuple[str, str]]  # (code, name)


def print_choices(store: Store, round_id: int) -> PrintChoices:
    with store.session() as s:
        teams = [
            (str(i), n)
            for i, n in s.execute(
                select(Team.id, Team.name).where(Team.round_id == round_id).order_by(Team.id)
            )
        ]
        sessions = s.execute(
            select(VisitSession.id, VisitSession.label, VisitSession.start, VisitSession.end)
            .where(VisitSession.round_id == round_id)
            .order_by(VisitSession.start)
        ).all()
        villages = list(
            s.execute(select(Area.code, Area.name).where(Area.level == "village").order_by(Area.code))
        )
    return PrintChoices(
        teams=teams,
        days=list(dict.fromkeys(v.start.date() for v in sessions)),
        sessions=[
            (str(v.id), f"{v.start:%m-%d %H:%M}–{v.end:%H:%M} {v.label or ''}".strip()) for v in sessions
        ],
        villages=[(c, n) for c, n in villages],
    )
