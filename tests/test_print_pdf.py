"""Printing to PDF: text checked with pdftotext (Chinese, masked phones, plan order), page counts,
embedded fonts, the print log, the QR code on the cards, and the CLI without a display."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from test_reports_fixture import planned_db  # noqa: F401 - a fixture

from gisplanner.store.database import Store
from gisplanner.store.model import PrintLog, Route, Target

ROOT = Path(__file__).resolve().parents[1]
needs_poppler = pytest.mark.skipif(
    not all(os.path.exists(f"/usr/bin/{c}") for c in ("pdftotext", "pdfinfo", "pdffonts")),
    reason="poppler-utils (pdftotext/pdfinfo/pdffonts) not installed",
)


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-layout"]
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*cmd, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture
def store(planned_db):  # noqa: F811 - the imported fixture
    path, plan = planned_db
    s = Store.open(path)
    yield s, plan
    s.close()


@pytest.fixture
def qapp_offscreen(qapp):
    """pytest-qt's QApplication (offscreen via conftest): the UI tests in the same run need a
    QApplication, so the batch printer must not create a bare QGuiApplication first."""
    return qapp


@needs_poppler
def test_route_sheets_pdf_in_plan_order_masked(store, qapp_offscreen, tmp_path):
    from gisplanner.printing.batch import print_to_pdf

    st, plan = store
    out = tmp_path / "sheets.pdf"
    result = print_to_pdf(st, "route-sheets", plan["round"], out, user="测试员")
    assert result.items == 6 and pdf_pages(out) == result.pages >= 6
    text = pdf_text(out)
    assert "走访路线单" in text and "两个带" in text and "五心工作法" in text and "工作证" in text
    assert "测试员" in text  # the footer names the printing user
    with st.session() as s:
        routes = [s.get(Route, rid) for rid in plan["routes"]]
        phones = [s.get(Target, stop.target_id).phone for r in routes for stop in r.stops]
        codes_in_order = [[stop.code for stop in r.stops] for r in routes]
    for phone in phones:
        assert phone not in text
        assert f"{phone[:3]}****{phone[-4:]}" in text
    # each sheet lists its household codes in plan order, the stops of one building together in
    # unit/floor order (booklets: team by team, sessions in order)
    from gisplanner.reporting.printouts.route_sheet import build_route_sheets

    sheets_text = [pdf_text(out, p) for p in range(1, result.pages + 1)]
    full = "\n".join(sheets_text)
    printed = {
        x.route_id: [y.code for g in x.groups for y in g.stops] for x in build_route_sheets(st, plan["round"])
    }
    for rid, codes in zip(plan["routes"], codes_in_order, strict=True):
        assert sorted(printed[rid]) == sorted(codes)
        positions = [full.rindex(c) for c in printed[rid]]  # the row, after the header naming the span
        assert positions == sorted(positions), codes
    with st.session() as s:
        log = s.scalars(select(PrintLog).order_by(PrintLog.id.desc())).first()
        assert (log.user, log.pages, log.unmasked) == ("测试员", result.pages, False)
        assert "走访路线单" in log.what


@needs_poppler
def test_unmasked_print_shows_numbers_and_says_so(store, qapp_offscreen, tmp_path):
    from gisplanner.printing.batch import print_to_pdf

    st, plan = store
    out = tmp_path / "open.pdf"
    print_to_pdf(st, "route-sheets", plan["round"], out, unmasked=True)
    text = pdf_text(out)
    with st.session() as s:
        r = s.get(Route, plan["routes"][0])
        phone = s.get(Target, r.stops[0].target_id).phone
        assert s.scalars(select(PrintLog).order_by(PrintLog.id.desc())).first().unmasked
    assert phone in text and "未脱敏" in text


@needs_poppler
def test_fonts_are_embedded(store, qapp_offscreen, tmp_path):
    from gisplanner.printing.batch import print_to_pdf
    from gisplanner.reporting.printouts.contact import Contact, set_contact

    st, plan = store
    out = tmp_path / "cards.pdf"
    set_contact(st, Contact(name="雪堰镇大走访办公室", phone="0519-86541234"))
    result = print_to_pdf(st, "contact-cards", plan["round"], out)
    assert result.items == 36 and pdf_pages(out) == math.ceil(36 / 10)
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
    assert rows and all(r[-5] == "yes" for r in rows), fonts  # the "emb" column
    assert any("WenQuanYi" in r[0] or "CJK" in r[0] or "Hei" in r[0] for r in rows), fonts
    text = pdf_text(out, 1)
    assert text.count("扫码存联系方式") == 10 and "走访联系卡" in text and "051988001234" in text
    assert text.count("0519-86541234") == 10 and "http" not in text  # no address made up


@needs_poppler
def test_survey_forms_one_page_each(store, qapp_offscreen, tmp_path):
    from gisplanner.printing.batch import print_to_pdf

    st, plan = store
    out = tmp_path / "forms.pdf"
    result = print_to_pdf(st, "survey-forms", plan["round"], out)
    assert result.items == 3 + 36 and pdf_pages(out) == 39
    first, fourth = pdf_text(out, 1), pdf_text(out, 4)
    assert "调查表" in first and "重点人群" in first
    assert "入户调查表" in fourth and "户主" in fourth and "****" in fourth


@needs_poppler
def test_problem_lists_and_forms(store, qapp_offscreen, tmp_path):
    from gisplanner.printing.batch import print_to_pdf

    st, plan = store
    out = tmp_path / "lists.pdf"
    result = print_to_pdf(st, "problem-lists", plan["round"], out)
    assert result.items == 3 and "问题清单" in pdf_text(out, 1)
    from gisplanner.reporting.printouts.problem_forms import build_problem_forms
    from gisplanner.store.model import Problem

    with st.session() as s:
        ids = [
            s.scalar(select(Problem.id).where(Problem.handling == h).limit(1)) for h in ("assign", "delegate")
        ]
    forms = tmp_path / "forms.pdf"
    r2 = print_to_pdf(st, "problem-forms", 1, forms, items=build_problem_forms(st, problem_ids=ids))
    assert r2.items == 2
    assert pdf_pages(forms) == r2.items
    text = pdf_text(forms)
    assert "问题交办单" in text and "委托办理单" in text and "承办单位签收" in text


def test_qr_code_on_the_card_is_the_configured_contact(qapp_offscreen):
    """Paint one card into an image and read the QR modules back: they equal segno's for the contact."""
    import segno
    from PySide6.QtGui import QColor, QImage

    from gisplanner.printing import cards
    from gisplanner.printing.canvas import PageCanvas
    from gisplanner.reporting.printouts.common import PrintContext
    from gisplanner.reporting.printouts.contact import Contact
    from gisplanner.reporting.printouts.contact_card import ContactCard

    contact = Contact(name="潘家村村委会", phone="0519-86541111", url="https://service.example.cn/mp?t=7")
    url = contact.qr_text()
    dpi = 600
    img = QImage(round(100 / 25.4 * dpi), round(60 / 25.4 * dpi), QImage.Format.Format_RGB32)
    img.setDotsPerMeterX(round(dpi / 0.0254))
    img.setDotsPerMeterY(round(dpi / 0.0254))
    img.fill(QColor("white"))
    c = PageCanvas(img, PrintContext(user="t"))
    card = ContactCard("轮次", "第1组", "甲、乙", "051988001234", contact, "某村委会", "张三", "A101")
    cards.paint_card(c, card, 0, 0)
    c.painter.end()
    matrix = [list(r) for r in segno.make(url, error="m", micro=False).matrix]
    n = len(matrix)
    x0, y0 = cards.CARD_MM[0] - cards.QR_MM - 3, 10.5
    module = cards.QR_MM / (n + 4)
    k = dpi / 25.4
    wrong = 0
    for my in range(n):
        for mx in range(n):
            px = (x0 + (2 + mx + 0.5) * module) * k
            py = (y0 + (2 + my + 0.5) * module) * k
            dark = QColor(img.pixel(round(px), round(py))).lightness() < 128
            wrong += dark != bool(matrix[my][mx])
    assert wrong == 0


