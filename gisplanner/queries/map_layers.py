"""The queries behind the map's data (``gisplanner.ui.map.data`` calls these; the UI runs no SQL).

- ``rounds_with_visits(store)``: the rounds the signed-in user may see, oldest first, with how
  many visits each has (the map colours the coverage of a round with visits).
- ``overdue_problems_per_target(store, ids, today)``: open problems past their deadline, per
  target (any round), aligned with ``ids``.

Both honour ``store.bound_scope`` (a signed-in user reads only their area, as row-level security).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from gisplanner.store.database import Store
from gisplanner.store.vocab import CLOSED_STATUSES


def rounds_with_visits(store: Store) -> pd.DataFrame:
    """Columns id, name, start_date, n (visits), ordered by id; only the user's scope."""
    scope = store.bound_scope  # signed in: the rounds of the user's area (as row-level security)
    where = (
        "" if scope is None else f"WHERE r.scope_area_id IN ({','.join(map(str, sorted(scope.area_ids)))}) "
    )
    return store.read_frame(
        "SELECT r.id, r.name, r.start_date, (SELECT COUNT(*) FROM visit v WHERE v.round_id = r.id) AS n "
        f"FROM round r {where}ORDER BY r.id"
    )


def overdue_problems_per_target(store: Store, ids: np.ndarray, today: dt.date | None = None) -> np.ndarray:
    """Open problems past their deadline, per target (any round): an int32 array aligned with ``ids``."""
    today = today or dt.date.today()
    closed = ",".join(f"'{s}'" for s in CLOSED_STATUSES)
    scope = store.bound_scope  # the signed-in user's villages only
    in_scope = (
        ""
        if scope is None
        else " AND target_id IN (SELECT id FROM target WHERE area_id IN "
        f"({','.join(map(str, sorted(scope.village_ids))) or '-1'}))"
    )
    p = store.read_frame(
        f"SELECT target_id, COUNT(*) AS n FROM problem WHERE status NOT IN ({closed}) "
        f"AND deadline IS NOT NULL AND deadline < :today{in_scope} GROUP BY target_id",
        {"today": today.isoformat()},
    )
    return pd.Series(ids).map(p.set_index("target_id")["n"]).fillna(0).astype(np.int32).to_numpy()
