"""Schema upgrades keep every row, back up first, roll back completely, and refuse newer files."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm import Session

from journal.domain.entities import BodyMeasurement, Question
from journal.storage.backup import integrity_ok, list_backups
from journal.storage.database import MigrationFailedError, open_journal
from journal.storage.migrate import JournalTooNewError, alembic_config, head_revision
from journal.storage.models import Base, BodyMeasurementRow, ImportBatchRow, QuestionRow
from journal.storage.repositories import (
    fill_body_measurement_row,
    fill_question_row,
    list_body_measurements,
    question_from_row,
)
from tests.storage.helpers import (
    FIRST_REVISION,
    REALISTIC_ROWS,
    TEST_REVISION,
    USER_TABLES,
    build_journal_at,
    columns_of,
    dump,
    insert_rows,
    journal_query,
    raw_connection,
    raw_query,
    sha256,
    snapshot,
    write_revision,
)

# What a typical future revision does: a new nullable column on a table that other tables point
# at, and a new table. "always" rebuilds lab_draw (copy, DROP, rename), which is what Alembic
# does on SQLite for any alter_column, drop_column or constraint change.
ADD_SPECIMEN = """
with op.batch_alter_table("lab_draw", recreate={recreate!r}) as batch_op:
    batch_op.add_column(sa.Column("specimen", sa.Text(), nullable=True))
