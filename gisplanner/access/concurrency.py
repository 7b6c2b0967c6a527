"""Several officials on one database: save conflicts explained, lost connections retried.

Areas, targets, cadres, rounds, teams and problems carry a version column (optimistic
locking, ``version_id_col`` in the model): an UPDATE only succeeds when the row still has
the version the user loaded. When it does not, SQLAlchemy raises ``StaleDataError``;
:func:`unit_of_work` turns that into a :class:`ConflictError` whose message names the row,
shows what the other official changed and what the user tried to change — and nothing is
written (the whole unit rolls back). A dropped connection (server restart, network) is
retried with a fresh connection; the work is a function, so the user's input is simply
replayed, and if the server stays away the error says the input was kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gisplanner.store.database import Store, StoreError
from gisplanner.store.model import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

TABLE_ZH = {
    "area": "区域",
    "target": "走访对象",
    "cadre": "干部",
    "round": "走访轮次",
    "team": "走访小组",
    "problem": "问题",
    "assignment": "走访安排",
    "visit_session": "走访时段",
}
FIELD_ZH = {
    "name": "名称",
    "address": "地址",
    "phone": "电话",
    "members": "人口",
    "note": "备注",
    "status": "状态",
    "reply": "答复",
    "deadline": "办结时限",
    "unit_id": "承办单位",
    "level": "层级",
    "handling": "办理方式",
    "description": "问题描述",
    "area_id": "所属区域",
    "lon": "经度",
    "lat": "纬度",
    "kind": "类别",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "office_area_id": "出发地点",
    "active": "在岗",
    "boundary": "边界",
    "elderly_alone": "独居老人",
    "disabled": "残疾",
    "hardship": "困难家庭",
    "satisfaction": "满意度",
    "start": "开始时间",
    "end": "结束时间",
    "teams": "小组",
    "label": "名称",
    "holiday": "节假日",
    "code": "区划代码",
    "parent_id": "上级区域",
    "urban": "城镇",
    "office_lon": "驻地经度",
    "office_lat": "驻地纬度",
    "office_name": "驻地名称",
    "version": "版本",
}


STAMPS = ("updated_by", "updated_at")  # who saved last: shown as who/when, not as a changed field


class ConflictError(StoreError):
    """保存冲突: a newer version by someone else is in the database; nothing was written."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(
            "\n".join(c.describe() for c in conflicts) or "保存冲突：数据已被其他人修改，请刷新后重试"
        )


class ConnectionLostError(StoreError):
    """The database could not be reached even after retrying; the user's input is kept."""


@dataclass
class Conflict:
    """One row whose save was refused: what the other official changed, and what you tried."""

    table: str
    key: tuple
    label: str
    your_version: int | None
    their_version: int | None  # None: the row was deleted meanwhile
    theirs: dict[str, tuple[object, object]] = field(default_factory=dict)  # field -> (you saw, now)
    mine: dict[str, tuple[object, object]] = field(default_factory=dict)  # field -> (you saw, you typed)
    who: str | None = None  # who saved the newer version (updated_by), when known
    when: dt.datetime | None = None  # and when (updated_at, UTC)
    current: dict[str, object] = field(default_factory=dict)  # the row as it is now (with version)

    @property
    def both(self) -> list[str]:
        """Fields both officials changed (to different values): the user must choose."""
        return [k for k in self.mine if k in self.theirs and self.mine[k][1] != self.theirs[k][1]]

    def by_whom(self) -> str:
        if not self.who and not self.when:
            return ""
        when = f"{self.when:%Y-%m-%d %H:%M}（UTC）" if self.when else ""
        return f"由 {self.who or '其他人'} 于 {when}保存" if when else f"由 {self.who} 保存"

    def describe(self) -> str:
        what = f"{TABLE_ZH.get(self.table, self.table)}{self.label}"
        if self.their_version is None:
            head = f"保存未成功：{what}已被其他人删除。"
        elif self.your_version is None:  # rows without a version (assignments): compared by value
            head = f"保存未成功：{what}已被其他人修改。"
        else:
            head = (
                f"保存未成功：{what}已被其他人修改（您编辑的是第 {self.your_version} 版，"
                f"数据库中现在是第 {self.their_version} 版{'，' + self.by_whom() if self.who else ''}）。"
            )
        parts = [head]
        if self.theirs:
            parts.append(
                "对方的修改：" + "；".join(_change(k, a, b) for k, a, b in _items(self.theirs)) + "。"
            )
        if self.mine:
            parts.append(
                "您的修改没有写入，也没有覆盖对方的修改："
                + "；".join(_change(k, a, b) for k, a, b in _items(self.mine))
                + "。请刷新后重新保存。"
            )
        else:
            parts.append("没有覆盖任何修改，请刷新后重试。")
        return "".join(parts)


