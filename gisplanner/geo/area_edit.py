"""Digitising areas (区域编辑): draw, reshape, split and merge area polygons, undoably.

Every edit is planned first (``plan_add`` / ``plan_reshape`` / ``plan_split`` / ``plan_merge``):
the geometry is checked (an invalid polygon gets a message that says what and where), and the
edit is returned as an :class:`Edit` — the rows it touches *before* and *after*. Nothing is
written until :func:`apply` writes one of the two states in ONE transaction; the UI's
QUndoStack commands call ``apply(store, edit.after)`` to do and ``apply(store, edit.before)`` to
undo. Besides the area rows an edit carries the references that move with the ground:
households and enterprises inside a split-off part, child areas, and — on a merge — every row
of every table that pointed at the area that disappears (found through the foreign keys to
``area.id``, so tables added later are covered).

Geometries are WGS84 lon/lat, the store's system; areas and snapping distances are computed in
the local Gauss-Kruger zone (``LocalProjection``). :class:`VertexSnapper` snaps a point to the
nearest vertex of neighbouring areas (what QGIS calls vertex snapping); the map tools use it in
their own projected coordinates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.ops import split as shapely_split
from sqlalchemy import delete, insert, select, update

from gisplanner.io.crs import LocalProjection
from gisplanner.store.database import Store
from gisplanner.store.model import AREA_LEVEL_ZH, Area, Base, Target

MIN_AREA_M2 = 10.0  # a sliver smaller than this is a mistake, not a village
AREA_COLUMNS = ("code", "name", "level", "parent_id", "urban", "boundary", "office_lon", "office_lat",
                "office_name")  # fmt: skip


class AreaEditError(ValueError):
    """A geometry or an edit that cannot be saved; the message says why (in Chinese)."""


# -- geometry checks -------------------------------------------------------------------------------
def _metric(geom):
    proj = LocalProjection.for_bounds(*geom.bounds)

    def fwd(xy):
        x, y = proj.forward(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fwd)


def area_m2(geom, projected: bool = False) -> float:
    """Area in m² of a lon/lat geometry (``projected``: already in metres)."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(geom.area if projected else _metric(geom).area)


def _where(reason: str) -> str:
    m = re.search(r"\[([-\d.eE]+)\s+([-\d.eE]+)\]", reason)
    return f"（经度 {float(m.group(1)):.6f}，纬度 {float(m.group(2)):.6f} 附近）" if m else ""


def check_polygon(geom, what: str = "多边形", projected: bool = False) -> Polygon | MultiPolygon:
    """The polygon if it can be an area's boundary, else :class:`AreaEditError` saying why.

    Lon/lat by default; ``projected``: coordinates in metres (the map's)."""
    if geom is None or geom.is_empty:
        raise AreaEditError(f"{what}是空的：至少需要 3 个不同的顶点")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise AreaEditError(f"{what}不是面（得到 {geom.geom_type}）")
    for poly in getattr(geom, "geoms", [geom]):
        if len(np.unique(shapely.get_coordinates(poly.exterior), axis=0)) < 3:
            raise AreaEditError(f"{what}至少需要 3 个不同的顶点")
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        if reason.startswith("Self-intersection") or reason.startswith("Ring Self-intersection"):
            where = "" if projected else _where(reason)
            raise AreaEditError(f"{what}的边自相交{where}：请按顺序点击顶点，边不要交叉")
        if reason.startswith("Too few points"):
            raise AreaEditError(f"{what}至少需要 3 个不同的顶点")
        raise AreaEditError(f"{what}无效：{reason}{_where(reason)}")
    if area_m2(geom, projected) < MIN_AREA_M2:
        raise AreaEditError(f"{what}面积太小（不足 {MIN_AREA_M2:g} 平方米），请重新绘制")
    return geom


def _polygonal(geom):
    """Only the polygon parts of a geometry (after difference/intersection), or None."""
    if geom is None or geom.is_empty:
        return None
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    out = shapely.union_all(parts)
    return out if not out.is_empty else None


def split_polygon(poly, line, projected: bool = False) -> list[Polygon]:
    """Pieces of ``poly`` cut by ``line`` (largest first); AreaEditError when it does not cut."""
    check_polygon(poly, "要分割的区域", projected)
    if line is None or line.is_empty or line.geom_type != "LineString" or len(line.coords) < 2:
        raise AreaEditError("分割线至少需要 2 个点")
    if not line.is_simple:
        raise AreaEditError("分割线不能自相交")
    pieces: list[Polygon] = []
    for part in getattr(poly, "geoms", [poly]):
        pieces.extend(g for g in shapely_split(part, line).geoms if g.geom_type == "Polygon")
    pieces = [p for p in pieces if area_m2(p, projected) >= MIN_AREA_M2]
    if len(pieces) < 2:
        raise AreaEditError("分割线没有把区域分开：线要从区域外穿过区域到另一侧的区域外")
    pieces.sort(key=lambda p: -p.area)
    return pieces


