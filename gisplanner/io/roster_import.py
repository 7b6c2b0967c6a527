"""Importing a roster (households, enterprises, notable persons, cadres) into the database.

Two steps, as the import wizard shows them:

1. `preview_roster` reads the file, maps the headers (a remembered mapping for this layout
   first, else the guess), converts the coordinates, finds each target's village (by the
   village code in the file, else point-in-polygon) and checks every row. Nothing is written.
2. `import_roster` writes the good rows in ONE transaction — insert new ids, update rows whose
   values changed, leave identical rows alone (re-importing the same file changes nothing) —
   then the rejected rows go to the rejects file with their reasons. A failure or a cancel
   anywhere rolls the whole import back; a killed process leaves SQLite as it was.

Only the columns the file provides are compared and updated: a column the office's file does
not have (a note typed in the app, say) is never blanked by a re-import.

Length: preview and import are two halves of one transaction-safe import and share the row checks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from gisplanner.io import headers as hdr
from gisplanner.io import mappings
from gisplanner.io.area_locator import AreaLocator
from gisplanner.io.atomic import atomic_path
from gisplanner.io.readers import RawTable, read_table
from gisplanner.io.rejects import default_rejects_path, rejects_frame, write_rejects_to
from gisplanner.io.validate import Checked, Issue, validate
from gisplanner.progress import IMPORT_CANCELLED, Progress, finish, reporter
from gisplanner.store.database import Store
from gisplanner.store.model import Area, Cadre, CadreLeave, Target, Unit, utcnow


class MappingError(ValueError):
    """The file was read but lacks a required column; nothing can be imported."""


TAGS = hdr.TAG_FIELDS
TARGET_COLUMNS = (
    "name", "address", "building", "unit_no", "phone", "lon", "lat", "area_id", "note", "members",
    *TAGS, "credit_code", "contact", "industry", "key_enterprise", "title",
)  # fmt: skip
CADRE_COLUMNS = (
    "name", "gender", "birth_year", "is_local", "dialects", "unit_id", "phone", "is_leader",
    "avail_kinds", "area_id", "home_area_id",
)  # fmt: skip
COORD_TOLERANCE_DEG = 1e-7
BULK_ROWS = 20_000  # from this many new rows on, SQLite indexes are rebuilt after the insert
#: mapped field → the database columns it provides
_PROVIDES = {
    "lon": ("lon", "lat", "area_id"),
    "lat": ("lon", "lat", "area_id"),
    "area_code": ("area_id",),
    "tags": TAGS,
    "birth": ("birth_year",),
    "unit": ("unit_id",),
    "position": ("is_leader",),
    "avail_weekday_evening": ("avail_kinds",),
    "avail_weekend": ("avail_kinds",),
    "home_village": ("home_area_id",),
    "leave": (),  # cadre_leave rows, written after the cadres
}


@dataclass
class RosterPreview:
    """What an import would do: the mapping used, the checked rows, the villages found."""

    path: Path
    kind: str
    table: RawTable
    mapping: dict[str, str]
    crs: str
    checked: Checked
    area_ids: np.ndarray  # per data row; -1 unknown
    remembered: bool = False  # the mapping came from an earlier confirmed import
    cadre_area_id: int | None = None
    # no village boundary file: the town the new villages go under, and per row the name of
    # the village the import creates (None: the row's village exists)
    village_town_id: int | None = None
    new_village_names: np.ndarray | None = None

    @property
    def new_villages(self) -> list[str]:
        if self.new_village_names is None:
            return []
        good = self.new_village_names[self.checked.good]
        return sorted({str(n) for n in good if n is not None})

    @property
    def total(self) -> int:
        return len(self.table)

    @property
    def good_count(self) -> int:
        return self.checked.good_count

    @property
    def bad_count(self) -> int:
        return self.checked.bad_count

    @property
    def issues(self) -> list[Issue]:
        return sorted(self.checked.issues, key=lambda i: i.row)

    def bad_rows(self) -> pd.DataFrame:
        """The rejected rows as they are in the file, with 原行号 first and 错误原因 last."""
        return rejects_frame(self.table, np.flatnonzero(~self.checked.good), self.checked.reasons())

    def summary(self) -> str:
        text = (
            f"{self.path.name}：共{self.total}行，可导入{self.good_count}行，"
            f"有问题{self.bad_count}行（{hdr.ROSTER_KIND_ZH[self.kind]}）"
        )
        if self.new_villages:
            text += f"；将按“所属村/社区”新建 {len(self.new_villages)} 个村/社区（无村界文件）"
        return text


@dataclass
class ImportResult:
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    units_created: int = 0
    villages_created: int = 0
    rejects_path: Path | None = None
    issues: list[Issue] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "units_created": self.units_created,
            "villages_created": self.villages_created,
            "rejects_path": str(self.rejects_path) if self.rejects_path else None,
        }


# -- step 1: preview --------------------------------------------------------------------------


def preview_roster(
    store: Store,
    path: str | Path,
    kind: str,
    *,
    mapping: dict[str, str] | None = None,
    crs: str | int | None = None,
    sheet: str | None = None,
    town_code: str | None = None,
    table: RawTable | None = None,
) -> RosterPreview:
    """Read and check a roster; raises ReadError (unreadable) or MappingError (columns missing)."""
    hdr.fields(kind)  # unknown kind → ValueError
    if town_code is not None:
        _check_town(store, town_code)
    table = table or read_table(path, kind=kind, sheet=sheet)
    saved = mappings.recall(store, kind, table.headers) if mapping is None else None
    remembered = bool(saved and saved["mapping"])
    if mapping is None:
        mapping = saved["mapping"] if remembered else hdr.guess_mapping(kind, table.headers)
    mapping = {k: v for k, v in mapping.items() if v}
    unknown = [v for v in mapping.values() if v not in table.headers]
    if unknown:
        raise MappingError(f"文件“{table.path.name}”中没有列“{unknown[0]}”")
    missing = hdr.missing_required(kind, mapping)
    if missing:
        raise MappingError(
            f"文件“{table.path.name}”中找不到必填列：{'、'.join(missing)}"
            f"（表头在第{table.header_row}行：{'、'.join(table.headers[:12])}）"
        )
    if crs is None:
        crs = (
            (saved or {}).get("crs")
            or hdr.crs_hint([mapping.get("lon", ""), mapping.get("lat", "")])
            or "wgs84"
        )

    if kind == "cadres":
        checked = validate(table, kind, mapping, crs=crs)
        return RosterPreview(
            Path(table.path), kind, table, mapping, str(crs), checked,
            np.full(len(table), -1, dtype=np.int64), remembered, _cadre_town(store, town_code),
        )  # fmt: skip

    locator = AreaLocator.from_store(store, within_code=town_code)
    inside = locator.contains if locator.has_boundaries else None
    # no village boundary file (none, or only outlines derived from rosters): the roster's
    # village column decides, and villages it names that do not exist yet are created
    town = _roster_villages_town(store, town_code) if "area_name" in mapping else None
    if town is not None:
        inside = town[2]
    checked = validate(table, kind, mapping, crs=crs, inside_town=inside)
    new_names = np.full(len(table), None, dtype=object)
    area_ids = _resolve_areas(checked, locator, mapping, by_name_first=town is not None, new_names=new_names)
    preview = RosterPreview(Path(table.path), kind, table, mapping, str(crs), checked, area_ids, remembered)
    if town is not None:
        preview.village_town_id = town[0]
        preview.new_village_names = new_names
    return preview


def _roster_villages_town(store: Store, town_code: str | None):
    """(town id, town code, inside-town test or None) when the town's villages have no real
    boundary (none at all, or only derived ones); None otherwise."""
    import shapely

    from gisplanner.io.village_derive import village_town

    with store.engine.connect() as conn:
        town = village_town(conn, town_code)
        if town is None:
            return None
        real = conn.execute(
            select(Area.id)
            .where(Area.level == "village", Area.boundary.is_not(None), Area.derived.is_(False))
            .where(Area.parent_id == town[0])
            .limit(1)
        ).first()
        if real is not None:
            return None
        wkb = conn.execute(select(Area.boundary).where(Area.id == town[0])).scalar()
    inside = None
    if wkb is not None:
        poly = shapely.from_wkb(wkb)
        shapely.prepare(poly)

        def inside(lon, lat):
            return shapely.intersects_xy(poly, np.asarray(lon, float), np.asarray(lat, float))

    return town[0], town[1], inside


NEW_VILLAGE = -2  # area id placeholder: a village the import creates (no village boundary file)


def _resolve_areas(
    checked: Checked,
    locator: AreaLocator,
    mapping: dict[str, str],
    *,
    by_name_first: bool = False,
    new_names: np.ndarray | None = None,
) -> np.ndarray:
    """Village per row: the code in the file, else the village containing the point.

    With ``by_name_first`` (the town has no village boundary file) the village name column
    decides instead of the point, and a name not in the database marks the row NEW_VILLAGE
    (its name in ``new_names``): the import creates that village.
    """
    v = checked.values
    n = len(v)
    ids = np.full(n, -1, dtype=np.int64)
    code = v["area_code"].fillna("").astype(str) if "area_code" in v else pd.Series([""] * n)
    has_code = (code != "").to_numpy()
    if has_code.any():
        ids[has_code] = locator.by_code(code[has_code])
        unknown = has_code & (ids < 0)
        label = mapping.get("area_code", "村/社区代码")
        checked.add(unknown, label, "村/社区代码“" + code + "”在数据库中不存在（请先导入村界）")
    if by_name_first and "area_name" in v:
        names = v["area_name"].fillna("").astype(str).str.strip()
        named = ~has_code & (names != "").to_numpy()
        ids[named] = locator.by_name(names[named])
        fresh = named & (ids < 0) & names.map(lambda x: x not in locator.names).to_numpy()
        if new_names is not None and fresh.any():
            ids[fresh] = NEW_VILLAGE
            new_names[fresh] = names[fresh].to_numpy()
    todo = (ids == -1) & ~has_code & np.isfinite(v["lon"].to_numpy(dtype=float))
    if todo.any() and locator.has_boundaries:
        ids[todo] = locator.locate(v["lon"].to_numpy(dtype=float)[todo], v["lat"].to_numpy(dtype=float)[todo])
    if not locator.has_boundaries and not by_name_first and "area_name" in v:
        by_name = (ids < 0) & v["area_name"].notna().to_numpy()
        if by_name.any():
            ids[by_name] = locator.by_name(v["area_name"][by_name])
    lost = checked.good & (ids == -1)
    checked.add(
        lost,
        mapping.get("area_code") or mapping.get("lon", "经度"),
        "找不到所属村/社区（请先导入村界，或填写村/社区代码）",
    )
    return ids


def _check_town(store: Store, town_code: str) -> None:
    """`--town` must name an area in the database: an unknown code used to drop the restriction."""
    with store.engine.connect() as conn:
        found = conn.execute(select(Area.id).where(Area.code == town_code.strip())).scalar()
        if found is None:
            towns = conn.execute(
                select(Area.code, Area.name).where(Area.level == "town").order_by(Area.code).limit(8)
            ).all()
    if found is None:
        known = "、".join(f"{c} {n}" for c, n in towns) or "数据库中还没有镇/街道"
        raise MappingError(f"--town 的区划代码“{town_code}”在数据库中不存在（已有：{known}）")


def _cadre_town(store: Store, town_code: str | None) -> int | None:
    """The town the cadres serve: the one named, else the only town in the database."""
    with store.engine.connect() as conn:
        if town_code:
            return conn.execute(select(Area.id).where(Area.code == town_code)).scalar()
        towns = conn.execute(select(Area.id).where(Area.level == "town").limit(2)).scalars().all()
    return towns[0] if len(towns) == 1 else None


# -- step 2: the transaction ------------------------------------------------------------------


def import_roster(
    store: Store,
    preview: RosterPreview,
    *,
    rejects_path: str | Path | None = None,
    progress: Progress | None = None,
    chunk: int = 20_000,
) -> ImportResult:
    """Write the preview's good rows in one transaction; write the rejects file; report counts."""
    result = ImportResult(preview.kind, rejected=preview.bad_count, issues=preview.issues)
    good = np.flatnonzero(preview.checked.good)
    frame = _db_frame(preview, good)
    provided = _provided_columns(preview)
    dest = None
    if preview.bad_count:
        dest = Path(rejects_path) if rejects_path else default_rejects_path(preview.path)

    report = reporter(progress, IMPORT_CANCELLED)
    report(0.0, "开始导入")
    with contextlib.ExitStack() as files:
        # the rejects file is written beside, and renamed into place only after the commit
        tmp_rejects = files.enter_context(atomic_path(dest)) if dest is not None else None
        with store.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MB: index pages stay in memory
            if preview.new_villages:
                result.villages_created = _create_villages(conn, frame, preview, good)
            if preview.kind == "cadres":
                result.units_created = _resolve_units(conn, frame, preview)
                result.issues = [*result.issues, *_resolve_home_villages(conn, frame, preview)]
                table, columns, extra = Cadre.__table__, CADRE_COLUMNS, {}
                existing = _existing(conn, "cadre", None, frame["ext_id"], columns)
            else:
                kind = hdr.TARGET_KIND[preview.kind]
                table, columns, extra = Target.__table__, TARGET_COLUMNS, {"kind": kind}
                existing = _existing(conn, "target", kind, frame["ext_id"], columns)
            compare = [c for c in columns if c in provided]
            new, changed, same = _split(frame, existing, compare)
            result.unchanged = len(same)
            total = max(1, len(new) + len(changed))
            done = 0
            # every other column gets its schema default (version 1, active, created_at …)
            extra |= _defaults(table, {"id", "ext_id", *columns, *extra}, utcnow())
            extra = _bound(table, extra, conn.dialect)
            # columns empty in every new row are left out: they are NULL anyway, and binding
            # 250,000 Nones per column costs as much as the real data
            filled = [c for c in columns if not _all_null(new[c], table.c[c])]
            insert_cols = ["ext_id", *filled, *extra]
            # a big insert into SQLite: rebuilding the plain indexes afterwards is ~30 % faster
            # than updating them row by row (inside the transaction: a rollback restores them)
            rebuild = (
                [ix for ix in table.indexes if not ix.unique]
                if conn.dialect.name == "sqlite" and len(new) >= BULK_ROWS
                else []
            )
            for ix in rebuild:
                ix.drop(conn)
            for start in range(0, len(new), chunk):
                part = new.iloc[start : start + chunk]
                rows = _tuples(part, filled, extra)
                _insert(conn, table.name, insert_cols, rows)
                done += len(part)
                result.inserted += len(part)
                report(0.95 * done / total, f"已写入 {done}/{total}")
            for ix in rebuild:
                ix.create(conn)
            if len(changed):
                stmt = (
                    table.update()
                    .where(table.c.id == bindparam("_id"))
                    .values({c: bindparam(c) for c in compare} | {"version": table.c.version + 1})
                )
                for start in range(0, len(changed), chunk):
                    part = changed.iloc[start : start + chunk]
                    conn.execute(stmt, _update_params(part, compare))
                    done += len(part)
                    result.updated += len(part)
                    report(0.95 * done / total, f"已更新 {done}/{total}")
            if preview.kind == "cadres" and "leave" in preview.mapping:
                _write_leaves(conn, frame)
            mappings.remember(conn, preview.kind, preview.table.headers, preview.mapping, preview.crs)
            if tmp_rejects is not None:
                report(0.97, "写入未导入文件")
                # a rejects file that cannot be written aborts the import
                write_rejects_to(
                    preview.bad_rows(), tmp_rejects, as_csv=dest.suffix.lower() == ".csv",
                    encoding=preview.table.encoding,
                )  # fmt: skip
            report(0.99, "提交")
    result.rejects_path = dest
    finish(progress)  # committed: too late to cancel
    return result


