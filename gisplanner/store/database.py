"""Opening a database, the unit of work, and queries that return (Geo)DataFrames.

SQLite by default (one file in the user data directory, WAL, foreign keys on), PostgreSQL
when given a ``postgresql://`` URL. The schema is upgraded with Alembic on open.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gisplanner import paths
from gisplanner.store import pg
from gisplanner.store.area_tree import install_orm_guard
from gisplanner.store.bulk import sqlite_insert
from gisplanner.store.errors import (
    StoreError,  # re-exported: callers catch it as gisplanner.store.database.StoreError
)
from gisplanner.store.model import Area, Base, Cadre, Problem, Round, Target, Visit
from gisplanner.store.vocab import CLOSED_STATUSES

if TYPE_CHECKING:  # geopandas is imported where a GeoDataFrame is built (keeps start-up fast)
    import geopandas as gpd

log = logging.getLogger(__name__)
install_orm_guard()  # every ORM write of an area keeps the tree sound (gisplanner.store.area_tree)
MIGRATIONS = Path(__file__).with_name("migrations")


def unreadable_message(url: str, exc: BaseException) -> str:
    """A damaged or foreign file, in words: which file, what SQLite said, the newest good backup."""
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    if not url.startswith("sqlite:///"):
        return f"无法打开数据库 {url}：{detail}"
    path = Path(url.removeprefix("sqlite:///"))
    from gisplanner.store import backup

    good = backup.newest_good_backup(path)
    hint = (
        f"最新的完好备份：{good}（恢复：gisplanner backup restore --db {path}，或在程序中选“从备份恢复”）"
        if good
        else "没有找到它的完好备份"
    )
    return f"文件“{path}”已损坏或不是 gisplanner 的数据库（{detail}）。{hint}"


def resolve_url(db: str | Path | None) -> str:
    """A SQLAlchemy URL from what the user typed: nothing (the user's database), a path, or a URL."""
    if db is None or str(db) == "":
        return f"sqlite:///{paths.default_database()}"
    s = str(db)
    if "://" in s:
        # psycopg 3 is the PostgreSQL driver we ship ([postgres] extra); a bare
        # postgresql:// would make SQLAlchemy look for psycopg2.
        for bare in ("postgresql://", "postgres://"):
            if s.startswith(bare):
                return "postgresql+psycopg://" + s.removeprefix(bare)
        return s
    return f"sqlite:///{Path(s).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


_DDL = re.compile(r"^\s*(CREATE|DROP|ALTER)\b", re.IGNORECASE)


def _sqlite_ddl_in_transaction(conn, cursor, statement, *_args) -> None:
    """Python's sqlite3 opens its transaction only before INSERT/UPDATE/DELETE, so DDL run first
    (DROP INDEX before a bulk insert, a migration's CREATE TABLE) ran in autocommit mode and
    survived the rollback of the transaction it belonged to. A BEGIN first puts it inside; the
    caller's commit or rollback then covers it. (Reads keep the driver's behaviour: they do not
    pin a snapshot, which optimistic locking relies on.)"""
    dbapi = conn.connection.dbapi_connection
    if not dbapi.in_transaction and _DDL.match(statement):
        cursor.execute("BEGIN")


def _alembic_config():
    from alembic.config import Config  # alembic loads only when a migration has to run

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*(.+)$", re.M)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:.*?)?\s*=\s*(.+)$", re.M)


@functools.cache
def known_revisions() -> tuple[frozenset[str], str]:
    """The migrations this program ships, and the newest (head), read from the files directly.

    Opening a database that is already at head then needs no alembic import (app start-up)."""
    revs: set[str] = set()
    downs: set[str] = set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        text_ = f.read_text(encoding="utf-8")
        revs.add(ast.literal_eval(_REVISION.search(text_).group(1).strip()))
        down = ast.literal_eval(_DOWN_REVISION.search(text_).group(1).strip())
        downs.update([down] if isinstance(down, str) else list(down or ()))
    heads = revs - downs
    if len(heads) != 1:
        raise StoreError(f"迁移脚本有 {len(heads)} 个末端版本：{sorted(heads)}")
    return frozenset(revs), heads.pop()


def head_revision() -> str:
    return known_revisions()[1]


