"""Printing with Qt: page layouts (QPainter on QPdfWriter or QPrinter), batch PDF, preview dialog.

The data comes from :mod:`gisplanner.reports`; this package only lays it out on A4 paper.
"""
