"""derived village outlines; longer road kinds (OpenStreetMap highway classes), road source

Revision ID: 0004_geo
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_geo"
down_revision = "0002_rounds_calendar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("derived", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("road", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=10), type_=sa.String(length=30))
        batch_op.add_column(sa.Column("source", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("road", schema=None) as batch_op:
        batch_op.drop_column("source")
        batch_op.alter_column("kind", existing_type=sa.String(length=30), type_=sa.String(length=10))
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_column("derived")
