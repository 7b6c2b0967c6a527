"""Road-network travel matrices."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from gisplanner.routing.matrix import EBIKE, WALKING, RoadGraph, travel_matrices


def grid_roads(size=1000, step=100):
    lines = [np.array([[x, 0.0], [x, size]]) for x in np.arange(0, size + 1, step)]
    lines += [np.array([[0.0, y], [size, y]]) for y in np.arange(0, size + 1, step)]
    return RoadGraph.from_polylines(lines)


def test_grid_distance_is_manhattan_for_points_on_roads():
    g = grid_roads()
    pts = np.array([[0.0, 0.0], [300.0, 400.0], [1000.0, 1000.0], [150.0, 0.0]])
    m = travel_matrices(pts, g, detour=1.3)
    assert m.distance[0, 1] == 700
    assert m.distance[0, 2] == 2000
    assert m.distance[0, 3] == 150  # mid-segment point, reached along the segment
    assert (m.distance == m.distance.T).all()
    assert m.on_road.all()


def test_point_beside_road_pays_the_access_walk():
    g = grid_roads()
    pts = np.array([[0.0, 0.0], [250.0, 30.0]])  # 30 m off the y=0 road
    m = travel_matrices(pts, g)
    assert m.distance[0, 1] == 280


def test_river_forces_detour_to_the_bridge():
    # two roads along both banks of a river, one bridge at x=900
    lines = [
        np.array([[0.0, 0.0], [1000.0, 0.0]]),
        np.array([[0.0, 100.0], [1000.0, 100.0]]),
        np.array([[900.0, 0.0], [900.0, 100.0]]),
    ]
    g = RoadGraph.from_polylines(lines)
    m = travel_matrices(np.array([[100.0, 0.0], [100.0, 100.0]]), g)
    assert m.distance[0, 1] == 800 + 100 + 800  # not the 100 m straight across


def test_crossing_roads_without_shared_vertex_are_connected():
    lines = [np.array([[0.0, 500.0], [1000.0, 500.0]]), np.array([[500.0, 0.0], [500.0, 1000.0]])]
    g = RoadGraph.from_polylines(lines, node_crossings=True)
    m = travel_matrices(np.array([[0.0, 500.0], [500.0, 0.0]]), g)
    assert m.distance[0, 1] == 1000


def test_far_point_uses_straight_line_with_detour():
    g = grid_roads(size=200)
    pts = np.array([[0.0, 0.0], [5000.0, 0.0]])
    m = travel_matrices(pts, g, detour=1.3, max_snap=300)
    assert not m.on_road[1]
    assert m.distance[0, 1] == 6500


def test_no_roads_at_all_straight_line():
    m = travel_matrices(np.array([[0.0, 0.0], [300.0, 400.0]]), None, detour=1.2)
    assert m.distance[0, 1] == 600


def test_walking_and_ebike_durations():
    pts = np.array([[0.0, 0.0], [1000.0, 0.0]])
    g = RoadGraph.from_polylines([pts])
    walk = travel_matrices(pts, g, profile=WALKING)
    bike = travel_matrices(pts, g, profile=EBIKE)
    assert walk.duration[0, 1] == 800  # 1 km at 4.5 km/h
    assert bike.duration[0, 1] == 240  # 1 km at 15 km/h


def test_empty_road_list_is_a_clear_error():
    with pytest.raises(ValueError, match="no road"):
        RoadGraph.from_polylines([])


def test_routing_never_imports_orm_or_qt():
    banned = ("gisplanner.store", "sqlalchemy", "PySide6", "pyqtgraph", "gisplanner.ui")
    root = Path(__file__).resolve().parent.parent / "gisplanner" / "routing"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(banned), f"{path.name} imports {name}"
