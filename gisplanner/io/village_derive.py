"""Village outlines derived from the roster (按名册生成村界) when the town has no village file.

Most towns have no village boundary file, but every roster says which village (所属村/社区)
each household belongs to. The households are the evidence: each gets the Voronoi cell of its
location (the part of the town nearer to it than to any other household), the cells are
clipped to the town (minus villages that do have a real boundary) and dissolved per village.
The result tiles the town without gaps or overlaps, and every household lies in its own
village. Such areas are marked ``derived`` (派生村界): a real boundary file imported later
replaces them, and the derivation can be run again after more households are imported.

- :func:`village_town` — the town new villages go under (by code, else the only town).
- :func:`derive_villages` — (re)compute the outlines of the town's derived villages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import select, update

from gisplanner.io.crs import LocalProjection
from gisplanner.progress import Progress, finish, reporter
from gisplanner.store.model import Area, Target


class DeriveError(ValueError):
    """The villages cannot be derived (no town, no town outline …); message in Chinese."""


@dataclass
class DeriveResult:
    town_code: str
    villages: int = 0  # outlines written
    targets: int = 0  # targets used as evidence
    outside_town: int = 0  # targets outside the town outline: they cannot lie in their village
    empty: list[str] = field(default_factory=list)  # derived villages without any located target

    def as_dict(self) -> dict:
        return {
            "town": self.town_code, "villages": self.villages, "targets": self.targets,
            "outside_town": self.outside_town, "villages_without_targets": self.empty,
        }  # fmt: skip


def village_town(conn, town_code: str | None) -> tuple[int, str] | None:
    """(id, code) of the town named by code, else of the only town in the database."""
    q = select(Area.id, Area.code).where(Area.level == "town")
    if town_code:
        q = q.where(Area.code == str(town_code).strip())
    rows = conn.execute(q.limit(2)).all()
    return (int(rows[0][0]), str(rows[0][1])) if len(rows) == 1 else None


def new_village_code(town_code: str, taken: set[str]) -> str:
    """A 12-digit village code under the town (its first 9 digits + 3), else ``<town>-Vnnn``."""
    if len(town_code) == 12 and town_code.isdigit():
        for n in range(1, 1000):
            c = f"{town_code[:9]}{n:03d}"
            if c not in taken and c != town_code:
                return c
    n = 1
    while f"{town_code}-V{n:03d}" in taken:
        n += 1
    return f"{town_code}-V{n:03d}"


def derive_villages(store, town_code: str | None = None, *, progress: Progress | None = None) -> DeriveResult:
    """Compute the outlines of the town's villages that have no real boundary (one transaction)."""
    report = reporter(progress, "已取消，数据库未作任何改动")
    with store.engine.connect() as conn:
        town = village_town(conn, town_code)
        if town is None:
            raise DeriveError(
                f"数据库中没有区划代码为“{town_code}”的镇/街道"
                if town_code
                else "请用 --town 指明镇/街道的区划代码（数据库中没有镇，或不止一个镇）"
            )
        town_id, code = town
        wkb = conn.execute(select(Area.boundary).where(Area.id == town_id)).scalar()
        if wkb is None:
            raise DeriveError(
                f"镇/街道“{code}”还没有镇界：请先导入镇界（import areas 镇界文件 --level town）"
            )
        villages = conn.execute(
            select(Area.id, Area.name, Area.boundary, Area.derived).where(
                Area.parent_id == town_id, Area.level == "village"
            )
        ).all()
        todo = {int(v.id): v.name for v in villages if v.derived or v.boundary is None}
        fixed = [shapely.from_wkb(v.boundary) for v in villages if not (v.derived or v.boundary is None)]
        pts = (
            conn.execute(
                select(Target.lon, Target.lat, Target.area_id).where(Target.area_id.in_(list(todo)))
            ).all()
            if todo
            else []
        )
    result = DeriveResult(code)
    if not todo:
        return result
    report(0.1, "计算村界")
    town_geom = shapely.from_wkb(wkb)
    lon = np.array([p[0] for p in pts], dtype=float)
    lat = np.array([p[1] for p in pts], dtype=float)
    area = np.array([p[2] for p in pts], dtype=np.int64)
    c = shapely.centroid(town_geom)
    proj = LocalProjection.for_lonlat(float(c.x))

    def to_xy(g):
        return shapely.transform(g, lambda a: np.column_stack(proj.forward(a[:, 0], a[:, 1])))

    def to_ll(g):
        return shapely.transform(g, lambda a: np.column_stack(proj.inverse(a[:, 0], a[:, 1])))

    region = to_xy(town_geom)
    if fixed:
        region = shapely.difference(region, to_xy(shapely.union_all(fixed)))
    region = shapely.make_valid(region)
    x, y = proj.forward(lon, lat) if len(lon) else (np.empty(0), np.empty(0))
    x, y = np.atleast_1d(x), np.atleast_1d(y)
    shapely.prepare(region)
    inside = shapely.intersects_xy(region, x, y) if len(x) else np.zeros(0, dtype=bool)
    result.outside_town = int((~inside).sum())
    result.targets = int(inside.sum())
    x, y, area = x[inside], y[inside], area[inside]
    outlines = _voronoi_villages(x, y, area, region)
    report(0.8, "写入村界")
    result.empty = sorted(name for vid, name in todo.items() if vid not in outlines)
    with store.engine.begin() as conn:
        for vid, geom in outlines.items():
            conn.execute(
                update(Area)
                .where(Area.id == vid)
                .values(boundary=shapely.to_wkb(to_ll(geom)), derived=True, version=Area.version + 1)
            )
        result.villages = len(outlines)
    finish(progress)
    return result


def _voronoi_villages(x: np.ndarray, y: np.ndarray, area: np.ndarray, region) -> dict[int, shapely.Geometry]:
    """Village id → polygon (metres): the Voronoi cells of its locations, clipped to region."""
    if not len(x):
        return {}
    # one cell per location: households of one building share it; the majority village wins
    key = np.round(np.column_stack([x, y]), 2)
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    pair = np.column_stack([inv, area])
    pairs, counts = np.unique(pair, axis=0, return_counts=True)
    order = np.lexsort((-counts, pairs[:, 0]))
    pairs = pairs[order]
    first = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
    owner = np.empty(len(uniq), dtype=np.int64)
    owner[pairs[first, 0]] = pairs[first, 1]
    ids = np.unique(owner)
    if len(ids) == 1:
        return {int(ids[0]): _polygonal(region)}
    pts = shapely.multipoints(uniq)
    env = shapely.buffer(shapely.envelope(region), 1000.0)
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=env, ordered=True))
    if len(cells) != len(uniq):  # GEOS drops nothing for distinct points; be safe anyway
        tree = shapely.STRtree(cells)
        idx = tree.query(shapely.points(uniq), predicate="intersects")
        cell_of = np.full(len(uniq), -1)
        cell_of[idx[0]] = idx[1]
        cells = cells[cell_of]
    cells = shapely.intersection(cells, region)
    out = {}
    for vid in ids:
        part = cells[owner == vid]
        try:
            geom = shapely.coverage_union_all(part)
            if not shapely.is_valid(geom):
                raise shapely.errors.GEOSException("not a clean coverage")
        except shapely.errors.GEOSException:
            geom = shapely.union_all(part)
        geom = _polygonal(geom)
        if not geom.is_empty:
            out[int(vid)] = geom
    return out


def _polygonal(geom):
    """Only the polygon parts (clipping can leave slivers of lines or points)."""
    geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]