def _items(d: dict) -> list[tuple[str, object, object]]:
    return [(k, a, b) for k, (a, b) in d.items()]


def _show(v) -> str:
    if v is None or v == "":
        return "（空）"
    if isinstance(v, bytes):
        return f"（{len(v)} 字节）"
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def show_value(key: str, v) -> str:
    """A value as the user knows it: statuses and kinds by their Chinese names."""
    from gisplanner.store.model import HANDLING_ZH, PROBLEM_STATUS_ZH, ROUND_KIND_ZH, ROUND_STATUS_ZH

    names = {"status": PROBLEM_STATUS_ZH | ROUND_STATUS_ZH, "handling": HANDLING_ZH, "kind": ROUND_KIND_ZH}
    if isinstance(v, str) and v in names.get(key, {}):
        return names[key][v]
    if key == "boundary" and isinstance(v, bytes):  # an area's polygon: its size, not its bytes
        import math

        import shapely

        g = shapely.from_wkb(v)
        c = g.centroid
        ha = g.area * 111_320.0**2 * math.cos(math.radians(c.y)) / 10_000  # lon/lat degrees² → 公顷
        return f"多边形（{shapely.get_num_coordinates(g)} 个点，约 {ha:.2f} 公顷，中心 {c.x:.5f}, {c.y:.5f}）"
    return _show(v)


def _change(key: str, old, new) -> str:
    return f"{FIELD_ZH.get(key, key)} {show_value(key, old)} → {show_value(key, new)}"


# -- recording what the user is about to save ---------------------------------------------------
@dataclass
class _Pending:
    cls: type
    table: str
    key: tuple
    label: str
    version_key: str
    seen: dict[str, object]  # every column as loaded
    mine: dict[str, tuple[object, object]]


def _label(obj) -> str:
    for attr in ("name", "description", "label"):
        v = getattr(obj, attr, None)
        if v:
            v = str(v)
            return f"「{v[:20]}{'…' if len(v) > 20 else ''}」"
    return f" #{inspect(obj).identity[0]}"


def _record_pending(session: Session) -> dict[tuple, _Pending]:
    """Before every flush, note the loaded values and the user's changes of versioned rows."""
    pending: dict[tuple, _Pending] = {}

    @event.listens_for(session, "before_flush")
    def _note(sess, _ctx, _instances):
        for obj in list(sess.dirty) + list(sess.deleted):
            state = inspect(obj)
            mapper = state.mapper
            if mapper.version_id_col is None or state.identity is None:
                continue
            version_key = mapper.get_property_by_column(mapper.version_id_col).key
            seen, mine = {}, {}
            for attr in mapper.column_attrs:
                hist = state.attrs[attr.key].history
                old = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
                if hist.added and hist.deleted and attr.key not in (version_key, *STAMPS):
                    mine[attr.key] = (old, hist.added[0])
                seen[attr.key] = old if (hist.deleted or hist.unchanged) else state.dict.get(attr.key)
            key = (mapper.class_, state.identity)
            pending[key] = _Pending(
                cls=mapper.class_,
                table=mapper.local_table.name,
                key=state.identity,
                label=_label(obj),
                version_key=version_key,
                seen=seen,
                mine=mine,
            )

    return pending


