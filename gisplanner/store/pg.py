"""PostgreSQL specifics: PostGIS detection and spatial filters, COPY bulk loads, row-level security.

Everything here is a no-op or a plain-SQL fallback on SQLite, so callers need not branch.
The schema itself is the same on both backends (boundaries are WKB, points are lon/lat
columns); PostGIS, when installed, is used only for server-side filters.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Integer, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError

from gisplanner.store.errors import StoreError
from gisplanner.store.model import Base

# Tables whose rows belong to a village, and how to reach the village from a row.
# Used by the row-level security policies (a town official sees only the rows under the town).
_WHO = "CAST(current_user AS text)"
_SCOPE = f"(SELECT gisplanner_scope_areas({_WHO}))"  # the bound area and everything under it
_ABOVE = f"(SELECT gisplanner_ancestor_areas({_WHO}))"  # the areas above it (names for the header)
# table -> (USING: rows the role sees and may change, WITH CHECK: rows it may write). Every table
# that holds a town's data is here; tests/test_rls_every_table.py fails for a new table that is not.
RLS_TABLES = {
    "area": (f"id IN {_SCOPE} OR id IN {_ABOVE}", f"id IN {_SCOPE} OR parent_id IN {_SCOPE}"),
    "road": (f"area_id IN {_SCOPE}", f"area_id IN {_SCOPE}"),
    "unit": (f"area_id IS NULL OR area_id IN {_SCOPE} OR area_id IN {_ABOVE}", f"area_id IN {_SCOPE}"),
    "target": (f"area_id IN (SELECT gisplanner_visible_villages({_WHO}))",) * 2,
    "cadre": (f"area_id IN {_SCOPE}",) * 2,
    "round": (f"scope_area_id IN {_SCOPE}",) * 2,
    "visit_session": ("round_id IN (SELECT id FROM round)",) * 2,
    "team": ("round_id IN (SELECT id FROM round)",) * 2,
    "cadre_leave": ("cadre_id IN (SELECT id FROM cadre)",) * 2,
    "session_team": ("session_id IN (SELECT id FROM visit_session) AND team_id IN (SELECT id FROM team)",)
    * 2,
    # the holiday calendar's manual overrides hold no town's data: everyone reads them, only the
    # database owner (not a town role) changes them
    "calendar_day": ("true", "false"),
    "team_member": (
        "team_id IN (SELECT id FROM team)",
        "team_id IN (SELECT id FROM team) AND cadre_id IN (SELECT id FROM cadre)",
    ),
    "assignment": ("target_id IN (SELECT id FROM target) AND round_id IN (SELECT id FROM round)",) * 2,
    "route": ("round_id IN (SELECT id FROM round)",) * 2,
    "route_stop": ("route_id IN (SELECT id FROM route) AND target_id IN (SELECT id FROM target)",) * 2,
    "visit": ("target_id IN (SELECT id FROM target)",) * 2,
    "problem": ("target_id IN (SELECT id FROM target)",) * 2,
    "problem_event": ("problem_id IN (SELECT id FROM problem)",) * 2,
    # who printed or exported what: each role sees its own entries; anyone may add one
    "print_log": (f'"user" = {_WHO}', "true"),
    # settings: the shared ones, and only the role's own scope and role bindings (never changeable
    # by it: a town role cannot make itself 负责人 or widen its area)
    "setting": (
        "(key NOT LIKE 'scope:%' AND key NOT LIKE 'role:%') "
        "OR key IN ('scope:' || current_user, 'role:' || current_user)",
        "key NOT LIKE 'scope:%' AND key NOT LIKE 'role:%'",
    ),
}
# a second policy: what may be changed at all
_WRITE_ONLY = {"setting": "key NOT LIKE 'scope:%' AND key NOT LIKE 'role:%'"}
# the tables a town role writes (grant_official); everything else it only reads
TOWN_WRITES = (
    "target", "visit", "problem", "problem_event", "assignment", "round", "visit_session", "team",
    "team_member", "route", "route_stop", "cadre", "cadre_leave", "session_team", "setting",
)  # fmt: skip
# what each application role (gisplanner.access.roles) may write in the server; the rest is read-only.
# 录入员 enters results and registers problems; the others plan (user management is the owner's)
ROLE_WRITES = {
    "entry": {"visit": "INSERT, UPDATE", "problem": "INSERT, UPDATE", "problem_event": "INSERT"},
    "planner": dict.fromkeys(TOWN_WRITES, "INSERT, UPDATE, DELETE"),
    "supervisor": dict.fromkeys(TOWN_WRITES, "INSERT, UPDATE, DELETE"),
    "admin": dict.fromkeys(TOWN_WRITES, "INSERT, UPDATE, DELETE"),
}
SCOPE_SETTING_PREFIX = "scope:"
ROLE_SETTING_PREFIX = "role:"  # setting key: scope:<user> -> area id the user is bound to
_ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_POSTGIS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> PostGIS installed?


def is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def has_postgis(bind: Engine | Connection) -> bool:
    """True when the PostGIS extension is installed in the database (checked once per engine)."""
    if not is_postgresql(bind):
        return False
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine in _POSTGIS:
        return _POSTGIS[engine]
    sql = text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            found = conn.scalar(sql) is not None
    else:
        found = bind.scalar(sql) is not None
    _POSTGIS[engine] = found
    return found


# -- bulk loads ---------------------------------------------------------------------------------
def _column_values(series: pd.Series, integer: bool = False) -> list:
    """A column as plain Python values the driver adapts (NaN/NaT -> None).

    `integer`: the SQL column is an integer; pandas turns integer columns with gaps into floats.
    """
    if series.dtype.kind == "M":
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    if series.dtype.kind == "f":
        arr = series.to_numpy()
        if integer:
            return [None if x != x else int(x) for x in arr.tolist()]
        return [None if x != x else x for x in arr.tolist()]
    if series.dtype.kind in "biu":
        return series.to_numpy().tolist()
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty", "bytes"):
        arr = series.to_numpy(dtype=object)
        missing = pd.isna(arr)
        if missing.any():
            arr = arr.copy()
            arr[missing] = None
        return arr.tolist()
    out = []
    for v in series.tolist():
        if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, pd.Timestamp):
            out.append(v.to_pydatetime())
        elif isinstance(v, np.generic):
            out.append(v.item())
        elif v is pd.NA:
            out.append(None)
        else:
            out.append(v)
    return out


def with_defaults(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Add the columns the frame lacks that have a Python-side default (version, flags, created_at).

    SQLAlchemy Core applies these on INSERT; COPY bypasses Core, so they are filled here.
    """
    tbl = Base.metadata.tables[table]
    out = df
    for col in tbl.columns:
        if col.name in df.columns or col.default is None:
            continue
        if out is df:
            out = df.copy()
        arg = col.default.arg
        if col.default.is_callable:
            arg = arg(None)
        elif col.default.is_clause_element or col.default.is_sequence:
            continue
        out[col.name] = arg
    return out


