"""The web map: one self-contained HTML file; a real headless browser with no network draws it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from test_reports_fixture import planned_db  # noqa: F401 - a fixture

from gisplanner.reporting.webmap import export_webmap, external_urls, feature_count
from gisplanner.store.database import Store
from gisplanner.store.model import Target

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)), None
)


@pytest.fixture(scope="module")
def exported(planned_db, tmp_path_factory):  # noqa: F811 - the imported fixture
    path, plan = planned_db
    store = Store.open(path)
    out = tmp_path_factory.mktemp("webmap") / "地图.html"
    info = export_webmap(store, out, plan["round"])
    with store.session() as s:
        phones = [p for p in s.scalars(select(Target.phone).where(Target.phone.is_not(None)).limit(50))]
    store.close()
    return out, info, phones, plan


def test_html_is_self_contained_and_masked(exported):
    out, info, phones, plan = exported
    page = out.read_text(encoding="utf-8")
    assert external_urls(page) == []
    assert "cdn.jsdelivr" not in page and "bootstrap" not in page.lower() and "awesome" not in page.lower()
    assert "L.map(" in page and "jQuery" in page  # Leaflet and jQuery are inlined
    for layer in ("走访覆盖（村/社区）", "群众家庭", "企业", "走访路线"):  # names may be JSON-escaped
        assert layer in page or json.dumps(layer)[1:-1] in page, layer
    assert "见面率" in page  # the legend
    for p in phones:
        assert p not in page
    assert any(f"{p[:3]}****{p[-4:]}" in page for p in phones)
    assert info["routes"] == len(plan["routes"]) and info["stops"] == 36
    assert info["areas"] > 0 and info["households"] > 0 and info["enterprises"] > 0


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package 'chromium')")
def test_headless_browser_draws_every_feature_offline(exported, tmp_path):
    out, info, _, _ = exported
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        # no network at all: every host resolves nowhere, so any CDN asset would fail to load
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom", out.as_uri(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    dom = proc.stdout
    drawn = len(re.findall(r'<path[^>]*class="leaflet-interactive"', dom))
    assert drawn == feature_count(info), proc.stderr[-2000:]
    assert "leaflet-control-layers" in dom and "gp-legend" in dom


def test_cli_export_webmap(planned_db, tmp_path, capsys):  # noqa: F811
    from gisplanner import cli

    path, plan = planned_db
    out = tmp_path / "map.html"
    assert cli.run(["export", "webmap", "--db", str(path), "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["routes"] == 0 and info["round"] is None and out.exists()  # no round: coverage only
    assert (
        cli.run(["export", "webmap", "--db", str(path), "--round", str(plan["round"]), "--out", str(out)])
        == 0
    )
    assert "条路线" in capsys.readouterr().out


def test_web_map_uses_the_guis_colour_blind_safe_palettes():
    from gisplanner import palette
    from gisplanner.reporting import webmap

    assert webmap.class_color(0.0) == palette.STATUS_COLORS["not_started"]
    assert webmap.class_color(1.0) == palette.STATUS_COLORS["complete"]
    assert webmap.class_color(0.6) == palette.STATUS_COLORS["partial"]
    assert list(webmap.ROUTE_COLORS) == palette.ROUTE_COLORS
    reds_greens = {"#d7301f", "#fc8d59", "#31a354", "#a1d99b"}
    assert not reds_greens & {c for _lo, _hi, c in webmap.CLASSES}
