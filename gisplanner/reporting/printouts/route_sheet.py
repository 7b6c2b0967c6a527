"""Route sheet (走访路线单): one per team per session, as plain data for the printing layer.

Header (the sheet number 路线单编号 in large type — the route's id that the entry panel and
``results`` use — round, session, team members with roles and masked phones, start point = the
team's village office), a map to find the doors by in a local metric CRS (village outlines,
roads with their names, the village office and other landmarks, the legs of the route, stops in
the same building grouped, an inset of where the sheet lies in the town), and the stop table in
plan order (RouteStop.seq) with each stop's short household code; the stops of one building
together in unit/floor order. With the round's leader copy on, each team's booklet also gets a
call-ahead list (电话预约联系单) with the households' full phones for its leader.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from sqlalchemy import select

from gisplanner.geo.roads import road_graph
from gisplanner.io.crs import LocalProjection
from gisplanner.progress import Progress, check
from gisplanner.reporting.printouts import details
from gisplanner.reporting.printouts.common import PrintContext, ReportError, leader_copy_setting
from gisplanner.reporting.printouts.plan_order import round_name
from gisplanner.reporting.printouts.selection import selected_routes
from gisplanner.routing.legs import leg_geometries
from gisplanner.store.database import Store
from gisplanner.store.model import ROUND_KIND_ZH, Route, RouteStop, Target, Team, VisitSession
from gisplanner.store.vocab import TargetKind

OUTCOME_BOXES = ("见面", "不在家", "拒访", "已搬离", "电话走访")
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

    @property
    def building(self) -> str:
        return self.target.building


_UNIT_FLOOR = re.compile(r"(?:(\d+)\s*单元)?\D*?(\d{3,4})")


def unit_floor_key(unit_no: str) -> tuple[int, int, int]:
    """(unit, floor, room) of a '2单元302室' style number, for walking a building in order."""
    m = _UNIT_FLOOR.search(unit_no or "")
    if not m:
        return (0, 0, 0)
    unit = int(m.group(1)) if m.group(1) else 0
    room = int(m.group(2))
    return (unit, room // 100, room)


@dataclass
class BuildingGroup:
    """Consecutive stops in one building (same Target.building), printed together."""

    building: str
    stops: list[SheetStop]

    @property
    def seqs(self) -> str:
        nums = sorted(st.seq for st in self.stops)
        if nums == list(range(nums[0], nums[-1] + 1)) and len(nums) > 2:
            return f"{nums[0]}–{nums[-1]}"
        return ",".join(map(str, nums))


def group_by_building(stops: list[SheetStop]) -> list[BuildingGroup]:
    """Stops in plan order; a run of stops in the same building becomes one group whose stops are
    in unit/floor order (a lone stop is a group of one)."""
    groups: list[BuildingGroup] = []
    for st in stops:
        if groups and st.building and groups[-1].building == st.building:
            groups[-1].stops.append(st)
        else:
            groups.append(BuildingGroup(st.building, [st]))
    for g in groups:
        if len(g.stops) > 1:
            g.stops.sort(key=lambda st: (unit_floor_key(st.target.unit_no), st.seq))
    return groups


@dataclass
class Landmark:
    kind: str  # office (the team's village office) / village_office / town / enterprise
    name: str
    x: float
    y: float


@dataclass
class InsetMap:
    """Where the sheet lies in the town: village outlines (simplified) and the town's bounds."""

    rings: list[np.ndarray]
    bounds: tuple[float, float, float, float]


@dataclass
class SheetMap:
    """The route's surroundings in metres (local Gauss-Kruger CRS), ready to scale onto paper."""

    bounds: tuple[float, float, float, float]
    areas: list[tuple[str, list[np.ndarray]]] = field(default_factory=list)  # name, rings (N×2)
    area_labels: list[tuple[str, float, float]] = field(default_factory=list)
    roads: list[tuple[str, np.ndarray]] = field(default_factory=list)  # kind, line (N×2)
    office: tuple[float, float] | None = None
    road_names: list[tuple[str, str, np.ndarray]] = field(default_factory=list)  # name, kind, line
    landmarks: list[Landmark] = field(default_factory=list)
    legs: list[np.ndarray] = field(default_factory=list)  # office → stop 1 → … → office, N×2 each
    legs_follow_roads: bool = False  # False: straight lines (drawn dashed: "not the way to walk")
    inset: InsetMap | None = None


