"""Several offices on one database: who saved a row last (conflict dialogs), and on PostgreSQL
a NOTIFY after every change of the main tables (live updates in open windows).

Revision ID: 0007_offices
Revises: 0005_paper
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_offices"
down_revision = "0005_paper"
branch_labels = None
depends_on = None

VERSIONED = ("area", "target", "cadre", "round", "team", "problem")
# tables whose changes open windows hear about (gisplanner.store.live); statement-level triggers, so a
# bulk load of a million rows sends one notice, not a million
NOTIFIED = (
    "area", "target", "cadre", "cadre_leave", "round", "visit_session", "session_team", "team",
    "team_member", "assignment", "route", "route_stop", "visit", "problem", "problem_event",
)  # fmt: skip

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION gisplanner_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids jsonb;
  n bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT count(*), jsonb_agg(i) INTO n, ids FROM (SELECT to_jsonb(r) -> 'id' AS i FROM old_rows r LIMIT 201) x;
  ELSE
    SELECT count(*), jsonb_agg(i) INTO n, ids FROM (SELECT to_jsonb(r) -> 'id' AS i FROM new_rows r LIMIT 201) x;
  END IF;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  IF n > 200 THEN
    ids := NULL;  -- many rows: the listener reloads the whole table
  END IF;
  PERFORM pg_notify('gisplanner_changes', json_build_object(
    'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, 'op', TG_OP, 'ids', ids,
    'user', current_user)::text);
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_by", sa.String(length=63), nullable=True))
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NOTIFY_FUNCTION)
    for table in NOTIFIED:
        for suffix, event, ref in (
            ("ins", "INSERT", "NEW TABLE AS new_rows"),
            ("upd", "UPDATE", "NEW TABLE AS new_rows"),
            ("del", "DELETE", "OLD TABLE AS old_rows"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS gisplanner_notify_{suffix} ON {table}")
            op.execute(
                f"CREATE TRIGGER gisplanner_notify_{suffix} AFTER {event} ON {table} "
                f"REFERENCING {ref} FOR EACH STATEMENT EXECUTE FUNCTION gisplanner_notify()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in NOTIFIED:
            for suffix in ("ins", "upd", "del"):
                op.execute(f"DROP TRIGGER IF EXISTS gisplanner_notify_{suffix} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS gisplanner_notify()")
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
            batch_op.drop_column("updated_by")