op.create_table(
    "lab_attachment",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column(
        "draw_id",
        sa.Integer(),
        sa.ForeignKey("lab_draw.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("file_name", sa.Text(), nullable=False),
)
"""
FAIL_HALFWAY = 'raise RuntimeError("simulated failure halfway through the upgrade")'


def _old_journal_with_rows(data_dir: Path) -> tuple[Path, dict[str, list[str]]]:
    database = build_journal_at(data_dir, FIRST_REVISION)
    insert_rows(database, REALISTIC_ROWS)
    old = partial(raw_query, database)
    columns = {table: columns_of(old, table) for table in USER_TABLES}
    assert snapshot(old, columns) == REALISTIC_ROWS  # the fixture itself went in as written
    return database, columns


@pytest.mark.parametrize("recreate", ["auto", "always"])
def test_upgrade_keeps_every_row_and_backs_up_first(
    tmp_path: Path, data_dir: Path, umask_022: None, recreate: str
) -> None:
    _database, columns = _old_journal_with_rows(data_dir)
    versions = tmp_path / "versions"
    write_revision(versions, ADD_SPECIMEN.format(recreate=recreate), doc="add lab_draw.specimen")
    config = alembic_config(extra_versions=versions)

    with open_journal(data_dir, migrations=config) as opened:
        query = partial(journal_query, opened)
        assert snapshot(query, columns) == REALISTIC_ROWS
        assert "specimen" in columns_of(query, "lab_draw")
        assert query("SELECT specimen FROM lab_draw") == [(None,), (None,)]
        assert query("SELECT count(*) FROM lab_attachment") == [(0,)]
        assert query("SELECT version_num FROM alembic_version") == [(TEST_REVISION,)]
        assert query("PRAGMA integrity_check") == [("ok",)]
        assert query("PRAGMA foreign_key_check") == []
        assert query("PRAGMA foreign_keys") == [(1,)]  # back on for the app after the upgrade
        backup = opened.backup_before_upgrade

    assert backup is not None
    assert list_backups(data_dir / "backups") == [backup]
    assert integrity_ok(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    in_backup = partial(raw_query, backup)
    assert snapshot(in_backup, columns) == REALISTIC_ROWS
    assert in_backup("SELECT version_num FROM alembic_version") == [(FIRST_REVISION,)]
    assert "specimen" not in columns_of(in_backup, "lab_draw")  # taken before the upgrade

    with open_journal(data_dir, migrations=config) as reopened:  # up to date: no second backup
        assert reopened.backup_before_upgrade is None
        assert snapshot(partial(journal_query, reopened), columns) == REALISTIC_ROWS
    assert list_backups(data_dir / "backups") == [backup]


@pytest.mark.parametrize("recreate", ["auto", "always"])
def test_failed_upgrade_leaves_the_file_exactly_as_it_was(
    tmp_path: Path, data_dir: Path, umask_022: None, recreate: str
) -> None:
    database, columns = _old_journal_with_rows(data_dir)
    before = dump(database)
    versions = tmp_path / "versions"
    body = ADD_SPECIMEN.format(recreate=recreate) + FAIL_HALFWAY
    write_revision(versions, body, doc="add a column and a table, then fail")

    with pytest.raises(MigrationFailedError, match="simulated failure"):
        open_journal(data_dir, migrations=alembic_config(extra_versions=versions))

    assert dump(database) == before  # schema, rows and alembic_version, statement for statement
    assert raw_query(database, "SELECT version_num FROM alembic_version") == [(FIRST_REVISION,)]
    (backup,) = list_backups(data_dir / "backups")
    assert integrity_ok(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert snapshot(partial(raw_query, backup), columns) == REALISTIC_ROWS

    with open_journal(data_dir) as opened:  # this build's own revisions: opens, nothing lost
        assert snapshot(partial(journal_query, opened), columns) == REALISTIC_ROWS


def test_an_upgrade_that_would_orphan_rows_is_rolled_back(tmp_path: Path, data_dir: Path) -> None:
    """Foreign keys are off while revisions run (a table rebuild would otherwise cascade-delete
    every child row), so ON DELETE CASCADE does not fire inside a migration. The check before
    COMMIT makes sure no revision leaves rows pointing at nothing."""
    database, _columns = _old_journal_with_rows(data_dir)
    before = dump(database)
    versions = tmp_path / "versions"
    write_revision(versions, 'op.execute("DELETE FROM lab_draw WHERE id = 1")', doc="orphans")

    with pytest.raises(MigrationFailedError, match=r"3 row\(s\) in lab_result"):
        open_journal(data_dir, migrations=alembic_config(extra_versions=versions))

    assert dump(database) == before


def test_a_journal_from_a_newer_version_is_refused_untouched(data_dir: Path) -> None:
    database = build_journal_at(data_dir)
    insert_rows(database, REALISTIC_ROWS)
    with raw_connection(database) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    long_ago = 1_600_000_000 * 10**9  # any write would move the mtime to now
    os.utime(database, ns=(long_ago, long_ago))
    digest = sha256(database)
    listing = sorted(path.name for path in data_dir.iterdir())

    for _attempt in range(2):  # the lock is released after a refusal: same answer again
        with pytest.raises(JournalTooNewError, match="newer version") as refused:
            open_journal(data_dir)
        assert refused.value.revision == "9999_future"

    assert sha256(database) == digest
    assert database.stat().st_mtime_ns == long_ago
    after = sorted(path.name for path in data_dir.iterdir())
    assert after == sorted([*listing, "journal.lock"])  # only the lock: no backup, no -wal


def test_a_0001_journal_upgrades_to_this_build_losing_nothing(data_dir: Path) -> None:
    _database, columns = _old_journal_with_rows(data_dir)

    with open_journal(data_dir) as opened:
        query = partial(journal_query, opened)
        assert query("SELECT version_num FROM alembic_version") == [(head_revision(),)]
        assert snapshot(query, columns) == REALISTIC_ROWS
        assert query("SELECT id, basis, batch_id FROM question ORDER BY id") == [
            (1, None, None),
            (2, None, None),
        ]
        assert query("SELECT count(*) FROM body_measurement") == [(0,)]
        assert query("PRAGMA foreign_key_check") == []
        with Session(opened.engine) as session:
            questions = [question_from_row(row) for row in session.scalars(select(QuestionRow))]
        assert [(q.text, q.answer, q.basis) for q in questions] == [
            ("Is my fasting insulin trending up?", None, None),
            ("Should I repeat the OGTT?", "Dr. K: in six months", None),
        ]


def test_body_measurements_and_question_basis_round_trip_and_go_with_their_batch(
    data_dir: Path,
) -> None:
    at = datetime(2025, 3, 4, 7, 45, tzinfo=UTC)
    with open_journal(data_dir) as opened, Session(opened.engine) as session:
        batch = ImportBatchRow(
            format="apple-health", file_name="export.zip", sha256="ef" * 32, imported_at=at
        )
        session.add(batch)
        session.flush()
        typed = BodyMeasurementRow()
        fill_body_measurement_row(
            typed, BodyMeasurement(at=at, kind="waist", value=92.5, unit="cm")
        )
        imported = BodyMeasurementRow()
        fill_body_measurement_row(
            imported,
            BodyMeasurement(
                at=at,
                kind="body_mass",
                value=181.2,
                unit="lb",
                source="apple-health",
                batch_id=batch.id,
            ),
        )
        question = QuestionRow()
        fill_question_row(question, Question("Why is my TG:HDL up?", basis="TG:HDL 3.1 → 4.2"), at)
        imported_question = QuestionRow()
        fill_question_row(imported_question, Question("Imported?", batch_id=batch.id), at)
        session.add_all([typed, imported, question, imported_question])
        session.commit()

        assert [
            (m.kind, m.value, m.unit, m.source, m.at) for m in list_body_measurements(session)
        ] == [
            ("waist", 92.5, "cm", "manual", at),
            ("body_mass", 181.2, "lb", "apple-health", at),
        ]
        assert (
            question_from_row(session.get_one(QuestionRow, question.id)).basis == "TG:HDL 3.1 → 4.2"
        )

        session.delete(batch)  # deleting an import removes its measurements and questions
        session.commit()
        assert [m.kind for m in list_body_measurements(session)] == ["waist"]
        assert [q.text for q in session.scalars(select(QuestionRow))] == ["Why is my TG:HDL up?"]


def test_the_head_schema_matches_the_models(data_dir: Path) -> None:
    """A model column without a revision (or the reverse) would fail on users' upgraded files."""
    with open_journal(data_dir) as opened, opened.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
