"""Level of detail: which points, densities, hatches and labels the current view shows.

Point layers keep at most ``points.MAX_POINTS_LOADED`` points loaded (the window around the
view); when more are in view (a city at low zoom) households are drawn as a density grid and the
areas' colours carry the picture. Need hatches show once villages are wide enough on screen;
then the selection rings and the place names (``labels``) follow the view.
``LevelOfDetailMixin`` is part of ``canvas.MapWidget``.
"""

from __future__ import annotations

import numpy as np

MIN_VILLAGE_PX_FOR_HATCH = 40  # below this the need hatches are noise (and slow): hidden


class LevelOfDetailMixin:
    """Needs ``data``, ``layers``, ``point_layers``, ``density_item``, ``view_rect()``,
    ``metres_per_pixel()``, ``_update_selection_lod`` and ``_update_labels``."""

    _village_width = None  # (data, median village width in metres)

    def _update_lod(self, force: bool = False) -> None:
        if self.data is None:
            return
        rect = self.view_rect()
        aggregated = False
        for key, layer in self.point_layers.items():
            visible = self.layers[key].visible
            if visible:
                ok = layer.update_window(rect, force=force)
                aggregated |= key == "households" and not ok
                layer.item.setVisible(ok)
            else:
                layer.item.setVisible(False)
        self.density_item.setVisible(
            self.layers["density"].visible and self.layers["households"].visible and aggregated
        )
        # need hatches only once villages are big enough on screen to read them (city view: off)
        show_needs = bool(self.layers["needs"].visible and self._village_px() >= MIN_VILLAGE_PX_FOR_HATCH)
        for item in self.layer_items("needs"):
            item.setVisible(bool(show_needs))
        self._update_selection_lod(rect, force)
        self._update_labels()

    def _village_px(self) -> float:
        """Median village width on screen, in pixels."""
        if self.data is None or not len(self.data.areas):
            return 0.0
        if self._village_width is None or self._village_width[0] is not self.data:
            b = self.data.areas.geometry.bounds
            self._village_width = (self.data, float(np.median((b["maxx"] - b["minx"]).to_numpy())))
        return self._village_width[1] / max(self.metres_per_pixel(), 1e-9)

    def is_aggregated(self) -> bool:
        hh = self.point_layers.get("households")
        return bool(hh is not None and hh.overflow)
