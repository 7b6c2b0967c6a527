"""The cadre roster (干部名册) and each cadre's availability (可走访时段, 请假).

A cadre can do some kinds of session (evening / weekend / workday, :class:`~gisplanner.store.model.SessionKind`)
and is away on leave for some date ranges; a team goes out only when all its members can
(:func:`gisplanner.campaign.schedule.team_session_ids`). The roster import reads both from the
columns 可走访时段 / 请假日期; these functions change them one cadre at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from gisplanner.store.model import Area, Cadre, CadreLeave, normalize_kinds


class CadreError(ValueError):
    """Bad input for a cadre's availability; nothing was written."""


def find_cadre(s, ref: str | int) -> Cadre:
    """A cadre by id or by its roster number (编号)."""
    text = str(ref).strip()
    c = s.get(Cadre, int(text)) if text.isdigit() else None
    if c is None:
        c = s.scalar(select(Cadre).where(Cadre.ext_id == text))
    if c is None:
        raise CadreError(f"找不到干部 {text}（编号或 id）")
    return c


def parse_leave(text: str) -> tuple[dt.date, dt.date]:
    """'2026-12-10:2026-12-15' (or one date) -> an inclusive range."""
    parts = [p.strip() for p in str(text).split(":")]
    if not 1 <= len(parts) <= 2:
        raise CadreError(f"请假日期 {text!r} 应为 YYYY-MM-DD:YYYY-MM-DD")
    try:
        a = dt.date.fromisoformat(parts[0])
        b = dt.date.fromisoformat(parts[-1])
    except ValueError as e:
        raise CadreError(f"请假日期 {text!r} 应为 YYYY-MM-DD:YYYY-MM-DD") from e
    if b < a:
        raise CadreError(f"请假日期 {text!r}：结束 {b} 早于开始 {a}")
    return a, b


def set_availability(
    s,
    cadre_id: int,
    kinds: Iterable[str] | str | None = None,
    leaves: Iterable[tuple[dt.date, dt.date]] | None = None,
    home_area_id: int | None | bool = False,
) -> Cadre:
    """Set a cadre's session kinds and (when given) replace the cadre's leave ranges."""
    c = s.get(Cadre, cadre_id)
    if c is None:
        raise CadreError(f"找不到干部 {cadre_id}")
    if kinds is not None:
        try:
            value = normalize_kinds(kinds)
        except ValueError as e:
            raise CadreError(str(e)) from e
        if not value:
            raise CadreError("可走访时段不能为空（evening、weekend、workday 至少一种）")
        c.avail_kinds = value
    if leaves is not None:
        ranges = sorted(set(leaves))
        for a, b in ranges:
            if b < a:
                raise CadreError(f"请假日期 {a}:{b}：结束早于开始")
        c.leaves = [CadreLeave(start_date=a, end_date=b) for a, b in ranges]
        flag_modified(c, "avail_kinds")  # new leave is a new version of the cadre (optimistic locking)
    if home_area_id is not False:
        if home_area_id is not None and s.get(Area, home_area_id) is None:
            raise CadreError(f"找不到区划 {home_area_id}")
        c.home_area_id = home_area_id
    s.flush()
    return c


def cadre_dict(c: Cadre, area_names: dict[int, str] | None = None) -> dict:
    names = area_names or {}
    return {
        "id": c.id,
        "ext_id": c.ext_id,
        "name": c.name,
        "gender": c.gender,
        "birth_year": c.birth_year,
        "is_local": bool(c.is_local),
        "unit": c.unit.name if c.unit else None,
        "active": bool(c.active),
        "kinds": list(c.kinds),
        "leave": [[lv.start_date.isoformat(), lv.end_date.isoformat()] for lv in c.leaves],
        "home_area_id": c.home_area_id,
        "home_area": names.get(c.home_area_id) if c.home_area_id else None,
        "area_id": c.area_id,
    }


def list_cadres(s, area_id: int | None = None) -> list[dict]:
    """The roster (optionally of one town) with availability, in id order."""
    q = select(Cadre).order_by(Cadre.id)
    if area_id is not None:
        q = q.where(Cadre.area_id == area_id)
    names = dict(s.execute(select(Area.id, Area.name)).all())
    return [cadre_dict(c, names) for c in s.scalars(q)]
