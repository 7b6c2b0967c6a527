"""Next-round targets (下一轮走访对象) and creating the round that visits them.

Three rules close the gaps of earlier rounds (无遗漏、无缝隙、无盲区):

- 补课访 makeup: targets never met in person — never visited, or only not home (不在家), refused
  (拒访) or reached by phone (电话走访).
- 重点访 priority: special-group targets (独居老人, 残疾, 困难家庭) not met in person within the last
  ``days`` days.
- 回头访 return: targets with at least ``min_problems`` problems, or any unresolved problem, or a
  resolved problem not yet called back (电话回访).

The per-target facts come from :mod:`gisplanner.campaign.coverage` over every round (so the map's need
flags and these lists agree): a target's result is its strongest outcome (met > moved > refused
> phone > not home), and targets whose result is moved away (已搬离) are left out of every rule.
The rules are pure functions of :class:`Frames`, tested on a hand-built database; :func:`preview` counts per village before :func:`create_round` writes the
round, its Assignment rows (with priority and reason) and its sessions (from the session
templates and holiday calendar, :func:`gisplanner.campaign.schedule.template_specs`) in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select

from gisplanner.progress import Progress, check
from gisplanner.store.area_tree import AreaTree, subtree_ids
from gisplanner.store.database import Store, bulk_insert
from gisplanner.store.model import (
    AREA_LEVEL_ZH,
    ROUND_KIND_ZH,
    SESSION_KINDS,
    SPECIAL_GROUP_TAGS,
    Area,
    Round,
)
from gisplanner.store.vocab import Outcome, ProblemStatus, RoundKind, RoundStatus

KINDS = (RoundKind.MAKEUP, RoundKind.PRIORITY, RoundKind.RETURN)  # the rounds these rules fill


class TargetsError(ValueError):
    """A refused target selection, explained in Chinese."""


@dataclass(frozen=True)
class TargetRules:
    days: int = 30  # 重点访: special groups not met in person within this many days
    min_problems: int = 2  # 回头访: targets with at least this many problems


# -- areas ---------------------------------------------------------------------------------------
def areas_frame(store: Store) -> pd.DataFrame:
    return store.read_frame("SELECT id, code, name, level, parent_id FROM area ORDER BY code")


def villages_under(areas: pd.DataFrame, code: str) -> tuple[pd.Series, list[int]]:
    """The area row for `code` (any level) and the ids of the villages in it (itself if a village)."""
    hit = areas[areas["code"] == str(code)]
    if hit.empty:
        raise TargetsError(f"找不到区划代码 {code}")
    row = hit.iloc[0]
    ids = subtree_ids([int(row["id"])], areas["id"], areas["parent_id"])
    villages = areas[areas["id"].isin(ids) & (areas["level"] == "village")]["id"].astype(int).tolist()
    if row["level"] == "village":
        villages = [int(row["id"])]
    return row, villages


# -- the frames the rules read -----------------------------------------------------------------
@dataclass
class Frames:
    """What the rules read.

    ``targets``: the per-target frame of :mod:`gisplanner.campaign.coverage` over every round (id, area_id,
    special, met, result = strongest outcome or NaN if never visited, never_met, problems,
    open_problems, many_problems, unresolved) plus the tag columns; ``recent_met``: targets met in
    person within the priority window; ``uncalled``: per target, resolved problems not yet called
    back (电话回访).
    """

    targets: pd.DataFrame
    recent_met: set[int]
    uncalled: pd.Series


def load_frames(
    store: Store, village_ids: Iterable[int] | None = None, today: dt.date | None = None,
    rules: TargetRules = TargetRules(),
) -> Frames:  # fmt: skip
    from gisplanner.campaign import coverage as cov

    today = today or dt.date.today()
    rounds = store.read_frame("SELECT id FROM round")["id"].astype(int).tolist()
    inp = cov.load_inputs(store, round_ids=rounds)
    t = cov.compute(inp, today=today, thresholds=cov.NeedThresholds(min_problems=rules.min_problems)).targets
    if village_ids is not None:
        t = t[t["area_id"].isin(list(village_ids))]
    t = t.merge(_special_tags(store), on="id", how="left").sort_values("id").reset_index(drop=True)
    for col in SPECIAL_GROUP_TAGS:
        t[col] = t[col].fillna(False).astype(bool)
    since = dt.datetime.combine(today - dt.timedelta(days=rules.days), dt.time())
    recent = store.read_frame(
        "SELECT DISTINCT target_id FROM visit WHERE outcome = :met AND visited_at >= :since",
        {"since": since, "met": Outcome.MET.value},
    )
    uncalled = store.read_frame(
        "SELECT target_id, COUNT(*) AS n FROM problem WHERE status = :resolved AND callback_at IS NULL "
        "GROUP BY target_id",
        {"resolved": ProblemStatus.RESOLVED.value},
    ).set_index("target_id")["n"]
    return Frames(t, set(recent["target_id"].astype(int)), uncalled)


def _special_tags(store: Store) -> pd.DataFrame:
    """The special-group tag columns of the targets that have one (a tenth of them), read through
    the DBAPI cursor: pandas.read_sql of every target's tags took seconds at 250,000."""
    yes = "1" if store.is_sqlite else "true"
    cols = ", ".join(f"CASE WHEN {c} = {yes} THEN 1 ELSE 0 END" for c in SPECIAL_GROUP_TAGS)
    where = " OR ".join(f"{c} = {yes}" for c in SPECIAL_GROUP_TAGS)
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"SELECT id, {cols} FROM target WHERE {where}")
        rows = cur.fetchall()
    finally:
        raw.close()
    a = np.array(rows, dtype=np.int64).reshape(-1, 1 + len(SPECIAL_GROUP_TAGS))
    return pd.DataFrame(
        {"id": a[:, 0], **{c: a[:, i + 1].astype(bool) for i, c in enumerate(SPECIAL_GROUP_TAGS)}}
    )


