"""KITOS sync: high-water marks, sync runs, and where an assignment came from

Revision ID: 0101_kitos
Revises: 0100_directory
Create Date: 2026-12-02 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0101_kitos'
down_revision: str | Sequence[str] | None = '0100_directory'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kitos_high_water',
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('mark', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entity_type', name=op.f('pk_kitos_high_water'))
    )
    op.create_table('kitos_sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('conflicts', sa.JSON(), nullable=False),
    sa.Column('unmapped_roles', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kitos_sync_runs'))
    )
    op.create_index(op.f('ix_kitos_sync_runs_started_at'), 'kitos_sync_runs', ['started_at'], unique=False)
    with op.batch_alter_table('role_assignments') as batch_op:
        batch_op.add_column(sa.Column('source_ref', sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('role_assignments') as batch_op:
        batch_op.drop_column('source_ref')
    op.drop_index(op.f('ix_kitos_sync_runs_started_at'), table_name='kitos_sync_runs')
    op.drop_table('kitos_sync_runs')
    op.drop_table('kitos_high_water')
