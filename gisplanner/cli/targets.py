"""`targets --db PATH --kind makeup|priority|return [--area CODE] [--json]`: create the next round.

补课访 (makeup), 重点访 (priority) or 回头访 (return) for an area of any level (default: everywhere);
prints the new round's id and its size per village. ``--preview`` counts without creating.
"""

from __future__ import annotations

import datetime as dt
import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json
from gisplanner.store.model import ROUND_KIND_ZH
from gisplanner.store.vocab import RoundKind

NEXT_ROUND_KINDS = (RoundKind.MAKEUP, RoundKind.PRIORITY, RoundKind.RETURN)  # campaign.targets.KINDS


def register(sub) -> None:
    p = sub.add_parser("targets", help="按补课访/重点访/回头访规则生成下一轮走访对象并创建轮次")
    add_db_argument(p)
    p.add_argument("--kind", required=True, choices=[k.value for k in NEXT_ROUND_KINDS],
                   help=" / ".join(f"{k.value} {k.zh}" for k in NEXT_ROUND_KINDS))  # fmt: skip
    p.add_argument("--area", default=None, help="区划代码（任一级），默认全部")
    p.add_argument("--days", type=int, default=30, help="重点访：多少天内未见面（默认 30）")
    p.add_argument("--min-problems", type=int, default=2, help="回头访：问题数达到多少（默认 2）")
    p.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="按哪一天计算（YYYY-MM-DD，默认今天）"
    )
    p.add_argument("--start", type=dt.date.fromisoformat, default=None, help="轮次开始日期（默认明天）")
    p.add_argument("--end", type=dt.date.fromisoformat, default=None, help="轮次结束日期（默认开始后 13 天）")
    p.add_argument("--name", default=None, help="轮次名称")
    p.add_argument("--preview", action="store_true", help="只统计各区域人数，不创建轮次")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from gisplanner.campaign.targets import CreatedRound, TargetRules, TargetsError, create_round, preview

    store = open_store(args)
    rules = TargetRules(days=args.days, min_problems=args.min_problems)
    try:
        pv = preview(store, args.kind, area_code=args.area, today=args.today, rules=rules)
        if args.preview:
            out = {"round": None, "targets": pv.total, "per_area": pv.per_area_dict()}
            names = dict(zip(pv.per_area["area_code"], pv.per_area["area_name"], strict=True))
        else:
            created: CreatedRound = create_round(
                store, args.kind, today=args.today, rules=rules, name=args.name, start=args.start,
                end=args.end, preview_result=pv,
            )  # fmt: skip
            out = {"round": created.round_id, "targets": created.targets, "per_area": created.per_area,
                   "name": created.name, "sessions": created.sessions}  # fmt: skip
            names = dict(zip(pv.per_area["area_code"], pv.per_area["area_name"], strict=True))
    except TargetsError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    if args.json:
        print_json(out)
        return 0
    kind = ROUND_KIND_ZH[args.kind]
    if out["round"] is None:
        print(f"{kind}（{pv.scope_name}）：共 {out['targets']} 个对象（预览，未创建轮次）")
    else:
        print(
            f"已创建轮次 [{out['round']}] {out['name']}：共 {out['targets']} 个对象，{out['sessions']} 个走访时段"
        )
    for code, n in out["per_area"].items():
        print(f"  {code} {names.get(code, '')}：{n}")
    return 0
