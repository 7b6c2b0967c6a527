"""Render a round's printouts into one PDF (or onto any QPrinter), and log the print.

This is the Qt side of the `print` command (`gisplanner.cli.print_cmd` imports it) and of the
preview dialog (`gisplanner.ui.printing.preview`); it paints with QtGui only, no widgets.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QPagedPaintDevice, QPdfWriter

from gisplanner.access.roles import require_print
from gisplanner.io.atomic import part_path
from gisplanner.printing.canvas import PageCanvas, setup_a4
from gisplanner.printing.cards import paint_contact_cards
from gisplanner.printing.forms import paint_problem_forms, paint_problem_lists, paint_survey_forms
from gisplanner.printing.route_sheet import paint_route_sheets
from gisplanner.progress import Progress
from gisplanner.reporting.printouts.catalog import PRINTOUTS
from gisplanner.reporting.printouts.common import (
    PAPERS,
    PrintContext,
    ReportError,
    leader_copy_setting,
    log_print,
)
from gisplanner.reporting.printouts.plan_order import round_name
from gisplanner.store.database import Store

PDF_DPI = 600


LAYOUTS = {
    "route-sheets": paint_route_sheets,
    "survey-forms": paint_survey_forms,
    "contact-cards": paint_contact_cards,
    "problem-lists": paint_problem_lists,
    "problem-forms": paint_problem_forms,
}


def painter_for(kind: str):
    """The layout function for a printout name."""
    return LAYOUTS[kind]


def ensure_app() -> QGuiApplication:
    """A Qt application for painting; offscreen when there is no display (CLI on a server)."""
    app = QGuiApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith(
            "linux"
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([sys.argv[0] if sys.argv else "gisplanner"])
    return app


@dataclass
class PrintResult:
    kind: str
    title: str
    items: int
    pages: int
    path: Path | None
    seconds: float
    log_id: int


def paint(device: QPagedPaintDevice, kind: str, items: list, ctx: PrintContext, footer: str = "") -> int:
    """Lay out `items` of printout `kind` on `device`; returns the number of pages."""
    canvas = PageCanvas(device, ctx, footer)
    try:
        painter_for(kind)(canvas, items)
    finally:
        pages = canvas.finish()
    return pages


def describe(store: Store, kind: str, round_id: int, items: int, ctx: PrintContext | None = None) -> str:
    name, _ = round_name(store, round_id)
    only = ctx.only.describe() if ctx is not None and ctx.only is not None else ""
    return f"{PRINTOUTS[kind].title}（{name}，{items} 份{'，' + only if only else ''}）"


def print_to_pdf(
    store: Store,
    kind: str,
    round_id: int,
    out: str | Path,
    *,
    unmasked: bool = False,
    user: str | None = None,
    progress: Progress | None = None,
    items: list | None = None,
    paper: str = "a4",
    only=None,
    leader_copy: bool = False,
) -> PrintResult:
    """Every sheet of `kind` for a round (or the given `items`, or those `only` — a
    :class:`~gisplanner.reporting.printouts.selection.PrintSelection` — keeps) in one PDF on A4 or A3;
    written whole or not at all. `leader_copy` adds each team leader's call-ahead list with full
    phones to route sheets (logged as an unmasked print)."""
    if kind not in PRINTOUTS:
        raise ReportError(f"未知的打印内容：{kind}（可选：{'、'.join(PRINTOUTS)}）")
    if paper not in PAPERS:
        raise ReportError(f"未知的纸张：{paper}（可选：{'、'.join(PAPERS)}）")
    ensure_app()
    t0 = time.perf_counter()
    if kind == "route-sheets":  # the round's setting prints the leader copy too (and logs it so)
        leader_copy = leader_copy or leader_copy_setting(store, round_id)
    extra = {"paper": paper, "only": only, "leader_copy": leader_copy and kind == "route-sheets"}
    ctx = (
        PrintContext(unmasked=unmasked, **extra)
        if user is None
        else PrintContext(user=user, unmasked=unmasked, **extra)
    )
    require_print(store, ctx.unmasked or ctx.leader_copy)  # refused before a page is drawn
    if items is None:
        items = PRINTOUTS[kind].build(store, round_id, ctx, progress)
    if not items:
        raise ReportError(f"没有可打印的{PRINTOUTS[kind].title}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(out)  # `OUT.pdf.<pid>.part`; what a killed print left is removed here
    writer = QPdfWriter(str(tmp))
    writer.setResolution(PDF_DPI)
    writer.setCreator("gisplanner")
    writer.setTitle(describe(store, kind, round_id, len(items), ctx))
    setup_a4(writer, paper)
    try:
        pages = paint(writer, kind, items, ctx, footer=PRINTOUTS[kind].title)
        del writer  # flushes and closes the file
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log_id = log_print(store, ctx, describe(store, kind, round_id, len(items), ctx), pages)
    return PrintResult(kind, PRINTOUTS[kind].title, len(items), pages, out, time.perf_counter() - t0, log_id)
