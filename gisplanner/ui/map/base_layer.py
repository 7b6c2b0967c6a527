"""The base map layer (底图) of the map widget: its tiles (``tiles.TileLayer``) are made the
first time the layer is shown and follow the layer's visibility; another source (an MBTiles
file, Tianditu, an XYZ URL: ``gisplanner.geo.basemap.TileSource``) replaces them.
``BaseMapMixin`` is part of ``canvas.MapWidget``.
"""

from __future__ import annotations


class BaseMapMixin:
    """Needs ``data``, ``layers``, ``_clear_layer`` and ``set_layer_visible``."""

    basemap = None  # gisplanner.ui.map.tiles.TileLayer, created on demand
    basemap_source = None  # gisplanner.geo.basemap.TileSource; None: QSettings map/tile_url

    def _ensure_basemap(self, on: bool) -> None:
        if on and self.basemap is None and self.data is not None:
            from gisplanner.ui.map.tiles import TileLayer

            self.basemap = TileLayer(self)
        if self.basemap is not None:
            self.basemap.set_enabled(on)

    def set_basemap_source(self, source, show: bool | None = None) -> None:
        """Use another base map (``gisplanner.geo.basemap.TileSource``, None: the QSettings URL)."""
        if self.basemap is not None:
            self.basemap.set_enabled(False)
            self.basemap = None
        self._clear_layer("basemap")
        self.basemap_source = source
        on = self.layers["basemap"].visible if show is None else show
        self.set_layer_visible("basemap", on)
