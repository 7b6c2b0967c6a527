"""The query layer: what the windows read and write, as functions of the core.

The UI never opens a session or writes SQL (``tests/test_ui_has_no_sql.py``): it calls these
functions, each of which opens its own session (one transaction) and returns plain data (dicts,
dataclasses, DataFrames), never ORM rows bound to a closed session. One module per concept; the
rules stay in the domain modules (:mod:`gisplanner.campaign.rounds`, :mod:`gisplanner.campaign.problems` …) and
these only run them in a unit of work. Dialect differences and query-planner workarounds of
these reads live here, next to the queries.
"""