def _not_moved(t: pd.DataFrame) -> pd.Series:
    return t["result"].astype(object) != Outcome.MOVED


def _result(ids, priority, reason) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "target_id": np.asarray(ids, dtype=np.int64),
            "priority": np.asarray(priority, int),
            "reason": list(reason),
        }
    )


# -- the three rules -----------------------------------------------------------------------------
_MAKEUP = {
    Outcome.NOT_HOME: (2, "未见面：不在家"),
    Outcome.REFUSED: (1, "未见面：拒访"),
    Outcome.PHONE: (1, "仅电话走访"),
}


def makeup_targets(f: Frames) -> pd.DataFrame:
    """补课访: never met in person (coverage's ``never_met``; moved-away targets are not in it).
    Priority 3 never visited, 2 not home, 1 refused / phone only; special groups +2."""
    t = f.targets[f.targets["never_met"].astype(bool)]
    res = t["result"].astype(object)
    base = res.map(lambda r: _MAKEUP.get(r, (3, "从未走访")) if isinstance(r, str) else (3, "从未走访"))
    sp = t["special"].astype(bool).to_numpy()
    prio = np.array([b[0] for b in base], int) + np.where(sp, 2, 0)
    reason = np.char.add(np.array([b[1] for b in base], dtype=str), np.where(sp, "（特殊群体）", ""))
    return _result(t["id"], prio, reason.tolist())


def priority_targets(f: Frames, days: int = 30) -> pd.DataFrame:
    """重点访: special-group targets not met in person within the last ``days`` days.
    Priority 3 for elderly living alone, else 2; +1 if never met at all."""
    t = f.targets
    t = t[t["special"].astype(bool) & _not_moved(t) & ~t["id"].isin(list(f.recent_met))]
    labels = {"elderly_alone": "独居老人", "disabled": "残疾", "hardship": "困难家庭"}
    tags = np.full(len(t), "", dtype=object)
    for col, zh in labels.items():
        on = t[col].fillna(False).astype(bool).to_numpy()
        tags = np.where(on, np.where(tags == "", zh, tags + "、" + zh), tags)
    never = ~t["met"].astype(bool).to_numpy()
    elderly = t["elderly_alone"].fillna(False).astype(bool).to_numpy()
    prio = np.where(elderly, 3, 2) + never.astype(int)
    reason = tags + np.where(never, "：从未见面", f"：{days}天内未见面")
    return _result(t["id"], prio, list(reason))


def return_targets(f: Frames) -> pd.DataFrame:
    """回头访: coverage's return targets (≥ min_problems problems, or any unresolved) plus targets
    with a resolved problem not yet called back; moved-away targets left out.
    Priority: 2 if unresolved + 1 if not called back + 1 if many problems."""
    t = f.targets
    uncalled = t["id"].map(f.uncalled).fillna(0).astype(int)
    keep = (t["many_problems"].astype(bool) | t["unresolved"].astype(bool) | (uncalled > 0)) & _not_moved(t)
    t, uncalled = t[keep], uncalled[keep]
    reasons = []
    for n, o, u in zip(t["problems"], t["open_problems"], uncalled, strict=True):
        parts = [f"问题{n}个"]
        if o:
            parts.append(f"未办结{o}个")
        if u:
            parts.append(f"已解决未回访{u}个")
        reasons.append("，".join(parts))
    prio = 2 * t["unresolved"].astype(int) + (uncalled > 0).astype(int) + t["many_problems"].astype(int)
    return _result(t["id"], prio.to_numpy(), reasons)


def select_targets(f: Frames, kind: str, rules: TargetRules = TargetRules()) -> pd.DataFrame:
    if kind == RoundKind.MAKEUP:
        return makeup_targets(f)
    if kind == RoundKind.PRIORITY:
        return priority_targets(f, rules.days)
    if kind == RoundKind.RETURN:
        return return_targets(f)
    raise TargetsError(f"未知的走访类型：{kind}（可选：makeup 补课访 / priority 重点访 / return 回头访）")


