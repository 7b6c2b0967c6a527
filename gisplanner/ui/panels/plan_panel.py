"""规划路线: plan the current round's routes in the background and show them.

Before anyone plans, the panel shows the round's capacity (容量测算, computed off the UI
thread whenever the round or its data change): one bar per team, its estimated work against
the session time its members can give, red where it does not fit, and what the round lacks.

A menu action (走访轮次 → 规划路线) runs :func:`gisplanner.planning.plan.plan_round` through
``ctx.run_task`` (progress and cancel in the status bar). The stored plan is shown in a
table dock (team, session, stop order, ETA, target) and, for the team chosen in the dock,
as numbered stops joined in visiting order on the map (the 规划路线 layer of the map's
overlay registry, one legend row per session; shown, hidden and faded in the layer panel).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisplanner.planning.capacity import round_capacity
from gisplanner.planning.plan import REASON_ZH, PlanConfig, load_plan, plan_round, printed_route_ids
from gisplanner.planning.route_legs import route_paths
from gisplanner.ui.context import PanelContext

SESSION_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
COLUMNS = ["小组", "时段", "序号", "预计到达", "走访对象", "说明"]
ALL_TEAMS = QT_TRANSLATE_NOOP("PlanPanel", "（全部小组）")  # the combo item (shown translated)
PLAN_LAYER = "规划路线（按时段着色）"


class CapacityBars(QWidget):
    """One bar per team: estimated work (filled; green fits, red does not) against the time
    its sessions give (outline)."""

    ROW = 18
    NAME = 70

    def __init__(self, parent=None):
        super().__init__(parent)
        self.teams: list = []  # TeamCapacity rows with targets

    def set_teams(self, teams: list) -> None:
        self.teams = [t for t in teams if t.targets]
        self.updateGeometry()
        self.setMinimumHeight(self.ROW * len(self.teams) + 4)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, self.ROW * len(self.teams) + 4)

    def bar_lengths(self) -> list[tuple[str, float, float, bool]]:
        """(team, work, available, fits) as fractions of the longest bar (for tests and painting)."""
        top = max([max(t.workload_minutes, t.available_minutes) for t in self.teams] or [1.0]) or 1.0
        return [(t.name, t.workload_minutes / top, t.available_minutes / top, t.fits) for t in self.teams]

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        width = max(10, self.width() - self.NAME - 110)
        text = self.palette().text().color()
        for i, (name, work, avail, fits) in enumerate(self.bar_lengths()):
            t = self.teams[i]
            y = 2 + i * self.ROW
            p.setPen(text)
            p.drawText(QRectF(0, y, self.NAME - 4, self.ROW), Qt.AlignmentFlag.AlignVCenter, name)
            p.fillRect(
                QRectF(self.NAME, y + 4, width * work, self.ROW - 8), QColor("#4caf50" if fits else "#e53935")
            )
            p.setPen(QPen(text, 1))
            p.drawRect(QRectF(self.NAME, y + 3, width * avail, self.ROW - 6))
            label = f"{t.workload_minutes / 60:.0f}/{t.available_minutes / 60:.0f} 时"
            if not fits:
                label += f" 差{t.shortfall_minutes / 60:.0f}"
            p.drawText(QRectF(self.NAME + width + 4, y, 66, self.ROW), Qt.AlignmentFlag.AlignVCenter, label)
        p.end()


class PlanPanel(QWidget):
    """Table of the round's planned stops plus the controls to (re)plan."""

    def __init__(self, ctx: PanelContext):
        super().__init__(ctx.window)
        self.ctx = ctx
        self.rows: list[dict] = []
        self.notes: dict[int, str] = {}
        self.overlay: list = []
        self.paths: dict[int, dict] = {}
        self.last_result = None
        self._plan_generation = 0  # a read answered after a newer one was asked for is dropped
        self._reload_queued = False
        self._keep_summary = False
        self.loading = False  # a read of the stored plan is under way

        self.time_limit = QDoubleSpinBox()
        self.time_limit.setRange(1, 3600)
        self.time_limit.setValue(PlanConfig().time_limit)
        self.time_limit.setSuffix(self.tr(" 秒"))
        self.plan_button = QPushButton(self.tr("规划路线"))
        self.plan_button.clicked.connect(lambda: self.start_planning())
        self.remaining = QCheckBox(self.tr("只排剩余"))
        self.remaining.setToolTip(
            self.tr("轮次进行中：只排尚未走访的对象、只用尚未开始的时段，已打印或已开始的路线单保持不变")
        )
        self.team_combo = QComboBox()
        self.team_combo.currentIndexChanged.connect(self._team_changed)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("求解时间")))
        top.addWidget(self.time_limit)
        top.addWidget(self.remaining)
        top.addWidget(self.plan_button)
        top.addStretch(1)
        top.addWidget(QLabel(self.tr("小组")))
        top.addWidget(self.team_combo)

        self.capacity = None
        self.capacity_label = QLabel(self.tr("容量测算：—"))
        self.capacity_label.setWordWrap(True)
        self.capacity_bars = CapacityBars()
        self.capacity_area = QScrollArea()
        self.capacity_area.setWidget(self.capacity_bars)
        self.capacity_area.setWidgetResizable(True)
        self.capacity_area.setMaximumHeight(150)
        self._cap_generation = 0

        self.summary = QLabel(self.tr("尚未规划"))
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._row_selected)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.capacity_label)
        lay.addWidget(self.capacity_area)
        lay.addWidget(self.summary)
        lay.addWidget(self.table)

        ctx.round_changed.connect(lambda _rid: self.reload_later())
        ctx.round_changed.connect(lambda _rid: self.reload_capacity())
        ctx.map_loaded.connect(self.draw_overlay)
        ctx.data_changed.connect(self._data_changed)

    # -- planning --------------------------------------------------------------------------
    def start_planning(self, confirm: bool = True) -> None:
        w = self.ctx
        if w.store is None or w.current_round_id is None:
            QMessageBox.information(self, "规划路线", "请先打开数据库并选择走访轮次")
            return
        from gisplanner.planning import snapshots as snap
        from gisplanner.ui.panels import teams_panel

        remaining = self.remaining.isChecked()
        c = snap.replace_counts(w.store, w.current_round_id)
        if confirm and not remaining and c["routes"]:
            printed = len(printed_route_ids(w.store, w.current_round_id))
            msg = f"本轮已有 {c['routes']} 条路线（{c['stops']} 个站点）。重新规划会替换它们。"
            if printed:
                msg += (
                    f"\n其中 {printed} 张路线单已打印过，替换后需要重新打印；只排剩余部分请勾选「只排剩余」。"
                )
            if not teams_panel.confirm_replace(
                self, "规划路线", msg + "\n可以用「编辑 → 撤销」恢复原来的路线。继续吗？"
            ):
                return
        cfg = PlanConfig(time_limit=float(self.time_limit.value()), remaining=remaining)
        self.plan_button.setEnabled(False)
        w.run_task(
            _plan_with_snapshots,
            w.store,
            w.current_round_id,
            cfg,
            title="规划路线",
            on_result=self._planned,
            on_error=self._failed,
        )

    def _failed(self, message: str) -> None:
        self.plan_button.setEnabled(True)
        if message != "已取消":
            QMessageBox.warning(self, "规划路线失败", message)

    def _planned(self, result) -> None:
        before = after = None
        if isinstance(result, tuple):  # (result, plan before, plan after): undoable
            result, before, after = result
        self.plan_button.setEnabled(True)
        if before is not None and result.saved:
            from gisplanner.planning import snapshots as snap
            from gisplanner.ui.undo_commands import SnapshotCommand

            self.ctx.undo_stack.push(SnapshotCommand(self.ctx, "规划路线", snap.restore_plan, before, after))
        self.last_result = result
        self.notes = {s.target_id: s.note for r in result.routes for s in r.stops if s.note}
        reasons: dict[str, int] = {}
        for u in result.unscheduled:
            reasons[u.reason] = reasons.get(u.reason, 0) + 1
        why = "，".join(f"{REASON_ZH.get(k, k)} {v}" for k, v in reasons.items())
        self.summary.setText(
            f"{result.teams} 个小组，{len(result.routes)} 条路线；已排 {result.scheduled}/{result.targets} 个对象，"
            f"未排 {len(result.unscheduled)}（{why or '无'}）；重点对象已排 {result.priority_scheduled}/"
            f"{result.priority_targets}；步行合计 {result.walking_minutes:.0f} 分钟；"
            f"用时 {result.runtime:.1f} 秒"
            + ("" if result.saved else "；未保存（有时间窗冲突）")
            + "".join(f"；{n}" for n in result.notes)
        )
        if result.capacity is not None:
            self._cap_generation += 1
            self._show_capacity(result.capacity, self._cap_generation)
        # this panel (its table and lines: _data_changed, off the UI thread) and the others
        # (route sheets, result entry) show the new routes
        self.ctx.data_changed.emit()

    # -- capacity --------------------------------------------------------------------------
    def reload_capacity(self) -> None:
        """Recompute the capacity figures off the UI thread (stale answers are dropped)."""
        w = self.ctx
        self._cap_generation += 1
        generation = self._cap_generation
        if w.store is None or w.current_round_id is None:
            self._show_capacity(None, generation)
            return
        rid = w.current_round_id
        w.run_task(
            round_capacity, w.store, rid, title="容量测算",
            on_result=lambda cap: self._show_capacity(cap, generation),
            on_error=lambda msg: self._capacity_failed(msg, generation),
        )  # fmt: skip

    def _capacity_failed(self, message: str, generation: int) -> None:
        if generation == self._cap_generation and message != "已取消":
            self.capacity = None
            self.capacity_bars.set_teams([])
            self.capacity_label.setText(f"容量测算：{message}")

    def _show_capacity(self, cap, generation: int) -> None:
        if generation != self._cap_generation:
            return  # a newer computation was asked for meanwhile
        if cap is not None and cap.round_id != self.ctx.current_round_id:
            return
        self.capacity = cap
        if cap is None:
            self.capacity_label.setText(self.tr("容量测算：—"))
            self.capacity_bars.set_teams([])
            return
        self.capacity_label.setText(self._capacity_text(cap))
        self.capacity_bars.set_teams(cap.teams)

    def _capacity_text(self, cap) -> str:
        """The capacity line in the interface language (the core's summary_zh is the CLI's)."""
        h, a = f"{cap.workload_minutes / 60:.0f}", f"{cap.available_minutes / 60:.0f}"
        if cap.fits:
            text = self.tr("容量测算：工作量约 {0} 小时，可用时段 {1} 小时：时间够用").format(h, a)
            if cap.expected_finish:
                text += self.tr("，预计 {0} 前完成").format(f"{cap.expected_finish:%m-%d}")
            return text
        text = self.tr("容量测算：工作量约 {0} 小时，可用时段 {1} 小时：时间不够").format(h, a)
        need = []
        if cap.extra_sessions_needed:
            need.append(self.tr("再加 {0} 个时段").format(cap.extra_sessions_needed))
        if cap.extra_teams_needed:
            need.append(self.tr("再加 {0} 个小组").format(cap.extra_teams_needed))
        if need:
            text += self.tr("，需") + self.tr("或").join(need)
        if cap.expected_finish:
            text += self.tr("；按现有小组约 {0} 完成").format(f"{cap.expected_finish:%Y-%m-%d}")
        short = [t.name for t in cap.teams if t.targets and not t.fits]  # team names: data
        if short:
            text += self.tr("；不够的小组：") + "、".join(short[:8]) + (" …" if len(short) > 8 else "")
        return text

    def _data_changed(self) -> None:
        self.reload_capacity()
        last = self.last_result
        self.reload_later(keep_summary=last is not None and last.round_id == self.ctx.current_round_id)

    # -- showing ---------------------------------------------------------------------------
    def reload(self, keep_summary: bool = False) -> None:
        """Read the stored plan and its road lines now (on this thread) and show them."""
        w = self.ctx
        self._plan_generation += 1
        self._show_plan(_read_plan(w.store, w.current_round_id), self._plan_generation, keep_summary)

    def reload_later(self, keep_summary: bool = False) -> None:
        """Read the stored plan and its road lines off the UI thread (round switched, data
        changed): the window never stalls on the road search. Calls in one turn of the event
        loop make one read; an answer to an older read is dropped."""
        self._keep_summary = keep_summary
        self.loading = True
        if not self._reload_queued:
            self._reload_queued = True
            QTimer.singleShot(0, self._reload_queued_now)

    def _reload_queued_now(self) -> None:
        self._reload_queued = False
        w = self.ctx
        self._plan_generation += 1
        generation, keep = self._plan_generation, self._keep_summary
        if w.store is None or w.current_round_id is None:
            self._show_plan(_read_plan(None, None), generation, keep)
            return
        if not keep:
            self.summary.setText(self.tr("正在读取已保存的路线…"))
        # the table first (a fraction of a second), then the road lines the map draws
        w.run_task(
            _read_plan, w.store, w.current_round_id, title="读取路线", with_paths=False,
            on_result=lambda data: self._show_plan(data, generation, keep, paths_follow=True),
            on_error=lambda msg: self._plan_failed(msg, generation),
        )  # fmt: skip

    def _show_paths(self, paths: dict, generation: int) -> None:
        if generation != self._plan_generation:
            return
        self.loading = self._reload_queued
        self.paths = paths
        self.draw_overlay()  # the stops were drawn straight; now along the roads

    def _plan_failed(self, message: str, generation: int) -> None:
        if generation != self._plan_generation:
            return
        self.loading = self._reload_queued
        if message != "已取消":
            self.summary.setText(self.tr("读取路线失败：") + message)

    def _show_plan(
        self, data: dict, generation: int, keep_summary: bool = False, paths_follow: bool = False
    ) -> None:
        if generation != self._plan_generation:
            return  # a newer read was asked for meanwhile
        if data["rid"] != self.ctx.current_round_id:
            self.loading = self._reload_queued
            return
        self.rows, self.paths = data["rows"], data["paths"]
        self.loading = self._reload_queued or (paths_follow and bool(self.rows))
        if paths_follow and self.rows:
            w = self.ctx
            w.run_task(
                _read_paths, w.store, data["rid"], title="读取路线走向",
                on_result=lambda paths: self._show_paths(paths, generation),
                on_error=lambda msg: self._plan_failed(msg, generation),
            )  # fmt: skip
        if not keep_summary:
            self.notes = {}
            self.summary.setText(
                self.tr("已保存的路线：{n} 个走访点").format(n=len(self.rows))
                if self.rows
                else self.tr("本轮尚未规划路线")
            )
        teams = sorted({r["team"] for r in self.rows})
        current = self.team_combo.currentText()
        self.team_combo.blockSignals(True)
        self.team_combo.clear()
        self.team_combo.addItem(self.tr(ALL_TEAMS), ALL_TEAMS)
        self.team_combo.addItems(teams)
        if current in teams:
            self.team_combo.setCurrentText(current)
        elif teams:
            self.team_combo.setCurrentIndex(1)
        self.team_combo.blockSignals(False)
        self._fill_table()
        self.draw_overlay()

    def _visible_rows(self) -> list[dict]:
        if self.team_combo.currentIndex() <= 0:  # none yet, or item 0: all teams
            return self.rows
        team = self.team_combo.currentText()
        return [r for r in self.rows if r["team"] == team]

    def _fill_table(self) -> None:
        rows = self._visible_rows()
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = [r["team"], r["session"], str(r["seq"]), f"{r['eta']:%m-%d %H:%M}", r["target"],
                      self.notes.get(r["target_id"], "")]  # fmt: skip
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setData(Qt.ItemDataRole.UserRole, r["target_id"])
                self.table.setItem(i, j, item)

    def _team_changed(self, _index: int) -> None:
        self._fill_table()
        self.draw_overlay()

    def _row_selected(self) -> None:
        items = self.table.selectedItems()
        if items:
            tid = items[0].data(Qt.ItemDataRole.UserRole)
            if tid is not None:
                self.ctx.selection.select([int(tid)])

    # -- map overlay -----------------------------------------------------------------------
    def clear_overlay(self) -> None:
        self.overlay = []
        self.ctx.map_widget.add_overlay("plan_routes", PLAN_LAYER, [], [], z=8.0)

    def draw_overlay(self) -> None:
        """Numbered stops, joined in visiting order, one colour per session (one team at a time;
        all teams only as lines, numbers would be unreadable). A layer of the map's overlay
        registry (规划路线), with one legend row per session."""
        mw = self.ctx.map_widget
        if mw.data is None or not self.rows or not self._visible_rows():
            self.clear_overlay()
            return
        rows = self._visible_rows()
        x, y = mw.data.projection.forward(
            np.array([r["lon"] for r in rows]), np.array([r["lat"] for r in rows])
        )
        x, y = np.atleast_1d(x), np.atleast_1d(y)
        single_team = self.team_combo.currentIndex() > 0  # 0: all teams
        by_route: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            by_route.setdefault(r["route_id"], []).append(i)
        sessions = sorted({r["session"] for r in rows})
        items: list = []
        self._kinds: dict[int, str] = {}
        for idx in by_route.values():
            colour = SESSION_COLOURS[sessions.index(rows[idx[0]]["session"]) % len(SESSION_COLOURS)]
            path = self.paths.get(rows[idx[0]]["route_id"], {})
            lx, ly = _along(mw, path.get("stops"), x[idx], y[idx])
            line = pg.PlotCurveItem(lx, ly, pen=pg.mkPen(colour, width=2))
            items.append(line)
            self._kinds[id(line)] = "line"
            first = rows[idx[0]]
            if single_team and first.get("office_lon") is not None:
                # the walk from the village office to the first stop and back, dashed
                ox, oy = mw.data.projection.forward(first["office_lon"], first["office_lat"])
                ax, ay = _along(mw, path.get("out"), [float(ox), x[idx[0]]], [float(oy), y[idx[0]]])
                bx, by = _along(mw, path.get("back"), [x[idx[-1]], float(ox)], [y[idx[-1]], float(oy)])
                legs = pg.PlotCurveItem(
                    np.concatenate([ax, [np.nan], bx]),
                    np.concatenate([ay, [np.nan], by]),
                    connect="finite",
                    pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine),
                )
                items.append(legs)
                self._kinds[id(legs)] = "legs"
            if single_team:
                dots = pg.ScatterPlotItem(
                    x=x[idx], y=y[idx], size=16, brush=pg.mkBrush(colour), pen=pg.mkPen("w")
                )
                items.append(dots)
                for i in idx:
                    label = pg.TextItem(str(rows[i]["seq"]), color="w", anchor=(0.5, 0.5))
                    label.setPos(float(x[i]), float(y[i]))
                    items.append(label)
        legend = [
            ("line", SESSION_COLOURS[k % len(SESSION_COLOURS)], None, str(name))
            for k, name in enumerate(sessions)
        ]
        if single_team:
            legend.append(("symbol", "#555555", "o", "站点（数字为走访顺序）"))
        mw.add_overlay("plan_routes", PLAN_LAYER, items, legend, z=8.0)
        self.overlay = items

    def overlay_counts(self) -> dict:
        """What the overlay shows (for tests): lines and numbered labels."""
        kinds = getattr(self, "_kinds", {})
        return {
            "lines": sum(kinds.get(id(i)) == "line" for i in self.overlay),
            "office_legs": sum(kinds.get(id(i)) == "legs" for i in self.overlay),
            "labels": [i.textItem.toPlainText() for i in self.overlay if isinstance(i, pg.TextItem)],
        }


