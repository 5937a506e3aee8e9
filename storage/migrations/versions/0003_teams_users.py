"""teams users: each user's Teams id by Entra object id (a card's refresh.userIds)

Revision ID: 0003_teams_users
Revises: 0002_access
Create Date: 2026-12-02 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0003_teams_users'
down_revision: str | Sequence[str] | None = '0002_access'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('teams_users',
    sa.Column('aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=256), nullable=False),
    sa.Column('last_seen', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('aad_object_id', name=op.f('pk_teams_users'))
    )
    op.create_index(op.f('ix_teams_users_user_id'), 'teams_users', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_teams_users_user_id'), table_name='teams_users')
    op.drop_table('teams_users')
