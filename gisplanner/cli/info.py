"""`info --db PATH [--json]`: what the database holds."""

from __future__ import annotations

from gisplanner.cli.common import add_db_argument, open_store, print_json
from gisplanner.store.model import AREA_LEVEL_ZH, ROUND_KIND_ZH, ROUND_STATUS_ZH


def register(sub) -> None:
    p = sub.add_parser("info", help="显示数据库中的数量统计")
    add_db_argument(p)
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    store = open_store(args)
    c = store.counts()
    from gisplanner.geo.roads import road_stats

    c["roads"] = road_stats(store)
    if args.json:
        print_json(c)
        return 0
    print(f"数据库：{c['database']}")
    print("行政区划：" + "，".join(f"{AREA_LEVEL_ZH[k]} {v}" for k, v in c["areas"].items()))
    print(f"群众家庭 {c['households']} 户，企业 {c['enterprises']} 家，名士 {c['notable_persons']} 位")
    print(f"干部 {c['cadres']} 名，走访记录 {c['visits']} 条，问题 {c['problems']} 个")
    print(f"道路 {c['roads']['segments']} 条，共 {c['roads']['km']:.1f} 公里")
    print(f"走访轮次 {c['rounds']} 个：")
    for r in c["round_list"]:
        print(
            f"  [{r['id']}] {r['name']}（{ROUND_KIND_ZH.get(r['kind'], r['kind'])}，{ROUND_STATUS_ZH.get(r['status'], r['status'])}）"
        )
    return 0
