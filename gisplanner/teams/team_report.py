"""Teams you can read (队伍明细): each team's members with gender, age band and local/not, the
三搭配 rules it meets or breaks, and the sessions all its members can do.

``round_team_report(store, round_id, rules)`` -> team id -> :class:`TeamReport`;
``failing_teams(reports)`` names the teams that break each rule (e.g. which six teams cannot be
男女搭配); ``natural_key`` sorts 第2组 before 第10组.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from gisplanner.store.model import Cadre, Team, TeamMember, VisitSession
from gisplanner.teams.formation import (
    BAND_ZH,
    CadreInfo,
    FormationRules,
    evaluate_team,
    round_cadres,
)

GENDER_ZH = {"M": "男", "F": "女"}


def natural_key(name: str) -> tuple:
    """Sort key that compares the numbers in a name as numbers (第2组 < 第10组)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", name or "") if p)


@dataclass
class MemberRow:
    name: str
    gender: str  # 男 / 女
    band: str  # 青年 / 中年 / 老年
    local: bool
    leader: bool


@dataclass
class TeamReport:
    team_id: int
    name: str
    members: list[MemberRow] = field(default_factory=list)
    met: list[str] = field(default_factory=list)  # rule keys (teams.RULE_ZH)
    failed: list[str] = field(default_factory=list)
    shared: int | None = None  # sessions every member can do (None: availability unknown)
    shared_labels: list[str] = field(default_factory=list)


def _session_label(row) -> str:
    from gisplanner.campaign.schedule import WEEKDAY_ZH

    return f"{row.start:%m-%d} {WEEKDAY_ZH[row.start.weekday()]} {row.start:%H:%M}-{row.end:%H:%M}"


def round_team_report(store, round_id: int, rules: FormationRules | None = None) -> dict[int, TeamReport]:
    rules = rules or FormationRules()
    with store.session() as s:
        try:
            infos, _prev = round_cadres(s, round_id)
        except Exception:  # noqa: BLE001 - a round the formation cannot read: members only
            infos = []
        by_id = {c.id: c for c in infos}
        rows = s.execute(
            select(Team.id, Team.name, TeamMember.cadre_id, TeamMember.role)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.round_id == round_id)
            .order_by(Team.id, TeamMember.id)
        ).all()
        names = dict(s.execute(select(Team.id, Team.name).where(Team.round_id == round_id)).all())
        missing = {cid for _t, _n, cid, _r in rows if cid not in by_id}
        for c in s.scalars(select(Cadre).where(Cadre.id.in_(missing))) if missing else []:
            # a member no longer available for the round: shown, sessions unknown
            by_id[c.id] = CadreInfo(
                c.id, c.name, c.gender, c.birth_year, bool(c.is_local), (), bool(c.is_leader)
            )
        labels = {
            r.id: f"{_session_label(r)} {(r.label or '').strip()}".strip()
            for r in s.scalars(
                select(VisitSession).where(VisitSession.round_id == round_id).order_by(VisitSession.start)
            )
        }
    members: dict[int, list[tuple[CadreInfo, bool]]] = {tid: [] for tid in names}
    for tid, _name, cid, role in rows:
        members[tid].append((by_id[cid], role == "leader"))
    out: dict[int, TeamReport] = {}
    for tid, name in names.items():
        team = sorted(members[tid], key=lambda m: not m[1])  # the leader first
        infos_t = [c for c, _lead in team]
        rep = TeamReport(tid, name)
        rep.members = [
            MemberRow(
                c.name, GENDER_ZH.get(c.gender, c.gender), BAND_ZH[rules.band(c.birth_year)], c.is_local, lead
            )
            for c, lead in team
        ]
        if infos_t:
            ev = evaluate_team(infos_t, rules)
            rep.met, rep.failed = list(ev.rules_met), list(ev.rules_failed)
            sets = [c.sessions for c in infos_t]
            if all(x is not None for x in sets):
                common = frozenset.intersection(*sets)
                rep.shared = len(common)
                rep.shared_labels = [text for i, text in labels.items() if i in common]
        out[tid] = rep
    return out


def failing_teams(reports: dict[int, TeamReport]) -> dict[str, list[str]]:
    """Rule -> the names of the teams that break it, in natural order."""
    out: dict[str, list[str]] = {}
    for rep in sorted(reports.values(), key=lambda r: natural_key(r.name)):
        for rule in rep.failed:
            out.setdefault(rule, []).append(rep.name)
    return out
