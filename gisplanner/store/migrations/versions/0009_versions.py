"""Visit sessions get a version and who/when saved them last: the session calendar saves a moved,
re-marked or removed session only if it is still the version the user opened (optimistic locking,
gisplanner.concurrency), and a conflict shows who changed it and when.

Revision ID: 0009_versions
Revises: 0008_checks
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_versions"
down_revision = "0008_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visit_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=63), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visit_session", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("updated_by")
        batch_op.drop_column("version")
