"""Offline base maps without Qt: tile math, GCJ-02 shift, MBTiles, download planning and the
downloader against a local HTTP server (127.0.0.1) that serves generated tiles."""

from __future__ import annotations

import json
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gisplanner import cli
from gisplanner.geo import basemap as B
from gisplanner.io.crs import LocalProjection, gcj02_to_wgs84, haversine_m, wgs84_to_gcj02

WUJIN = (119.95, 31.65)  # a point in 武进区 (WGS84)


def png(rgb=(200, 230, 200), size=8) -> bytes:
    """A tiny solid-colour PNG (no image library needed)."""
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))

    def chunk(tag, data):
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


class TileServer:
    """Serves /<z>/<x>/<y>.png for tiles in ``have`` (404 otherwise) and counts requests."""

    def __init__(self, have=None):
        self.have = have  # None: every tile exists
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's hook
                outer.requests.append(self.path)
                try:
                    z, x, y = (int(v) for v in self.path.strip("/").removesuffix(".png").split("/"))
                except ValueError:
                    self.send_error(400)
                    return
                if outer.have is not None and (z, x, y) not in outer.have:
                    self.send_error(404)
                    return
                body = png(((x * 37) % 256, (y * 53) % 256, z * 10))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


TOWN_BBOX = (119.93, 31.63, 119.97, 31.67)  # ~4 x 4.4 km around 雪堰-sized town


def test_tile_math_round_trips():
    x, y = B.lonlat_to_tile(*WUJIN, 15)
    lon, lat = B.tile_to_lonlat(x, y, 15)
    assert lon == pytest.approx(WUJIN[0], abs=1e-9) and lat == pytest.approx(WUJIN[1], abs=1e-9)
    x0, y0, x1, y1 = B.tile_range(TOWN_BBOX, 15)
    assert x0 <= int(x) <= x1 and y0 <= int(y) <= y1
    assert B.zoom_for(2.0, 31.6) in (16, 17)


def test_gcj02_tiles_are_drawn_where_their_content_is():
    """A Gaode tile (GCJ-02) must be drawn several hundred metres from a WGS84 tile of the same
    number: exactly where the GCJ-02 → WGS84 conversion puts its corners."""
    gaode = B.TileSource("gaode", url="http://x/{z}/{x}/{y}", crs="gcj02")
    osm = B.TileSource("osm", url="http://y/{z}/{x}/{y}")
    z, x, y = 16, *(int(v) for v in B.lonlat_to_tile(*WUJIN, 16))
    glon, glat = gaode.tile_corners_wgs84(z, x, y)
    wlon, wlat = osm.tile_corners_wgs84(z, x, y)
    shift = haversine_m(wlon, wlat, glon, glat)
    assert 300 < shift.min() and shift.max() < 900  # the GCJ-02 offset in Changzhou (~500 m)
    # converting the drawn corners back to GCJ-02 lands on the tile's own corners (< 1 cm)
    blon, blat = wgs84_to_gcj02(glon, glat)
    assert haversine_m(blon, blat, wlon, wlat).max() < 0.01
    # a landmark with known GCJ-02 coordinates inside the tile: drawn on its true WGS84 place
    tlon, tlat = B.tile_to_lonlat(x + 0.3, y + 0.6, z)  # what the Gaode tile shows at 30 %/60 %
    true_lon, true_lat = gcj02_to_wgs84(tlon, tlat)
    proj = LocalProjection.for_lonlat(*WUJIN)
    px, py = proj.forward(glon, glat)
    drawn_x = px.min() + 0.3 * (px.max() - px.min())
    drawn_y = py.max() - 0.6 * (py.max() - py.min())
    ex, ey = proj.forward(true_lon, true_lat)
    assert abs(drawn_x - ex) < 1.0 and abs(drawn_y - ey) < 1.0
    # and picking tiles for a WGS84 view asks the GCJ-02 source for its shifted numbers
    view = (WUJIN[0] - 0.002, WUJIN[1] - 0.002, WUJIN[0] + 0.002, WUJIN[1] + 0.002)
    gx0, gy0, gx1, gy1 = gaode.tiles_for_bbox(view, 18)
    ox0, oy0, ox1, oy1 = osm.tiles_for_bbox(view, 18)
    assert (gx0, gy0) != (ox0, oy0)  # ~500 m is several z18 tiles (150 m each)


