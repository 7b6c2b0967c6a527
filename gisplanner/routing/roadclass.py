"""Road classes (道路等级) and who may use them: walkers (步行) and e-bikes (电动车).

A road's ``kind`` is kept as the source gives it: the OpenStreetMap ``highway`` value for an
``.osm.pbf`` extract, the class field of a line file (Geofabrik's ``fclass``, a Chinese
道路等级 such as 县道 / 村道 / 人行道), or the demo's ``main`` / ``lane``. :func:`normalise_kind`
maps the Chinese names onto OpenStreetMap classes so that one table decides which graph a road
belongs to. Unknown kinds are walkable and rideable (a road the office drew is a road).
"""

from __future__ import annotations

import numpy as np

#: never walked or ridden (motorways, trunk roads, roads not built)
CLOSED = frozenset(
    {
        "motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed", "abandoned",
        "disused", "raceway", "bus_guideway", "busway", "escape", "razed", "platform", "via_ferrata",
    }
)  # fmt: skip
#: walkers only: an e-bike does not go up steps or along a footway
FOOT_ONLY = frozenset({"footway", "steps", "pedestrian", "corridor", "elevator", "bridleway", "trail"})

_ZH = {
    "高速": "motorway", "高速公路": "motorway", "匝道": "motorway_link", "快速路": "trunk",
    "城市快速路": "trunk", "国道": "trunk", "省道": "primary", "主干道": "primary", "主干路": "primary",
    "县道": "secondary", "次干道": "secondary", "次干路": "secondary", "乡道": "tertiary",
    "支路": "residential", "村道": "residential", "街巷": "residential", "小区道路": "service",
    "内部道路": "service", "机耕路": "track", "田间道": "track", "人行道": "footway", "步行道": "footway",
    "步行街": "pedestrian", "台阶": "steps", "小路": "path", "小道": "path", "自行车道": "cycleway",
    "非机动车道": "cycleway",
}  # fmt: skip

PROFILE_NAMES = ("walking", "ebike")


def normalise_kind(value) -> str:
    """The class to store: lower-case OSM class, Chinese names mapped, empty → 'road'."""
    if value is None or (isinstance(value, float) and value != value):
        return "road"
    text = str(value).strip()
    if not text:
        return "road"
    if text in _ZH:
        return _ZH[text]
    for zh, osm in _ZH.items():  # "县道X203", "村道（水泥）"
        if text.startswith(zh):
            return osm
    return text.lower().replace(" ", "_")[:30]


def allowed(kinds, profile: str = "walking") -> np.ndarray:
    """Boolean mask: which roads of these kinds the profile ('walking' or 'ebike') may use."""
    if profile not in PROFILE_NAMES:
        raise ValueError(f"unknown travel profile {profile!r}")
    closed = CLOSED if profile == "walking" else CLOSED | FOOT_ONLY
    return np.array([str(k) not in closed for k in kinds], dtype=bool)


#: drawn as main roads on the map (the rest as lanes)
MAIN = frozenset(
    {
        "main", "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
        "secondary", "secondary_link", "tertiary", "tertiary_link",
    }
)  # fmt: skip


def display_class(kinds) -> np.ndarray:
    """'main' or 'lane' per road, for the map's two road styles."""
    return np.array(["main" if str(k) in MAIN else "lane" for k in kinds], dtype=object)
