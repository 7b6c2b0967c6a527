"""`import roads FILE` and `import areas --from-roster` (the `import` command lives in importer.py).

Exit codes as for the other imports: 0 done, 2 the input cannot be used (nothing written),
3 the database write failed (rolled back).
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json


def add_roads_parser(kinds) -> None:
    r = kinds.add_parser(
        "roads", help="导入路网（OpenStreetMap .osm.pbf，或线状 Shapefile / GeoPackage / GeoJSON）"
    )
    r.add_argument("file", help=".osm.pbf 或线图层文件")
    add_db_argument(r)
    r.add_argument(
        "--crs",
        default=None,
        help="坐标系：wgs84 / cgcs2000 / gcj02（高德）/ bd09（百度）或 EPSG 代码；默认按文件",
    )
    r.add_argument("--layer", default=None, help="图层名称（GeoPackage）")
    r.add_argument("--name-field", default=None, help="道路名称字段（默认自动识别 name/名称…）")
    r.add_argument("--kind-field", default=None, help="道路等级字段（默认自动识别 highway/fclass/道路等级…）")
    r.add_argument("--append", action="store_true", help="保留已有道路（默认替换）")
    r.add_argument("--preview", action="store_true", help="只检查，不写入")
    r.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    r.set_defaults(func=run_roads)


def _progress(frac: float, msg: str) -> bool:
    print(f"\r{frac * 100:5.1f}% {msg:<30}", end="", file=sys.stderr, flush=True)
    return True


def run_roads(args) -> int:
    import time

    from gisplanner.geo.roads import road_stats
    from gisplanner.io.road_import import RoadImportError, import_roads, read_roads

    t0 = time.perf_counter()
    try:
        preview = read_roads(
            args.file, crs=args.crs, layer=args.layer, name_field=args.name_field, kind_field=args.kind_field
        )
    except RoadImportError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.preview:
        if args.json:
            print_json(preview.as_dict() | {"notes": preview.notes})
        else:
            print(f"{preview.path.name}：{len(preview.frame)} 条道路（坐标系 {preview.source_crs}）")
            for k, n in list(preview.kinds.items())[:15]:
                print(f"  {k}: {n}")
            for line in preview.notes:
                print(f"  {line}")
        return 0
    store = open_store(args)
    try:
        done = import_roads(store, preview, append=args.append, progress=None if args.json else _progress)
    except Exception as e:  # noqa: BLE001 - the transaction rolled back
        print(f"\n错误：导入失败，数据库未作任何改动：{e}", file=sys.stderr)
        return 3
    stats = road_stats(store)
    out = preview.as_dict() | done | {"roads": stats, "seconds": round(time.perf_counter() - t0, 2)}
    if args.json:
        print_json(out)
        return 0
    print(file=sys.stderr)
    print(
        f"{preview.path.name}：导入 {done['inserted']} 条道路"
        + (f"（替换原有 {done['replaced']} 条）" if done["replaced"] else "")
        + f"；路网共 {stats['segments']} 条、{stats['km']:.1f} 公里"
    )
    for line in preview.notes:
        print(f"  {line}")
    return 0


def run_from_roster(args) -> int:
    from gisplanner.io.village_derive import DeriveError, derive_villages

    if not args.from_roster:
        print("错误：请给出边界文件，或用 --from-roster 按住户名册生成村界", file=sys.stderr)
        return 2
    store = open_store(args)
    try:
        result = derive_villages(store, args.town, progress=None if args.json else _progress)
    except DeriveError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(result.as_dict())
        return 0
    print(file=sys.stderr)
    print(
        f"镇 {result.town_code}：按 {result.targets} 个走访对象生成 {result.villages} 个村/社区的村界（派生）"
    )
    if result.outside_town:
        print(f"  {result.outside_town} 个走访对象在镇界以外，未参与")
    if result.empty:
        print(f"  没有走访对象的村/社区：{'、'.join(result.empty)}")
    return 0
