"""Roles (角色): who may do what on a shared database, enforced here and on the server.

- 录入员 ``entry``: enters visit results and registers the problems raised;
- 规划员 ``planner``: rounds, teams, routes, assignments, targets, the problem workflow and masked
  printing;
- 负责人 ``supervisor``: everything a planner does, supervision (督办) and unmasked prints,
  views and exports;
- 管理员 ``admin``: all of it, and users and their scopes.

A signed-in session (:func:`sign_in`) is a :class:`Binding` — user, role, scope — attached to
the store; every session of that store then refuses at flush time a write the role may not
make (:func:`guard_roles`) and writes outside the scope (:func:`gisplanner.access.scope.guard_session`),
whatever the buttons show. On PostgreSQL the role's grants (``gisplanner.store.pg.grant_official``)
and row-level security refuse the same writes in the server. A SQLite file is one person's:
no sign-in, every right.

Bindings live in the ``setting`` table: ``role:<user>`` (the role) next to ``scope:<user>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from gisplanner.access.scope import SETTING_PREFIX as SCOPE_PREFIX
from gisplanner.access.scope import UserScope, check_user_name, guard_session
from gisplanner.store.database import Store, StoreError
from gisplanner.store.model import (
    Area,
    Assignment,
    CadreLeave,
    CalendarDay,
    PrintLog,
    Problem,
    ProblemEvent,
    Road,
    Route,
    RouteStop,
    Setting,
    Target,
    TeamMember,
    Unit,
    Visit,
    VisitSession,
)
from gisplanner.store.model import Cadre as _Cadre
from gisplanner.store.model import Round as _Round
from gisplanner.store.model import SessionTeam as _SessionTeam
from gisplanner.store.model import Team as _Team

ROLES = {"entry": "录入员", "planner": "规划员", "supervisor": "负责人", "admin": "管理员"}
ROLE_PREFIX = "role:"
_PLAN = frozenset({"planner", "supervisor", "admin"})
_ALL = frozenset(ROLES)
_BOSS = frozenset({"supervisor", "admin"})
# action -> (roles allowed, what it is, in Chinese)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "results.enter": (_ALL, "录入走访结果"),
    "problems.register": (_ALL, "登记问题"),
    "problems.handle": (_PLAN, "办理问题（交办、签收、答复、回访）"),
    "problems.supervise": (_BOSS, "督办升级和设置办理时限"),
    "plan.edit": (_PLAN, "编辑轮次、队伍、时段、走访安排和路线"),
    "targets.edit": (_PLAN, "修改走访对象、区域和道路"),
    "print.masked": (_PLAN, "打印（电话、证件号码脱敏）"),
    "print.unmasked": (_BOSS, "打印、查看或导出完整电话和证件号码"),
    "export.unmasked": (_BOSS, "导出完整电话和证件号码"),
    "users.manage": (frozenset({"admin"}), "管理用户、角色和管辖区域"),
}


class RoleError(StoreError):
    """The signed-in user's role may not do this; the message names the role and who may."""


def role_key(name: str) -> str:
    """'规划员' or 'planner' -> 'planner'; a clear error for anything else."""
    name = (name or "").strip()
    if name in ROLES:
        return name
    for k, zh in ROLES.items():
        if name == zh:
            return k
    raise RoleError(f"未知的角色“{name}”（可用：" + "、".join(f"{zh} {k}" for k, zh in ROLES.items()) + "）")


@dataclass(frozen=True)
class Binding:
    """A signed-in session: the user, their role and scope (None: the whole database)."""

    user: str
    role: str
    scope: object | None = None  # gisplanner.access.scope.UserScope
    single_user: bool = False  # a SQLite file: no sign-in, every right

    @property
    def role_zh(self) -> str:
        return ROLES.get(self.role, self.role)

    def allows(self, action: str) -> bool:
        if self.single_user:
            return True
        return self.role in ACTIONS[action][0]

    def require(self, action: str) -> None:
        """Raise :class:`RoleError` unless the role may do `action`."""
        if self.allows(action):
            return
        allowed, what = ACTIONS[action]
        who = "、".join(ROLES[r] for r in ROLES if r in allowed)
        raise RoleError(f"{self.user}（{self.role_zh}）无权{what}：需要{who}角色，请联系管理员")

    def describe(self) -> str:
        where = getattr(self.scope, "label", None) or "全部区域"
        return f"{self.user} · {self.role_zh} · {where}"

    def attach(self, session: Session) -> None:
        """Make a session write as this user and refuse what the role or scope does not allow."""
        session.info["user"] = self.user
        session.info["binding"] = self
        if self.single_user:
            return
        guard_roles(session, self)
        if self.scope is not None:
            guard_session(session, self.scope)


def current(store: Store) -> Binding:
    """The store's signed-in binding; a SQLite file (or an unsigned store) has every right."""
    b = getattr(store, "binding", None)
    if b is not None:
        return b
    from gisplanner.access.audit import current_user

    return Binding(current_user(), "admin", None, single_user=True)


def require(store_or_binding, action: str) -> None:
    """Refuse `action` (RoleError) unless the current user's role allows it."""
    b = store_or_binding if isinstance(store_or_binding, Binding) else current(store_or_binding)
    b.require(action)


def require_print(store, unmasked: bool) -> None:
    """Before anything is printed or exported: full phone numbers need 负责人 or 管理员."""
    require(store, "print.unmasked" if unmasked else "print.masked")


def allows(store_or_binding, action: str) -> bool:
    b = store_or_binding if isinstance(store_or_binding, Binding) else current(store_or_binding)
    return b.allows(action)