def _revision_of(conn) -> str | None:
    """The schema revision stamped in the database (None: a new, empty database)."""
    from sqlalchemy import inspect

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


class Store:
    """An open database. Use :meth:`session` for a unit of work."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # the signed-in user, role and scope on a shared database (gisplanner.access.roles.sign_in);
        # None: a single-user file with every right
        self.binding = None

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, db: str | Path | None = None, *, upgrade: bool = True) -> Store:
        url = resolve_url(db)
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: a failed statement's message never carries the rows (names, phones)
        engine = create_engine(
            url, future=True, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True
        )
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "before_cursor_execute", _sqlite_ddl_in_transaction)
        store = cls(engine)
        try:
            if upgrade:
                store.upgrade()
                store.ensure_indexes()
        except StoreError:
            engine.dispose()
            raise
        except DBAPIError as e:
            engine.dispose()
            raise StoreError(unreadable_message(url, e)) from e
        return store

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        db = self.engine.url.database
        return Path(db) if self.is_sqlite and db and db != ":memory:" else None

    def describe(self) -> str:
        """Where the data lives, for the status bar (password hidden)."""
        if self.sqlite_path:
            return str(self.sqlite_path)
        return self.engine.url.render_as_string(hide_password=True)

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return _revision_of(conn)

    def upgrade(self) -> None:
        """Bring the schema to the version this program knows; refuse a newer one, and refuse a
        database that is not ours (tables but no gisplanner version stamp): nothing is created in it."""
        known, head = known_revisions()
        current = self.current_revision()
        if current is None:
            foreign = self._foreign_tables()
            if foreign:
                raise StoreError(
                    f"“{self.describe()}”不是 gisplanner 的数据库：其中已有表（{'、'.join(foreign[:8])}），"
                    "但没有 gisplanner 的版本记录。为免损坏其中的数据，未做任何改动；请选择 gisplanner "
                    "的数据库，或新建一个文件。"
                )
        if current is not None and current not in known:
            raise StoreError(
                f"数据库结构版本 {current} 比本程序新（本程序认识到 {head}），请升级 gisplanner 后再打开。"
            )
        if current == head:
            return
        try:
            self._migrate(head)
        except DBAPIError:
            # several clients opened a shared database at once and another one is migrating it
            if not self._wait_for_revision(head):
                raise
        log.info("database %s upgraded from %s to %s", self.describe(), current, head)

    def _foreign_tables(self) -> list[str]:
        """Tables in a database without our version stamp: on SQLite any table (the file is
        someone else's); on PostgreSQL those named like ours (a shared server has PostGIS's)."""
        from sqlalchemy import inspect

        from gisplanner.store.model import Base

        with self.engine.connect() as conn:
            names = inspect(conn).get_table_names()
        if self.is_sqlite:
            return sorted(n for n in names if not n.startswith("sqlite_"))
        return sorted(set(names) & set(Base.metadata.tables))

    def ensure_indexes(self) -> list[str]:
        """Create the schema's indexes that are missing (an interrupted bulk import of an older
        version dropped them for good); returns their names. SQLite only: one catalogue query."""
        if not self.is_sqlite:
            return []
        from gisplanner.store.model import Base

        with self.engine.begin() as conn:
            have = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'")}
            missing = [ix for tbl in Base.metadata.sorted_tables for ix in tbl.indexes if ix.name not in have]
            for ix in missing:
                ix.create(conn)
        if missing:
            log.warning("rebuilt missing indexes in %s: %s", self.describe(), [ix.name for ix in missing])
        return [ix.name for ix in missing]

    def _migrate(self, head: str) -> None:
        cfg = _alembic_config()
        with self.engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # a migration that rebuilds a table (batch mode) drops the old one: with foreign
                # keys on, that would cascade into the rows referring to it. Off (only possible
                # outside a transaction) and checked before the commit instead, as SQLite advises.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            try:
                with conn.begin():
                    if not sqlite:
                        # one client migrates, the others wait here and then find the schema at head
                        conn.execute(text("SELECT pg_advisory_xact_lock(4711006001)"))
                        if _revision_of(conn) == head:
                            return
                    from alembic import command

                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    if sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StoreError(f"升级数据库结构后外键不一致（{broken[:5]}），未做任何改动")
            finally:
                if sqlite:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()

    def _wait_for_revision(self, head: str, timeout: float = 60.0) -> bool:
        """Poll until another client's migration reaches `head` (SQLite has no advisory lock)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.current_revision() == head:
                    return True
            except DBAPIError:
                pass
            time.sleep(0.2)
        return False

    def close(self) -> None:
        self.engine.dispose()

    # -- unit of work --------------------------------------------------------------------
    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls everything back on error."""
        s = self._sessions()
        if self.binding is not None:
            self.binding.attach(s)  # writes as the user; the role and scope refuse the rest
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    # -- read-only queries for maps, tables and reports ------------------------------------
    @property
    def bound_scope(self):
        """The signed-in user's scope (:class:`gisplanner.access.scope.UserScope`), None for everything.

        The map, tables, dashboard and prints read only this scope by default: the villages' ids
        go into the WHERE clause, so the server uses its indexes instead of scanning the city
        (and row-level security, when on, has nothing left to filter)."""
        return None if self.binding is None else self.binding.scope

    def read_frame(self, sql, params: dict | None = None) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sql if not isinstance(sql, str) else text(sql), conn, params=params)

    READ_SLICE = 20_000  # rows converted at a time by read_columns

    def read_columns(self, q, params: dict | None = None) -> pd.DataFrame:
        """A large read without per-row objects: on SQLite the driver's rows go straight into
        one DataFrame (no SQLAlchemy Row per row); booleans and datetimes get their dtypes from
        the query's columns (SQL text: as SQLite returns them). Other databases: :meth:`read_frame`."""
        if self.engine.dialect.name != "sqlite":
            return self.read_frame(q, params)
        from sqlalchemy import types as sqltypes

        parts = []
        with self.engine.connect() as conn:
            result = conn.execute(text(q), params or {}) if isinstance(q, str) else conn.execute(q)
            keys = list(result.keys())
            # in slices: each conversion holds the GIL only briefly, so the UI thread keeps
            # running while a worker reads millions of rows
            while rows := result.cursor.fetchmany(self.READ_SLICE):
                parts.append(pd.DataFrame.from_records(rows, columns=keys, nrows=len(rows)))
            result.close()
        if not parts:
            df = pd.DataFrame.from_records([], columns=keys)
        elif len(parts) == 1:
            df = parts[0]
        else:
            df = pd.concat(parts, ignore_index=True)
            for key in keys:  # a slice of only NULLs has no type: the others' type applies
                kinds = {p[key].dtype for p in parts if p[key].notna().any()}
                if len(kinds) == 1 and df[key].dtype != (kind := kinds.pop()):
                    df[key] = df[key].astype(kind)
        del parts
        if isinstance(q, str):
            return df
        for key, col in zip(keys, q.selected_columns, strict=True):
            if isinstance(col.type, sqltypes.Boolean):
                if not df[key].isna().any():
                    df[key] = df[key].astype(bool)
                else:
                    df[key] = df[key].map({0: False, 1: True}).astype(object)
            elif isinstance(col.type, sqltypes.DateTime):
                df[key] = pd.to_datetime(df[key], format="ISO8601")
        return df

    def areas_gdf(
        self, level: str | None = None, parent_id: int | None = None, scope=None
    ) -> gpd.GeoDataFrame:
        """Areas with their boundaries (WGS84) and office points.

        `scope` (a :class:`gisplanner.access.scope.UserScope`): only the scope's area and the areas under it.
        """
        q = select(
            Area.id, Area.code, Area.name, Area.level, Area.parent_id, Area.urban,
            Area.office_lon, Area.office_lat, Area.office_name, Area.boundary,
        )  # fmt: skip
        if level:
            q = q.where(Area.level == level)
        if parent_id is not None:
            q = q.where(Area.parent_id == parent_id)
        scope = scope if scope is not None else self.bound_scope
        if scope is not None:
            q = q.where(Area.id.in_(sorted(scope.area_ids)))
        df = self.read_frame(q.order_by(Area.code))
        geom = shapely.from_wkb(df.pop("boundary").to_numpy())
        import geopandas as gpd

        return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")

    def roads_gdf(self) -> gpd.GeoDataFrame:
        sql = "SELECT id, name, kind, area_id, geometry FROM road"
        if self.bound_scope is not None:  # the roads of the user's area (as row-level security)
            sql += (
                f" WHERE area_id IN ({','.join(str(a) for a in sorted(self.bound_scope.area_ids)) or '-1'})"
            )
        df = self.read_frame(sql)
        geom = shapely.from_wkb(df.pop("geometry").to_numpy())
        import geopandas as gpd

        return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")

    def targets_frame(
        self, area_ids: list[int] | None = None, kinds: list[str] | None = None, scope=None
    ) -> pd.DataFrame:
        """Targets with their latest visit outcome and date, and counts of open problems.

        A plain DataFrame with lon/lat columns (fast at 250k rows); see :meth:`targets_gdf`.
        `scope` (a :class:`gisplanner.access.scope.UserScope`) keeps only the targets in its villages; by
        default the signed-in user's scope.
        """
        area_ids = scoped_area_ids(area_ids, scope if scope is not None else self.bound_scope)
        q = select(
            Target.id, Target.kind, Target.ext_id, Target.name, Target.address, Target.building,
            Target.unit_no, Target.phone, Target.lon, Target.lat, Target.area_id, Target.members,
            Target.elderly_alone, Target.disabled, Target.hardship, Target.away_business,
            Target.ex_serviceman, Target.new_resident, Target.credit_code, Target.industry,
            Target.key_enterprise, Target.title,
        )  # fmt: skip
        if area_ids is not None:
            q = q.where(Target.area_id.in_(area_ids))
        if kinds:
            q = q.where(Target.kind.in_(kinds))
        df = self.read_columns(q.order_by(Target.id))
        latest = self.latest_outcomes(area_ids)
        df = df.merge(latest, how="left", left_on="id", right_index=True)
        open_q = (
            select(Problem.target_id, func.count().label("open_problems"))
            .where(Problem.status.not_in(CLOSED_STATUSES))
            .group_by(Problem.target_id)
        )
        if area_ids is not None:
            open_q = open_q.where(
                Problem.target_id.in_(select(Target.id).where(Target.area_id.in_(area_ids)))
            )
        open_p = self.read_frame(open_q).set_index("target_id")["open_problems"]
        df["open_problems"] = df["id"].map(open_p).fillna(0).astype(np.int32)
        return df

    def targets_gdf(
        self, area_ids: list[int] | None = None, kinds: list[str] | None = None, scope=None
    ) -> gpd.GeoDataFrame:
        df = self.targets_frame(area_ids, kinds, scope=scope)
        import geopandas as gpd

        return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")

    def latest_outcomes(self, area_ids: list[int] | None = None) -> pd.DataFrame:
        """Per target: the latest visit outcome and when (index: target id).

        `area_ids`: only the targets in these villages (opening one town of a city database).
        """
        if self.engine.dialect.name == "sqlite":  # the newest row per target, found by SQLite
            # (a bare column beside MAX() comes from the row holding the maximum)
            q = select(Visit.target_id, func.max(Visit.visited_at).label("visited_at"), Visit.outcome)
            if area_ids is not None:
                q = q.where(Visit.target_id.in_(select(Target.id).where(Target.area_id.in_(area_ids))))
            v = self.read_columns(q.group_by(Visit.target_id).order_by(Visit.target_id))
            v["visited_at"] = pd.to_datetime(v["visited_at"], format="ISO8601")
            return v.set_index("target_id").rename(
                columns={"visited_at": "last_visit", "outcome": "last_outcome"}
            )
        q = select(Visit.target_id, Visit.visited_at, Visit.outcome)
        if area_ids is not None:
            q = q.where(Visit.target_id.in_(select(Target.id).where(Target.area_id.in_(area_ids))))
        v = self.read_frame(q.order_by(Visit.target_id, Visit.visited_at))
        v = v.drop_duplicates("target_id", keep="last").set_index("target_id")
        return v.rename(columns={"visited_at": "last_visit", "outcome": "last_outcome"})

    def counts(self) -> dict:
        """What `info` prints: areas per level, targets per kind, cadres, rounds, visits, problems."""
        scope = self.bound_scope
        with self.session() as s:
            aq = select(Area.level, func.count()).group_by(Area.level)
            tq = select(Target.kind, func.count()).group_by(Target.kind)
            rq = select(Round.id, Round.name, Round.kind, Round.status).order_by(Round.id)
            cq = select(func.count()).select_from(Cadre)
            vq = select(func.count()).select_from(Visit)
            pq = select(func.count()).select_from(Problem)
            if scope is not None:  # the signed-in user's area only
                areas_in, villages = sorted(scope.area_ids), sorted(scope.village_ids)
                in_scope = select(Target.id).where(Target.area_id.in_(villages))
                aq = aq.where(Area.id.in_(areas_in))
                tq = tq.where(Target.area_id.in_(villages))
                rq = rq.where(Round.scope_area_id.in_(areas_in))
                cq = cq.where(Cadre.area_id.in_(areas_in))
                vq = vq.where(Visit.target_id.in_(in_scope))
                pq = pq.where(Problem.target_id.in_(in_scope))
            areas = dict(s.execute(aq).all())
            kinds = dict(s.execute(tq).all())
            rounds = s.execute(rq).all()
            return {
                "database": self.describe(),
                "areas": {lvl: areas.get(lvl, 0) for lvl in ("city", "district", "town", "village")},
                "households": kinds.get("household", 0),
                "enterprises": kinds.get("enterprise", 0),
                "notable_persons": kinds.get("notable", 0),
                "cadres": s.scalar(cq),
                "rounds": len(rounds),
                "visits": s.scalar(vq),
                "problems": s.scalar(pq),
                "round_list": [
                    {"id": r.id, "name": r.name, "kind": r.kind, "status": r.status} for r in rounds
                ],
            }

    def is_empty(self) -> bool:
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(Area)) == 0