def _read_plan(store, rid, progress=None, with_paths: bool = True) -> dict:
    """The round's stored plan (:func:`load_plan`) and, per route, its lines along the roads
    (office → stops → office, as the planner walked them: :func:`route_paths`). Runs in a worker.
    Without ``with_paths`` only the table (fast); the road lines follow in a second read."""
    if store is None or rid is None:
        return {"rid": rid, "rows": [], "paths": {}}
    rows = load_plan(store, rid)
    return {"rid": rid, "rows": rows, "paths": route_paths(store, rid) if rows and with_paths else {}}


def _read_paths(store, rid, progress=None) -> dict:
    """The road lines of the round's stored routes (seconds for a whole town: a worker's job)."""
    return route_paths(store, rid)


def _plan_with_snapshots(store, rid, cfg, progress=None):
    """plan_round with the round's routes before and after (for undo)."""
    from gisplanner.planning import snapshots as snap

    before = snap.plan_snapshot(store, rid)
    result = plan_round(store, rid, cfg, progress=progress)
    return result, before, snap.plan_snapshot(store, rid)


def _along(mw, lonlat, x, y):
    """The road path (WGS84 → map CRS) when there is one, else the straight stop-to-stop line."""
    if lonlat is None or len(lonlat) < 2:
        return np.asarray(x, float), np.asarray(y, float)
    px, py = mw.data.projection.forward(lonlat[:, 0], lonlat[:, 1])
    return np.asarray(px, float), np.asarray(py, float)


def install(ctx: PanelContext) -> None:
    panel = PlanPanel(ctx)
    ctx.panels.plan = panel
    dock = ctx.add_dock(panel, "路线规划", Qt.DockWidgetArea.BottomDockWidgetArea)
    action = ctx.menus["走访轮次"].addAction("规划路线")

    def run():
        dock.show()
        dock.raise_()
        panel.start_planning()

    action.triggered.connect(run)
    ctx.panels.plan_action = action
