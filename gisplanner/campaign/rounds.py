"""Rounds (走访轮次) and their sessions (走访时段) as the user shapes them.

A round has a name, a kind (常规走访 / 补课访 / 重点访 / 回头访), an area, dates and a status the user
sets (筹备中 planning → 进行中 running → 已结束 closed). Its sessions are generated from the
session templates (weekday evenings, weekend mornings / afternoons, weekday working hours; the
times are settings kept in the database) over the holiday calendar
(:mod:`gisplanner.campaign.cncalendar`), and added, moved, removed and marked for teams one by one.

Every change is checked before anything is written (:class:`RoundError`, a message in Chinese):
a session ending before it starts, running past midnight, outside the round's dates, or
overlapping another session of the same team; an unknown round or team; a round without
sessions where sessions are needed (the message says how to make them). The functions work
inside the caller's unit of work (``store.session()``): an error rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from gisplanner.campaign.cncalendar import HolidayCalendar
from gisplanner.campaign.schedule import (
    TEMPLATE_NAMES,
    TEMPLATES_KEY,
    SessionTemplate,
    session_kind,
    template_specs,
)
from gisplanner.campaign.targets import TargetsError, preview
from gisplanner.store.area_tree import AreaTree, area_and_below
from gisplanner.store.model import (
    ROUND_KIND_ZH,
    ROUND_STATUS_ZH,
    SESSION_KIND_ZH,
    SESSION_KINDS,
    Area,
    Assignment,
    Round,
    SessionTeam,
    Setting,
    Target,
    Team,
    VisitSession,
)
from gisplanner.store.vocab import RoundKind, RoundStatus

ROUND_STATUSES = tuple(ROUND_STATUS_ZH)
ROUND_KINDS = tuple(ROUND_KIND_ZH)


class RoundError(ValueError):
    """Bad input for a round or a session; nothing was written."""


def no_sessions_hint(round_id: int) -> str:
    return (
        f"用 `sessions generate --round {round_id} --template evenings,weekends,workdays` 按模板生成，"
        f"或 `sessions add --round {round_id} --date YYYY-MM-DD --start HH:MM --end HH:MM` 逐个添加，"
        "或在「轮次 → 走访时段日历」中添加"
    )


def get_round(s, round_id: int) -> Round:
    rnd = s.get(Round, round_id)
    if rnd is None:
        raise RoundError(f"找不到走访轮次 {round_id}（用 round list 查看已有轮次）")
    return rnd


def require_sessions(s, round_id: int) -> int:
    """The number of the round's sessions; RoundError saying how to make them when none."""
    rnd = get_round(s, round_id)
    n = s.scalar(select(func.count()).select_from(VisitSession).where(VisitSession.round_id == round_id))
    if not n:
        raise RoundError(f"轮次「{rnd.name}」还没有走访时段：{no_sessions_hint(round_id)}")
    return int(n)


# --------------------------------------------------------------------------- templates


def save_templates(s, templates: Sequence[SessionTemplate]) -> None:
    for t in templates:
        if t.kind not in SESSION_KINDS:
            raise RoundError(f"模板“{t.label}”的类型 {t.kind} 无效（可用：{'、'.join(SESSION_KINDS)}）")
        if t.end <= t.start:
            raise RoundError(f"模板“{t.label}”结束时间 {t.end:%H:%M} 不晚于开始时间 {t.start:%H:%M}")
    value = json.dumps([t.to_json() for t in templates], ensure_ascii=False)
    row = s.get(Setting, TEMPLATES_KEY)
    if row is None:
        s.add(Setting(key=TEMPLATES_KEY, value=value))
    else:
        row.value = value


def parse_template_names(text: str | None) -> list[str]:
    """'evenings,weekends,workdays' -> session kinds; RoundError on an unknown name."""
    if not text:
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in TEMPLATE_NAMES and n not in SESSION_KINDS]
    if bad:
        raise RoundError(f"未知的时段模板：{'、'.join(bad)}（可用：{','.join(TEMPLATE_NAMES)}）")
    return [TEMPLATE_NAMES.get(n, n) for n in names]