def scoped_area_ids(area_ids: list[int] | None, scope) -> list[int] | None:
    """The village ids a query may read: the requested ones within the user's scope."""
    if scope is None:
        return None if area_ids is None else list(area_ids)
    allowed = scope.village_ids
    if area_ids is None:
        return sorted(allowed)
    return [a for a in area_ids if a in allowed]


# -- backups of the SQLite file (gisplanner.store.backup does the work) ------------------------------
def backup_sqlite(store: Store, dest_dir: Path | None = None, keep: int = 7) -> Path | None:
    """A checked backup of the open SQLite database (None for PostgreSQL).

    Raises StoreError when the database is damaged (it is not copied over the good backups)."""
    from gisplanner.store import backup

    src = store.sqlite_path
    if src is None or not src.exists():
        return None
    try:
        return backup.backup(src, dest_dir, keep)
    except backup.BackupError as e:
        raise StoreError(str(e)) from e


def list_backups(store: Store, dest_dir: Path | None = None) -> list[Path]:
    """This database's backups, newest first."""
    from gisplanner.store import backup

    src = store.sqlite_path
    if src is None:
        return []
    return [b.path for b in backup.list_backups(src, dest_dir)]


def restore_sqlite(store: Store, backup_file: Path | None = None) -> None:
    """Replace the open database's content with a backup (the newest good one by default).

    The current content is backed up first, so a restore can itself be undone.
    """
    from gisplanner.store import backup

    dest = store.sqlite_path
    if dest is None:
        raise StoreError("只有本地 SQLite 数据库可以从备份恢复")
    store.engine.dispose()
    try:
        backup.restore(dest, backup_file)
    except backup.BackupError as e:
        raise StoreError(str(e)) from e
    store.engine.dispose()


# -- bulk writes (demo generator, importers) ---------------------------------------------------
def bulk_insert(conn, table: str, df: pd.DataFrame, chunk: int = 50_000) -> int:
    """Insert a DataFrame into a table without ORM objects, inside the caller's transaction.

    PostgreSQL: COPY; SQLite: columns converted once (gisplanner.store.bulk), then executemany. Both
    fill the Python-side column defaults (created_at, version …) the frame does not carry.
    """
    tbl = Base.metadata.tables[table]
    n = 0
    if pg.is_postgresql(conn):
        n = pg.copy_insert(conn, table, df)
    elif conn.dialect.name == "sqlite":
        for start in range(0, len(df), chunk):
            n += sqlite_insert(conn, tbl, df.iloc[start : start + chunk])
    else:
        raise StoreError(f"不支持的数据库类型：{conn.dialect.name}（支持 SQLite 和 PostgreSQL）")
    if any(c.name in df.columns for c in tbl.primary_key.columns):
        pg.sync_sequence(conn, table)  # explicit ids: keep PostgreSQL's id sequence ahead
    return n
