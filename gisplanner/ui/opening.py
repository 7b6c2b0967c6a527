"""Opening a database for the window: the user's own by default, and when it cannot be opened
the reason and the offer to restore one of its backups. Used at start (application) and by
File → open (main window), so neither imports the other."""

from __future__ import annotations

import logging

from gisplanner import paths
from gisplanner.store.database import Store, StoreError

log = logging.getLogger(__name__)


def open_user_store(db: str | None) -> tuple[Store | None, bool]:
    """Open the database (the user's own by default); returns (store, needs_demo).

    First start (no database of the user's own yet, or an empty one): (None, True) — the demo is
    then built into a temporary file and renamed into place (gisplanner.demo_file)."""
    if db is None:
        from gisplanner.demo_file import is_empty_database

        if is_empty_database(paths.default_database()):
            return None, True
    store = Store.open(db)  # the checked backup follows once the window is up (StartupBackup)
    needs_demo = db is None and store.is_empty()
    return store, needs_demo


def open_or_offer_restore(db: str | None, parent=None) -> tuple[Store, bool] | None:
    """Open the database; when it cannot be opened, say why and offer a restore from its backups."""
    from gisplanner.ui.dialogs.restore import offer_restore

    while True:
        try:
            return open_user_store(db)
        except Exception as e:  # noqa: BLE001 - StoreError explains; anything else is logged too
            log.exception("cannot open database %s", db)
            message = e if isinstance(e, StoreError) else f"{db or paths.default_database()}\n{e}"
            if not offer_restore(parent, db, StoreError(str(message))):
                return None
