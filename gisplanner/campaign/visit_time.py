"""Dates and times as people write them on a returned sheet: "12-05", "12月5日", "2026/12/05",
"19:30", "19点半", "晚上", or a whole "2026-12-12 19:30" (also Excel's own date cells, which
arrive as ISO text). Used for the visit time and the 约定回访时间 (appointment)."""

from __future__ import annotations

import datetime as dt
import re

PART_OF_DAY = {"上午": dt.time(9, 0), "早上": dt.time(8, 30), "中午": dt.time(12, 0),
               "下午": dt.time(14, 30), "傍晚": dt.time(18, 0), "晚上": dt.time(19, 0)}  # fmt: skip

_DATE = re.compile(
    r"^\s*(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?\s*(?:周.|星期.)?"
)
_TIME = re.compile(
    r"^\s*(?P<h>\d{1,2})\s*(?:[:：]\s*(?P<mi>\d{1,2})(?::\d{1,2})?|[点时]\s*(?P<mi2>半|\d{1,2})?分?)\s*$"
)


class WhenError(ValueError):
    """Text that is not a date or time; the message says what was expected."""


def parse_time(text: str) -> dt.time:
    t = text.strip()
    for word, at in PART_OF_DAY.items():
        if t == word:
            return at
    m = _TIME.match(t)
    if not m:
        raise WhenError(f"无法识别“{text}”（如 19:30、19点半、晚上）")
    h = int(m.group("h"))
    mi = m.group("mi") or m.group("mi2") or "0"
    mi = 30 if mi == "半" else int(mi)
    if h > 23 or mi > 59:
        raise WhenError(f"“{text}”不是有效的时刻")
    return dt.time(h, mi)


def parse_date(text: str, ref: dt.date) -> tuple[dt.date, str]:
    """(date, the rest of the text); a date without a year takes the year that puts it nearest `ref`."""
    m = _DATE.match(text)
    if not m:
        raise WhenError(f"无法识别“{text}”（如 2026-12-05、12-05、12月5日）")
    y = int(m.group("y")) if m.group("y") else None
    mo, d = int(m.group("m")), int(m.group("d"))
    try:
        if y is not None:
            day = dt.date(y, mo, d)
        else:
            day = min((dt.date(ref.year + k, mo, d) for k in (-1, 0, 1)), key=lambda c: abs((c - ref).days))
    except ValueError:
        raise WhenError(f"“{text}”不是有效的日期") from None
    rest = text[m.end() :].strip().lstrip("T").strip()
    return day, rest


def parse_when(
    date_text: str, time_text: str, *, default_day: dt.date, default_time: dt.time | None
) -> dt.datetime | None:
    """A date cell and a time cell (either may hold both, either may be empty) -> datetime.

    Missing parts take the defaults; with no default time and no time written, None."""
    date_text, time_text = (date_text or "").strip(), (time_text or "").strip()
    day, at = default_day, None
    if date_text:
        day, rest = parse_date(date_text, default_day)
        if rest:
            at = parse_time(rest)
    if time_text:
        if _DATE.match(time_text) and not _TIME.match(time_text):
            day, rest = parse_date(time_text, default_day)
            if rest:
                at = parse_time(rest)
        else:
            at = parse_time(time_text)
    at = at or default_time
    if at is None:
        return None
    return dt.datetime.combine(day, at)
