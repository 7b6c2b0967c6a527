"""User scopes (权限范围): an official is bound to an area and works inside it.

A town official (镇/街道) sees and edits the villages of that town only; a district or city
official sees roll-ups of everything below and can drill down to any area under them. The
limit is enforced where the data is read and written, not by hiding widgets:

- reads: :class:`UserScope` yields the village ids under its area; the store's queries take a
  ``scope`` (``store.targets_frame(scope=...)``) and :meth:`UserScope.where` filters any query;
- writes: :func:`guard_session` refuses, at flush time, any insert, change or deletion of a
  row that lies outside the scope (a target, visit, problem, assignment, cadre, round …);
- on PostgreSQL the server can enforce it too (``gisplanner.store.pg.enable_row_level_security``).

Bindings live in the database's ``setting`` table (key ``scope:<user>``, value the area id),
so every client of a shared database agrees on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from gisplanner.store.area_tree import AreaTree
from gisplanner.store.database import Store, StoreError
from gisplanner.store.model import (
    AREA_LEVEL_ZH,
    CLOSED_STATUSES,
    Area,
    Assignment,
    Cadre,
    Problem,
    ProblemEvent,
    Round,
    Setting,
    Target,
    Team,
    Visit,
)
from gisplanner.store.vocab import Outcome, TargetKind

SETTING_PREFIX = "scope:"
CHILD_LEVEL = {"city": "district", "district": "town", "town": "village"}


class ScopeError(StoreError):
    """Something outside the user's area was asked for; the message says what and whose."""


# -- the scope ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class UserScope:
    """权限范围: the area a user works in, with every area and village below it (what a signed-in
    official may see and change; not :class:`gisplanner.reporting.stats.Scope`, what a set of figures covers)."""

    area_id: int
    level: str
    name: str
    area_ids: frozenset[int]  # the area and everything below it
    village_ids: frozenset[int]  # the villages (村/社区) below it: targets belong to these
    user: str | None = None

    @classmethod
    def for_area(
        cls, store: Store, area_id: int, user: str | None = None, *, tree: AreaTree | None = None
    ) -> UserScope:
        idx = tree or AreaTree.load(store, whole=True)
        if area_id not in idx.frame.index:
            raise ScopeError(f"找不到编号为 {area_id} 的行政区划")
        below = idx.descendants(area_id)
        levels = idx.frame.loc[below, "level"]
        row = idx.frame.loc[area_id]
        return cls(
            area_id=int(area_id),
            level=str(row["level"]),
            name=str(row["name"]),
            area_ids=frozenset(int(a) for a in below),
            village_ids=frozenset(int(a) for a in levels.index[levels == "village"]),
            user=user,
        )

    @classmethod
    def for_code(cls, store: Store, code: str, user: str | None = None) -> UserScope:
        with store.session() as s:
            aid = s.scalar(select(Area.id).where(Area.code == code))
        if aid is None:
            raise ScopeError(f"找不到行政区划代码 {code}")
        return cls.for_area(store, aid, user)

    @classmethod
    def for_user(cls, store: Store, user: str) -> UserScope:
        """The scope a user is bound to (:func:`gisplanner.access.roles.bind_user`); refused when the user has none."""
        with store.session() as s:
            value = s.scalar(select(Setting.value).where(Setting.key == SETTING_PREFIX + user))
        if value is None:
            raise ScopeError(f"用户 {user} 尚未绑定管辖区域，请管理员先分配区域")
        return cls.for_area(store, int(value), user)

    # -- what is inside ------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"{AREA_LEVEL_ZH.get(self.level, self.level)}「{self.name}」"

    def sorted_villages(self) -> list[int]:
        return sorted(self.village_ids)

    def covers_area(self, area_id: int | None) -> bool:
        return area_id is not None and int(area_id) in self.area_ids

    def where(self, area_column=Target.area_id):
        """A WHERE condition keeping rows whose village column lies in the scope."""
        return area_column.in_(self.sorted_villages())

    def target_ids_subquery(self):
        """SELECT of the target ids in the scope (for visit/problem/assignment queries)."""
        return select(Target.id).where(self.where())

    # -- drill down ----------------------------------------------------------------------------
    def children(self, store: Store) -> list[UserScope]:
        """The areas one level down (district → towns …), each as its own scope."""
        idx = AreaTree.load(store, whole=True)
        return [UserScope.for_area(store, a, self.user, tree=idx) for a in idx.kids(self.area_id)]

    def drill_down(self, store: Store, area_id: int) -> UserScope:
        """A narrower scope for an area under this one; refused for an area outside it."""
        if not self.covers_area(area_id):
            idx = AreaTree.load(store, whole=True)
            what = idx.label(area_id) if area_id in idx.frame.index else f"区域 {area_id}"
            raise ScopeError(f"{what} 不在您的管辖范围{self.label}内")
        return UserScope.for_area(store, area_id, self.user)


