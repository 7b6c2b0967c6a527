"""`results import|sheet …`: returned route sheets (.xlsx) in and out of the shell.

- ``results sheet --db PATH --route ID --out FILE.xlsx``: a blank returnable sheet for a route
  (stops in order with their printed codes, empty result columns).
- ``results import --db PATH FILE.xlsx [--route ID] [--round ROUND] [--actor NAME] [--late-entry] [--json]``:
  enter a filled-in sheet; any bad row (also a visit dated in the future or before its session)
  is reported with sheet, row and field, nothing is written, exit 2. Importing it again changes nothing.
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_actions, open_store, print_json, resolve_round, subcommand


def register(sub) -> None:
    p = sub.add_parser("results", help="录入走访结果：导出/导入回收的路线单（Excel）")
    rsub = add_actions(p, "results_command")
    with subcommand(rsub, "sheet", run_sheet, json=False, help="导出一张可填写回收的路线单（.xlsx）") as s:
        s.add_argument("--route", type=int, required=True, help="路线单编号")
        s.add_argument("--out", required=True, help="输出文件 .xlsx")
    with subcommand(rsub, "import", run_import, help="导入填写好的回收路线单（.xlsx），整张表一次写入") as i:
        i.add_argument("file", help="回收的路线单 .xlsx")
        i.add_argument(
            "--route", type=int, default=None, help="路线单编号（表中未写明时必填，按序号录入时需要）"
        )
        i.add_argument("--round", default=None, help="轮次编号或名称（按户码查找时限定轮次）")
        i.add_argument("--actor", default="录入员", help="录入人")
        i.add_argument(
            "--late-entry",
            action="store_true",
            help="补录：允许走访日期早于路线单的走访时段（提前走访、事后录入）；将来的日期始终拒绝",
        )


def run_sheet(args) -> int:
    from gisplanner.campaign.results import ResultsError, write_blank_sheet

    store = open_store(args)
    try:
        path = write_blank_sheet(store, args.route, args.out)
    except ResultsError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    print(f"已导出：{path}")
    return 0


def run_import(args) -> int:
    from gisplanner.campaign.results import ResultsError, SheetImportError, import_sheet

    store = open_store(args)
    round_id = resolve_round(store, args.round) if args.round else None
    try:
        res = import_sheet(
            store,
            args.file,
            actor=args.actor,
            route_id=args.route,
            round_id=round_id,
            late_entry=args.late_entry,
        )
    except SheetImportError as e:
        if args.json:
            print_json(
                {
                    "ok": False,
                    "errors": [
                        {"sheet": x.sheet, "row": x.row, "field": x.field, "message": x.message}
                        for x in e.errors
                    ],
                }
            )
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except ResultsError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    out = {"ok": True, "visits": res.visits, "problems": res.problems, "unplanned": res.unplanned,
           "blank_rows": res.blank_rows}  # fmt: skip
    if args.json:
        print_json(out)
    else:
        print(
            f"已录入走访 {res.visits} 条（计划外 {res.unplanned}），问题 {res.problems} 个，空白行 {res.blank_rows}"
        )
    return 0
