"""Hypothesis: whatever a boundary file holds (wild coordinates, lying CRS, junk codes and names,
any level), boundary import either refuses with a message and writes nothing, or leaves a sound
area tree whose every polygon lies in China."""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gisplanner.io.boundary_import import BoundaryError, import_boundaries, preview_boundaries
from gisplanner.io.crs import in_china
from gisplanner.store.area_tree import tree_problems

_counter = itertools.count()
junk = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
plausible = st.tuples(st.floats(119.95, 120.10), st.floats(31.40, 31.55))  # around the demo town
wild = st.tuples(
    st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.floats(3e5, 6e5)),
    st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.floats(3.3e6, 3.6e6)),
)
size = st.one_of(st.floats(1e-7, 0.05), st.floats(0.05, 20))
feature = st.fixed_dictionaries(
    {
        "corner": st.sampled_from([True] * 4 + [False]).flatmap(lambda ok: plausible if ok else wild),
        "w": size,
        "h": size,
        "bowtie": st.booleans(),
        "code": st.one_of(st.sampled_from(["320412101001", "320412101000", "320412000000", ""]), junk),
        "name": st.one_of(st.sampled_from(["潘家村", "雪堰镇", "\u202e村名\u200b"]), junk),
    }
)


def ring(f):
    x, y = f["corner"]
    w, h = f["w"], f["h"]
    if f["bowtie"]:
        return [[x, y], [x + w, y + h], [x + w, y], [x, y + h], [x, y]]
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]


def digest(db) -> str:
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT * FROM area ORDER BY id").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    feats=st.lists(feature, min_size=1, max_size=6),
    claim=st.sampled_from([None, "EPSG:4326", "EPSG:4549", "EPSG:3857"]),
    crs=st.sampled_from([None, "wgs84", "gcj02", "bd09", "EPSG:4549"]),
    level=st.sampled_from(["city", "district", "town", "village"]),
    relevel=st.booleans(),
    allow_outside=st.booleans(),
)
def test_random_boundary_files_never_corrupt_the_tree(
    demo_store_copy, tmp_path, feats, claim, crs, level, relevel, allow_outside
):
    store = demo_store_copy
    db = store.sqlite_path
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": f["code"], "name": f["name"]},
                "geometry": {"type": "Polygon", "coordinates": [ring(f)]},
            }
            for f in feats
        ],
    }
    if claim:
        doc["crs"] = {"type": "name", "properties": {"name": claim}}
    path = tmp_path / f"b{next(_counter)}.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = digest(db)
    try:
        preview = preview_boundaries(path, level=level, crs=crs)
        import_boundaries(store, preview, relevel=relevel, allow_outside=allow_outside)
    except BoundaryError as e:
        assert str(e).strip()
        assert digest(db) == before
        event("refused: " + str(e).split("：")[1][:12] if "：" in str(e) else "refused")
        return
    event("imported")
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT id, code, name, level, parent_id FROM area").fetchall()
        assert not tree_problems(rows)
        names = [r[0] for r in c.execute("SELECT name FROM area")]
    assert not any("\u202e" in n or "\u200b" in n for n in names)
    got = store.areas_gdf()
    b = got.geometry.bounds.to_numpy()
    assert np.all(in_china(b[:, 0], b[:, 1])) and np.all(in_china(b[:, 2], b[:, 3]))
