"""Map export: the current view (or a given extent, with given layers only) rendered to PNG or
PDF at print resolution, with a scale bar; works on a map that was never shown (laid out
offscreen for the duration). Layers shown only for the export are switched quietly (no layer
panel churn) and restored afterwards. ``ExportMixin`` is part of ``canvas.MapWidget``.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QApplication

from gisplanner.ui.map.scalebar import draw_scale_bar


class ExportMixin:
    """Needs ``data``, ``layers``, ``layer_items``, ``view``, ``plot``, ``view_rect()``,
    ``metres_per_pixel()``, ``_apply_layer_state`` and ``_update_lod``."""

    def export_image(
        self,
        path: str | Path,
        extent: tuple[float, float, float, float] | None = None,
        layers: list[str] | None = None,
        dpi: int = 300,
        width_mm: float = 180.0,
        height_mm: float | None = None,
    ) -> Path:
        """Render the current view (or ``extent``, projected metres) to PNG or PDF.

        ``layers``: keys of the layers to include (default: those visible now). Points are
        drawn as symbols at print size, areas and lines stay vectors in a PDF. Works on a
        widget that was never shown (it is laid out offscreen for the duration).
        """
        path = Path(path)
        if self.data is None:
            raise ValueError("地图还没有数据，无法导出")
        extent = tuple(extent) if extent is not None else self.view_rect()
        ex_w, ex_h = max(extent[2] - extent[0], 1.0), max(extent[3] - extent[1], 1.0)
        if height_mm is None:
            height_mm = width_mm * ex_h / ex_w
        w_px = max(16, int(round(width_mm / 25.4 * dpi)))
        h_px = max(16, int(round(height_mm / 25.4 * dpi)))
        state = self._save_state()
        shown_here = False
        if not self.isVisible():
            self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            self.show()
            shown_here = True
        try:
            screen_w = 1000
            self.resize(QSize(screen_w, max(50, int(screen_w * h_px / w_px))))
            QApplication.processEvents()
            if layers is not None:
                with self.layers.quiet():
                    for key, layer in self.layers.items():
                        layer.visible = key in layers
            self.view.setRange(xRange=(extent[0], extent[2]), yRange=(extent[1], extent[3]), padding=0)
            QApplication.processEvents()
            self._apply_layer_state()
            self._update_lod(force=True)
            scale = w_px / max(self.view.width(), 1.0)
            self._render_to(path, w_px, h_px, dpi, scale)
        finally:
            self._restore_state(state)
            if shown_here:
                self.hide()
                self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, False)
        return path

    def _render_to(self, path: Path, w_px: int, h_px: int, dpi: int, scale: float) -> None:
        scene = self.plot.scene()
        source = self.view.sceneBoundingRect()
        every = [it for key in self.layers for it in self.layer_items(key)]
        items = [it for it in every if hasattr(it, "setExportMode")]
        for it in items:
            it.setExportMode(True, {"antialias": True, "background": None, "resolutionScale": scale})
        fonts = []
        for it in every:
            if isinstance(it, pg.TextItem):
                f = it.textItem.font()
                fonts.append((it, QFont(f)))
                f.setPointSizeF(f.pointSizeF() * scale)
                it.setFont(f)
        mpp = (source.width() and self.metres_per_pixel() / scale) or 1.0
        try:
            if path.suffix.lower() == ".pdf":
                writer = QPdfWriter(str(path))
                writer.setResolution(dpi)
                writer.setPageSize(
                    QPageSize(QSizeF(w_px / dpi * 25.4, h_px / dpi * 25.4), QPageSize.Unit.Millimeter)
                )
                writer.setPageMargins(QMarginsF(0, 0, 0, 0))
                painter = QPainter(writer)
                target = QRectF(0, 0, w_px, h_px)
            else:
                img = QImage(w_px, h_px, QImage.Format.Format_ARGB32_Premultiplied)
                img.fill(QColor("white"))
                dpm = int(round(dpi / 0.0254))
                img.setDotsPerMeterX(dpm)
                img.setDotsPerMeterY(dpm)
                painter = QPainter(img)
                target = QRectF(0, 0, w_px, h_px)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            scene.render(painter, target, source)
            draw_scale_bar(painter, target, mpp, scale=scale)
            painter.end()
            if path.suffix.lower() != ".pdf":
                path.parent.mkdir(parents=True, exist_ok=True)
                if not img.save(str(path)):
                    raise OSError(f"无法写入图片 {path}")
        finally:
            for it in items:
                it.setExportMode(False)
            for it, f in fonts:
                it.setFont(f)

    def _save_state(self) -> dict:
        return {
            "range": self.view.viewRange(),
            "visible": {k: layer.visible for k, layer in self.layers.items()},
            "size": self.size(),
        }

    def _restore_state(self, st: dict) -> None:
        with self.layers.quiet():
            for k, v in st["visible"].items():
                self.layers[k].visible = v
        self.resize(st["size"])
        (x0, x1), (y0, y1) = st["range"]
        self.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._apply_layer_state()
