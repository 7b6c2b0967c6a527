"""The domain's closed vocabularies, in one place: visit outcomes, problem statuses, round kinds
and statuses, target kinds, session kinds, area levels.

Each is a :class:`enum.StrEnum` whose values are the strings stored in the database (so a member
compares equal to the stored text and the data does not change), with its Chinese label
(``Outcome.MET.zh == "见面"``). The database guards the same values with CHECK constraints
(:func:`check_in`, migration ``0008_checks``); the ORM refuses an unknown value when it is set
(:func:`checked`). Nothing here imports the ORM: every module may use it.
"""

from __future__ import annotations

import enum


class _Labelled(enum.StrEnum):
    """A stored string with its Chinese label (``.zh``)."""

    zh: str

    def __new__(cls, value: str, zh: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.zh = zh
        return obj

    @classmethod
    def labels(cls) -> dict[str, str]:
        """value -> Chinese label, in declaration order."""
        return {m.value: m.zh for m in cls}

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


class AreaLevel(_Labelled):
    """四级: 市 city, 辖市/区 district, 镇/街道 town, 村/社区 village."""

    CITY = "city", "市"
    DISTRICT = "district", "区"
    TOWN = "town", "镇/街道"
    VILLAGE = "village", "村/社区"


class TargetKind(_Labelled):
    HOUSEHOLD = "household", "群众家庭"
    ENTERPRISE = "enterprise", "企业"
    NOTABLE = "notable", "名士"


class SessionKind(_Labelled):
    """Kinds of visiting session (错时走访): who can go out then, which targets are home."""

    EVENING = "evening", "工作日晚上"
    WEEKEND = "weekend", "周末/节假日"  # any day off, statutory holidays included
    WORKDAY = "workday", "工作日白天"  # 工作日工作时间 (enterprises, 名士, offices)


class RoundKind(_Labelled):
    REGULAR = "regular", "常规走访"
    MAKEUP = "makeup", "补课访"
    PRIORITY = "priority", "重点访"
    RETURN = "return", "回头访"


class RoundStatus(_Labelled):
    PLANNING = "planning", "筹备中"
    RUNNING = "running", "进行中"
    CLOSED = "closed", "已结束"


class Outcome(_Labelled):
    """The result of a visit. The order is the code order of coverage's and stats' arrays
    (:func:`outcome_code`); never reorder, append."""

    MET = "met", "见面"
    NOT_HOME = "not_home", "不在家"
    REFUSED = "refused", "拒访"
    MOVED = "moved", "已搬离"
    PHONE = "phone", "电话走访"


# a household counts as visited (走访) when met in person or by phone; a problem can only be
# raised by someone reached the same way
VISITED_OUTCOMES: tuple[Outcome, ...] = (Outcome.MET, Outcome.PHONE)
OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)


class ProblemStatus(_Labelled):
    OPEN = "open", "待处理"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    RESOLVED = "resolved", "已解决"
    EXPLAINED = "explained", "已解释说明"  # cannot be solved now, explained to the household
    RECTIFICATION = "rectification", "纳入集中整治"  # 集中整治


CLOSED_STATUSES: tuple[ProblemStatus, ...] = (
    ProblemStatus.RESOLVED,
    ProblemStatus.EXPLAINED,
    ProblemStatus.RECTIFICATION,
)


class UnknownValueError(ValueError):
    """A value outside a vocabulary (e.g. an outcome no one knows), refused, never counted."""


def outcome_code(value: object) -> int:
    """The small integer code of an outcome (its index in :data:`OUTCOMES`); unknown: refused."""
    try:
        return OUTCOMES.index(Outcome(value))
    except ValueError:
        raise UnknownValueError(unknown_message(Outcome, value, "visit.outcome")) from None


def unknown_message(enum_cls: type[_Labelled], value: object, where: str) -> str:
    allowed = "、".join(f"{m.value}（{m.zh}）" for m in enum_cls)
    return f"{where} 的值 {value!r} 不认识（可用：{allowed}）"


def checked(enum_cls: type[_Labelled], value: object, where: str, *, nullable: bool = False):
    """``value`` as a member of ``enum_cls``; an unknown value raises :class:`UnknownValueError`."""
    if value is None and nullable:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        raise UnknownValueError(unknown_message(enum_cls, value, where)) from None


def check_in(column: str, enum_cls: type[_Labelled]) -> str:
    """The SQL of a CHECK constraint: ``column IN ('a', 'b', …)`` (the same text on both backends)."""
    return f"{column} IN ({', '.join(repr(v) for v in enum_cls.values())})"


def sql_code_case(column: str, enum_cls: type[_Labelled], unknown: int) -> str:
    """``CASE column WHEN 'a' THEN 0 … ELSE unknown END``: members as their index, the rest as
    ``unknown`` (the caller refuses that code, it never counts as a member)."""
    whens = " ".join(f"WHEN '{m.value}' THEN {i}" for i, m in enumerate(enum_cls))
    return f"CASE {column} {whens} ELSE {unknown} END"


# The printouts by CLI name, with the Chinese title each is listed and logged under (print_log.what
# starts with it): gisplanner.reporting.printouts.catalog builds them, the planner reads route-sheet
# prints back from the log by their title (gisplanner.planning.plan.printed_route_ids).
PRINTOUT_TITLES = {
    "route-sheets": "走访路线单",
    "survey-forms": "入户调查表与村（社区）调查表",
    "contact-cards": "走访联系卡",
    "problem-lists": "问题清单",
    "problem-forms": "交办单与委托办理单",
}
