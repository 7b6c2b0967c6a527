"""Route sheet (走访路线单): one per team per session, as plain data for the printing layer.

Header (round, session, team members with roles and masked phones, start point = the team's
village office), a map of the route in a local metric CRS (area outlines, roads, numbered
stops), and the stop table in plan order (RouteStop.seq) with each stop's short household code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import select

from gisplanner.io.crs import LocalProjection
from gisplanner.model import ROUND_KIND_ZH, Route, RouteStop, Team, VisitSession
from gisplanner.reports import details
from gisplanner.reports.common import PrintContext, Progress, ReportError, report
from gisplanner.reports.plan_order import round_name
from gisplanner.store import Store

OUTCOME_BOXES = ("见面", "不在家", "拒访", "已搬离")
TWO_CARRIES = ("工作证", "鞋套")  # 两个带
FIVE_HEARTS = (  # 五心工作法
    "细心准备：先到村（居）委会了解情况",
    "热心问候：主动亮明身份、出示工作证",
    "诚心交谈：耐心倾听，不打断、不敷衍",
    "用心观察：留意家中困难和安全隐患",
    "真心服务：能当场解决的当场解决，其余登记并告知办理时限",
)


@dataclass
class SheetStop:
    seq: int
    code: str
    eta: dt.datetime
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    service_minutes: int
    target: details.TargetInfo
    history: list[str]
    open_problems: list[str]
    x: float
    y: float

    @property
    def window(self) -> str:
        if self.window_start and self.window_end:
            return f"{self.window_start:%H:%M}–{self.window_end:%H:%M}"
        return ""


@dataclass
class SheetMap:
    """The route's surroundings in metres (local Gauss-Kruger CRS), ready to scale onto paper."""

    bounds: tuple[float, float, float, float]
    areas: list[tuple[str, list[np.ndarray]]] = field(default_factory=list)  # name, rings (N×2)
    area_labels: list[tuple[str, float, float]] = field(default_factory=list)
    roads: list[tuple[str, np.ndarray]] = field(default_factory=list)  # kind, line (N×2)
    office: tuple[float, float] | None = None


@dataclass
class RouteSheet:
    route_id: int
    round_id: int
    round_name: str
    round_kind: str
    team: details.TeamInfo
    session_label: str
    session_start: dt.datetime
    session_end: dt.datetime
    walking_minutes: float
    stops: list[SheetStop]
    map: SheetMap

    @property
    def title(self) -> str:
        return f"{self.team.name} 走访路线单"

    @property
    def session_text(self) -> str:
        wd = "一二三四五六日"[self.session_start.weekday()]
        label = f"{self.session_label} " if self.session_label else ""
        return f"{self.session_start:%Y年%m月%d日} 周{wd} {label}{self.session_start:%H:%M}–{self.session_end:%H:%M}"


