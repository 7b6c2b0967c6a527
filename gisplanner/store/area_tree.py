"""The area tree (市 > 区 > 镇/街道 > 村/社区): the one home of walking it and of its invariants.

Walking the tree — every caller uses these, none walks ``area.parent_id`` itself:

- :class:`AreaTree`: the area table in memory (a few hundred rows even for a city): lookup by
  id and code, children, descendants, ancestors, the ancestor at a level;
- :func:`subtree_ids`: descendants over the area table's id/parent_id columns (vectorised);
- :func:`area_and_below`: descendants read level by level on an open session or connection
  (for a transaction that must see its own writes).

On PostgreSQL, row-level security needs the same walks on the server:
``gisplanner.store.pg.enable_row_level_security`` creates SQL functions that mirror
:func:`area_and_below` and :meth:`AreaTree.ancestors` (see ``gisplanner.store.pg.SCOPE_SQL``).

Invariants, checked in one place for every writer:

- no cycles: following `parent_id` from any area ends at a root;
- levels consistent: a parent is on a higher level than its child (city > district > town >
  village; a level may be skipped, e.g. a village directly under a district office);
- an area's level is never changed by an import unless asked for explicitly.

Writers call :func:`check_tree` inside their transaction, after their changes and before the
commit; a violation raises :class:`AreaTreeError` and the transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import select

from gisplanner.store.model import AREA_LEVEL_ZH, Area

LEVEL_RANK = {"city": 0, "district": 1, "town": 2, "village": 3}


class AreaTreeError(ValueError):
    """The change would break the area tree; the message names the areas involved."""


def _label(code: str, name: str) -> str:
    return f"{code}（{name}）"


def tree_problems(rows) -> list[str]:
    """Violations in (id, code, name, level, parent_id) rows, one line each (empty: a sound tree)."""
    by_id = {int(r[0]): (str(r[1]), str(r[2]), str(r[3]), None if r[4] is None else int(r[4])) for r in rows}
    problems: list[str] = []
    for aid, (code, name, level, parent) in by_id.items():
        if level not in LEVEL_RANK:
            problems.append(f"区域 {_label(code, name)} 的级别“{level}”无效")
            continue
        if parent is None:
            continue
        if parent == aid:
            problems.append(f"区域 {_label(code, name)} 的上级是它自己")
            continue
        if parent not in by_id:
            problems.append(f"区域 {_label(code, name)} 的上级（编号 {parent}）不存在")
            continue
        pcode, pname, plevel, _ = by_id[parent]
        if LEVEL_RANK.get(plevel, 99) >= LEVEL_RANK[level]:
            problems.append(
                f"区域 {_label(code, name)}（{AREA_LEVEL_ZH.get(level, level)}）的上级 "
                f"{_label(pcode, pname)} 是{AREA_LEVEL_ZH.get(plevel, plevel)}，级别应高于下级"
            )
    # cycles: with ranks strictly increasing downwards none can exist, but a bad level may hide one
    for start in by_id:
        seen = {start}
        cur = by_id[start][3]
        while cur is not None and cur in by_id:
            if cur in seen:
                code, name = by_id[start][:2]
                problems.append(f"区域 {_label(code, name)} 的上级关系有环")
                break
            seen.add(cur)
            cur = by_id[cur][3]
    return problems


def check_tree(conn) -> None:
    """Raise AreaTreeError when the areas visible on `conn` (inside the writer's transaction) are
    not a sound tree."""
    tbl = Area.__table__
    rows = conn.execute(select(tbl.c.id, tbl.c.code, tbl.c.name, tbl.c.level, tbl.c.parent_id)).all()
    problems = tree_problems(rows)
    if problems:
        more = f"（另有 {len(problems) - 5} 处）" if len(problems) > 5 else ""
        raise AreaTreeError("行政区划树不一致，未写入：" + "；".join(problems[:5]) + more)


def check_level_change(code: str, name: str, old: str, new: str, *, allowed: bool) -> None:
    """An existing area keeps its level unless the caller explicitly allows the change."""
    if old == new or allowed:
        return
    raise AreaTreeError(
        f"区域 {_label(code, name)} 已是{AREA_LEVEL_ZH.get(old, old)}，此次按"
        f"{AREA_LEVEL_ZH.get(new, new)}导入；级别不会被悄悄改变——请检查 --level"
        f"（确需改变级别时加 --relevel）"
    )


def can_be_parent(parent_level: str, child_level: str) -> bool:
    return LEVEL_RANK.get(parent_level, 99) < LEVEL_RANK.get(child_level, -1)


def _after_flush(session, _context) -> None:
    """ORM writers (editing dialogs, digitising): the tree is checked after every flush that
    touched an area, inside the same transaction, so a bad change never commits."""
    if any(isinstance(o, Area) for o in (*session.new, *session.dirty)):
        check_tree(session.connection())


def install_orm_guard() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


# -- walking the tree ---------------------------------------------------------------------------
class AreaTree:
    """The area table in memory (without boundaries): codes, names, levels, children.

    ``frame`` is indexed by id and has the columns id, code, name, level, parent_id; children
    are listed in code order. A cycle in ``parent_id`` (which :func:`check_tree` keeps out) never
    hangs a walk.
    """

    def __init__(self, frame: pd.DataFrame):
        frame = frame.copy()
        frame["parent_id"] = frame["parent_id"].astype("Int64")
        self.frame = frame.set_index("id", drop=False)
        self.by_code = dict(zip(frame["code"], frame["id"], strict=True))
        self.children: dict[int | None, list[int]] = {}
        for aid, parent in zip(frame["id"], frame["parent_id"], strict=True):
            key = None if pd.isna(parent) else int(parent)
            self.children.setdefault(key, []).append(int(aid))
        for kids in self.children.values():
            kids.sort(key=lambda i: self.frame.at[i, "code"])

    @classmethod
    def load(cls, conn_or_store, *, whole: bool = False) -> AreaTree:
        """The area table from a connection or a store. From a store with a signed-in user
        (``store.bound_scope``) the user's area is the root, nothing above or beside it, unless
        ``whole`` (the user scopes themselves are computed on the whole tree)."""
        tbl = Area.__table__
        q = select(tbl.c.id, tbl.c.code, tbl.c.name, tbl.c.level, tbl.c.parent_id).order_by(tbl.c.code)
        if not hasattr(conn_or_store, "read_frame"):
            return cls(pd.read_sql(q, conn_or_store))
        scope = None if whole else conn_or_store.bound_scope
        if scope is None:
            return cls(conn_or_store.read_frame(q))
        df = conn_or_store.read_frame(q.where(tbl.c.id.in_(sorted(scope.area_ids))))
        df.loc[df["id"] == scope.area_id, "parent_id"] = None
        return cls(df)

    def __contains__(self, aid) -> bool:
        return aid in self.frame.index

    def id_of(self, code: str) -> int:
        try:
            return int(self.by_code[code])
        except KeyError:
            raise ValueError(f"找不到行政区划代码 {code}") from None

    def name(self, aid: int) -> str:
        return str(self.frame.at[aid, "name"])

    def code(self, aid: int) -> str:
        return str(self.frame.at[aid, "code"])

    def level(self, aid: int) -> str:
        return str(self.frame.at[aid, "level"])

    def parent(self, aid: int) -> int | None:
        p = self.frame.at[aid, "parent_id"]
        return None if pd.isna(p) else int(p)

    def label(self, aid: int) -> str:
        """e.g. 镇「湖塘镇」."""
        level = self.level(aid)
        return f"{AREA_LEVEL_ZH.get(level, level)}「{self.name(aid)}」"

    def roots(self) -> list[int]:
        return list(self.children.get(None, []))

    def kids(self, aid: int) -> list[int]:
        """The areas directly below, in code order."""
        return list(self.children.get(aid, []))

    def descendants(self, aid: int) -> list[int]:
        """The area and every area below it (the area first)."""
        out, seen, stack = [], set(), [aid]
        while stack:
            a = stack.pop()
            if a in seen:
                continue
            seen.add(a)
            out.append(a)
            stack.extend(reversed(self.children.get(a, [])))
        return out

    def ancestors(self, aid: int) -> list[int]:
        """The area and every area above it, bottom up."""
        out: list[int] = []
        a: int | None = aid
        while a is not None and a in self.frame.index and a not in out:
            out.append(int(a))
            a = self.parent(a)
        return out

    def ancestor_at(self, aid: int, level: str) -> int | None:
        """The area itself or the one above it on ``level`` (None: there is none)."""
        return next((a for a in self.ancestors(aid) if self.level(a) == level), None)

    def leaves_under(self, aid: int) -> list[int]:
        """Ids of the areas targets can belong to (villages) under an area, the area included."""
        return sorted(self.descendants(aid))

    def villages_under(self, aid: int) -> list[int]:
        """The villages (村/社区) at or below an area."""
        return [a for a in self.descendants(aid) if self.level(a) == "village"]

    def compared_areas(self, aid: int | None) -> list[int]:
        """The areas to show side by side under an area: its children, skipping single-child
        levels (a database of one town shows its villages); a village shows itself."""
        ids = self.roots() if aid is None else self.kids(aid)
        while len(ids) == 1 and self.kids(ids[0]):
            ids = self.kids(ids[0])
        if not ids and aid is not None:
            ids = [aid]
        return ids

    def common_ancestor(self, area_ids: Iterable[int]) -> int | None:
        """The lowest area at or above every given area (None: no common one)."""
        chains = [self.ancestors(a) for a in area_ids]
        if not chains:
            return None
        common = set(chains[0]).intersection(*map(set, chains[1:]))
        return next((a for a in chains[0] if a in common), None)


def subtree_ids(roots: Iterable[int], area_id, parent_id) -> np.ndarray:
    """The given areas and every area below them, from the area table's ``area_id`` and
    ``parent_id`` columns (a missing parent: NaN, None or pandas NA). Vectorised, cycle-safe."""
    area_id = np.asarray(area_id, np.int64)
    parent = pd.array(parent_id, dtype="Int64").fillna(-1).to_numpy(np.int64)
    keep = np.isin(area_id, np.fromiter(roots, np.int64))
    while True:
        grow = keep | np.isin(parent, area_id[keep])
        if grow.sum() == keep.sum():
            return area_id[keep]
        keep = grow


def area_and_below(conn, area_id: int) -> set[int]:
    """The area and every area below it, read level by level on ``conn`` (a Session or a
    Connection: inside a transaction it sees that transaction's own writes)."""
    parent = Area.__table__.c.parent_id
    ids, frontier = {int(area_id)}, [int(area_id)]
    while frontier:
        rows = conn.execute(select(Area.__table__.c.id).where(parent.in_(frontier))).scalars()
        frontier = [int(a) for a in rows if a not in ids]
        ids.update(frontier)
    return ids