def copy_insert(conn: Connection, table: str, df: pd.DataFrame) -> int:
    """Load a DataFrame into a table with PostgreSQL COPY, inside the caller's transaction.

    An order of magnitude faster than INSERT for the city-scale demo (millions of rows).
    """
    import psycopg
    from psycopg import sql

    if df.empty:
        return 0
    df = with_defaults(table, df)
    cols = list(df.columns)
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in cols)
    )
    types = Base.metadata.tables[table].columns
    values = [_column_values(df[c], isinstance(types[c].type, Integer)) for c in cols]
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cur, cur.copy(stmt) as copy:
            for row in zip(*values, strict=True):
                copy.write_row(row)
    except psycopg.Error as e:  # the same exception types as every other statement
        raise DBAPIError.instance(stmt.as_string(raw), None, e, psycopg.Error) from e
    return len(df)


def sync_sequence(conn: Connection, table: str) -> None:
    """After rows were loaded with explicit ids, move the id sequence past the largest id.

    Otherwise the next ORM insert on PostgreSQL would collide with a loaded id.
    """
    if not is_postgresql(conn):
        return
    tbl = Base.metadata.tables[table]
    pk = list(tbl.primary_key.columns)
    if len(pk) != 1 or not isinstance(pk[0].type, Integer):
        return
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence(:t, :c), "
            f"GREATEST((SELECT MAX({pk[0].name}) FROM {table}), 1))"
        ),
        {"t": table, "c": pk[0].name},
    )


