"""Composition root: a CLI command when one is named, otherwise the desktop app."""

from __future__ import annotations

import argparse
import os
import sys
import time

_T_IMPORT = time.perf_counter()


def seconds_since_start() -> float:
    """Seconds since the process started (interpreter and bundle loader included on Linux)."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/self/stat") as f:
            start = int(f.read().rsplit(")", 1)[1].split()[19]) / ticks
        with open("/proc/uptime") as f:
            return float(f.read().split()[0]) - start
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _T_IMPORT


def display_problem() -> str | None:
    """Why Qt's default (xcb) platform cannot start here, in words, before Qt aborts."""
    if not sys.platform.startswith("linux") or (os.environ.get("QT_QPA_PLATFORM") or "xcb") != "xcb":
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return "没有图形显示（DISPLAY 未设置）/ no display: run it on a desktop, or `xvfb-run -a make run`"
    from gisplanner import sysdeps

    if not sysdeps.xcb_ready():
        return sysdeps.message(sysdeps.check())
    return None


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
    parser.add_argument(
        "--smoke", action="store_true",
        help="自检：打开主窗口，等地图画好后打印 `smoke ok: window Xs, map Ys` 并退出（出错时返回非 0）",
    )  # fmt: skip
    args = parser.parse_args(argv)
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from gisplanner.ui.application import run_app  # Qt only from here on

    return run_app(db=args.db, lang=args.lang, smoke=seconds_since_start if args.smoke else None)
