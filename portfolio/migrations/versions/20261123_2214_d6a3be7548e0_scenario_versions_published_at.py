"""scenario versions published at: a new upload is a draft until the admin publishes it

Revision ID: d6a3be7548e0
Revises: 0183acde78d1
Create Date: 2026-11-23 22:14:56.016361

"""
from alembic import op
import sqlalchemy as sa

import portfolio.db


# revision identifiers, used by Alembic.
revision = 'd6a3be7548e0'
down_revision = '0183acde78d1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_versions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('published_at', portfolio.db.UTCDateTime(timezone=True), nullable=True)
        )
    # Until now every version went live as it was stored: each version of a published scenario
    # was live, and so was any version a case or an exercise began on. The rest (uploads never
    # published) stay drafts.
    versions = sa.table(
        'scenario_versions',
        sa.column('id', sa.Integer),
        sa.column('scenario_id', sa.Integer),
        sa.column('created_at', portfolio.db.UTCDateTime(timezone=True)),
        sa.column('published_at', portfolio.db.UTCDateTime(timezone=True)),
    )
    scenarios = sa.table('scenarios', sa.column('id', sa.Integer), sa.column('published', sa.Boolean))
    cases = sa.table('cases', sa.column('scenario_version_id', sa.Integer))
    exercises = sa.table('exercises', sa.column('scenario_version_id', sa.Integer))
    op.execute(
        versions.update()
        .where(
            sa.or_(
                versions.c.scenario_id.in_(
                    sa.select(scenarios.c.id).where(scenarios.c.published == sa.true())
                ),
                versions.c.id.in_(sa.select(cases.c.scenario_version_id)),
                versions.c.id.in_(sa.select(exercises.c.scenario_version_id)),
            )
        )
        .values(published_at=versions.c.created_at)
    )


def downgrade():
    with op.batch_alter_table('scenario_versions', schema=None) as batch_op:
        batch_op.drop_column('published_at')