# -- server-side spatial filters ----------------------------------------------------------------
def ensure_spatial_index(engine: Engine) -> bool:
    """With PostGIS, a GiST index over the target points (as an expression on lon/lat).

    Idempotent; returns False when there is no PostGIS (nothing to do).
    """
    if not has_postgis(engine):
        return False
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_target_point ON target "
                "USING gist (ST_SetSRID(ST_MakePoint(lon, lat), 4326))"
            )
        )
        conn.execute(text("ANALYZE target"))
    return True


def target_ids_in_polygon(
    engine: Engine, polygon, village_ids: np.ndarray | list[int] | None = None
) -> np.ndarray:
    """Ids of the targets inside a WGS84 polygon, optionally only those in the given villages.

    PostGIS: ST_Contains on the server (uses ix_target_point when present). Otherwise the
    polygon's bounding box filters in SQL and shapely decides the exact containment.
    """
    minx, miny, maxx, maxy = polygon.bounds
    params: dict = {"x0": minx, "y0": miny, "x1": maxx, "y1": maxy}
    where_area = ""
    if village_ids is not None:
        ids = [int(v) for v in village_ids]
        if not ids:
            return np.empty(0, dtype=np.int64)
        where_area = f" AND area_id IN ({','.join(str(i) for i in ids)})"
    if has_postgis(engine):
        params["wkb"] = shapely.to_wkb(polygon)
        sql = (
            "SELECT id FROM target WHERE ST_Contains(ST_GeomFromWKB(:wkb, 4326), "
            "ST_SetSRID(ST_MakePoint(lon, lat), 4326))" + where_area + " ORDER BY id"
        )
        with engine.connect() as conn:
            return np.array(conn.scalars(text(sql), params).all(), dtype=np.int64)
    sql = (
        "SELECT id, lon, lat FROM target WHERE lon BETWEEN :x0 AND :x1 AND lat BETWEEN :y0 AND :y1"
        + where_area
        + " ORDER BY id"
    )
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    if not rows:
        return np.empty(0, dtype=np.int64)
    arr = np.array(rows, dtype=float)
    shapely.prepare(polygon)
    inside = shapely.contains_xy(polygon, arr[:, 1], arr[:, 2])
    return arr[inside, 0].astype(np.int64)


# -- row-level security (optional, PostgreSQL only) ------------------------------------------------
def _check_role(role: str) -> str:
    if not _ROLE_RE.match(role):
        raise ValueError(f"数据库角色名 {role!r} 不合规：只能用小写字母、数字和下划线，且不以数字开头")
    return role


# The server-side mirror of gisplanner.store.area_tree, for row-level security (the policies above
# need the area tree inside the server). For a role ``who`` bound to an area (setting
# ``scope:<who>``):
# - gisplanner_scope_areas(who): the area and every area below it (area_tree.area_and_below);
# - gisplanner_ancestor_areas(who): the areas above it (AreaTree.ancestors without the area);
# - gisplanner_visible_villages(who): the villages below it (scope.UserScope.village_ids).
# SECURITY DEFINER: they read the bindings and the area tree with the owner's rights; the role is
# passed in because inside such a function current_user is the owner; the search_path is pinned
# so a caller cannot slip in their own `setting` table. UNION (not UNION ALL): a cycle in
# area.parent_id ends the recursion instead of hanging every query of the role
# (gisplanner.store.area_tree keeps cycles out; this is the second wall).
_SQL_FUNCTION = """CREATE OR REPLACE FUNCTION {name}(who text) RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
{body}
$$"""
_TREE_WALK = """  WITH RECURSIVE bound AS (
    SELECT CAST(value AS integer) AS id FROM setting WHERE key = 'scope:' || who
  ), walk AS (
    SELECT a.{first} AS id FROM area a JOIN bound b ON a.id = b.id{where}
    UNION
    SELECT a.{first} FROM area a JOIN walk ON a.{link} = walk.id{where}
  )
  SELECT id FROM walk"""
