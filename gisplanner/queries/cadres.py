"""The cadre roster (干部名册) for its editable table."""

from __future__ import annotations

from sqlalchemy import select

from gisplanner.store.model import Cadre
from gisplanner.teams.cadres import list_cadres


def roster(store) -> tuple[list[dict], dict[int, int]]:
    """The whole roster (:func:`list_cadres`) and the version each row was read at (an edit
    saves only over that, :func:`gisplanner.access.concurrency.save_action`)."""
    with store.session() as s:
        return list_cadres(s), dict(s.execute(select(Cadre.id, Cadre.version)).all())


def cadre_version(store, cadre_id: int) -> int | None:
    with store.session() as s:
        return s.scalar(select(Cadre.version).where(Cadre.id == cadre_id))
