"""`summary --db PATH [--area CODE] [--from DATE] [--to DATE] [--json] [--xlsx FILE]`.

Prints the summary paragraph (工作总结) and its supporting tables for an area and date range;
``--json`` prints the figures as keys plus the paragraph text (see gisplanner.reporting.printouts.summary
for what each figure counts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json

DEFINITIONS = """统计口径：
  走访群众家庭/企业/名士：时段内至少有一次“见面”或“电话走访”记录的不同对象数（不在家、拒访、已搬离不计）；
  收集问题/意见建议：时段内登记的问题数（名士提出的问题即意见建议）；
  帮助解决具体问题：上述问题中，到时段结束时状态为“已解决”的个数；当场解决的包含在内，另行注明；
                    解释说明、纳入集中整治的问题已办结但不计为“解决”；
  覆盖率：已走访户数 / 区域内户数；特殊群体：独居老人、残疾、困难家庭；
  逾期：到截止日期（无截止日期时为今天）仍未办结、且办理期限已过的问题（不论何时登记）。"""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，实际为 {value!r}") from None


def register(sub) -> None:
    p = sub.add_parser(
        "summary",
        help="生成某区域某时段的走访工作总结（段落与附表）",
        description="生成某区域（任一层级）某时段的走访工作总结：段落、分类汇总、分区域、问题类别。",
        epilog=DEFINITIONS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_argument(p)
    p.add_argument("--area", metavar="CODE", default=None, help="区划代码（任一层级）；默认：全部区域")
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="起始日期 YYYY-MM-DD（含）")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="截止日期 YYYY-MM-DD（含）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出各项数字和段落")
    p.add_argument("--xlsx", metavar="FILE", default=None, help="同时导出 Excel 文件（段落与附表）")
    p.set_defaults(func=run)


def run(args) -> int:
    from gisplanner.reporting.printouts.summary import build_summary, export_xlsx, to_text

    store = open_store(args)
    try:
        report = build_summary(store, args.area, args.date_from, args.date_to)
    except ValueError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.xlsx:
        export_xlsx(report, args.xlsx)
    if args.json:
        out = report.as_json()
        if args.xlsx:
            out["xlsx"] = str(args.xlsx)
        print_json(out)
    else:
        print(to_text(report), end="")
        if args.xlsx:
            print(f"\n已导出：{args.xlsx}")
    return 0
