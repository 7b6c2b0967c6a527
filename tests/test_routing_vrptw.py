"""VRPTW layer: solutions are checked by recomputing every route from the matrices."""

from __future__ import annotations

import numpy as np
import pytest

from gisplanner.routing.vrptw import (
    NO_TIME,
    NO_WINDOW,
    Client,
    Problem,
    Route,
    Shift,
    Solution,
    Stop,
    solve,
    validate,
)


def grid_problem(points, clients, shifts, speed=1.0):
    pts = np.asarray(points, dtype=float)
    d = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    return Problem(d, np.rint(d / speed).astype(np.int64), clients, shifts)


def recompute_arrivals(p: Problem, sol: Solution):
    """Own forward pass: every stop inside its window, every shift back on time."""
    for r in sol.routes:
        s = p.shifts[r.shift]
        t, here = r.start, s.depot
        assert t >= s.tw_early
        for stop in r.stops:
            c = p.clients[stop.client]
            t = max(t + p.durations[here, c.location], c.windows[stop.window][0])
            assert t <= c.windows[stop.window][1], "visit starts after its window closed"
            assert stop.start >= t - 0  # reported start is not earlier than possible
            t, here = max(t, stop.start) + c.service, c.location
        assert t + p.durations[here, s.depot] <= s.tw_late, "shift not back at the office in time"


def test_small_instance_all_served_and_valid():
    rng = np.random.default_rng(3)
    pts = np.vstack([[50, 50], rng.uniform(0, 100, (25, 2))])
    clients = [Client(location=i, windows=[(0, 1000)], service=10, ref=f"t{i}") for i in range(1, 26)]
    shifts = [Shift(depot=0, tw_early=0, tw_late=600, label=f"s{k}") for k in range(3)]
    p = grid_problem(pts, clients, shifts)
    sol = solve(p, time_limit=1.0)
    assert validate(p, sol) == []
    recompute_arrivals(p, sol)
    assert not sol.unserved
    assert sorted(s.client for r in sol.routes for s in r.stops) == list(range(25))


def test_route_order_is_short_on_a_line():
    # clients on a line: the only sensible tour goes out and back along it
    pts = [[0, 0]] + [[10 * i, 0] for i in range(1, 8)]
    clients = [Client(location=i, windows=[(0, 10_000)], service=0) for i in range(1, 8)]
    p = grid_problem(pts, clients, [Shift(0, 0, 10_000)])
    sol = solve(p, time_limit=0.5)
    assert sol.distance == 140
    assert validate(p, sol) == []


def test_multiple_windows_choose_the_reachable_one():
    # one client, windows at 0-5 (unreachable: 100 away) and 300-320; the solver must pick the second
    pts = [[0, 0], [100, 0]]
    clients = [Client(location=1, windows=[(0, 5), (300, 320)], service=20, prize=1000, required=False)]
    p = grid_problem(pts, clients, [Shift(0, 0, 1000)])
    sol = solve(p, time_limit=0.3)
    assert validate(p, sol) == []
    (stop,) = sol.routes[0].stops
    assert stop.window == 1
    assert 300 <= stop.start <= 320


def test_alternative_windows_in_different_shifts():
    # two clients at the same place, each can be seen only in one of two sessions
    pts = [[0, 0], [30, 0], [30, 0]]
    clients = [
        Client(location=1, windows=[(100, 130), (500, 530)], service=50, required=True),
        Client(location=2, windows=[(100, 130), (500, 530)], service=50, required=True),
    ]
    shifts = [Shift(0, 50, 250, "Mon"), Shift(0, 450, 650, "Tue")]
    p = grid_problem(pts, clients, shifts)
    sol = solve(p, time_limit=0.5)
    assert validate(p, sol) == []
    recompute_arrivals(p, sol)
    assert not sol.unserved
    # 2 × 50 min service cannot both start within a 30-min window: they go to different sessions
    assert sorted(len(r.stops) for r in sol.routes) == [1, 1]


