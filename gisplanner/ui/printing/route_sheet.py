"""Route sheet layout (走访路线单): header, route map with numbered stops, stop table, checklist."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPolygonF

from gisplanner.reports.route_sheet import FIVE_HEARTS, OUTCOME_BOXES, TWO_CARRIES, RouteSheet, SheetMap
from gisplanner.ui.printing.canvas import CENTER, LEFT, MARGIN, PageCanvas
from gisplanner.ui.printing.table import Drawn, Table

MAP_H = 86.0
COLUMNS = [
    ("序号", 8.0), ("户码", 12.0), ("预计到达\n可访时段", 19.0), ("户主/单位 · 地址 · 电话", 45.0),
    ("人口 标签", 17.0), ("既往走访 · 未办结问题", 33.0), ("走访结果", 25.0), ("反映问题", 27.0),
]  # fmt: skip
ROW_MIN_H = 13.0
ROUTE_COLOR = "#1f5fbf"
OFFICE_COLOR = "#c0392b"


def paint_route_sheets(c: PageCanvas, sheets: list[RouteSheet]) -> None:
    for i, sheet in enumerate(sheets):
        if i:
            c.new_page()
        paint_route_sheet(c, sheet)


def paint_route_sheet(c: PageCanvas, s: RouteSheet) -> None:
    y = _header(c, s)
    _map(c, s.map, s, MARGIN, y, c.body_width, MAP_H)
    y += MAP_H + 3

    def continued() -> float:
        c.text(MARGIN, c.body_top, c.body_width, 7, f"{s.title}（续）  {s.session_text}", 10, bold=True)
        return c.body_top + 8

    table = Table(c, COLUMNS, pt=7.5, on_new_page=continued)
    y = table.header(y)
    for st in s.stops:
        t = st.target
        who = f"{t.name}{'（' + t.kind_zh + '）' if t.kind != 'household' else ''}\n{t.full_address}"
        if t.phone:
            who += f"\n电话 {t.phone}"
        people = (f"{t.members}人\n" if t.members else "") + "、".join(t.tags)
        past = "\n".join(st.history) or "无记录"
        if st.open_problems:
            past += "\n未办结：" + "；".join(st.open_problems)
        when = f"{st.eta:%H:%M}\n{st.window}"
        y = table.row(
            y,
            [
                str(st.seq),
                st.code,
                when,
                who,
                people,
                past,
                Drawn(_outcome_boxes(c), 13.0),
                Drawn(_lines(c), 12.0),
            ],
            min_h=ROW_MIN_H,
        )
    _footer_checklist(c, s, y + 3)


def _header(c: PageCanvas, s: RouteSheet) -> float:
    y = c.body_top
    c.text(MARGIN, y, c.body_width, 9, s.title, 16, bold=True, align=CENTER)
    y += 10
    c.text(MARGIN, y, c.body_width, 5, f"{s.round_name}（{s.round_kind}）", 9, align=CENTER, color="#333333")
    y += 6
    members = "；".join(
        f"{m.role} {m.name}（{m.gender}{'，本地' if m.local else ''}）{m.phone}" for m in s.team.members
    )
    lines = [
        ("走访时间", s.session_text),
        ("小组成员", members or "（未配成员）"),
        ("出发地点", f"{s.team.office_name or '（未设置）'}，走访结束后返回"),
        (
            "走访安排",
            f"共 {len(s.stops)} 户，预计步行 {s.walking_minutes:.0f} 分钟，联系电话 {s.team.phone or '见组长'}",
        ),
    ]
    label_w = 18.0
    for label, value in lines:
        h = max(6.0, c.text_height(value, c.body_width - label_w - 2, 9) + 1.5)
        c.box(MARGIN, y, label_w, h, 0.2, fill="#f1f4f8")
        c.text(MARGIN, y, label_w, h, label, 9, bold=True, align=CENTER)
        c.box(MARGIN + label_w, y, c.body_width - label_w, h, 0.2)
        c.text(MARGIN + label_w + 1.5, y, c.body_width - label_w - 2, h, value, 9, wrap=True)
        y += h
    return y + 2


def _map(c: PageCanvas, m: SheetMap, s: RouteSheet, x: float, y: float, w: float, h: float) -> None:
    """Area outlines, roads, the route line and numbered stops, fitted into the box."""
    pa = c.painter
    c.box(x, y, w, h, 0.3, fill="#fbfbf7")
    minx, miny, maxx, maxy = m.bounds
    scale = min(w / max(maxx - minx, 1.0), h / max(maxy - miny, 1.0))  # mm per metre
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    k = c.k

    def to_page(arr: np.ndarray) -> QPolygonF:
        px = (x + w / 2 + (arr[:, 0] - cx) * scale) * k
        py = (y + h / 2 - (arr[:, 1] - cy) * scale) * k
        return QPolygonF([QPointF(a, b) for a, b in zip(px.tolist(), py.tolist(), strict=True)])

    def pt(xx: float, yy: float) -> tuple[float, float]:
        return x + w / 2 + (xx - cx) * scale, y + h / 2 - (yy - cy) * scale

    pa.save()
    pa.setClipRect(c.r(x, y, w, h))
    area_path = QPainterPath()
    for _, rings in m.areas:
        for ring in rings:
            area_path.addPolygon(to_page(ring))
            area_path.closeSubpath()
    pa.setPen(c.pen(0.35, "#8a8f99", Qt.PenStyle.DashLine))
    pa.setBrush(QColor("#eef3e6"))
    pa.drawPath(area_path)
    pa.setBrush(Qt.BrushStyle.NoBrush)
    for kind, width, color in (("lane", 0.6, "#c2c2c2"), ("main", 1.3, "#a89f8a")):
        path = QPainterPath()
        for rk, line in m.roads:
            if rk == kind or (kind == "lane" and rk != "main"):
                path.addPolygon(to_page(line))
        pa.setPen(c.pen(width, color))
        pa.drawPath(path)
    for name, ax, ay in m.area_labels:
        px, py = pt(ax, ay)
        px = min(max(px, x + 21), x + w - 21)  # keep the village name inside the frame
        py = min(max(py, y + 4), y + h - 4)
        c.text(px - 20, py - 3, 40, 6, name, 8, align=CENTER, color="#7b8290")
    # the route: office → stops in plan order → office
    pts = [(st.x, st.y) for st in s.stops]
    if m.office:
        pts = [m.office, *pts, m.office]
    if len(pts) > 1:
        pa.setPen(c.pen(0.5, ROUTE_COLOR))
        pa.drawPolyline(to_page(np.asarray(pts)))
    if m.office:
        ox, oy = pt(*m.office)
        c.box(ox - 2.2, oy - 2.2, 4.4, 4.4, 0.3, "white", fill=OFFICE_COLOR)
        c.text(ox - 2.2, oy - 2.2, 4.4, 4.4, "起", 6.5, bold=True, align=CENTER, color="white")
    pa.setPen(c.pen(0.25, "white"))
    for st, (sx, sy) in zip(s.stops, _spread([pt(st.x, st.y) for st in s.stops]), strict=True):
        r = 2.1 if st.seq < 100 else 2.6
        pa.setBrush(QColor(ROUTE_COLOR))
        pa.setPen(c.pen(0.25, "white"))
        pa.drawEllipse(c.p(sx, sy), r * k, r * k)
        c.text(sx - r, sy - r, 2 * r, 2 * r, str(st.seq), 6.0, bold=True, align=CENTER, color="white")
    pa.setBrush(Qt.BrushStyle.NoBrush)
    pa.restore()
    _scale_bar(c, x + 4, y + h - 6, scale)
    c.text(x + w - 10, y + 2, 8, 6, "北↑", 8, bold=True, align=CENTER)
    c.box(x, y, w, h, 0.3)


def _spread(points: list[tuple[float, float]], min_gap: float = 4.4) -> list[tuple[float, float]]:
    """Stops in the same building fan out around the first one so every number stays readable."""
    placed: list[tuple[float, float]] = []
    anchors: list[tuple[float, float, int]] = []  # x, y, how many already fanned around it
    for x, y in points:
        for i, (ax, ay, n) in enumerate(anchors):
            if math.hypot(x - ax, y - ay) < min_gap:
                angle = math.radians(-90 + 60 * n)
                anchors[i] = (ax, ay, n + 1)
                ring = 1 + n // 6
                x, y = ax + ring * min_gap * math.cos(angle), ay + ring * min_gap * math.sin(angle)
                break
        else:
            anchors.append((x, y, 0))
        placed.append((x, y))
    return placed


def _scale_bar(c: PageCanvas, x: float, y: float, mm_per_m: float) -> None:
    target_m = 25.0 / max(mm_per_m, 1e-9)  # about 25 mm long
    mag = 10 ** math.floor(math.log10(target_m))
    metres = max(v * mag for v in (1, 2, 5) if v * mag <= target_m) if target_m >= 1 else target_m
    length = metres * mm_per_m
    c.box(x - 1, y - 3.5, length + 16, 6, 0, fill="#ccffffff")
    c.line(x, y, x + length, y, 0.5)
    c.line(x, y - 1, x, y + 1, 0.3)
    c.line(x + length, y - 1, x + length, y + 1, 0.3)
    label = f"{metres / 1000:g} 公里" if metres >= 1000 else f"{metres:g} 米"
    c.text(x + length + 1, y - 2.5, 16, 5, label, 6.5, align=LEFT)


def _outcome_boxes(c: PageCanvas):
    def draw(x, y, w, h):  # noqa: ARG001
        for i, label in enumerate(OUTCOME_BOXES):
            c.checkbox(x + 1.2 + (i % 2) * (w / 2), y + 2 + (i // 2) * 5.5, label, size=2.8, pt=7)

    return draw


def _lines(c: PageCanvas):
    def draw(x, y, w, h):
        c.writing_lines(x + 1, y, w - 2, h - 1.5, gap=4.5)

    return draw


def _footer_checklist(c: PageCanvas, s: RouteSheet, y: float) -> None:  # noqa: ARG001
    """两个带 tick boxes and the 五心 reminders in two columns, then the leader's signature."""
    need = 7 + 4.4 * len(FIVE_HEARTS) + 9
    if y + need > c.body_bottom:
        c.new_page()
        y = c.body_top
    c.box(MARGIN, y, c.body_width, need, 0.3, fill="#fafafa")
    x = MARGIN + 2
    c.text(x, y + 1.5, 20, 5, "两个带", 9, bold=True)
    yy = y + 7.5
    for item in TWO_CARRIES:
        c.checkbox(x, yy, item, size=3.2, pt=9)
        yy += 6
    c.text(
        x, yy, 46, 14, "出发前清点：证件齐全、鞋套够用、路线单与联系卡已备", 7.5, wrap=True, color="#444444"
    )
    col = MARGIN + 52
    c.line(col - 2, y + 1.5, col - 2, y + need - 10, 0.15, "#bbbbbb")
    c.text(col, y + 1.5, 40, 5, "五心工作法", 9, bold=True)
    yy = y + 7
    for line in FIVE_HEARTS:
        c.text(col, yy, c.body_width - 56, 4.4, "· " + line, 8)
        yy += 4.4
    c.text(
        x,
        y + need - 8,
        c.body_width - 4,
        6,
        "组长签字：________________    交回日期：____年__月__日    已录入：□",
        9,
    )
