"""The colour-blind-safe palettes shared by the desktop map (ui/map/style.py) and the web map.

Coverage is coloured on viridis (dark purple = nothing done … yellow = complete: readable with
red-green colour blindness and in greyscale); routes use ColorBrewer Dark2. No Qt here.
"""

from __future__ import annotations

STATUS_COLORS = {
    "not_started": "#440154",  # viridis dark purple
    "partial": "#21918c",  # teal
    "complete": "#fde725",  # yellow
    "no_targets": "#d9d9d9",
}
# coverage rate classes (lower bound, upper bound, colour): viridis in five steps, the same end
# points and middle as STATUS_COLORS
COVERAGE_CLASSES = [
    (0.0, 0.2, "#440154"),
    (0.2, 0.5, "#3b528b"),
    (0.5, 0.8, "#21918c"),
    (0.8, 0.95, "#5ec962"),
    (0.95, 1.01, "#fde725"),
]
NO_TARGETS = STATUS_COLORS["no_targets"]
ROUTE_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