# -- bindings -------------------------------------------------------------------------------------
_USER_NAME = re.compile(r"^[\w.@-]{1,63}$")


def check_user_name(store: Store, user: str) -> None:  # noqa: ARG001 - the store: room for a role check
    """A login or PostgreSQL role name: letters (any script), digits, `_ . @ -`, at most 63 — no
    blanks, quotes, SQL or invisible characters that no login can have."""
    if not user or not user.strip():
        raise ScopeError("用户名不能为空")
    if not _USER_NAME.match(user):
        raise ScopeError(
            f"用户名“{user!r}”不合规：只能用字母、汉字、数字和 _ . @ -，不含空格或不可见字符，最长 63 个字符"
        )


def bound_users(store: Store) -> dict[str, int]:
    """user -> area id of every binding."""
    with store.session() as s:
        rows = s.execute(
            select(Setting.key, Setting.value).where(Setting.key.like(SETTING_PREFIX + "%"))
        ).all()
    return {k.removeprefix(SETTING_PREFIX): int(v) for k, v in rows}


# -- writes: refuse anything outside the scope ------------------------------------------------
def _target_villages(session: Session, target_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted({int(t) for t in target_ids if t is not None})
    if not ids:
        return {}
    with session.no_autoflush:
        rows = session.execute(select(Target.id, Target.area_id).where(Target.id.in_(ids))).all()
    return dict(rows)


def _original(obj, attr: str):
    """The value an attribute had when loaded (before this session changed it)."""
    from sqlalchemy import inspect

    hist = inspect(obj).attrs[attr].history
    if hist.deleted:
        return hist.deleted[0]
    return getattr(obj, attr)


def _problem_target(session: Session, problem_id: int | None) -> int | None:
    if problem_id is None:
        return None
    with session.no_autoflush:
        return session.scalar(select(Problem.target_id).where(Problem.id == problem_id))


def check_objects(session: Session, scope: UserScope, objects: Iterable, *, verb: str = "修改") -> None:
    """Raise :class:`ScopeError` if any ORM object lies outside the scope."""
    objects = list(objects)
    target_refs: list[tuple[object, int | None]] = []
    for obj in objects:
        if isinstance(obj, Target):
            for aid in {obj.area_id, _original(obj, "area_id")}:
                if aid is not None and aid not in scope.village_ids:
                    raise ScopeError(f"不能{verb}「{obj.name}」：它不在您的管辖范围{scope.label}内")
        elif isinstance(obj, Visit | Problem | Assignment):
            target_refs.append((obj, obj.target_id))
        elif isinstance(obj, ProblemEvent):
            pid = obj.problem_id if obj.problem_id is not None else getattr(obj.problem, "id", None)
            tid = obj.problem.target_id if obj.problem is not None else _problem_target(session, pid)
            target_refs.append((obj, tid))
        elif isinstance(obj, Area):
            if (
                obj.id is not None
                and obj.id not in scope.area_ids
                or (obj.id is None and obj.parent_id not in scope.area_ids)
            ):
                raise ScopeError(f"不能{verb}区域「{obj.name}」：它不在您的管辖范围{scope.label}内")
        elif isinstance(obj, Cadre | Round | Team):
            aid = {Cadre: "area_id", Round: "scope_area_id", Team: "office_area_id"}[type(obj)]
            area = getattr(obj, aid)
            if area is not None and area not in scope.area_ids:
                raise ScopeError(f"不能{verb}「{obj.name}」：它属于您的管辖范围{scope.label}以外的区域")
    villages = _target_villages(session, [t for _, t in target_refs])
    for obj, tid in target_refs:
        if tid is None:
            continue
        village = villages.get(int(tid))
        if village is None:  # a target created in this same flush
            new = next((o for o in objects if isinstance(o, Target) and o.id == tid), None)
            village = new.area_id if new is not None else None
        if village not in scope.village_ids:
            what = {Visit: "走访记录", Problem: "问题", Assignment: "走访安排", ProblemEvent: "问题办理记录"}
            raise ScopeError(
                f"不能{verb}{what.get(type(obj), '记录')}（对象编号 {tid}）：它不在您的管辖范围{scope.label}内"
            )


def guard_session(session: Session, scope: UserScope) -> Session:
    """Make a session refuse, at flush, every write outside the scope (the whole unit rolls back)."""

    @event.listens_for(session, "before_flush")
    def _check(sess, _ctx, _instances):
        check_objects(sess, scope, list(sess.new), verb="新增")
        check_objects(sess, scope, [o for o in sess.dirty if sess.is_modified(o)], verb="修改")
        check_objects(sess, scope, list(sess.deleted), verb="删除")

    session.info["scope"] = scope
    return session


# -- roll-ups for district and city officials (aggregated in SQL) ------------------------------------
def rollup(
    store: Store, scope: UserScope, round_id: int | None = None, level: str | None = None
) -> pd.DataFrame:
    """Coverage and problems per area one level below the scope (or at `level`), summed in SQL.

    Columns: area_id, code, name, level, targets, households, visited (targets with any visit),
    met (met in person), coverage (visited / targets), met_rate, open_problems. `round_id`
    limits the visits to one round. Only figures, no personal rows: what a district or city
    official sees before drilling down.
    """
    idx = AreaTree.load(store, whole=True)
    level = level or CHILD_LEVEL.get(scope.level, scope.level)
    groups = [a for a in scope.area_ids if idx.frame.at[a, "level"] == level]
    village_group: dict[int, int] = {}
    for g in groups:
        for a in idx.descendants(g):
            if a in scope.village_ids:
                village_group[a] = g
    everything = len(scope.village_ids) == int((idx.frame["level"] == "village").sum())
    villages = ",".join(str(v) for v in sorted(scope.village_ids)) or "-1"
    area_filter = "" if everything else f" AND t.area_id IN ({villages})"
    visit_filter = (
        ""
        if everything
        else f" AND v.target_id IN (SELECT t.id FROM target t WHERE t.area_id IN ({villages}))"
    )
    params: dict = {}
    round_filter = ""
    if round_id is not None:
        round_filter = " AND v.round_id = :round_id"
        params["round_id"] = int(round_id)
    closed = ",".join(f"'{c}'" for c in CLOSED_STATUSES)
    if everything:  # scan the problems, look up their targets (not the other way round)
        problem_sql = (
            "SELECT t.area_id, COUNT(*) AS open_problems FROM problem p CROSS JOIN target t "
            f"WHERE t.id = p.target_id AND p.status NOT IN ({closed}) GROUP BY t.area_id"
        )
    else:
        problem_sql = (
            "SELECT t.area_id, COUNT(*) AS open_problems FROM problem p JOIN target t ON t.id = p.target_id "
            f"WHERE p.status NOT IN ({closed}){area_filter} GROUP BY t.area_id"
        )
    with store.engine.connect() as conn:
        is_pg = conn.dialect.name == "postgresql"
        if is_pg:
            # JIT compilation costs more than it saves on these sub-second aggregates
            conn.execute(text("SET LOCAL jit = off"))
            conn.execute(text("SET LOCAL work_mem = '64MB'"))
        counts = pd.read_sql(
            text(
                "SELECT t.area_id, COUNT(*) AS targets, "
                f"SUM(CASE WHEN t.kind = '{TargetKind.HOUSEHOLD.value}' THEN 1 ELSE 0 END) AS households "
                f"FROM target t WHERE 1 = 1{area_filter} GROUP BY t.area_id"
            ),
            conn,
        )
        if is_pg and everything:
            # visits grouped by target and the targets both come in id order from their indexes:
            # a merge join streams them (≈3x less work than hashing two million targets)
            conn.execute(text("SET LOCAL enable_hashjoin = off"))
        visits = pd.read_sql(
            text(
                "SELECT t.area_id, COUNT(*) AS visited, SUM(x.met) AS met FROM ("
                f"  SELECT v.target_id, MAX(CASE WHEN v.outcome = '{Outcome.MET.value}' THEN 1 ELSE 0 END) AS met"
                f"  FROM visit v WHERE 1 = 1{round_filter}{visit_filter} GROUP BY v.target_id"
                ") x JOIN target t ON t.id = x.target_id GROUP BY t.area_id"
            ),
            conn,
            params=params,
        )
        if is_pg and everything:
            conn.execute(text("SET LOCAL enable_hashjoin = on"))
        problems = pd.read_sql(text(problem_sql), conn)
    per_village = counts.merge(visits, on="area_id", how="left").merge(problems, on="area_id", how="left")
    per_village = per_village.fillna(0)
    per_village["group"] = per_village["area_id"].map(village_group)
    per_village = per_village.dropna(subset=["group"])
    cols = ["targets", "households", "visited", "met", "open_problems"]
    summed = per_village.groupby("group")[cols].sum()
    out = idx.frame.loc[groups, ["code", "name", "level"]].copy()
    out = out.join(summed).fillna(0)
    for c in cols:
        out[c] = out[c].astype(np.int64)
    denom = out["targets"].where(out["targets"] > 0)
    out["coverage"] = (out["visited"] / denom).fillna(0.0)
    out["met_rate"] = (out["met"] / denom).fillna(0.0)
    out.index.name = "area_id"
    return out.reset_index().sort_values("code", ignore_index=True)