def test_tianditu_needs_its_key():
    src = B.PRESETS["tianditu_vec"]
    with pytest.raises(B.BasemapError, match="密钥"):
        src.url_for(14, 13700, 6600)
    url = src.with_key("abc123").url_for(14, 13700, 6600)
    assert "tk=abc123" in url and "l=14" in url and "x=13700" in url and "tianditu.gov.cn" in url
    assert "abc123" not in src.with_key("abc123").to_json()  # the key is never stored with the source


def test_plan_counts_tiles_and_estimates_size(gisplanner_home):
    src = B.TileSource("local", url="http://127.0.0.1:9/{z}/{x}/{y}.png")
    plan = B.plan_download(src, TOWN_BBOX, [12, 13, 14, 15, 16])
    for z in plan.zooms:
        x0, y0, x1, y1 = B.tile_range(TOWN_BBOX, z)
        assert plan.per_zoom[z] == (x1 - x0 + 1) * (y1 - y0 + 1)
    assert plan.per_zoom[16] > plan.per_zoom[12]
    assert plan.cached == 0 and plan.est_bytes == plan.total * B.DEFAULT_TILE_BYTES["png"]
    # once tiles are cached the estimate uses their real size and counts them as done
    first = next(plan.tiles())
    src.tile_path(*first).parent.mkdir(parents=True, exist_ok=True)
    src.tile_path(*first).write_bytes(b"x" * 1000)
    again = B.plan_download(src, TOWN_BBOX, [12, 13, 14, 15, 16])
    assert again.cached == 1 and again.est_bytes == (again.total - 1) * 1000
    assert "需下载" in again.summary()
    assert B.parse_zooms("12-14,16") == [12, 13, 14, 16]
    with pytest.raises(B.BasemapError):
        B.parse_zooms("abc")


def test_download_fetches_into_the_cache_then_reads_offline(gisplanner_home):
    with TileServer() as server:
        src = B.TileSource("local", url=server.url)
        plan = B.plan_download(src, TOWN_BBOX, [13, 14, 15])
        seen = []
        res = B.download(plan, progress=lambda f, m: seen.append(f) or True)
        assert res.fetched == plan.total and res.failed == 0 and not res.cancelled
        assert seen[-1] == pytest.approx(1.0)
        n_requests = len(server.requests)
        # a second run finds everything cached and asks the server nothing
        res2 = B.download(B.plan_download(src, TOWN_BBOX, [13, 14, 15]))
        assert res2.fetched == 0 and res2.cached == plan.total and len(server.requests) == n_requests
    z, x, y = next(plan.tiles())
    data = B.read_tile(src, z, x, y, network=False)  # server gone: the cache answers
    assert data.startswith(b"\x89PNG")


def test_download_cancel_keeps_what_was_fetched(gisplanner_home):
    with TileServer() as server:
        src = B.TileSource("local", url=server.url)
        plan = B.plan_download(src, TOWN_BBOX, [15, 16, 17])
        assert plan.total > 100
        res = B.download(plan, progress=lambda f, m: f < 0.2, workers=2)
    assert res.cancelled and 0 < res.fetched < plan.total
    again = B.plan_download(src, TOWN_BBOX, [15, 16, 17])
    assert again.cached == res.fetched  # what was fetched stays in the cache


def test_download_counts_missing_tiles_and_fails_clearly_offline(gisplanner_home):
    src = B.TileSource("local", url="http://127.0.0.1:9/{z}/{x}/{y}.png")  # nothing listens there
    with pytest.raises(OSError, match="无法下载"):
        B.download(B.plan_download(src, TOWN_BBOX, [14]), workers=2, timeout=2)
    plan = B.plan_download(B.TileSource("l2", url="http://127.0.0.1:1/{z}/{x}/{y}.png"), TOWN_BBOX, [14])
    have = set(list(plan.tiles())[:2])
    with TileServer(have=have) as server:
        src = B.TileSource("partial", url=server.url)
        res = B.download(B.plan_download(src, TOWN_BBOX, [14]))
    assert res.fetched == 2 and res.missing == plan.total - 2


