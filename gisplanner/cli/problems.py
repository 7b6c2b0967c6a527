"""`problems overdue|escalate|show|status …`: the 督办 list and the problem workflow from the shell.

- ``problems overdue [--area CODE] [--today D] [--json]``: problems past their deadline.
- ``problems escalate [--area CODE] [--today D] --actor NAME [--json]``: escalate every overdue
  problem one level up (village → town → district → city), each with an event.
- ``problems show ID [--json]``: a problem and its event history.
- ``problems status ID TO --actor NAME [--note TEXT]``: move a problem along the workflow.
- ``problems deadlines [--set CATEGORY=DAYS ...] [--holiday YYYY-MM-DD ...] [--json]``: the time
  limits per category (0 = immediate) in working days, stored in the database.
"""

from __future__ import annotations

import datetime as dt
import sys

from gisplanner.cli.common import add_actions, add_db_argument, open_store, print_json, subcommand
from gisplanner.store.model import AREA_LEVEL_ZH, PROBLEM_CATEGORIES, PROBLEM_STATUS_ZH


def register(sub) -> None:
    p = sub.add_parser("problems", help="问题办理：督办清单、超期升级、查看与状态变更")
    psub = add_actions(p, "problems_command")

    # overdue and escalate share --db --area --today --json (_common); escalate's --actor comes last
    with subcommand(
        psub, "overdue", run_overdue, db=False, json=False, help="列出超期未办结的问题（督办清单）"
    ) as o:
        _common(o)

    with subcommand(psub, "escalate", run_escalate, db=False, json=False, help="把超期问题升级一级督办") as e:
        _common(e)
        e.add_argument("--actor", default="督办", help="操作人（记入办理记录）")

    with subcommand(psub, "show", run_show, help="显示一个问题及其办理记录") as s:
        s.add_argument("id", type=int)

    with subcommand(psub, "status", run_status, json=False, help="变更问题状态") as st:
        st.add_argument("id", type=int)
        st.add_argument("to", choices=list(PROBLEM_STATUS_ZH), help="目标状态")
        st.add_argument("--actor", required=True, help="操作人")
        st.add_argument("--note", default=None)

    with subcommand(psub, "deadlines", run_deadlines, help="查看或设置各类问题的办理时限（工作日）") as d:
        d.add_argument(
            "--set", action="append", default=[], metavar="CATEGORY=DAYS", help="如 transport=15，0 表示即时"
        )
        d.add_argument("--default", type=int, default=None, help="其他类别的时限（工作日）")
        d.add_argument(
            "--holiday", action="append", default=[], type=dt.date.fromisoformat, help="节假日（不计工作日）"
        )
        d.add_argument(
            "--workday", action="append", default=[], type=dt.date.fromisoformat, help="调休上班日"
        )


def _common(p) -> None:
    add_db_argument(p)
    p.add_argument("--area", default=None, help="区划代码（任一级）")
    p.add_argument("--today", type=dt.date.fromisoformat, default=None, help="按哪一天计算（默认今天）")
    p.add_argument("--json", action="store_true")


def _area_ids(store, code):
    if not code:
        return None
    from gisplanner.campaign.targets import TargetsError, areas_frame, villages_under

    try:
        return villages_under(areas_frame(store), code)[1]
    except TargetsError as e:
        print(f"错误：{e}", file=sys.stderr)
        raise SystemExit(2) from e


def run_overdue(args) -> int:
    from gisplanner.campaign.problems import overdue

    store = open_store(args)
    ids = _area_ids(store, args.area)
    with store.session() as s:
        rows = overdue(s, args.today, area_ids=ids)
    if args.json:
        print_json({"overdue": len(rows), "problems": [r.__dict__ for r in rows]})
        return 0
    print(f"超期未办结问题 {len(rows)} 个")
    for r in rows:
        print(
            f"  #{r.id} {PROBLEM_CATEGORIES.get(r.category, r.category)} {r.target_name} "
            f"{AREA_LEVEL_ZH.get(r.level, r.level)}·{r.unit or '未指定单位'} {PROBLEM_STATUS_ZH[r.status]} "
            f"期限 {r.deadline} 超期 {r.days_overdue} 个工作日"
            + (f"，已升级 {r.escalations} 次" if r.escalations else "")
        )
    return 0


