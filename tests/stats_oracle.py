"""Test oracles: every figure of gisplanner.reporting.stats / gisplanner.reporting.dashboard counted again with
one independent SQL aggregate (portable SQLite / PostgreSQL). The app computes each figure once
(numpy on one read of the visits or problems); the tests compare the two.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Connection

from gisplanner.reporting.stats import (
    NO_TEAM,
    OUTSIDE_SESSIONS,
    PROBLEM_CATEGORIES,
    TM,
    VISITED_OUTCOMES,
    AreaTree,
    P,
    S,
    Scope,
    T,
    U,
    V,
    _between,
    _category_status_table,
    _days_between,
    _of_targets_in_scope,
    _overdue_condition,
    _overdue_table,
    _resolution_table,
    _solved_condition,
    _target_in_scope,
    _totals,
    _where,
    cumulative_table,
)
from gisplanner.store.vocab import TargetKind


def _small_scope(scope: Scope, tree: AreaTree) -> bool:
    """Whether the scope holds a small part of the database (a village, a small selection)."""
    if scope.target_ids is not None:
        return len(scope.target_ids) < 20_000
    if scope.area_code:
        return len(tree.leaves_under(tree.id_of(scope.area_code))) * 10 < len(tree.frame)
    return False


def _day(col):
    """The calendar day of a timestamp (SQLite and PostgreSQL both know date())."""
    return func.date(col)


def _as_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def visited_first_days(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Households visited in the range, by the day of their first met/phone visit in the range.

    Columns: day (date), special (bool: 特殊群体), households. Summed, it is the number of
    distinct households visited.
    """
    special = or_(T.c.elderly_alone, T.c.disabled, T.c.hardship)
    first = (
        select(V.c.target_id, func.min(V.c.visited_at).label("first"))
        .where(
            _where(
                V.c.outcome.in_(VISITED_OUTCOMES),
                _of_targets_in_scope(V.c.target_id, scope, tree),
                *_between(V.c.visited_at, scope),
            )
        )
        .group_by(V.c.target_id)
        .subquery()
    )
    sp = case((special, 1), else_=0)
    rows = conn.execute(
        select(_day(first.c.first), sp, func.count())
        .select_from(first.join(T, T.c.id == first.c.target_id))
        .where(T.c.kind == TargetKind.HOUSEHOLD)
        .group_by(_day(first.c.first), sp)
    ).all()
    df = pd.DataFrame(
        [(_as_date(d), bool(s), int(n)) for d, s, n in rows], columns=["day", "special", "households"]
    )
    return df.sort_values(["day", "special"], ignore_index=True)


def household_counts(conn: Connection, scope: Scope, tree: AreaTree) -> dict:
    """Households in scope and how many of them belong to a special group (特殊群体)."""
    special = or_(T.c.elderly_alone, T.c.disabled, T.c.hardship)
    n, sp = conn.execute(
        select(func.count(), func.sum(case((special, 1), else_=0))).where(
            _where(T.c.kind == TargetKind.HOUSEHOLD, _target_in_scope(scope, tree))
        )
    ).one()
    return {"households": int(n or 0), "special_households": int(sp or 0)}


def household_totals(conn: Connection, scope: Scope, tree: AreaTree) -> dict:
    """Households in scope, households visited in the range, and the special-group counts."""
    return _totals(household_counts(conn, scope, tree), visited_first_days(conn, scope, tree))


def cumulative_progress(
    conn: Connection, scope: Scope, tree: AreaTree, first_days: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per day: households newly visited, problems collected, problems solved, and running totals.

    Columns: day, households_visited, problems_collected, problems_solved (daily) and
    cum_households_visited, cum_problems_collected, cum_problems_solved. Problems of every
    target kind count; visits count households only.
    """
    if first_days is None:
        first_days = visited_first_days(conn, scope, tree)
    return cumulative_table(first_days, problem_days(conn, scope, tree))


def problem_days(conn: Connection, scope: Scope, tree: AreaTree) -> dict[str, pd.Series]:
    """Problems collected per day of creation and solved per day of closing (collected in the range)."""
    collected_where = _where(
        _of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)
    )
    collected = conn.execute(
        select(_day(P.c.created_at), func.count()).where(collected_where).group_by(_day(P.c.created_at))
    ).all()
    solved = conn.execute(
        select(_day(P.c.closed_at), func.count())
        .where(_solved_condition(scope), collected_where)
        .group_by(_day(P.c.closed_at))
    ).all()
    return {
        name: pd.Series({_as_date(d): int(n) for d, n in rows if d is not None}, dtype="int64")
        for name, rows in (("problems_collected", collected), ("problems_solved", solved))
    }


def problems_by_category_status(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Problems collected in the range: a category × status table of counts (Chinese labels).

    Rows: categories (问题类别) in PROBLEM_CATEGORIES order, columns: statuses (办理状态).
    """
    rows = conn.execute(
        select(P.c.category, P.c.status, func.count())
        .where(_where(_of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)))
        .group_by(P.c.category, P.c.status)
    ).all()
    return _category_status_table(rows)


