"""The printouts a round offers, by the names the CLI and the print panel use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gisplanner.progress import Progress
from gisplanner.reporting.printouts.common import PrintContext
from gisplanner.reporting.printouts.contact_card import build_contact_cards
from gisplanner.reporting.printouts.problem_forms import build_problem_forms
from gisplanner.reporting.printouts.problem_list import build_problem_lists
from gisplanner.reporting.printouts.route_sheet import build_route_sheets
from gisplanner.reporting.printouts.survey_forms import build_household_forms, build_village_forms
from gisplanner.store.database import Store
from gisplanner.store.vocab import PRINTOUT_TITLES as T


@dataclass(frozen=True)
class Printout:
    name: str  # CLI name, e.g. route-sheets
    title: str  # Chinese title for menus and the print log
    build: Callable[[Store, int, PrintContext, Progress | None], list]


def _survey_forms(store, round_id, ctx, progress):
    """Village forms first (one per village), then the household forms in plan order."""
    return [*build_village_forms(store, round_id, ctx, progress=progress),
            *build_household_forms(store, round_id, ctx, progress=progress)]  # fmt: skip


PRINTOUTS = {
    p.name: p
    for p in (
        Printout(
            "route-sheets", T["route-sheets"], lambda s, r, c, pr: build_route_sheets(s, r, c, progress=pr)
        ),
        Printout("survey-forms", T["survey-forms"], _survey_forms),
        Printout(
            "contact-cards", T["contact-cards"], lambda s, r, c, pr: build_contact_cards(s, r, c, progress=pr)
        ),
        Printout(
            "problem-lists", T["problem-lists"], lambda s, r, c, pr: build_problem_lists(s, r, c, progress=pr)
        ),
        Printout(
            "problem-forms",
            T["problem-forms"],
            lambda s, r, c, pr: build_problem_forms(s, c, round_id=r, progress=pr),
        ),
    )
}