def run_escalate(args) -> int:
    from gisplanner.campaign.problems import escalate_overdue

    store = open_store(args)
    ids = _area_ids(store, args.area)
    with store.session() as s:
        run = escalate_overdue(s, actor=args.actor, today=args.today, area_ids=ids)
    if args.json:
        print_json({
            "escalated": len(run.escalated),
            "problems": [{"id": i, "from": a, "to": b} for i, a, b in run.escalated],
            "skipped": [{"id": i, "why": w} for i, w in run.skipped],
        })  # fmt: skip
        return 0
    print(f"已升级督办 {len(run.escalated)} 个问题，跳过 {len(run.skipped)} 个")
    for i, a, b in run.escalated:
        print(f"  #{i}：{AREA_LEVEL_ZH[a]} → {AREA_LEVEL_ZH[b]}")
    for i, w in run.skipped:
        print(f"  #{i}：{w}")
    return 0


def run_show(args) -> int:
    from gisplanner.campaign.problems import history
    from gisplanner.store.model import Problem

    store = open_store(args)
    with store.session() as s:
        p = s.get(Problem, args.id)
        if p is None:
            print(f"错误：找不到问题 #{args.id}", file=sys.stderr)
            return 2
        events = [
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
            }
            for e in history(s, p.id)
        ]
        info = {
            "id": p.id, "target": p.target.name, "category": p.category, "description": p.description,
            "handling": p.handling, "level": p.level, "unit": p.unit.name if p.unit else None,
            "status": p.status, "deadline": p.deadline, "reply": p.reply, "satisfaction": p.satisfaction,
            "escalations": p.escalations, "version": p.version, "events": events,
        }  # fmt: skip
    if args.json:
        print_json(info)
        return 0
    print(
        f"问题 #{info['id']}（{PROBLEM_CATEGORIES.get(info['category'], info['category'])}）{info['target']}：{info['description']}"
    )
    print(
        f"  状态 {PROBLEM_STATUS_ZH[info['status']]}，{AREA_LEVEL_ZH.get(info['level'])}·{info['unit'] or '本级'}，期限 {info['deadline']}"
    )
    for e in events:
        chg = f"{PROBLEM_STATUS_ZH.get(e['from'] or '', '')}→{PROBLEM_STATUS_ZH.get(e['to'] or '', '')}"
        print(f"  {e['at']:%Y-%m-%d %H:%M} {e['actor']} {e['action']} {chg} {e['note'] or ''}")
    return 0


def run_status(args) -> int:
    from gisplanner.campaign.problems import ProblemError, change_status

    store = open_store(args)
    try:
        with store.session() as s:
            p = change_status(s, args.id, args.to, actor=args.actor, note=args.note)
            print(f"问题 #{p.id} 已改为「{PROBLEM_STATUS_ZH[p.status]}」")
    except ProblemError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    return 0


def run_deadlines(args) -> int:
    from gisplanner.campaign.problems import DeadlineRules, ProblemError
    from gisplanner.campaign.workdays import WorkCalendar

    store = open_store(args)
    try:
        with store.session() as s:
            rules = DeadlineRules.load(s)
            for item in args.set:
                cat, _, days = item.partition("=")
                if not days.strip().isdigit():
                    raise ProblemError(f"时限“{item}”应写成 类别=工作日数，如 transport=15")
                rules.days[cat.strip()] = int(days)
            if args.default is not None:
                rules.default_days = args.default
            if args.holiday or args.workday:
                rules.calendar = WorkCalendar.of(
                    rules.calendar.holidays | set(args.holiday),
                    rules.calendar.extra_workdays | set(args.workday),
                )
            if args.set or args.default is not None or args.holiday or args.workday:
                rules.save(s)
    except ProblemError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    table = {cat: rules.days_for(cat) for cat in PROBLEM_CATEGORIES}
    if args.json:
        print_json({"days": table, "holidays": sorted(rules.calendar.holidays)})
        return 0
    for cat, zh in PROBLEM_CATEGORIES.items():
        print(f"  {zh}（{cat}）：{rules.label(cat)}")
    if rules.calendar.holidays:
        print("  节假日：" + "、".join(str(d) for d in sorted(rules.calendar.holidays)))
    return 0
