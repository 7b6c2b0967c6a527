"""`round new|list|set` and `sessions list|add|remove|generate`: the round and its calendar.

round new --db DB --name NAME --kind regular|makeup|priority|return [--area CODE]
          --start YYYY-MM-DD --end YYYY-MM-DD [--template evenings,weekends,workdays] [--json]
round list --db DB [--json]
round set --db DB --round R [--status planning|running|closed] [--start D] [--end D] [--name N]
sessions list|add|remove|generate --db DB --round R
    add --date D --start HH:MM --end HH:MM [--kind evening|weekend|workday] [--team ID …]

Bad input (a session ending before it starts, overlapping sessions of one team, dates outside
the round, an unknown round, a round with no sessions) prints a clear message and exits 2;
nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from gisplanner.cli.common import add_actions, add_subcommand, open_store, print_json, subcommand
from gisplanner.store.vocab import RoundKind, RoundStatus, SessionKind

EXIT_BAD_INPUT = 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"日期 {text!r} 应为 YYYY-MM-DD") from e


def _time(text: str) -> dt.time:
    try:
        h, m = text.split(":")
        return dt.time(int(h), int(m))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"时间 {text!r} 应为 HH:MM（如 19:00）") from e


def _round_arg(p) -> None:
    p.add_argument("--round", required=True, help="走访轮次（编号或名称）")


def register(sub) -> None:
    p = sub.add_parser("round", help="新建、列出、修改走访轮次（名称、类型、区域、日期、状态）")
    rsub = add_actions(p, "round_command")

    with subcommand(rsub, "new", run_new, help="新建轮次（筹备中），按模板生成走访时段",
                    json_help="输出 JSON：{round, sessions}") as n:  # fmt: skip
        n.add_argument("--name", required=True, help="轮次名称")
        n.add_argument("--kind", required=True, choices=RoundKind.values(),
                       help=" / ".join(f"{k.value} {k.zh}" for k in RoundKind))  # fmt: skip
        n.add_argument("--area", default=None, help="区划代码（镇或村，默认全部）")
        n.add_argument("--start", required=True, type=_date, help="开始日期 YYYY-MM-DD")
        n.add_argument("--end", required=True, type=_date, help="结束日期 YYYY-MM-DD")
        n.add_argument("--template", default=None,
                       help="按模板生成时段：evenings 工作日晚上、weekends 周末/节假日、workdays 工作日白天，逗号分隔")  # fmt: skip

    add_subcommand(rsub, "list", run_list, help="列出所有轮次", json_help="输出 JSON：{rounds: [...]}")

    with subcommand(rsub, "set", run_set, help="修改轮次：状态（筹备中→进行中→已结束）、日期、名称",
                    json_help="输出 JSON") as st:  # fmt: skip
        _round_arg(st)
        st.add_argument("--status", choices=RoundStatus.values(),
                        help=" / ".join(f"{k.value} {k.zh}" for k in RoundStatus))  # fmt: skip
        st.add_argument("--start", type=_date, default=None, help="新的开始日期")
        st.add_argument("--end", type=_date, default=None, help="新的结束日期")
        st.add_argument("--name", default=None, help="新的名称")

    p = sub.add_parser("sessions", help="轮次的走访时段：列出、添加、删除、按模板生成")
    ssub = add_actions(p, "sessions_command")
    with subcommand(ssub, "list", run_sessions_list, help="列出走访时段", json_help="输出 JSON") as sl:
        _round_arg(sl)

    with subcommand(ssub, "add", run_sessions_add, help="添加一个走访时段", json_help="输出 JSON") as sa:
        _round_arg(sa)
        sa.add_argument("--date", required=True, type=_date, help="日期 YYYY-MM-DD")
        sa.add_argument("--start", required=True, type=_time, help="开始时间 HH:MM")
        sa.add_argument("--end", required=True, type=_time, help="结束时间 HH:MM")
        sa.add_argument("--kind", choices=SessionKind.values(), default=None,
                        help="evening 工作日晚上 / weekend 周末节假日 / workday 工作日白天（默认按日期和时间）")  # fmt: skip
        sa.add_argument("--team", type=int, action="append", default=[],
                        help="只给这个小组（编号，可重复）；默认所有小组")  # fmt: skip
        sa.add_argument("--label", default=None, help="名称（默认按类型）")

    with subcommand(ssub, "remove", run_sessions_remove, help="删除走访时段（连同其中已排的路线）",
                    json_help="输出 JSON") as sr:  # fmt: skip
        _round_arg(sr)
        sr.add_argument("--session", type=int, action="append", required=True, help="时段编号（可重复）")

    with subcommand(ssub, "generate", run_sessions_generate, help="按模板和节假日日历生成本轮日期内的走访时段",
                    json_help="输出 JSON") as sg:  # fmt: skip
        _round_arg(sg)
        sg.add_argument("--template", default="evenings,weekends,workdays",
                        help="evenings、weekends、workdays，逗号分隔（默认全部）")  # fmt: skip
        sg.add_argument("--replace", action="store_true", help="先删除本轮已有的时段")


def _fail(msg: str) -> int:
    print(f"错误：{msg}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _resolve(store, value) -> int:
    from gisplanner.cli.common import resolve_round

    return resolve_round(store, value)  # exits 2 with a message for an unknown round


def run_new(args) -> int:
    from gisplanner.campaign.rounds import RoundError, create_round, parse_template_names

    store = open_store(args)
    try:
        kinds = parse_template_names(args.template)
        made = create_round(store, args.name, args.kind, args.start, args.end, args.area, kinds)
    except RoundError as e:
        return _fail(str(e))
    if args.json:
        print_json({"round": made.round_id, "sessions": made.sessions})
    else:
        print(
            f"已创建轮次 [{made.round_id}] {args.name}：{made.targets} 个走访对象，{made.sessions} 个走访时段"
        )
    for note in made.notes:
        print(f"说明：{note}", file=sys.stderr if args.json else sys.stdout)
    return 0


def run_list(args) -> int:
    from gisplanner.campaign.rounds import list_rounds
    from gisplanner.store.model import ROUND_KIND_ZH, ROUND_STATUS_ZH

    store = open_store(args)
    with store.session() as s:
        rounds = list_rounds(s)
    if args.json:
        print_json({"rounds": rounds})
        return 0
    if not rounds:
        print("还没有走访轮次（用 round new 新建）")
    for r in rounds:
        print(
            f"[{r['id']}] {r['name']}（{ROUND_KIND_ZH.get(r['kind'], r['kind'])}，"
            f"{ROUND_STATUS_ZH.get(r['status'], r['status'])}）{r['start'] or '?'} 至 {r['end'] or '?'}，"
            f"区域 {r['area'] or '全部'}，{r['sessions']} 个时段，{r['targets']} 个对象"
        )
    return 0


def run_set(args) -> int:
    from gisplanner.campaign.rounds import RoundError, list_rounds, update_round

    store = open_store(args)
    rid = _resolve(store, args.round)
    if args.status is None and args.start is None and args.end is None and args.name is None:
        return _fail("没有要修改的内容（--status / --start / --end / --name）")
    try:
        with store.session() as s:
            update_round(s, rid, name=args.name, status=args.status, start=args.start, end=args.end)
    except RoundError as e:
        return _fail(str(e))
    with store.session() as s:
        row = next(r for r in list_rounds(s) if r["id"] == rid)
    if args.json:
        print_json(row)
    else:
        from gisplanner.store.model import ROUND_STATUS_ZH

        print(f"轮次 [{rid}] {row['name']}：{ROUND_STATUS_ZH[row['status']]}，{row['start']} 至 {row['end']}")
    return 0


def run_sessions_list(args) -> int:
    from gisplanner.campaign.rounds import list_sessions, no_sessions_hint
    from gisplanner.store.model import SESSION_KIND_ZH

    store = open_store(args)
    rid = _resolve(store, args.round)
    with store.session() as s:
        rows = list_sessions(s, rid)
    if args.json:
        print_json({"round": rid, "sessions": rows})
        return 0
    if not rows:
        print(f"轮次 {rid} 还没有走访时段：{no_sessions_hint(rid)}")
        return 0
    from gisplanner.campaign.schedule import WEEKDAY_ZH

    for r in rows:
        day = dt.date.fromisoformat(r["date"])
        teams = f"  仅小组 {','.join(map(str, r['teams']))}" if r["teams"] else ""
        print(
            f"#{r['id']} {r['date']} {WEEKDAY_ZH[day.weekday()]} {r['start']}–{r['end']} "
            f"{SESSION_KIND_ZH[r['kind']]} {r['label'] or ''}{teams}"
        )
    print(f"共 {len(rows)} 个走访时段")
    return 0


def run_sessions_add(args) -> int:
    from gisplanner.campaign.rounds import RoundError, add_session, session_dict

    store = open_store(args)
    rid = _resolve(store, args.round)
    start = dt.datetime.combine(args.date, args.start)
    end = dt.datetime.combine(args.date, args.end)
    try:
        with store.session() as s:
            v = add_session(s, rid, start, end, args.kind, args.team, args.label)
            out = session_dict(v)
    except RoundError as e:
        return _fail(str(e))
    if args.json:
        print_json({"session": out["id"], **out})
    else:
        print(f"已添加走访时段 #{out['id']}：{out['date']} {out['start']}–{out['end']}（{out['kind']}）")
    return 0


def run_sessions_remove(args) -> int:
    from gisplanner.campaign.rounds import RoundError, remove_sessions

    store = open_store(args)
    rid = _resolve(store, args.round)
    try:
        with store.session() as s:
            n, routes = remove_sessions(s, rid, args.session)
    except RoundError as e:
        return _fail(str(e))
    if args.json:
        print_json({"round": rid, "removed": n, "routes_removed": routes})
    else:
        print(
            f"已删除 {n} 个走访时段"
            + (f"，连同其中已规划的 {routes} 条路线（需重新规划或打印）" if routes else "")
        )
    return 0


def run_sessions_generate(args) -> int:
    from gisplanner.campaign.rounds import RoundError, generate_sessions, parse_template_names

    store = open_store(args)
    rid = _resolve(store, args.round)
    try:
        kinds = parse_template_names(args.template)
        if not kinds:
            return _fail("--template 不能为空（evenings,weekends,workdays）")
        with store.session() as s:
            added, skipped, notes = generate_sessions(s, rid, kinds, replace=args.replace)
    except RoundError as e:
        return _fail(str(e))
    if args.json:
        print_json({"round": rid, "sessions": added, "skipped": skipped, "notes": notes})
    else:
        print(f"轮次 {rid}：按模板添加 {added} 个走访时段")
        for note in notes:
            print(f"说明：{note}")
    return 0
