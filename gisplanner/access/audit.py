"""Every disclosure of personal data in full is recorded: unmasked exports as well as prints.

Prints were logged (gisplanner.reporting.printouts.common.log_print); `export targets --unmasked` and
`export webmap --unmasked` — every phone number of the town in one file — left no trace. They
now write a row into the same log (print_log: who, when, what, how many; for an export `pages`
holds the number of records), so one list answers "who took the phone numbers out, when".
"""

from __future__ import annotations

import datetime as dt
import getpass

from sqlalchemy import select

from gisplanner.store.model import PrintLog


def current_user() -> str:
    try:
        return getpass.getuser() or "未知用户"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "未知用户"


def log_disclosure(store, what: str, count: int, *, user: str | None = None) -> int:
    """Record one unmasked export (or other disclosure); returns the log row's id."""
    with store.session() as s:
        row = PrintLog(
            at=dt.datetime.now().replace(microsecond=0),
            user=(user or current_user())[:50],
            what=what[:200],
            pages=int(count),
            unmasked=True,
        )
        s.add(row)
        s.flush()
        return row.id


def disclosures(store) -> list[dict]:
    """The unmasked prints and exports, newest first."""
    with store.session() as s:
        rows = s.scalars(select(PrintLog).where(PrintLog.unmasked.is_(True)).order_by(PrintLog.id.desc()))
        return [{"id": r.id, "at": r.at, "user": r.user, "what": r.what, "count": r.pages} for r in rows]
