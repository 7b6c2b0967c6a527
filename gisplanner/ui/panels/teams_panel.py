"""走访小组: the current round's teams, their workload side by side, and territories by map selection.

- "组建队伍" forms 三搭配 teams for the round (size, keep/rotate last round's teams) in the
  background (:func:`gisplanner.teams.formation.form_round_teams`) and shows the rules report;
- the table shows each team's members and workload (households, special-group targets,
  enterprises, notable persons, estimated hours) with a balance bar; the heaviest and the
  lightest team are highlighted, red when the spread exceeds ±10 %;
- "分配所选对象给队伍" gives the map selection to the chosen team as ONE undoable command on
  the window's undo stack; "自动划分片区" runs the territory split;
- the round's unassigned targets are ringed in red on the map, the chosen team's targets are
  orange squares: two overlay layers (未分配对象, 所选队伍的片区) in the layer panel.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
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

from gisplanner.planning import snapshots as snap
from gisplanner.queries.teams import round_assignments
from gisplanner.teams.formation import (
    MIXED,
    RULE_ZH,
    FormationRules,
    form_round_teams,
    round_team_members,
)
from gisplanner.teams.team_report import failing_teams, natural_key, round_team_report
from gisplanner.teams.territory import (
    split_round,
    team_workloads,
)
from gisplanner.ui.context import PanelContext
from gisplanner.ui.undo_commands import AssignTargetsCommand, SnapshotCommand

WEIGHTS = [  # (FormationRules field, label)
    ("w_mixed_gender", "男女"),
    ("w_has_local", "本地"),
    ("w_age_mix", "跨年龄段"),
    ("w_age_all_bands", "老中青齐全"),
    ("w_leader", "带队干部"),
    ("w_previous", "上轮搭档"),
]
COLUMNS = ["队伍", "成员", "性别", "年龄段", "本地", "规则", "共同时段",
           "一般住户", "特殊群体", "企业", "名士", "预计工时", "工作量"]  # fmt: skip
BAR_COLUMN = len(COLUMNS) - 1
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


def _split_with_snapshots(store, rid, area_code, progress=None):
    before = snap.assignment_snapshot(store, rid)
    split = split_round(store, rid, area_code=area_code, progress=progress)
    return split, before, snap.assignment_snapshot(store, rid)


def _form_with_snapshots(store, rid, rules, progress=None):
    before = snap.team_snapshot(store, rid)
    stored = form_round_teams(store, rid, rules, progress=progress)
    return stored, before, snap.team_snapshot(store, rid)


def confirm_replace(parent, title: str, text: str) -> bool:
    """Ask before replacing the user's work (tests replace this function)."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class TeamsPanel(QWidget):
    def __init__(self, ctx: PanelContext):
        super().__init__(ctx.window)
        self.ctx = ctx
        self.workloads = []
        self.assigned: dict[int, int | None] = {}  # target id -> team id of the current round
        self.members: dict[int, list[str]] = {}
        self.reports: dict = {}  # team id -> gisplanner.teams.team_report.TeamReport
        self.team_overlay = None
        self.overlay = None
        self.last_formation = None

        self.size_combo = QComboBox()
        for text, size in (("两人一组", 2), ("三人一组", 3), ("两人为主，需要时三人", MIXED)):
            self.size_combo.addItem(self.tr(text), size)
        self.previous_combo = QComboBox()
        for text, mode in (("不考虑上轮搭档", "ignore"), ("保留上轮搭档", "keep"), ("轮换搭档", "rotate")):
            self.previous_combo.addItem(self.tr(text), mode)
        self.form_button = QPushButton(self.tr("组建队伍"))
        self.form_button.clicked.connect(lambda: self.start_forming())
        self.area_combo = QComboBox()
        self.area_combo.setToolTip(
            self.tr("划分范围：全部（先按工作量把队伍分到各村/社区），或只划分一个村/社区")
        )
        self.split_button = QPushButton(self.tr("自动划分片区"))
        self.split_button.clicked.connect(lambda: self.start_split())
        self.assign_button = QPushButton(self.tr("分配所选对象给队伍"))
        self.assign_button.clicked.connect(self.assign_selected)
        self.unassign_button = QPushButton(self.tr("取消所选对象的分配"))
        self.unassign_button.clicked.connect(lambda: self.assign_selected(unassign=True))

        defaults = FormationRules()
        self.weight_boxes: dict[str, QDoubleSpinBox] = {}
        weights = QGridLayout()  # three rules a line: the dock stays narrow on a 1366×768 screen
        weights.addWidget(QLabel(self.tr("权重")), 0, 0)
        for k, (fieldname, label) in enumerate(WEIGHTS):
            box = QDoubleSpinBox()
            box.setRange(0.0, 99.0)
            box.setSingleStep(0.5)
            box.setDecimals(1)
            box.setValue(getattr(defaults, fieldname))
            box.setToolTip(self.tr("{rule}规则的权重（0 = 不考虑）").format(rule=self.tr(label)))
            self.weight_boxes[fieldname] = box
            weights.addWidget(QLabel(self.tr(label)), k // 3, 1 + 2 * (k % 3))
            weights.addWidget(box, k // 3, 2 + 2 * (k % 3))
        weights.setColumnStretch(7, 1)

        top = QHBoxLayout()
        top.addWidget(self.size_combo)
        top.addWidget(self.previous_combo)
        top.addWidget(self.form_button)
        top.addStretch(1)
        split = QHBoxLayout()
        split.addWidget(self.area_combo)
        split.addWidget(self.split_button)
        split.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.assign_button)
        actions.addWidget(self.unassign_button)
        actions.addStretch(1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setItemDelegateForColumn(BAR_COLUMN, BalanceBarDelegate(self.table))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(BAR_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(40)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.balance_label = QLabel()
        self.report_label = QLabel()
        self.report_label.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(split)
        lay.addLayout(weights)
        lay.addLayout(actions)
        lay.addWidget(self.table)
        lay.addWidget(self.balance_label)
        lay.addWidget(self.report_label)

        ctx.round_changed.connect(lambda _rid: self.reload_later())
        ctx.data_changed.connect(self.reload_later)
        ctx.map_loaded.connect(self.draw_overlay)

    # -- data ------------------------------------------------------------------------------
    @staticmethod
    def _read(store, rid, rules=None, progress=None) -> dict:
        """The round's workloads, assignments, members and villages (runs in a worker too)."""
        if store is None or rid is None:
            return {"rid": rid, "workloads": [], "assigned": {}, "members": {}, "areas": None, "report": {}}
        assigned, areas = round_assignments(store, rid)
        return {
            "rid": rid,
            "workloads": team_workloads(store, rid),
            "assigned": assigned,
            "members": round_team_members(store, rid),
            "areas": areas,
            "report": round_team_report(store, rid, rules),
        }

    def reload(self) -> None:
        """Re-read the round's teams, workloads and assignments now (after the user's own edits)."""
        self._generation = getattr(self, "_generation", 0) + 1
        self._apply(
            self._read(self.ctx.store, self.ctx.current_round_id, self.current_rules()),
            self._generation,
        )

    def reload_later(self) -> None:
        """Re-read off the UI thread (round switched, data changed elsewhere): the window never stalls.

        Calls in one turn of the event loop (the round and the data announced together) make one read."""
        if not getattr(self, "_reload_queued", False):
            self._reload_queued = True
            QTimer.singleShot(0, self._reload_queued_now)

    def _reload_queued_now(self) -> None:
        self._reload_queued = False
        w = self.ctx
        self._generation = generation = getattr(self, "_generation", 0) + 1
        if w.store is None or w.current_round_id is None:
            self._apply(self._read(None, None), generation)
            return
        w.run_task(
            self._read, w.store, w.current_round_id, self.current_rules(), title="读取走访小组",
            on_result=lambda data: self._apply(data, generation),
        )  # fmt: skip

    def _apply(self, data: dict, generation: int) -> None:
        if generation != self._generation or data["rid"] != self.ctx.current_round_id:
            return  # a newer read was asked for meanwhile: this one is stale
        self.workloads, self.assigned = data["workloads"], data["assigned"]
        if data["areas"] is not None:
            self.members = data["members"]
            self.reports = data["report"]
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
        self.area_combo.addItem(self.tr("全部村/社区"), None)
        for code, name in zip(rows["code"], rows["name"], strict=True):
            self.area_combo.addItem(name, code)
        i = self.area_combo.findData(current)
        self.area_combo.setCurrentIndex(max(i, 0))
        self.area_combo.blockSignals(False)

    def team_ids(self) -> list[int]:
        return [wl.team_id for wl in self.workloads if wl.team_id is not None]

    def unassigned_ids(self) -> np.ndarray:
        """Sorted ids of the round's targets without a team (kept until `assigned` is replaced)."""
        cached = getattr(self, "_unassigned", None)
        if cached is None or cached[0] is not self.assigned:
            ids = np.fromiter(self.assigned.keys(), np.int64, len(self.assigned))
            teams = np.array([np.nan if t is None else t for t in self.assigned.values()], float)
            cached = (self.assigned, np.sort(ids[np.isnan(teams)]))
            self._unassigned = cached
        return cached[1]

    def _fill_table(self) -> None:
        loads = self.workloads
        teams = [wl for wl in loads if wl.team_id is not None]
        hours = [wl.hours for wl in teams]
        top = max(hours, default=0.0)
        worked = [h for h in hours if h > 0]
        spread = max(worked) / min(worked) if worked else 1.0
        mean = float(np.mean(worked)) if worked else 0.0
        out_of_band = bool(worked) and (max(worked) > mean * 1.1 or min(worked) < mean * 0.9)
        # 第2组 before 第10组; the unassigned row last
        loads = sorted(loads, key=lambda wl: (wl.team_id is None, natural_key(wl.name or "")))
        self.table.setRowCount(len(loads))
        members = self.members
        reports = getattr(self, "reports", {})
        for r, wl in enumerate(loads):
            rep = reports.get(wl.team_id)
            if rep is not None and rep.members:
                who = "、".join(m.name + ("（组长）" if m.leader else "") for m in rep.members)
                gender = "、".join(m.gender for m in rep.members)
                band = "、".join(m.band for m in rep.members)
                local = "、".join("本地" if m.local else "外地" for m in rep.members)
                rules = "、".join("×" + RULE_ZH.get(x, x) for x in rep.failed) or "√ 全部满足"
                shared = "" if rep.shared is None else str(rep.shared)
            else:
                who = "、".join(members.get(wl.team_id, [])) if wl.team_id is not None else "（未分配对象）"
                gender = band = local = rules = shared = ""
            cells = [
                wl.name,
                who,
                gender,
                band,
                local,
                rules,
                shared,
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
                if rep is not None and c == 5:
                    item.setToolTip(
                        "满足：" + ("、".join(RULE_ZH.get(x, x) for x in rep.met) or "无")
                        + "\n未满足：" + ("、".join(RULE_ZH.get(x, x) for x in rep.failed) or "无")
                    )  # fmt: skip
                    if rep.failed:
                        item.setForeground(QBrush(QColor("#b2182b")))
                if rep is not None and c == 6 and rep.shared_labels:
                    item.setToolTip("全组都能走访的时段：\n" + "\n".join(rep.shared_labels))
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
            self.table.setItem(r, BAR_COLUMN, bar)
        if worked:
            flag = "超出 ±10%" if out_of_band else "在 ±10% 以内"
            self.balance_label.setText(
                self.tr(
                    "预计工时：最多 {hi}，最少 {lo}，最多/最少 = {r}（{flag}）；未分配对象 {n} 个"
                ).format(
                    hi=f"{max(worked):.1f}",
                    lo=f"{min(worked):.1f}",
                    r=f"{spread:.2f}",
                    flag=self.tr(flag),
                    n=len(self.unassigned_ids()),
                )  # fmt: skip
            )
        else:
            self.balance_label.setText(
                self.tr("尚未分配；未分配对象 {n} 个").format(n=len(self.unassigned_ids()))
            )

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
        w = self.ctx
        rid = w.current_round_id
        team_id = None if unassign else self.selected_team_id()
        if rid is None or (team_id is None and not unassign):
            self.report_label.setText(self.tr("请先在表中选择一个队伍"))
            return None
        ids = [int(t) for t in w.selection.ids if int(t) in self.assigned]
        skipped = len(w.selection.ids) - len(ids)
        if not ids:
            self.report_label.setText(self.tr("地图上没有选中本轮的走访对象"))
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
        w = self.ctx
        if w.store is None or w.current_round_id is None:
            return
        c = snap.replace_counts(w.store, w.current_round_id)
        if confirm and c["teams"]:
            text = f"本轮已有 {c['teams']} 个队伍、{c['assigned']} 个对象已分配"
            text += f"、{c['routes']} 条路线（{c['stops']} 个站点）" if c["routes"] else ""
            text += "。重新组建会替换这些队伍：已分配的对象变为未分配"
            text += "，路线被删除" if c["routes"] else ""
            text += "。\n可以用「编辑 → 撤销」恢复。继续吗？"
            if not confirm_replace(self, "重新组建队伍", text):
                return
        self.form_button.setEnabled(False)
        rules = self.current_rules()
        w.run_task(
            _form_with_snapshots, w.store, w.current_round_id, rules, title="组建队伍",
            on_result=lambda r: self._formed(r, rules), on_error=lambda *_: self.form_button.setEnabled(True),
        )  # fmt: skip

    def _formed(self, result, rules: FormationRules | None = None) -> None:
        stored, before, after = result
        self.form_button.setEnabled(True)
        res = stored.result
        lines = [f"组建 {len(res.teams)} 个队伍" + ("（最优）" if res.proven_optimal else "")]
        if rules is not None and rules.previous != "ignore":
            what = "轮换" if rules.previous == "rotate" else "保留"
            if stored.previous_round_id is not None:
                from gisplanner.campaign.workflow import current_round

                lines.append(
                    f"{what}搭档对照的上一轮：{current_round(self.ctx.store, stored.previous_round_id)[1]}"
                )
            else:
                lines.append(f"没有上一轮的队伍可{what}")
        lines += res.notes
        self.reload()  # the official asked for this: show the new teams at once
        failing = failing_teams(getattr(self, "reports", {}))
        for u in res.unmet:
            names = failing.get(u.rule, [])
            lines.append(self._unmet_line(u) + (f"——{'、'.join(names)}" if names else ""))
        self.report_label.setText("\n".join(lines))
        self.ctx.undo_stack.push(
            SnapshotCommand(
                self.ctx,
                f"组建 {len(res.teams)} 个队伍",
                snap.restore_teams,
                before,
                after,
                done=self.reload,
            )  # fmt: skip
        )
        self.last_formation = stored
        self.ctx.data_changed.emit()  # other panels (routes, statistics) see the new teams

    @staticmethod
    def _unmet_line(u) -> str:
        return f"未满足「{RULE_ZH[u.rule]}」：{u.reason}"

    def start_split(self, confirm: bool = True) -> None:
        """自动划分片区: asks first when it would replace assignments (counted), undoable."""
        w = self.ctx
        if w.store is None or w.current_round_id is None:
            return
        code = self.area_combo.currentData()
        c = snap.replace_counts(w.store, w.current_round_id, code)
        if confirm and c["assigned"]:
            where = self.area_combo.currentText() if code is not None else "本轮"
            if not confirm_replace(
                self, "自动划分片区",
                f"{where}已有 {c['assigned']} 个对象分配给了队伍（包括在地图上手工分配的）。"
                "自动划分片区会替换这些分配。\n可以用「编辑 → 撤销」恢复。继续吗？",
            ):  # fmt: skip
                return
        self.split_button.setEnabled(False)
        w.run_task(
            _split_with_snapshots, w.store, w.current_round_id, code,
            title="划分片区", on_result=self._split_done, on_error=lambda *_: self.split_button.setEnabled(True),
        )  # fmt: skip

    def _split_done(self, result) -> None:
        split, before, after = result
        rid = self.ctx.current_round_id
        self.split_button.setEnabled(True)
        changed = sum(1 for t, team in after.items() if before.get(t) != team)
        self.report_label.setText(
            f"已划分片区：最多/最少 = {split.balance:.2f}，到片区中心平均 {split.mean_dist_to_centroid:.0f} 米；"
            f"{changed} 个对象的分配有变化（可撤销）"
        )
        self.ctx.undo_stack.push(
            SnapshotCommand(
                self.ctx,
                "自动划分片区",
                lambda store, s: snap.restore_assignment_snapshot(store, rid, s),
                before,
                after,
                done=self.reload,
            )  # fmt: skip
        )
        self.reload()
        self.ctx.data_changed.emit()

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
            self.ctx.show_status(f"该队伍已分配 {len(ids)} 个对象", 4000)

    # -- map overlay -----------------------------------------------------------------------
    # two layers of the map's overlay registry (shown, hidden and faded in the layer panel)
    UNASSIGNED_COLOUR, TEAM_COLOUR = "#e31a1c", "#ff8c00"

    def draw_overlay(self) -> None:
        """Ring the round's unassigned targets in red (layer 未分配对象)."""
        mw = self.ctx.map_widget
        self.overlay = mw.overlay_item(
            "unassigned", "未分配对象（本轮）", z=8.5, size=9, symbol="o",
            brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen(self.UNASSIGNED_COLOUR, width=1.4),
        )  # fmt: skip
        unassigned = self.unassigned_ids()
        if mw.data is None or len(unassigned) == len(self.assigned):
            # nothing assigned yet: ringing every target would bury the map; the panel says so
            self.overlay.setData(x=[], y=[])
            mw.set_layer_legend("unassigned", [])
            self._row_selected()
            return
        pos = mw.positions_of(unassigned)
        t = mw.data.targets
        self.overlay.setData(x=t["x"].to_numpy()[pos], y=t["y"].to_numpy()[pos])
        mw.set_layer_legend(
            "unassigned", [("ring", self.UNASSIGNED_COLOUR, "o", f"未分配对象（{len(pos)}）")]
        )
        self._row_selected()

    def _draw_team(self, ids: np.ndarray) -> None:
        """The team chosen in the table: its targets as orange squares (layer 所选队伍的片区)."""
        mw = self.ctx.map_widget
        self.team_overlay = mw.overlay_item(
            "team_territory", "所选队伍的片区", z=8.6, size=7, symbol="s",
            brush=pg.mkBrush(255, 140, 0, 170), pen=pg.mkPen("#7f3b08", width=0.8),
        )  # fmt: skip
        if mw.data is None or not len(ids):
            self.team_overlay.setData(x=[], y=[])
            mw.set_layer_legend("team_territory", [])
            return
        pos = mw.positions_of(ids)
        t = mw.data.targets
        self.team_overlay.setData(x=t["x"].to_numpy()[pos], y=t["y"].to_numpy()[pos])
        team_id = self.selected_team_id()
        name = next((wl.name for wl in self.workloads if wl.team_id == team_id), "") or "未分配"
        mw.set_layer_legend("team_territory", [("symbol", self.TEAM_COLOUR, "s", f"{name}（{len(pos)}）")])

    def overlay_count(self) -> int:
        return 0 if self.overlay is None else len(self.overlay.data)


def install(ctx: PanelContext) -> None:
    mw = ctx.map_widget
    if getattr(mw, "selection_model", None) is None:
        # the map's rectangle / lasso / area tools feed the window's selection (what we assign)
        mw.set_selection_model(ctx.selection)
    panel = TeamsPanel(ctx)
    ctx.panels.teams = panel
    dock = ctx.add_dock(panel, "走访小组")
    action = ctx.menus["走访轮次"].addAction("组建队伍")

    def run():
        dock.show()
        dock.raise_()
        panel.start_forming()

    action.triggered.connect(run)
    ctx.panels.teams_form_action = action
