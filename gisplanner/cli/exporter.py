"""`export targets|areas --db PATH --out FILE [--unmasked]` — and more kinds from other modules.

The `export` command is a registry: a module ``gisplanner/cli/export_<name>.py`` adds a kind
at import time, without defining ``register`` (that would make it a top-level command)::

    from gisplanner.cli.exporter import add_exporter

    def _configure(parser): parser.add_argument("--round")
    def _run(args) -> int: ...

    add_exporter("webmap", "导出离线网页地图（.html）", _configure, _run)

Every kind gets ``--db``, ``--out`` and ``--json``; `register` below imports all
``export_*`` modules first, so discovery order does not matter.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

from gisplanner.cli.common import add_db_argument, open_store, print_json, resolve_round


@dataclass(frozen=True)
class Exporter:
    name: str
    help: str
    configure: Callable  # (argparse.ArgumentParser) -> None: the kind's own options
    run: Callable  # (argparse.Namespace) -> int exit code


EXPORTERS: dict[str, Exporter] = {}


def add_exporter(name: str, help: str, configure: Callable, run: Callable) -> None:
    """Add (or replace) an `export NAME` kind."""
    EXPORTERS[name] = Exporter(name, help, configure, run)


def _load_plugins() -> None:
    import gisplanner.cli as cli_pkg

    for mod in pkgutil.iter_modules(cli_pkg.__path__):
        if mod.name.startswith("export_"):
            importlib.import_module(f"gisplanner.cli.{mod.name}")


def register(sub) -> None:
    _load_plugins()
    p = sub.add_parser("export", help="导出走访对象（.xlsx）、区域覆盖（.gpkg/.geojson）等")
    kinds = p.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    for name in sorted(EXPORTERS):
        e = EXPORTERS[name]
        k = kinds.add_parser(name, help=e.help)
        add_db_argument(k)
        k.add_argument("--out", required=True, help="输出文件")
        k.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        e.configure(k)
        k.set_defaults(func=e.run)


def _progress(frac: float, msg: str) -> bool:
    print(f"\r{frac * 100:5.1f}% {msg:<30}", end="", file=sys.stderr, flush=True)
    return True


# -- targets ---------------------------------------------------------------------------------


def _configure_targets(p) -> None:
    p.add_argument("--unmasked", action="store_true", help="不隐藏电话号码（默认 138****5678）")
    p.add_argument(
        "--kind", action="append", choices=["household", "enterprise", "notable"], help="只导出某类，可重复"
    )


def _run_targets(args) -> int:
    from gisplanner.reporting.export import ExportError, export_targets_xlsx

    store = open_store(args)
    try:
        info = export_targets_xlsx(
            store,
            args.out,
            unmasked=args.unmasked,
            kinds=args.kind,
            progress=None if args.json else _progress,
        )
    except ExportError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(info)
    else:
        print(file=sys.stderr)
        masked = "电话未隐藏" if args.unmasked else "电话已隐藏"
        print(
            f"已导出 {info['targets']} 个走访对象、{info['open_problems']} 个未办结问题到 {args.out}（{masked}）"
        )
    return 0


# -- areas -----------------------------------------------------------------------------------


def _configure_areas(p) -> None:
    p.add_argument("--round", default=None, help="走访轮次（编号或名称）；默认：全部轮次")
    p.add_argument(
        "--level", default=None, choices=["city", "district", "town", "village"], help="只导出某一级"
    )
    p.add_argument("--unmasked", action="store_true", help="（区域文件不含个人信息，此选项不改变内容）")


def _run_areas(args) -> int:
    from gisplanner.reporting.export import ExportError, export_areas

    store = open_store(args)
    round_ids = [resolve_round(store, args.round)] if args.round is not None else None
    try:
        info = export_areas(store, args.out, round_ids=round_ids, level=args.level)
    except ExportError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json(info)
    else:
        print(f"已导出 {info['areas']} 个区域（含覆盖情况）到 {args.out}")
    return 0


add_exporter("targets", "导出走访对象及最近走访结果、未办结问题（.xlsx）", _configure_targets, _run_targets)
add_exporter("areas", "导出区域边界及覆盖情况（.gpkg / .geojson）", _configure_areas, _run_areas)
