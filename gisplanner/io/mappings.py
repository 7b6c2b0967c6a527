"""Remembering a confirmed header mapping for the next file of the same layout.

Kept in the database's `setting` table (key: `headers.layout_key`, value: JSON), so the
mapping travels with the data and everyone using the same database benefits.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.engine import Connection

from gisplanner.io import headers as hdr
from gisplanner.store.database import Store
from gisplanner.store.model import Setting


def recall(store: Store, kind: str, headers: list[str]) -> dict | None:
    """{'mapping': {field: header}, 'crs': str} saved for this layout, or None."""
    key = hdr.layout_key(kind, headers)
    with store.engine.connect() as conn:
        value = conn.execute(select(Setting.value).where(Setting.key == key)).scalar()
    if not value:
        return None
    saved = json.loads(value)
    # a remembered header that is no longer in the file is dropped, not trusted
    saved["mapping"] = {k: h for k, h in saved.get("mapping", {}).items() if h in headers}
    return saved


def remember(
    conn: Connection, kind: str, headers: list[str], mapping: dict[str, str], crs: str | int
) -> None:
    """Save the mapping inside the caller's transaction (it is confirmed when the import commits)."""
    key = hdr.layout_key(kind, headers)
    value = json.dumps({"mapping": mapping, "crs": str(crs)}, ensure_ascii=False)
    tbl = Setting.__table__
    if conn.execute(select(tbl.c.key).where(tbl.c.key == key)).first():
        conn.execute(tbl.update().where(tbl.c.key == key).values(value=value))
    else:
        conn.execute(tbl.insert().values(key=key, value=value))
