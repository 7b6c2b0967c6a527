"""`plan --db PATH --round ROUND [--time-limit S] [--json]`: plan the round's routes (路线规划)."""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json, resolve_round


def register(sub) -> None:
    import argparse

    from gisplanner.planning.plan_reasons import REASONS

    reasons = "\n".join(f"  {k:<16} {v}" for k, v in REASONS.items())
    p = sub.add_parser(
        "plan",
        help="规划走访路线（错时走访，带时间窗的路径规划）",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="规划走访路线：先测算容量（工作量对比各小组可用时段），再按小组分时段求解。\n"
        f"未排原因（--json 的 unscheduled[].reason 与 summary.by_reason）：\n{reasons}",
    )
    add_db_argument(p)
    p.add_argument("--round", default=None, help="轮次编号或名称（默认：最新轮次）")
    p.add_argument("--time-limit", type=float, default=45.0, help="整轮规划时间上限（秒，默认 45）")
    p.add_argument("--workers", type=int, default=None, help="并行进程数（默认：CPU 核数）")
    p.add_argument("--ebike", action="store_true", help="按电动车速度（15 km/h）计算，默认步行 4.5 km/h")
    p.add_argument(
        "--auto-teams",
        action="store_true",
        help="轮次尚未组队时，先自动组队（三搭配）并划分责任片区（同 teams form + teams split）",
    )
    p.add_argument(
        "--quick-teams",
        type=int,
        metavar="N",
        default=None,
        help="轮次尚未组队时，按村快速划出 N 个无成员的小组（仅用于试算）",
    )
    p.add_argument(
        "--make-sessions",
        action="store_true",
        help="轮次还没有走访时段时，按默认模板（工作日晚上、周末上午/下午）在起止日期内生成",
    )
    p.add_argument(
        "--remaining",
        action="store_true",
        help="轮次进行中重新规划：只排尚未走访的对象，只用尚未开始的时段；已打印或已开始的路线单保持不变",
    )
    p.add_argument("--capacity", action="store_true", help="只测算容量（工作量与可用时段），不规划")
    p.add_argument("--no-save", action="store_true", help="只计算，不写入数据库")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def _has_teams(store, round_id: int) -> bool:
    from sqlalchemy import select

    from gisplanner.store.model import Team

    with store.session() as s:
        return s.scalar(select(Team.id).where(Team.round_id == round_id).limit(1)) is not None


