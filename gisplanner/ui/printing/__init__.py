"""The print preview dialog (widgets). The layouts it shows are :mod:`gisplanner.printing`."""
