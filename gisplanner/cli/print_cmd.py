"""`print route-sheets|survey-forms|contact-cards|problem-lists|problem-forms`: a round's paper as one PDF.

Layout is Qt (gisplanner.ui.printing.batch), loaded by name at run time so the core does not
depend on Qt; without a display Qt paints offscreen.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json, resolve_round
from gisplanner.reports.catalog import PRINTOUTS
from gisplanner.reports.common import ReportCancelled, ReportError


def register(sub) -> None:
    p = sub.add_parser(
        "print",
        help="打印：走访路线单、调查表、联系卡、问题清单、交办单（输出 PDF）",
        description="把一个走访轮次的全部纸质材料输出为一个 PDF（A4，中文字体内嵌）。",
    )
    p.add_argument("what", choices=list(PRINTOUTS), help="打印内容")
    add_db_argument(p)
    p.add_argument("--round", default=None, help="走访轮次（编号或名称；默认最新）")
    p.add_argument("--out", required=True, help="输出 PDF 文件")
    p.add_argument("--unmasked", action="store_true", help="电话、证件号码不脱敏（会记入打印日志）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    round_id = resolve_round(store, args.round)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt starts: no display needed
    batch = importlib.import_module("gisplanner.ui.printing.batch")
    try:
        result = batch.print_to_pdf(store, args.what, round_id, args.out, unmasked=args.unmasked)
    except (ReportError, ReportCancelled) as e:
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
            }  # fmt: skip
        )
    else:
        print(
            f"已输出 {result.title} {result.items} 份，共 {result.pages} 页：{result.path}（{result.seconds:.1f} 秒）"
        )
    return 0
