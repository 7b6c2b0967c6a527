"""Signed in to a shared database: the status bar says who, as what role and where, and the
window greys out what the role may not do. The limits themselves live in the core
(:mod:`gisplanner.access.roles`, checked at every write) and on the server (grants, row-level
security); this only spares the user buttons that would be refused."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from gisplanner.access import roles

# panel (a field of window.panels) -> (widget attributes, action they need)
PANEL_WIDGETS = {
    "teams": (("form_button", "split_button", "assign_button", "unassign_button"), "plan.edit"),
    "plan": (("plan_button",), "plan.edit"),
}
MENUS = {"走访轮次": "plan.edit"}


def apply_role(window) -> roles.Binding | None:
    """Show the binding and enable only what it allows (every right on a SQLite file)."""
    store = window.store
    if store is None:
        return None
    b = roles.current(store)
    label = getattr(window, "_signin_label", None)
    if label is None:
        label = QLabel()
        label.setObjectName("signinLabel")
        window.statusBar().addPermanentWidget(label)
        window._signin_label = label
    label.setText("" if b.single_user else window.tr("登录：") + b.describe())
    label.setVisible(not b.single_user)
    for panel_name, (names, action) in PANEL_WIDGETS.items():
        panel = getattr(window.panels, panel_name, None)
        for name in names:
            w = getattr(panel, name, None)
            if w is not None:
                w.setEnabled(b.allows(action))
                w.setToolTip("" if b.allows(action) else window.tr("您的角色不能进行此操作"))
    menus = getattr(window, "menus", {})
    for title, action in MENUS.items():
        menu = menus.get(title)
        if menu is not None:
            for act in menu.actions():
                act.setEnabled(b.allows(action))
    if not b.single_user:  # problem events and visits are recorded under the signed-in user
        for name in ("problems", "results"):
            panel = getattr(window.panels, name, None)
            if panel is not None and hasattr(panel, "actor"):
                panel.actor = b.user
    problems = window.panels.problems
    if problems is not None:
        problems._apply_role()
    return b
