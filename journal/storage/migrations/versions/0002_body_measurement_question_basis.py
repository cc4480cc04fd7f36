"""Body measurements (weight, waist), the data behind a drafted question, imported questions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 06:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('body_measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_body_measurement_batch_id_import_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_body_measurement'))
    )
    with op.batch_alter_table('body_measurement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_body_measurement_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_body_measurement_batch_id'), ['batch_id'], unique=False)

    # The foreign key makes Alembic rebuild the table (copy, drop, rename); the copy keeps
    # every question, and foreign keys are off while revisions run.
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_question_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_question_batch_id_import_batch'), 'import_batch', ['batch_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:

    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_batch_id_import_batch'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_question_batch_id'))
        batch_op.drop_column('batch_id')
        batch_op.drop_column('basis')

    with op.batch_alter_table('body_measurement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_body_measurement_batch_id'))
        batch_op.drop_index(batch_op.f('ix_body_measurement_at'))

    op.drop_table('body_measurement')