SCOPE_SQL = (
    _SQL_FUNCTION.format(
        name="gisplanner_scope_areas", body=_TREE_WALK.format(first="id", link="parent_id", where="")
    ),
    _SQL_FUNCTION.format(
        name="gisplanner_ancestor_areas",
        body=_TREE_WALK.format(first="parent_id", link="id", where=" WHERE a.parent_id IS NOT NULL"),
    ),
    _SQL_FUNCTION.format(
        name="gisplanner_visible_villages",
        body="  SELECT a.id FROM area a WHERE a.level = 'village' AND a.id IN (SELECT gisplanner_scope_areas(who))",
    ),
)


def enable_row_level_security(engine: Engine) -> None:
    """Let the server itself hide rows outside an official's area.

    Each official logs in with their own PostgreSQL role; `grant_official` binds the role to an
    area (a `setting` row `scope:<role>`). The policies show a role only the targets in the
    villages under its area, and the visits, problems and assignments of those targets. The
    table owner (the administrator who runs migrations) is not affected. Idempotent.
    """
    if not is_postgresql(engine):
        raise ValueError("行级安全策略只适用于 PostgreSQL 数据库")
    with engine.begin() as conn:
        for sql in SCOPE_SQL:  # the area-tree functions the policies call
            conn.execute(text(sql))
        for table, (using, check) in RLS_TABLES.items():
            conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
            conn.execute(text(f"DROP POLICY IF EXISTS gisplanner_scope ON {table}"))
            conn.execute(text(f"DROP POLICY IF EXISTS gisplanner_scope_write ON {table}"))
            if table in _WRITE_ONLY:
                # reads: USING; writes: only rows both policies allow (a restrictive policy)
                conn.execute(
                    text(f"CREATE POLICY gisplanner_scope ON {table} USING ({using}) WITH CHECK ({check})")
                )
                cond = _WRITE_ONLY[table]
                for cmd in ("UPDATE", "DELETE"):
                    conn.execute(text(f"DROP POLICY IF EXISTS gisplanner_scope_{cmd.lower()} ON {table}"))
                    conn.execute(
                        text(f"CREATE POLICY gisplanner_scope_{cmd.lower()} ON {table} AS RESTRICTIVE "
                             f"FOR {cmd} USING ({cond})")
                    )  # fmt: skip
            else:
                conn.execute(
                    text(f"CREATE POLICY gisplanner_scope ON {table} USING ({using}) WITH CHECK ({check})")
                )


def disable_row_level_security(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in RLS_TABLES:
            for suffix in ("", "_update", "_delete", "_write"):
                conn.execute(text(f"DROP POLICY IF EXISTS gisplanner_scope{suffix} ON {table}"))
            conn.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))


def row_level_security_enabled(engine: Engine) -> bool:
    if not is_postgresql(engine):
        return False
    with engine.connect() as conn:
        return bool(
            conn.scalar(text("SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('target')"))
        )


