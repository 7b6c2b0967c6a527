"""Staggered visiting (错时走访): sessions of a round and when each target can be visited.

- Session templates (走访时段模板) create the round's :class:`~gisplanner.store.model.VisitSession`
  rows (weekday evenings, weekend mornings/afternoons …); the rows stay editable.
- Availability (可走访时段) per target from its type and tags (urban working household:
  evenings and weekends; rural household: outside meal and noon-rest hours plus early
  evening; elderly living alone: daytime only; long-term away on business: holiday sessions
  only, else a phone visit; enterprise: weekday working hours), all in :class:`ScheduleConfig`.
- Learning (在家概率): from earlier visits (met / not_home) a smoothed at-home probability per
  target and hour-of-week; windows where a household was repeatedly not home are dropped
  or down-weighted, with a reason a person can read ("上次周一19点不在家，改为周六上午").

Length: sessions, templates and availability windows are one model of time (错时); the pieces refer
to each other throughout.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gisplanner.store.vocab import Outcome, SessionKind, TargetKind

WEEKDAY_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)


def _t(s: str) -> dt.time:
    h, m = s.split(":")
    return dt.time(int(h), int(m))


@dataclass(frozen=True)
class WeeklyWindow:
    """A recurring interval in the week, e.g. Mon–Fri 19:00–21:00."""

    days: tuple[int, ...]  # 0 = Monday
    start: dt.time
    end: dt.time
    label: str = ""

    @classmethod
    def of(cls, days: Iterable[int], start: str, end: str, label: str = "") -> WeeklyWindow:
        return cls(tuple(days), _t(start), _t(end), label)


# --------------------------------------------------------------------------- sessions

DEFAULT_TEMPLATE: tuple[WeeklyWindow, ...] = (
    WeeklyWindow.of(WEEKDAYS, "19:00", "21:00", "工作日晚上"),
    WeeklyWindow.of(WEEKEND, "09:00", "11:30", "周末上午"),
    WeeklyWindow.of(WEEKEND, "14:30", "17:30", "周末下午"),
)


@dataclass(frozen=True)
class SessionSpec:
    """A concrete session (走访时段) before it becomes a VisitSession row."""

    label: str
    start: dt.datetime
    end: dt.datetime
    holiday: bool = False
    kind: str | None = None  # SessionKind; None: from the day and hour (see session_kind)


def session_kind(start: dt.datetime, holiday: bool = False, workday: bool | None = None) -> str:
    """The kind of a session from its start: a day off -> weekend; a working day -> evening from
    17:00, else workday. ``workday`` (from the holiday calendar) overrides the plain weekday test."""
    if workday is None:
        workday = not holiday and start.weekday() < 5
    if not workday:
        return SessionKind.WEEKEND
    return SessionKind.EVENING if start.hour >= 17 else SessionKind.WORKDAY


def sessions_from_template(
    first: dt.date,
    last: dt.date,
    template: Sequence[WeeklyWindow] = DEFAULT_TEMPLATE,
    holidays: Iterable[dt.date] = (),
) -> list[SessionSpec]:
    """Expand a weekly template over the dates first..last (inclusive), in time order.

    On a holiday (节假日) the weekend slots are used whatever the weekday is.
    """
    if last < first:
        raise ValueError(f"结束日期 {last} 早于开始日期 {first}")
    hol = set(holidays)
    out = []
    day = first
    while day <= last:
        wd = 5 if day in hol else day.weekday()
        for w in template:
            if wd in w.days:
                out.append(
                    SessionSpec(
                        label=w.label or f"{WEEKDAY_ZH[day.weekday()]}{w.start:%H:%M}",
                        start=dt.datetime.combine(day, w.start),
                        end=dt.datetime.combine(day, w.end),
                        holiday=day in hol,
                    )
                )
        day += dt.timedelta(days=1)
    out.sort(key=lambda s: s.start)
    return out


@dataclass(frozen=True)
class SessionTemplate:
    """One slot of the session templates (走访时段模板): a kind and its times, e.g. the weekday
    evening 19:00–21:00. Evening and workday slots fall on working days (调休 Saturdays
    included), weekend slots on days off (statutory holidays included)."""

    kind: str  # evening / weekend / workday
    start: dt.time
    end: dt.time
    label: str

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "start": f"{self.start:%H:%M}",
            "end": f"{self.end:%H:%M}",
            "label": self.label,
        }

    @classmethod
    def from_json(cls, d: dict) -> SessionTemplate:
        return cls(str(d["kind"]), _t(d["start"]), _t(d["end"]), str(d.get("label") or ""))


DEFAULT_TEMPLATES: tuple[SessionTemplate, ...] = (
    SessionTemplate(SessionKind.EVENING, dt.time(19, 0), dt.time(21, 0), "工作日晚上"),
    SessionTemplate(SessionKind.WEEKEND, dt.time(9, 0), dt.time(11, 30), "周末上午"),
    SessionTemplate(SessionKind.WEEKEND, dt.time(14, 30), dt.time(17, 30), "周末下午"),
    SessionTemplate(SessionKind.WORKDAY, dt.time(9, 0), dt.time(11, 30), "工作日上午"),
    SessionTemplate(SessionKind.WORKDAY, dt.time(14, 0), dt.time(17, 0), "工作日下午"),
)
#: --template names (CLI) -> session kinds
TEMPLATE_NAMES = {
    "evenings": SessionKind.EVENING,
    "weekends": SessionKind.WEEKEND,
    "workdays": SessionKind.WORKDAY,
}


def calendar_sessions(
    first: dt.date,
    last: dt.date,
    kinds: Iterable[str] = tuple(SessionKind),
    templates: Sequence[SessionTemplate] = DEFAULT_TEMPLATES,
    calendar=None,
) -> list[SessionSpec]:
    """Sessions over first..last (inclusive) from the templates and the holiday calendar
    (:class:`gisplanner.campaign.cncalendar.HolidayCalendar`): working days (调休上班 days included) get
    the evening and workday slots, days off (weekends, 法定节假日) the weekend slots."""
    from gisplanner.campaign.cncalendar import HolidayCalendar

    if last < first:
        raise ValueError(f"结束日期 {last} 早于开始日期 {first}")
    cal = calendar or HolidayCalendar()
    want = set(kinds)
    use = [t for t in templates if t.kind in want]
    out = []
    day = first
    while day <= last:
        work = cal.is_workday(day)
        what = cal.describe(day)
        holiday = cal.is_holiday(day)
        for t in use:
            if (t.kind == SessionKind.WEEKEND) == work:
                continue
            if holiday:
                label = f"{what}{part_of_day_zh(dt.datetime.combine(day, t.start))}"
            elif work and day.weekday() >= 5:
                label = f"{t.label}（调休上班）"
            else:
                label = t.label
            out.append(
                SessionSpec(
                    label=label[:50],
                    start=dt.datetime.combine(day, t.start),
                    end=dt.datetime.combine(day, t.end),
                    holiday=holiday,
                    kind=t.kind,
                )
            )
        day += dt.timedelta(days=1)
    out.sort(key=lambda s: s.start)
    return out


TEMPLATES_KEY = "sessions.templates"  # the setting that holds the stored template times


def load_templates(s) -> list[SessionTemplate]:
    """The session templates with the times stored in the database (else the defaults)."""
    from gisplanner.store.model import Setting

    row = s.get(Setting, TEMPLATES_KEY)
    if row is None:
        return list(DEFAULT_TEMPLATES)
    try:
        return [SessionTemplate.from_json(d) for d in json.loads(row.value)]
    except (ValueError, KeyError, TypeError):
        return list(DEFAULT_TEMPLATES)


def template_specs(
    s, first: dt.date, last: dt.date, kinds: Iterable[str]
) -> tuple[list[SessionSpec], list[str]]:
    """Template sessions over first..last with the stored template times and holiday calendar,
    and notes (e.g. the calendar's weekends-only fallback for a year it does not know)."""
    from gisplanner.campaign.cncalendar import HolidayCalendar

    cal = HolidayCalendar.load(s)
    specs = calendar_sessions(first, last, kinds, load_templates(s), cal)
    note = cal.fallback_note(first, last)
    return specs, [note] if note else []


def create_sessions(session, round_id: int, specs: Sequence[SessionSpec], replace: bool = False) -> list:
    """Add VisitSession rows for a round (inside the caller's unit of work).

    With ``replace`` the round's existing sessions are deleted first (their routes go with them).
    """
    from sqlalchemy import delete

    from gisplanner.store.model import VisitSession

    if replace:
        session.execute(delete(VisitSession).where(VisitSession.round_id == round_id))
    rows = [
        VisitSession(
            round_id=round_id, label=s.label, start=s.start, end=s.end, holiday=s.holiday,
            kind=s.kind or session_kind(s.start, s.holiday),
        )
        for s in specs
    ]  # fmt: skip
    session.add_all(rows)
    session.flush()
    return rows


def create_round_sessions(store, round_id: int, template: Sequence[WeeklyWindow] | None = None) -> int:
    """Give a round without sessions its template sessions over its start..end dates.

    Without ``template``: the session templates stored in the database (weekday evenings,
    weekend mornings / afternoons, weekday working hours) on the holiday calendar
    (:func:`template_specs`); with one, that weekly template as it is.
    Returns the number of sessions created; raises ValueError (in Chinese) when the round
    already has sessions or has no dates.
    """
    from sqlalchemy import func, select

    from gisplanner.store.model import Round, VisitSession

    with store.session() as s:
        rnd = s.get(Round, round_id)
        if rnd is None:
            raise ValueError(f"找不到走访轮次 {round_id}")
        n = s.scalar(select(func.count()).select_from(VisitSession).where(VisitSession.round_id == round_id))
        if n:
            raise ValueError(f"轮次「{rnd.name}」已有 {n} 个走访时段，未按模板重复生成")
        if rnd.start_date is None or rnd.end_date is None:
            raise ValueError(f"轮次「{rnd.name}」没有起止日期，无法按模板生成走访时段")
        if template is None:
            specs, _ = template_specs(s, rnd.start_date, rnd.end_date, tuple(SessionKind))
        else:
            specs = sessions_from_template(rnd.start_date, rnd.end_date, template)
        rows = create_sessions(s, round_id, specs)
        return len(rows)


# --------------------------------------------------------------------------- who goes out when


def team_session_ids(session, round_id: int) -> dict[int, list[int]]:
    """Team id -> the round's visit_session ids (in time order) the team can go out in.

    A team can go out in a session when ALL its active members can: the session's kind
    (evening / weekend / workday) is among each member's kinds (Cadre.avail_kinds), no member
    is on leave that date (CadreLeave, inclusive), and the session is not marked for other
    teams only (SessionTeam rows: a session with none is open to every team). A team without
    active members (e.g. made by planning.quick_teams) gets every session open to it. Every
    team of the round is a key, with an empty list when it can go out in none.
    """
    from sqlalchemy import select

    from gisplanner.store.model import Cadre, CadreLeave, SessionTeam, Team, TeamMember, VisitSession

    team_ids = list(session.scalars(select(Team.id).where(Team.round_id == round_id).order_by(Team.id)))
    if not team_ids:
        return {}
    sess = session.execute(
        select(VisitSession.id, VisitSession.start, VisitSession.kind)
        .where(VisitSession.round_id == round_id)
        .order_by(VisitSession.start, VisitSession.id)
    ).all()
    marked: dict[int, set[int]] = defaultdict(set)
    for sid, tid in session.execute(
        select(SessionTeam.session_id, SessionTeam.team_id)
        .join(VisitSession, VisitSession.id == SessionTeam.session_id)
        .where(VisitSession.round_id == round_id)
    ):
        marked[sid].add(tid)
    members: dict[int, list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for tid, cid, kinds in session.execute(
        select(TeamMember.team_id, Cadre.id, Cadre.avail_kinds)
        .join(Cadre, Cadre.id == TeamMember.cadre_id)
        .where(TeamMember.team_id.in_(team_ids), Cadre.active.is_(True))
    ):
        members[tid].append((cid, frozenset(k.strip() for k in (kinds or "").split(","))))
    cadre_ids = {cid for ms in members.values() for cid, _ in ms}
    leaves: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    if cadre_ids:
        for cid, a, b in session.execute(
            select(CadreLeave.cadre_id, CadreLeave.start_date, CadreLeave.end_date).where(
                CadreLeave.cadre_id.in_(cadre_ids)
            )
        ):
            leaves[cid].append((a, b))
    out: dict[int, list[int]] = {}
    for tid in team_ids:
        ms = members.get(tid, [])
        ok = []
        for sid, start, kind in sess:
            if marked.get(sid) and tid not in marked[sid]:
                continue
            day = start.date()
            if all(kind in kinds and not any(a <= day <= b for a, b in leaves[cid]) for cid, kinds in ms):
                ok.append(sid)
        out[tid] = ok
    return out


def cadre_can_do(
    kinds: Iterable[str], leaves: Iterable[tuple[dt.date, dt.date]], kind: str, day: dt.date
) -> bool:
    """Whether a cadre with these session kinds and leave ranges can go out in a session."""
    return kind in set(kinds) and not any(a <= day <= b for a, b in leaves)


# --------------------------------------------------------------------------- configuration

PROFILE_ZH = {
    "urban": "城镇上班家庭",
    "rural": "农村家庭",
    "elderly": "独居老人",
    "away": "常年在外经商",
    "enterprise": "企业",
    "notable": "名士",
}


def _default_windows() -> dict[str, list[WeeklyWindow]]:
    return {
        # working households: weekday evenings after dinner, weekends outside meal times
        "urban": [
            WeeklyWindow.of(WEEKDAYS, "18:30", "21:00", "工作日晚上"),
            WeeklyWindow.of(WEEKEND, "09:00", "11:30", "周末上午"),
            WeeklyWindow.of(WEEKEND, "14:00", "17:30", "周末下午"),
            WeeklyWindow.of(WEEKEND, "19:00", "21:00", "周末晚上"),
        ],
        # farming households: not at meal times nor the noon rest, plus the early evening
        "rural": [
            WeeklyWindow.of(ALL_DAYS, "08:30", "11:00", "上午"),
            WeeklyWindow.of(ALL_DAYS, "14:30", "17:00", "下午"),
            WeeklyWindow.of(ALL_DAYS, "19:00", "20:30", "傍晚"),
        ],
        # elderly living alone: daytime only, never after dark
        "elderly": [
            WeeklyWindow.of(ALL_DAYS, "09:00", "11:00", "上午"),
            WeeklyWindow.of(ALL_DAYS, "14:30", "17:00", "下午"),
        ],
        # away on business: any time of a holiday session (see holiday_only)
        "away": [WeeklyWindow.of(ALL_DAYS, "08:00", "21:00", "节假日")],
        "enterprise": [
            WeeklyWindow.of(WEEKDAYS, "09:00", "11:30", "工作日上午"),
            WeeklyWindow.of(WEEKDAYS, "14:00", "17:00", "工作日下午"),
        ],
        "notable": [
            WeeklyWindow.of(WEEKDAYS, "19:00", "21:00", "工作日晚上"),
            WeeklyWindow.of(WEEKEND, "09:00", "17:30", "周末白天"),
        ],
    }


@dataclass
class ScheduleConfig:
    """Everything the staggered schedule depends on; change it here, not in the code."""

    windows: dict[str, list[WeeklyWindow]] = field(default_factory=_default_windows)
    holiday_only: tuple[str, ...] = ("away",)  # visited in holiday sessions only (else phone)
    service_household: int = 20  # minutes
    service_special: int = 30  # special groups: elderly alone, disabled, hardship
    service_enterprise: int = 40
    service_notable: int = 30
    # learning from visit history
    prior_strength: float = 2.0  # pseudo-visits pulling a target's estimate to the wider one
    population_strength: float = 20.0
    default_home_rate: float = 0.75  # when there is no history at all
    drop_below: float = 0.4  # windows below this at-home probability are dropped …
    keep_if_best_below: float = 0.5  # … unless no window of the target is better than this


@dataclass(frozen=True)
class TargetInfo:
    """What availability depends on: the target's type and tags (plain data, no ORM)."""

    id: int
    kind: str  # household / enterprise / notable
    urban: bool = False
    elderly_alone: bool = False
    disabled: bool = False
    hardship: bool = False
    away_business: bool = False

    @property
    def special(self) -> bool:
        """Special group (特殊群体)."""
        return self.elderly_alone or self.disabled or self.hardship


def target_profile(t: TargetInfo) -> str:
    if t.kind == TargetKind.ENTERPRISE:
        return "enterprise"
    if t.kind == TargetKind.NOTABLE:
        return "notable"
    if t.away_business:
        return "away"
    if t.elderly_alone:
        return "elderly"
    return "urban" if t.urban else "rural"


def service_minutes(t: TargetInfo, cfg: ScheduleConfig) -> int:
    if t.kind == TargetKind.ENTERPRISE:
        return cfg.service_enterprise
    if t.kind == TargetKind.NOTABLE:
        return cfg.service_notable
    return cfg.service_special if t.special else cfg.service_household


# --------------------------------------------------------------------------- learning


def hour_of_week(when: dt.datetime) -> int:
    return when.weekday() * 24 + when.hour


def _day_class(weekday: int) -> int:
    return 1 if weekday >= 5 else 0


def _part_of_day(hour: int) -> int:
    return 0 if hour < 12 else 1 if hour < 18 else 2


def _class_key(target_id: int, when: dt.datetime) -> tuple[int, int, int]:
    """(target, weekday/weekend, morning/afternoon/evening)."""
    return (target_id, _day_class(when.weekday()), _part_of_day(when.hour))


@dataclass(frozen=True)
class PastVisit:
    target_id: int
    when: dt.datetime
    outcome: str  # met / not_home (others are ignored)


class HomeModel:
    """Smoothed at-home probability per target and hour of the week (在家概率).

    Three levels, each shrunk towards the next: the target at this hour of the week → the
    target in the same part of the day on the same kind of day (weekday / weekend evening,
    …) → everyone at this hour of the week. One "not home" at Monday 19:00 therefore lowers
    Monday 19:00 most, other weekday evenings somewhat, and weekends not at all.
    """

    def __init__(self, visits: Iterable[PastVisit], cfg: ScheduleConfig | None = None):
        self.cfg = cfg or ScheduleConfig()
        self._pop = defaultdict(lambda: [0, 0])  # how -> [met, total]
        self._cls = defaultdict(lambda: [0, 0])  # (target, dayclass, part of day)
        self._how = defaultdict(lambda: [0, 0])  # (target, how)
        self._last_not_home: dict[tuple[int, int, int], dt.datetime] = {}
        met_all = total_all = 0
        for v in visits:
            if v.outcome not in (Outcome.MET, Outcome.NOT_HOME):
                continue
            met = 1 if v.outcome == Outcome.MET else 0
            how = hour_of_week(v.when)
            key_cls = _class_key(v.target_id, v.when)
            for table, key in ((self._pop, how), (self._cls, key_cls), (self._how, (v.target_id, how))):
                table[key][0] += met
                table[key][1] += 1
            met_all += met
            total_all += 1
            if not met:
                prev = self._last_not_home.get(key_cls)
                if prev is None or v.when > prev:
                    self._last_not_home[key_cls] = v.when
        self.base_rate = (met_all + 5 * self.cfg.default_home_rate) / (total_all + 5)
        self._pop_cache: dict[int, float] = {}
        self._seen = {k[0] for k in self._how}

    def p_home_population(self, start: dt.datetime, end: dt.datetime) -> float:
        """Mean at-home rate of everyone over the hours an interval touches."""
        ps = []
        t = start.replace(minute=0, second=0, microsecond=0)
        while t < end:
            ps.append(self.population(hour_of_week(t)))
            t += dt.timedelta(hours=1)
        return sum(ps) / len(ps) if ps else self.population(hour_of_week(start))

    def population(self, how: int) -> float:
        p = self._pop_cache.get(how)
        if p is None:
            met, n = self._pop.get(how, (0, 0))
            k = self.cfg.population_strength
            p = self._pop_cache[how] = (met + k * self.base_rate) / (n + k)
        return p

    def p_home(self, target_id: int, when: dt.datetime) -> float:
        how = hour_of_week(when)
        k = self.cfg.prior_strength
        met, n = self._cls.get(_class_key(target_id, when), (0, 0))
        p_cls = (met + k * self.population(how)) / (n + k)
        met, n = self._how.get((target_id, how), (0, 0))
        return (met + k * p_cls) / (n + k)

    def p_home_interval(self, target_id: int, start: dt.datetime, end: dt.datetime) -> float:
        """Mean at-home probability over the hours an interval touches."""
        if target_id not in self._seen:  # no history: everyone's rate (the common, fast case)
            return self.p_home_population(start, end)
        ps = []
        t = start.replace(minute=0, second=0, microsecond=0)
        while t < end:
            ps.append(self.p_home(target_id, t))
            t += dt.timedelta(hours=1)
        return sum(ps) / len(ps) if ps else self.p_home(target_id, start)

    def last_not_home(self, target_id: int, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        """The latest not-home visit at the same kind of day and hours as this interval."""
        best = None
        t = start.replace(minute=0, second=0, microsecond=0)
        while t < end:
            w = self._last_not_home.get(_class_key(target_id, t))
            if w is not None and (best is None or w > best):
                best = w
            t += dt.timedelta(hours=1)
        return best


# --------------------------------------------------------------------------- availability


@dataclass(frozen=True)
class SessionInfo:
    id: int
    start: dt.datetime
    end: dt.datetime
    label: str = ""
    holiday: bool = False


@dataclass
class CandidateWindow:
    """When the visit may *start* within one session, and how likely someone is home."""

    session_id: int
    start: dt.datetime
    end: dt.datetime  # latest service start
    p_home: float
    label: str


@dataclass
class Availability:
    target_id: int
    profile: str
    service_minutes: int
    windows: list[CandidateWindow]
    dropped: list[CandidateWindow] = field(default_factory=list)
    note: str | None = None  # why windows were dropped ("上次周一19点不在家")
    no_window_reason: str | None = None  # when ``windows`` is empty


def part_of_day_zh(t: dt.datetime) -> str:
    return "上午" if t.hour < 12 else "下午" if t.hour < 18 else "晚上"


def slot_zh(t: dt.datetime) -> str:
    """'周六上午' style name of a moment."""
    return f"{WEEKDAY_ZH[t.weekday()]}{part_of_day_zh(t)}"


def _windows_in_session(weekly: Sequence[WeeklyWindow], s: SessionInfo, service: dt.timedelta):
    """Service-start intervals in a session for a target at home during ``weekly``."""
    out = []
    day = s.start.date()
    while day <= s.end.date():
        for w in weekly:
            if day.weekday() not in w.days:
                continue
            a = max(dt.datetime.combine(day, w.start), s.start)
            b = min(dt.datetime.combine(day, w.end), s.end)
            if b - a >= service:
                out.append((a, b - service, w.label))
        day += dt.timedelta(days=1)
    return out


def availability(
    targets: Sequence[TargetInfo],
    sessions: Sequence[SessionInfo],
    cfg: ScheduleConfig | None = None,
    home: HomeModel | None = None,
) -> dict[int, Availability]:
    """Candidate windows per target within the round's sessions, after learning (a standing
    约定回访时间 narrows them afterwards: :func:`gisplanner.campaign.appointments.apply_appointments`)."""
    cfg = cfg or ScheduleConfig()
    out: dict[int, Availability] = {}
    cache: dict[tuple, list] = {}  # (profile, minutes, session) -> service-start intervals
    for t in targets:
        prof = target_profile(t)
        minutes = service_minutes(t, cfg)
        service = dt.timedelta(minutes=minutes)
        weekly = cfg.windows.get(prof, [])
        cands: list[CandidateWindow] = []
        for s in sessions:
            if prof in cfg.holiday_only and not s.holiday:
                continue
            key = (prof, minutes, s.id)
            if key not in cache:
                cache[key] = _windows_in_session(weekly, s, service)
            for a, b, label in cache[key]:
                p = home.p_home_interval(t.id, a, b + service) if home else cfg.default_home_rate
                cands.append(CandidateWindow(s.id, a, b, p, label))
        av = Availability(t.id, prof, minutes, cands)
        if not cands:
            if prof in cfg.holiday_only:
                av.no_window_reason = f"{PROFILE_ZH[prof]}：本轮没有节假日时段，建议电话走访"
            else:
                av.no_window_reason = (
                    f"{PROFILE_ZH[prof]}：本轮时段与其可走访时间（{_describe(weekly)}）不重合"
                )
        elif home is not None:
            _apply_learning(av, t.id, home, cfg)
        out[t.id] = av
    return out


def _describe(weekly: Sequence[WeeklyWindow]) -> str:
    return "、".join(f"{w.label or ''}{w.start:%H:%M}-{w.end:%H:%M}" for w in weekly)


def _apply_learning(av: Availability, target_id: int, home: HomeModel, cfg: ScheduleConfig) -> None:
    best = max(c.p_home for c in av.windows)
    if best < cfg.keep_if_best_below:
        return  # nothing better known: keep every window, the prizes still prefer likelier ones
    low = [c for c in av.windows if c.p_home < cfg.drop_below]
    if not low:
        return
    av.dropped = low
    av.windows = [c for c in av.windows if c.p_home >= cfg.drop_below]
    last = max(
        (w for c in low if (w := home.last_not_home(target_id, c.start, c.end)) is not None), default=None
    )
    if last is not None:
        av.note = f"上次{WEEKDAY_ZH[last.weekday()]}{last.hour}点不在家"
    else:
        av.note = "以往该时段多次不在家"


def moved_reason(av: Availability, chosen: CandidateWindow | None) -> str | None:
    """The human-readable why for a chosen window, e.g. '上次周一19点不在家，改为周六上午'."""
    if not av.note or chosen is None:
        return None
    return f"{av.note}，改为{slot_zh(chosen.start)}"
