"""Build time and database size of the demo at 8k, 250k and 2M households.

python bench/demo_bench.py [--sizes 8000,250000,2000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from gisplanner.demo import build_demo, town_count
from gisplanner.store.database import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="8000,250000,2000000")
    ap.add_argument("--keep", default=None, help="keep the databases in this folder")
    args = ap.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="gisplanner-demo-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'households':>11} {'towns':>6} {'build s':>8} {'size MB':>8}  database")
    for n in (int(s) for s in args.sizes.split(",")):
        path = folder / f"demo-{n}.sqlite"
        path.unlink(missing_ok=True)
        store = Store.open(path)
        t0 = time.perf_counter()
        build_demo(store, households=n, seed=1)
        dt = time.perf_counter() - t0
        store.close()
        size = sum(p.stat().st_size for p in folder.glob(f"demo-{n}.sqlite*")) / 1e6
        print(f"{n:>11} {town_count(n):>6} {dt:>8.1f} {size:>8.1f}  {path}", flush=True)
        if not args.keep:
            for p in folder.glob(f"demo-{n}.sqlite*"):
                p.unlink()


if __name__ == "__main__":
    main()
