"""The area tree's invariants (市 > 区 > 镇/街道 > 村/社区), checked in one place for every writer.

- no cycles: following `parent_id` from any area ends at a root;
- levels consistent: a parent is on a higher level than its child (city > district > town >
  village; a level may be skipped, e.g. a village directly under a district office);
- an area's level is never changed by an import unless asked for explicitly.

Writers call :func:`check_tree` inside their transaction, after their changes and before the
commit; a violation raises :class:`AreaTreeError` and the transaction rolls back.
"""

from __future__ import annotations

from sqlalchemy import select

from gisplanner.model import AREA_LEVEL_ZH, Area

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
