"""Composition root: a CLI command when one is named, otherwise the desktop app."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from gisplanner.logs import setup_logging

    setup_logging()
    from gisplanner import cli

    if argv and not argv[0].startswith("-") or argv[:1] in (["-h"], ["--help"]):
        return cli.run(argv)
    parser = argparse.ArgumentParser(
        prog="gisplanner", description="大走访规划 GIS（不带命令时打开桌面程序）"
    )
    parser.add_argument(
        "--db", default=None, help="SQLite 文件或 PostgreSQL 地址；默认：用户数据库（首次启动生成演示镇）"
    )
    parser.add_argument("--lang", choices=["zh_CN", "en"], default=None, help="界面语言")
    args = parser.parse_args(argv)
    from gisplanner.ui.application import run_app  # Qt only from here on

    return run_app(db=args.db, lang=args.lang)
