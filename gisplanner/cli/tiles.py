"""Offline base maps on the command line.

- `import basemap FILE.mbtiles [--db DB] [--home DIR] [--crs wgs84|gcj02] [--name N] [--json]`:
  check an MBTiles file, copy it to `<home>/basemaps/` and make it the database's base map.
- `basemap show --db DB [--json]`: the database's base map.
- `basemap set --db DB (--preset NAME | --url TEMPLATE [--crs gcj02] | --none) [--key TK]`.
- `basemap download --db DB --zoom 12-16 [--town CODE] [--estimate] [--json]`: fetch the tiles
  of the town's (or the whole database's) extent into the cache ahead of time.

Exit codes: 0 done, 2 bad input (nothing written), 3 the download failed (network).
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_actions, add_subcommand, open_store, print_json, subcommand


def add_basemap_import_parser(kinds) -> None:
    """`import basemap FILE`: a KIND of the `import` command (cli/importer.py adds it)."""
    with subcommand(kinds, "basemap", run_import, help="导入离线底图（MBTiles 文件）") as b:
        b.add_argument("file", help=".mbtiles 文件")
        b.add_argument(
            "--home", default=None, help="底图文件存放的用户目录（默认：GISPLANNER_HOME 或用户数据目录）"
        )
        b.add_argument(
            "--crs", default="wgs84", choices=["wgs84", "gcj02"], help="瓦片坐标系（高德瓦片为 gcj02）"
        )
        b.add_argument("--name", default=None, help="底图名称（默认：文件中的 name）")


def register(sub) -> None:
    from gisplanner.geo.basemap import PRESETS

    acts = add_actions(sub.add_parser("basemap", help="底图：查看、设置、下载离线瓦片"), "action")
    add_subcommand(acts, "show", run_show, help="显示数据库使用的底图")
    with subcommand(acts, "set", run_set, json=False, help="设置数据库使用的底图") as st:
        g = st.add_mutually_exclusive_group(required=True)
        g.add_argument("--preset", choices=sorted(PRESETS), help="常用底图")
        g.add_argument("--url", help="XYZ 瓦片地址模板，含 {z} {x} {y}（可含 {s} {key}）")
        g.add_argument("--none", action="store_true", help="不使用底图")
        st.add_argument("--crs", default="wgs84", choices=["wgs84", "gcj02"], help="--url 的坐标系")
        st.add_argument("--key", default=None, help="天地图密钥（tk），保存在数据库设置中")
    with subcommand(acts, "download", run_download, help="预先下载镇（或全部区域）范围的瓦片到缓存") as d:
        d.add_argument("--zoom", required=True, help="缩放级别，例如 12-16 或 12,14,16")
        d.add_argument("--town", default=None, help="镇/街道（或任一区域）的区划代码；默认全部区域的范围")
        d.add_argument("--estimate", action="store_true", help="只估算瓦片数量和大小，不下载")


def run_import(args) -> int:
    from gisplanner.geo.basemap import BasemapError, MBTiles, import_mbtiles

    try:
        MBTiles(args.file).close()  # a bad file is refused before any database is opened
    except BasemapError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    store = open_store(args)
    try:
        info = import_mbtiles(args.file, store, home=args.home, crs=args.crs, name=args.name)
    except BasemapError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(info)
    else:
        print(
            f"已导入底图「{info['name']}」：{info['tiles']} 张瓦片，级别 {info['min_zoom']}–{info['max_zoom']}，"
            f"坐标系 {info['crs']}；文件 {info['path']}"
        )
    return 0


def run_show(args) -> int:
    from gisplanner.geo.basemap import BasemapError, database_source

    store = open_store(args)
    try:
        src = database_source(store)
    except BasemapError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    out = None if src is None else {
        "name": src.name, "url": src.url, "mbtiles": src.mbtiles, "crs": src.crs, "needs_key": src.needs_key,
        "has_key": bool(src.key), "zooms": [src.min_zoom, src.max_zoom], "cache": str(src.cache_root),
    }  # fmt: skip
    if args.json:
        print_json(out)
    elif out is None:
        print("未设置底图")
    else:
        print(f"{src.name}（{src.crs}）：{src.mbtiles or src.url}")
    return 0


def run_set(args) -> int:
    from gisplanner.geo.basemap import (
        PRESETS,
        SETTING_TIANDITU_KEY,
        BasemapError,
        TileSource,
        set_database_source,
        set_setting,
    )

    store = open_store(args)
    try:
        if args.none:
            src = None
        elif args.preset:
            src = PRESETS[args.preset]
        else:
            if not all(k in args.url for k in ("{z}", "{x}", "{y}")):
                raise BasemapError(f"瓦片地址缺少 {{z}} {{x}} {{y}}：{args.url}")
            src = TileSource("XYZ", url=args.url, crs=args.crs, needs_key="{key}" in args.url)
    except BasemapError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    set_database_source(store, src)
    if args.key is not None:
        set_setting(store, SETTING_TIANDITU_KEY, args.key.strip() or None)
    print("已取消底图" if src is None else f"底图已设置为 {src.name}")
    return 0


def _extent(store, code: str | None):
    import shapely

    gdf = store.areas_gdf()
    if code:
        gdf = gdf[gdf["code"] == code]
        if gdf.empty:
            print(f"错误：找不到区划代码 {code}", file=sys.stderr)
            raise SystemExit(2)
    geoms = [g for g in gdf.geometry if g is not None and not g.is_empty]
    if not geoms:
        print("错误：数据库中没有带边界的区域，无法确定下载范围", file=sys.stderr)
        raise SystemExit(2)
    return tuple(float(v) for v in shapely.union_all(geoms).bounds)


def run_download(args) -> int:
    from gisplanner.geo.basemap import BasemapError, database_source, download, parse_zooms, plan_download

    store = open_store(args)
    try:
        src = database_source(store)
        if src is None:
            raise BasemapError("数据库还没有设置底图：先运行 basemap set --preset … 或 --url …")
        plan = plan_download(src, _extent(store, args.town), parse_zooms(args.zoom))
        out = {"tiles": plan.total, "cached": plan.cached, "to_fetch": plan.to_fetch,
               "estimated_bytes": plan.est_bytes, "per_zoom": plan.per_zoom}  # fmt: skip
        if args.estimate:
            print_json(out) if args.json else print(plan.summary())
            return 0
        if not args.json:
            print(plan.summary(), file=sys.stderr)

        def progress(frac: float, msg: str) -> bool:
            if not args.json:
                print(f"\r{frac * 100:5.1f}% {msg:<30}", end="", file=sys.stderr, flush=True)
            return True

        res = download(plan, progress=progress)
    except BasemapError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"\n错误：{e}", file=sys.stderr)
        return 3
    if args.json:
        print_json(out | res.as_dict())
    else:
        print(file=sys.stderr)
        print(
            f"下载 {res.fetched} 张（{res.bytes / 1e6:.1f} MB），已有 {res.cached} 张，服务器缺 {res.missing} 张，失败 {res.failed} 张"
        )
    return 0
