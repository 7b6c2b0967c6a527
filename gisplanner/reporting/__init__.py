"""What the office reads: statistics, the dashboard, supervision, the web map, exports to files and the printouts as data (printouts/; rendering to PDF is gisplanner.printing)."""
