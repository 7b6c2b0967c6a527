"""Import speed: 250,000 CSV rows (goal ≤ 10 s) and 100,000 xlsx rows (goal ≤ 30 s), each beside
a bare pandas read of the same file.

    .venv/bin/python bench/import_bench.py [--csv-rows 250000] [--xlsx-rows 100000]

The rosters are households at random points inside the demo town's villages (so every row
goes through coordinate checks, point-in-polygon and the database), in GBK for the CSV as an
office would save it. "import" is the whole thing the CLI does: read, map headers, check every
row, find villages, and insert in one transaction into a fresh copy of the database.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gisplanner.demo import build_demo  # noqa: E402
from gisplanner.io.roster_import import import_roster, preview_roster  # noqa: E402
from gisplanner.io.xlsx_writer import write_xlsx  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402

TAGS = ["", "", "", "", "独居老人", "残疾", "困难家庭、残疾", "常年在外经商", "退役军人", "新居民"]


def roster(store: Store, n: int, seed: int = 7) -> pd.DataFrame:
    """n households at random points inside the villages, with phones, members and tags."""
    rng = np.random.default_rng(seed)
    villages = store.areas_gdf(level="village")
    union = shapely.union_all(villages.geometry.to_numpy())
    shapely.prepare(union)
    x0, y0, x1, y1 = union.bounds
    xs, ys = [], []
    while sum(len(x) for x in xs) < n:
        x = rng.uniform(x0, x1, n)
        y = rng.uniform(y0, y1, n)
        keep = shapely.contains_xy(union, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
    lon = np.concatenate(xs)[:n]
    lat = np.concatenate(ys)[:n]
    surnames = np.array(list("王张陈周吴徐朱蒋钱陆沈刘杨许顾孙黄李何汤"))
    given = np.array(list("建国伟华明军红霞芳英秀兰志强平刚勇杰丽娟"))
    names = np.char.add(np.char.add(rng.choice(surnames, n), rng.choice(given, n)), rng.choice(given, n))
    phones = np.char.add("139", np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8))
    return pd.DataFrame(
        {
            "户编号": [f"B{i:07d}" for i in range(n)],
            "户主姓名": names,
            "联系电话": phones,
            "详细地址": [f"某村{i % 40 + 1}组{i % 97 + 1}号" for i in range(n)],
            "经度": np.round(lon, 7),
            "纬度": np.round(lat, 7),
            "家庭人口": rng.integers(1, 7, n),
            "标签": rng.choice(TAGS, n),
        }
    )


def fresh_copy(src: Path, dest: Path) -> Store:
    with sqlite3.connect(src) as s, sqlite3.connect(dest) as d:
        s.backup(d)
    return Store.open(dest)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bench_file(label: str, path: Path, base_db: Path, work: Path, bare_read, goal: float) -> None:
    _, bare = timed(bare_read)
    store = fresh_copy(base_db, work / f"{label}.sqlite")
    preview, t_preview = timed(lambda: preview_roster(store, path, "households"))
    result, t_write = timed(lambda: import_roster(store, preview))
    total = t_preview + t_write
    # re-importing the same file changes nothing (and shows the cost of the comparison)
    again, t_again = timed(lambda: import_roster(store, preview_roster(store, path, "households")))
    store.close()
    ok = "达标" if total <= goal else "未达标"
    print(
        f"{label:5s} {preview.total:>8,d} 行  pandas 直接读取 {bare:6.2f} s | 导入 {total:6.2f} s "
        f"(读取+检查 {t_preview:5.2f} s, 写库 {t_write:5.2f} s) 目标 ≤ {goal:.0f} s {ok} | "
        f"新增 {result.inserted:,d} 拒绝 {result.rejected} | 再次导入 {t_again:5.2f} s 未变 {again.unchanged:,d}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv-rows", type=int, default=250_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="gisplanner-import-bench-"))
    try:
        base_db = work / "base.sqlite"
        base = Store.open(base_db)
        build_demo(base, households=500, seed=1)
        frame = roster(base, max(args.csv_rows, args.xlsx_rows))
        base.close()

        csv_path = work / "households.csv"
        frame.head(args.csv_rows).to_csv(csv_path, index=False, encoding="gbk")
        xlsx_path = work / "households.xlsx"
        _, t_w = timed(lambda: write_xlsx(xlsx_path, [("名册", frame.head(args.xlsx_rows))]))
        print(
            f"测试文件：CSV {csv_path.stat().st_size / 1e6:.1f} MB（GBK），xlsx {xlsx_path.stat().st_size / 1e6:.1f} MB"
        )

        bench_file(
            "csv", csv_path, base_db, work,
            lambda: pd.read_csv(csv_path, encoding="gbk", dtype=str, keep_default_na=False), 10,
        )  # fmt: skip
        bench_file(
            "xlsx", xlsx_path, base_db, work,
            lambda: pd.read_excel(xlsx_path, dtype=str, engine="openpyxl"), 30,
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
