"""Print dialog (打印): choose what to print (team, date, session, village, the map selection),
the paper (A4 / A3), masking and the leader's call-ahead copy, then preview, print, or save a PDF.
Contact cards ask for the contact the first time (no default is ever printed).

The sheets' data is built off the UI thread; the preview paints on the QPrinter the preview
dialog hands over. Every print that reaches paper or a file is written to the print log.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from gisplanner.printing.batch import describe, paint, print_to_pdf
from gisplanner.printing.canvas import setup_a4
from gisplanner.reporting.printouts.catalog import PRINTOUTS
from gisplanner.reporting.printouts.common import (
    PrintContext,
    ReportError,
    leader_copy_setting,
    log_print,
    set_leader_copy,
)
from gisplanner.reporting.printouts.contact import MissingContactError
from gisplanner.reporting.printouts.plan_order import round_name
from gisplanner.reporting.printouts.selection import PrintSelection, print_choices
from gisplanner.ui import file_dialogs


def make_printer(paper: str = "a4") -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)  # the layouts keep their own margins
    setup_a4(printer, paper)
    return printer


class PrintDialog(QDialog):
    """One printout kind for the current round: 预览 / 打印 / 导出 PDF, with a 不脱敏 option."""

    pdfWritten = Signal(object)  # batch.PrintResult

    def __init__(self, window, kind: str, round_id: int):
        super().__init__(window)
        self.main_window = window
        self.kind = kind
        self.round_id = round_id
        self.items: list | None = None
        self.ctx: PrintContext | None = None
        self.last_result = None
        self.setWindowTitle(f"打印 — {PRINTOUTS[kind].title}")
        self.info = QLabel(f"走访轮次：{round_name(window.store, round_id)[0]}")
        self.unmasked = QCheckBox("本次打印不隐藏电话、证件号码（将记入打印日志）")
        self._build_choices(window.store, round_id)
        self.preview_button = QPushButton("打印预览…")
        self.print_button = QPushButton("打印…")
        self.pdf_button = QPushButton("导出 PDF…")
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_to_printer)
        self.pdf_button.clicked.connect(self._ask_pdf)
        buttons = QHBoxLayout()
        for b in (self.preview_button, self.print_button, self.pdf_button):
            buttons.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addLayout(self.choices)
        lay.addWidget(self.unmasked)
        from gisplanner.access.roles import allows

        if not allows(self.main_window.store, "print.unmasked"):  # the core refuses it too
            self.unmasked.setEnabled(False)
            self.unmasked.setToolTip("完整电话和证件号码只有负责人、管理员可以打印或查看")
        lay.addWidget(self.leader_copy)
        lay.addLayout(buttons)
        lay.addWidget(close)

    def _build_choices(self, store, round_id: int) -> None:
        """小组 / 日期 / 时段 / 村（社区） / 地图所选 / 纸张, and the round's leader-copy setting."""
        self.team_combo, self.date_combo, self.session_combo, self.area_combo = (
            QComboBox() for _ in range(4)
        )
        for combo in (self.team_combo, self.date_combo, self.session_combo, self.area_combo):
            combo.addItem(self.tr("全部"), None)
        ch = print_choices(store, round_id)
        for tid, name in ch.teams:
            self.team_combo.addItem(name, tid)
        for day in ch.days:
            self.date_combo.addItem(f"{day:%Y-%m-%d} 周{'一二三四五六日'[day.weekday()]}", day)
        for sid, label in ch.sessions:
            self.session_combo.addItem(label, sid)
        for code, name in ch.villages:
            self.area_combo.addItem(f"{name}（{code}）", code)
        self.selection_only = QCheckBox(self.tr("只打印地图上所选的对象"))
        ids = getattr(getattr(self.main_window, "selection", None), "ids", None)
        self.selection_only.setEnabled(ids is not None and len(ids) > 0)
        self.paper_combo = QComboBox()
        self.paper_combo.addItem(self.tr("A4 纵向"), "a4")
        self.paper_combo.addItem(self.tr("A3 纵向"), "a3")
        self.leader_copy = QCheckBox(
            self.tr("本轮路线单附组长电话预约联系单（含完整电话，记入打印日志；留给群众的页仍脱敏）")
        )
        self.leader_copy.setVisible(self.kind == "route-sheets")
        self.leader_copy.setChecked(leader_copy_setting(store, round_id))
        self.leader_copy.toggled.connect(
            lambda on: set_leader_copy(self.main_window.store, self.round_id, on)
        )
        self.choices = QFormLayout()
        self.choices.addRow(self.tr("小组"), self.team_combo)
        self.choices.addRow(self.tr("日期"), self.date_combo)
        self.choices.addRow(self.tr("时段"), self.session_combo)
        self.choices.addRow(self.tr("村（社区）"), self.area_combo)
        self.choices.addRow("", self.selection_only)
        self.choices.addRow(self.tr("纸张"), self.paper_combo)

    def selection(self) -> PrintSelection | None:
        ids = None
        if self.selection_only.isChecked():
            ids = frozenset(int(i) for i in self.main_window.selection.ids)
        sel = PrintSelection(
            team=self.team_combo.currentData(), date=self.date_combo.currentData(),
            session=self.session_combo.currentData(), area=self.area_combo.currentData(), target_ids=ids,
        )  # fmt: skip
        return None if sel.is_all else sel

    @property
    def paper(self) -> str:
        return self.paper_combo.currentData()

    # -- data ----------------------------------------------------------------------------------
    def _context(self) -> PrintContext:
        return PrintContext(
            unmasked=self.unmasked.isChecked(), paper=self.paper, only=self.selection(),
            leader_copy=self.kind == "route-sheets" and self.leader_copy.isChecked(),
        )  # fmt: skip

    def build_items(self) -> list:
        """The sheets' data for the current options (built again when an option changes)."""
        ctx = self._context()
        key = (ctx.unmasked, ctx.paper, ctx.only, ctx.leader_copy)
        if (
            self.items is None
            or self.ctx is None
            or key != (self.ctx.unmasked, self.ctx.paper, self.ctx.only, self.ctx.leader_copy)
        ):
            self.items = PRINTOUTS[self.kind].build(self.main_window.store, self.round_id, ctx, None)
            self.ctx = ctx
        return self.items

    def ask_contact(self, reason: str) -> bool:
        """The first print of contact cards asks for the contact (saved for next time)."""
        from gisplanner.ui.dialogs.contact_dialog import ContactDialog

        dlg = ContactDialog(self, self.main_window.store, reason)
        return dlg.exec() == QDialog.DialogCode.Accepted

    # -- outputs -------------------------------------------------------------------------------
    def paint_on(self, printer: QPrinter) -> int:
        from gisplanner.access.roles import require_print

        items = self.build_items()
        require_print(self.main_window.store, self.ctx.unmasked or self.ctx.leader_copy)
        return paint(printer, self.kind, items, self.ctx, footer=PRINTOUTS[self.kind].title)

    def _log(self, pages: int, prefix: str = "") -> None:
        what = describe(self.main_window.store, self.kind, self.round_id, len(self.items or []), self.ctx)
        log_print(self.main_window.store, self.ctx, (prefix + what)[:200], pages)

    def _ready(self) -> bool:
        """Build the data first, so a round with nothing to print says why instead of printing blank;
        contact cards without a contact ask for it."""
        try:
            self.build_items()
        except MissingContactError as e:
            if not self.ask_contact(str(e)):
                return False
            return self._ready()
        except ReportError as e:
            QMessageBox.information(self, "打印", str(e))
            return False
        return True

    def preview(self) -> None:
        if not self._ready():
            return
        printer = make_printer(self.paper)
        dlg = QPrintPreviewDialog(printer, self)
        dlg.setWindowTitle(f"打印预览 — {PRINTOUTS[self.kind].title}")
        pages = {"n": 0}
        dlg.paintRequested.connect(lambda p: pages.__setitem__("n", self.paint_on(p)))
        if dlg.exec() == QDialog.DialogCode.Accepted:  # the preview's print button was used
            self._log(pages["n"])
        elif self.ctx is not None and (self.ctx.unmasked or self.ctx.leader_copy) and pages["n"]:
            self._log(pages["n"], prefix="屏幕预览（未打印）：")  # full phones seen on screen: logged too

    def print_to_printer(self) -> None:
        if not self._ready():
            return
        printer = make_printer(self.paper)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        self._log(self.paint_on(printer))

    def _ask_pdf(self) -> None:
        path, _ = file_dialogs.getSaveFileName(
            self, "导出 PDF", f"{PRINTOUTS[self.kind].title}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.export_pdf(path)

    def export_pdf(self, path: str | Path):
        """Write the PDF in the background (progress and cancel in the status bar)."""
        if not self._ready():
            return None
        for b in (self.preview_button, self.print_button, self.pdf_button):
            b.setEnabled(False)

        def done(result) -> None:
            self.last_result = result
            self._enable()
            self.main_window.statusBar().showMessage(
                f"已导出 {result.title} {result.items} 份，共 {result.pages} 页：{result.path}", 10000
            )
            self.pdfWritten.emit(result)

        def failed(message: str, _tb: str = "") -> None:
            self._enable()
            QMessageBox.warning(self, "打印", message)

        return self.main_window.run_task(
            print_to_pdf, self.main_window.store, self.kind, self.round_id, Path(path),
            unmasked=self.unmasked.isChecked(), paper=self.paper, only=self.selection(),
            leader_copy=self.kind == "route-sheets" and self.leader_copy.isChecked(),
            title=f"导出{PRINTOUTS[self.kind].title}",
            on_result=done, on_error=failed,
        )  # fmt: skip

    def _enable(self) -> None:
        for b in (self.preview_button, self.print_button, self.pdf_button):
            b.setEnabled(True)