def run(args) -> int:
    from gisplanner.planning.plan import PlanConfig, PlanInputError, plan_round, quick_teams
    from gisplanner.routing.matrix import EBIKE, WALKING

    store = open_store(args)
    round_id = resolve_round(store, args.round)
    if args.time_limit <= 0:
        print("错误：--time-limit 必须大于 0", file=sys.stderr)
        return 2
    if args.make_sessions:
        from gisplanner.campaign.schedule import create_round_sessions

        try:
            n = create_round_sessions(store, round_id)
            print(f"已按模板生成 {n} 个走访时段", file=sys.stderr)
        except ValueError as e:
            print(f"提示：{e}", file=sys.stderr)
    if args.auto_teams and not _has_teams(store, round_id):
        try:
            from gisplanner.teams.formation import form_round_teams
            from gisplanner.teams.territory import split_round

            formed = form_round_teams(store, round_id)
            split_round(store, round_id)
            print(f"已自动组建 {len(formed.team_ids)} 个小组并划分片区", file=sys.stderr)
        except Exception as e:  # the teams modules explain their own problems
            print(f"错误：自动组队失败：{e}", file=sys.stderr)
            return 2
    if args.quick_teams is not None:
        try:
            made = quick_teams(store, round_id, args.quick_teams)
            print(f"已快速划分 {made} 个小组", file=sys.stderr)
        except PlanInputError as e:
            print(f"提示：{e}", file=sys.stderr)
    if args.capacity:
        from gisplanner.planning.capacity import CapacityConfig, round_capacity

        try:
            cap = round_capacity(store, round_id, CapacityConfig(profile=EBIKE if args.ebike else WALKING))
        except PlanInputError as e:
            print(f"错误：{e}", file=sys.stderr)
            return 2
        if args.json:
            print_json({"round": round_id, "capacity": cap.to_json()})
        else:
            _print_capacity(cap)
        return 0
    cfg = PlanConfig(
        time_limit=args.time_limit,
        workers=args.workers,
        profile=EBIKE if args.ebike else WALKING,
        remaining=args.remaining,
    )

    def progress(frac: float, msg: str) -> bool:
        if not args.json:
            print(f"\r{frac * 100:5.1f}% {msg[:40]:<40}", end="", file=sys.stderr, flush=True)
        return True

    try:
        result = plan_round(store, round_id, cfg, progress=progress, save=not args.no_save)
    except PlanInputError as e:
        if not args.json:
            print(file=sys.stderr)
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if not args.json:
        print(file=sys.stderr)
    for note in result.notes:
        print(note, file=sys.stderr)
    if result.violations:
        print(f"错误：{len(result.violations)} 处时间窗冲突，计划未保存：", file=sys.stderr)
        for v in result.violations[:10]:
            print(f"  {v}", file=sys.stderr)
        return 1
    if args.json:
        print_json(_with_sheet_numbers(store, result))
        return 0
    by_team: dict[str, list] = {}
    for r in result.routes:
        by_team.setdefault(r.team, []).append(r)
    for team, routes in by_team.items():
        n = sum(len(r.stops) for r in routes)
        walk = sum(r.walking_minutes for r in routes)
        print(f"{team}：{n} 户，步行 {walk:.0f} 分钟")
        for r in routes:
            stops = " → ".join(f"{s.seq}.{s.name}({s.start:%H:%M})" for s in r.stops)
            print(f"  {r.session}：{stops}")
    from gisplanner.planning.plan_reasons import REASONS

    if result.capacity is not None:
        _print_capacity(result.capacity)
    why = "，".join(f"{REASONS.get(k, k)} {n}" for k, n in sorted(result.by_reason().items()))
    print(
        f"共 {result.targets} 个对象，已排 {result.scheduled}，未排 {len(result.unscheduled)}"
        f"（{why or '无'}）；"
        f"重点对象已排 {result.priority_scheduled}/{result.priority_targets}；"
        f"步行合计 {result.walking_minutes:.0f} 分钟；用时 {result.runtime:.1f} 秒"
        + ("；已保存" if result.saved else "；未保存")
    )
    return 0


def _print_capacity(cap) -> None:
    print(f"容量测算：{cap.summary_zh()}")
    for t in cap.teams:
        if not t.targets:
            continue
        mark = "" if t.fits else f"，差 {t.shortfall_minutes / 60:.1f} 小时"
        print(
            f"  {t.name}：工作量 {t.workload_minutes / 60:.1f} 小时 / 可用 {t.available_minutes / 60:.1f} 小时"
            f"（{t.sessions} 个时段）{mark}"
        )
    for note in cap.notes:
        print(f"  {note}")


def _with_sheet_numbers(store, result) -> dict:
    """The plan as JSON, each route with its `sheet`: the sheet number (路线单编号) printed large on
    the route sheet, used by the entry panel and `results sheet --route` (None when not saved)."""
    from sqlalchemy import select

    from gisplanner.store.model import Route

    out = result.to_json()
    sheets = {}
    if result.saved:
        with store.session() as s:
            rows = s.execute(
                select(Route.team_id, Route.session_id, Route.id).where(Route.round_id == result.round_id)
            )
            sheets = {(t, sid): rid for t, sid, rid in rows}
    for r in out["routes"]:
        r["sheet"] = sheets.get((r["team_id"], r["session_id"]))
    return out
