"""Live updates in the window: a thread listens for the server's change notices
(:mod:`gisplanner.store.live`) and, debounced, refreshes only what the changed tables feed — the
problems list for problems, the round list and teams for rounds and assignments, the map (and
with it every panel) for targets, areas and visits. Notices of the window's own changes are
skipped (it has refreshed already). No polling: the thread sleeps on the connection.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from gisplanner.store import live

log = logging.getLogger(__name__)
DEBOUNCE_MS = 300  # a burst of saves is one refresh
MAP_TABLES = {"target", "area", "visit", "road"}
PROBLEM_TABLES = {"problem", "problem_event"}
ROUND_TABLES = {"round", "visit_session", "session_team", "team", "team_member", "assignment", "route",
                "route_stop"}  # fmt: skip


class _ListenThread(QThread):
    changed = Signal(object)  # a list of live.Change

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.listener: live.Listener | None = None

    def run(self) -> None:
        try:
            self.listener = live.Listener(self.store)
        except Exception as e:  # noqa: BLE001 - no live updates, the window still works
            log.warning("live updates unavailable: %s", e)
            return
        try:
            while not self.isInterruptionRequested():
                batch = list(self.listener.wait(0.5))
                if batch:
                    self.changed.emit(batch)
        except Exception as e:  # noqa: BLE001 - connection lost: stop listening, say so in the log
            log.warning("live updates stopped: %s", e)
        finally:
            self.listener.close()


class LiveUpdates(QObject):
    """Attached to a main window while it shows a shared database."""

    refreshed = Signal(object)  # the set of tables a refresh was made for

    def __init__(self, window, store):
        super().__init__(window)
        self.window, self.store = window, store
        self.own = live.own_backend_pids(store)
        self.pending: dict[str, set | None] = {}  # table -> ids (None: many)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._flush)
        self.thread = _ListenThread(store, self)
        self.thread.changed.connect(self._changed)
        self.thread.start()

    def _changed(self, batch) -> None:
        for ch in batch:
            if ch.pid in self.own:
                continue
            have = self.pending.get(ch.table, set())
            self.pending[ch.table] = None if have is None or ch.ids is None else have | set(ch.ids)
        if self.pending and not self.timer.isActive():
            self.timer.start()

    def _flush(self) -> None:
        if self.window.store is not self.store:
            self.pending.clear()
            return
        tables, self.pending = set(self.pending), {}
        w = self.window
        if tables & MAP_TABLES:
            w.refresh()  # the map, and after it every panel (dataChanged)
        else:
            if tables & PROBLEM_TABLES and w.panels.problems is not None:
                w.panels.problems.reload()
            if tables & ROUND_TABLES:
                rid = w.current_round_id  # keep the user's round current
                w.select_round(rid) if rid is not None else w._reload_rounds()
                teams = w.panels.teams
                if teams is not None:
                    teams.reload()
        self.refreshed.emit(tables)

    def stop(self) -> None:
        self.timer.stop()
        self.thread.requestInterruption()
        self.thread.wait(3000)


def attach(window, store) -> LiveUpdates | None:
    """Start listening for the window's database (stops listening to the previous one)."""
    detach(window)
    if store is None or not live.supported(store):
        return None
    window.live_updates = LiveUpdates(window, store)
    return window.live_updates


def detach(window) -> None:
    lu = getattr(window, "live_updates", None)
    if lu is not None:
        lu.stop()
        lu.deleteLater()
        window.live_updates = None
