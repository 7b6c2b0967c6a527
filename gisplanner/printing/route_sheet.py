"""Route sheet layout (走访路线单) for a team at a door at 7 pm: the sheet number large at the top,
a map to navigate by (road names, landmarks, legs, buildings, an inset), the stop table in type
that reads under a porch light (body ≥ 9 pt, names and addresses ≥ 10 pt) with boxes a pen fits
in, and the checklist kept on the page of the last stop (never a page holding only a footer).

Length: one page layout (map, table, checklist, pagination); its parts share the page geometry.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPolygonF

from gisplanner.printing.canvas import CENTER, LEFT, MARGIN, RIGHT, TOP_LEFT, PageCanvas
from gisplanner.printing.table import PAD, Drawn, Table
from gisplanner.reporting.printouts.route_sheet import (
    FIVE_HEARTS,
    OUTCOME_BOXES,
    TWO_CARRIES,
    CallAheadList,
    RouteSheet,
    SheetMap,
    SheetStop,
)

A4_BODY = 186.0
# (title, width on A4 in mm); wider paper scales the widths
COLUMNS = [
    ("序号", 10.0), ("户码\n时段", 20.0), ("户主/单位 · 地址 · 电话", 52.0),
    ("人口 标签\n既往走访 · 未办结", 36.0), ("走访结果（打√）", 34.0), ("约定回访时间\n反映问题", 34.0),
]  # fmt: skip
BODY_PT = 9.0
NAME_PT = 10.5
ADDRESS_PT = 10.0
MAP_LABEL_PT = 9.0
ROW_MIN_H = 25.0
ROUTE_COLOR = "#1f5fbf"
OFFICE_COLOR = "#c0392b"
CHECKLIST_H = 33.0


def paint_route_sheets(c: PageCanvas, sheets: list[RouteSheet | CallAheadList]) -> None:
    for i, sheet in enumerate(sheets):
        if i:
            c.new_page()
        if isinstance(sheet, CallAheadList):
            paint_call_ahead(c, sheet)
        else:
            paint_route_sheet(c, sheet)


def _scale(c: PageCanvas) -> float:
    return c.body_width / A4_BODY


def paint_route_sheet(c: PageCanvas, s: RouteSheet) -> None:
    k = _scale(c)
    y = _header(c, s)
    map_h = 96.0 * k if k > 1.01 else 96.0
    unplaced = _map(c, s.map, s, MARGIN, y, c.body_width, map_h)
    y = _legend(c, s.map, unplaced, y + map_h + 0.8) + 1.2
    cols = [(t, w * k) for t, w in COLUMNS]

    def continued() -> float:
        c.text(MARGIN, c.body_top, c.body_width - 40, 8, f"{s.title}（续）  {s.session_text}", 11, bold=True)
        c.text(MARGIN, c.body_top, c.body_width, 8, f"路线单 {s.sheet_no}", 14, bold=True, align=RIGHT)
        return c.body_top + 9

    table = Table(c, cols, pt=BODY_PT, header_pt=BODY_PT, on_new_page=continued)
    y = table.header(y)
    groups = s.groups
    n_rows = sum(len(g.stops) for g in groups)
    done = 0
    for g in groups:
        first_h = table.measure(_cells(c, g.stops[0]), ROW_MIN_H)
        if len(g.stops) > 1:
            y = table.band(
                y,
                f"同一楼栋：{g.building}（第 {g.seqs} 站，按单元、楼层顺序走访）",
                BODY_PT + 0.5,
                reserve=first_h,
            )
        for st in g.stops:
            done += 1
            last = done == n_rows
            y = table.row(y, _cells(c, st), min_h=ROW_MIN_H, reserve=CHECKLIST_H + 2 if last else 0.0)
    if not n_rows and y + CHECKLIST_H + 2 > c.body_bottom:
        c.new_page()
        y = continued()
    _footer_checklist(c, s, y + 2)


def _cells(c: PageCanvas, st: SheetStop) -> list:
    t = st.target
    tags = "、".join(t.tags)
    people = (f"{t.members}人 " if t.members else "") + tags
    past = "\n".join(st.history) or "无走访记录"
    if st.open_problems:
        past += "\n未办结：" + "；".join(st.open_problems)
    when = f"{st.code}\n{st.eta:%H:%M}到\n{st.window}"
    return [
        str(st.seq),
        when,
        _who(c, st),
        f"{people}\n{past}".strip(),
        Drawn(_outcome_boxes(c), 22.0),
        Drawn(_appointment(c), 22.0),
    ]


def _who(c: PageCanvas, st: SheetStop) -> Drawn:
    """Name bold at 10.5 pt, address at 10 pt, phone: what the team reads at the door."""
    t = st.target
    name = t.name + (f"（{t.kind_zh}）" if t.kind != "household" else "")
    addr = t.full_address
    phone = f"电话 {t.phone}" if t.phone else ""
    w = COLUMNS[2][1] * _scale(c) - 2 * PAD

    def heights() -> tuple[float, float, float]:
        return (
            c.text_height(name, w, NAME_PT, True),
            c.text_height(addr, w, ADDRESS_PT),
            c.text_height(phone, w, ADDRESS_PT) if phone else 0.0,
        )

    hn, ha, hp = heights()

    def draw(x, y, _w, _h):
        yy = y + PAD
        c.text(x + PAD, yy, w, hn, name, NAME_PT, bold=True, align=TOP_LEFT, wrap=True)
        yy += hn
        c.text(x + PAD, yy, w, ha, addr, ADDRESS_PT, align=TOP_LEFT, wrap=True)
        yy += ha
        if phone:
            c.text(x + PAD, yy, w, hp, phone, ADDRESS_PT, align=TOP_LEFT, wrap=True)

    return Drawn(draw, hn + ha + hp)


def _outcome_boxes(c: PageCanvas):
    def draw(x, y, w, h):  # noqa: ARG001
        for i, label in enumerate(OUTCOME_BOXES):
            c.checkbox(x + 1.5 + (i % 2) * (w / 2 - 0.5), y + 2 + (i // 2) * 5.6, label, size=3.6, pt=BODY_PT)
        c.text(x + 1.5, y + 2 + 3 * 5.6 - 0.5, w - 3, 5, "时间 ____:____", BODY_PT)

    return draw


def _appointment(c: PageCanvas):
    def draw(x, y, w, h):
        c.text(x + 1.2, y + 1.2, w - 2.4, 5, "约定 ___月___日___时", BODY_PT)
        c.writing_lines(x + 1, y + 6.5, w - 2, h - 7.5, gap=6.0)

    return draw


def _header(c: PageCanvas, s: RouteSheet) -> float:
    y = c.body_top
    no_w, no_h = 40.0, 19.0
    # the sheet number, large: what the entry panel and `results sheet --route` ask for
    c.box(MARGIN + c.body_width - no_w, y, no_w, no_h, 0.5, fill="#fff7d6")
    c.text(
        MARGIN + c.body_width - no_w, y + 0.8, no_w, 5, "路线单编号", BODY_PT, align=CENTER, color="#444444"
    )
    c.text(MARGIN + c.body_width - no_w, y + 5, no_w, 13.5, str(s.sheet_no), 26, bold=True, align=CENTER)
    left_w = c.body_width - no_w - 3
    c.text(MARGIN, y, left_w, 10, s.title, 17, bold=True)
    k, n = s.team_sheet
    c.text(
        MARGIN,
        y + 10.5,
        left_w,
        7.5,
        f"{s.round_name}（{s.round_kind}）· 本组第 {k}/{n} 张",
        10.5,
        color="#333333",
    )
    y += no_h + 2
    members = "；".join(
        f"{m.role} {m.name}（{m.gender}{'，本地' if m.local else ''}）{m.phone}" for m in s.team.members
    )
    codes = sorted(st.code for st in s.stops)
    span = (f"{codes[0]} 至 {codes[-1]}" if len(codes) > 1 else codes[0]) if codes else ""
    lines = [
        ("走访时间", s.session_text),
        ("小组成员", members or "（未配成员）"),
        ("出发地点", f"{s.team.office_name or '（未设置）'}（图中红色“起”），走访结束后返回"),
        (
            "走访安排",
            f"共 {len(s.stops)} 户，预计步行 {s.walking_minutes:.0f} 分钟；联系电话 {s.team.phone or '见组长'}；"
            f"录入结果时填路线单编号 {s.sheet_no}" + (f"（本单户码 {span}）" if span else ""),
        ),
    ]
    label_w = 20.0
    for label, value in lines:
        h = max(6.5, c.text_height(value, c.body_width - label_w - 3, 10) + 1.6)
        c.box(MARGIN, y, label_w, h, 0.2, fill="#f1f4f8")
        c.text(MARGIN, y, label_w, h, label, BODY_PT + 0.5, bold=True, align=CENTER)
        c.box(MARGIN + label_w, y, c.body_width - label_w, h, 0.2)
        c.text(MARGIN + label_w + 1.5, y, c.body_width - label_w - 3, h, value, 10, wrap=True)
        y += h
    return y + 2


# -- the map -----------------------------------------------------------------------------------------
class _Frame:
    """Metres of the sheet's local CRS → millimetres on the page, for one map box."""

    def __init__(self, c: PageCanvas, m: SheetMap, x: float, y: float, w: float, h: float):
        minx, miny, maxx, maxy = m.bounds
        self.c, self.x, self.y, self.w, self.h = c, x, y, w, h
        self.scale = min(w / max(maxx - minx, 1.0), h / max(maxy - miny, 1.0))  # mm per metre
        self.cx, self.cy = (minx + maxx) / 2, (miny + maxy) / 2

    def mm(self, arr: np.ndarray) -> np.ndarray:
        arr = np.asarray(arr, float)
        return np.column_stack(
            [
                self.x + self.w / 2 + (arr[:, 0] - self.cx) * self.scale,
                self.y + self.h / 2 - (arr[:, 1] - self.cy) * self.scale,
            ]
        )

    def pt(self, xx: float, yy: float) -> tuple[float, float]:
        return self.x + self.w / 2 + (xx - self.cx) * self.scale, self.y + self.h / 2 - (
            yy - self.cy
        ) * self.scale

    def poly(self, arr: np.ndarray) -> QPolygonF:
        k = self.c.k
        p = self.mm(arr) * k
        return QPolygonF([QPointF(a, b) for a, b in p.tolist()])

    def inside(self, px: float, py: float, margin: float = 0.0) -> bool:
        return (
            self.x + margin <= px <= self.x + self.w - margin
            and self.y + margin <= py <= self.y + self.h - margin
        )


