"""`teams form` (三搭配 team formation) and `teams split` (territories) for a round.

teams form --db PATH --round ROUND [--size 2|3|mixed] [--keep-previous|--rotate] [--teams N]
           [--min-shared 0.5] [--json]
teams split --db PATH --round ROUND [--area CODE] [--json]
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_actions, open_store, print_json, resolve_round, subcommand


def register(sub) -> None:
    p = sub.add_parser("teams", help="组建三搭配走访小组；为小组划分责任片区")
    tsub = add_actions(p, "teams_command")

    with subcommand(tsub, "form", run_form, json_help="输出 JSON",
                    help="从本轮可用干部中组建队伍（男女、本地外地、老中青搭配），替换本轮原有队伍") as f:  # fmt: skip
        f.add_argument("--round", required=True, help="走访轮次（编号或名称）")
        f.add_argument("--size", default="2", choices=["2", "3", "mixed"],
                       help="每组人数：2、3，或 mixed（尽量两人一组，需要时三人）")  # fmt: skip
        prev = f.add_mutually_exclusive_group()
        prev.add_argument(
            "--keep-previous", action="store_true", help="尽量保留上一轮的搭档（回头访由原班人马）"
        )
        prev.add_argument("--rotate", action="store_true", help="尽量轮换搭档（不与上一轮同组）")
        f.add_argument(
            "--leader-weight", type=float, default=0.0, help="每组有带队干部的权重（默认 0：不考虑）"
        )
        f.add_argument(
            "--weight",
            action="append",
            default=[],
            metavar="RULE=W",
            help="规则权重，可重复：mixed_gender（男女）、has_local（本地）、age_mix（年龄段）、"
            "age_all_bands（老中青齐全）、leader（带队）、shared（共同可走访时段，默认 100）、"
            "previous（上轮搭档）；0 表示不考虑",
        )
        f.add_argument(
            "--min-shared",
            type=float,
            default=0.5,
            help="同组成员共同可走访时段至少占可走访最少者时段的比例（默认 0.5）",
        )
        f.add_argument(
            "--teams",
            type=int,
            default=None,
            help="最多组建几个队伍（村级轮次用不了全镇干部时；优先家在本轮区域的干部）",
        )

    with subcommand(tsub, "split", run_split, json_help="输出 JSON",
                    help="把本轮走访对象划分为各队伍的责任片区（按工作量均衡、紧凑）") as s:  # fmt: skip
        s.add_argument("--round", required=True, help="走访轮次（编号或名称）")
        s.add_argument(
            "--area", default=None, help="只划分这个区划（代码）；默认按工作量把队伍分配到各村/社区再划分"
        )


WEIGHT_FIELDS = (
    "w_mixed_gender", "w_has_local", "w_age_mix", "w_age_all_bands", "w_leader", "w_shared", "w_previous",
)  # fmt: skip


def run_form(args) -> int:
    from gisplanner.teams.formation import MIXED, RULE_ZH, FormationError, FormationRules, form_round_teams

    store = open_store(args)
    round_id = resolve_round(store, args.round)
    weights = {"w_leader": args.leader_weight}
    for item in args.weight:
        rule, _, value = item.partition("=")
        key = "w_" + rule.strip()
        if key not in WEIGHT_FIELDS:
            print(
                f"错误：--weight {item!r}：未知规则 {rule!r}（可用：{', '.join(f[2:] for f in WEIGHT_FIELDS)}）",
                file=sys.stderr,
            )
            return 2
        try:
            weights[key] = float(value)
        except ValueError:
            print(f"错误：--weight {item!r}：权重 {value!r} 不是数字", file=sys.stderr)
            return 2
    if not 0 <= args.min_shared <= 1:
        print(f"错误：--min-shared {args.min_shared} 应在 0 到 1 之间", file=sys.stderr)
        return 2
    rules = FormationRules(
        size=MIXED if args.size == "mixed" else int(args.size),
        min_shared=args.min_shared,
        previous="keep" if args.keep_previous else "rotate" if args.rotate else "ignore",
        **weights,
    )
    try:
        stored = form_round_teams(store, round_id, rules, teams=args.teams)
    except FormationError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    res = stored.result
    if args.json:
        print_json(
            {
                "round": round_id,
                "teams": [
                    {
                        "id": tid,
                        "members": [c.id for c in t.members],
                        "rules_met": t.rules_met,
                        "rules_failed": t.rules_failed,
                        "shared_sessions": t.shared,
                    }  # fmt: skip
                    for tid, t in zip(stored.team_ids, res.teams, strict=True)
                ],
                "unmet": [
                    {
                        "rule": u.rule,
                        "reason": u.reason,
                        "teams": u.teams_failing,
                        "team_ids": [
                            tid
                            for tid, t in zip(stored.team_ids, res.teams, strict=True)
                            if u.rule in t.rules_failed
                        ],
                    }
                    for u in res.unmet
                ],  # fmt: skip
                "leftover": [c.id for c in res.leftover],
                "objective": res.objective,
                "proven_optimal": res.proven_optimal,
                "method": res.method,
                "previous_round": stored.previous_round_id,
                "notes": res.notes,
            }
        )
        return 0
    print(
        f"轮次 {round_id}：组建 {len(res.teams)} 个队伍（{'已证明最优' if res.proven_optimal else '未证明最优'}）"
    )
    for n, t in enumerate(res.teams, start=1):
        names = "、".join(
            f"{c.name}({'男' if c.gender == 'M' else '女'}{'本地' if c.is_local else '外地'})"
            for c in t.members
        )
        met = "、".join(RULE_ZH[r] for r in t.rules_met) or "-"
        miss = "、".join(RULE_ZH[r] for r in t.rules_failed)
        shared = f"  共同时段 {t.shared}" if t.shared is not None else ""
        print(f"  第{n}组：{names}  满足：{met}{shared}" + (f"  未满足：{miss}" if miss else ""))
    for note in res.notes:
        print(f"说明：{note}")
    for u in res.unmet:
        print(f"未满足 {RULE_ZH[u.rule]}：{u.reason}")
    for c in res.leftover:
        print(f"未编组：{c.name}")
    return 0


def run_split(args) -> int:
    from gisplanner.teams.territory import TerritoryError, split_round

    store = open_store(args)
    round_id = resolve_round(store, args.round)
    try:
        split = split_round(store, round_id, area_code=args.area)
    except TerritoryError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    teams = [w for w in split.workloads if w.team_id is not None]
    hours = [w.hours for w in teams if w.hours > 0]
    if args.json:
        print_json(
            {
                "round": round_id,
                "teams": [
                    {
                        "id": w.team_id,
                        "name": w.name,
                        "households": w.households,
                        "special": w.special,
                        "enterprises": w.enterprises,
                        "notables": w.notables,
                        "hours": w.hours,
                        "office_area_id": w.office_area_id,
                    }
                    for w in teams
                ],  # fmt: skip
                "max_hours": max(hours, default=0.0),
                "min_hours": min(hours, default=0.0),
                "balance": split.balance,
                "mean_dist_to_centroid_m": split.mean_dist_to_centroid,
                "hull_overlap": split.hull_overlap,
                "per_area": split.per_area,
                "notes": split.notes,
            }
        )
        return 0
    print(f"轮次 {round_id}：{len(teams)} 个队伍的责任片区（预计工时 = 走访时间 + 步行）")
    for w in teams:
        print(
            f"  {w.name}：住户 {w.households}，特殊群体 {w.special}，企业 {w.enterprises}，"
            f"名士 {w.notables}，预计 {w.hours:.1f} 小时"
        )
    if hours:
        print(
            f"工时：最多 {max(hours):.1f} 小时，最少 {min(hours):.1f} 小时，最多/最少 = {split.balance:.2f}"
        )
    print(
        f"紧凑度：到片区中心平均 {split.mean_dist_to_centroid:.0f} 米，片区凸包重叠 {split.hull_overlap:.1%}"
    )
    for note in split.notes:
        print(f"说明：{note}")
    return 0
