"""rounds and calendar: session kinds and teams, cadre availability kinds and leave,
calendar overrides, round status planning/running/closed

Revision ID: 0002_rounds_calendar
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_rounds_calendar"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cadre_leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cadre_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=True),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_cadre_leave_leave_dates")),
        sa.ForeignKeyConstraint(
            ["cadre_id"], ["cadre.id"], name=op.f("fk_cadre_leave_cadre_id_cadre"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cadre_leave")),
    )
    with op.batch_alter_table("cadre_leave", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cadre_leave_cadre_id"), ["cadre_id"], unique=False)
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_table(
        "session_team",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["visit_session.id"],
            name=op.f("fk_session_team_session_id_visit_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_session_team_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "team_id", name=op.f("pk_session_team")),
    )
    with op.batch_alter_table("session_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_team_team_id"), ["team_id"], unique=False)

    # Tables other tables point at (cadre, visit_session) are altered with plain ALTER TABLE,
    # never rebuilt: SQLite's batch rebuild would drop them under foreign keys that are on.
    sqlite = op.get_bind().dialect.name == "sqlite"

    # cadres: the two availability flags become a list of session kinds. Weekday working hours
    # were open to every cadre before (only evenings and weekends were flagged), so every
    # migrated cadre keeps "workday".
    op.execute(
        "ALTER TABLE cadre ADD COLUMN avail_kinds VARCHAR(40) NOT NULL DEFAULT 'evening,weekend,workday'"
    )
    if sqlite:
        op.execute("ALTER TABLE cadre ADD COLUMN home_area_id INTEGER REFERENCES area (id)")
    else:
        op.execute("ALTER TABLE cadre ADD COLUMN home_area_id INTEGER")
        op.create_foreign_key(op.f("fk_cadre_home_area_id_area"), "cadre", "area", ["home_area_id"], ["id"])
    cadre = sa.table(
        "cadre",
        sa.column("avail_kinds", sa.String),
        sa.column("avail_weekday_evening", sa.Boolean),
        sa.column("avail_weekend", sa.Boolean),
    )
    ev, we = cadre.c.avail_weekday_evening, cadre.c.avail_weekend
    for e, w, kinds in (
        (True, False, "evening,workday"),
        (False, True, "weekend,workday"),
        (False, False, "workday"),
    ):
        op.execute(
            cadre.update().where(ev.is_(sa.true()) if e else ev.is_(sa.false()))
            .where(we.is_(sa.true()) if w else we.is_(sa.false()))
            .values(avail_kinds=kinds)
        )  # fmt: skip
    op.execute("ALTER TABLE cadre DROP COLUMN avail_weekday_evening")
    op.execute("ALTER TABLE cadre DROP COLUMN avail_weekend")

    # sessions: a kind, inferred for existing rows from their day and hour
    op.execute("ALTER TABLE visit_session ADD COLUMN kind VARCHAR(10) NOT NULL DEFAULT 'evening'")
    bind = op.get_bind()
    vs = sa.table(
        "visit_session",
        sa.column("id", sa.Integer),
        sa.column("start", sa.DateTime),
        sa.column("holiday", sa.Boolean),
        sa.column("kind", sa.String),
    )
    rows = bind.execute(sa.select(vs.c.id, vs.c.start, vs.c.holiday)).all()
    by_kind: dict[str, list[int]] = {"weekend": [], "workday": []}
    for sid, start, holiday in rows:
        if holiday or start.weekday() >= 5:
            by_kind["weekend"].append(sid)
        elif start.hour < 17:
            by_kind["workday"].append(sid)
    for kind, ids in by_kind.items():
        for i in range(0, len(ids), 500):
            bind.execute(vs.update().where(vs.c.id.in_(ids[i : i + 500])).values(kind=kind))
    if not sqlite:  # SQLite cannot add a CHECK to an existing table without rebuilding it
        op.create_check_constraint(
            op.f("ck_visit_session_kind"), "visit_session", "kind IN ('evening', 'weekend', 'workday')"
        )
        op.create_check_constraint(op.f("ck_visit_session_times"), "visit_session", '"end" > start')

    # round status: planning / running / closed (was planning / active / finished)
    rnd = sa.table("round", sa.column("status", sa.String))
    op.execute(rnd.update().where(rnd.c.status == "active").values(status="running"))
    op.execute(rnd.update().where(rnd.c.status == "finished").values(status="closed"))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    rnd = sa.table("round", sa.column("status", sa.String))
    op.execute(rnd.update().where(rnd.c.status == "running").values(status="active"))
    op.execute(rnd.update().where(rnd.c.status == "closed").values(status="finished"))
    if not sqlite:
        op.drop_constraint("ck_visit_session_times", "visit_session", type_="check")
        op.drop_constraint("ck_visit_session_kind", "visit_session", type_="check")
    op.execute("ALTER TABLE visit_session DROP COLUMN kind")
    op.execute("ALTER TABLE cadre ADD COLUMN avail_weekday_evening BOOLEAN NOT NULL DEFAULT true")
    op.execute("ALTER TABLE cadre ADD COLUMN avail_weekend BOOLEAN NOT NULL DEFAULT true")
    cadre = sa.table(
        "cadre",
        sa.column("avail_kinds", sa.String),
        sa.column("avail_weekday_evening", sa.Boolean),
        sa.column("avail_weekend", sa.Boolean),
    )
    op.execute(
        cadre.update().values(
            avail_weekday_evening=cadre.c.avail_kinds.contains("evening"),
            avail_weekend=cadre.c.avail_kinds.contains("weekend"),
        )
    )
    if not sqlite:
        op.drop_constraint("fk_cadre_home_area_id_area", "cadre", type_="foreignkey")
    op.execute("ALTER TABLE cadre DROP COLUMN home_area_id")
    op.execute("ALTER TABLE cadre DROP COLUMN avail_kinds")
    op.drop_table("session_team")
    op.drop_table("calendar_day")
    op.drop_table("cadre_leave")