# -- preview and creation ----------------------------------------------------------------------
@dataclass
class Preview:
    kind: str
    scope_area_id: int | None
    scope_name: str
    targets: pd.DataFrame  # target_id, priority, reason, area_id, area_code
    per_area: pd.DataFrame  # area_code, area_name, n (villages with at least one target)

    @property
    def total(self) -> int:
        return len(self.targets)

    def per_area_dict(self) -> dict[str, int]:
        return {str(c): int(n) for c, n in zip(self.per_area["area_code"], self.per_area["n"], strict=True)}


def preview(
    store: Store,
    kind: str,
    *,
    area_code: str | None = None,
    target_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
    rules: TargetRules = TargetRules(),
    progress: Progress | None = None,
) -> Preview:
    """The targets a new round of `kind` would get, and their count per village."""
    if kind not in KINDS:
        raise TargetsError(f"未知的走访类型：{kind}（可选：makeup 补课访 / priority 重点访 / return 回头访）")
    check(progress, 0.0, "读取走访记录")
    areas = areas_frame(store)
    scope_id, scope_name, villages = None, "全部区域", None
    if area_code:
        row, villages = villages_under(areas, area_code)
        scope_id, scope_name = int(row["id"]), str(row["name"])
    frames = load_frames(store, villages, today, rules)
    if target_ids is not None:
        keep = set(int(x) for x in target_ids)
        frames.targets = frames.targets[frames.targets["id"].isin(keep)].reset_index(drop=True)
    check(progress, 0.5, "筛选对象")
    sel = select_targets(frames, kind, rules)
    area_of = frames.targets.set_index("id")["area_id"]
    sel["area_id"] = sel["target_id"].map(area_of).astype("Int64")
    code_of = areas.set_index("id")["code"]
    name_of = areas.set_index("id")["name"]
    sel["area_code"] = sel["area_id"].map(code_of)
    per = sel.groupby("area_code").size().rename("n").reset_index()
    per["area_name"] = per["area_code"].map(areas.set_index("code")["name"])
    per = per[["area_code", "area_name", "n"]].sort_values("area_code").reset_index(drop=True)
    if scope_id is None and target_ids is not None and len(sel):
        scope_id = AreaTree(areas).common_ancestor(sel["area_id"].dropna().astype(int).unique().tolist())
        scope_name = str(name_of.get(scope_id, "所选对象")) if scope_id else "所选对象"
    check(progress, 1.0, "完成")
    return Preview(kind, scope_id, scope_name, sel, per)


@dataclass
class CreatedRound:
    round_id: int
    name: str
    kind: str
    targets: int
    per_area: dict[str, int] = field(default_factory=dict)
    sessions: int = 0


def create_round(
    store: Store,
    kind: str,
    *,
    area_code: str | None = None,
    target_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
    rules: TargetRules = TargetRules(),
    name: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    preview_result: Preview | None = None,
    progress: Progress | None = None,
) -> CreatedRound:
    """Create the round (planning), its Assignment rows and its sessions, in one transaction."""
    from gisplanner.campaign.schedule import create_sessions, template_specs

    today = today or dt.date.today()
    pv = preview_result or preview(
        store, kind, area_code=area_code, target_ids=target_ids, today=today, rules=rules, progress=progress
    )
    if pv.total == 0:
        raise TargetsError(f"{pv.scope_name}没有需要{ROUND_KIND_ZH[kind]}的对象，未创建轮次")
    start = start or today + dt.timedelta(days=1)
    end = end or start + dt.timedelta(days=13)
    if end < start:
        raise TargetsError(f"结束日期 {end} 早于开始日期 {start}")
    name = name or f"{start:%Y年%m月}{ROUND_KIND_ZH[kind]}（{pv.scope_name}）"
    with store.session() as s:
        parent = s.scalar(
            select(Round.id).where(Round.status != RoundStatus.PLANNING).order_by(Round.id.desc()).limit(1)
        )
        rnd = Round(
            name=name, kind=kind, status=RoundStatus.PLANNING, scope_area_id=pv.scope_area_id,
            start_date=start, end_date=end, parent_round_id=parent,
        )  # fmt: skip
        s.add(rnd)
        s.flush()
        rows = pd.DataFrame(
            {"round_id": rnd.id, "target_id": pv.targets["target_id"].astype(int), "team_id": None,
             "priority": pv.targets["priority"].astype(int), "reason": pv.targets["reason"].str.slice(0, 100)}
        )  # fmt: skip
        bulk_insert(s.connection(), "assignment", rows)
        specs, _ = template_specs(s, start, end, SESSION_KINDS)
        sessions = create_sessions(s, rnd.id, specs)
        rid, nsess = rnd.id, len(sessions)
    return CreatedRound(rid, name, kind, pv.total, pv.per_area_dict(), nsess)


def scope_label(store: Store, area_code: str | None) -> str:
    if not area_code:
        return "全部区域"
    with store.session() as s:
        a = s.scalar(select(Area).where(Area.code == area_code))
        return f"{a.name}（{AREA_LEVEL_ZH.get(a.level, a.level)}）" if a else area_code
