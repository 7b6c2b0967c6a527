"""Exceptions that modules on both sides of a dependency raise: here, with no imports of their own.

`StoreError` lived in store.py, which made pg.py (which the store uses for COPY and PostGIS)
import the store back to raise it; both now take it from here, and store.py re-exports it.
"""

from __future__ import annotations


class StoreError(RuntimeError):
    """A database problem explained for the user (in Chinese), with the technical detail logged."""
