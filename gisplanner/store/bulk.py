"""Fast bulk inserts into SQLite: DataFrame columns converted once, then the DBAPI executemany.

SQLAlchemy Core spends most of a 250k-row insert on per-row bind processing; here each column is
converted vectorised into what SQLite stores for its SQLAlchemy type (datetimes as SQLAlchemy's
'YYYY-MM-DD HH:MM:SS.ffffff' text, booleans as 0/1), so rows read back through the ORM unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table


def _column_values(s: pd.Series, sqltype) -> list:
    if isinstance(sqltype, DateTime):
        t = pd.to_datetime(s, errors="coerce")
        return t.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object).where(t.notna(), None).tolist()
    if isinstance(sqltype, Date):
        t = pd.to_datetime(s, errors="coerce")
        return t.dt.strftime("%Y-%m-%d").astype(object).where(t.notna(), None).tolist()
    if isinstance(sqltype, Boolean):
        if s.isna().any():
            return [None if v is None or v != v else int(bool(v)) for v in s.tolist()]
        return s.astype(bool).astype(np.int8).tolist()
    if isinstance(sqltype, Integer):
        if s.isna().any():
            return [None if v is None or v != v else int(v) for v in s.tolist()]
        return s.astype(np.int64).tolist()
    if isinstance(sqltype, Float):
        return [None if v != v else v for v in s.astype(float).tolist()]
    # text and blobs: numpy string scalars become str, missing values NULL
    return [None if v is None or (isinstance(v, float) and v != v) else (str(v) if isinstance(v, np.str_) else v)
            for v in s.tolist()]  # fmt: skip


def _defaults(tbl: Table, present: set[str], n: int) -> dict[str, list]:
    """Python-side defaults (created_at, version, flags) for columns the frame does not carry."""
    out = {}
    for col in tbl.columns:
        if col.name in present or col.default is None or col.primary_key:
            continue
        arg = col.default.arg
        value = arg(None) if callable(arg) else arg
        out[col.name] = _column_values(pd.Series([value] * n), col.type) if n else []
    return out


def sqlite_insert(conn, tbl: Table, df: pd.DataFrame) -> int:
    """Insert all rows of `df` into `tbl` inside the caller's transaction."""
    if df.empty:
        return 0
    cols = {c: _column_values(df[c], tbl.c[c].type) for c in df.columns}
    cols.update(_defaults(tbl, set(df.columns), len(df)))
    names = list(cols)
    sql = f'INSERT INTO "{tbl.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) VALUES ({", ".join("?" * len(names))})'
    conn.exec_driver_sql(sql, list(zip(*cols.values(), strict=True)))
    return len(df)
