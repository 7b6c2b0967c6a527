"""Coordinate conversions against published reference pairs.

Reference pairs:
- googollee/eviltransform, python/test.py and go/transform_test.go (TESTS: WGS84 ⇄ GCJ-02 in
  Shanghai, Shenzhen, Beijing). Their own test accepts gcj2wgs within 5 m and gcj2wgs_exact
  within 0.5 m. (Their TESTS_bd pairs are not used: they disagree by 10–40 m with the BD-09
  formula that reproduces the wandergis values below exactly, so they come from another variant.)
- wandergis/coordtransform, README.md "result" block (116.404, 39.915): wgs84togcj02,
  gcj02tobd09, bd09togcj02.
"""

import numpy as np
import pytest

from gisplanner.io import crs

# (wgs_lat, wgs_lon, gcj_lat, gcj_lon) — eviltransform TESTS
EVIL_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # beijing
]


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVIL_PAIRS)
def test_gcj02_to_wgs84_within_5m_of_published_pairs(wlat, wlon, glat, glon):
    lon, lat = crs.gcj02_to_wgs84(glon, glat)
    assert crs.haversine_m(lon, lat, wlon, wlat) < 5.0
    # the iteration does far better than the 5 m the issue asks for
    assert crs.haversine_m(lon, lat, wlon, wlat) < 0.5


def test_gcj02_to_wgs84_vectorised_matches_scalar():
    pairs = np.array(EVIL_PAIRS)
    lon, lat = crs.gcj02_to_wgs84(pairs[:, 3], pairs[:, 2])
    d = crs.haversine_m(lon, lat, pairs[:, 1], pairs[:, 0])
    assert lon.shape == (3,)
    assert np.all(d < 0.5)


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVIL_PAIRS)
def test_wgs84_to_gcj02_matches_published(wlat, wlon, glat, glon):
    lon, lat = crs.wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-6)
    assert lat == pytest.approx(glat, abs=1e-6)


def test_wandergis_readme_values():
    assert crs.wgs84_to_gcj02(116.404, 39.915) == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-9
    )
    assert crs.gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-9
    )
    published = (116.39762729119315, 39.90865673957631)
    assert crs.bd09_to_gcj02(116.404, 39.915, refine=False) == pytest.approx(published, abs=1e-9)
    # the refined inverse moves it by centimetres, so that gcj02_to_bd09 lands back exactly
    refined = crs.bd09_to_gcj02(116.404, 39.915)
    assert crs.haversine_m(*refined, *published) < 0.2
    assert crs.gcj02_to_bd09(*refined) == pytest.approx((116.404, 39.915), abs=1e-9)


def test_offsets_do_not_apply_outside_china():
    assert crs.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris
    assert crs.gcj02_to_wgs84(2.35, 48.85) == pytest.approx((2.35, 48.85))


def test_round_trip_over_a_town_grid():
    lon, lat = np.meshgrid(np.linspace(119.9, 120.2, 20), np.linspace(31.4, 31.6, 20))
    for name in crs.CRS_NAMES:
        x, y = crs.from_wgs84(lon.ravel(), lat.ravel(), name)
        back_lon, back_lat = crs.to_wgs84(x, y, name)
        assert np.max(crs.haversine_m(back_lon, back_lat, lon.ravel(), lat.ravel())) < 0.05, name


def test_gcj_offset_is_hundreds_of_metres_near_changzhou():
    # if the conversion silently did nothing, imported Gaode points would sit ~500 m off
    glon, glat = crs.wgs84_to_gcj02(119.95, 31.78)
    assert 100 < crs.haversine_m(glon, glat, 119.95, 31.78) < 1000


def test_gauss_kruger_zone_codes():
    assert crs.gk3_epsg(120) == 4549
    assert crs.gk3_epsg(75) == 4534 and crs.gk3_epsg(135) == 4554
    assert crs.gk3_epsg(120, zone_prefix=True) == 4528  # zone 40
    assert crs.gk3_central_meridian(119.6) == 120 and crs.gk3_central_meridian(118.4) == 117
    with pytest.raises(ValueError):
        crs.gk3_epsg(121)


def test_local_projection_gives_metres():
    proj = crs.LocalProjection.for_lonlat(119.95, 31.78)
    assert proj.epsg == 4549
    x, y = proj.forward(np.array([119.95, 119.96]), np.array([31.78, 31.78]))
    # 0.01° of longitude at 31.78°N is about 946 m
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(946, rel=0.01)
    lon, lat = proj.inverse(x, y)
    assert lon == pytest.approx([119.95, 119.96]) and lat == pytest.approx([31.78, 31.78])


def test_gauss_kruger_to_wgs84_through_pyproj():
    x, y = crs.from_wgs84(119.95, 31.78, 4549)
    assert 400_000 < x < 600_000 and 3_400_000 < y < 3_600_000
    assert crs.to_wgs84(x, y, "EPSG:4549") == pytest.approx((119.95, 31.78), abs=1e-8)
