"""Roles (issue 20): 录入员 / 规划员 / 负责人 / 管理员 are enforced by the core at every write,
and on PostgreSQL by the server's grants — not only by hidden buttons."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from gisplanner import cli
from gisplanner.access import roles
from gisplanner.access.audit import log_disclosure
from gisplanner.access.roles import bind_user
from gisplanner.access.scope import ScopeError, UserScope
from gisplanner.store import pg
from gisplanner.store.database import Store
from gisplanner.store.model import PrintLog, Problem, Round, Setting, Unit, Visit

T0 = dt.datetime(2026, 11, 7, 19, 0)


def test_sqlite_is_single_user_with_every_right(demo_store_copy):
    b = roles.sign_in(demo_store_copy)
    assert b.single_user and all(b.allows(a) for a in roles.ACTIONS)
    with demo_store_copy.session() as s:  # no guard stands in the way
        s.add(Round(name="冬季走访"))


def test_the_core_refuses_what_the_role_may_not_do(two_towns):
    store, ids = two_towns
    store.binding = roles.Binding("lu_xiaomei", "entry", UserScope.for_area(store, ids["A"]))
    try:
        with store.session() as s:  # results entry: a visit and the problem raised
            s.add(Visit(target_id=ids["targets_A"][1], visited_at=T0, outcome="met"))
            s.add(Problem(target_id=ids["targets_A"][1], category="other", description="路灯坏了"))
        with pytest.raises(
            roles.RoleError, match=r"lu_xiaomei（录入员）无权编辑轮次.*规划员、负责人、管理员"
        ):
            with store.session() as s:
                s.add(Round(name="冬季走访", scope_area_id=ids["A"]))
        with pytest.raises(roles.RoleError, match="办理问题"):
            with store.session() as s:
                s.get(Problem, ids["problem_A"]).status = "in_progress"
        with pytest.raises(roles.RoleError, match="管理用户"):
            bind_user(store, "someone", ids["A"])
        with pytest.raises(roles.RoleError):
            roles.bind_role(store, "lu_xiaomei", "管理员")  # no raising oneself

        store.binding = roles.Binding("zhang_gh", "planner", UserScope.for_area(store, ids["A"]))
        with store.session() as s:
            s.add(Round(name="冬季走访", scope_area_id=ids["A"]))
            s.add(PrintLog(user="someone-else", what="路线单", pages=2, unmasked=False))
        with pytest.raises(roles.RoleError, match="规划员.*负责人、管理员"):
            log_disclosure(store, "走访对象（完整电话）", 3)
        with pytest.raises(ScopeError):  # the scope still holds: town B is not theirs
            with store.session() as s:
                s.add(Visit(target_id=ids["targets_B"][0], visited_at=T0, outcome="met"))

        store.binding = roles.Binding("li_zr", "supervisor", UserScope.for_area(store, ids["A"]))
        log_disclosure(store, "走访对象（完整电话）", 3, user="forged")
    finally:
        store.binding = None
    with store.session() as s:
        log = [(p.user, p.unmasked) for p in s.scalars(select(PrintLog).order_by(PrintLog.id))]
        assert s.scalars(select(Round).where(Round.name == "冬季走访")).all()  # the planner's round
    # every print and unmasked export is logged under the signed-in user, whatever was passed
    assert log == [("zhang_gh", False), ("li_zr", True)]


@contextlib.contextmanager
def signed_in_as(store, who):
    """A second store whose connections act as PostgreSQL role `who` (as that login would)."""
    other = Store.open(store.engine.url.render_as_string(hide_password=False), upgrade=False)

    @event.listens_for(other.engine, "connect")
    def _as(dbapi_conn, _rec):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET ROLE {who}")
        dbapi_conn.commit()

    try:
        yield other
    finally:
        other.close()


def test_postgres_roles_sign_in_and_the_server_refuses(two_towns, backend, capsys):
    if backend != "postgresql":
        pytest.skip("grants and row-level security are PostgreSQL's")
    store, ids = two_towns
    entry, planner = f"gp_e_{uuid.uuid4().hex[:8]}", f"gp_p_{uuid.uuid4().hex[:8]}"
    db = store.engine.url.render_as_string(hide_password=False)
    pg.enable_row_level_security(store.engine)
    try:
        assert cli.run(["scope", "rls", "grant", entry, "--area", "320412101000", "--role", "录入员",
                        "--create", "--db", db]) == 0  # fmt: skip
        assert (
            cli.run(["scope", "rls", "grant", planner, "--area", "320412101000", "--create", "--db", db]) == 0
        )
        assert "按录入员授予" in capsys.readouterr().out
        with store.engine.begin() as conn:
            conn.execute(text(f"GRANT {entry}, {planner} TO CURRENT_USER"))
        assert cli.run(["scope", "list", "--json", "--db", db]) == 0
        assert {entry: "entry", planner: "planner"}.items() <= {
            r["user"]: r.get("role") for r in json.loads(capsys.readouterr().out)
        }.items()
        with signed_in_as(store, entry) as es:
            b = roles.sign_in(es)
            assert (b.user, b.role, b.scope.area_id) == (entry, "entry", ids["A"])
            assert b.describe() == f"{entry} · 录入员 · 镇/街道「雪堰镇」"
            with es.session() as s:
                s.add(Visit(target_id=ids["targets_A"][1], visited_at=T0, outcome="met"))
            # the server itself refuses what the core refuses (a client without the guards)
            es.binding = None
            for stmt in (
                "INSERT INTO round (name, kind, status, scope_area_id, version) VALUES ('x', 'regular', 'planning', :a, 1)",
                "UPDATE target SET phone = '1' WHERE area_id = :a",
                f"INSERT INTO setting (key, value) VALUES ('role:{entry}', 'admin')",
            ):
                with pytest.raises(DBAPIError, match="permission denied|row-level security"):
                    with es.engine.begin() as conn:
                        conn.execute(text(stmt), {"a": ids["A1"]})
        with signed_in_as(store, planner) as ps:
            b = roles.sign_in(ps)
            assert b.role == "planner"
            with ps.session() as s:
                s.add(Round(name="冬季走访", scope_area_id=ids["A"]))
            ps.binding = None
            with pytest.raises(DBAPIError, match="row-level security"):  # no raising itself either
                with ps.session() as s:
                    s.add(Setting(key=f"role:{planner}", value="admin"))
        # the owner (who runs migrations) signs in as administrator over the whole database
        owner = roles.sign_in(store)
        assert owner.role == "admin" and owner.scope is None
        store.binding = None
    finally:
        with store.engine.begin() as conn:
            for r in (entry, planner):
                conn.execute(text(f"DROP OWNED BY {r}"))
                conn.execute(text(f"DROP ROLE {r}"))
        pg.disable_row_level_security(store.engine)


def test_scope_bind_with_a_role(two_towns, capsys):
    store, ids = two_towns
    db = store.engine.url.render_as_string(hide_password=False)
    assert (
        cli.run(["scope", "bind", "lu_xiaomei", "--area", "320412101000", "--role", "录入员", "--db", db])
        == 0
    )
    assert "角色：录入员" in capsys.readouterr().out
    assert cli.run(["scope", "list", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {
            "user": "lu_xiaomei",
            "area_id": ids["A"],
            "code": "320412101000",
            "area": "镇/街道「雪堰镇」",
            "role": "entry",
        }
    ]
    assert (
        cli.run(["scope", "bind", "lu_xiaomei", "--area", "320412101000", "--role", "局长", "--db", db]) == 2
    )
    assert "未知的角色“局长”" in capsys.readouterr().err
    assert roles.role_of(store, "lu_xiaomei") == "entry"  # the refused command changed nothing


def test_a_clerk_enters_a_sheet_with_problems_solved_or_handed_down(two_towns):
    from gisplanner.campaign import problems as pw
    from gisplanner.campaign import results as rs

    store, ids = two_towns
    with store.session() as s:
        u = Unit(name="雪堰镇交通办", level="town", area_id=ids["A"])
        s.add(u)
        s.flush()
        unit = u.id
    store.binding = roles.Binding("lu_xiaomei", "entry", UserScope.for_area(store, ids["A"]))
    try:
        with store.session() as s:
            rs.record_visit(s, target_id=ids["targets_A"][2], outcome="met", actor="lu_xiaomei", visited_at=T0,
                            problems=[rs.ProblemInput("other", "路灯坏了", solved_on_spot=True, reply="已修"),
                                      rs.ProblemInput("transport", "公交太少", "assign", unit)])  # fmt: skip
        with store.session() as s:
            pid = s.scalar(select(Problem.id).where(Problem.description == "公交太少"))
        with pytest.raises(roles.RoleError, match="办理问题"), store.session() as s:  # the later workflow
            pw.change_status(s, pid, "in_progress", actor="lu_xiaomei")
    finally:
        store.binding = None
    with store.session() as s:
        got = dict(
            s.execute(
                select(Problem.description, Problem.status).where(Problem.target_id == ids["targets_A"][2])
            ).all()
        )
    assert got == {"路灯坏了": "resolved", "公交太少": "assigned"}