def _conflicts(store: Store, pending: dict[tuple, _Pending]) -> list[Conflict]:
    """Compare what each user saw with what the database holds now."""
    out = []
    with store.session() as s:
        for p in pending.values():
            mapper = inspect(p.cls)
            pk_cols = mapper.primary_key
            cols = [mapper.get_property_by_column(c) for c in mapper.local_table.columns]
            q = select(*[mapper.local_table.c[c.columns[0].name] for c in cols])
            for col, val in zip(pk_cols, p.key, strict=True):
                q = q.where(col == val)
            row = s.execute(q).first()
            your_version = p.seen.get(p.version_key)
            if row is None:
                out.append(Conflict(p.table, p.key, p.label, your_version, None, {}, p.mine))
                continue
            now = {c.key: v for c, v in zip(cols, row, strict=True)}
            if now[p.version_key] == your_version:
                continue  # not this row
            theirs = {
                k: (p.seen.get(k), v)
                for k, v in now.items()
                if k not in (p.version_key, *STAMPS) and k in p.seen and p.seen.get(k) != v
            }
            out.append(
                Conflict(p.table, p.key, p.label, your_version, now[p.version_key], theirs, p.mine,
                         now.get("updated_by"), now.get("updated_at"), now)
            )  # fmt: skip
    return out


# -- the unit of work ---------------------------------------------------------------------------
def is_disconnect(exc: BaseException) -> bool:
    """A lost connection (server gone, network down) rather than a real error in the work."""
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def unit_of_work(
    store: Store,
    work: Callable[[Session], T],
    *,
    scope=None,
    retries: int = 2,
    wait: float = 0.5,
) -> T:
    """Run ``work(session)`` in one transaction, with conflicts explained and reconnects.

    - a row changed by someone else since it was loaded (in this unit) -> :class:`ConflictError`
      listing their change and yours; the transaction is rolled back, nothing is written;
    - `scope` (:class:`gisplanner.access.scope.UserScope`): writes outside the user's area are refused;
    - a dropped connection -> the whole unit runs again on a new connection, up to `retries`
      times, then :class:`ConnectionLostError` (the caller still holds the user's input).
    """
    from gisplanner.access.scope import guard_session

    attempt = 0
    while True:
        pending: dict = {}
        try:
            with store.session() as s:
                pending = _record_pending(s)
                if scope is not None:
                    guard_session(s, scope)
                return work(s)
        except StaleDataError as e:
            conflicts = _conflicts(store, pending)
            log.info("save conflict: %s", e)
            raise ConflictError(conflicts) from e
        except DBAPIError as e:
            if not is_disconnect(e):
                raise
            attempt += 1
            log.warning("database connection lost (attempt %d of %d): %s", attempt, retries + 1, e.orig)
            if attempt > retries:
                raise ConnectionLostError(
                    f"与数据库 {store.describe()} 的连接中断，已重试 {retries} 次仍未成功。"
                    "您填写的内容仍保留在窗口中，请检查网络或稍后再保存。"
                ) from e
            time.sleep(wait * attempt)


def _row_values(obj) -> dict[str, object]:
    mapper = inspect(obj).mapper
    return {a.key: getattr(obj, a.key) for a in mapper.column_attrs}


def snapshot(store: Store, cls: type, key) -> dict | None:
    """The row's values as a form shows them (with the version): the `seen` of a later
    :func:`save_action` / :func:`save_edit`. None if there is no such row."""
    with store.session() as s:
        obj = s.get(cls, key)
        return None if obj is None else _row_values(obj)


def save_action(
    store: Store,
    cls: type,
    key,
    seen: dict,
    action: Callable[[Session, object], T],
    *,
    mine: dict | None = None,
    scope=None,
    retries: int = 2,
) -> T:
    """The one save path of the forms: run ``action(session, row)`` on the row `key` of `cls`,
    if it is still the version the user `seen` (a dict of the values the form showed, with the
    version column).

    Otherwise :class:`ConflictError` with one :class:`Conflict` saying who saved the newer
    version and when, what they changed (`theirs`), what this save would change (`mine`, for a
    form: field -> (seen, typed)) and the row as it is now (`current`, to save again over it:
    :func:`resolve`). The versioned UPDATE checks once more at flush, so a save racing this one
    is refused the same way. Nothing is written on a conflict.
    """
    mapper = inspect(cls)
    vkey = mapper.get_property_by_column(mapper.version_id_col).key
    if vkey not in seen:
        raise ValueError(f"seen must hold the version column {vkey!r}")
    table = mapper.local_table.name
    mine = dict(mine or {})

    def check(s: Session):
        obj = s.get(cls, key, populate_existing=True)
        label = _label(obj) if obj is not None else f" #{key}"
        if obj is None:
            return None, Conflict(table, (key,), label, seen[vkey], None, {}, mine)
        if getattr(obj, vkey) != seen[vkey]:
            now = _row_values(obj)
            theirs = {
                k: (seen[k], now[k])
                for k in seen
                if k not in (vkey, *STAMPS) and k in now and now[k] != seen[k]
            }
            return obj, Conflict(table, (key,), label, seen[vkey], now[vkey], theirs, mine,
                                 now.get("updated_by"), now.get("updated_at"), now)  # fmt: skip
        return obj, None

    def work(s: Session) -> T:
        obj, conflict = check(s)
        if conflict is not None:
            raise ConflictError([conflict])
        result = action(s, obj)
        s.flush()
        return result

    try:
        return unit_of_work(store, work, scope=scope, retries=retries)
    except ConflictError:
        raise
    except Exception as e:
        # a domain module that caught the stale UPDATE itself (problems: ProblemConflict)
        if not getattr(e, "stale", False):
            raise
        with store.session() as s:
            _obj, conflict = check(s)
        if conflict is None:
            raise
        raise ConflictError([conflict]) from e