def test_cli_prints_without_display(planned_db, tmp_path):  # noqa: F811
    path, plan = planned_db
    out = tmp_path / "cli.pdf"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "print", "route-sheets", "--db", str(path),
         "--round", str(plan["round"]), "--out", str(out), "--json"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["items"] == 6 and data["pages"] >= 6 and out.exists()
    # an unknown round is refused before anything is written (checked in-process: no Qt needed)
    from gisplanner import cli

    with pytest.raises(SystemExit) as exc:
        cli.run(
            ["print", "route-sheets", "--db", str(path), "--round", "99", "--out", str(tmp_path / "x.pdf")]
        )
    assert exc.value.code == 2 and not (tmp_path / "x.pdf").exists()


@needs_poppler
def test_cli_prints_chinese_on_a_machine_without_cjk_fonts(planned_db, tmp_path):  # noqa: F811
    """Printing must not depend on a font that only exists on the build machine: with fontconfig
    seeing no fonts at all, the PDF embeds the font shipped in gisplanner/resources/fonts."""
    path, plan = planned_db
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><fontconfig><cachedir>' + str(tmp_path / "fc") + "</cachedir></fontconfig>"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(FONTCONFIG_FILE=str(conf), QT_QPA_PLATFORM="offscreen")
    fc = subprocess.run(["fc-list"], capture_output=True, text=True, env=env).stdout
    assert not fc.strip(), "the test machine's fontconfig still sees fonts"
    out = tmp_path / "nofonts.pdf"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "print", "route-sheets", "--db", str(path),
         "--round", str(plan["round"]), "--out", str(out)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts, fonts
    assert "走访" in pdf_text(out, 1)
