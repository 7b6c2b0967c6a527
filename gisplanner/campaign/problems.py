"""The problem workflow (问题诉求办理): hand-down and delegation, deadlines, status, audit, 督办.

- Handling (分级负责、分类处理): the village or town itself (本级办理), handed down to a grassroots
  unit (交办, a village or town unit) or delegated to a district or city department (委托办理).
- Deadline (限时解决) from the category: immediate / 3 / 7 / 15 working days, configurable in the
  database (:class:`DeadlineRules`), weekends and listed holidays skipped.
- Status: open → assigned → in progress → resolved | explained | rectification, with a few
  shortcuts (solved or explained on the spot, reopening after an unsatisfied call-back).
  Anything else is refused with a Chinese message saying what is allowed instead.
- Every change appends exactly one :class:`~gisplanner.store.model.ProblemEvent` in the same
  transaction (the event log is append-only; the database refuses UPDATE/DELETE on it).
- Overdue list (督办) and escalation one level up: village → town → district → city.
- Optimistic locking: a save over someone else's newer change raises :class:`ProblemConflict`
  that names the other change; nothing is written.

All functions work inside the caller's unit of work (``with store.session() as s``). Times are
local wall-clock like visit times and sessions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from gisplanner.campaign.cncalendar import HolidayCalendar
from gisplanner.campaign.workdays import WorkCalendar
from gisplanner.store.model import (
    AREA_LEVEL_ZH,
    CLOSED_STATUSES,
    HANDLING_ZH,
    PROBLEM_CATEGORIES,
    PROBLEM_STATUS_ZH,
    Problem,
    ProblemEvent,
    Setting,
    Target,
    Unit,
)
from gisplanner.store.vocab import ProblemStatus

LEVELS = ("village", "town", "district", "city")  # 四级联动, bottom to top
SATISFACTION_ZH = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}
ACTION_ZH = {
    "create": "登记",
    "assign": "交办/委托",
    "status": "状态变更",
    "escalate": "督办升级",
    "reply": "答复群众",
    "callback": "电话回访",
}

# status -> statuses it may move to by change_status (hand_down covers -> assigned)
_S = ProblemStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    _S.OPEN: (_S.IN_PROGRESS, _S.RESOLVED, _S.EXPLAINED),
    _S.ASSIGNED: (_S.IN_PROGRESS, _S.OPEN),
    _S.IN_PROGRESS: (_S.RESOLVED, _S.EXPLAINED, _S.RECTIFICATION),
    _S.RESOLVED: (_S.IN_PROGRESS,),
    _S.EXPLAINED: (_S.IN_PROGRESS,),
    _S.RECTIFICATION: (_S.IN_PROGRESS, _S.RESOLVED),
}
# why a tempting but illegal move is refused (shown to the user)
_WHY = {
    (_S.OPEN, _S.RECTIFICATION): "纳入集中整治前需先受理办理（改为「办理中」）",
    (_S.ASSIGNED, _S.RESOLVED): "已交办的问题需先由承办单位签收办理（改为「办理中」）",
    (_S.ASSIGNED, _S.EXPLAINED): "已交办的问题需先由承办单位签收办理（改为「办理中」）",
    (_S.ASSIGNED, _S.RECTIFICATION): "已交办的问题需先由承办单位签收办理（改为「办理中」）",
    (_S.RESOLVED, _S.ASSIGNED): "已办结的问题要重新办理，请先改为「办理中」",
    (_S.EXPLAINED, _S.ASSIGNED): "已办结的问题要重新办理，请先改为「办理中」",
}

SETTING_KEY = "problems.deadline_rules"
DEFAULT_DAYS = {
    "public_safety": 0,  # 即时: immediate
    "poverty_disability": 3,
    "elderly_care": 3,
    "health": 3,
    "transport": 15,
    "housing": 15,
}


class ProblemError(ValueError):
    """A refused problem operation, explained in Chinese."""


class ProblemConflict(ProblemError):
    """Someone else changed the problem since it was read (optimistic locking)."""

    stale = True  # gisplanner.access.concurrency.save_action turns it into a full ConflictError


# -- deadlines ----------------------------------------------------------------------------------
@dataclass
class DeadlineRules:
    """Working days allowed per category (0 = immediate, 即时响应); the rest get `default_days`."""

    days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DAYS))
    default_days: int = 7
    escalation_days: int = 3  # new time limit after 督办升级
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    def days_for(self, category: str) -> int:
        return self.days.get(category, self.default_days)

    def deadline(self, category: str, raised: dt.date) -> dt.date:
        return self.calendar.add(raised, self.days_for(category))

    def label(self, category: str) -> str:
        n = self.days_for(category)
        return "即时办理" if n == 0 else f"{n}个工作日"

    @classmethod
    def load(cls, s: Session) -> DeadlineRules:
        raw = s.get(Setting, SETTING_KEY)
        if raw is None:
            return cls(calendar=WorkCalendar.of(overrides=HolidayCalendar.load(s).overrides))
        d = json.loads(raw.value)
        return cls(
            days={k: int(v) for k, v in d.get("days", {}).items()},
            default_days=int(d.get("default_days", 7)),
            escalation_days=int(d.get("escalation_days", 3)),
            calendar=WorkCalendar.of(
                (dt.date.fromisoformat(x) for x in d.get("holidays", [])),
                (dt.date.fromisoformat(x) for x in d.get("extra_workdays", [])),
                overrides=HolidayCalendar.load(s).overrides,
            ),
        )

    def save(self, s: Session) -> None:
        for cat, n in self.days.items():
            if cat not in PROBLEM_CATEGORIES:
                raise ProblemError(f"未知的问题类别：{cat}")
            if n < 0:
                raise ProblemError(f"{PROBLEM_CATEGORIES[cat]}的办理时限不能为负数")
        value = json.dumps(
            {
                "days": self.days,
                "default_days": self.default_days,
                "escalation_days": self.escalation_days,
                "holidays": sorted(d.isoformat() for d in self.calendar.holidays),
                "extra_workdays": sorted(d.isoformat() for d in self.calendar.extra_workdays),
            },
            ensure_ascii=False,
        )
        row = s.get(Setting, SETTING_KEY)
        if row is None:
            s.add(Setting(key=SETTING_KEY, value=value))
        else:
            row.value = value


# -- helpers ------------------------------------------------------------------------------------
def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now().replace(microsecond=0)


def _zh(status: str | None) -> str:
    return PROBLEM_STATUS_ZH.get(status or "", status or "")


def _event(s: Session, p: Problem, actor: str, action: str, frm, to, note, at: dt.datetime) -> ProblemEvent:
    if not actor or not actor.strip():
        raise ProblemError("请填写操作人")
    ev = ProblemEvent(
        problem_id=p.id, at=at, actor=actor.strip(), action=action, from_status=frm, to_status=to, note=note
    )
    s.add(ev)
    s.info.setdefault("user", actor.strip())  # who saved the row (unless signed in as someone)
    if action != "create":  # the row is written (and its version bumped) even if no value changed,
        flag_modified(p, "status")  # so every event is one version and a stale screen is always caught
    return ev


def _load(s: Session, problem_id: int, expected_version: int | None) -> Problem:
    p = s.get(Problem, problem_id)
    if p is None:
        raise ProblemError(f"找不到问题 #{problem_id}")
    if expected_version is not None and p.version != expected_version:
        raise ProblemConflict(_conflict_message(s, p))
    return p


def _conflict_message(s: Session, p: Problem) -> str:
    last = s.scalar(
        select(ProblemEvent).where(ProblemEvent.problem_id == p.id).order_by(ProblemEvent.id.desc()).limit(1)
    )
    other = ""
    if last is not None:
        what = ACTION_ZH.get(last.action, last.action)
        if last.from_status != last.to_status and last.to_status:
            what += f"（{_zh(last.from_status)} → {_zh(last.to_status)}）"
        other = f"：{last.actor} 于 {last.at:%m-%d %H:%M} {what}"
    return f"问题 #{p.id} 已被他人修改{other}。您的修改未保存，请刷新后重试。"


def _flush(s: Session, p: Problem) -> None:
    """Write now so a stale version is caught here, turned into a clear message."""
    pid = p.id
    try:
        s.flush()
    except StaleDataError as e:
        s.rollback()
        fresh = s.get(Problem, pid)
        msg = _conflict_message(s, fresh) if fresh else f"问题 #{pid} 已被他人删除。"
        raise ProblemConflict(msg) from e


def _check_unit(s: Session, handling: str, unit_id: int | None) -> Unit | None:
    if handling not in HANDLING_ZH:
        raise ProblemError(f"未知的办理方式：{handling}（可选：{'、'.join(HANDLING_ZH.values())}）")
    if unit_id is None:
        if handling == "assign":
            raise ProblemError("交办必须指定承办的基层单位（村/社区或镇/街道）")
        if handling == "delegate":
            raise ProblemError("委托办理必须指定区级或市级部门")
        return None
    unit = s.get(Unit, unit_id)
    if unit is None:
        raise ProblemError(f"找不到单位 #{unit_id}")
    if handling == "assign" and unit.level not in ("village", "town"):
        raise ProblemError(
            f"「{unit.name}」是{AREA_LEVEL_ZH.get(unit.level, unit.level)}级部门，应选择委托办理而不是交办"
        )
    if handling == "delegate" and unit.level not in ("district", "city"):
        raise ProblemError(f"「{unit.name}」是基层单位，应选择交办而不是委托办理")
    return unit


# -- operations ---------------------------------------------------------------------------------
def create_problem(
    s: Session,
    *,
    target_id: int,
    category: str,
    description: str,
    actor: str,
    level: str = "village",
    visit_id: int | None = None,
    round_id: int | None = None,
    rules: DeadlineRules | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """Register a problem (status open, handled by `level` itself until handed down)."""
    if category not in PROBLEM_CATEGORIES:
        raise ProblemError(f"未知的问题类别：{category}（可选：{'、'.join(PROBLEM_CATEGORIES.values())}）")
    if not description or not description.strip():
        raise ProblemError("问题描述不能为空")
    if level not in LEVELS:
        raise ProblemError(f"未知的层级：{level}")
    if s.get(Target, target_id) is None:
        raise ProblemError(f"找不到走访对象 #{target_id}")
    at = _now(now)
    rules = rules or DeadlineRules.load(s)
    p = Problem(
        target_id=target_id, visit_id=visit_id, round_id=round_id, category=category,
        description=description.strip(), handling="self", level=level, status=_S.OPEN,
        deadline=rules.deadline(category, at.date()), created_at=at,
    )  # fmt: skip
    s.add(p)
    s.flush()
    _event(s, p, actor, "create", None, _S.OPEN, p.description, at)
    s.flush()
    return p


def hand_down(
    s: Session,
    problem_id: int,
    *,
    handling: str,
    unit_id: int,
    actor: str,
    note: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """交办 to a village/town unit or 委托 to a district/city department: status → assigned."""
    p = _load(s, problem_id, expected_version)
    if handling == "self":
        raise ProblemError("本级办理无需交办，请直接改为「办理中」")
    unit = _check_unit(s, handling, unit_id)
    if p.status not in (_S.OPEN, _S.ASSIGNED):
        raise ProblemError(f"问题 #{p.id} 当前为「{_zh(p.status)}」，只有待处理或已交办的问题可以交办/委托")
    frm = p.status
    p.handling, p.unit_id, p.level, p.status = handling, unit.id, unit.level, _S.ASSIGNED
    text = f"{HANDLING_ZH[handling]}给 {unit.name}" + (f"：{note}" if note else "")
    _event(s, p, actor, "assign", frm, _S.ASSIGNED, text, _now(now))
    _flush(s, p)
    return p


def allowed_next(status: str) -> list[str]:
    """Statuses `change_status` accepts from `status` (hand-down is a separate operation)."""
    return [x.value for x in TRANSITIONS.get(status, ())]


def change_status(
    s: Session,
    problem_id: int,
    to: str,
    *,
    actor: str,
    note: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """Move a problem along the workflow; illegal moves raise :class:`ProblemError`."""
    p = _load(s, problem_id, expected_version)
    if to not in PROBLEM_STATUS_ZH:
        raise ProblemError(f"未知的状态：{to}")
    frm = p.status
    if to == _S.ASSIGNED:
        raise ProblemError("交办/委托请使用「交办」操作并选择承办单位")
    if to not in TRANSITIONS.get(frm, ()):
        nxt = "、".join(f"「{_zh(x)}」" for x in allowed_next(frm)) or "无"
        why = _WHY.get((frm, to))
        msg = f"问题 #{p.id} 不能从「{_zh(frm)}」改为「{_zh(to)}」"
        msg += f"：{why}" if why else "。"
        raise ProblemError(f"{msg}（当前可改为：{nxt}）")
    at = _now(now)
    p.status = to
    if to in CLOSED_STATUSES and frm not in CLOSED_STATUSES:
        p.closed_at = at
        p.solved_on_spot = frm == _S.OPEN and to == _S.RESOLVED
    elif to not in CLOSED_STATUSES and frm in CLOSED_STATUSES:  # reopened: a new answer is owed
        p.closed_at = p.callback_at = p.satisfaction = None
    _event(s, p, actor, "status", frm, to, note, at)
    _flush(s, p)
    return p


def record_reply(
    s: Session,
    problem_id: int,
    reply: str,
    *,
    actor: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """The answer given to the household (答复群众)."""
    if not reply or not reply.strip():
        raise ProblemError("答复内容不能为空")
    p = _load(s, problem_id, expected_version)
    p.reply = reply.strip()
    _event(s, p, actor, "reply", p.status, p.status, p.reply, _now(now))
    _flush(s, p)
    return p


def record_callback(
    s: Session,
    problem_id: int,
    satisfaction: str,
    *,
    actor: str,
    note: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """The satisfaction call-back (电话回访) after a problem is closed."""
    if satisfaction not in SATISFACTION_ZH:
        raise ProblemError(f"满意度只能是：{'、'.join(SATISFACTION_ZH.values())}")
    p = _load(s, problem_id, expected_version)
    if p.status not in CLOSED_STATUSES:
        raise ProblemError(f"问题 #{p.id} 尚未办结（「{_zh(p.status)}」），办结后才能电话回访")
    at = _now(now)
    p.callback_at, p.satisfaction = at, satisfaction
    text = f"电话回访：{SATISFACTION_ZH[satisfaction]}" + (f"；{note}" if note else "")
    _event(s, p, actor, "callback", p.status, p.status, text, at)
    _flush(s, p)
    return p


def escalate(
    s: Session,
    problem_id: int,
    *,
    actor: str,
    unit_id: int | None = None,
    note: str | None = None,
    today: dt.date | None = None,
    rules: DeadlineRules | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """督办升级: hand the problem one level up with a new time limit; counted and evented."""
    p = _load(s, problem_id, expected_version)
    if p.status in CLOSED_STATUSES:
        raise ProblemError(f"问题 #{p.id} 已办结（「{_zh(p.status)}」），无需督办升级")
    i = LEVELS.index(p.level) if p.level in LEVELS else 0
    if i == len(LEVELS) - 1:
        raise ProblemError(f"问题 #{p.id} 已由市级办理，无法再向上升级")
    new_level = LEVELS[i + 1]
    handling = "delegate" if new_level in ("district", "city") else "assign"
    unit = None
    if unit_id is not None:
        unit = _check_unit(s, handling, unit_id)
        if unit.level != new_level:
            raise ProblemError(
                f"升级到{AREA_LEVEL_ZH[new_level]}级，但「{unit.name}」不是{AREA_LEVEL_ZH[new_level]}级单位"
            )
    at = _now(now)
    rules = rules or DeadlineRules.load(s)
    old_level = p.level
    p.level, p.handling, p.unit_id = new_level, handling, unit.id if unit else None
    p.deadline = rules.calendar.add(today or at.date(), rules.escalation_days)
    p.escalations = (p.escalations or 0) + 1
    text = (
        f"督办升级：{AREA_LEVEL_ZH.get(old_level, old_level)} → {AREA_LEVEL_ZH[new_level]}"
        + (f"（{unit.name}）" if unit else "")
        + f"，新期限 {p.deadline:%Y-%m-%d}"
        + (f"；{note}" if note else "")
    )
    _event(s, p, actor, "escalate", p.status, p.status, text, at)
    _flush(s, p)
    return p


# -- lists ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverdueProblem:
    id: int
    target_id: int
    target_name: str
    area_id: int
    category: str
    level: str
    unit: str | None
    status: str
    deadline: dt.date
    days_overdue: int  # working days past the deadline
    escalations: int
    version: int


def overdue(
    s: Session,
    today: dt.date | None = None,
    *,
    area_ids: Iterable[int] | None = None,
    rules: DeadlineRules | None = None,
) -> list[OverdueProblem]:
    """督办清单: problems not closed whose deadline has passed, most overdue first."""
    today = today or dt.date.today()
    rules = rules or DeadlineRules.load(s)
    q = (
        select(Problem, Target.name, Target.area_id, Unit.name)
        .join(Target, Target.id == Problem.target_id)
        .outerjoin(Unit, Unit.id == Problem.unit_id)
        .where(Problem.status.not_in(CLOSED_STATUSES), Problem.deadline < today)
    )
    if area_ids is not None:
        q = q.where(Target.area_id.in_(list(area_ids)))
    out = [
        OverdueProblem(
            id=p.id,
            target_id=p.target_id,
            target_name=tname,
            area_id=aid,
            category=p.category,
            level=p.level,
            unit=uname,
            status=p.status,
            deadline=p.deadline,
            days_overdue=max(1, rules.calendar.between(p.deadline, today)),
            escalations=p.escalations or 0,
            version=p.version,
        )  # fmt: skip
        for p, tname, aid, uname in s.execute(q).all()
    ]
    out.sort(key=lambda o: (o.deadline, o.id))
    return out


@dataclass
class EscalationRun:
    escalated: list[tuple[int, str, str]] = field(default_factory=list)  # (id, from level, to level)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (id, why)


def escalate_overdue(
    s: Session,
    *,
    actor: str,
    today: dt.date | None = None,
    area_ids: Iterable[int] | None = None,
    rules: DeadlineRules | None = None,
) -> EscalationRun:
    """Escalate every overdue problem one level (those already at city level are listed as skipped)."""
    today = today or dt.date.today()
    rules = rules or DeadlineRules.load(s)
    run = EscalationRun()
    for o in overdue(s, today, area_ids=area_ids, rules=rules):
        if o.level == "city":
            run.skipped.append((o.id, "已由市级办理，需市活动办直接督办"))
            continue
        p = escalate(s, o.id, actor=actor, today=today, rules=rules, note=f"超期{o.days_overdue}个工作日")
        run.escalated.append((o.id, o.level, p.level))
    return run


def history(s: Session, problem_id: int) -> list[ProblemEvent]:
    return list(
        s.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == problem_id).order_by(ProblemEvent.id))
    )


def problems_frame(
    store, *, area_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> pd.DataFrame:
    """Problems for tables and the map: one row each with its target's point, area and unit."""
    today = today or dt.date.today()
    scope = getattr(store, "bound_scope", None)
    if scope is not None:  # the signed-in user's villages, in SQL (indexes, not a city-wide scan)
        allowed = scope.village_ids
        area_ids = sorted(allowed if area_ids is None else [a for a in area_ids if a in allowed])
    where = ""
    if area_ids is not None:
        area_ids = [int(a) for a in area_ids]
        where = f"WHERE t.area_id IN ({','.join(map(str, area_ids)) or '-1'}) "
    df = store.read_frame(
        "SELECT p.id, p.target_id, t.name AS target_name, t.address, t.lon, t.lat, t.area_id, "
        "a.code AS area_code, a.name AS area_name, p.category, p.description, p.handling, p.level, "
        "p.unit_id, u.name AS unit_name, p.status, p.deadline, p.reply, p.callback_at, p.satisfaction, "
        "p.escalations, p.created_at, p.closed_at, p.version "
        "FROM problem p JOIN target t ON t.id = p.target_id JOIN area a ON a.id = t.area_id "
        "LEFT JOIN unit u ON u.id = p.unit_id " + where + "ORDER BY p.id"
    )
    if area_ids is not None:
        df = df[df["area_id"].isin(list(area_ids))].reset_index(drop=True)
    due = pd.to_datetime(df["deadline"])
    closed = df["status"].isin(CLOSED_STATUSES)
    df["overdue"] = (~closed & due.notna() & (due < pd.Timestamp(today))).astype(bool)
    df["deadline"] = due.dt.date.where(due.notna(), None)
    df["category_zh"] = df["category"].map(PROBLEM_CATEGORIES).fillna(df["category"])
    df["status_zh"] = df["status"].map(PROBLEM_STATUS_ZH).fillna(df["status"])
    df["handling_zh"] = df["handling"].map(HANDLING_ZH).fillna(df["handling"])
    df["level_zh"] = df["level"].map(AREA_LEVEL_ZH).fillna(df["level"])
    return df