# --------------------------------------------------------------------------- rounds


def _area_by_code(s, code: str | None) -> Area | None:
    if not code:
        return None
    area = s.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise RoundError(f"找不到区划代码 {code}")
    return area


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise RoundError(f"结束日期 {end} 早于开始日期 {start}")


@dataclass
class NewRound:
    round_id: int
    sessions: int
    targets: int
    notes: list[str] = field(default_factory=list)


def create_round(
    store,
    name: str,
    kind: str,
    start: dt.date,
    end: dt.date,
    area_code: str | None = None,
    template_kinds: Iterable[str] = (),
    today: dt.date | None = None,
) -> NewRound:
    """Create a round (筹备中) with its targets and, when kinds are given, its template sessions.

    Targets: a regular round gets every target in its area; 补课访 / 重点访 / 回头访 get the
    targets the rules of :mod:`gisplanner.campaign.targets` select there. All in one transaction.
    """
    if kind not in ROUND_KINDS:
        raise RoundError(f"未知的轮次类型 {kind}（可用：{'、'.join(ROUND_KINDS)}）")
    if not name or not name.strip():
        raise RoundError("轮次名称不能为空")
    _check_dates(start, end)
    kinds = list(template_kinds)
    notes: list[str] = []
    pv = None
    if kind != RoundKind.REGULAR:
        try:
            pv = preview(store, kind, area_code=area_code, today=today)
        except TargetsError as e:
            raise RoundError(str(e)) from e
    with store.session() as s:
        area = _area_by_code(s, area_code)
        parent = s.scalar(
            select(Round.id).where(Round.status != RoundStatus.PLANNING).order_by(Round.id.desc()).limit(1)
        )
        rnd = Round(
            name=name.strip(), kind=kind, status=RoundStatus.PLANNING, scope_area_id=area.id if area else None,
            start_date=start, end_date=end, parent_round_id=parent if kind != RoundKind.REGULAR else None,
        )  # fmt: skip
        s.add(rnd)
        s.flush()
        if pv is not None:
            rows = [
                Assignment(round_id=rnd.id, target_id=int(t), priority=int(p), reason=str(r)[:100])
                for t, p, r in zip(
                    pv.targets["target_id"], pv.targets["priority"], pv.targets["reason"], strict=True
                )
            ]
        else:
            q = select(Target.id)
            if area is not None:
                q = q.where(Target.area_id.in_(area_and_below(s, area.id)))
            rows = [
                Assignment(round_id=rnd.id, target_id=t, reason="常规走访")
                for t in s.scalars(q.order_by(Target.id))
            ]
        s.add_all(rows)
        n = 0
        if kinds:
            added, _, gen_notes = generate_sessions(s, rnd.id, kinds)
            n, notes = added, gen_notes
        else:
            notes.append(f"本轮还没有走访时段：{no_sessions_hint(rnd.id)}")
        if not rows:
            notes.append("该区域没有符合条件的走访对象")
        return NewRound(rnd.id, n, len(rows), notes)


def list_rounds(s) -> list[dict]:
    """Every round as {id, name, kind, area, start, end, status, sessions, targets}."""
    nsess = dict(s.execute(select(VisitSession.round_id, func.count()).group_by(VisitSession.round_id)).all())
    ntarg = dict(s.execute(select(Assignment.round_id, func.count()).group_by(Assignment.round_id)).all())
    codes = dict(s.execute(select(Area.id, Area.code)).all())
    out = []
    for r in s.scalars(select(Round).order_by(Round.id)):
        out.append(
            {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "area": codes.get(r.scope_area_id) if r.scope_area_id else None,
                "start": r.start_date.isoformat() if r.start_date else None,
                "end": r.end_date.isoformat() if r.end_date else None,
                "status": r.status,
                "sessions": int(nsess.get(r.id, 0)),
                "targets": int(ntarg.get(r.id, 0)),
            }
        )
    return out


