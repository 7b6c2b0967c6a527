"""The summary report (工作总结) as an A4 PDF: title, the paragraph, the supporting tables.

Laid out as HTML in a QTextDocument (it paginates long tables by itself) in the CJK font of
the printing module, written with QPdfWriter to a temporary file renamed into place, and
recorded in the print log. The data comes from :mod:`gisplanner.reporting.printouts.summary` (no Qt).
"""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from gisplanner.printing.canvas import cjk_family
from gisplanner.reporting.printouts.common import PrintContext, log_print
from gisplanner.reporting.printouts.summary import PERCENT_HEADERS, SummaryReport

MARGIN_MM = 18.0


def _cell(v, header: str) -> str:
    if isinstance(v, float | np.floating):
        if np.isnan(v):
            return "—"
        return f"{v * 100:.1f}%" if header in PERCENT_HEADERS else f"{v:.1f}"
    return html.escape(str(v))


def _table_html(name: str, df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in df.columns)
    rows = []
    for r in df.itertuples(index=False):
        tds = []
        for j, (v, h) in enumerate(zip(r, df.columns, strict=True)):
            align = "left" if j == 0 else "right"
            tds.append(f'<td align="{align}">{_cell(v, h)}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (
        f"<h3>{html.escape(name)}</h3>"
        '<table border="1" cellspacing="0" cellpadding="3" width="100%" style="border-collapse:collapse">'
        f'<thead><tr style="background:#e8edf4">{head}</tr></thead>{"".join(rows)}</table>'
    )


def summary_html(report: SummaryReport, ctx: PrintContext) -> str:
    parts = [
        f'<h2 align="center">{html.escape(report.title)}</h2>',
        f'<p style="line-height:160%; text-indent:2em">{html.escape(report.paragraph)}</p>',
    ]
    parts += [_table_html(name, df) for name, df in report.tables.items()]
    parts.append(
        f'<p style="color:#666; font-size:8pt">说明：走访户数按时段内见面或电话走访的不同户计；问题按登记日期计；'
        f"“解决”指时段结束前状态为已解决（当场解决含在其中）；逾期按 {report.as_of:%Y-%m-%d} 计。"
        f"　{html.escape(ctx.watermark)}</p>"
    )
    return "<html><body>" + "".join(parts) + "</body></html>"


def write_summary_pdf(
    report: SummaryReport, path: str | Path, *, store=None, ctx: PrintContext | None = None
) -> int:
    """Write the PDF (temp file + rename); returns the number of pages. Logged when a store is given."""
    ctx = ctx or PrintContext()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".pdf.tmp", dir=path.parent)
    os.close(fd)
    try:
        writer = QPdfWriter(tmp)
        writer.setResolution(300)
        writer.setTitle(report.title)
        writer.setCreator("gisplanner")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        doc = QTextDocument()
        doc.setDefaultFont(QFont(cjk_family(), 9))
        doc.setHtml(summary_html(report, ctx))
        # lay out in points: print_ scales the document to the writer's resolution
        rect = writer.pageLayout().paintRectPoints()
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
        pages = doc.pageCount()
        doc.print_(writer)
        del writer  # finishes the file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if store is not None:
        log_print(store, ctx, f"工作总结 {report.area_name}", pages)
    return pages
