"""The Chinese working-day calendar (法定节假日 and 调休): which dates are working days.

The official holidays and the weekend days that become working days (调休上班) come from the
``chinese-calendar`` package, which knows the years the State Council has published (it is
updated each winter). Manual overrides kept in the database (:class:`~gisplanner.store.model.CalendarDay`)
win over it, for a local holiday or a year the package does not know yet. A date outside the
package's years falls back to weekends only (Saturday and Sunday off, every weekday a working
day); :meth:`HolidayCalendar.uncovered_years` names those years so callers can say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@lru_cache(maxsize=1)
def official_years() -> tuple[int, int]:
    """First and last year the installed ``chinese-calendar`` has official data for."""
    import chinese_calendar as cc

    years = {d.year for d in cc.holidays} | {d.year for d in cc.workdays}
    return min(years), max(years)


def official_covers(day: dt.date) -> bool:
    first, last = official_years()
    return first <= day.year <= last


def official_is_workday(day: dt.date) -> bool:
    """Official working day (调休 included); weekends-only outside the known years."""
    if not official_covers(day):
        return day.weekday() < 5
    import chinese_calendar as cc

    return bool(cc.is_workday(day))


def official_holiday_name(day: dt.date) -> str | None:
    """'国庆节' for a statutory day off (the holiday itself or a day added to it); else None."""
    if not official_covers(day):
        return None
    import chinese_calendar as cc

    on_holiday, name = cc.get_holiday_detail(day)
    if not on_holiday or name is None:
        return None
    return HOLIDAY_ZH.get(str(name), str(name))


def official_makeup_name(day: dt.date) -> str | None:
    """'国庆节调休上班' for a weekend day that is a working day; else None."""
    if not official_covers(day) or day.weekday() < 5:
        return None
    import chinese_calendar as cc

    on_holiday, name = cc.get_holiday_detail(day)
    if on_holiday or name is None:
        return None
    return f"{HOLIDAY_ZH.get(str(name), str(name))}调休上班"


@dataclass(frozen=True)
class HolidayCalendar:
    """Working days: the official calendar with manual overrides (date -> working day or not)."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict, hash=False, compare=False)
    notes: Mapping[dt.date, str] = field(default_factory=dict, hash=False, compare=False)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return official_is_workday(day)

    def is_holiday(self, day: dt.date) -> bool:
        """A statutory or manually set day off that is not an ordinary weekend (节假日)."""
        if self.is_workday(day):
            return False
        if day in self.overrides:
            return day.weekday() < 5 or official_holiday_name(day) is not None
        return official_holiday_name(day) is not None

    def describe(self, day: dt.date) -> str:
        """What the day is, in Chinese: 国庆节 / 国庆节调休上班 / 周末 / 工作日 / 手动设置的…"""
        if day in self.overrides:
            what = "工作日" if self.overrides[day] else "休息日"
            note = self.notes.get(day)
            return f"手动设置为{what}" + (f"（{note}）" if note else "")
        name = official_holiday_name(day)
        if name:
            return name
        makeup = official_makeup_name(day)
        if makeup:
            return makeup
        return "周末" if day.weekday() >= 5 else "工作日"

    def uncovered_years(self, first: dt.date, last: dt.date) -> list[int]:
        """Years in first..last the official data does not know (weekends-only fallback)."""
        lo, hi = official_years()
        return [y for y in range(first.year, last.year + 1) if not lo <= y <= hi]

    def fallback_note(self, first: dt.date, last: dt.date) -> str | None:
        years = self.uncovered_years(first, last)
        if not years:
            return None
        lo, hi = official_years()
        ys = "、".join(str(y) for y in years)
        return (
            f"节假日日历（chinese-calendar，收录 {lo}–{hi} 年）不含 {ys} 年：这些年份只按周六、周日休息处理，"
            "法定节假日与调休请手动设置（calendar_day），或升级 chinese-calendar"
        )

    @classmethod
    def of(cls, overrides: Mapping[dt.date, bool] | Iterable[tuple[dt.date, bool]] = ()) -> HolidayCalendar:
        return cls(dict(overrides))

    @classmethod
    def load(cls, session) -> HolidayCalendar:
        """The official calendar with the overrides stored in the database."""
        from sqlalchemy import select

        from gisplanner.store.model import CalendarDay

        rows = session.execute(select(CalendarDay.day, CalendarDay.workday, CalendarDay.note)).all()
        return cls({r.day: bool(r.workday) for r in rows}, {r.day: r.note for r in rows if r.note})


def set_override(session, day: dt.date, workday: bool | None, note: str | None = None) -> None:
    """Store (or with ``workday=None`` remove) a manual override of one date."""
    from gisplanner.store.model import CalendarDay

    row = session.get(CalendarDay, day)
    if workday is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(CalendarDay(day=day, workday=bool(workday), note=note))
    else:
        row.workday, row.note = bool(workday), note
