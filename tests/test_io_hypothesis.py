"""Hypothesis: whatever the rows hold, the importer does not crash, every row is either imported
or rejected with a reason, and a cancelled import writes nothing."""

import itertools
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gisplanner.io.readers import RawTable
from gisplanner.io.roster_import import import_roster, preview_roster
from gisplanner.progress import Cancelled

HEADER = ["户号", "户主", "联系电话", "经度", "纬度", "家庭人口", "标签", "独居老人", "村社区代码"]
_counter = itertools.count()

junk = st.text(st.characters(blacklist_categories=("Cs",)), max_size=25)
long_text = st.text(alphabet="测试长文本ab", min_size=190, max_size=320)
numbers = st.floats(allow_nan=True, allow_infinity=True).map(repr)
inside_lon = st.floats(120.02, 120.04).map(lambda v: f"{v:.6f}")  # inside the demo town
inside_lat = st.floats(31.48, 31.50).map(lambda v: f"{v:.6f}")
phone = st.one_of(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.from_regex(r"\d{0,13}", fullmatch=True), junk
)


def mostly(good, bad):
    """Good values nine times in ten, so that imports and rejects both happen."""
    return st.sampled_from([True] * 9 + [False]).flatmap(lambda ok: good if ok else bad)


cell = {
    "户号": mostly(st.just("#"), st.one_of(st.sampled_from(["A", "1", ""]), junk)),  # '#': the row's own id
    "户主": mostly(st.sampled_from(["张三", "李四", "王五"]), st.one_of(st.just(""), junk, long_text)),
    "联系电话": mostly(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), phone),
    "经度": mostly(inside_lon, st.one_of(numbers, junk, st.just(""))),
    "纬度": mostly(inside_lat, st.one_of(numbers, junk, st.just(""))),
    "家庭人口": mostly(st.integers(1, 9).map(str), st.one_of(st.integers(-3, 40).map(str), junk)),
    "标签": mostly(
        st.sampled_from(["", "残疾", "独居老人、困难家庭"]),
        st.one_of(st.sampled_from(["外星人", "残疾，,新居民"]), junk),
    ),
    "独居老人": mostly(
        st.sampled_from(["是", "否", ""]), st.one_of(st.sampled_from(["√", "1", "也许"]), junk)
    ),
    "村社区代码": mostly(st.just(""), st.one_of(st.sampled_from(["320412101001", "999"]), junk)),
}
row = st.fixed_dictionaries(cell).map(lambda d: [d[h] for h in HEADER])


def table_of(rows, prefix):
    frame = pd.DataFrame(rows, columns=HEADER, dtype=object)
    # ids unique per example (the store is shared across examples); duplicates within stay
    frame["户号"] = [
        f"{prefix}-r{i}" if v == "#" else f"{prefix}-{v}" if v else "" for i, v in enumerate(frame["户号"])
    ]
    return RawTable(Path(f"/tmp/h-{prefix}.xlsx"), list(HEADER), frame, np.arange(2, len(rows) + 2))


def snapshot(db):
    with sqlite3.connect(db) as c:
        return c.execute(
            "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(version), 0) FROM target"
        ).fetchone()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(row, min_size=1, max_size=30), cancel_after=st.one_of(st.none(), st.integers(1, 2)))
def test_random_rows_never_crash_and_never_half_write(demo_store_copy, tmp_path, rows, cancel_after):
    store = demo_store_copy
    prefix = f"H{next(_counter)}"
    preview = preview_roster(store, tmp_path / "x.xlsx", "households", table=table_of(rows, prefix))
    assert preview.good_count + preview.bad_count == len(rows)
    reasons = preview.checked.reasons()
    bad_rows = set(preview.table.rows[~preview.checked.good].tolist())
    assert set(reasons) == bad_rows  # every rejected row has a reason, no good row has one
    before = snapshot(store.sqlite_path)
    rejects = tmp_path / f"{prefix}.rejects.xlsx"

    if cancel_after is not None and preview.good_count:
        calls = itertools.count(1)
        try:
            import_roster(
                store,
                preview,
                rejects_path=rejects,
                chunk=3,
                progress=lambda f, m: next(calls) <= cancel_after,
            )
        except Cancelled:
            assert snapshot(store.sqlite_path) == before
            assert not rejects.exists()
            return

    result = import_roster(store, preview, rejects_path=rejects)
    after = snapshot(store.sqlite_path)
    assert after[0] == before[0] + result.inserted
    assert result.inserted == preview.good_count and result.rejected == preview.bad_count
    if preview.bad_count:
        back = pd.read_excel(rejects, dtype=str)
        assert len(back) == preview.bad_count and back["错误原因"].notna().all()
    else:
        assert not rejects.exists()
    # importing the same rows again changes nothing
    again = import_roster(
        store,
        preview_roster(store, tmp_path / "x.xlsx", "households", table=table_of(rows, prefix)),
        rejects_path=rejects,
    )
    assert (again.inserted, again.updated) == (0, 0)
    assert snapshot(store.sqlite_path) == after
