"""A round's assignments for the teams panel and its map overlay."""

from __future__ import annotations

import pandas as pd


def round_assignments(store, round_id: int) -> tuple[dict[int, int | None], pd.DataFrame]:
    """A round's assignments, target id -> team id (None: not given to a team), and the
    villages they lie in (code, name by code): what the teams panel and its overlay show."""
    rows = store.read_columns(
        "SELECT target_id, team_id FROM assignment WHERE round_id = :r", {"r": int(round_id)}
    )
    areas = store.read_frame(
        "SELECT DISTINCT ar.code, ar.name FROM assignment a JOIN target t ON t.id = a.target_id "
        "JOIN area ar ON ar.id = t.area_id WHERE a.round_id = :r ORDER BY ar.code",
        {"r": int(round_id)},
    )
    return dict(zip(rows["target_id"].astype(int), rows["team_id"], strict=True)), areas