class _Geography:
    """Village outlines and roads projected once, queried per sheet with an STRtree."""

    def __init__(self, store: Store, lon0: float, lat0: float):
        self.proj = LocalProjection.for_lonlat(lon0, lat0)
        areas = store.areas_gdf(level="village")
        areas = areas[areas.geometry.notna()]
        self.area_names = areas["name"].tolist()
        self.area_geoms = np.array(self._project(areas.geometry.to_numpy()), dtype=object)
        roads = store.roads_gdf()
        self.road_kinds = roads["kind"].tolist()
        self.road_geoms = np.array(self._project(roads.geometry.to_numpy()), dtype=object)
        self.area_tree = shapely.STRtree(self.area_geoms)
        self.road_tree = shapely.STRtree(self.road_geoms)

    def _project(self, geoms):
        if len(geoms) == 0:
            return []

        def fwd(coords):
            x, y = self.proj.forward(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(np.asarray(geoms, dtype=object), fwd)

    def xy(self, lon, lat):
        return self.proj.forward(np.asarray(lon, float), np.asarray(lat, float))

    def sheet_map(self, xs: np.ndarray, ys: np.ndarray, office) -> SheetMap:
        allx = np.append(xs, office[0]) if office else xs
        ally = np.append(ys, office[1]) if office else ys
        minx, maxx, miny, maxy = allx.min(), allx.max(), ally.min(), ally.max()
        pad = max(80.0, 0.08 * max(maxx - minx, maxy - miny))
        bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
        # generous: the page may widen the view to its own aspect ratio
        half = 0.5 * max(bounds[2] - bounds[0], bounds[3] - bounds[1])
        box = shapely.box(bounds[0] - half, bounds[1] - half, bounds[2] + half, bounds[3] + half)
        m = SheetMap(bounds=bounds, office=office)
        for i in self.area_tree.query(box):
            g = self.area_geoms[i]
            rings = [np.asarray(p.exterior.coords) for p in getattr(g, "geoms", [g])]
            m.areas.append((self.area_names[i], rings))
            pt = g.representative_point()
            m.area_labels.append((self.area_names[i], pt.x, pt.y))
        for i in self.road_tree.query(box):
            g = self.road_geoms[i]
            for part in getattr(g, "geoms", [g]):
                m.roads.append((self.road_kinds[i], np.asarray(part.coords)))
        return m


def build_route_sheets(
    store: Store,
    round_id: int,
    ctx: PrintContext | None = None,
    *,
    route_ids: list[int] | None = None,
    progress: Progress = None,
) -> list[RouteSheet]:
    """Every route sheet of a round (or the given routes), by session then team, stops in plan order."""
    ctx = ctx or PrintContext()
    rname, rkind = round_name(store, round_id)
    with store.session() as s:
        q = (
            select(Route, VisitSession)
            .join(VisitSession, VisitSession.id == Route.session_id)
            .join(Team, Team.id == Route.team_id)
            .where(Route.round_id == round_id)
            .order_by(VisitSession.start, Team.id, Route.id)
        )
        if route_ids is not None:
            q = q.where(Route.id.in_(route_ids))
        routes = [
            (r.id, r.team_id, r.walking_minutes, v.label or "", v.start, v.end) for r, v in s.execute(q).all()
        ]
        if not routes:
            raise ReportError(f"轮次“{rname}”还没有路线：请先排定路线（plan）")
        stop_rows = s.execute(
            select(RouteStop)
            .where(RouteStop.route_id.in_([r[0] for r in routes]))
            .order_by(RouteStop.route_id, RouteStop.seq)
        ).scalars()
        stops_by_route: dict[int, list[RouteStop]] = {}
        for st in stop_rows:
            stops_by_route.setdefault(st.route_id, []).append(st)
    report(progress, 0.1, "读取住户与走访记录")
    target_ids = {st.target_id for sts in stops_by_route.values() for st in sts}
    tinfo = details.targets(store, target_ids, ctx)
    hist = details.visit_history(store, target_ids, before=min(r[4] for r in routes))
    probs = details.problems(store, target_ids)
    tinfo_teams = details.teams(store, {r[1] for r in routes}, ctx)
    if not tinfo:
        raise ReportError(f"轮次“{rname}”的路线没有走访点")
    some = next(iter(tinfo.values()))
    geo = _Geography(store, some.lon, some.lat)
    report(progress, 0.3, "生成路线图")
    sheets = []
    for i, (rid, team_id, walking, label, start, end) in enumerate(routes):
        team = tinfo_teams[team_id]
        sts = stops_by_route.get(rid, [])
        lon = np.array([tinfo[st.target_id].lon for st in sts])
        lat = np.array([tinfo[st.target_id].lat for st in sts])
        xs, ys = geo.xy(lon, lat) if len(sts) else (np.zeros(0), np.zeros(0))
        office = None
        if team.office_lon is not None and team.office_lat is not None:
            ox, oy = geo.xy(team.office_lon, team.office_lat)
            office = (float(ox), float(oy))
        if not len(sts) and office is None:
            continue
        stops = [
            SheetStop(
                seq=st.seq,
                code=st.code or f"{rid}-{st.seq}",
                eta=st.eta,
                window_start=st.window_start,
                window_end=st.window_end,
                service_minutes=st.service_minutes,
                target=tinfo[st.target_id],
                history=hist.get(st.target_id, []),
                open_problems=[p.short for p in probs.get(st.target_id, [])],
                x=float(xs[k]),
                y=float(ys[k]),
            )  # fmt: skip
            for k, st in enumerate(sts)
        ]
        sheets.append(
            RouteSheet(
                route_id=rid,
                round_id=round_id,
                round_name=rname,
                round_kind=ROUND_KIND_ZH.get(rkind, rkind),
                team=team,
                session_label=label,
                session_start=start,
                session_end=end,
                walking_minutes=float(walking or 0.0),
                stops=stops,
                map=geo.sheet_map(np.asarray(xs, float), np.asarray(ys, float), office),
            )  # fmt: skip
        )
        report(progress, 0.3 + 0.7 * (i + 1) / len(routes), f"路线单 {i + 1}/{len(routes)}")
    return sheets
