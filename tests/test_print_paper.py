"""Paper a team can walk with (issue 17): the demo's route sheets read with poppler — type size,
road names on the sheets whose map shows them, the embedded CJK font, no page holding only a
footer, the sheet number shared with `plan --json` — printing by team / date / session / area on
A4 or A3, the leader's call-ahead copy, and contact cards whose QR code is the configured contact.

poppler-utils (pdftotext, pdfinfo, pdffonts) and zbar-tools (zbarimg) come from `make deps-debian`;
without them the PDF checks skip locally (CI installs them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from test_reports_fixture import planned_db  # noqa: F401 - a fixture

from gisplanner.store.database import Store
from gisplanner.store.model import Area, Cadre, PrintLog, Route, Target

ROOT = Path(__file__).resolve().parents[1]
needs_poppler = pytest.mark.skipif(
    not all(shutil.which(c) for c in ("pdftotext", "pdfinfo", "pdffonts")),
    reason="poppler-utils not installed (make deps-debian)",
)
needs_zbar = pytest.mark.skipif(
    not shutil.which("zbarimg"), reason="zbar-tools not installed (make deps-debian)"
)
PT_PER_BBOX = 1.172  # pdftotext -bbox word height / font size for the CJK font (9 pt -> 10.55)


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def pages_text(path: Path) -> list[str]:
    n = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        )[1]
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(p), "-l", str(p), str(path), "-"], capture_output=True, text=True
        ).stdout
        for p in range(1, n + 1)
    ]


def word_sizes(path: Path, page: int | None = None) -> list[tuple[float, str]]:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    html = subprocess.run(
        ["pdftotext", "-bbox", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
    )
    # a word set up a vertical road has a tall, narrow box: its width is the type size
    out = []
    for x0, y0, x1, y1, w in words:
        wd, ht = float(x1) - float(x0), float(y1) - float(y0)
        out.append(((wd if len(w) > 1 and ht > 1.5 * wd else ht) / PT_PER_BBOX, w))
    return out


@pytest.fixture(scope="module")
def demo_plan(demo_db_path, tmp_path_factory):
    """The demo town planned by `plan` itself (quick teams), and its `plan --json` output."""
    dest = tmp_path_factory.mktemp("paper") / "demo.sqlite"
    shutil.copy(demo_db_path, dest)
    proc = cli("plan", "--db", str(dest), "--round", "2", "--quick-teams", "2", "--make-sessions",
               "--time-limit", "2", "--workers", "1", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return dest, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def demo_sheets(demo_plan, tmp_path_factory):
    """The route sheets of one team's booklet (all its sessions), printed by the CLI."""
    db, plan = demo_plan
    team = plan["routes"][0]["team"]
    out = tmp_path_factory.mktemp("sheets") / "sheets.pdf"
    proc = cli(
        "print", "route-sheets", "--db", str(db), "--round", "2", "--team", team, "--out", str(out), "--json"
    )
    assert proc.returncode == 0, proc.stderr
    return db, plan, team, out, json.loads(proc.stdout)


def test_plan_json_gives_each_route_its_sheet_number(demo_plan):
    db, plan = demo_plan
    store = Store.open(db)
    try:
        with store.session() as s:
            stored = {
                (r.team_id, r.session_id): r.id for r in s.scalars(select(Route).where(Route.round_id == 2))
            }
    finally:
        store.close()
    assert plan["routes"] and all(
        r["sheet"] == stored[(r["team_id"], r["session_id"])] for r in plan["routes"]
    )


