"""Import and export run the same on SQLite and PostgreSQL (one schema, plain DBAPI inserts)."""

from pathlib import Path

import pytest

from gisplanner.io.boundary_import import import_boundaries, preview_boundaries
from gisplanner.io.readers import read_table
from gisplanner.io.roster_import import import_roster, preview_roster
from gisplanner.progress import Cancelled
from gisplanner.reporting.export import export_areas, export_targets_xlsx

DEMO = Path(__file__).resolve().parents[1] / "maps" / "demo"
pytestmark = pytest.mark.skipif(not (DEMO / "villages.gpkg").exists(), reason="maps/demo not generated")


def test_demo_files_on_both_backends(backend_store, tmp_path):
    store = backend_store
    assert import_boundaries(store, preview_boundaries(DEMO / "town.geojson", level="town")).inserted == 1
    assert import_boundaries(store, preview_boundaries(DEMO / "villages.gpkg")).inserted == 18
    for kind, name, n in (
        ("enterprises", "enterprises.xlsx", 150),
        ("cadres", "cadres.xlsx", 152),
        ("households", "households_gbk.csv", 400),
    ):
        p = preview_roster(store, DEMO / name, kind)
        r = import_roster(store, p, rejects_path=tmp_path / f"{kind}.rejects.xlsx")
        assert (r.inserted, r.rejected) == (n, 0), kind
        again = import_roster(store, preview_roster(store, DEMO / name, kind))
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, n), kind
    counts = store.counts()
    assert (counts["households"], counts["enterprises"], counts["cadres"]) == (400, 150, 152)

    # a cancelled import leaves nothing behind on either backend
    table = read_table(DEMO / "households.xlsx", kind="households")
    p = preview_roster(store, DEMO / "households.xlsx", "households", table=table)
    with pytest.raises(Cancelled):
        import_roster(store, p, chunk=1000, progress=lambda f, m: f < 0.5)
    assert store.counts()["households"] == 400

    info = export_targets_xlsx(store, tmp_path / "t.xlsx")
    assert info["targets"] == 400 + 150
    assert export_areas(store, tmp_path / "a.gpkg")["areas"] == 19
