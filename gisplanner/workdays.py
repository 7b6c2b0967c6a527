"""Working-day arithmetic (工作日) for problem deadlines: weekends and listed holidays skipped.

Extra working days on a weekend (调休上班) can be listed too, so the Chinese holiday calendar
of a year can be expressed as two date sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Mon–Fri, minus `holidays`, plus `extra_workdays`."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, holidays: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(extra_workdays))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

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
