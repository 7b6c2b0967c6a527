"""Live updates between offices: PostgreSQL NOTIFY after every change of the main tables.

Migration 0007_offices puts statement-level triggers on the main tables; each INSERT, UPDATE or
DELETE statement sends one notice on the channel ``gisplanner_changes`` with the schema, table,
operation and the ids of up to 200 rows (``ids`` null: more — reload the table). A
:class:`Listener` holds its own connection (autocommit, outside the pool) and hands the notices
on; the UI (``gisplanner.ui.live``) refreshes only the panels the tables feed, debounced.
Nothing here polls the tables: waiting costs no queries. SQLite has one user and no notices.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import make_url

CHANNEL = "gisplanner_changes"


@dataclass(frozen=True)
class Change:
    """One statement's change: `ids` None when it touched more than 200 rows."""

    schema: str
    table: str
    op: str
    ids: tuple[int, ...] | None
    user: str = ""
    pid: int = 0  # the server process that made it (to skip one's own changes)

    @classmethod
    def parse(cls, payload: str, pid: int = 0) -> Change | None:
        try:
            d = json.loads(payload)
            ids = d.get("ids")
            return cls(
                str(d["schema"]), str(d["table"]), str(d["op"]),
                None if ids is None else tuple(int(i) for i in ids if i is not None),
                str(d.get("user") or ""), pid,
            )  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return None  # not ours


def supported(store) -> bool:
    return not store.is_sqlite


def own_backend_pids(store) -> set[int]:
    """The server process ids of the store's own connections, kept up to date (a window skips the
    notices of its own changes: it has already refreshed)."""
    pids = store.__dict__.get("_backend_pids")
    if pids is not None:
        return pids
    pids = set()
    store.__dict__["_backend_pids"] = pids

    @event.listens_for(store.engine, "checkout")
    def _note(dbapi_conn, _rec, _proxy):
        pid = getattr(getattr(dbapi_conn, "info", None), "backend_pid", None)
        if pid:
            pids.add(int(pid))

    return pids


class Listener:
    """LISTEN on its own connection; :meth:`wait` yields this schema's changes as they come."""

    def __init__(self, store):
        import psycopg

        url = make_url(store.engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
        self.conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        self.schema = self.conn.execute("SELECT current_schema()").fetchone()[0]
        self.conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> Iterator[Change]:
        """The changes that arrive within `timeout` seconds (returns as soon as one came and no
        more are queued)."""
        for n in self.conn.notifies(timeout=timeout, stop_after=1):
            ch = Change.parse(n.payload, n.pid)
            if ch is not None and ch.schema == self.schema:
                yield ch
        # whatever else is already queued, without waiting
        for n in self.conn.notifies(timeout=0.0):
            ch = Change.parse(n.payload, n.pid)
            if ch is not None and ch.schema == self.schema:
                yield ch

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