def route_legs(points: list[tuple[float, float]], graph=None) -> tuple[list[np.ndarray], bool]:
    """The legs between consecutive points (office, stops in order, office), in sheet metres,
    and whether they follow the road network (the same search the planner's matrices used,
    :func:`gisplanner.routing.legs.leg_geometries`); straight segments where no road is known."""
    if graph is not None and len(points) >= 2:
        legs = [
            leg for leg in leg_geometries(graph, [np.asarray(points, dtype=float)])[0] if len(leg.xy) >= 2
        ]
        if legs:  # a leg with no road near is the straight line; drawn solid only when all follow roads
            return [leg.xy for leg in legs], all(leg.on_road for leg in legs)
    legs = [np.asarray([a, b], dtype=float) for a, b in zip(points[:-1], points[1:], strict=True) if a != b]
    return legs, False


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
    sheet_no: int = 0  # 路线单编号: the route id (entry panel, `results sheet --route`, `plan --json`)
    team_sheet: tuple[int, int] = (1, 1)  # this team's k-th sheet of n in the booklet

    @property
    def title(self) -> str:
        return f"{self.team.name} 走访路线单"

    @property
    def groups(self) -> list[BuildingGroup]:
        return group_by_building(self.stops)

    @property
    def session_text(self) -> str:
        wd = "一二三四五六日"[self.session_start.weekday()]
        label = f"{self.session_label} " if self.session_label else ""
        return f"{self.session_start:%Y年%m月%d日} 周{wd} {label}{self.session_start:%H:%M}–{self.session_end:%H:%M}"