class _Boxes:
    """Label boxes placed so far (page mm), so labels do not pile onto each other or the stops."""

    def __init__(self):
        self.boxes: list[tuple[float, float, float, float]] = []

    def free(self, b: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = b
        return all(x1 < a0 or x0 > a1 or y1 < b0 or y0 > b1 for a0, b0, a1, b1 in self.boxes)

    def add(self, b) -> None:
        self.boxes.append(b)


def _map(c: PageCanvas, m: SheetMap, s: RouteSheet, x: float, y: float, w: float, h: float) -> list[str]:
    """Village outlines, named roads, landmarks, the legs and the stops, fitted into the box."""
    pa = c.painter
    f = _Frame(c, m, x, y, w, h)
    c.box(x, y, w, h, 0.3, fill="#fbfbf7")
    pa.save()
    pa.setClipRect(c.r(x, y, w, h))
    area_path = QPainterPath()
    for _, rings in m.areas:
        for ring in rings:
            area_path.addPolygon(f.poly(ring))
            area_path.closeSubpath()
    pa.setPen(c.pen(0.35, "#8a8f99", Qt.PenStyle.DashLine))
    pa.setBrush(QColor("#eef3e6"))
    pa.drawPath(area_path)
    pa.setBrush(Qt.BrushStyle.NoBrush)
    for kind, width, color in (("lane", 0.9, "#c9c4b8"), ("main", 1.8, "#b5a27a")):
        path = QPainterPath()
        for rk, line in m.roads:
            if rk == kind or (kind == "lane" and rk != "main"):
                path.addPolygon(f.poly(line))
        pa.setPen(c.pen(width, color))
        pa.drawPath(path)
    boxes = _Boxes()
    stop_pts = _stop_markers_positions(f, s)
    for _label, (sx, sy), r in stop_pts:
        boxes.add((sx - r, sy - r, sx + r, sy + r))
    # what is drawn over the map later: the inset (in the corner with fewest stops), north arrow,
    # scale bar
    ix, iy = _inset_corner(x, y, w, h, [p for _l, p, _r in stop_pts], m, f)
    boxes.add((ix - 1, iy - 1, ix + INSET_W + 1, iy + INSET_H + 1))
    boxes.add((x, y, x + 13, y + 8))
    boxes.add((x, y + h - 9.5, x + 40, y + h))
    for lm in m.landmarks:  # the marks themselves (their names find room afterwards)
        if lm.kind != "enterprise":
            px, py = f.pt(lm.x, lm.y)
            boxes.add((px - 2.5, py - 2.5, px + 2.5, py + 2.5))
    placed, unplaced = _road_labels(c, f, m, boxes)
    for name, ax, ay in m.area_labels:
        px, py = f.pt(ax, ay)
        px = min(max(px, x + 16), x + w - 16)
        py = min(max(py, y + 5), y + h - 5)
        tw = c.text_width(name, MAP_LABEL_PT + 1)
        b = (px - tw / 2, py - 2.5, px + tw / 2, py + 2.5)
        if boxes.free(b):
            c.text(px - tw / 2 - 1, py - 3, tw + 2, 6, name, MAP_LABEL_PT + 1, align=CENTER, color="#8a8f99")
            boxes.add(b)
    draw_legs(c, f, m.legs, m.legs_follow_roads)
    _draw_road_labels(c, placed)
    _landmarks(c, f, m, boxes)
    _stops(c, f, stop_pts)
    pa.restore()
    _inset(c, m, ix, iy, INSET_W, INSET_H)
    _scale_bar(c, x + 3, y + h - 5.5, f.scale)
    c.text(x + 2, y + 1.5, 10, 6, "北↑", 10, bold=True, align=CENTER)
    c.box(x, y, w, h, 0.3)
    return unplaced


def _legend(c: PageCanvas, m: SheetMap, unplaced: list[str], y: float) -> float:
    """One line under the map: what the marks mean, and the roads in the frame not named along them."""
    legs = (
        "蓝色虚线＝走访顺序（直线示意，请沿道路步行）"
        if not m.legs_follow_roads
        else "蓝线＝沿道路的步行路线"
    )
    text = f"图例：蓝圈＝走访站序，蓝框＝同一楼栋的几站；红“起”＝出发的村（居）委会；{legs}；小图＝本单在全镇的位置"
    if unplaced:
        text += "。图边道路：" + "、".join(unplaced)
    h = c.text_height(text, c.body_width, BODY_PT) + 0.8
    c.text(MARGIN, y, c.body_width, h, text, BODY_PT, wrap=True, color="#333333")
    return y + h


INSET_W, INSET_H = 39.5, 29.0


def _inset_corner(x, y, w, h, stop_pts, m: SheetMap, f: _Frame) -> tuple[float, float]:
    """The map corner whose inset would hide the fewest stops and landmarks (top right first)."""
    marks = list(stop_pts) + [f.pt(lm.x, lm.y) for lm in m.landmarks if lm.kind != "enterprise"]
    corners = [
        (x + w - INSET_W - 1.5, y + 1.5), (x + 1.5, y + 8.5), (x + w - INSET_W - 1.5, y + h - INSET_H - 1.5),
        (x + 1.5, y + h - INSET_H - 10),
    ]  # fmt: skip

    def hidden(cx, cy):
        return sum(cx - 4 <= px <= cx + INSET_W + 4 and cy - 4 <= py <= cy + INSET_H + 4 for px, py in marks)

    return min(corners, key=lambda cxy: hidden(*cxy))


def draw_legs(c: PageCanvas, f: _Frame, legs, follows_roads: bool) -> None:
    """The route's legs: road-following lines solid, straight stand-ins dashed (so nobody takes a
    straight line across the fields for a path). `legs`: N×2 arrays, point pairs or LineStrings
    in the sheet's metres."""
    if not legs:
        return
    path = QPainterPath()
    for leg in legs:
        arr = np.asarray(leg.coords if hasattr(leg, "coords") else leg, float)
        if len(arr) >= 2:
            path.addPolygon(f.poly(arr))
    pen = c.pen(
        0.7 if follows_roads else 0.55,
        ROUTE_COLOR,
        Qt.PenStyle.SolidLine if follows_roads else Qt.PenStyle.DashLine,
    )
    c.painter.setPen(pen)
    c.painter.setBrush(Qt.BrushStyle.NoBrush)
    c.painter.drawPath(path)


_FRACTIONS = sorted((i / 20 for i in range(1, 20)), key=lambda t: abs(t - 0.5))


def _road_labels(c: PageCanvas, f: _Frame, m: SheetMap, boxes: _Boxes) -> tuple[list, list[str]]:
    """Each named road's name once, along the road as near its visible middle as there is room.

    Placed before the village names and landmarks (a road name is what a team asks for) and
    drawn after the legs; the label's footprint is a chain of small boxes along it, so diagonal
    roads do not block a whole rectangle. Returns the labels to draw and the names of the roads in
    the frame that had no room (printed under the map, so every road shown is named)."""
    placed, unplaced = [], []
    order = sorted(m.road_names, key=lambda r: (r[1] != "main", -len(r[2])))
    for name, kind, line in order:
        pts = f.mm(line)
        seg = np.diff(pts, axis=0)
        lens = np.hypot(seg[:, 0], seg[:, 1])
        total = float(lens.sum())
        pt_size = MAP_LABEL_PT + (1.0 if kind == "main" else 0.0)
        tw = c.text_width(name, pt_size, kind == "main") + 2
        if total < tw + 1:
            unplaced.append(name)
            continue
        cum = np.concatenate([[0.0], np.cumsum(lens)])
        for frac in _FRACTIONS:
            at = frac * total
            i = int(np.clip(np.searchsorted(cum, at) - 1, 0, len(seg) - 1))
            if lens[i] < 1e-6:
                continue
            t = (at - cum[i]) / lens[i]
            px, py = pts[i] + t * seg[i]
            ang = _label_angle(math.degrees(math.atan2(seg[i, 1], seg[i, 0])))
            ux, uy = math.cos(math.radians(ang)), math.sin(math.radians(ang))
            ends = [(px + ux * d, py + uy * d) for d in (-tw / 2, tw / 2)]
            if not all(f.inside(ex, ey, 2.5) for ex, ey in ends):
                continue
            steps = max(2, int(tw // 3) + 1)
            foot = [
                (px + ux * d - 2.2, py + uy * d - 2.2, px + ux * d + 2.2, py + uy * d + 2.2)
                for d in np.linspace(-tw / 2 + 1.5, tw / 2 - 1.5, steps)
            ]
            if not all(boxes.free(b) for b in foot):
                continue
            for b in foot:
                boxes.add(b)
            placed.append((name, kind, px, py, ang, tw, pt_size))
            break
        else:
            unplaced.append(name)
    return placed, list(dict.fromkeys(n for n in unplaced if n not in {p[0] for p in placed}))


def _label_angle(ang: float) -> float:
    """Along the road when it runs (nearly) across or up the page; level otherwise: a word set at a
    slant breaks apart when the page's text is searched or read out, a level one does not."""
    if ang > 90:
        ang -= 180
    elif ang < -90:
        ang += 180
    if abs(ang) <= 12:
        return 0.0
    if abs(ang) >= 78:
        return 90.0 if ang > 0 else -90.0
    return 0.0


def _draw_road_labels(c: PageCanvas, placed: list) -> None:
    pa = c.painter
    k = c.k
    for name, kind, px, py, ang, tw, pt_size in placed:
        pa.save()
        pa.translate(px * k, py * k)
        pa.rotate(ang)
        pa.fillRect(QRectF(-tw / 2 * k, -2.3 * k, tw * k, 4.6 * k), QColor(255, 255, 255, 200))
        pa.setFont(c.font(pt_size, kind == "main"))
        pa.setPen(QColor("#5b4a22" if kind == "main" else "#555555"))
        pa.drawText(QRectF(-tw / 2 * k, -2.6 * k, tw * k, 5.2 * k), int(Qt.AlignmentFlag.AlignCenter), name)
        pa.restore()


LANDMARK_STYLE = {  # fill, size mm, label colour, bold
    "office": (OFFICE_COLOR, 4.6, OFFICE_COLOR, True),
    "town": ("#7d3c98", 3.4, "#5b2c6f", True),
    "village_office": ("#a04000", 2.8, "#6e2c00", False),
    "enterprise": ("#6c7a89", 2.4, "#404b57", False),
}


def _landmarks(c: PageCanvas, f: _Frame, m: SheetMap, boxes: _Boxes) -> None:
    """The team's office (起点), other village offices, the town government, enterprises by name."""
    order = {"office": 0, "town": 1, "village_office": 2, "enterprise": 3}
    enterprises = 0
    for lm in sorted(m.landmarks, key=lambda lm: order.get(lm.kind, 9)):
        fill, size, colour, bold = LANDMARK_STYLE.get(lm.kind, LANDMARK_STYLE["enterprise"])
        px, py = f.pt(lm.x, lm.y)
        if not f.inside(px, py, 1):
            continue
        if lm.kind == "enterprise":
            if enterprises >= 8:
                continue
            enterprises += 1
        c.box(px - size / 2, py - size / 2, size, size, 0.3, "white", fill=fill)
        if lm.kind == "office":
            c.text(
                px - size / 2,
                py - size / 2,
                size,
                size,
                "起",
                BODY_PT,
                bold=True,
                align=CENTER,
                color="white",
            )
        tw = c.text_width(lm.name, MAP_LABEL_PT, bold) + 1
        for lx, ly in (
            (px + size / 2 + 0.8, py - 2.6),
            (px - size / 2 - 0.8 - tw, py - 2.6),
            (px - tw / 2, py + size / 2 + 0.3),
        ):
            b = (lx, ly, lx + tw, ly + 5.2)
            if boxes.free(b) and f.inside(lx, ly) and f.inside(lx + tw, ly + 5.2):
                boxes.add(b)
                c.box(lx - 0.3, ly + 0.3, tw + 0.6, 4.6, 0, fill="#ccffffff")
                c.text(lx, ly, tw, 5.2, lm.name, MAP_LABEL_PT, bold=bold, align=LEFT, color=colour)
                break


def _stop_markers_positions(f: _Frame, s: RouteSheet):
    """One marker per building group (its stop numbers), one per lone stop; close ones fanned out."""
    labels, pts = [], []
    for g in s.groups:
        gx = float(np.mean([st.x for st in g.stops]))
        gy = float(np.mean([st.y for st in g.stops]))
        labels.append(g.seqs if len(g.stops) > 1 else str(g.stops[0].seq))
        pts.append(f.pt(gx, gy))
    out = []
    for label, (sx, sy) in zip(labels, _spread(pts), strict=True):
        r = 3.0 if len(label) <= 2 else 1.6 + 1.0 * len(label)
        out.append((label, (sx, sy), r))
    return out


def _stops(c: PageCanvas, f: _Frame, markers) -> None:  # noqa: ARG001
    pa = c.painter
    k = c.k
    for label, (sx, sy), r in markers:
        pa.setBrush(QColor(ROUTE_COLOR))
        pa.setPen(c.pen(0.3, "white"))
        if len(label) <= 2:
            pa.drawEllipse(c.p(sx, sy), r * k, r * k)
        else:  # a building: a rounded box listing its stops
            pa.drawRoundedRect(c.r(sx - r, sy - 2.8, 2 * r, 5.6), 1.5 * k, 1.5 * k)
        c.text(sx - r, sy - 3, 2 * r, 6, label, BODY_PT, bold=True, align=CENTER, color="white")
    pa.setBrush(Qt.BrushStyle.NoBrush)


def _inset(c: PageCanvas, m: SheetMap, x: float, y: float, w: float, h: float) -> None:
    """Where the sheet's area lies in the town: village outlines and a red frame for the map."""
    if m.inset is None:
        return
    pa = c.painter
    c.box(x, y, w, h, 0.3, "#666666", fill="white")
    minx, miny, maxx, maxy = m.inset.bounds
    sc = min((w - 3) / max(maxx - minx, 1.0), (h - 3) / max(maxy - miny, 1.0))
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    k = c.k

    def to(arr):
        arr = np.asarray(arr, float)
        px = (x + w / 2 + (arr[:, 0] - cx) * sc) * k
        py = (y + h / 2 - (arr[:, 1] - cy) * sc) * k
        return QPolygonF([QPointF(a, b) for a, b in zip(px.tolist(), py.tolist(), strict=True)])

    path = QPainterPath()
    for ring in m.inset.rings:
        path.addPolygon(to(ring))
        path.closeSubpath()
    pa.save()
    pa.setClipRect(c.r(x, y, w, h))
    pa.setPen(c.pen(0.15, "#9aa0a6"))
    pa.setBrush(QColor("#eef3e6"))
    pa.drawPath(path)
    bx0, by0, bx1, by1 = m.bounds
    frame = to(np.array([[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1], [bx0, by0]]))
    rect = frame.boundingRect()
    if rect.width() < 2.0 * k:  # a small area still shows as a visible frame
        rect = QRectF(rect.center().x() - 1.0 * k, rect.center().y() - 1.0 * k, 2.0 * k, 2.0 * k)
    pa.setBrush(QColor(192, 57, 43, 70))
    pa.setPen(c.pen(0.45, OFFICE_COLOR))
    pa.drawRect(rect)
    pa.restore()
    pa.setBrush(Qt.BrushStyle.NoBrush)


def _spread(points: list[tuple[float, float]], min_gap: float = 6.0) -> list[tuple[float, float]]:
    """Stops close together fan out around the first one so every number stays readable."""
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
    c.box(x - 1, y - 3.5, length + 20, 6.5, 0, fill="#ccffffff")
    c.line(x, y, x + length, y, 0.5)
    c.line(x, y - 1, x, y + 1, 0.3)
    c.line(x + length, y - 1, x + length, y + 1, 0.3)
    label = f"{metres / 1000:g} 公里" if metres >= 1000 else f"{metres:g} 米"
    c.text(x + length + 1, y - 3, 19, 6, label, BODY_PT, align=LEFT)


def _footer_checklist(c: PageCanvas, s: RouteSheet, y: float) -> None:  # noqa: ARG001
    """两个带 tick boxes, the 五心 reminders in two columns, then the leader's signature."""
    need = CHECKLIST_H
    if y + need > c.body_bottom:  # only when the sheet has no stops to keep it company
        c.new_page()
        y = c.body_top
    c.box(MARGIN, y, c.body_width, need, 0.3, fill="#fafafa")
    x = MARGIN + 2
    c.text(x, y + 1.2, 18, 5.5, "两个带", BODY_PT + 0.5, bold=True)
    xx = x + 17
    for item in TWO_CARRIES:
        xx += c.checkbox(xx, y + 2.2, item, size=3.6, pt=BODY_PT) + 4
    c.text(xx + 2, y + 1.2, c.body_width - (xx - MARGIN) - 4, 5.5,
           "出发前清点：证件齐全、鞋套够用、路线单与联系卡已备", BODY_PT, color="#444444")  # fmt: skip
    c.text(x, y + 7.2, 30, 5.5, "五心工作法", BODY_PT + 0.5, bold=True)
    col_w = (c.body_width - 4) / 2
    for i, line in enumerate(FIVE_HEARTS):
        cx = x + (i % 2) * col_w
        cy = y + 12.6 + (i // 2) * 4.9
        c.text(cx, cy, col_w - 1, 4.9, "· " + line, BODY_PT)
    c.text(x, y + need - 6.5, c.body_width - 4, 6,
           "组长签字：________________    交回日期：____年__月__日    已录入：□", BODY_PT + 0.5)  # fmt: skip


# -- the leader's call-ahead copy ---------------------------------------------------------------
CALL_COLUMNS = [
    ("序号", 10.0), ("户码", 18.0), ("户主 · 地址", 52.0), ("电话（完整）", 30.0),
    ("计划走访", 30.0), ("电话结果", 22.0), ("约定回访时间", 24.0),
]  # fmt: skip


def paint_call_ahead(c: PageCanvas, ca: CallAheadList) -> None:
    """电话预约联系单: the leader calls ahead, asks when someone is home, notes the appointment."""
    k = _scale(c)
    y = c.body_top
    c.text(
        MARGIN, y, c.body_width, 10, f"{ca.team.name} 电话预约联系单（组长留存）", 17, bold=True, align=CENTER
    )
    y += 11
    c.text(MARGIN, y, c.body_width, 6, f"{ca.round_name} · 路线单 {'、'.join(map(str, ca.sheets))}", 10.5,
           align=CENTER, color="#333333")  # fmt: skip
    y += 7
    warn = "本页印有群众完整电话，仅供组长电话预约、确认在家时间；不得留在群众家中，用后交回村（居）委会销毁。本次打印已记入打印日志。"
    h = c.text_height(warn, c.body_width - 4, BODY_PT + 0.5, True) + 2
    c.box(MARGIN, y, c.body_width, h, 0.4, OFFICE_COLOR, fill="#fdecea")
    c.text(
        MARGIN + 2,
        y + 1,
        c.body_width - 4,
        h - 2,
        warn,
        BODY_PT + 0.5,
        bold=True,
        wrap=True,
        color=OFFICE_COLOR,
    )
    y += h + 3
    cols = [(t, w * k) for t, w in CALL_COLUMNS]

    def continued() -> float:
        c.text(MARGIN, c.body_top, c.body_width, 8, f"{ca.team.name} 电话预约联系单（续）", 11, bold=True)
        return c.body_top + 9

    table = Table(c, cols, pt=BODY_PT, on_new_page=continued)
    y = table.header(y)

    def result_boxes(x, yy, w, h):  # noqa: ARG001
        for i, label in enumerate(("已约定", "未接通", "电话走访")):
            c.checkbox(x + 1.5, yy + 1.8 + i * 5.4, label, size=3.4, pt=BODY_PT)

    def write(x, yy, w, h):
        c.writing_lines(x + 1, yy, w - 2, h - 1, gap=6.0)

    for r in ca.rows:
        who = Drawn(
            lambda x, yy, w, h, r=r: (
                c.text(x + PAD, yy + PAD, w - 2 * PAD, 5.5, r.name, NAME_PT, bold=True, align=TOP_LEFT),
                c.text(
                    x + PAD,
                    yy + PAD + 5.5,
                    w - 2 * PAD,
                    h - 6.5,
                    r.address,
                    ADDRESS_PT,
                    align=TOP_LEFT,
                    wrap=True,
                ),
            ),
            5.5 + c.text_height(r.address, CALL_COLUMNS[2][1] * k - 2 * PAD, ADDRESS_PT),
        )
        phone = Drawn(
            lambda x, yy, w, h, r=r: c.text(x + PAD, yy + PAD, w - 2 * PAD, 6, r.phone or "（无电话）", 11, bold=True,
                                             align=TOP_LEFT),
            6.0,
        )  # fmt: skip
        y = table.row(
            y,
            [str(r.seq), r.code, who, phone, f"{r.session_text}\n约 {r.eta:%H:%M}", Drawn(result_boxes, 17.0),
             Drawn(write, 17.0)],
            min_h=18.0,
        )  # fmt: skip