def update_round(
    s,
    round_id: int,
    *,
    name: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    area_code: str | None = None,
) -> Round:
    """Change a round's name, kind, status, dates or area. New dates must keep every session
    of the round inside them (move or remove those sessions first)."""
    rnd = get_round(s, round_id)
    if status is not None and status not in ROUND_STATUSES:
        raise RoundError(f"未知的轮次状态 {status}（可用：planning 筹备中、running 进行中、closed 已结束）")
    if kind is not None and kind not in ROUND_KINDS:
        raise RoundError(f"未知的轮次类型 {kind}（可用：{'、'.join(ROUND_KINDS)}）")
    if name is not None and not name.strip():
        raise RoundError("轮次名称不能为空")
    new_start = start if start is not None else rnd.start_date
    new_end = end if end is not None else rnd.end_date
    _check_dates(new_start, new_end)
    if start is not None or end is not None:
        outside = [
            v
            for v in s.scalars(select(VisitSession).where(VisitSession.round_id == round_id))
            if (new_start and v.start.date() < new_start) or (new_end and v.start.date() > new_end)
        ]
        if outside:
            first = min(outside, key=lambda v: v.start)
            raise RoundError(
                f"有 {len(outside)} 个走访时段不在新的日期 {new_start}–{new_end} 内（如 #{first.id} "
                f"{first.start:%Y-%m-%d %H:%M}）：请先用 sessions remove 删除或在日历中移动它们"
            )
    if area_code is not None:
        area = _area_by_code(s, area_code)
        rnd.scope_area_id = area.id if area else None
    if name is not None:
        rnd.name = name.strip()
    if kind is not None:
        rnd.kind = kind
    if status is not None:
        rnd.status = status
    rnd.start_date, rnd.end_date = new_start, new_end
    s.flush()
    return rnd


# --------------------------------------------------------------------------- sessions


def session_dict(v: VisitSession) -> dict:
    return {
        "id": v.id,
        "date": v.start.date().isoformat(),
        "start": f"{v.start:%H:%M}",
        "end": f"{v.end:%H:%M}",
        "kind": v.kind,
        "label": v.label,
        "holiday": bool(v.holiday),
        "teams": v.team_ids,
    }


def list_sessions(s, round_id: int) -> list[dict]:
    get_round(s, round_id)
    rows = s.scalars(
        select(VisitSession)
        .where(VisitSession.round_id == round_id)
        .order_by(VisitSession.start, VisitSession.id)
    )
    return [session_dict(v) for v in rows]


def _round_team_ids(s, round_id: int) -> set[int]:
    return set(s.scalars(select(Team.id).where(Team.round_id == round_id)))


def check_session(
    s,
    rnd: Round,
    start: dt.datetime,
    end: dt.datetime,
    kind: str,
    team_ids: Iterable[int] = (),
    exclude_id: int | None = None,
) -> None:
    """RoundError when this session cannot be stored in the round (see the module docstring)."""
    teams = set(team_ids)
    if end <= start:
        raise RoundError(f"走访时段结束时间 {end:%H:%M} 不晚于开始时间 {start:%H:%M}")
    if end.date() != start.date() and end.time() != dt.time(0, 0):
        raise RoundError(f"走访时段不能跨天（{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}）")
    if kind not in SESSION_KINDS:
        raise RoundError(f"未知的时段类型 {kind}（可用：{'、'.join(SESSION_KINDS)}）")
    day = start.date()
    if (rnd.start_date and day < rnd.start_date) or (rnd.end_date and day > rnd.end_date):
        raise RoundError(f"日期 {day} 不在轮次「{rnd.name}」的日期 {rnd.start_date}–{rnd.end_date} 内")
    if teams:
        unknown = teams - _round_team_ids(s, rnd.id)
        if unknown:
            raise RoundError(f"小组 {'、'.join(map(str, sorted(unknown)))} 不属于轮次「{rnd.name}」")
    q = select(VisitSession).where(
        VisitSession.round_id == rnd.id, VisitSession.start < end, VisitSession.end > start
    )
    for other in s.scalars(q):
        if other.id == exclude_id:
            continue
        theirs = set(other.team_ids)
        if not teams or not theirs or teams & theirs:
            who = (
                "所有小组"
                if not teams and not theirs
                else "小组 " + "、".join(map(str, sorted((teams & theirs) or teams or theirs)))
            )
            raise RoundError(
                f"与走访时段 #{other.id}（{other.start:%Y-%m-%d %H:%M}–{other.end:%H:%M}）重叠："
                f"{who}不能同时在两个时段走访"
            )


