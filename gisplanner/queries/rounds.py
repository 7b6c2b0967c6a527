"""Rounds and sessions for the round form and the session calendar (走访时段日历)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from gisplanner.campaign.cncalendar import HolidayCalendar, set_override
from gisplanner.campaign.rounds import (
    area_choices,
    list_sessions,
    round_dict,
    round_teams,
    routes_in_sessions,
    save_templates,
)
from gisplanner.campaign.schedule import SessionTemplate, load_templates


def round_editor(store, round_id: int | None) -> tuple[list[dict], dict | None]:
    """What the round form shows: the areas a round can cover and the round (None: a new one)."""
    with store.session() as s:
        return area_choices(s), (round_dict(s, round_id) if round_id is not None else None)


def session_calendar(store, round_id: int) -> tuple[dict, list[dict], HolidayCalendar]:
    """What the session calendar opens with: the round, its teams and the holiday calendar."""
    with store.session() as s:
        return round_dict(s, round_id), round_teams(s, round_id), HolidayCalendar.load(s)


def read_sessions(store, round_id: int) -> list[dict]:
    """The round's sessions (:func:`list_sessions`) in a session of their own, each with
    ``seen``: its row as read, with the version (what a later save checks against)."""
    from sqlalchemy import inspect

    from gisplanner.store.model import VisitSession

    cols = [a.key for a in inspect(VisitSession).column_attrs]
    with store.session() as s:
        out = list_sessions(s, round_id)
        for d in out:
            v = s.get(VisitSession, d["id"])  # loaded by list_sessions: no query
            d["seen"] = {k: getattr(v, k) for k in cols}
        return out


def count_routes_in_sessions(store, session_ids: Iterable[int]) -> int:
    """Planned routes in these sessions (what removing them takes along)."""
    with store.session() as s:
        return routes_in_sessions(s, session_ids)


def read_templates(store) -> list[SessionTemplate]:
    with store.session() as s:
        return load_templates(s)


def write_templates(store, templates: Sequence[SessionTemplate]) -> None:
    """Store the session templates (RoundError: nothing written)."""
    with store.session() as s:
        save_templates(s, templates)


def load_calendar(store) -> HolidayCalendar:
    """The holiday calendar with the overrides stored in the database."""
    with store.session() as s:
        return HolidayCalendar.load(s)


def override_day(store, day: dt.date, workday: bool | None) -> HolidayCalendar:
    """Store an override of `day` (None: back to the official calendar); the calendar after it."""
    with store.session() as s:
        set_override(s, day, workday)
    return load_calendar(store)
