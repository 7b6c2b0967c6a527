"""gisplanner — a desktop GIS for door-to-door visit campaigns (大走访)."""

__version__ = "0.1.0"
