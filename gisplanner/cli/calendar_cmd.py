"""`calendar show|set|clear`: the holiday calendar sessions and deadlines use.

calendar show --db DB --start D --end D [--json]      each date: working day or not, and why
calendar set --db DB --date D (--workday|--holiday) [--note TEXT]   a manual override
calendar clear --db DB --date D                        back to the official calendar

The official 法定节假日 and 调休 come from the chinese-calendar package; overrides are kept in
the database and win over it (a local day off, a year the package does not know yet).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from gisplanner.cli.common import add_actions, open_store, print_json, subcommand


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"日期 {text!r} 应为 YYYY-MM-DD") from e


def register(sub) -> None:
    p = sub.add_parser("calendar", help="节假日日历（法定节假日、调休，及手动设置）")
    csub = add_actions(p, "calendar_command")
    with subcommand(csub, "show", run_show, help="列出日期是否工作日及原因", json_help="输出 JSON") as sh:
        sh.add_argument("--start", required=True, type=_date)
        sh.add_argument("--end", required=True, type=_date)
    with subcommand(
        csub, "set", run_set, json=False, help="手动设置某天为工作日或休息日（优先于官方日历）"
    ) as st:
        st.add_argument("--date", required=True, type=_date)
        g = st.add_mutually_exclusive_group(required=True)
        g.add_argument("--workday", action="store_true", help="设为工作日")
        g.add_argument("--holiday", action="store_true", help="设为休息日")
        st.add_argument("--note", default=None, help="说明（如：镇庆放假）")
    with subcommand(csub, "clear", run_clear, json=False, help="取消某天的手动设置") as cl:
        cl.add_argument("--date", required=True, type=_date)


def run_show(args) -> int:
    from gisplanner.campaign.cncalendar import HolidayCalendar

    if args.end < args.start:
        print(f"错误：结束日期 {args.end} 早于开始日期 {args.start}", file=sys.stderr)
        return 2
    store = open_store(args)
    with store.session() as s:
        cal = HolidayCalendar.load(s)
    days = []
    day = args.start
    while day <= args.end:
        days.append({"date": day.isoformat(), "workday": cal.is_workday(day), "holiday": cal.is_holiday(day),
                     "what": cal.describe(day)})  # fmt: skip
        day += dt.timedelta(days=1)
    note = cal.fallback_note(args.start, args.end)
    if args.json:
        print_json({"days": days, "note": note})
        return 0
    for d in days:
        print(f"{d['date']} {'工作日' if d['workday'] else '休息日'}  {d['what']}")
    if note:
        print(f"说明：{note}")
    return 0


def run_set(args) -> int:
    from gisplanner.campaign.cncalendar import set_override

    store = open_store(args)
    with store.session() as s:
        set_override(s, args.date, bool(args.workday), args.note)
    print(
        f"{args.date} 已设为{'工作日' if args.workday else '休息日'}（已生成的时段不变：可用 sessions generate 补充）"
    )
    return 0


def run_clear(args) -> int:
    from gisplanner.campaign.cncalendar import set_override

    store = open_store(args)
    with store.session() as s:
        set_override(s, args.date, None)
    print(f"{args.date} 恢复按官方日历")
    return 0
