"""The overlay registry: other features (teams, plans) put their graphics on the map as layers
of the layer model, which the layer panel shows, hides, fades and reorders like the built-in
ones. An overlay layer's data is its list of graphics items; setting it swaps the items on the
map (the view reacts to the model's ``data`` event). ``OverlaysMixin`` is part of
``canvas.MapWidget``.
"""

from __future__ import annotations

import pyqtgraph as pg

from gisplanner.ui.map.layers import Layer


class OverlaysMixin:
    """Needs ``layers`` (the LayerList), ``layer_items``, ``_add`` and ``_clear_layer``."""

    def add_overlay(
        self, key: str, title: str, items: list, legend: list | None = None, z: float = 9.0
    ) -> None:
        """Register other features' graphics as a layer the layer panel can show, hide and reorder.

        ``items``: pyqtgraph/QGraphics items (added to the map here); ``legend``: rows
        ``(kind, colour, symbol_or_pattern, label)`` with kind fill/hatch/outline/line/symbol/ring.
        Calling again with the same key replaces the layer's items.
        """
        layer = self.overlay_layer(key, title, z=z)
        layer.title = title
        layer.data = list(items)
        layer.legend = list(legend or [])

    def overlay_layer(self, key: str, title: str, z: float = 9.0, visible: bool = True) -> Layer:
        """A feature's layer by key, made (below the selection, above the layers with a lower
        ``z``) the first time it is asked for."""
        layer = self.layers.find(key)
        if layer is None:
            layer = self.layers.add_by_z(Layer(key, title, z=z, visible=visible, overlay=True, data=[]))
        return layer

    def set_layer_legend(self, key: str, legend: list) -> None:
        """Replace a layer's legend rows (e.g. counts changed); the layer panel follows."""
        self.layers[key].legend = list(legend)

    def overlay_item(self, key: str, title: str, z: float = 9.0, **style) -> pg.ScatterPlotItem:
        """One persistent ScatterPlotItem for an overlay layer (made once, then fed with setData)."""
        layer = self.overlay_layer(key, title, z=z)
        item = next((it for it in self.layer_items(key) if isinstance(it, pg.ScatterPlotItem)), None)
        if item is None:
            item = pg.ScatterPlotItem(pxMode=True, **style)
            layer.data = [*(layer.data or []), item]
        return item

    def _draw_overlay(self, layer: Layer) -> None:
        """An overlay layer's data (its graphics) changed: put the new items on the map."""
        self._clear_layer(layer.name, legend=False)
        for item in layer.data or []:
            self._add(layer.name, item, ignore_bounds=True)
            item.setVisible(layer.visible)
