"""`demo --db PATH [--households N] [--seed S]`: build the demo database."""

from __future__ import annotations

import sys
import time

from gisplanner.cli.common import add_db_argument, open_store


def register(sub) -> None:
    p = sub.add_parser("demo", help="生成演示镇数据库")
    add_db_argument(p)
    p.add_argument(
        "--households", type=int, default=8_000, help="住户数（默认 8000；250000 或 2000000 用于压力测试）"
    )
    p.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同一数据库")
    p.set_defaults(func=run)


def run(args) -> int:
    from gisplanner.demo import build_demo
    from gisplanner.demo_file import build_demo_database
    from gisplanner.store.database import StoreError, resolve_url

    t0 = time.perf_counter()

    def progress(frac: float, msg: str) -> bool:
        print(f"\r{frac * 100:5.1f}% {msg:<30}", end="", file=sys.stderr, flush=True)
        return True

    url = resolve_url(args.db)
    if url.startswith("sqlite:///"):
        # built beside and renamed into place: kill -9 never leaves a half-built database
        where = url.removeprefix("sqlite:///")
        try:
            counts = build_demo_database(where, households=args.households, seed=args.seed, progress=progress)
        except StoreError as e:
            print(f"错误：{e}", file=sys.stderr)
            return 2
    else:
        store = open_store(args)
        where = store.describe()
        if not store.is_empty():
            print(f"错误：数据库 {where} 已有数据，演示数据只能写入空数据库", file=sys.stderr)
            return 2
        counts = build_demo(store, households=args.households, seed=args.seed, progress=progress)
    print(file=sys.stderr)
    print(
        f"演示数据库已生成：{where}（{time.perf_counter() - t0:.1f} 秒）\n"
        f"住户 {counts['households']}，企业 {counts['enterprises']}，名士 {counts['notable_persons']}，"
        f"干部 {counts['cadres']}，走访 {counts['visits']}，问题 {counts['problems']}"
    )
    return 0
