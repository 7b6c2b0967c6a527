"""People who visit: the cadre roster, forming teams, splitting territories among them and reading the teams back (team_report)."""
