"""`scope …`: bind officials to areas, show roll-ups, switch on row-level security (PostgreSQL).

scope bind USER --area CODE [--role ROLE]
                                   a user (login / PostgreSQL role) works in that area, as
                                   录入员 entry | 规划员 planner | 负责人 supervisor | 管理员 admin
scope list                         who is bound to what
scope rollup [--area CODE | --user USER] [--round ID] [--json]
                                   coverage one level down (city → districts → towns → villages)
scope rls enable|disable           PostgreSQL: the server itself hides rows outside a role's area
scope rls grant ROLE --area CODE [--role ROLE] [--create]
                                   bind a PostgreSQL role and give it read/edit rights
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_actions, add_subcommand, open_store, print_json, subcommand
from gisplanner.store.database import StoreError


def register(sub) -> None:
    p = sub.add_parser("scope", help="管辖区域：绑定用户、分级汇总、行级安全（PostgreSQL）")
    acts = add_actions(p, "action", required=False)  # no action: the help, exit 1

    with subcommand(acts, "bind", run_bind, json=False,
                    help="把用户绑定到一个区域（镇/街道用户只能看到和修改本镇）") as b:  # fmt: skip
        b.add_argument("user")
        b.add_argument("--area", required=True, help="区划代码")
        b.add_argument("--role", help="角色：录入员 entry、规划员 planner、负责人 supervisor、管理员 admin")

    add_subcommand(acts, "list", run_list, help="列出已绑定的用户")

    with subcommand(
        acts, "rollup", run_rollup, help="下一级区域的走访覆盖与未办结问题（在数据库中汇总）"
    ) as r:
        g = r.add_mutually_exclusive_group()
        g.add_argument("--area", help="区划代码（默认：全市）")
        g.add_argument("--user", help="按用户的管辖区域")
        r.add_argument("--round", type=int, default=None, help="只计该轮次的走访")

    with subcommand(acts, "rls", run_rls, json=False,
                    help="PostgreSQL 行级安全：enable / disable / grant ROLE --area CODE") as s:  # fmt: skip
        s.add_argument("what", choices=["enable", "disable", "grant"])
        s.add_argument("role", nargs="?")
        s.add_argument("--area", help="grant：区划代码")
        s.add_argument("--create", action="store_true", help="grant：角色不存在时创建（NOLOGIN）")
        s.add_argument("--role", dest="app_role", default="planner",
                       help="grant：应用角色（录入员 entry、规划员 planner、负责人 supervisor、管理员 admin），默认规划员")  # fmt: skip
    p.set_defaults(func=lambda _a: (p.print_help(), 1)[1])


def _fail(msg: str) -> int:
    print(f"错误：{msg}", file=sys.stderr)
    return 2


def run_bind(args) -> int:
    from gisplanner.access import roles
    from gisplanner.access.scope import UserScope

    store = open_store(args)
    try:
        role = roles.role_key(args.role) if args.role else None
        scope = roles.bind_user(store, args.user, UserScope.for_code(store, args.area).area_id)
        if role:
            roles.bind_role(store, args.user, role)
    except StoreError as e:  # ScopeError, RoleError
        return _fail(str(e))
    as_role = f"，角色：{roles.ROLES[role]}" if role else ""
    print(f"用户 {args.user} 已绑定到{scope.label}（{len(scope.village_ids)} 个村/社区）{as_role}")
    return 0


def run_list(args) -> int:
    from gisplanner.access.roles import ROLES, bound_roles
    from gisplanner.access.scope import bound_users
    from gisplanner.store.area_tree import AreaTree

    store = open_store(args)
    users = bound_users(store)
    role_names = bound_roles(store)
    idx = AreaTree.load(store, whole=True)
    rows = [
        {
            "user": u,
            "area_id": a,
            "code": idx.frame.at[a, "code"] if a in idx.frame.index else None,
            "area": idx.label(a) if a in idx.frame.index else f"（已删除的区域 {a}）",
        }
        | ({"role": role_names[u]} if u in role_names else {})  # only users given a role (issue 20)
        for u, a in sorted(users.items())
    ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("尚无用户绑定管辖区域（scope bind USER --area CODE）")
    for r in rows:
        role = f" · {ROLES.get(r['role'], r['role'])}" if r.get("role") else ""
        print(f"  {r['user']}：{r['area']} {r['code'] or ''}{role}")
    return 0


def run_rollup(args) -> int:
    from gisplanner.access.scope import ScopeError, UserScope, rollup
    from gisplanner.store.area_tree import AreaTree

    store = open_store(args)
    try:
        if args.user:
            scope = UserScope.for_user(store, args.user)
        elif args.area:
            scope = UserScope.for_code(store, args.area)
        else:
            idx = AreaTree.load(store, whole=True)
            roots = idx.roots()
            if len(roots) != 1:
                return _fail("数据库中没有唯一的顶级区域，请用 --area 指定")
            scope = UserScope.for_area(store, int(roots[0]), tree=idx)
    except ScopeError as e:
        return _fail(str(e))
    df = rollup(store, scope, round_id=args.round)
    if args.json:
        print_json({"scope": scope.label, "rows": df.to_dict(orient="records")})
        return 0
    print(f"{scope.label}：")
    print(f"  {'区域':<12}{'对象':>9}{'已走访':>9}{'覆盖率':>8}{'见面率':>8}{'未办结问题':>10}")
    for r in df.itertuples():
        print(
            f"  {r.name:<12}{r.targets:>9}{r.visited:>9}{r.coverage:>8.1%}{r.met_rate:>8.1%}{r.open_problems:>10}"
        )
    return 0


def run_rls(args) -> int:
    from gisplanner.access import roles
    from gisplanner.access.scope import UserScope
    from gisplanner.store import pg

    store = open_store(args)
    if not pg.is_postgresql(store.engine):
        return _fail("行级安全策略只适用于 PostgreSQL 数据库")
    if args.what == "enable":
        pg.enable_row_level_security(store.engine)
        print("已启用行级安全：各角色只能看到和修改其管辖区域内的走访对象、走访记录、问题和走访安排")
    elif args.what == "disable":
        pg.disable_row_level_security(store.engine)
        print("已关闭行级安全")
    else:
        if not args.role or not args.area:
            return _fail("grant 需要角色名和 --area 区划代码")
        try:
            scope = UserScope.for_code(store, args.area)
            app_role = roles.role_key(args.app_role)
            pg.grant_official(store.engine, args.role, scope.area_id, create=args.create, app_role=app_role)
        except (StoreError, ValueError) as e:
            return _fail(str(e))
        print(f"角色 {args.role} 已绑定到{scope.label}，按{roles.ROLES[app_role]}授予读取和编辑权限")
    return 0
