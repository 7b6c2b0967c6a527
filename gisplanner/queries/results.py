"""Route sheets and their stops for the result entry panel (走访结果录入)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from gisplanner.campaign.results import (
    SheetChoice,
    entry_defaults,
    resolve_stop,
    route_progress,
    sheet_choices,
    stops_of_route,
)
from gisplanner.store.model import Route


def read_sheet_choices(store, round_id: int) -> list[SheetChoice]:
    with store.session() as s:
        return sheet_choices(s, round_id)


def route_ids(store, round_id: int) -> list[int]:
    """The round's route (sheet) ids in id order."""
    with store.session() as s:
        return list(s.scalars(select(Route.id).where(Route.round_id == round_id).order_by(Route.id)))


def route_entry(store, route_id: int) -> tuple[dt.datetime | None, str, list[dict]]:
    """What entering a sheet starts from: the session's start, the team's members and the
    stops in sheet order ({id, seq, code, name, address, outcome (None: not entered yet),
    problems: 0})."""
    with store.session() as s:
        start, members = entry_defaults(s, route_id)
        done = route_progress(s, route_id)
        stops = [
            {
                "id": st.id,
                "seq": st.seq,
                "code": st.code or "",
                "name": st.target.name,
                "address": st.target.address or "",
                "outcome": done.get(st.id),
                "problems": 0,
            }  # fmt: skip
            for st in stops_of_route(s, route_id)
        ]
    return start, members, stops


def find_stop(
    store, key: object, *, route_id: int | None = None, round_id: int | None = None
) -> tuple[int, int]:
    """:func:`resolve_stop` in a session of its own: (stop id, route id). ResultsError if none."""
    with store.session() as s:
        stop = resolve_stop(s, key, route_id=route_id, round_id=round_id)
        return stop.id, stop.route_id
