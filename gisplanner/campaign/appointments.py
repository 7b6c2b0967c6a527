"""约定回访时间: the time a household asked the team to come back, as its window in the next round.

At the door a family often says when it will be home; the entry panel and ``results import``
store that as :attr:`gisplanner.store.model.Visit.appointment_at`. The next round's planning makes it
the household's window: :func:`round_appointments` reads the standing appointments of a round's
targets, :func:`apply_appointments` narrows their candidate windows (from
:func:`gisplanner.campaign.schedule.availability`) to the appointment:

- a session that covers the appointment: the window is the appointment ± `slack` inside it;
- otherwise (the round's sessions fall on other dates): the same weekday and time of day in the
  round's sessions (a family home "Saturday at 10" is likely home on the next Saturday at 10);
- no session fits at all: the windows stay, with a note saying the appointment could not be met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select

from gisplanner.campaign.schedule import Availability, CandidateWindow, SessionInfo
from gisplanner.store.model import Assignment, Visit, VisitSession
from gisplanner.store.vocab import VISITED_OUTCOMES

SLACK = dt.timedelta(minutes=30)
P_HOME_APPOINTED = 0.95


def round_appointments(store, round_id: int) -> dict[int, dt.datetime]:
    """target id -> the appointment standing for it before the round's first session.

    An appointment stands when it was made at the target's latest visit that set one and no visit
    met the household after that (a later meeting has used it up)."""
    with store.session() as s:
        first = s.scalar(select(func.min(VisitSession.start)).where(VisitSession.round_id == round_id))
        if first is None:
            return {}
        tids = select(Assignment.target_id).where(Assignment.round_id == round_id)
        rows = s.execute(
            select(Visit.target_id, Visit.visited_at, Visit.appointment_at, Visit.outcome)
            .where(Visit.target_id.in_(tids), Visit.visited_at < first)
            .order_by(Visit.target_id, Visit.visited_at, Visit.id)
        ).all()
    out: dict[int, dt.datetime] = {}
    for tid, _when, appt, outcome in rows:  # in time order: later visits overrule earlier ones
        if appt is not None:
            out[tid] = appt
        elif outcome in VISITED_OUTCOMES:
            out.pop(tid, None)
    return out


def appointment_windows(
    appointment: dt.datetime, sessions: Sequence, service: dt.timedelta, slack: dt.timedelta = SLACK
) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """(session id, earliest start, latest start) of the visit for an appointment.

    `sessions` are :class:`gisplanner.campaign.schedule.SessionInfo` (id, start, end)."""

    def fit(s, at: dt.datetime):
        a = max(at - slack, s.start)
        b = min(at + slack, s.end - service)
        return (s.id, a, b) if a <= b else None

    exact = [w for s in sessions if s.start - slack <= appointment <= s.end and (w := fit(s, appointment))]
    if exact:
        return exact[:1]
    weekly = []
    for s in sessions:
        if s.start.weekday() != appointment.weekday():
            continue
        at = dt.datetime.combine(s.start.date(), appointment.time())
        if s.start - slack <= at <= s.end and (w := fit(s, at)):
            weekly.append(w)
    return weekly


def apply_appointments(
    avail: Mapping[int, Availability],
    appointments: Mapping[int, dt.datetime],
    sessions: Sequence[SessionInfo],
) -> None:
    """Make each appointment its household's window (in place on the availability records that
    :func:`gisplanner.campaign.schedule.availability` made)."""
    if not appointments:
        return
    for tid, appt in appointments.items():
        av = avail.get(tid)
        if av is None:
            continue
        service = dt.timedelta(minutes=av.service_minutes)
        wins = appointment_windows(appt, sessions, service)
        label = f"约定回访 {appt:%m-%d %H:%M}"
        if not wins:
            av.note = f"约定回访时间 {appt:%m-%d %H:%M} 不在本轮时段内" + (f"；{av.note}" if av.note else "")
            continue
        av.dropped = [*av.dropped, *av.windows]
        av.windows = [CandidateWindow(sid, a, b, P_HOME_APPOINTED, label) for sid, a, b in wins]
        av.no_window_reason = None
        av.note = label


def sessions_of(store, round_id: int) -> list:
    """The round's sessions as schedule.SessionInfo (for callers that have only the store)."""
    with store.session() as s:
        rows = s.scalars(
            select(VisitSession).where(VisitSession.round_id == round_id).order_by(VisitSession.start)
        ).all()
        return [SessionInfo(v.id, v.start, v.end, v.label or "", bool(v.holiday)) for v in rows]