def solved_by_category(conn: Connection, scope: Scope, tree: AreaTree) -> dict[str, int]:
    """Problems collected in the range and solved by its end, per category (Chinese label)."""
    rows = conn.execute(
        select(P.c.category, func.count())
        .where(
            _solved_condition(scope),
            _where(_of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)),
        )
        .group_by(P.c.category)
    ).all()
    return {PROBLEM_CATEGORIES.get(c, c): int(n) for c, n in rows}


def resolution_times(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Solved problems' time to resolution (办理时长), counted per category and whole hour.

    Columns: category (Chinese), hours (int, rounded), count. Grouped in SQL so that 40k
    problems come back as a few thousand rows.
    """
    hours = func.round(_days_between(conn, P.c.created_at, P.c.closed_at) * 24)
    rows = conn.execute(
        select(P.c.category, hours, func.count())
        .where(
            _solved_condition(scope),
            P.c.closed_at.is_not(None),
            _where(_of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)),
        )
        .group_by(P.c.category, hours)
    ).all()
    return _resolution_table(rows)


def overdue_by_unit(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Overdue problems (逾期问题) per handling unit as of scope.overdue_day, most first.

    Columns: unit, level, overdue.
    """
    rows = conn.execute(
        select(U.c.name, U.c.level, func.count())
        .select_from(P.outerjoin(U, U.c.id == P.c.unit_id))
        .where(
            _where(_overdue_condition(scope.overdue_day), _of_targets_in_scope(P.c.target_id, scope, tree))
        )
        .group_by(U.c.id, U.c.name, U.c.level)
    ).all()
    return _overdue_table(rows)


def visits_by_team(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Visits per team (走访小组) in the range: columns team, visits, visited (met or phone)."""
    ok = func.sum(case((V.c.outcome.in_(VISITED_OUTCOMES), 1), else_=0))
    rows = conn.execute(
        select(TM.c.id, TM.c.name, func.count(), ok)
        .select_from(V.outerjoin(TM, TM.c.id == V.c.team_id))
        .where(_where(_of_targets_in_scope(V.c.target_id, scope, tree), *_between(V.c.visited_at, scope)))
        .group_by(TM.c.id, TM.c.name)
    ).all()
    df = pd.DataFrame(
        {
            "team_id": pd.Series([None if tid is None else int(tid) for tid, *_ in rows], dtype=object),
            "team": [name or NO_TEAM for _, name, _, _ in rows],
            "visits": np.array([int(n) for *_, n, _ in rows], np.int64),
            "visited": np.array([int(k or 0) for *_, k in rows], np.int64),
        }
    )
    return df.sort_values(["visits", "team"], ascending=[False, True], ignore_index=True)


def visits_by_session(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Visits per session (走访时段) of their round, plus one row for visits outside every session.

    Columns: session_id (None for the outside row), label, start, visits. In time order.
    """
    # a small scope is fastest driven by its targets' visits, a large one by each session's time range
    by_target = _small_scope(scope, tree)
    base = _where(
        _of_targets_in_scope(V.c.target_id, scope, tree, use_index=by_target),
        *_between(V.c.visited_at, scope),
    )
    # one count per session through the visited_at index; `round_id + 0` keeps SQLite from
    # walking the whole round through the round_id index instead
    inside = and_(V.c.visited_at >= S.c.start, V.c.visited_at <= S.c.end, (V.c.round_id + 0) == S.c.round_id)
    per_session = select(func.count()).where(inside, base).correlate(S).scalar_subquery()
    rows = conn.execute(select(S.c.id, S.c.label, S.c.start, per_session).order_by(S.c.start, S.c.id)).all()
    total = conn.execute(select(func.count()).select_from(V).where(base)).scalar()
    # a round's sessions do not overlap (schedule.py makes them so): the rest is outside them
    in_sessions = sum(int(r[3]) for r in rows)
    data = [(int(sid), label or "", start, int(n)) for sid, label, start, n in rows if n]
    df = pd.DataFrame(data, columns=["session_id", "label", "start", "visits"]).astype(
        {"session_id": "object"}
    )
    outside = int(total or 0) - int(in_sessions or 0)
    if outside:
        df.loc[len(df)] = [None, OUTSIDE_SESSIONS, None, outside]
    return df
