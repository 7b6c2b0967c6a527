"""`print route-sheets|survey-forms|contact-cards|problem-lists|problem-forms`: a round's paper as one PDF.

Layout is Qt's painter (gisplanner.printing.batch: QtGui, never widgets), imported when the
command runs so the other commands start without loading Qt; without a display Qt paints offscreen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json, resolve_round
from gisplanner.progress import Cancelled
from gisplanner.reporting.printouts.catalog import PRINTOUTS
from gisplanner.reporting.printouts.common import ReportError
from gisplanner.reporting.printouts.selection import PrintSelection

SELECTABLE = ("route-sheets", "survey-forms", "contact-cards")  # printouts that follow --team/--date/…


def register(sub) -> None:
    p = sub.add_parser(
        "print",
        help="打印：走访路线单、调查表、联系卡、问题清单、交办单（输出 PDF）",
        description="把一个走访轮次的纸质材料输出为一个 PDF（A4 或 A3，中文字体内嵌）；可按小组、日期、时段、区划选印，每组一册、按时段排序。",
    )
    p.add_argument("what", choices=list(PRINTOUTS), help="打印内容")
    add_db_argument(p)
    p.add_argument("--round", default=None, help="走访轮次（编号或名称；默认最新）")
    p.add_argument("--out", required=True, help="输出 PDF 文件")
    p.add_argument("--unmasked", action="store_true", help="电话、证件号码不脱敏（会记入打印日志）")
    p.add_argument("--team", default=None, help="只打印这个小组（编号或名称）")
    p.add_argument("--date", default=None, help="只打印这一天的路线（YYYY-MM-DD）")
    p.add_argument(
        "--session", default=None, help="只打印这个走访时段（编号、名称如“周末上午”或开始时刻 09:00）"
    )
    p.add_argument("--area", default=None, help="只打印这个区划（村/社区或镇的代码）内的走访对象")
    p.add_argument("--paper", choices=("a4", "a3"), default="a4", help="纸张（默认 A4 纵向）")
    p.add_argument(
        "--leader-copy",
        action="store_true",
        help="路线单附组长电话预约联系单（含完整电话，会记入打印日志）；留给群众的各页仍脱敏",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    round_id = resolve_round(store, args.round)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt starts: no display needed
    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"错误：--date “{args.date}”不是日期（格式 YYYY-MM-DD）", file=sys.stderr)
        return 2
    only = PrintSelection(team=args.team, date=day, session=args.session, area=args.area)
    if not only.is_all and args.what not in SELECTABLE:
        print(
            f"错误：{args.what} 不能按小组、日期、时段或区划选印（可选印：{'、'.join(SELECTABLE)}）",
            file=sys.stderr,
        )
        return 2
    if args.leader_copy and args.what != "route-sheets":
        print("错误：--leader-copy 只用于走访路线单（route-sheets）", file=sys.stderr)
        return 2
    from gisplanner.printing import batch  # QtGui: loaded by this command only

    try:
        result = batch.print_to_pdf(
            store, args.what, round_id, args.out, unmasked=args.unmasked, paper=args.paper,
            only=None if only.is_all else only, leader_copy=args.leader_copy,
        )  # fmt: skip
    except (ReportError, Cancelled) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(
            {
                "what": args.what,
                "round": round_id,
                "items": result.items,
                "pages": result.pages,
                "out": str(result.path),
                "seconds": round(result.seconds, 3),
                "print_log": result.log_id,
                "unmasked": bool(args.unmasked),
                "leader_copy": bool(args.leader_copy),
                "paper": args.paper,
            }  # fmt: skip
        )
    else:
        print(
            f"已输出 {result.title} {result.items} 份，共 {result.pages} 页：{result.path}（{result.seconds:.1f} 秒）"
        )
    return 0
