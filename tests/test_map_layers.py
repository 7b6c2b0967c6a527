"""The map's layer model (gisplanner.ui.map.layers) without Qt: events, order, visibility."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gisplanner.ui.map.layers import LAYER_DEFS, Layer, LayerList


def _recorder(emitter):
    seen = []
    emitter.connect(seen.append)
    return seen


def test_the_model_module_loads_no_qt():
    code = (
        "import sys, gisplanner.ui.map.layers; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_each_property_fires_its_event_once_per_real_change():
    layer = Layer("roads", "道路")
    visible, opacity, z = (
        _recorder(layer.events.visible),
        _recorder(layer.events.opacity),
        _recorder(layer.events.z),
    )
    layer.visible = False
    layer.visible = False  # the same value: no event
    layer.opacity = 1.7  # clamped to 1: the same as before, no event
    layer.opacity = 0.25
    layer.z = 7
    assert [(e.type, e.layer, e.value, e.old) for e in visible] == [("visible", layer, False, True)]
    assert [(e.value, e.old) for e in opacity] == [(0.25, 1.0)]
    assert [(e.value, e.old) for e in z] == [(7.0, 0.0)]
    assert (layer.visible, layer.opacity, layer.z, layer.key) == (False, 0.25, 7.0, "roads")
    layer.opacity = -3
    assert layer.opacity == 0.0


def test_legend_data_and_subtitle_events_and_disconnect():
    layer = Layer("routes", "走访路线", data=[])
    legend, data = _recorder(layer.events.legend), _recorder(layer.events.data)
    rows = [("line", "#ff0000", None, "第1组")]
    layer.legend = rows
    layer.data = [{"xy": [[0, 0], [1, 1]]}]
    layer.subtitle = "冬季"
    assert [e.value for e in legend] == [rows] and len(data) == 1
    layer.events.legend.disconnect(legend.append)
    layer.legend = []
    assert len(legend) == 1  # disconnected: nothing more arrives
    with layer.events.blocked():
        layer.data = None
    assert len(data) == 1 and layer.data is None


def test_default_list_reads_like_the_old_dict_with_the_selection_on_top():
    layers = LayerList.default()
    assert list(layers) == [k for k, *_ in LAYER_DEFS]
    assert layers.keys_top_first()[0] == "selection"
    assert "households" in layers and layers["basemap"].visible is False
    assert layers.find("nope") is None
    with pytest.raises(KeyError):
        layers["nope"]
    assert [k for k, _t, _rows in layers.legend_entries()] == layers.keys_top_first()


def test_order_round_trips_and_the_selection_stays_on_top():
    layers = LayerList.default()
    moved, changed = _recorder(layers.events.moved), _recorder(layers.events.changed)
    bottom_first = list(layers)
    wanted = ["selection", "labels", *[k for k in bottom_first if k not in ("selection", "labels")]]
    layers.set_order(wanted)
    assert list(layers)[-1] == "selection" and list(layers)[0] == "labels"
    assert [layers[k].z for k in layers] == sorted(layers[k].z for k in layers)  # z follows the order
    assert len(moved) == 1 and moved[0].value == list(layers) and moved[0].old == bottom_first
    assert any(e.type == "z" for e in changed) and changed[-1].type == "moved"
    # back to the first order: the same list and strictly rising z
    layers.set_order(bottom_first)
    assert list(layers) == bottom_first
    zs = [layers[k].z for k in layers]
    assert zs == sorted(zs) and len(set(zs)) == len(zs)
    # one step up from the bottom, then down again
    layers.move("basemap", 1)
    assert list(layers)[:2] == ["areas", "basemap"]
    layers.move("basemap", 0)
    assert list(layers) == bottom_first


def test_visibility_round_trips_and_bubbles_to_the_list():
    layers = LayerList.default()
    changed = _recorder(layers.events.changed)
    before = {k: layer.visible for k, layer in layers.items()}
    for layer in layers.values():
        layer.visible = not layer.visible
    assert all(layers[k].visible != v for k, v in before.items())
    for k, v in before.items():
        layers[k].visible = v
    assert {k: layer.visible for k, layer in layers.items()} == before
    assert [e.type for e in changed] == ["visible"] * (2 * len(before))
    with layers.quiet():  # an export shows other layers for a moment, silently
        layers["roads"].visible = False
    assert len(changed) == 2 * len(before) and not layers["roads"].visible


def test_add_by_z_insert_and_remove_fire_list_events():
    layers = LayerList.default()
    inserted, removed, changed = (
        _recorder(layers.events.inserted), _recorder(layers.events.removed), _recorder(layers.events.changed),
    )  # fmt: skip
    plan = layers.add_by_z(Layer("plan_routes", "规划路线", z=8.0, overlay=True))
    keys = list(layers)
    assert keys.index("routes") < keys.index("plan_routes") < keys.index("labels")  # by its z
    assert keys[-1] == "selection" and layers["selection"].z == max(la.z for la in layers.values())
    team = layers.add_by_z(Layer("team_territory", "所选队伍的片区", z=8.6, overlay=True))
    assert list(layers)[-1] == "selection" and team.z < layers["selection"].z
    top = layers.append(Layer("notes", "备注"))
    assert list(layers)[-2:] == ["notes", "selection"] and top is layers["notes"]
    assert [e.layer.name for e in inserted] == ["plan_routes", "team_territory", "notes"]
    with pytest.raises(ValueError):
        layers.insert(0, Layer("notes"))
    layers.remove("plan_routes")
    assert "plan_routes" not in layers and [e.layer for e in removed] == [plan]
    plan.visible = False  # a removed layer no longer reports to the list
    assert changed[-1].type == "removed"
