"""Problems for the register / hand-down form, the problems panel and the deadline rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import inspect, select

from gisplanner.campaign.problems import (
    DeadlineRules,
    EscalationRun,
    create_problem,
    escalate_overdue,
    hand_down,
    history,
)
from gisplanner.store.model import Problem, Target, Unit


@dataclass
class ProblemForm:
    """What the register / hand-down form opens with."""

    units: list[tuple[int, str, str]]  # (id, name, level) by level and name
    rules: DeadlineRules
    who: str  # the target's name
    category: str
    description: str
    handling: str
    unit_id: int | None
    version: int | None = None  # an existing problem's version, and its row as seen
    seen: dict | None = None


def problem_form(store, *, target_id: int | None = None, problem_id: int | None = None) -> ProblemForm:
    """The form of a new problem of `target_id`, or of the existing problem `problem_id`."""
    with store.session() as s:
        units = [(u.id, u.name, u.level) for u in s.scalars(select(Unit).order_by(Unit.level, Unit.name))]
        rules = DeadlineRules.load(s)
        if problem_id is not None:
            p = s.get(Problem, problem_id)
            return ProblemForm(units, rules, p.target.name, p.category, p.description, p.handling, p.unit_id,
                               p.version, {a.key: getattr(p, a.key) for a in inspect(Problem).column_attrs})  # fmt: skip
        return ProblemForm(units, rules, s.get(Target, target_id).name, "other", "", "self", None)


def register_problem(
    store,
    *,
    target_id: int,
    category: str,
    description: str,
    actor: str,
    handling: str = "self",
    unit_id: int | None = None,
    visit_id: int | None = None,
    round_id: int | None = None,
    rules: DeadlineRules | None = None,
) -> int:
    """Register a problem and, unless it is handled by its own level, hand it down at once, in
    one transaction (ProblemError: nothing written). Returns its id."""
    with store.session() as s:
        p = create_problem(
            s, target_id=target_id, category=category, description=description, actor=actor,
            visit_id=visit_id, round_id=round_id, rules=rules,
        )  # fmt: skip
        if handling != "self":
            hand_down(s, p.id, handling=handling, unit_id=unit_id, actor=actor)
        return p.id


def read_history(store, problem_id: int) -> list[dict]:
    """The problem's audit trail (:func:`history`) as dicts: at, actor, action, from_status,
    to_status, note."""
    with store.session() as s:
        return [
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }  # fmt: skip
            for e in history(s, problem_id)
        ]


def read_rules(store) -> DeadlineRules:
    with store.session() as s:
        return DeadlineRules.load(s)


def write_rules(store, rules: DeadlineRules) -> None:
    """Store the deadline rules (ProblemError: nothing written)."""
    with store.session() as s:
        rules.save(s)


def escalate_all_overdue(store, *, actor: str, today: dt.date | None = None) -> EscalationRun:
    """:func:`escalate_overdue` in one transaction of its own."""
    with store.session() as s:
        return escalate_overdue(s, actor=actor, today=today)
