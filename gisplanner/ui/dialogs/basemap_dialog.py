"""视图 → 底图与离线瓦片…: choose the base map, import an MBTiles file, download tiles ahead.

The choice is stored in the database (``setting`` ``basemap.source``), the Tianditu key in
both the database and ``QSettings`` (``map/tianditu_key``). The download runs off the UI
thread through ``window.run_task`` (progress and 取消 in the status bar); the estimate (tiles,
already cached, megabytes) updates as the zooms or the extent change.
"""

from __future__ import annotations

import shapely
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from gisplanner.geo import basemap as B
from gisplanner.ui import file_dialogs

KEY_SETTING = "map/tianditu_key"


def tianditu_key(store) -> str:
    key = B.get_setting(store, B.SETTING_TIANDITU_KEY) if store is not None else None
    return (key or str(QSettings().value(KEY_SETTING, "") or "")).strip()


def current_source(store) -> B.TileSource | None:
    """The database's base map with the Tianditu key from the settings filled in."""
    if store is None:
        return None
    try:
        src = B.database_source(store)
    except B.BasemapError:
        return None
    if src is not None and src.needs_key and not src.key:
        src = src.with_key(tianditu_key(store))
    return src


class BasemapDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.store = window.store
        self.setWindowTitle(self.tr("底图与离线瓦片"))
        self.resize(620, 480)
        lay = QVBoxLayout(self)

        box = QGroupBox(self.tr("底图"))
        form = QFormLayout(box)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("不使用底图"), "none")
        for key, src in B.PRESETS.items():
            self.kind.addItem(src.name, key)
        self.kind.addItem(self.tr("自定义 XYZ 瓦片地址"), "url")
        self.kind.addItem(self.tr("MBTiles 离线文件"), "mbtiles")
        form.addRow(self.tr("来源："), self.kind)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://…/{z}/{x}/{y}.png")
        self.gcj = QCheckBox(self.tr("瓦片为 GCJ-02（高德/腾讯，自动纠偏到 WGS84）"))
        form.addRow(self.tr("地址："), self.url)
        form.addRow("", self.gcj)
        self.mbtiles = QLineEdit()
        self.mbtiles.setReadOnly(True)
        pick = QPushButton(self.tr("导入 MBTiles…"))
        pick.clicked.connect(self._import_mbtiles)
        row = QHBoxLayout()
        row.addWidget(self.mbtiles)
        row.addWidget(pick)
        form.addRow(self.tr("文件："), row)
        self.key = QLineEdit(tianditu_key(self.store))
        self.key.setPlaceholderText(self.tr("天地图密钥 tk（在 lbs.tianditu.gov.cn 申请）"))
        form.addRow(self.tr("天地图密钥："), self.key)
        lay.addWidget(box)

        dl = QGroupBox(self.tr("预先下载（离线使用）"))
        f2 = QFormLayout(dl)
        self.extent = QComboBox()
        self._fill_extents()
        f2.addRow(self.tr("范围："), self.extent)
        zrow = QHBoxLayout()
        self.zmin, self.zmax = QSpinBox(), QSpinBox()
        for s, v in ((self.zmin, 12), (self.zmax, 16)):
            s.setRange(1, 19)
            s.setValue(v)
            zrow.addWidget(s)
        f2.addRow(self.tr("缩放级别（从/到）："), zrow)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        f2.addRow(self.tr("估算："), self.estimate)
        self.download_button = QPushButton(self.tr("下载到缓存"))
        self.download_button.clicked.connect(self.start_download)
        f2.addRow("", self.download_button)
        lay.addWidget(dl)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._load_current()
        for w in (self.kind, self.extent):
            w.currentIndexChanged.connect(self._changed)
        for w in (self.zmin, self.zmax):
            w.valueChanged.connect(self._changed)
        self.url.textChanged.connect(self._changed)
        self.gcj.toggled.connect(self._changed)
        self.key.textChanged.connect(self._changed)
        self._changed()

    def _fill_extents(self) -> None:
        data = self.window_.map_widget.data
        self.extent.clear()
        if data is None or data.all_areas is None or not len(data.all_areas):
            return
        a = data.all_areas
        proj = data.projection

        def lonlat_bounds(geom):
            x0, y0, x1, y1 = geom.bounds
            lon, lat = proj.inverse([x0, x1, x0, x1], [y0, y0, y1, y1])
            return (float(min(lon)), float(min(lat)), float(max(lon)), float(max(lat)))

        for level in ("town", "district"):
            for row in a[a["level"] == level].itertuples():
                self.extent.addItem(f"{row.name}（{row.code}）", lonlat_bounds(row.geometry))
        self.extent.addItem(self.tr("全部区域"), lonlat_bounds(shapely.union_all(list(a.geometry))))

    def _load_current(self) -> None:
        src = current_source(self.store)
        if src is None:
            self.kind.setCurrentIndex(0)
            return
        for key, preset in B.PRESETS.items():
            if preset.url == src.url and not src.mbtiles:
                self.kind.setCurrentIndex(self.kind.findData(key))
                return
        if src.mbtiles:
            self.mbtiles.setText(src.mbtiles)
            self._mb_source = src
            self.kind.setCurrentIndex(self.kind.findData("mbtiles"))
        else:
            self.url.setText(src.url)
            self.gcj.setChecked(src.crs == "gcj02")
            self.kind.setCurrentIndex(self.kind.findData("url"))

    def source(self) -> B.TileSource | None:
        kind = self.kind.currentData()
        if kind == "none":
            return None
        if kind == "mbtiles":
            src = getattr(self, "_mb_source", None)
            if src is None:
                raise B.BasemapError(self.tr("请先导入 MBTiles 文件"))
            return src
        if kind == "url":
            url = self.url.text().strip()
            if not all(k in url for k in ("{z}", "{x}", "{y}")):
                raise B.BasemapError(self.tr("瓦片地址应含 {z} {x} {y}"))
            src = B.TileSource("XYZ", url=url, crs="gcj02" if self.gcj.isChecked() else "wgs84",
                               needs_key="{key}" in url)  # fmt: skip
        else:
            src = B.PRESETS[kind]
        return src.with_key(self.key.text()) if src.needs_key else src

    def plan(self) -> B.DownloadPlan:
        src = self.source()
        if src is None:
            raise B.BasemapError(self.tr("请先选择底图来源"))
        if self.extent.currentData() is None:
            raise B.BasemapError(self.tr("没有可下载的范围（先导入或绘制区域）"))
        lo, hi = sorted((self.zmin.value(), self.zmax.value()))
        return B.plan_download(src, self.extent.currentData(), range(lo, hi + 1))

    def _changed(self, *_) -> None:
        kind = self.kind.currentData()
        self.url.setEnabled(kind == "url")
        self.gcj.setEnabled(kind == "url")
        self.key.setEnabled(kind in ("tianditu_vec", "tianditu_img", "url"))
        try:
            plan = self.plan()
        except B.BasemapError as e:
            self.estimate.setText(str(e))
            self.download_button.setEnabled(False)
            return
        too_many = plan.total > B.MAX_DOWNLOAD_TILES
        self.estimate.setText(
            plan.summary() + (self.tr("\n瓦片太多，请缩小范围或减少级别") if too_many else "")
        )
        self.download_button.setEnabled(plan.to_fetch > 0 and not too_many)

    def _import_mbtiles(self) -> None:
        path, _ = file_dialogs.getOpenFileName(self, self.tr("导入 MBTiles"), "", "MBTiles (*.mbtiles)")
        if path:
            self.import_mbtiles(path)

    def import_mbtiles(self, path: str, crs: str = "wgs84") -> dict | None:
        try:
            info = B.import_mbtiles(path, None, crs=crs)
        except B.BasemapError as e:
            self.estimate.setText(str(e))
            return None
        self._mb_source = B.TileSource(info["name"], crs=crs, mbtiles=info["path"], min_zoom=info["min_zoom"],
                                       max_zoom=info["max_zoom"], ext=info["format"])  # fmt: skip
        self.mbtiles.setText(info["path"])
        self.kind.setCurrentIndex(self.kind.findData("mbtiles"))
        return info

    def start_download(self):
        try:
            plan = self.plan()
        except B.BasemapError as e:
            self.estimate.setText(str(e))
            return None
        w = self.window_
        self.download_button.setEnabled(False)

        def done(res: B.DownloadResult) -> None:
            w.statusBar().showMessage(
                w.tr("底图瓦片已下载 {n} 张（{mb}），服务器缺 {m} 张，失败 {f} 张").format(
                    n=res.fetched, mb=B.format_bytes(res.bytes), m=res.missing, f=res.failed
                ), 15000,
            )  # fmt: skip
            self.last_result = res
            if self.isVisible():
                self._changed()

        return w.run_task(B.download, plan, title=self.tr("下载底图瓦片"), on_result=done)

    def apply(self) -> B.TileSource | None:
        """Save the choice (database + key) and show it on the map."""
        src = self.source()
        if self.store is not None:
            B.set_database_source(self.store, src)
            if self.key.text().strip():
                B.set_setting(self.store, B.SETTING_TIANDITU_KEY, self.key.text().strip())
        QSettings().setValue(KEY_SETTING, self.key.text().strip())
        self.window_.map_widget.set_basemap_source(src, show=src is not None)
        return src

    def accept(self) -> None:
        try:
            self.apply()
        except B.BasemapError as e:
            self.estimate.setText(str(e))
            return
        super().accept()