def test_too_large_a_download_is_refused(gisplanner_home):
    src = B.TileSource("local", url="http://127.0.0.1:9/{z}/{x}/{y}.png")
    plan = B.plan_download(src, (119.0, 31.0, 121.0, 32.5), [18])
    assert plan.total > B.MAX_DOWNLOAD_TILES
    with pytest.raises(B.BasemapError, match="瓦片太多"):
        B.download(plan)


def test_mbtiles_reads_xyz_tiles_with_tms_rows(tmp_path):
    z, x, y = 14, *(int(v) for v in B.lonlat_to_tile(*WUJIN, 14))
    tiles = {(z, x, y): png((1, 2, 3)), (z, x + 1, y): png((4, 5, 6))}
    path = B.write_mbtiles(tmp_path / "town.mbtiles", tiles, {"bounds": "119.9,31.6,120.0,31.7"})
    mb = B.MBTiles(path)
    assert mb.get(z, x, y) == tiles[(z, x, y)] and mb.get(z, x + 1, y) == tiles[(z, x + 1, y)]
    assert mb.get(z, x, y + 1) is None
    assert mb.zooms() == (14, 14) and mb.count() == 2 and mb.bounds() == (119.9, 31.6, 120.0, 31.7)
    # stored rows are TMS (south = 0): the file itself is standard
    import sqlite3

    row = sqlite3.connect(path).execute("SELECT tile_row FROM tiles WHERE tile_column=?", (x,)).fetchone()
    assert row[0] == 2**z - 1 - y


def test_a_file_that_is_not_mbtiles_is_refused_clearly(tmp_path):
    bad = tmp_path / "notes.mbtiles"
    bad.write_text("hello")
    with pytest.raises(B.BasemapError, match="notes.mbtiles"):
        B.MBTiles(bad)
    import sqlite3

    other = tmp_path / "other.mbtiles"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    with pytest.raises(B.BasemapError, match="缺少 tiles 表"):
        B.MBTiles(other)


def test_import_basemap_cli_copies_and_registers(tmp_path, empty_store, capsys):
    z, x, y = 14, *(int(v) for v in B.lonlat_to_tile(*WUJIN, 14))
    path = B.write_mbtiles(tmp_path / "wujin.mbtiles", {(z, x, y): png()}, {"name": "武进底图"})
    home = tmp_path / "home"
    db = str(empty_store.sqlite_path)
    rc = cli.run(["import", "basemap", str(path), "--db", db, "--home", str(home), "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "武进底图" and out["tiles"] == 1 and out["min_zoom"] == 14
    copied = home / "basemaps" / "wujin.mbtiles"
    assert copied.exists() and out["path"] == str(copied)
    src = B.database_source(empty_store)
    assert src.mbtiles == str(copied) and B.read_tile(src, z, x, y) == png()
    rc = cli.run(["import", "basemap", str(tmp_path / "missing.mbtiles"), "--db", db])
    assert rc == 2 and "找不到" in capsys.readouterr().err


def test_basemap_cli_set_estimate_download(tmp_path, demo_store_copy, capsys, gisplanner_home):
    db = str(demo_store_copy.sqlite_path)
    assert cli.run(["basemap", "download", "--db", db, "--zoom", "14"]) == 2  # no base map yet
    assert "basemap set" in capsys.readouterr().err
    with TileServer() as server:
        assert cli.run(["basemap", "set", "--db", db, "--url", server.url]) == 0
        capsys.readouterr()
        town = demo_store_copy.areas_gdf(level="town")["code"].iloc[0]
        assert cli.run(["basemap", "download", "--db", db, "--zoom", "13-14", "--town", town, "--estimate",
                        "--json"]) == 0  # fmt: skip
        est = json.loads(capsys.readouterr().out)
        assert est["to_fetch"] == est["tiles"] > 0 and est["estimated_bytes"] > 0 and not server.requests
        assert cli.run(["basemap", "download", "--db", db, "--zoom", "13-14", "--town", town, "--json"]) == 0
        got = json.loads(capsys.readouterr().out)
    assert got["fetched"] == est["tiles"] and len(server.requests) == est["tiles"]
    assert cli.run(["basemap", "set", "--db", db, "--preset", "tianditu_vec", "--key", "k1"]) == 0
    src = B.database_source(demo_store_copy)
    assert src.needs_key and src.key == "k1" and "tk=k1" in src.url_for(1, 1, 1)
