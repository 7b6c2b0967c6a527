"""`cadres list` and `cadres availability`: the roster and when each cadre can go out.

cadres list --db DB [--json]
cadres availability --db DB --cadre ID --kinds evening,weekend,workday [--leave D1:D2 …] [--no-leave]
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_actions, add_subcommand, open_store, print_json, subcommand


def register(sub) -> None:
    p = sub.add_parser("cadres", help="干部名册；设置干部可走访时段与请假日期")
    csub = add_actions(p, "cadres_command")
    add_subcommand(csub, "list", run_list, help="列出干部及其可走访时段、请假日期", json_help="输出 JSON")

    with subcommand(
        csub,
        "availability",
        run_availability,
        help="设置一名干部的可走访时段和请假日期",
        json_help="输出 JSON",
    ) as a:
        a.add_argument("--cadre", required=True, help="干部 id 或名册编号")
        a.add_argument("--kinds", required=True,
                       help="可走访时段：evening 工作日晚上、weekend 周末/节假日、workday 工作日白天，逗号分隔")  # fmt: skip
        a.add_argument("--leave", action="append", default=None, metavar="D1:D2",
                       help="请假日期 YYYY-MM-DD:YYYY-MM-DD（可重复；给出时替换原有请假记录）")  # fmt: skip
        a.add_argument("--no-leave", action="store_true", help="清除该干部的请假记录")


def run_list(args) -> int:
    from gisplanner.store.model import SESSION_KIND_ZH
    from gisplanner.teams.cadres import list_cadres

    store = open_store(args)
    with store.session() as s:
        rows = list_cadres(s)
    if args.json:
        print_json({"cadres": rows})
        return 0
    for r in rows:
        kinds = "、".join(SESSION_KIND_ZH[k] for k in r["kinds"]) or "无"
        leave = "；".join(f"{a}至{b}" for a, b in r["leave"])
        print(f"[{r['id']}] {r['name']}  可走访：{kinds}" + (f"  请假：{leave}" if leave else ""))
    return 0


def run_availability(args) -> int:
    from gisplanner.teams.cadres import CadreError, cadre_dict, find_cadre, parse_leave, set_availability

    store = open_store(args)
    if args.leave and args.no_leave:
        print("错误：--leave 与 --no-leave 不能同时使用", file=sys.stderr)
        return 2
    try:
        leaves = [parse_leave(x) for x in args.leave] if args.leave else ([] if args.no_leave else None)
        kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
        with store.session() as s:
            c = find_cadre(s, args.cadre)
            set_availability(s, c.id, kinds, leaves)
            out = cadre_dict(c)
    except CadreError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(out)
    else:
        leave = "；".join(f"{a}至{b}" for a, b in out["leave"]) or "无"
        print(f"干部 [{out['id']}] {out['name']}：可走访 {','.join(out['kinds'])}，请假 {leave}")
    return 0