@needs_poppler
def test_demo_route_sheets_read_under_a_porch_light(demo_sheets):
    db, plan, team, out, printed = demo_sheets
    mine = [r for r in plan["routes"] if r["team"] == team]
    assert printed["items"] == len(mine)
    # no word on the sheets under 9 pt (body, map labels, footer)
    sizes = word_sizes(out)
    assert sizes and min(sizes)[0] >= 8.95, sorted(sizes)[:5]
    # names at 10 pt and more: every household's name is set large
    store = Store.open(db)
    try:
        with store.session() as s:
            names = set(
                s.scalars(
                    select(Target.name).where(
                        Target.id.in_([st["target_id"] for r in mine for st in r["stops"]]),
                        Target.kind == "household",  # enterprises are also map landmarks (9 pt)
                    )
                )
            )
            # a household head who shares a name with a team member (走访人, 9 pt) is ambiguous
            names -= set(s.scalars(select(Cadre.name)))
    finally:
        store.close()
    name_sizes = [size for size, w in sizes if w in names]
    assert name_sizes and min(name_sizes) >= 10.4
    # the embedded CJK font
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
    assert rows and all(r[-5] == "yes" for r in rows)
    assert any(("WenQuanYi" in r[0]) or ("CJK" in r[0]) or ("Hei" in r[0]) for r in rows), fonts
    # every page carries stops (a table) or the call-ahead list: never a page with only a footer
    texts = pages_text(out)
    assert all("序号" in t for t in texts), [i for i, t in enumerate(texts) if "序号" not in t]
    # the sheet number from `plan --json`, printed large at the top of each of the team's sheets
    firsts = {
        int(m[1]): i + 1 for i, t in enumerate(texts) if (m := re.search(r"录入结果时填路线单编号 (\d+)", t))
    }
    assert sorted(firsts) == sorted(r["sheet"] for r in mine)
    for sheet, page in firsts.items():
        big = [w for size, w in word_sizes(out, page) if size >= 20]
        assert big == [str(sheet)], big


@needs_poppler
def test_road_names_appear_on_the_sheets_whose_map_shows_them(demo_sheets):
    from gisplanner.reporting.printouts.common import PrintContext
    from gisplanner.reporting.printouts.route_sheet import build_route_sheets
    from gisplanner.reporting.printouts.selection import PrintSelection

    db, _plan, team, out, _ = demo_sheets
    store = Store.open(db)
    try:
        sheets = build_route_sheets(store, 2, PrintContext(only=PrintSelection(team=team)))
        all_roads = {n for n in store.roads_gdf()["name"] if n}
    finally:
        store.close()
    texts = pages_text(out)
    firsts = {
        int(m[1]): re.sub(r"\s+", "", t)
        for t in texts
        if (m := re.search(r"录入结果时填路线单编号 (\d+)", t))
    }
    shown_total = 0
    for sh in sheets:
        shown = {name for name, _kind, _line in sh.map.road_names}
        shown_total += len(shown)
        page = firsts[sh.sheet_no]
        assert all(name in page for name in shown), (sh.sheet_no, [n for n in shown if n not in page])
        # and no road that is not on the map is named there
        assert not {n for n in all_roads - shown if n in page and not any(n in o for o in shown)}
    assert shown_total >= len(sheets)  # the demo's roads are in view on these sheets