def _db_frame(preview: RosterPreview, good: np.ndarray) -> pd.DataFrame:
    """Good rows as database columns (object dtype, None for missing)."""
    v = preview.checked.values.iloc[good].reset_index(drop=True)
    out = pd.DataFrame({"ext_id": v["ext_id"].astype(str)})
    if preview.kind == "cadres":
        for c in ("name", "gender", "birth_year", "is_local", "dialects", "phone", "is_leader"):
            out[c] = v[c]
        out["avail_kinds"] = v["avail_kinds"]
        out["leave"] = v["leave"]
        out["home_village"] = v["home_village"]
        out["home_area_id"] = None
        out["unit_name"] = v["unit"]
        out["unit_id"] = None
        out["area_id"] = preview.cadre_area_id
    else:
        for c in TARGET_COLUMNS:
            if c == "area_id":
                out[c] = preview.area_ids[good]
            elif c in v:
                out[c] = v[c].to_numpy()
            else:
                out[c] = False if c in (*TAGS, "key_enterprise") else None
    out = out.astype(object)
    return out.where(out.notna(), None)


def _provided_columns(preview: RosterPreview) -> set[str]:
    cols: set[str] = set()
    for key in preview.mapping:
        cols.update(_PROVIDES.get(key, (key,)))
    if preview.kind == "cadres":
        cols.update(("name", "gender", "birth_year"))
        if preview.cadre_area_id is not None:
            cols.add("area_id")
    else:
        cols.update(("name", "lon", "lat", "area_id"))
        if "credit_code" in cols or preview.kind == "enterprises":
            cols.add("credit_code")
    return cols


