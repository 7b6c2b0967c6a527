"""`import households|enterprises|notables|cadres FILE` and `import areas FILE`; the other kinds,
`import roads` and `import basemap`, are defined beside their commands and added here.

Exit codes: 0 the import ran (rejected rows are reported on stdout and written to the rejects
file), 2 the file could not be read or lacks a required column (nothing written), 3 the
import failed in the database (rolled back, nothing written).
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_db_argument, open_store, print_json
from gisplanner.cli.import_geo import add_roads_parser
from gisplanner.cli.tiles import add_basemap_import_parser
from gisplanner.io.crs import CrsError, parse_crs
from gisplanner.io.headers import ROSTER_KIND_ZH, ROSTER_KINDS

MAX_LISTED = 20


def register(sub) -> None:
    p = sub.add_parser("import", help="导入名册（住户/企业/名士/干部）或区域边界")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind in ROSTER_KINDS:
        k = kinds.add_parser(kind, help=f"导入{ROSTER_KIND_ZH[kind]}名册（.xlsx / .csv）")
        k.add_argument("file", help="名册文件 .xlsx 或 .csv（UTF-8 / GBK 自动识别）")
        add_db_argument(k)
        if kind != "cadres":
            k.add_argument(
                "--crs",
                default=None,
                help="坐标系：wgs84 / cgcs2000 / gcj02（高德）/ bd09（百度）或 EPSG 代码；"
                "默认按表头提示或上次的设置，否则 wgs84",
            )
        k.add_argument(
            "--rejects", default=None, help="未导入行的输出文件（默认：<文件名>.rejects.xlsx 或 .csv）"
        )
        k.add_argument("--sheet", default=None, help="工作表名称（默认第一个）")
        k.add_argument("--town", default=None, help="只接受该镇（区划代码）范围内的坐标")
        k.add_argument("--map", action="append", default=[], metavar="FIELD=表头", help="指定列对应，可重复")
        k.add_argument("--preview", action="store_true", help="只检查，不写入")
        k.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        k.set_defaults(func=run_roster)

    a = kinds.add_parser("areas", help="导入区域边界（GeoJSON / Shapefile / GeoPackage）")
    a.add_argument("file", nargs="?", help="边界文件（用 --from-roster 时不需要）")
    add_db_argument(a)
    a.add_argument(
        "--level", default=None, choices=["city", "district", "town", "village"],
        help="区域级别（必填，除非用 --level-field 给出每个要素的级别）",
    )  # fmt: skip
    code = a.add_mutually_exclusive_group()
    code.add_argument("--code-field", default=None, help="代码字段（默认自动识别 code/区划代码/XZQDM…）")
    code.add_argument("--code", default=None, dest="code_value", help="单个要素的文件：区划代码")
    name = a.add_mutually_exclusive_group()
    name.add_argument("--name-field", default=None, help="名称字段（默认自动识别 name/名称/XZQMC…）")
    name.add_argument("--name", default=None, dest="name_value", help="单个要素的文件：区域名称")
    a.add_argument("--parent-field", default=None, help="上级代码字段（默认按包含关系找上级）")
    a.add_argument("--level-field", default=None, help="级别字段（每个要素自己的级别）")
    a.add_argument("--layer", default=None, help="图层名称（GeoPackage）")
    a.add_argument(
        "--offices", default=None, help="村委会位置的点图层文件（默认：同一文件中的点图层，否则面内点）"
    )
    a.add_argument(
        "--crs", default=None,
        help="文件坐标所用的坐标系：wgs84 / cgcs2000 / gcj02（高德/腾讯）/ bd09（百度）/ EPSG:n；"
        "给出时优先于文件声明的坐标系；没有 .prj 的 Shapefile 必须给出",
    )  # fmt: skip
    a.add_argument("--relevel", action="store_true", help="允许改变已有区域的级别")
    a.add_argument(
        "--allow-outside", action="store_true", help="允许导入后有走访对象不在任何村/社区内（默认拒绝）"
    )
    a.add_argument("--dry-run", action="store_true", help="完整检查并报告结果，但不写入数据库")
    a.add_argument("--preview", action="store_true", help="只读取文件，不连接数据库")
    a.add_argument("--json", action="store_true")
    a.add_argument(
        "--from-roster", action="store_true", help="没有村界文件时：按住户名册的“所属村/社区”生成村界（派生）"
    )
    a.add_argument("--town", default=None, help="--from-roster：镇/街道的区划代码（默认：库中唯一的镇）")
    a.set_defaults(func=run_areas)

    add_roads_parser(kinds)
    add_basemap_import_parser(kinds)


def _crs(value: str | None):
    """The --crs value normalised; an unknown one exits 2 with a message (no pyproj traceback)."""
    try:
        return parse_crs(value)
    except CrsError as e:
        print(f"错误：{e}", file=sys.stderr)
        raise SystemExit(2) from e


def _progress(frac: float, msg: str) -> bool:
    print(f"\r{frac * 100:5.1f}% {msg:<30}", end="", file=sys.stderr, flush=True)
    return True


def run_roster(args) -> int:
    from gisplanner.io.readers import ReadError
    from gisplanner.io.roster_import import MappingError, import_roster, preview_roster

    mapping = None
    if args.map:
        from gisplanner.io.headers import guess_mapping
        from gisplanner.io.readers import read_table

        try:
            table = read_table(args.file, kind=args.kind, sheet=args.sheet)
        except ReadError as e:
            print(f"错误：{e}", file=sys.stderr)
            return 2
        mapping = guess_mapping(args.kind, table.headers)
        for item in args.map:
            key, _, header = item.partition("=")
            mapping[key.strip()] = header.strip()
    store = open_store(args)
    try:
        preview = preview_roster(
            store, args.file, args.kind, mapping=mapping, crs=_crs(getattr(args, "crs", None)),
            sheet=args.sheet, town_code=args.town,
        )  # fmt: skip
    except (ReadError, MappingError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.preview:
        out = {
            "file": str(preview.path), "kind": args.kind, "rows": preview.total, "good": preview.good_count,
            "bad": preview.bad_count, "mapping": preview.mapping, "crs": preview.crs,
            "remembered_mapping": preview.remembered,
        }  # fmt: skip
        if args.json:
            out["issues"] = [{"row": i.row, "field": i.field, "message": i.message} for i in preview.issues]
            print_json(out)
        else:
            print(preview.summary())
            _list_issues(preview.issues)
        return 0
    try:
        result = import_roster(
            store, preview, rejects_path=args.rejects, progress=None if args.json else _progress
        )
    except Exception as e:  # noqa: BLE001 - anything here rolled the transaction back
        if not args.json:
            print(file=sys.stderr)
        print(f"错误：导入失败，数据库未作任何改动：{e}", file=sys.stderr)
        return 3
    if args.json:
        print_json(result.as_dict() | {"file": str(preview.path), "rows": preview.total})
        return 0
    print(file=sys.stderr)
    print(
        f"{preview.path.name}：新增 {result.inserted}，更新 {result.updated}，未变 {result.unchanged}，"
        f"未导入 {result.rejected} 行"
        + (f"（原因见 {result.rejects_path}）" if result.rejects_path else "")
        + (f"；新建单位 {result.units_created} 个" if result.units_created else "")
        + (
            f"；按“所属村/社区”新建 {result.villages_created} 个村/社区（用 import areas --from-roster 生成村界）"
            if result.villages_created
            else ""
        )
    )
    _list_issues(preview.issues)
    return 0


def _list_issues(issues) -> None:
    for i in issues[:MAX_LISTED]:
        print(f"  {i}")
    if len(issues) > MAX_LISTED:
        print(f"  ……另有 {len(issues) - MAX_LISTED} 个问题")


def run_areas(args) -> int:
    if args.from_roster or args.file is None:
        from gisplanner.cli.import_geo import run_from_roster

        return run_from_roster(args)
    from gisplanner.io.boundary_import import (
        BoundaryError,
        import_boundaries,
        level_label,
        preview_boundaries,
    )

    if args.level is None and args.level_field is None:
        print(
            "错误：请用 --level 指定区域级别（city / district / town / village），"
            "或用 --level-field 指定每个要素的级别字段",
            file=sys.stderr,
        )
        return 2
    crs = _crs(args.crs)
    try:
        preview = preview_boundaries(
            args.file, layer=args.layer, level=args.level, code_field=args.code_field,
            name_field=args.name_field, parent_field=args.parent_field, level_field=args.level_field,
            crs=crs, office_path=args.offices, code_value=args.code_value, name_value=args.name_value,
        )  # fmt: skip
    except BoundaryError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    level_zh = level_label(args.level) if args.level else "区域"
    if args.preview:
        out = {
            "file": str(preview.path), "features": len(preview.features), "source_crs": preview.source_crs,
            "code_field": preview.code_field, "name_field": preview.name_field,
            "repairs": preview.repairs, "problems": preview.problems,
        }  # fmt: skip
        if args.json:
            print_json(out)
        else:
            print(f"{preview.path.name}：{len(preview.features)} 个{level_zh}（坐标系 {preview.source_crs}）")
            for line in preview.repairs + preview.problems:
                print(f"  {line}")
        return 0
    store = open_store(args)
    try:
        result = import_boundaries(
            store, preview, relevel=args.relevel, allow_outside=args.allow_outside, dry_run=args.dry_run
        )
    except BoundaryError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001
        print(f"错误：导入失败，数据库未作任何改动：{e}", file=sys.stderr)
        return 3
    if args.json:
        print_json(result.as_dict() | {"file": str(preview.path), "source_crs": preview.source_crs})
        return 0
    head = "检查（未写入）" if args.dry_run else ""
    print(
        f"{head}{preview.path.name}：新增 {result.inserted}，更新 {result.updated}，未变 {result.unchanged}，"
        f"跳过 {result.skipped}，修复 {result.repaired} 个区域"
    )
    if result.targets_outside:
        print(f"  导入后有 {result.targets_outside} 个走访对象不在任何村/社区内")
    for line in result.repairs + result.problems:
        print(f"  {line}")
    return 0