# -- bindings in the database ------------------------------------------------------------------
def bind_role(store: Store, user: str, role: str) -> str:
    """Give a user a role (stored as ``role:<user>``); only an administrator may."""
    check_user_name(store, user)
    role = role_key(role)
    require(store, "users.manage")
    with store.session() as s:
        row = s.get(Setting, ROLE_PREFIX + user)
        if row is None:
            s.add(Setting(key=ROLE_PREFIX + user, value=role))
        else:
            row.value = role
    return role


def bind_user(store: Store, user: str, area_id: int) -> UserScope:
    """Bind a user name (the login, or the PostgreSQL role) to an area (an administrator's job)."""
    check_user_name(store, user)
    require(store, "users.manage")
    scope = UserScope.for_area(store, area_id, user)  # checks the area exists
    with store.session() as s:
        row = s.get(Setting, SCOPE_PREFIX + user)
        if row is None:
            s.add(Setting(key=SCOPE_PREFIX + user, value=str(int(area_id))))
        else:
            row.value = str(int(area_id))
    return scope


def role_of(store: Store, user: str) -> str | None:
    with store.session() as s:
        return s.scalar(select(Setting.value).where(Setting.key == ROLE_PREFIX + user))


def bound_roles(store: Store) -> dict[str, str]:
    with store.session() as s:
        rows = s.execute(select(Setting.key, Setting.value).where(Setting.key.like(ROLE_PREFIX + "%"))).all()
    return {k.removeprefix(ROLE_PREFIX): v for k, v in rows}


def _is_owner(store: Store) -> bool:
    """The database owner (who runs migrations) is the administrator of a shared database."""
    with store.engine.connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, 'USAGE') "
                    "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = to_regclass('target')"
                )
            )
        )


def sign_in(store: Store, user: str | None = None) -> Binding:
    """Bind the store's sessions to a user, their role and scope, and return the binding.

    SQLite: single user, every right, no scope. PostgreSQL: the user is the login
    (``current_user``); the role and scope come from its ``role:``/``scope:`` settings. The
    database owner is an administrator over the whole database unless bound to a narrower
    scope; anyone else must have both a role and a scope (else :class:`RoleError`).
    """
    if store.is_sqlite:
        b = current(store)
        store.binding = None
        return b
    with store.engine.connect() as conn:
        login = conn.scalar(text("SELECT CAST(current_user AS text)"))
    user = user or login
    role = role_of(store, user)
    owner = _is_owner(store)
    try:
        scope = UserScope.for_user(store, user)
    except StoreError:
        scope = None
    if owner:
        role = role or "admin"
    elif role is None or scope is None:
        missing = "角色" if role is None else "管辖区域"
        raise RoleError(f"用户 {user} 尚未分配{missing}，不能登录共享数据库；请管理员用 scope bind 分配")
    b = Binding(user, role_key(role), scope)
    store.binding = b
    return b


# -- the core refuses what the role may not write -----------------------------------------------
_PLAN_TABLES = (_Round, VisitSession, _SessionTeam, _Team, TeamMember, Assignment, Route, RouteStop, _Cadre,
                CadreLeave, CalendarDay)  # fmt: skip
_TARGET_TABLES = (Target, Area, Road, Unit)


def _action_for(obj, is_new: bool) -> str | None:
    if isinstance(obj, Visit):
        return "results.enter"
    if isinstance(obj, Problem):
        return "problems.register" if is_new else "problems.handle"
    if isinstance(obj, ProblemEvent):
        if obj.action == "create":
            return "problems.register"
        return "problems.supervise" if obj.action == "escalate" else "problems.handle"
    if isinstance(obj, _PLAN_TABLES):
        return "plan.edit"
    if isinstance(obj, _TARGET_TABLES):
        return "targets.edit"
    if isinstance(obj, PrintLog):
        return "print.unmasked" if obj.unmasked else "print.masked"
    if isinstance(obj, Setting):
        if obj.key.startswith((ROLE_PREFIX, SCOPE_PREFIX)):
            return "users.manage"
        if obj.key == "problems.deadline_rules":
            return "problems.supervise"
        return "plan.edit"
    return None


def guard_roles(session: Session, binding: Binding) -> Session:
    """At flush, refuse every insert, change or deletion the role may not make (all rolls back);
    a print-log row is written under the signed-in user's name."""

    created: list[Problem] = []  # problems registered in this unit of work (a visit's sheet)

    def registered_here(obj) -> bool:
        """A problem raised in this same unit — solved on the spot or handed down as the sheet
        says — is part of entering the visit, not the later workflow."""
        if isinstance(obj, Problem):
            return any(obj is p for p in created)
        pid = obj.problem_id if obj.problem_id is not None else getattr(obj.problem, "id", None)
        return any(obj.problem is p or (pid is not None and p.id == pid) for p in created)

    @event.listens_for(session, "before_flush")
    def _check(sess, _ctx, _instances):
        created.extend(o for o in sess.new if isinstance(o, Problem))
        for obj in list(sess.new):
            if isinstance(obj, PrintLog):
                obj.user = binding.user[:50]
            action = _action_for(obj, True)
            if isinstance(obj, ProblemEvent) and registered_here(obj) and obj.action != "escalate":
                action = "problems.register"
            if action:
                binding.require(action)
        for obj in [o for o in sess.dirty if sess.is_modified(o)] + list(sess.deleted):
            action = _action_for(obj, False)
            if isinstance(obj, Problem) and registered_here(obj):
                action = "problems.register"
            if action:
                binding.require(action)

    return session
