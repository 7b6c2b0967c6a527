"""`export webmap --db PATH [--round ROUND] --out FILE.html [--unmasked]`: the offline web map."""

from __future__ import annotations

import sys

from gisplanner.cli.common import open_store, print_json, resolve_round
from gisplanner.cli.exporter import add_exporter


def _configure(p) -> None:
    p.add_argument(
        "--round",
        default=None,
        help="走访轮次（编号或名称）：该轮的覆盖和路线；默认：全部轮次的覆盖，不含路线",
    )
    p.add_argument("--unmasked", action="store_true", help="弹窗中电话不脱敏（默认 138****5678）")


def _run(args) -> int:
    from gisplanner.reporting.webmap import WebMapError, export_webmap

    store = open_store(args)
    round_id = resolve_round(store, args.round) if args.round is not None else None
    try:
        info = export_webmap(store, args.out, round_id, unmasked=args.unmasked)
    except WebMapError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(info)
    else:
        print(
            f"已导出离线网页地图 {info['out']}（{info['bytes'] / 1e6:.1f} MB）：{info['areas']} 个村/社区，"
            f"{info['households']} 户，{info['enterprises']} 家企业，{info['routes']} 条路线"
        )
    return 0


add_exporter("webmap", "导出离线网页地图（.html，覆盖、住户、企业、路线）", _configure, _run)