def test_impossible_window_reported_as_no_window():
    pts = [[0, 0], [10, 0], [500, 0]]
    clients = [
        Client(location=1, windows=[(0, 100)], service=10, ref="near"),
        # 500 away: cannot be reached before its window closes at 200 in a shift from 0
        Client(location=2, windows=[(0, 200)], service=10, ref="far", required=True),
    ]
    p = grid_problem(pts, clients, [Shift(0, 0, 2000)])
    sol = solve(p, time_limit=0.3)
    assert validate(p, sol) == []
    reasons = {p.clients[u.client].ref: u.reason for u in sol.unserved}
    assert reasons == {"far": NO_WINDOW}
    assert not sol.feasible  # a required client is missing


def test_window_outside_every_shift_is_no_window():
    pts = [[0, 0], [10, 0]]
    clients = [Client(location=1, windows=[(900, 950)], service=10)]
    p = grid_problem(pts, clients, [Shift(0, 0, 300)])
    sol = solve(p, time_limit=0.2)
    assert [u.reason for u in sol.unserved] == [NO_WINDOW]


def test_priority_kept_when_time_runs_short():
    # 12 clients near the depot, 20 min each, one 120-min shift: only ~5 fit.
    rng = np.random.default_rng(7)
    pts = np.vstack([[0, 0], rng.uniform(-5, 5, (12, 2))])
    prio = {2, 5, 9}
    clients = [
        Client(
            location=i, windows=[(0, 120)], service=20, required=False, prize=100_000 if i in prio else 1_000
        )
        for i in range(1, 13)
    ]
    p = grid_problem(pts, clients, [Shift(0, 0, 130)])
    sol = solve(p, time_limit=0.5)
    assert validate(p, sol) == []
    served = {p.clients[s.client].location for r in sol.routes for s in r.stops}
    assert prio <= served
    assert 3 <= len(served) < 12
    assert all(u.reason == NO_TIME for u in sol.unserved)


def test_required_clients_beat_optional_ones():
    pts = np.vstack([[0, 0], [[i, 0] for i in range(1, 9)]])
    clients = [
        Client(location=i, windows=[(0, 100)], service=30, required=(i in (7, 8)), prize=10_000)
        for i in range(1, 9)
    ]
    p = grid_problem(pts, clients, [Shift(0, 0, 100)])
    sol = solve(p, time_limit=0.5)
    served = {p.clients[s.client].location for r in sol.routes for s in r.stops}
    assert {7, 8} <= served
    assert sol.feasible
    assert validate(p, sol) == []


def test_validator_catches_a_late_visit_and_a_late_return():
    pts = [[0, 0], [100, 0]]
    clients = [Client(location=1, windows=[(0, 50)], service=10)]
    p = grid_problem(pts, clients, [Shift(0, 0, 150)])
    bad = Solution([Route(0, [Stop(0, 0, 100, 100, 110)], 0, 210, 200, 200)], [], 200, True, 0.0)
    errors = validate(p, bad)
    assert any("window ends 50" in e for e in errors)
    assert any("shift ends 150" in e for e in errors)


def test_validator_catches_missing_client():
    pts = [[0, 0], [1, 0]]
    p = grid_problem(pts, [Client(location=1, windows=[(0, 50)])], [Shift(0, 0, 150)])
    errors = validate(p, Solution([], [], 0, True, 0.0))
    assert any("neither visited nor reported" in e for e in errors)


def test_cancel_stops_early_and_returns_a_valid_plan():
    rng = np.random.default_rng(1)
    pts = np.vstack([[50, 50], rng.uniform(0, 100, (60, 2))])
    clients = [
        Client(location=i, windows=[(0, 2000)], service=5, required=False, prize=500) for i in range(1, 61)
    ]
    p = grid_problem(pts, clients, [Shift(0, 0, 800), Shift(0, 0, 800)])
    calls = []

    def progress(frac, msg):
        calls.append(frac)
        return len(calls) < 2

    sol = solve(p, time_limit=30.0, progress=progress)
    assert sol.cancelled
    assert sol.runtime < 10.0
    assert validate(p, sol) == []


def test_bad_input_names_the_client():
    p = Problem(
        np.zeros((2, 2), dtype=np.int64),
        np.zeros((2, 2), dtype=np.int64),
        [Client(location=5, windows=[(0, 1)], ref="hh-17")],
        [Shift(0, 0, 10)],
    )
    with pytest.raises(ValueError, match="hh-17"):
        solve(p, time_limit=0.1)
