"""CHECK constraints on the vocabulary columns: visit.outcome, problem.status, round.kind and
round.status, target.kind take only the values of gisplanner.store.vocab. On SQLite, visit_session
also gets the two CHECKs that 0002 could add on PostgreSQL only (kind, "end" > start).

Rows with a value outside the vocabulary stop the upgrade with a message naming table, column,
value and how many rows (nothing is changed: the upgrade runs in one transaction). On SQLite
the tables are rebuilt (batch mode copies rows and indexes; none of these tables has triggers);
the store turns foreign keys off around the migration so that dropping the old ``round`` table
cannot cascade into its sessions and teams, and checks them all before committing.

Revision ID: 0008_checks
Revises: 0007_offices
"""

import sqlalchemy as sa
from alembic import op

from gisplanner.store.database import StoreError

revision = "0008_checks"
down_revision = "0007_offices"
branch_labels = None
depends_on = None

# table -> (constraint name suffix, column, allowed values); the values are written out here
# (not read from gisplanner.store.vocab) so that this migration means the same thing forever
CHECKS = {
    "target": [("kind", "kind", ("household", "enterprise", "notable"))],
    "round": [
        ("kind", "kind", ("regular", "makeup", "priority", "return")),
        ("status", "status", ("planning", "running", "closed")),
    ],
    "visit": [("outcome", "outcome", ("met", "not_home", "refused", "moved", "phone"))],
    "problem": [
        ("status", "status", ("open", "assigned", "in_progress", "resolved", "explained", "rectification"))
    ],
}


# what 0002 added on PostgreSQL only
SQLITE_SESSION_CHECKS = [
    ("kind", "kind IN ('evening', 'weekend', 'workday')"),
    ("times", '"end" > start'),
]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UnknownValuesError(StoreError):
    """Stored values outside the vocabulary: the constraints cannot be added."""


def _refuse_unknown(bind) -> None:
    bad = []
    for table, checks in CHECKS.items():
        for _name, column, values in checks:
            rows = bind.execute(
                sa.text(
                    f"SELECT {column}, count(*) FROM {table} WHERE {column} IS NULL OR NOT ({_in(column, values)}) "
                    f"GROUP BY {column} ORDER BY {column}"
                )
            ).all()
            bad += [f"{table}.{column} = {v!r}：{n} 行" for v, n in rows]
    if bind.dialect.name == "sqlite":
        for name, cond in SQLITE_SESSION_CHECKS:
            n = bind.execute(sa.text(f"SELECT count(*) FROM visit_session WHERE NOT ({cond})")).scalar()
            if n:
                bad.append(f"visit_session 不满足 {cond}（ck_visit_session_{name}）：{n} 行")
    if bad:
        raise UnknownValuesError(
            "数据库中有不认识的取值，无法加上取值约束（未做任何改动）：" + "；".join(bad)
            + "。请先改正这些记录（可用的取值见 gisplanner/store/vocab.py）。"
        )


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_unknown(bind)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, values in checks:
                batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), _in(column, values))
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table("visit_session", schema=None) as batch_op:
            for name, cond in SQLITE_SESSION_CHECKS:
                batch_op.create_check_constraint(op.f(f"ck_visit_session_{name}"), cond)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("visit_session", schema=None) as batch_op:
            for name, _cond in SQLITE_SESSION_CHECKS:
                batch_op.drop_constraint(op.f(f"ck_visit_session_{name}"), type_="check")
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _column, _values in checks:
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
