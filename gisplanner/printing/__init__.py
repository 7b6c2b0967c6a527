"""Printing with Qt's painter: page layouts (QPainter on QPdfWriter or QPrinter), batch PDF, the
summary report PDF.

The data comes from :mod:`gisplanner.reporting.printouts` (plain Python); this package only lays it out on
A4/A3 paper. It may import PySide6.QtGui/QtCore (the painter, the PDF writer) but never
QtWidgets nor :mod:`gisplanner.ui` (import-linter contracts in pyproject.toml), so the CLI prints
without the UI. The preview dialog, a widget, is :mod:`gisplanner.ui.printing.preview`.
"""
