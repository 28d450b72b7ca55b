"""unit merges: org_unit.merged_into_id, org_unit.merged_at

Revision ID: c4a7e2d19f30
Revises: 929d14d59753
Create Date: 2026-12-02 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e2d19f30'
down_revision = '929d14d59753'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_org_unit_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key('fk_org_unit_merged_into_id_org_unit', 'org_unit', ['merged_into_id'], ['id'],
                                    ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_constraint('fk_org_unit_merged_into_id_org_unit', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_org_unit_merged_into_id'))
        batch_op.drop_column('merged_at')
        batch_op.drop_column('merged_into_id')
