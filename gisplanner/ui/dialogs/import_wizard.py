"""导入向导: file → column mapping → preview with the bad rows → import (progress, cancel).

Rosters (住户/企业/名士/干部) and boundaries (区域边界). Reading, checking and writing run
through ``window.run_task`` (off the UI thread, with the status bar's progress and cancel);
the dialog only shows what comes back. Nothing is written before the last step, and the last
step is one transaction (gisplanner.io.roster_import / boundary_import).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisplanner.io import headers as hdr
from gisplanner.io.crs import CRS_NAMES, CRS_NAMES_ZH, gk3_epsg
from gisplanner.ui import file_dialogs

AREAS = "areas"
KINDS_ZH = {**hdr.ROSTER_KIND_ZH, AREAS: "区域边界（村/社区、镇）"}
ROSTER_FILTER = "名册 (*.xlsx *.xlsm *.csv *.txt);;所有文件 (*)"
BOUNDARY_FILTER = "边界 (*.gpkg *.geojson *.json *.shp);;所有文件 (*)"
NOT_IMPORTED = "（不导入）"
MAX_BAD_SHOWN = 2000
LEVELS_ZH = {"village": "村/社区", "town": "镇/街道", "district": "区/县", "city": "市"}


def _frame_model(df: pd.DataFrame, limit: int) -> QStandardItemModel:
    model = QStandardItemModel(min(len(df), limit), len(df.columns))
    model.setHorizontalHeaderLabels([str(c) for c in df.columns])
    for r, row in enumerate(df.head(limit).itertuples(index=False, name=None)):
        for c, v in enumerate(row):
            text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
            item = QStandardItem(text)
            item.setToolTip(text)
            item.setEditable(False)
            model.setItem(r, c, item)
    return model


class ImportWizard(QDialog):
    """The four pages in a stack; Back/Next at the bottom."""

    PAGE_FILE, PAGE_MAPPING, PAGE_PREVIEW, PAGE_DONE = range(4)

    def __init__(
        self, window, kind: str = "households", path: str | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent or (window if isinstance(window, QWidget) else None))
        self.window_ = window
        self.setWindowTitle(self.tr("导入向导"))
        self.resize(900, 620)
        self.table = None  # RawTable read from the file
        self.preview = None  # RosterPreview / BoundaryPreview
        self.result = None
        self.columns: list[str] = []  # boundary file's attribute columns

        self.stack = QStackedWidget()
        self.stack.addWidget(self._file_page(kind, path))
        self.stack.addWidget(self._mapping_page())
        self.stack.addWidget(self._preview_page())
        self.stack.addWidget(self._done_page())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.back_button = QPushButton(self.tr("上一步"))
        self.next_button = QPushButton(self.tr("下一步"))
        self.import_button = QPushButton(self.tr("导入"))
        self.close_button = QPushButton(self.tr("关闭"))
        self.back_button.clicked.connect(self._back)
        self.next_button.clicked.connect(self._next)
        self.import_button.clicked.connect(lambda: self._import())
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.back_button, self.next_button, self.import_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._show(self.PAGE_FILE)

    # -- pages --------------------------------------------------------------------------------
    def _file_page(self, kind: str, path: str | None) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.kind_combo = QComboBox()
        for k, zh in KINDS_ZH.items():
            self.kind_combo.addItem(self.tr(zh), k)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        form.addRow(self.tr("导入什么："), self.kind_combo)
        row = QHBoxLayout()
        self.path_edit = QLineEdit(path or "")
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("文件："), row)
        self.crs_combo = QComboBox()
        self.crs_combo.addItem(self.tr("自动（按表头或上次的设置，否则 WGS84）"), None)
        for name, zh in CRS_NAMES_ZH.items():
            self.crs_combo.addItem(zh, name)
        for cm in range(75, 136, 3):  # boundaries drawn by land offices: CGCS2000 Gauss-Kruger zones
            self.crs_combo.addItem(
                self.tr("EPSG:{n}（国家2000 3度带，中央经线 {cm}°E）").format(n=gk3_epsg(cm), cm=cm),
                f"EPSG:{gk3_epsg(cm)}",
            )
        self.crs_label = QLabel(self.tr("坐标系："))
        form.addRow(self.crs_label, self.crs_combo)
        self.level_combo = QComboBox()
        for k, zh in LEVELS_ZH.items():
            self.level_combo.addItem(self.tr(zh), k)
        self.level_label = QLabel(self.tr("区域级别："))
        form.addRow(self.level_label, self.level_combo)
        hint = QLabel(
            self.tr(
                "名册支持 .xlsx 和 .csv（UTF-8、GBK 自动识别）；边界支持 GeoPackage、GeoJSON、Shapefile（任意坐标系）。"
                "下一步先检查，不会写入数据库。"
            )
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        self._kind_changed()
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.mapping_note = QLabel()
        self.mapping_note.setWordWrap(True)
        layout.addWidget(self.mapping_note)
        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setHorizontalHeaderLabels([self.tr("字段"), self.tr("文件中的列")])
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().hide()
        layout.addWidget(self.mapping_table, 2)
        layout.addWidget(QLabel(self.tr("文件前几行：")))
        self.sample_view = QTableView()
        layout.addWidget(self.sample_view, 1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        f = self.summary_label.font()
        f.setPointSize(f.pointSize() + 1)
        self.summary_label.setFont(f)
        layout.addWidget(self.summary_label)
        self.bad_view = QTableView()
        self.bad_view.setWordWrap(True)
        self.bad_view.verticalHeader().hide()  # 原行号 is the number that means something
        layout.addWidget(self.bad_view, 4)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setMaximumHeight(110)
        layout.addWidget(self.notes, 1)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.done_label, 1)
        return page

    # -- navigation ----------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def _kind_changed(self) -> None:
        areas = self.kind == AREAS
        for w in (self.level_label, self.level_combo):
            w.setVisible(areas)
        for w in (self.crs_label, self.crs_combo):
            w.setVisible(self.kind != "cadres")
        # boundaries: the file's own CRS unless one is chosen (a GeoJSON in Gaode coordinates
        # still claims WGS84); rosters: header hints or the remembered setting
        self.crs_combo.setItemText(
            0, self.tr("文件自带的坐标系") if areas else self.tr("自动（按表头或上次的设置，否则 WGS84）")
        )
        for i in range(1, self.crs_combo.count()):  # Gauss-Kruger zones only for boundaries
            view = self.crs_combo.view()
            if view is not None and hasattr(view, "setRowHidden"):
                view.setRowHidden(i, not areas and self.crs_combo.itemData(i) not in CRS_NAMES)

    def _browse(self) -> None:
        filt = BOUNDARY_FILTER if self.kind == AREAS else ROSTER_FILTER
        path, _ = file_dialogs.getOpenFileName(
            self, self.tr("选择文件"), self.path_edit.text(), self.tr(filt)
        )
        if path:
            self.path_edit.setText(path)

    def _show(self, page: int) -> None:
        self.stack.setCurrentIndex(page)
        self.back_button.setVisible(page in (self.PAGE_MAPPING, self.PAGE_PREVIEW))
        self.next_button.setVisible(page in (self.PAGE_FILE, self.PAGE_MAPPING))
        self.import_button.setVisible(page == self.PAGE_PREVIEW)
        self.import_button.setEnabled(
            page == self.PAGE_PREVIEW and self.preview is not None and self._importable()
        )
        self.close_button.setText(self.tr("完成") if page == self.PAGE_DONE else self.tr("关闭"))

    def _back(self) -> None:
        self._show(max(self.PAGE_FILE, self.stack.currentIndex() - 1))

    def _busy(self, busy: bool, text: str = "") -> None:
        for b in (self.back_button, self.next_button, self.import_button):
            b.setEnabled(not busy)
        self.status.setText(text)

    def _failed(self, message: str, *_):
        from gisplanner.io.boundary_import import OUTSIDE_MARK

        self._busy(False, "")
        if self.kind == AREAS and OUTSIDE_MARK in message and self.stack.currentIndex() == self.PAGE_PREVIEW:
            # boundaries that would leave targets outside every village: say how many, and let
            # the user decide (the CLI's --allow-outside)
            answer = QMessageBox.question(
                self, self.tr("导入向导"), message.split("确认无误时")[0] + self.tr("\n\n仍然导入这些边界吗？"),
            )  # fmt: skip
            if answer == QMessageBox.StandardButton.Yes:
                self._import(allow_outside=True)
                return
        if message != "已取消":
            QMessageBox.warning(self, self.tr("导入向导"), message)
        else:
            self.status.setText(self.tr("已取消，数据库未作任何改动"))
        self._show(self.stack.currentIndex())

    def _next(self) -> None:
        page = self.stack.currentIndex()
        if page == self.PAGE_FILE:
            self._read_file()
        elif page == self.PAGE_MAPPING:
            self._run_preview()

    # -- step 1: read the file -----------------------------------------------------------------
    def _read_file(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            QMessageBox.information(self, self.tr("导入向导"), self.tr("请先选择文件"))
            return
        self._busy(True, self.tr("正在读取文件…"))
        if self.kind == AREAS:
            self.window_.run_task(
                _read_boundary_columns, path, title=self.tr("读取边界文件"),
                on_result=self._file_read, on_error=self._failed,
            )  # fmt: skip
        else:
            self.window_.run_task(
                _read_roster, self.window_.store, path, self.kind, title=self.tr("读取名册"),
                on_result=self._file_read, on_error=self._failed,
            )  # fmt: skip

    def _file_read(self, value) -> None:
        self._busy(False)
        if self.kind == AREAS:
            self.columns, has_crs = value
            if not has_crs and self.crs_combo.currentData() is None and not self._ask_crs():
                return
            self._fill_boundary_mapping()
        else:
            self.table, saved = value
            self._fill_roster_mapping(saved)
        self._show(self.PAGE_MAPPING)

    def _ask_crs(self) -> bool:
        """A boundary file without CRS (a Shapefile without .prj): ask which one its numbers are in."""
        from PySide6.QtWidgets import QInputDialog

        items = [self.crs_combo.itemText(i) for i in range(1, self.crs_combo.count())]
        name = Path(self.path_edit.text()).name
        text, ok = QInputDialog.getItem(
            self, self.tr("选择坐标系"),
            self.tr("文件“{name}”没有坐标系信息（缺少 .prj），请选择它的坐标系：").format(name=name),
            items, 0, False,
        )  # fmt: skip
        if not ok:
            return False
        self.crs_combo.setCurrentIndex(items.index(text) + 1)
        return True

    def _combo(self, options: list[str], current: str | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr(NOT_IMPORTED), None)
        for o in options:
            combo.addItem(o, o)
        if current:
            combo.setCurrentIndex(max(0, combo.findData(current)))
        return combo

    def _fill_roster_mapping(self, saved: dict | None) -> None:
        fields = hdr.fields(self.kind)
        mapping = (saved or {}).get("mapping") or hdr.guess_mapping(self.kind, self.table.headers)
        self.remembered = bool(saved and saved.get("mapping"))
        self.mapping_table.setRowCount(len(fields))
        self.mapping_combos: dict[str, QComboBox] = {}
        for i, f in enumerate(fields):
            item = QTableWidgetItem(f.label + (" *" if f.required else ""))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.mapping_table.setItem(i, 0, item)
            combo = self._combo(self.table.headers, mapping.get(f.key))
            self.mapping_table.setCellWidget(i, 1, combo)
            self.mapping_combos[f.key] = combo
        if saved and saved.get("crs") and self.crs_combo.currentData() is None:
            self.crs_combo.setCurrentIndex(max(0, self.crs_combo.findData(saved["crs"])))
        note = self.tr("表头在第{row}行，共{n}行数据。").format(row=self.table.header_row, n=len(self.table))
        if self.remembered:
            note += self.tr("已沿用上次确认的列对应（同样格式的文件）。")
        else:
            note += self.tr("已按常见表头自动对应，请核对；带 * 的为必填。")
        if self.table.encoding:
            note += self.tr(" 文件编码：{enc}。").format(enc=self.table.encoding.upper())
        hint = hdr.crs_hint([mapping.get("lon", ""), mapping.get("lat", "")])
        if hint and self.crs_combo.currentData() is None:
            note += self.tr(" 经纬度表头注明了坐标系，将按 {crs} 换算为 WGS84。").format(
                crs=CRS_NAMES_ZH[hint]
            )
        self.mapping_note.setText(note)
        self.sample_view.setModel(_frame_model(self.table.frame, 8))

    def _fill_boundary_mapping(self) -> None:
        from gisplanner.io import boundary_import as bi

        path = Path(self.path_edit.text())
        rows = [
            ("code", self.tr("代码 *"), bi.pick_field(self.columns, bi.CODE_FIELDS, None, "", path)),
            ("name", self.tr("名称 *"), bi.pick_field(self.columns, bi.NAME_FIELDS, None, "", path)),
            ("parent", self.tr("上级代码"), bi.pick_field(self.columns, bi.PARENT_FIELDS, None, "", path)),
        ]
        self.mapping_table.setRowCount(len(rows))
        self.mapping_combos = {}
        for i, (key, label, current) in enumerate(rows):
            item = QTableWidgetItem(label)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.mapping_table.setItem(i, 0, item)
            combo = self._combo(self.columns, current)
            self.mapping_table.setCellWidget(i, 1, combo)
            self.mapping_combos[key] = combo
        self.mapping_note.setText(self.tr("请核对代码和名称字段；没有上级代码时按包含关系找上级区域。"))
        self.sample_view.setModel(QStandardItemModel())

    def mapping(self) -> dict[str, str]:
        return {k: c.currentData() for k, c in self.mapping_combos.items() if c.currentData()}

    # -- step 2: preview -----------------------------------------------------------------------
    def _run_preview(self) -> None:
        mapping = self.mapping()
        if self.kind == AREAS:
            if not mapping.get("code") or not mapping.get("name"):
                QMessageBox.information(self, self.tr("导入向导"), self.tr("请选择代码和名称字段"))
                return
            self._busy(True, self.tr("正在检查边界…"))
            self.window_.run_task(
                _preview_boundaries, self.path_edit.text(), mapping, self.level_combo.currentData(),
                self.crs_combo.currentData(), self.window_.store, title=self.tr("检查边界"), on_result=self._previewed, on_error=self._failed,
            )  # fmt: skip
            return
        missing = hdr.missing_required(self.kind, mapping)
        if missing:
            QMessageBox.information(
                self, self.tr("导入向导"), self.tr("请为必填字段选择列：") + "、".join(missing)
            )
            return
        self._busy(True, self.tr("正在检查每一行…"))
        self.window_.run_task(
            _preview_roster, self.window_.store, self.table, self.kind, mapping, self.crs_combo.currentData(),
            title=self.tr("检查名册"), on_result=self._previewed, on_error=self._failed,
        )  # fmt: skip

    def _previewed(self, preview) -> None:
        self._busy(False)
        self.preview = preview
        if self.kind == AREAS:
            self.summary_label.setText(
                self.tr("{name}：可导入 {n} 个区域，修复 {r} 个，跳过 {s} 个（坐标系 {crs}）").format(
                    name=preview.path.name,
                    n=len(preview.features),
                    r=len(preview.repairs),
                    s=len(preview.problems),
                    crs=preview.source_crs or "?",
                )  # fmt: skip
            )
            self.bad_view.setModel(QStandardItemModel())
            self.bad_view.hide()
            lines = list(preview.repairs + preview.problems)
            dry = getattr(preview, "dry_run", None)
            if dry is not None and dry.targets_newly_outside:
                lines.insert(
                    0,
                    self.tr(
                        "注意：导入后 {n} 个走访对象将不在任何村/社区内（例如：{e}），边界可能缩小或错位。"
                    ).format(n=dry.targets_newly_outside, e="、".join(dry.outside_examples[:3])),
                )
            self.notes.setPlainText("\n".join(lines) or self.tr("没有问题。"))
        else:
            self.summary_label.setText(
                self.tr(
                    "共 {total} 行：可导入 {good} 行，有问题 {bad} 行（不导入，写入未导入文件并注明原因）"
                ).format(total=preview.total, good=preview.good_count, bad=preview.bad_count)
            )
            bad = preview.bad_rows()
            cols = ["原行号", "错误原因"] + [c for c in bad.columns if c not in ("原行号", "错误原因")]
            self.bad_view.setModel(_frame_model(bad[cols], MAX_BAD_SHOWN))
            self.bad_view.setColumnWidth(0, 64)
            self.bad_view.setColumnWidth(1, 420)  # the reason is what the user reads first
            self.bad_view.resizeRowsToContents()
            self.bad_view.setVisible(preview.bad_count > 0)
            note = self.tr("坐标系：{crs}").format(crs=CRS_NAMES_ZH.get(preview.crs, preview.crs))
            if preview.bad_count > MAX_BAD_SHOWN:
                note += self.tr("\n只显示前 {n} 个有问题的行，全部写入未导入文件。").format(n=MAX_BAD_SHOWN)
            self.notes.setPlainText(note)
        self._show(self.PAGE_PREVIEW)

    def _importable(self) -> bool:
        if self.kind == AREAS:
            return bool(self.preview.features)
        return self.preview.good_count > 0

    # -- step 3: import ------------------------------------------------------------------------
    def _import(self, allow_outside: bool = False) -> None:
        self._busy(True, self.tr("正在导入（可在状态栏取消）…"))
        if self.kind == AREAS:
            from gisplanner.io.boundary_import import import_boundaries

            self.window_.run_task(
                import_boundaries, self.window_.store, self.preview, title=self.tr("导入边界"),
                on_result=self._imported, on_error=self._failed, allow_outside=allow_outside,
            )  # fmt: skip
        else:
            from gisplanner.io.roster_import import import_roster

            self.window_.run_task(
                import_roster, self.window_.store, self.preview, title=self.tr("导入名册"),
                on_result=self._imported, on_error=self._failed,
            )  # fmt: skip

    def _imported(self, result) -> None:
        self._busy(False)
        self.result = result
        if self.kind == AREAS:
            text = self.tr("新增 {i}，更新 {u}，未变 {s} 个区域；修复 {r} 个，跳过 {k} 个。").format(
                i=result.inserted, u=result.updated, s=result.unchanged, r=result.repaired, k=result.skipped
            )
        else:
            text = self.tr("新增 {i}，更新 {u}，未变 {s}，未导入 {r} 行。").format(
                i=result.inserted, u=result.updated, s=result.unchanged, r=result.rejected
            )
            if result.rejects_path:
                text += "\n" + self.tr("未导入的行及原因：{p}").format(p=result.rejects_path)
        self.done_label.setText(text)
        self._show(self.PAGE_DONE)
        self.window_.refresh()


# -- work done in the background (no widgets here) ----------------------------------------------


def _read_roster(store, path: str, kind: str, progress=None):  # noqa: ARG001
    """The file as text cells, and the mapping confirmed for this layout before (or None)."""
    from gisplanner.io import mappings
    from gisplanner.io.readers import read_table

    table = read_table(path, kind=kind)
    return table, mappings.recall(store, kind, table.headers) if store is not None else None


def _read_boundary_columns(path: str, progress=None) -> tuple[list[str], bool]:  # noqa: ARG001
    """The polygon layer's attribute columns, and whether the file says which CRS it is in."""
    from gisplanner.io.boundary_import import layer_columns, list_layers

    layers = list_layers(path)
    polys = [n for n, t in layers if "polygon" in t.lower()] or [layers[0][0]]
    return layer_columns(path, polys[0])


def _preview_boundaries(path: str, mapping: dict, level: str, crs=None, store=None, progress=None):  # noqa: ARG001
    """Read and check the file, then a dry run against the database (level changes, the tree,
    targets that would end up outside every village) — nothing is written."""
    from gisplanner.io.boundary_import import import_boundaries, preview_boundaries

    preview = preview_boundaries(
        path, level=level, code_field=mapping.get("code"), name_field=mapping.get("name"),
        parent_field=mapping.get("parent"), crs=crs,
    )  # fmt: skip
    if store is not None:
        preview.dry_run = import_boundaries(store, preview, allow_outside=True, dry_run=True)
    return preview


def _preview_roster(store, table, kind: str, mapping: dict, crs, progress=None):  # noqa: ARG001
    from gisplanner.io.roster_import import preview_roster

    return preview_roster(store, table.path, kind, mapping=mapping, crs=crs, table=table)
