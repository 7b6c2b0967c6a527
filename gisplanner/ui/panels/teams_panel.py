"""走访小组: the current round's teams, their workload side by side, and territories by map selection.

- "组建队伍" forms 三搭配 teams for the round (size, keep/rotate last round's teams) in the
  background (:func:`gisplanner.teams.form_round_teams`) and shows the rules report;
- the table shows each team's members and workload (households, special-group targets,
  enterprises, notable persons, estimated hours) with a balance bar; the heaviest and the
  lightest team are highlighted, red when the spread exceeds ±10 %;
- "分配所选对象给队伍" gives the map selection to the chosen team as ONE undoable command on
  the window's undo stack; "自动划分片区" runs the territory split;
- the round's unassigned targets are ringed in red on the map.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisplanner.teams import MIXED, RULE_ZH, FormationRules, form_round_teams, round_team_members
from gisplanner.territory import assign_targets, restore_assignment, split_round, team_workloads

WEIGHTS = [  # (FormationRules field, label)
    ("w_mixed_gender", "男女"),
    ("w_has_local", "本地"),
    ("w_age_mix", "跨年龄段"),
    ("w_age_all_bands", "老中青齐全"),
    ("w_leader", "带队干部"),
    ("w_previous", "上轮搭档"),
]
COLUMNS = ["队伍", "成员", "一般住户", "特殊群体", "企业", "名士", "预计工时", "工作量"]
HEAVY, LIGHT, OVER = QColor("#fde0dd"), QColor("#deebf7"), QColor("#fb6a4a")


BAR_FRACTION = Qt.ItemDataRole.UserRole + 1
BAR_COLOUR = Qt.ItemDataRole.UserRole + 2


class BalanceBarDelegate(QStyledItemDelegate):
    """Draws a team's estimated hours as a bar scaled to the heaviest team (the balance bar)."""

    def paint(self, painter, option, index) -> None:
        frac = index.data(BAR_FRACTION) or 0.0
        rect = option.rect.adjusted(2, 3, -2, -3)
        painter.save()
        painter.fillRect(rect, QColor("#f0f0f0"))
        bar = rect.adjusted(0, 0, -int(rect.width() * (1 - max(0.0, min(1.0, frac)))), 0)
        painter.fillRect(bar, QColor(index.data(BAR_COLOUR) or "#3182bd"))
        painter.setPen(QColor("#202020"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.restore()


class AssignTargetsCommand(QUndoCommand):
    """Give targets of a round to a team; undo puts every target back with its former team."""

    def __init__(self, panel: TeamsPanel, round_id: int, target_ids, team_id: int | None, text: str):
        super().__init__(text)
        self.panel, self.round_id, self.team_id = panel, round_id, team_id
        self.target_ids = [int(t) for t in target_ids]
        self.previous: dict[int, int | None] | None = None

    def redo(self) -> None:
        store = self.panel.window.store
        if self.previous is None:  # the first time: only over the assignments the user saw
            before = self._assign_checked(store)
            if before is None:  # the user took the other planner's assignments
                self.previous = {}
                self.setObsolete(True)
                self.panel.reload()
                return
        else:
            before = assign_targets(store, self.round_id, self.target_ids, self.team_id)
        if self.previous is None:
            self.previous = before
        self.panel.reload()

    def _assign_checked(self, store) -> dict | None:
        """Assign through the optimistic check; a conflict is shown (keep mine / theirs / merge)."""
        from gisplanner import concurrency as cc
        from gisplanner.ui import saving

        seen = {t: self.panel.assigned.get(t) for t in self.target_ids}
        try:
            return assign_targets(store, self.round_id, self.target_ids, self.team_id, expected=seen)
        except cc.ConflictError as e:
            conflict = e.conflicts[0]
            choice, picks = saving.ask(self.panel, conflict)
            if choice == cc.TAKE_THEIRS:
                return None
            ids = self.target_ids
            if choice == cc.MERGE:  # their targets stay theirs unless the user picked them back
                theirs_kept = {k for k, who in picks.items() if who == cc.TAKE_THEIRS}
                changed = set(conflict.current["changed"])
                keys = {k: t for k, t in zip(conflict.theirs, conflict.current["changed"], strict=False)}
                keep_theirs = {t for k, t in keys.items() if k in theirs_kept} | (
                    changed - set(keys.values())
                )
                ids = [t for t in ids if t not in keep_theirs]
            self.target_ids = ids
            return assign_targets(store, self.round_id, ids, self.team_id)

    def undo(self) -> None:
        if self.previous is not None:
            restore_assignment(self.panel.window.store, self.round_id, self.previous)
        self.panel.reload()


class TeamsPanel(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.workloads = []
        self.assigned: dict[int, int | None] = {}  # target id -> team id of the current round
        self.members: dict[int, list[str]] = {}
        self.team_overlay = None
        self.overlay = None
        self.last_formation = None

        self.size_combo = QComboBox()
        for text, size in (("两人一组", 2), ("三人一组", 3), ("两人为主，需要时三人", MIXED)):
            self.size_combo.addItem(text, size)
        self.previous_combo = QComboBox()
        for text, mode in (("不考虑上轮搭档", "ignore"), ("保留上轮搭档", "keep"), ("轮换搭档", "rotate")):
            self.previous_combo.addItem(text, mode)
        self.form_button = QPushButton("组建队伍")
        self.form_button.clicked.connect(self.start_forming)
        self.area_combo = QComboBox()
        self.area_combo.setToolTip("划分范围：全部（先按工作量把队伍分到各村/社区），或只划分一个村/社区")
        self.split_button = QPushButton("自动划分片区")
        self.split_button.clicked.connect(self.start_split)
        self.assign_button = QPushButton("分配所选对象给队伍")
        self.assign_button.clicked.connect(self.assign_selected)
        self.unassign_button = QPushButton("取消所选对象的分配")
        self.unassign_button.clicked.connect(lambda: self.assign_selected(unassign=True))

        defaults = FormationRules()
        self.weight_boxes: dict[str, QDoubleSpinBox] = {}
        weights = QHBoxLayout()
        weights.addWidget(QLabel("权重"))
        for fieldname, label in WEIGHTS:
            box = QDoubleSpinBox()
            box.setRange(0.0, 99.0)
            box.setSingleStep(0.5)
            box.setDecimals(1)
            box.setValue(getattr(defaults, fieldname))
            box.setToolTip(f"{label}规则的权重（0 = 不考虑）")
            self.weight_boxes[fieldname] = box
            weights.addWidget(QLabel(label))
            weights.addWidget(box)
        weights.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(self.size_combo)
        top.addWidget(self.previous_combo)
        top.addWidget(self.form_button)
        top.addWidget(self.area_combo)
        top.addWidget(self.split_button)
        top.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.assign_button)
        actions.addWidget(self.unassign_button)
        actions.addStretch(1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setItemDelegateForColumn(7, BalanceBarDelegate(self.table))
        self.table.setColumnWidth(7, 160)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.balance_label = QLabel()
        self.report_label = QLabel()
        self.report_label.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(weights)
        lay.addLayout(actions)
        lay.addWidget(self.table)
        lay.addWidget(self.balance_label)
        lay.addWidget(self.report_label)

        window.roundChanged.connect(lambda _rid: self.reload_later())
        window.dataChanged.connect(self.reload_later)
        window.mapLoaded.connect(self.draw_overlay)

    # -- data ------------------------------------------------------------------------------
    @staticmethod
    def _read(store, rid, progress=None) -> dict:
        """The round's workloads, assignments, members and villages (runs in a worker too)."""
        if store is None or rid is None:
            return {"rid": rid, "workloads": [], "assigned": {}, "members": {}, "areas": None}
        rows = store.read_frame(
            "SELECT target_id, team_id FROM assignment WHERE round_id = :r", {"r": int(rid)}
        )
        areas = store.read_frame(
            "SELECT DISTINCT ar.code, ar.name FROM assignment a JOIN target t ON t.id = a.target_id "
            "JOIN area ar ON ar.id = t.area_id WHERE a.round_id = :r ORDER BY ar.code",
            {"r": int(rid)},
        )
        return {
            "rid": rid,
            "workloads": team_workloads(store, rid),
            "assigned": dict(zip(rows["target_id"].astype(int), rows["team_id"], strict=True)),
            "members": round_team_members(store, rid),
            "areas": areas,
        }

    def reload(self) -> None:
        """Re-read the round's teams, workloads and assignments now (after the user's own edits)."""
        self._generation = getattr(self, "_generation", 0) + 1
        self._apply(self._read(self.window.store, self.window.current_round_id), self._generation)

    def reload_later(self) -> None:
        """Re-read off the UI thread (round switched, data changed elsewhere): the window never stalls."""
        w = self.window
        self._generation = generation = getattr(self, "_generation", 0) + 1
        if w.store is None or w.current_round_id is None:
            self._apply(self._read(None, None), generation)
            return
        w.run_task(
            self._read, w.store, w.current_round_id, title="读取走访小组",
            on_result=lambda data: self._apply(data, generation),
        )  # fmt: skip

    def _apply(self, data: dict, generation: int) -> None:
        if generation != self._generation or data["rid"] != self.window.current_round_id:
            return  # a newer read was asked for meanwhile: this one is stale
        self.workloads, self.assigned = data["workloads"], data["assigned"]
        if data["areas"] is not None:
            self.members = data["members"]
            self._fill_areas(data["areas"])
        chosen = self.selected_team_id() if self.table.selectionModel().hasSelection() else None
        self._fill_table()
        if chosen is not None:
            self.select_team(chosen)
        self.draw_overlay()

    def _fill_areas(self, rows) -> None:
        """Villages that have targets in the round, for the split scope."""
        current = self.area_combo.currentData()
        self.area_combo.blockSignals(True)
        self.area_combo.clear()
        self.area_combo.addItem("全部村/社区", None)
        for code, name in zip(rows["code"], rows["name"], strict=True):
            self.area_combo.addItem(name, code)
        i = self.area_combo.findData(current)
        self.area_combo.setCurrentIndex(max(i, 0))
        self.area_combo.blockSignals(False)

    def team_ids(self) -> list[int]:
        return [wl.team_id for wl in self.workloads if wl.team_id is not None]

    def unassigned_ids(self) -> np.ndarray:
        return np.array(
            sorted(t for t, team in self.assigned.items() if team is None or team != team), np.int64
        )

    def _fill_table(self) -> None:
        loads = self.workloads
        teams = [wl for wl in loads if wl.team_id is not None]
        hours = [wl.hours for wl in teams]
        top = max(hours, default=0.0)
        worked = [h for h in hours if h > 0]
        spread = max(worked) / min(worked) if worked else 1.0
        mean = float(np.mean(worked)) if worked else 0.0
        out_of_band = bool(worked) and (max(worked) > mean * 1.1 or min(worked) < mean * 0.9)
        self.table.setRowCount(len(loads))
        members = self.members
        for r, wl in enumerate(loads):
            cells = [
                wl.name,
                "、".join(members.get(wl.team_id, [])) if wl.team_id is not None else "（未分配对象）",
                str(wl.households),
                str(wl.special),
                str(wl.enterprises),
                str(wl.notables),
                f"{wl.hours:.1f} 小时",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, wl.team_id)
                if wl.team_id is not None and worked and wl.hours in (max(worked), min(worked)):
                    colour = OVER if out_of_band else (HEAVY if wl.hours == max(worked) else LIGHT)
                    item.setBackground(QBrush(colour))
                self.table.setItem(r, c, item)
            bar = QTableWidgetItem(f"{wl.hours:.1f}")
            bar.setData(Qt.ItemDataRole.UserRole, wl.team_id)
            bar.setData(BAR_FRACTION, wl.hours / top if top > 0 else 0.0)
            if wl.team_id is None:
                colour = "#bdbdbd"
            elif worked and wl.hours in (max(worked), min(worked)) and out_of_band:
                colour = "#de2d26"
            elif worked and wl.hours in (max(worked), min(worked)):
                colour = "#fd8d3c"
            else:
                colour = "#3182bd"
            bar.setData(BAR_COLOUR, colour)
            self.table.setItem(r, 7, bar)
        if worked:
            flag = "超出 ±10%" if out_of_band else "在 ±10% 以内"
            self.balance_label.setText(
                f"预计工时：最多 {max(worked):.1f}，最少 {min(worked):.1f}，最多/最少 = {spread:.2f}（{flag}）；"
                f"未分配对象 {len(self.unassigned_ids())} 个"
            )
        else:
            self.balance_label.setText(f"尚未分配；未分配对象 {len(self.unassigned_ids())} 个")

    def selected_team_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def select_team(self, team_id: int) -> None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == team_id:
                self.table.selectRow(r)
                return

    # -- actions ---------------------------------------------------------------------------
    def assign_selected(self, unassign: bool = False) -> AssignTargetsCommand | None:
        """The map selection -> the chosen team, as one undoable command."""
        w = self.window
        rid = w.current_round_id
        team_id = None if unassign else self.selected_team_id()
        if rid is None or (team_id is None and not unassign):
            self.report_label.setText("请先在表中选择一个队伍")
            return None
        ids = [int(t) for t in w.selection.ids if int(t) in self.assigned]
        skipped = len(w.selection.ids) - len(ids)
        if not ids:
            self.report_label.setText("地图上没有选中本轮的走访对象")
            return None
        name = next((wl.name for wl in self.workloads if wl.team_id == team_id), "")
        text = f"取消 {len(ids)} 个对象的分配" if unassign else f"分配 {len(ids)} 个对象给{name}"
        cmd = AssignTargetsCommand(self, rid, ids, team_id, text)
        w.undo_stack.push(cmd)
        self.report_label.setText(text + (f"（{skipped} 个不在本轮，未分配）" if skipped else ""))
        return cmd

    def current_rules(self) -> FormationRules:
        weights = {f: box.value() for f, box in self.weight_boxes.items()}
        return FormationRules(
            size=self.size_combo.currentData(), previous=self.previous_combo.currentData(), **weights
        )

    def start_forming(self, confirm: bool = True) -> None:
        w = self.window
        if w.store is None or w.current_round_id is None:
            return
        assigned = sum(1 for t in self.assigned.values() if t is not None and t == t)
        if confirm and self.team_ids() and assigned:
            answer = QMessageBox.question(
                self,
                "重新组建队伍",
                f"本轮已有 {len(self.team_ids())} 个队伍，{assigned} 个对象已分配。重新组建会替换这些队伍，"
                "已分配的对象将变为未分配。继续吗？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.form_button.setEnabled(False)
        w.run_task(
            form_round_teams, w.store, w.current_round_id, self.current_rules(),
            title="组建队伍", on_result=self._formed, on_error=lambda *_: self.form_button.setEnabled(True),
        )  # fmt: skip

    def _formed(self, stored) -> None:
        self.form_button.setEnabled(True)
        res = stored.result
        lines = [f"组建 {len(res.teams)} 个队伍" + ("（最优）" if res.proven_optimal else "")]
        lines += res.notes
        lines += [f"未满足「{RULE_ZH[u.rule]}」：{u.reason}" for u in res.unmet]
        self.report_label.setText("\n".join(lines))
        self.window.undo_stack.clear()  # assignments of the replaced teams cannot be undone any more
        self.reload()  # the official asked for this: show the new teams at once
        self.last_formation = stored
        self.window.dataChanged.emit()  # other panels (routes, statistics) see the new teams

    def start_split(self) -> None:
        w = self.window
        if w.store is None or w.current_round_id is None:
            return
        self.split_button.setEnabled(False)
        w.run_task(
            split_round, w.store, w.current_round_id, area_code=self.area_combo.currentData(),
            title="划分片区", on_result=self._split_done, on_error=lambda *_: self.split_button.setEnabled(True),
        )  # fmt: skip

    def _split_done(self, split) -> None:
        self.split_button.setEnabled(True)
        self.report_label.setText(
            f"已划分片区：最多/最少 = {split.balance:.2f}，到片区中心平均 {split.mean_dist_to_centroid:.0f} 米"
        )
        self.window.undo_stack.clear()
        self.reload()
        self.window.dataChanged.emit()

    def team_target_ids(self, team_id: int | None) -> np.ndarray:
        if team_id is None:
            return self.unassigned_ids()
        return np.array(sorted(t for t, team in self.assigned.items() if team == team_id), np.int64)

    def _row_selected(self) -> None:
        """Show the chosen team's territory on the map (filled markers), without touching the selection."""
        team_id = self.selected_team_id()
        ids = (
            self.team_target_ids(team_id)
            if self.table.selectionModel().hasSelection()
            else np.empty(0, np.int64)
        )
        self._draw_team(ids)
        if len(ids):
            self.window.statusBar().showMessage(f"该队伍已分配 {len(ids)} 个对象", 4000)

    # -- map overlay -----------------------------------------------------------------------
    def _on_map(self, item: pg.ScatterPlotItem | None, z: float, **style) -> pg.ScatterPlotItem:
        """The overlay item, made once and put (back) on the map view: the map rebuilds its scene."""
        if item is None:
            item = pg.ScatterPlotItem(pxMode=True, **style)
            item.setZValue(z)
        if item.scene() is None:
            self.window.map_widget.view.addItem(item, ignoreBounds=True)
        return item

    def draw_overlay(self) -> None:
        """Ring the round's unassigned targets in red."""
        mw = self.window.map_widget
        self.overlay = self._on_map(
            self.overlay,
            15,
            size=9,
            symbol="o",
            brush=pg.mkBrush(0, 0, 0, 0),
            pen=pg.mkPen("#e31a1c", width=1.4),
        )
        if mw.data is None:
            self.overlay.setData(x=[], y=[])
            return
        unassigned = self.unassigned_ids()
        if len(unassigned) == len(self.assigned):
            # nothing assigned yet: ringing every target would bury the map; the panel says so
            self.overlay.setData(x=[], y=[])
            self._row_selected()
            return
        pos = mw.positions_of(unassigned)
        t = mw.data.targets
        self.overlay.setData(x=t["x"].to_numpy()[pos], y=t["y"].to_numpy()[pos])
        self._row_selected()

    def _draw_team(self, ids: np.ndarray) -> None:
        mw = self.window.map_widget
        self.team_overlay = self._on_map(
            self.team_overlay, 14, size=7, symbol="s", brush=pg.mkBrush(255, 140, 0, 170),
            pen=pg.mkPen("#7f3b08", width=0.8),
        )  # fmt: skip
        if mw.data is None or not len(ids):
            self.team_overlay.setData(x=[], y=[])
            return
        pos = mw.positions_of(ids)
        t = mw.data.targets
        self.team_overlay.setData(x=t["x"].to_numpy()[pos], y=t["y"].to_numpy()[pos])

    def overlay_count(self) -> int:
        return 0 if self.overlay is None else len(self.overlay.data)


def install(window) -> None:
    mw = window.map_widget
    if getattr(mw, "selection_model", None) is None:
        # the map's rectangle / lasso / area tools feed the window's selection (what we assign)
        mw.set_selection_model(window.selection)
    panel = TeamsPanel(window)
    window.teams_panel = panel
    dock = window.add_dock(panel, "走访小组")
    action = window.menus["走访轮次"].addAction("组建队伍")

    def run():
        dock.show()
        dock.raise_()
        panel.start_forming()

    action.triggered.connect(run)
    window.teams_form_action = action
