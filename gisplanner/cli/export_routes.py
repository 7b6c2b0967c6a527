"""`export routes --db PATH --round R --out FILE.geojson|.gpkg [--ebike]`: route legs along the roads."""

from __future__ import annotations

import sys

from gisplanner.cli.common import open_store, print_json, resolve_round
from gisplanner.cli.exporter import add_exporter


def _configure(p) -> None:
    p.add_argument("--round", default=None, help="走访轮次（编号或名称）；默认：最新轮次")
    p.add_argument("--ebike", action="store_true", help="按电动车可走的道路（默认步行）")


def _run(args) -> int:
    from gisplanner.planning.route_legs import RouteExportError, export_route_legs

    store = open_store(args)
    round_id = resolve_round(store, args.round)
    try:
        info = export_route_legs(store, round_id, args.out, "ebike" if args.ebike else "walking")
    except RouteExportError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(info)
    else:
        print(
            f"已导出 {info['routes']} 条路线的 {info['legs']} 段（沿道路 {info['on_road']} 段，"
            f"共 {info['km']:.1f} 公里）到 {info['out']}"
        )
    return 0


add_exporter("routes", "导出走访路线（每段一条沿道路的线，.geojson / .gpkg）", _configure, _run)