def _existing(conn: Connection, table: str, kind: str | None, ext_ids: pd.Series, columns) -> pd.DataFrame:
    """The rows already in the database with the file's ids (id, ext_id and the value columns).

    A small file asks for its own ids; a big one reads the whole kind in one pass, which is
    faster than thousands of IN lists. Plain DBAPI rows: no ORM, no type processing.
    """
    cols = ["id", "ext_id", *columns]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    where = f"kind = {mark}" if kind else "ext_id IS NOT NULL"
    base = f"SELECT {', '.join(cols)} FROM {table} WHERE {where}"
    head = [kind] if kind else []
    ids = ext_ids.tolist()
    rows: list = []
    cur = conn.connection.cursor()  # the DBAPI cursor, same transaction: rows are plain tuples
    try:
        if len(ids) <= 20_000:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                cur.execute(f"{base} AND ext_id IN ({', '.join([mark] * len(part))})", tuple(head + part))
                rows.extend(cur.fetchall())
        else:
            cur.execute(base, tuple(head))
            rows = cur.fetchall()
    finally:
        cur.close()
    df = pd.DataFrame.from_records(rows, columns=cols)
    return df.astype(object).where(df.notna(), None)


def _same(a: pd.Series, b: pd.Series, is_float: bool) -> np.ndarray:
    """Elementwise equality where None == None. Coordinates within 1e-7° (~1 cm) are the same
    place: a file re-saved with 7 decimals, or in GCJ-02 converted back, is not a move."""
    a_none = a.isna().to_numpy()
    b_none = b.isna().to_numpy()
    eq = np.zeros(len(a), dtype=bool)
    both = ~a_none & ~b_none
    av, bv = a.to_numpy()[both], b.to_numpy()[both]
    if is_float:
        eq[both] = np.isclose(av.astype(float), bv.astype(float), rtol=0, atol=COORD_TOLERANCE_DEG)
    else:
        # object arrays compare elementwise in C: True == 1, 3 == 3.0, 'a' == 'a'
        eq[both] = np.asarray(av == bv, dtype=bool)
    return eq | (a_none & b_none)