def merge_polygons(a, b) -> Polygon:
    """The union of two areas that share an edge; AreaEditError when they do not touch."""
    check_polygon(a, "第一个区域")
    check_polygon(b, "第二个区域")
    u = shapely.union_all([a, b])
    if u.geom_type != "Polygon":
        # boundaries that meet within a few centimetres (digitised separately) still merge
        u2 = shapely.union_all([a.buffer(1e-7), b.buffer(1e-7)]).buffer(-1e-7)
        if u2.geom_type != "Polygon":
            raise AreaEditError("两个区域不相邻（没有公共边），不能合并")
        u = u2
    return shapely.make_valid(u) if not u.is_valid else u


class VertexSnapper:
    """Nearest vertex of the given geometries within a tolerance (coordinates as given)."""

    def __init__(self, geoms):
        xy = [shapely.get_coordinates(g) for g in geoms if g is not None and not g.is_empty]
        self.xy = np.unique(np.vstack(xy), axis=0) if xy else np.empty((0, 2))
        self.tree = None
        if len(self.xy):
            from scipy.spatial import cKDTree

            self.tree = cKDTree(self.xy)

    def __len__(self) -> int:
        return len(self.xy)

    def snap(self, x: float, y: float, tolerance: float) -> tuple[float, float, bool]:
        """(x, y, snapped): the nearest vertex when one is within ``tolerance``."""
        if self.tree is None:
            return x, y, False
        d, i = self.tree.query((x, y), distance_upper_bound=tolerance)
        if not np.isfinite(d):
            return x, y, False
        return float(self.xy[i, 0]), float(self.xy[i, 1]), True


# -- edits: before/after states --------------------------------------------------------------------
@dataclass
class State:
    """Rows as they must be: ``areas`` id → column values (None: the area must not exist);
    ``refs`` (table, column, row id) → area id."""

    areas: dict[int, dict | None] = field(default_factory=dict)
    refs: dict[tuple[str, str, int], int | None] = field(default_factory=dict)


@dataclass
class Edit:
    label: str
    before: State
    after: State
    area_ids: list[int] = field(default_factory=list)  # the areas to show after the edit
    # the version of each area in ``before`` when the edit was planned (None: must not exist);
    # ``apply(..., expected=…)`` writes only over these versions (optimistic locking)
    versions: dict[int, int | None] = field(default_factory=dict)


def _references() -> list[tuple[str, str]]:
    """(table, column) of every foreign key to area.id, the area table's parent_id included."""
    out = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "area" and fk.column.name == "id":
                out.append((table.name, fk.parent.name))
    return out


def _row(s, area_id: int) -> dict:
    a = s.get(Area, area_id)
    if a is None:
        raise AreaEditError(f"找不到编号为 {area_id} 的区域（可能已被删除）")
    return {c: getattr(a, c) for c in AREA_COLUMNS}


def _geom(row: dict):
    return shapely.from_wkb(row["boundary"]) if row.get("boundary") is not None else None


def _next_id(s) -> int:
    return int(s.scalar(select(Area.id).order_by(Area.id.desc()).limit(1)) or 0) + 1


def next_code(s, parent_code: str | None, level: str, taken: set[str] | None = None) -> str:
    """A free code under the parent: 12-digit 统计用区划代码 style (towns xxx000, villages xxx)."""
    taken = set(taken or ())
    existing = set(s.scalars(select(Area.code)).all()) | taken
    if parent_code and len(parent_code) == 12 and parent_code.isdigit():
        if level == "town" and parent_code.endswith("000000"):
            cands = (parent_code[:6] + f"{n:03d}000" for n in range(1, 1000))
        elif level == "village" and parent_code.endswith("000"):
            cands = (parent_code[:9] + f"{n:03d}" for n in range(1, 1000))
        else:
            cands = iter(())
        for c in cands:
            if c not in existing:
                return c
    base = parent_code or level
    n = 1
    while f"{base}-{n}" in existing:
        n += 1
    return f"{base}-{n}"


def _siblings(s, parent_id: int | None, level: str, exclude: set[int]):
    q = select(Area.id, Area.boundary).where(Area.level == level)
    q = q.where(Area.parent_id == parent_id) if parent_id is not None else q.where(Area.parent_id.is_(None))
    return [(i, shapely.from_wkb(b)) for i, b in s.execute(q).all() if i not in exclude and b is not None]