def grant_official(
    engine: Engine, role: str, area_id: int, *, create: bool = False, app_role: str = "planner"
) -> None:
    """Bind a PostgreSQL role to an area and an application role (录入员 entry, 规划员 planner,
    负责人 supervisor, 管理员 admin) and give it the server rights of that role: a 录入员 can
    add visits and problems but the server refuses its writes to rounds, teams or targets.

    `create` also creates the role (NOLOGIN; set a password with your usual tools).
    """
    role = _check_role(role)
    if app_role not in ROLE_WRITES:
        raise ValueError(f"未知的角色 {app_role!r}（可用：{'、'.join(ROLE_WRITES)}）")
    with engine.begin() as conn:
        if create:
            exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
            if not exists:
                conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        schema = _current_schema(conn)
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
        conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} FROM {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"))
        for table, privileges in ROLE_WRITES[app_role].items():
            conn.execute(text(f"GRANT {privileges} ON {table} TO {role}"))
        conn.execute(text(f"GRANT INSERT ON print_log TO {role}"))
        conn.execute(text("DELETE FROM setting WHERE key = :k"), {"k": ROLE_SETTING_PREFIX + role})
        conn.execute(
            text("INSERT INTO setting (key, value) VALUES (:k, :v)"),
            {"k": ROLE_SETTING_PREFIX + role, "v": app_role},
        )
        conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {_current_schema(conn)} TO {role}"))
        conn.execute(text("DELETE FROM setting WHERE key = :k"), {"k": SCOPE_SETTING_PREFIX + role})
        conn.execute(
            text("INSERT INTO setting (key, value) VALUES (:k, :v)"),
            {"k": SCOPE_SETTING_PREFIX + role, "v": str(int(area_id))},
        )


def _current_schema(conn: Connection) -> str:
    return conn.scalar(text("SELECT current_schema()"))


def server_version(engine: Engine) -> str:
    with engine.connect() as conn:
        if is_postgresql(engine):
            return conn.scalar(text("SHOW server_version"))
        return "SQLite " + conn.scalar(text("SELECT sqlite_version()"))


# -- connecting to a server: the address is remembered, the password only in the system keyring ----
KEYRING_SERVICE = "gisplanner"


@dataclass(frozen=True)
class ServerAddress:
    """Where a shared database lives (without the password, which is never written to a file)."""

    host: str = "localhost"
    port: int = 5432
    database: str = "gisplanner"
    user: str = ""

    def url(self, password: str | None = None) -> URL:
        """The SQLAlchemy URL; the password stays in memory (``str(url)`` masks it)."""
        return URL.create(
            "postgresql+psycopg",
            username=self.user or None,
            password=password or None,
            host=self.host,
            port=int(self.port),
            database=self.database,
        )

    def url_string(self, password: str | None = None) -> str:
        """The URL as text for :meth:`Store.open` (keep it in memory, never log or save it)."""
        return self.url(password).render_as_string(hide_password=False)

    @property
    def keyring_user(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def display(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    @classmethod
    def from_url(cls, url: str) -> ServerAddress:
        u = make_url(url)
        return cls(u.host or "localhost", u.port or 5432, u.database or "", u.username or "")


def keyring_available() -> bool:
    """Is there a system keyring (Secret Service, macOS Keychain, Windows Credential Locker)?"""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    kr = keyring.get_keyring()
    return not isinstance(kr, fail.Keyring) and getattr(kr, "priority", 1) > 0


def stored_password(address: ServerAddress) -> str | None:
    """The password remembered in the system keyring, or None (then the user is asked)."""
    if not keyring_available():
        return None
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, address.keyring_user)
    except Exception:  # noqa: BLE001 - a locked or broken keyring means: ask the user
        return None


def remember_password(address: ServerAddress, password: str) -> bool:
    """Keep the password in the system keyring; False when there is none (nothing is written)."""
    if not keyring_available():
        return False
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, address.keyring_user, password)
    except Exception:  # noqa: BLE001
        return False
    return True


def forget_password(address: ServerAddress) -> None:
    if not keyring_available():
        return
    import keyring

    with contextlib.suppress(Exception):
        keyring.delete_password(KEYRING_SERVICE, address.keyring_user)


def check_connection(url: str, timeout: int = 5) -> str:
    """Connect once and describe the server (version, PostGIS); raises StoreError in Chinese."""
    from sqlalchemy import create_engine

    engine = create_engine(url, connect_args={"connect_timeout": timeout})
    try:
        version = server_version(engine)
        postgis = "，PostGIS 可用" if has_postgis(engine) else "，未安装 PostGIS（使用普通查询）"
        return f"PostgreSQL {version}{postgis}"
    except DBAPIError as e:
        first = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
        raise StoreError(f"无法连接数据库服务器：{first}") from e
    finally:
        engine.dispose()
