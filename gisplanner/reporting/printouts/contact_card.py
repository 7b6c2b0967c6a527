"""Contact card (走访联系卡): left with each household; business-card size, with a QR code.

The card prints, and its QR code carries as a MECARD, the organisation's contact set for the
team's village (or the area above it) with ``settings contact`` (see :mod:`gisplanner.reporting.printouts.contact`);
there is no default — cards are refused until a contact is set. The team's phone is printed in
full because it is there to be called.
"""

from __future__ import annotations

from dataclasses import dataclass

from gisplanner.progress import Progress, check
from gisplanner.reporting.printouts import details
from gisplanner.reporting.printouts.common import SERVICE_AREAS, PrintContext
from gisplanner.reporting.printouts.contact import Contact, require_contact
from gisplanner.reporting.printouts.plan_order import planned_visits, round_name
from gisplanner.store.database import Store

CARD_MM = (90.0, 54.0)


@dataclass
class ContactCard:
    round_name: str
    team_name: str
    member_names: str
    phone: str
    contact: Contact
    office_name: str
    household: str  # whom the card is for (name), so cards can be handed out in route order
    code: str
    service_areas: tuple[str, ...] = SERVICE_AREAS


def build_contact_cards(
    store: Store, round_id: int, ctx: PrintContext | None = None, *, progress: Progress | None = None
) -> list[ContactCard]:
    """One card per planned visit of the round, in plan order."""
    ctx = ctx or PrintContext()
    rname, _ = round_name(store, round_id)
    plan = planned_visits(store, round_id, ctx.only)
    check(progress, 0.2, "读取小组")
    teams = details.teams(store, {p.team_id for p in plan}, ctx)
    contacts = {tid: require_contact(store, t.office_area_id) for tid, t in teams.items()}
    phones = {tid: details.team_contact_phone(store, tid) for tid in teams}
    tinfo = details.targets(store, [p.target_id for p in plan], ctx)
    return [
        ContactCard(
            round_name=rname,
            team_name=teams[p.team_id].name,
            member_names=teams[p.team_id].member_names,
            phone=phones[p.team_id],
            contact=contacts[p.team_id],
            office_name=teams[p.team_id].office_name,
            household=tinfo[p.target_id].name if p.target_id in tinfo else "",
            code=p.code,
        )  # fmt: skip
        for p in plan
    ]