def save_edit(
    store: Store,
    cls: type,
    key,
    seen: dict,
    changes: dict,
    *,
    scope=None,
    retries: int = 2,
) -> int:
    """Save a form: `changes` to the row `key` of `cls`, if it is still as the user `seen` it.

    `seen` holds the values the form was filled from, with the version column. Returns the new
    version. Refused with :class:`ConflictError` (showing the other change) when another
    official saved the row in between — checked on load, and again by the versioned UPDATE.
    """
    mapper = inspect(cls)
    vkey = mapper.get_property_by_column(mapper.version_id_col).key
    mine = {k: (seen.get(k), v) for k, v in changes.items() if seen.get(k) != v}

    def apply(_s: Session, obj) -> int:
        for k, v in changes.items():
            setattr(obj, k, v)
        return obj  # the version is read after the flush

    obj = save_action(store, cls, key, seen, apply, mine=mine, scope=scope, retries=retries)
    return getattr(obj, vkey)


# -- after a conflict: keep mine, take theirs, or merge -------------------------------------------
KEEP_MINE, TAKE_THEIRS, MERGE = "mine", "theirs", "merge"


def resolve(conflict: Conflict, changes: dict, choice: str, picks: dict[str, str] | None = None):
    """What to save after `conflict`: ``(seen, changes)`` for :func:`save_edit`, or None.

    - KEEP_MINE: all of the user's `changes`, over the other official's version (their changes
      to other fields stay; where both changed a field, the user's value wins);
    - TAKE_THEIRS: nothing is saved (the form is reloaded with their version);
    - MERGE: their changes and the user's, field by field; for a field both changed, `picks`
      says whose value to keep (``{"phone": "theirs"}``; the user's by default).

    The new `seen` is the row as it is now, so the save checks against *that* version: a third
    change meanwhile is again a conflict, never overwritten silently.
    """
    if choice == TAKE_THEIRS:
        return None
    if conflict.their_version is None:
        raise ConflictError([conflict])  # deleted meanwhile: nothing to save over
    seen = dict(conflict.current)
    if choice == KEEP_MINE:
        return seen, dict(changes)
    if choice != MERGE:
        raise ValueError(f"unknown choice {choice!r}")
    picks = picks or {}
    merged = {}
    for k, v in changes.items():
        if k in conflict.both and picks.get(k, KEEP_MINE) == TAKE_THEIRS:
            continue
        merged[k] = v
    return seen, merged


# -- who saved: every versioned row notes the user and time of its last save ---------------------
def _stamp(sess: Session, _ctx, _instances) -> None:
    who = sess.info.get("user")
    if who is None:
        from gisplanner.access.audit import current_user

        who = current_user()
    now = None
    # updates only: a conflict always follows an update, and a fresh row (a demo, an import)
    # stays the same from run to run
    for obj in sess.dirty:
        mapper = inspect(obj).mapper
        if mapper.version_id_col is None or "updated_by" not in mapper.attrs:
            continue
        if not sess.is_modified(obj):
            continue
        now = now or utcnow().replace(microsecond=0)
        obj.updated_by = who[:63]
        obj.updated_at = now


event.listen(Session, "before_flush", _stamp)
