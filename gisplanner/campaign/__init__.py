"""The visiting campaign: rounds and their sessions (schedule, calendar, working days), targets, coverage, visit results, problems, appointments and where the office stands in the loop (workflow)."""
