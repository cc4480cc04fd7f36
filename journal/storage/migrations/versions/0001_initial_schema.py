"""Initial schema: lab draws and results, workouts and sets, walks, glucose, questions, imports.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 04:20:17.370882
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('counts_json', sa.Text(), nullable=False),
    sa.Column('assumptions', sa.Text(), nullable=True),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_sha256'), ['sha256'], unique=False)

    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('include', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question'))
    )
    op.create_table('glucose_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('device', sa.Text(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_glucose_reading_batch_id_import_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glucose_reading'))
    )
    with op.batch_alter_table('glucose_reading', schema=None) as batch_op:
        batch_op.create_index('ix_glucose_reading_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_glucose_reading_batch_id'), ['batch_id'], unique=False)

    op.create_table('lab_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drawn_at', sa.Integer(), nullable=False),
    sa.Column('fasting', sa.String(length=8), nullable=False),
    sa.Column('hours_fasted', sa.Float(), nullable=True),
    sa.Column('lab_name', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_lab_draw_batch_id_import_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_draw'))
    )
    with op.batch_alter_table('lab_draw', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_draw_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_draw_drawn_at'), ['drawn_at'], unique=False)

    op.create_table('post_meal_walk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meal', sa.String(length=12), nullable=False),
    sa.Column('meal_ended_at', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.Integer(), nullable=False),
    sa.Column('duration_min', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('pace_kmh', sa.Float(), nullable=True),
    sa.Column('distance_km', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_post_meal_walk_batch_id_import_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_meal_walk'))
    )
    with op.batch_alter_table('post_meal_walk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_meal_walk_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_meal_walk_started_at'), ['started_at'], unique=False)

    op.create_table('workout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.Integer(), nullable=False),
    sa.Column('duration_min', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('activity', sa.Text(), nullable=True),
    sa.Column('rpe', sa.Integer(), nullable=True),
    sa.Column('avg_hr', sa.Integer(), nullable=True),
    sa.Column('max_hr', sa.Integer(), nullable=True),
    sa.Column('distance_km', sa.Float(), nullable=True),
    sa.Column('energy_kcal', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_workout_batch_id_import_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workout'))
    )
    with op.batch_alter_table('workout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workout_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workout_started_at'), ['started_at'], unique=False)

    op.create_table('lab_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('analyte', sa.String(length=40), nullable=False),
    sa.Column('loinc', sa.String(length=16), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('ref_low', sa.Float(), nullable=True),
    sa.Column('ref_high', sa.Float(), nullable=True),
    sa.Column('ref_text', sa.Text(), nullable=True),
    sa.Column('flag', sa.String(length=8), nullable=True),
    sa.Column('reported_name', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['draw_id'], ['lab_draw.id'], name=op.f('fk_lab_result_draw_id_lab_draw'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_result'))
    )
    with op.batch_alter_table('lab_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_result_analyte'), ['analyte'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_result_draw_id'), ['draw_id'], unique=False)

    op.create_table('resistance_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workout_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('exercise', sa.Text(), nullable=False),
    sa.Column('sets', sa.Integer(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('load', sa.Float(), nullable=True),
    sa.Column('load_unit', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['workout_id'], ['workout.id'], name=op.f('fk_resistance_set_workout_id_workout'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resistance_set'))
    )
    with op.batch_alter_table('resistance_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resistance_set_workout_id'), ['workout_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('resistance_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resistance_set_workout_id'))

    op.drop_table('resistance_set')
    with op.batch_alter_table('lab_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_result_draw_id'))
        batch_op.drop_index(batch_op.f('ix_lab_result_analyte'))

    op.drop_table('lab_result')
    with op.batch_alter_table('workout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workout_started_at'))
        batch_op.drop_index(batch_op.f('ix_workout_batch_id'))

    op.drop_table('workout')
    with op.batch_alter_table('post_meal_walk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_meal_walk_started_at'))
        batch_op.drop_index(batch_op.f('ix_post_meal_walk_batch_id'))

    op.drop_table('post_meal_walk')
    with op.batch_alter_table('lab_draw', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_draw_drawn_at'))
        batch_op.drop_index(batch_op.f('ix_lab_draw_batch_id'))

    op.drop_table('lab_draw')
    with op.batch_alter_table('glucose_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_glucose_reading_batch_id'))
        batch_op.drop_index('ix_glucose_reading_at')

    op.drop_table('glucose_reading')
    op.drop_table('question')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_sha256'))

    op.drop_table('import_batch')