def _fit(geom, parent_geom, siblings) -> Polygon | MultiPolygon:
    """Clip to the parent and cut away the neighbours (no overlaps, as QGIS 'avoid overlaps')."""
    out = geom
    if parent_geom is not None:
        out = _polygonal(shapely.intersection(out, parent_geom))
        if out is None:
            raise AreaEditError("区域在上级区域之外：请在上级区域的边界内绘制")
    others = [g for _i, g in siblings if g.intersects(out)]
    if others:
        out = _polygonal(shapely.difference(out, shapely.union_all(others)))
        if out is None:
            raise AreaEditError("区域完全落在相邻区域内，没有剩余部分")
    out = shapely.make_valid(out) if not out.is_valid else out
    # clipping at a shared corner leaves the corner two or three times over: one is enough
    out = _polygonal(shapely.remove_repeated_points(out, tolerance=1e-10))
    if out is None or area_m2(out) < MIN_AREA_M2:
        raise AreaEditError("裁去上级区域外和相邻区域的部分后，剩余面积太小")
    return out


def plan_add(store: Store, geom, *, level: str, name: str, parent_id: int | None = None,
             code: str | None = None, urban: bool = False, fit: bool = True) -> Edit:  # fmt: skip
    """A new area (town under a district, village under a town …) from a drawn polygon."""
    check_polygon(geom, "绘制的多边形")
    name = (name or "").strip()
    if not name:
        raise AreaEditError("请填写区域名称")
    with store.session() as s:
        parent = _row(s, parent_id) if parent_id is not None else None
        if code and s.scalar(select(Area.id).where(Area.code == code)) is not None:
            raise AreaEditError(f"区划代码 {code} 已被使用")
        if fit:
            geom = _fit(geom, _geom(parent) if parent else None, _siblings(s, parent_id, level, set()))
        new_id = _next_id(s)
        row = {
            "code": code or next_code(s, parent["code"] if parent else None, level), "name": name,
            "level": level, "parent_id": parent_id, "urban": bool(urban),
            "boundary": shapely.to_wkb(geom), "office_lon": None, "office_lat": None, "office_name": None,
        }  # fmt: skip
    label = f"绘制{AREA_LEVEL_ZH.get(level, level)}「{name}」"
    return Edit(label, State({new_id: None}), State({new_id: row}), [new_id], {new_id: None})


def plan_reshape(store: Store, area_id: int, geom, fit: bool = True) -> Edit:
    """A new boundary for an existing area (vertices moved)."""
    check_polygon(geom, "修改后的边界")
    with store.session() as s:
        row = _row(s, area_id)
        versions = area_versions(s, [area_id])
        if fit:
            parent = _row(s, row["parent_id"]) if row["parent_id"] is not None else None
            geom = _fit(geom, _geom(parent) if parent else None,
                        _siblings(s, row["parent_id"], row["level"], {area_id}))  # fmt: skip
    after = dict(row, boundary=shapely.to_wkb(geom))
    return Edit(f"修改「{row['name']}」的边界", State({area_id: row}), State({area_id: after}), [area_id],
                versions)  # fmt: skip


def _inside(lon: np.ndarray, lat: np.ndarray, geom) -> np.ndarray:
    if not len(lon):
        return np.zeros(0, bool)
    return shapely.contains_xy(geom, lon, lat)


def plan_split(store: Store, area_id: int, line, names: list[str] | None = None) -> Edit:
    """Cut an area with a drawn line: the largest piece keeps the area (its id, code, name,
    visits); every other piece becomes a new area of the same level and parent, and the
    households, enterprises and child areas located in it move with it."""
    with store.session() as s:
        row = _row(s, area_id)
        pieces = split_polygon(_geom(row), line)
        before = State({area_id: row})
        after = State({area_id: dict(row, boundary=shapely.to_wkb(pieces[0]))})
        parent_code = None
        if row["parent_id"] is not None:
            parent_code = s.scalar(select(Area.code).where(Area.id == row["parent_id"]))
        next_id = _next_id(s)
        taken: set[str] = set()
        t = s.execute(select(Target.id, Target.lon, Target.lat).where(Target.area_id == area_id)).all()
        tid = np.array([r[0] for r in t], np.int64)
        tlon = np.array([r[1] for r in t], float)
        tlat = np.array([r[2] for r in t], float)
        kids = s.execute(select(Area.id, Area.boundary).where(Area.parent_id == area_id)).all()
        new_ids = []
        for k, piece in enumerate(pieces[1:], start=1):
            nid = next_id + k - 1
            code = next_code(s, parent_code, row["level"], taken)
            taken.add(code)
            name = (names[k - 1] if names and len(names) >= k else None) or f"{row['name']}（{k + 1}）"
            before.areas[nid] = None
            after.areas[nid] = dict(row, code=code, name=name, boundary=shapely.to_wkb(piece),
                                    office_lon=None, office_lat=None, office_name=None)  # fmt: skip
            inside = _inside(tlon, tlat, piece)
            for t_id in tid[inside]:
                before.refs[("target", "area_id", int(t_id))] = area_id
                after.refs[("target", "area_id", int(t_id))] = nid
            for kid, kb in kids:
                if kb is not None and piece.contains(shapely.from_wkb(kb).representative_point()):
                    before.refs[("area", "parent_id", int(kid))] = area_id
                    after.refs[("area", "parent_id", int(kid))] = nid
            new_ids.append(nid)
        versions = area_versions(s, [area_id]) | dict.fromkeys(new_ids)
    return Edit(f"分割「{row['name']}」为 {len(pieces)} 块", before, after, [area_id, *new_ids], versions)