def _plain(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    return v


def _split(frame: pd.DataFrame, existing: pd.DataFrame, compare: list[str]):
    """(new rows, changed rows with '_id', unchanged rows)."""
    ids = existing.set_index("ext_id")["id"]
    known = frame["ext_id"].isin(ids.index).to_numpy()
    new = frame[~known]
    old = frame[known].reset_index(drop=True)
    if not len(old):
        return new, old.assign(_id=[]), old
    cur = existing.set_index("ext_id").loc[old["ext_id"]].reset_index()
    diff = np.zeros(len(old), dtype=bool)
    for c in compare:
        if c in cur:
            diff |= ~_same(old[c], cur[c], c in ("lon", "lat"))
    changed = old[diff].assign(_id=cur["id"][diff].to_numpy())
    return new, changed, old[~diff]


def _defaults(table, given: set[str], now: dt.datetime) -> dict:
    """Python-side defaults of the columns not given (raw executemany does not apply them)."""
    out = {}
    for col in table.columns:
        if col.name in given or col.default is None:
            continue
        arg = col.default.arg
        out[col.name] = now if callable(arg) else arg
    return out


def _all_null(values: pd.Series, column) -> bool:
    """True when every value is None and the column may simply be left out of the INSERT."""
    if not column.nullable or column.default is not None or column.server_default is not None:
        return False
    return bool(values.isna().all()) if len(values) else True


def _bound(table, values: dict, dialect) -> dict:
    """Constant column values as the driver wants them (e.g. SQLite's datetime text), once,
    instead of the driver adapting the same datetime 250,000 times."""
    out = {}
    for name, v in values.items():
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        out[name] = proc(v) if proc is not None and v is not None else v
    return out


def _tuples(part: pd.DataFrame, columns, extra: dict) -> list[tuple]:
    # object columns from _db_frame already hold plain Python values (astype(object) converts)
    cols = [part["ext_id"].tolist()] + [part[c].tolist() for c in columns]
    cols += [[value] * len(part) for value in extra.values()]
    return list(zip(*cols, strict=True))


def _insert(conn: Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Plain executemany of tuples: the fastest path on both SQLite and PostgreSQL."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, rows)


def _update_params(part: pd.DataFrame, compare: list[str]) -> list[dict]:
    return [{"_id": int(r["_id"]), **{c: _plain(r[c]) for c in compare}} for r in part.to_dict("records")]


def _resolve_home_villages(conn: Connection, frame: pd.DataFrame, preview: RosterPreview) -> list[Issue]:
    """所在村 names -> village area ids (within the cadres' town when known); unknown names are
    reported as issues and left empty (the cadre is still imported)."""
    names = sorted({n for n in frame["home_village"] if n})
    if not names:
        return []
    tbl = Area.__table__
    q = select(tbl.c.name, tbl.c.id, tbl.c.code).where(tbl.c.level == "village")
    if preview.cadre_area_id is not None:
        q = q.where(tbl.c.parent_id == preview.cadre_area_id)
    by_name: dict[str, int] = {}
    for name, aid, code in conn.execute(q).all():
        by_name.setdefault(name, aid)
        by_name.setdefault(code, aid)
    # object dtype: a list of ids with gaps would become floats with NaN, which PostgreSQL refuses
    ids = [by_name.get(n) if n else None for n in frame["home_village"]]
    frame["home_area_id"] = pd.Series(ids, index=frame.index, dtype=object)
    label = preview.mapping.get("home_village", "所在村/社区")
    good = np.flatnonzero(preview.checked.good)
    out = []
    for i, n in enumerate(frame["home_village"]):
        if n and by_name.get(n) is None:
            row = int(preview.checked.rows[good[i]])
            out.append(Issue(row, label, f"找不到村/社区“{n}”，未记录所在村（干部已导入）"))
    return out


def _write_leaves(conn: Connection, frame: pd.DataFrame) -> None:
    """Replace the leave (请假) rows of the file's cadres with the file's 请假日期."""
    tbl = Cadre.__table__
    ids = dict(
        conn.execute(select(tbl.c.ext_id, tbl.c.id).where(tbl.c.ext_id.in_(frame["ext_id"].tolist()))).all()
    )
    leave = CadreLeave.__table__
    cadre_ids = [ids[e] for e in frame["ext_id"] if e in ids]
    for start in range(0, len(cadre_ids), 500):
        conn.execute(leave.delete().where(leave.c.cadre_id.in_(cadre_ids[start : start + 500])))
    rows = []
    for ext, text in zip(frame["ext_id"], frame["leave"], strict=True):
        if not text or ext not in ids:
            continue
        for part in text.split(";"):
            a, b = part.split(":")
            rows.append(
                {
                    "cadre_id": ids[ext],
                    "start_date": dt.date.fromisoformat(a),
                    "end_date": dt.date.fromisoformat(b),
                }
            )
    if rows:
        conn.execute(leave.insert(), rows)


def _resolve_units(conn: Connection, frame: pd.DataFrame, preview: RosterPreview) -> int:
    """Unit names → unit ids, creating the units that do not exist yet (inside the transaction)."""
    names = sorted({n for n in frame["unit_name"] if n})
    tbl = Unit.__table__
    have = (
        dict(conn.execute(select(tbl.c.name, tbl.c.id).where(tbl.c.name.in_(names))).all()) if names else {}
    )
    created = 0
    for n in names:
        if n not in have:
            have[n] = conn.execute(
                tbl.insert().values(name=n, level="town", area_id=preview.cadre_area_id)
            ).inserted_primary_key[0]
            created += 1
    frame["unit_id"] = [have.get(n) if n else None for n in frame["unit_name"]]
    return created


def _create_villages(conn: Connection, frame: pd.DataFrame, preview: RosterPreview, good: np.ndarray) -> int:
    """Create the villages the roster names (no boundary yet: ``import areas --from-roster``
    derives one) under the town, and point the rows at them (inside the transaction)."""
    from gisplanner.io.village_derive import new_village_code

    tbl = Area.__table__
    town_code = conn.execute(select(tbl.c.code).where(tbl.c.id == preview.village_town_id)).scalar()
    taken = set(conn.execute(select(tbl.c.code)).scalars())
    have = dict(
        conn.execute(
            select(tbl.c.name, tbl.c.id).where(
                tbl.c.parent_id == preview.village_town_id, tbl.c.level == "village"
            )
        ).all()
    )
    created = 0
    for name in preview.new_villages:
        if name in have:
            continue
        code = new_village_code(str(town_code), taken)
        taken.add(code)
        have[name] = conn.execute(
            tbl.insert().values(
                code=code, name=name[:100], level="village", parent_id=preview.village_town_id,
                urban=name.endswith("社区"), derived=True, version=1,
            )
        ).inserted_primary_key[0]  # fmt: skip
        created += 1
    names = preview.new_village_names[good]
    ids = np.array(frame["area_id"].tolist(), dtype=object)
    for i, name in enumerate(names):
        if name is not None:
            ids[i] = int(have[name])
    frame["area_id"] = ids
    return created