@needs_poppler
def test_print_what_you_need(demo_plan, tmp_path):
    db, plan = demo_plan
    first = plan["routes"][0]
    day = first["start"][:10]
    out = tmp_path / "x.pdf"
    # one session of one day on A3
    proc = cli("print", "route-sheets", "--db", str(db), "--round", "2", "--date", day, "--session",
               str(first["session_id"]), "--paper", "a3", "--out", str(out), "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    expected = [r for r in plan["routes"] if r["session_id"] == first["session_id"]]
    assert json.loads(proc.stdout)["items"] == len(expected)
    assert "(A3)" in subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    # a village: only the sheets with stops in it; household forms only for its households
    store = Store.open(db)
    try:
        with store.session() as s:
            tid = first["stops"][0]["target_id"]
            area = s.get(Area, s.get(Target, tid).area_id)
            code, vname = area.code, area.name
            in_area = set(s.scalars(select(Target.id).where(Target.area_id == area.id)))
    finally:
        store.close()
    forms = tmp_path / "forms.pdf"
    proc = cli(
        "print",
        "survey-forms",
        "--db",
        str(db),
        "--round",
        "2",
        "--area",
        code,
        "--out",
        str(forms),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    n_homes = sum(1 for r in plan["routes"] for st in r["stops"] if st["target_id"] in in_area)
    assert json.loads(proc.stdout)["items"] == 1 + n_homes  # the village's own form, then its households
    assert vname in pages_text(forms)[0]
    # bad choices: exit 2, nothing written (a printout that cannot be limited says so, never prints all)
    for what, *bad in (
        ("route-sheets", "--team", "第99组"), ("route-sheets", "--date", "2026-13-01"),
        ("route-sheets", "--area", "999999999999"), ("route-sheets", "--session", "深夜"),
        ("problem-lists", "--area", code), ("survey-forms", "--leader-copy"),
    ):  # fmt: skip
        proc = cli("print", what, "--db", str(db), "--round", "2", "--out", str(tmp_path / "bad.pdf"), *bad)
        assert proc.returncode == 2 and "错误" in proc.stderr, (bad, proc.stderr)
        assert not (tmp_path / "bad.pdf").exists()


@needs_poppler
def test_leader_copy_has_full_phones_and_door_copies_stay_masked(planned_db, tmp_path):  # noqa: F811
    path, plan = planned_db
    out = tmp_path / "leader.pdf"
    proc = cli("print", "route-sheets", "--db", str(path), "--round", str(plan["round"]), "--team", "测试第1组",
               "--leader-copy", "--out", str(out), "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["leader_copy"] and data["items"] == 1 + 2
    texts = pages_text(out)
    store = Store.open(path)
    try:
        with store.session() as s:
            phones = [
                s.get(Target, st.target_id).phone
                for rid in plan["routes"][:2]
                for st in s.get(Route, rid).stops
            ]
            log = s.scalars(select(PrintLog).order_by(PrintLog.id.desc())).first()
    finally:
        store.close()
    leader = [t for t in texts if "电话预约联系单" in t]
    doors = [t for t in texts if "电话预约联系单" not in t]
    assert leader and doors
    assert all(p in "".join(leader) for p in phones)  # the leader calls ahead
    assert not any(p in "".join(doors) for p in phones)  # pages that may be left at doors: masked
    assert f"{phones[0][:3]}****{phones[0][-4:]}" in "".join(doors)
    assert log.unmasked and "完整电话" in log.what  # logged like every unmasked print


@needs_poppler
@needs_zbar
def test_contact_card_qr_decodes_to_the_configured_contact(planned_db, tmp_path):  # noqa: F811
    path, plan = planned_db
    db = tmp_path / "cards.sqlite"
    shutil.copy(path, db)
    out = tmp_path / "cards.pdf"
    args = ("print", "contact-cards", "--db", str(db), "--round", str(plan["round"]), "--out", str(out))
    first = cli(*args)
    assert first.returncode == 2 and "settings contact" in first.stderr and not out.exists()  # no default
    proc = cli("settings", "contact", "--db", str(db), "--name", "雪堰镇大走访办公室", "--phone", "0519-86541234",
               "--url", "https://xueyan.example.cn/zf")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert cli(*args).returncode == 0
    png = tmp_path / "card"
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", "1200",
                    "-H", "800", str(out), str(png)], check=True)  # fmt: skip
    img = next(tmp_path.glob("card*.png"))
    got = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(img)],
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    assert got == "MECARD:N:雪堰镇大走访办公室;TEL:0519-86541234;URL:https\\://xueyan.example.cn/zf;;"
    bad = cli(
        "settings",
        "contact",
        "--db",
        str(db),
        "--name",
        "x",
        "--phone",
        "0519-1",
        "--url",
        "javascript:alert(1)",
    )
    assert bad.returncode == 2 and "--url" in bad.stderr


def test_the_rounds_leader_copy_setting_is_logged_when_it_prints(planned_db, tmp_path, qapp):  # noqa: F811
    from gisplanner.printing.batch import print_to_pdf
    from gisplanner.reporting.printouts.common import set_leader_copy
    from gisplanner.reporting.printouts.selection import PrintSelection

    path, plan = planned_db
    db = tmp_path / "lc.sqlite"
    shutil.copy(path, db)
    store = Store.open(db)
    try:
        on = cli("settings", "leader-copy", "--db", str(db), "--round", str(plan["round"]), "on")
        assert on.returncode == 0 and "附组长电话预约联系单" in on.stdout
        r = print_to_pdf(
            store, "route-sheets", plan["round"], tmp_path / "a.pdf", only=PrintSelection(team="测试第2组")
        )
        assert r.items == 1 + 2
        with store.session() as s:
            assert s.scalars(select(PrintLog).order_by(PrintLog.id.desc())).first().unmasked
        set_leader_copy(store, plan["round"], False)
        r = print_to_pdf(
            store, "route-sheets", plan["round"], tmp_path / "b.pdf", only=PrintSelection(team="测试第2组")
        )
        assert r.items == 2
        with store.session() as s:
            assert not s.scalars(select(PrintLog).order_by(PrintLog.id.desc())).first().unmasked
    finally:
        store.close()