def _default_kind(s, start: dt.datetime) -> str:
    return session_kind(start, workday=HolidayCalendar.load(s).is_workday(start.date()))


def add_session(
    s,
    round_id: int,
    start: dt.datetime,
    end: dt.datetime,
    kind: str | None = None,
    team_ids: Iterable[int] = (),
    label: str | None = None,
) -> VisitSession:
    """Add one session (checked); ``kind`` defaults from the day (holiday calendar) and hour."""
    rnd = get_round(s, round_id)
    cal = HolidayCalendar.load(s)
    kind = kind or session_kind(start, workday=cal.is_workday(start.date()))
    teams = sorted(set(team_ids))
    check_session(s, rnd, start, end, kind, teams)
    v = VisitSession(
        round_id=round_id, start=start, end=end, kind=kind, holiday=cal.is_holiday(start.date()),
        label=(label or SESSION_KIND_ZH[kind])[:50],
    )  # fmt: skip
    v.team_links = [SessionTeam(team_id=t) for t in teams]
    s.add(v)
    s.flush()
    return v


def _get_session(s, round_id: int | None, session_id: int) -> VisitSession:
    v = s.get(VisitSession, session_id)
    if v is None or (round_id is not None and v.round_id != round_id):
        where = f"轮次 {round_id} 中" if round_id is not None else ""
        raise RoundError(f"{where}找不到走访时段 {session_id}（用 sessions list 查看）")
    return v


def update_session(
    s,
    session_id: int,
    *,
    round_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    kind: str | None = None,
    team_ids: Iterable[int] | None = None,
) -> VisitSession:
    """Move a session (new start/end), change its kind or the teams it is marked for (checked)."""
    v = _get_session(s, round_id, session_id)
    rnd = get_round(s, v.round_id)
    new_start = start or v.start
    new_end = end or v.end
    moved_day = new_start.date() != v.start.date()
    new_kind = kind or (_default_kind(s, new_start) if moved_day else v.kind)
    teams = sorted(set(team_ids)) if team_ids is not None else v.team_ids
    check_session(s, rnd, new_start, new_end, new_kind, teams, exclude_id=v.id)
    if moved_day:
        v.holiday = HolidayCalendar.load(s).is_holiday(new_start.date())
    v.start, v.end, v.kind = new_start, new_end, new_kind
    if team_ids is not None and teams != v.team_ids:
        v.team_links = [SessionTeam(session_id=v.id, team_id=t) for t in teams]
        from sqlalchemy.orm.attributes import flag_modified

        flag_modified(v, "kind")  # the marks are the session's too: a new version (optimistic locking)
    s.flush()
    return v


def routes_in_sessions(s, session_ids: Iterable[int]) -> int:
    """How many planned routes (route sheets) lie in these sessions."""
    from gisplanner.store.model import Route

    ids = list(session_ids)
    if not ids:
        return 0
    return int(s.scalar(select(func.count()).select_from(Route).where(Route.session_id.in_(ids))) or 0)


