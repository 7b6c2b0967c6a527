"""Working-day arithmetic (工作日) for problem deadlines.

The base is the same calendar the round's sessions are generated from
(:mod:`gisplanner.campaign.cncalendar`): the official statutory holidays and 调休 working days, with the
manual overrides stored in the database; outside the years the official data knows, weekends
only. Extra holidays and working days can still be listed per deadline rule set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gisplanner.campaign.cncalendar import official_is_workday


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: the official calendar (法定节假日, 调休) with the database's
    overrides (`overrides`), minus `holidays`, plus `extra_workdays`. With ``official=False``
    the base is plain Mon–Fri."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)
    official: bool = True
    overrides: Mapping[dt.date, bool] = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def of(
        cls,
        holidays: Iterable[dt.date] = (),
        extra_workdays: Iterable[dt.date] = (),
        overrides: Mapping[dt.date, bool] | None = None,
    ) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(extra_workdays), overrides=dict(overrides or {}))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        if day in self.overrides:
            return self.overrides[day]
        return official_is_workday(day) if self.official else day.weekday() < 5

    def add(self, start: dt.date, n: int) -> dt.date:
        """The date `n` working days after `start` (n = 0: `start` itself, or the next working day
        if `start` is not one — an "immediate" problem raised on Saturday is due on Monday)."""
        if n < 0:
            raise ValueError("工作日数不能为负")
        day = start
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        left = n
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        n, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                n += 1
        return n


DEFAULT_CALENDAR = WorkCalendar()


def add_working_days(start: dt.date, n: int, calendar: WorkCalendar = DEFAULT_CALENDAR) -> dt.date:
    return calendar.add(start, n)


def working_days_between(start: dt.date, end: dt.date, calendar: WorkCalendar = DEFAULT_CALENDAR) -> int:
    return calendar.between(start, end)