class _Geography:
    """Village outlines, roads and landmarks projected once, queried per sheet with STRtrees."""

    def __init__(self, store: Store, lon0: float, lat0: float):
        self.proj = LocalProjection.for_lonlat(lon0, lat0)
        areas = store.areas_gdf(level="village")
        offices = store.areas_gdf()
        areas = areas[areas.geometry.notna()]
        self.area_names = areas["name"].tolist()
        self.area_geoms = np.array(self._project(areas.geometry.to_numpy()), dtype=object)
        roads = store.roads_gdf()
        self.road_kinds = roads["kind"].tolist()
        self.road_names = [n if isinstance(n, str) else "" for n in roads["name"].tolist()]
        self.road_geoms = np.array(self._project(roads.geometry.to_numpy()), dtype=object)
        self.area_tree = shapely.STRtree(self.area_geoms)
        self.road_tree = shapely.STRtree(self.road_geoms)
        self.road_graph = road_graph(store, self.proj) if len(self.road_geoms) else None  # walking legs
        # landmarks: village / community offices and the town government, enterprises by name
        marks: list[Landmark] = []
        for _, a in offices[offices["office_lon"].notna()].iterrows():
            x, y = self.xy(a["office_lon"], a["office_lat"])
            kind = "town" if a["level"] == "town" else "village_office"
            name = a["office_name"] or (a["name"] + ("人民政府" if kind == "town" else "村委会"))
            marks.append(Landmark(kind, name, float(x), float(y)))
        with store.session() as s:
            ents = s.execute(
                select(Target.name, Target.lon, Target.lat, Target.key_enterprise)
                .where(Target.kind == TargetKind.ENTERPRISE)
                .order_by(Target.key_enterprise.desc(), Target.id)
            ).all()
        if ents:
            ex, ey = self.xy([e.lon for e in ents], [e.lat for e in ents])
            marks += [
                Landmark("enterprise", e.name, float(x), float(y))
                for e, x, y in zip(ents, ex, ey, strict=True)
            ]
        self.landmarks = marks
        self.mark_xy = np.array([[m.x, m.y] for m in marks]) if marks else np.zeros((0, 2))
        # the inset: every village outline, simplified to what a 40 mm box can show
        if len(self.area_geoms):
            simple = shapely.simplify(self.area_geoms, 30.0)
            rings = []
            for g in simple:
                rings += [np.asarray(p.exterior.coords) for p in getattr(g, "geoms", [g]) if not p.is_empty]
            self.inset = InsetMap(rings, tuple(shapely.total_bounds(self.area_geoms).tolist()))
        else:
            self.inset = None

    def _project(self, geoms):
        if len(geoms) == 0:
            return []

        def fwd(coords):
            x, y = self.proj.forward(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(np.asarray(geoms, dtype=object), fwd)

    def xy(self, lon, lat):
        return self.proj.forward(np.asarray(lon, float), np.asarray(lat, float))

    def sheet_map(self, xs: np.ndarray, ys: np.ndarray, office, aspect: float = 1.6) -> SheetMap:
        """The map around the stops; `aspect` (width / height of the map box on paper) widens the
        view so it fills the box and what is drawn is what is listed (roads, landmarks)."""
        allx = np.append(xs, office[0]) if office else xs
        ally = np.append(ys, office[1]) if office else ys
        minx, maxx, miny, maxy = allx.min(), allx.max(), ally.min(), ally.max()
        pad = max(80.0, 0.08 * max(maxx - minx, maxy - miny))
        minx, maxx, miny, maxy = minx - pad, maxx + pad, miny - pad, maxy + pad
        w, h = maxx - minx, maxy - miny
        if w / h < aspect:  # widen to the box's shape
            extra = (h * aspect - w) / 2
            minx, maxx = minx - extra, maxx + extra
        else:
            extra = (w / aspect - h) / 2
            miny, maxy = miny - extra, maxy + extra
        bounds = (minx, miny, maxx, maxy)
        box = shapely.box(*bounds)
        m = SheetMap(bounds=bounds, office=office, inset=self.inset)
        for i in self.area_tree.query(box):
            g = self.area_geoms[i]
            rings = [np.asarray(p.exterior.coords) for p in getattr(g, "geoms", [g])]
            m.areas.append((self.area_names[i], rings))
            pt = (
                shapely.intersection(g, box).representative_point()
                if not g.within(box)
                else g.representative_point()
            )
            if not pt.is_empty:
                m.area_labels.append((self.area_names[i], pt.x, pt.y))
        for i in self.road_tree.query(box):
            g = self.road_geoms[i]
            for part in getattr(g, "geoms", [g]):
                m.roads.append((self.road_kinds[i], np.asarray(part.coords)))
            name = self.road_names[i]
            if name:
                inside = shapely.intersection(g, box)
                parts = [
                    p
                    for p in getattr(inside, "geoms", [inside])
                    if p.geom_type == "LineString" and not p.is_empty
                ]
                if parts:
                    longest = max(parts, key=lambda p: p.length)
                    m.road_names.append((name, self.road_kinds[i], np.asarray(longest.coords)))
        if len(self.mark_xy):
            inside = (
                (self.mark_xy[:, 0] > minx) & (self.mark_xy[:, 0] < maxx)
                & (self.mark_xy[:, 1] > miny) & (self.mark_xy[:, 1] < maxy)
            )  # fmt: skip
            m.landmarks = [
                replace(self.landmarks[i]) for i in np.flatnonzero(inside)
            ]  # copies: marked per sheet
        return m


@dataclass
class CallAheadRow:
    seq: int
    code: str
    name: str
    address: str
    phone: str  # in full: this copy stays with the team leader
    session_text: str
    eta: dt.datetime
    tags: list[str]


@dataclass
class CallAheadList:
    """电话预约联系单: a team's households with full phones, for its leader to call ahead and
    agree a time (约定回访时间). Door copies stay masked; printing this is logged as unmasked."""

    round_name: str
    team: details.TeamInfo
    rows: list[CallAheadRow]
    sheets: list[int]  # the sheet numbers it covers


def build_route_sheets(
    store: Store,
    round_id: int,
    ctx: PrintContext | None = None,
    *,
    route_ids: list[int] | None = None,
    progress: Progress | None = None,
) -> list[RouteSheet | CallAheadList]:
    """The round's route sheets (or the given routes, or those of ``ctx.only``) as booklets: team by
    team, each team's sheets in session order, stops in plan order. With ``ctx.leader_copy`` (or
    the round's leader-copy setting) each booklet starts with its leader's call-ahead list."""
    ctx = ctx or PrintContext()
    rname, rkind = round_name(store, round_id)
    if route_ids is None:
        route_ids = selected_routes(store, round_id, ctx.only)
        if not route_ids:
            raise ReportError(f"轮次“{rname}”还没有路线：请先排定路线（plan）")
    leader_copy = ctx.leader_copy or leader_copy_setting(store, round_id)
    with store.session() as s:
        q = (
            select(Route, VisitSession)
            .join(VisitSession, VisitSession.id == Route.session_id)
            .join(Team, Team.id == Route.team_id)
            .where(Route.round_id == round_id)
            .order_by(Team.id, VisitSession.start, Route.id)
        )
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
        all_of_team: dict[int, list[int]] = {}
        for rid, tid in s.execute(
            select(Route.id, Route.team_id)
            .join(VisitSession, VisitSession.id == Route.session_id)
            .where(Route.round_id == round_id)
            .order_by(Route.team_id, VisitSession.start, Route.id)
        ):
            all_of_team.setdefault(tid, []).append(rid)
    check(progress, 0.1, "读取住户与走访记录")
    target_ids = {st.target_id for sts in stops_by_route.values() for st in sts}
    tinfo = details.targets(store, target_ids, ctx)
    hist = details.visit_history(store, target_ids, before=min(r[4] for r in routes))
    probs = details.problems(store, target_ids)
    tinfo_teams = details.teams(store, {r[1] for r in routes}, ctx)
    if not tinfo:
        raise ReportError(f"轮次“{rname}”的路线没有走访点")
    some = next(iter(tinfo.values()))
    geo = _Geography(store, some.lon, some.lat)
    check(progress, 0.3, "生成路线图")
    aspect = 186.0 / 96.0  # the map box on paper (A3 scales width and height alike)
    sheets: list[RouteSheet | CallAheadList] = []
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
        m = geo.sheet_map(np.asarray(xs, float), np.asarray(ys, float), office, aspect)
        pts = [(st.x, st.y) for st in stops]
        if office:
            pts = [office, *pts, office]
        m.legs, m.legs_follow_roads = route_legs(pts, geo.road_graph)
        for lm in m.landmarks:  # the team's own office is the start, drawn as such
            if (
                office
                and lm.kind == "village_office"
                and abs(lm.x - office[0]) < 1
                and abs(lm.y - office[1]) < 1
            ):
                lm.kind = "office"
        mine = all_of_team.get(team_id, [rid])
        sheet = RouteSheet(
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
            map=m,
            sheet_no=rid,
            team_sheet=(mine.index(rid) + 1 if rid in mine else 1, len(mine)),
        )  # fmt: skip
        if leader_copy and (
            not sheets or getattr(sheets[-1], "team", None) is None or sheets[-1].team.id != team_id
        ):
            sheets.append(
                _call_ahead(store, rname, team_id, [r for r in routes if r[1] == team_id], stops_by_route)
            )
        sheets.append(sheet)
        check(progress, 0.3 + 0.7 * (i + 1) / len(routes), f"路线单 {i + 1}/{len(routes)}")
    return sheets


def _call_ahead(store: Store, rname: str, team_id: int, routes, stops_by_route) -> CallAheadList:
    """The leader's copy for one team: every household of its selected sheets with full phones."""
    full = PrintContext(unmasked=True)
    team = details.teams(store, {team_id}, full)[team_id]
    ids = [st.target_id for r in routes for st in stops_by_route.get(r[0], [])]
    info = details.targets(store, ids, full)
    rows = []
    for rid, _t, _w, label, start, end in routes:
        wd = "一二三四五六日"[start.weekday()]
        when = f"{start:%m-%d} 周{wd} {label} {start:%H:%M}–{end:%H:%M}".replace("  ", " ")
        for st in stops_by_route.get(rid, []):
            t = info.get(st.target_id)
            if t is None:
                continue
            rows.append(
                CallAheadRow(
                    st.seq,
                    st.code or f"{rid}-{st.seq}",
                    t.name,
                    t.full_address,
                    t.phone,
                    when,
                    st.eta,
                    t.tags,
                )  # fmt: skip
            )
    return CallAheadList(rname, team, rows, [r[0] for r in routes])
