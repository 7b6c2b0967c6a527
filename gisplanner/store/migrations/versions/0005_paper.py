"""visit: who visited, the appointment for the next visit (约定回访时间), the sheet code it came from

Revision ID: 0005_paper
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_paper"
down_revision = "0004_geo"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visitors", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("appointment_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("stop_code", sa.String(length=12), nullable=True))
        batch_op.create_index("ix_visit_round_stop", ["round_id", "target_id", "stop_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_round_stop")
        batch_op.drop_column("stop_code")
        batch_op.drop_column("appointment_at")
        batch_op.drop_column("visitors")