def remove_sessions(s, round_id: int, session_ids: Iterable[int]) -> tuple[int, int]:
    """Remove sessions of a round: (sessions removed, planned routes removed with them)."""
    require_sessions(s, round_id)
    ids = list(dict.fromkeys(session_ids))
    for sid in ids:
        _get_session(s, round_id, sid)
    routes = routes_in_sessions(s, ids)
    s.execute(delete(VisitSession).where(VisitSession.id.in_(ids)))
    s.expire_all()
    return len(ids), routes


def generate_sessions(
    s, round_id: int, kinds: Iterable[str] = SESSION_KINDS, replace: bool = False
) -> tuple[int, int, list[str]]:
    """Add the template sessions over the round's dates: (added, skipped, notes). Sessions that
    would overlap an existing one are skipped (with ``replace`` the round's sessions are
    removed first)."""
    rnd = get_round(s, round_id)
    if rnd.start_date is None or rnd.end_date is None:
        raise RoundError(f"轮次「{rnd.name}」没有起止日期：先用 round set --start --end 设置")
    kinds = list(kinds)
    bad = [k for k in kinds if k not in SESSION_KINDS]
    if bad:
        raise RoundError(f"未知的时段类型：{'、'.join(bad)}")
    if replace:
        s.execute(delete(VisitSession).where(VisitSession.round_id == round_id))
        s.expire_all()
        rnd = get_round(s, round_id)
    specs, notes = template_specs(s, rnd.start_date, rnd.end_date, kinds)
    existing = [
        (a, b)
        for a, b in s.execute(
            select(VisitSession.start, VisitSession.end).where(VisitSession.round_id == round_id)
        )
    ]
    added = skipped = 0
    rows = []
    for sp in specs:
        if any(a < sp.end and b > sp.start for a, b in existing):
            skipped += 1
            continue
        rows.append(
            VisitSession(
                round_id=round_id,
                label=sp.label,
                start=sp.start,
                end=sp.end,
                holiday=sp.holiday,
                kind=sp.kind,
            )
        )
        added += 1
    s.add_all(rows)
    s.flush()
    if skipped:
        notes.append(f"{skipped} 个模板时段与已有时段重叠，未添加")
    return added, skipped, notes


# --------------------------------------------------------------------------- for the editors


def round_dict(s, round_id: int) -> dict:
    """One round as list_rounds gives it, plus its area's id."""
    rnd = get_round(s, round_id)
    row = next(r for r in list_rounds(s) if r["id"] == round_id)
    return row | {"area_id": rnd.scope_area_id}


def round_teams(s, round_id: int) -> list[dict]:
    """The round's teams: [{id, name, members}] in id order (members: names, the leader first)."""
    from gisplanner.store.model import Cadre, TeamMember

    members: dict[int, list[str]] = {}
    rows = s.execute(
        select(TeamMember.team_id, Cadre.name, TeamMember.role)
        .join(Cadre, Cadre.id == TeamMember.cadre_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(Team.round_id == round_id)
        .order_by(TeamMember.id)
    ).all()
    for tid, name, role in rows:
        names = members.setdefault(tid, [])
        names.insert(0, name) if role == "leader" else names.append(name)
    teams = s.scalars(select(Team).where(Team.round_id == round_id).order_by(Team.id))
    return [{"id": t.id, "name": t.name, "members": members.get(t.id, [])} for t in teams]


def area_choices(s) -> list[dict]:
    """Areas a round can cover, from the top down: [{code, name, level}] (towns and villages
    under their district)."""
    tree = AreaTree.load(s.connection())
    out: list[dict] = []

    def walk(parent, depth):
        for a in tree.children.get(parent, []):
            out.append({"code": tree.code(a), "name": tree.name(a), "level": tree.level(a), "depth": depth})
            walk(a, depth + 1)

    walk(None, 0)
    return out


def month_sessions(s, round_id: int) -> dict[dt.date, int]:
    """Sessions per date of a round (for the calendar's marks)."""
    out: dict[dt.date, int] = {}
    for (start,) in s.execute(select(VisitSession.start).where(VisitSession.round_id == round_id)):
        out[start.date()] = out.get(start.date(), 0) + 1
    return out