def plan_merge(store: Store, keep_id: int, other_id: int) -> Edit:
    """Merge ``other_id`` into ``keep_id`` (same level and parent, sharing an edge): the kept
    area takes the union; everything that pointed at the other area now points at it."""
    if keep_id == other_id:
        raise AreaEditError("请选择两个不同的区域")
    with store.session() as s:
        keep, other = _row(s, keep_id), _row(s, other_id)
        if keep["level"] != other["level"]:
            raise AreaEditError(
                f"只能合并同一级别的区域（{AREA_LEVEL_ZH.get(keep['level'])} 与 {AREA_LEVEL_ZH.get(other['level'])}）"
            )
        if keep["parent_id"] != other["parent_id"]:
            raise AreaEditError("两个区域的上级区域不同，不能合并")
        union = merge_polygons(_geom(keep), _geom(other))
        before = State({keep_id: keep, other_id: other})
        after = State({keep_id: dict(keep, boundary=shapely.to_wkb(union)), other_id: None})
        for table, column in _references():
            tbl = Base.metadata.tables[table]
            pk = next(iter(tbl.primary_key.columns))
            for (rid,) in s.execute(select(pk).where(tbl.c[column] == other_id)).all():
                before.refs[(table, column, int(rid))] = other_id
                after.refs[(table, column, int(rid))] = keep_id
        versions = area_versions(s, [keep_id, other_id])
    return Edit(f"合并「{other['name']}」到「{keep['name']}」", before, after, [keep_id], versions)


def area_versions(s, ids=None) -> dict[int, int]:
    """Area id → version (all areas, or those of `ids`): what a map or an edit was read at."""
    area = Area.__table__
    q = select(area.c.id, area.c.version)
    if ids is not None:
        q = q.where(area.c.id.in_(list(ids)))
    return {int(i): int(v) for i, v in s.execute(q).all()}


def read_area_versions(store: Store) -> dict[int, int]:
    with store.session() as s:
        return area_versions(s)


