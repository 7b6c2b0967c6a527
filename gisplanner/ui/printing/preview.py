"""Print dialog (打印): choose masking, then preview, print to a printer, or save a PDF.

The sheets' data is built off the UI thread; the preview paints on the QPrinter the preview
dialog hands over. Every print that reaches paper or a file is written to the print log.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from gisplanner.reports.catalog import PRINTOUTS
from gisplanner.reports.common import PrintContext, ReportError, log_print
from gisplanner.reports.plan_order import round_name
from gisplanner.ui.printing.batch import describe, paint, print_to_pdf
from gisplanner.ui.printing.canvas import setup_a4


def make_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)  # the layouts keep their own margins
    setup_a4(printer)
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
        lay.addWidget(self.unmasked)
        lay.addLayout(buttons)
        lay.addWidget(close)

    # -- data ----------------------------------------------------------------------------------
    def _context(self) -> PrintContext:
        return PrintContext(unmasked=self.unmasked.isChecked())

    def build_items(self) -> list:
        """The sheets' data for the current options (built again when the masking changes)."""
        ctx = self._context()
        if self.items is None or self.ctx is None or self.ctx.unmasked != ctx.unmasked:
            self.items = PRINTOUTS[self.kind].build(self.main_window.store, self.round_id, ctx, None)
            self.ctx = ctx
        return self.items

    # -- outputs -------------------------------------------------------------------------------
    def paint_on(self, printer: QPrinter) -> int:
        items = self.build_items()
        return paint(printer, self.kind, items, self.ctx, footer=PRINTOUTS[self.kind].title)

    def _log(self, pages: int) -> None:
        what = describe(self.main_window.store, self.kind, self.round_id, len(self.items or []))
        log_print(self.main_window.store, self.ctx, what, pages)

    def _ready(self) -> bool:
        """Build the data first, so a round with nothing to print says why instead of printing blank."""
        try:
            self.build_items()
        except ReportError as e:
            QMessageBox.information(self, "打印", str(e))
            return False
        return True

    def preview(self) -> None:
        if not self._ready():
            return
        printer = make_printer()
        dlg = QPrintPreviewDialog(printer, self)
        dlg.setWindowTitle(f"打印预览 — {PRINTOUTS[self.kind].title}")
        pages = {"n": 0}
        dlg.paintRequested.connect(lambda p: pages.__setitem__("n", self.paint_on(p)))
        if dlg.exec() == QDialog.DialogCode.Accepted:  # the preview's print button was used
            self._log(pages["n"])

    def print_to_printer(self) -> None:
        if not self._ready():
            return
        printer = make_printer()
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        self._log(self.paint_on(printer))

    def _ask_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "导出 PDF", f"{PRINTOUTS[self.kind].title}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.export_pdf(path)

    def export_pdf(self, path: str | Path):
        """Write the PDF in the background (progress and cancel in the status bar)."""
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
            unmasked=self.unmasked.isChecked(), title=f"导出{PRINTOUTS[self.kind].title}",
            on_result=done, on_error=failed,
        )  # fmt: skip

    def _enable(self) -> None:
        for b in (self.preview_button, self.print_button, self.pdf_button):
            b.setEnabled(True)