def apply(
    store: Store,
    state: State,
    *,
    expected: dict[int, int | None] | None = None,
    frm: State | None = None,
) -> dict[int, int | None]:
    """Write a state in one transaction: areas that must exist, the references, then deletions.

    `expected` (area id → version, None: must not exist yet): write only over these versions,
    the ones the user's edit started from (``frm``, the state the user saw). An area another
    official saved (or deleted) meanwhile is a :class:`gisplanner.access.concurrency.ConflictError`
    saying who, when and what (their change against `frm`, the user's against `state`), and
    nothing is written. Returns each area's version after the write (None: it does not exist),
    the `expected` of the next write (undo / redo).
    """
    from gisplanner.access import concurrency as cc

    expected = dict(expected or {})
    cols = [Area.__table__.c[c] for c in (*AREA_COLUMNS, "version", "updated_by", "updated_at")]

    def work(s):
        conn = s.connection()
        area = Area.__table__
        ids = list(dict.fromkeys([*state.areas, *expected]))
        q = select(*cols).where(area.c.id.in_(ids)) if ids else None
        if q is not None and store.engine.dialect.name == "postgresql":
            q = q.with_for_update()
        now: dict[int, dict] = {}
        if q is not None:
            for r in conn.execute(q.add_columns(area.c.id)).all():
                d = dict(zip([c.name for c in cols], r[:-1], strict=True))
                now[int(r[-1])] = d
        present = set(now)
        conflicts = []
        for aid, want in expected.items():
            cur = now.get(aid)
            if want is None:
                if cur is not None:
                    raise AreaEditError(
                        f"区域编号 {aid} 已被其他人新建的区域「{cur['name']}」占用，本次修改没有保存，请重新操作"
                    )
                continue
            if cur is not None and cur["version"] == want:
                continue
            seen = (frm.areas.get(aid) if frm is not None else None) or {}
            mine_row = state.areas.get(aid)
            mine = {k: (seen.get(k), mine_row[k]) for k in AREA_COLUMNS
                    if mine_row is not None and seen and seen.get(k) != mine_row[k]}  # fmt: skip
            label = f"「{(seen or cur or {}).get('name') or aid}」"
            if cur is None:
                conflicts.append(cc.Conflict("area", (aid,), label, want, None, {}, mine))
                continue
            theirs = {k: (seen.get(k), cur[k]) for k in AREA_COLUMNS if seen and seen.get(k) != cur[k]}
            if not theirs:  # changed before this edit was planned: the versions say so
                theirs = {"version": (want, cur["version"])}
            conflicts.append(cc.Conflict("area", (aid,), label, want, cur["version"], theirs, mine,
                                         cur["updated_by"], cur["updated_at"], cur))  # fmt: skip
        if conflicts:
            raise cc.ConflictError(conflicts)
        who = s.info.get("user")
        if who is None:
            from gisplanner.access.audit import current_user

            who = current_user()
        stamp = {"updated_by": who[:63], "updated_at": cc.utcnow().replace(microsecond=0)}
        after: dict[int, int | None] = {}
        for aid, row in state.areas.items():
            if row is None:
                continue
            if aid in present:
                q = update(area).where(area.c.id == aid)
                if aid in expected:
                    q = q.where(area.c.version == expected[aid])
                res = conn.execute(q.values(**row, **stamp, version=area.c.version + 1))
                if res.rowcount != 1:  # saved by someone else between the check and the write
                    raise cc.ConflictError([])
                after[aid] = int(now[aid]["version"]) + 1
            else:
                # a new area without its parent link first (a parent may be created in the same edit)
                conn.execute(insert(area).values(id=aid, **row, version=1))
                after[aid] = 1
        for (table, column, rid), value in state.refs.items():
            tbl = Base.metadata.tables[table]
            pk = next(iter(tbl.primary_key.columns))
            conn.execute(update(tbl).where(pk == rid).values({column: value}))
        gone = [aid for aid, row in state.areas.items() if row is None and aid in present]
        for aid in gone:
            q = delete(area).where(area.c.id == aid)
            if aid in expected:
                q = q.where(area.c.version == expected[aid])
            if conn.execute(q).rowcount != 1:
                raise cc.ConflictError([])
        after.update(dict.fromkeys([aid for aid, row in state.areas.items() if row is None]))
        return after

    out = cc.unit_of_work(store, work)
    _fix_sequence(store)
    return out


def rebase(to: State, frm: State, expected: dict, conflict, choice: str, picks: dict | None = None) -> bool:
    """After a conflict on one area: write `to` over the other official's version instead of the
    one the edit started from. KEEP_MINE: the user's changed columns over their row (their other
    changes stay); MERGE: the same, but for a column both changed `picks` says whose
    (``{"name": "theirs"}``); TAKE_THEIRS, or an area deleted meanwhile: False (write nothing).
    `frm` (what undo writes back) becomes their row, `expected` their version."""
    from gisplanner.access import concurrency as cc

    if choice == cc.TAKE_THEIRS or conflict.their_version is None:
        return False
    if choice not in (cc.KEEP_MINE, cc.MERGE):
        raise ValueError(f"unknown choice {choice!r}")
    aid = conflict.key[0]
    theirs = {c: conflict.current[c] for c in AREA_COLUMNS}
    mine_row = to.areas.get(aid)
    if mine_row is not None:
        row = dict(theirs)
        for k in conflict.mine:
            if choice == cc.MERGE and k in conflict.both and (picks or {}).get(k) == cc.TAKE_THEIRS:
                continue
            row[k] = mine_row[k]
        to.areas[aid] = row
    frm.areas[aid] = theirs
    expected[aid] = conflict.their_version
    return True


def _fix_sequence(store: Store) -> None:
    """PostgreSQL: keep area.id's sequence past explicitly inserted ids."""
    if store.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('area', 'id'), (SELECT COALESCE(MAX(id), 1) FROM area))"
            )
        )


def line_from(xy) -> LineString:
    return LineString(np.asarray(xy, float).reshape(-1, 2))


def polygon_from(xy) -> Polygon:
    ring = np.asarray(xy, float).reshape(-1, 2)
    return Polygon(ring)
