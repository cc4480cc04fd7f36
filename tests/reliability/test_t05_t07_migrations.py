"""T5 and T7: a failed upgrade changes nothing; a file from a newer version is left untouched."""

from __future__ import annotations

import os
import stat
from functools import partial
from pathlib import Path

import pytest

from journal import app as app_module
from journal.storage import database as database_module
from journal.storage.backup import integrity_ok, list_backups
from journal.storage.database import open_journal
from journal.storage.engine import create_journal_engine
from journal.storage.migrate import alembic_config, head_revision, upgrade_to_head
from tests.reliability.conftest import AppRun
from tests.storage.helpers import (
    REALISTIC_ROWS,
    build_journal_at,
    dump,
    insert_rows,
    journal_query,
    raw_connection,
    raw_query,
    sha256,
    snapshot,
    write_revision,
)

# A batch add-column, a new table, then a failure: the Alembic-on-SQLite half-upgrade pattern.
FAILING_REVISION = """
with op.batch_alter_table("lab_draw") as batch_op:
    batch_op.add_column(sa.Column("specimen", sa.Text(), nullable=True))
op.create_table("lab_attachment", sa.Column("id", sa.Integer(), primary_key=True))
raise RuntimeError("simulated failure halfway through the upgrade")
"""


def _old_journal(data_dir: Path) -> Path:
    """A journal at this build's head with realistic rows, as the last release left it."""
    database = build_journal_at(data_dir)
    insert_rows(database, REALISTIC_ROWS)
    engine = create_journal_engine(database)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    assert raw_query(database, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    return database


def test_T5_a_failed_migration_at_startup_changes_nothing(
    tmp_path: Path,
    data_dir: Path,
    app_run: AppRun,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    previous = os.umask(0o022)
    try:
        database = _old_journal(data_dir)
        schema = raw_query(database, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
        before = dump(database)
        lab_draw_columns = raw_query(database, "PRAGMA table_info(lab_draw)")
        version = raw_query(database, "SELECT version_num FROM alembic_version")
        versions = tmp_path / "versions"
        write_revision(versions, FAILING_REVISION, doc="add a column and a table, then fail")
        monkeypatch.setattr(
            database_module, "alembic_config", lambda: alembic_config(extra_versions=versions)
        )

        assert app_module.run_gui(str(data_dir)) == 1
    finally:
        os.umask(previous)

    ((kind, message),) = app_run.messages
    assert kind == "critical" and "could not be upgraded" in message
    assert app_run.windows == []  # the app did not go on to show (or write) anything
    assert raw_query(database, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema
    assert raw_query(database, "PRAGMA table_info(lab_draw)") == lab_draw_columns
    assert dump(database) == before
    assert raw_query(database, "SELECT version_num FROM alembic_version") == version
    (backup,) = list_backups(data_dir / "backups")
    assert integrity_ok(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert snapshot(partial(raw_query, backup)) == snapshot(partial(raw_query, database))

    monkeypatch.undo()  # the faulty revision is gone: the next start opens cleanly
    with open_journal(data_dir) as opened:
        assert journal_query(opened, "SELECT version_num FROM alembic_version") == version
        assert snapshot(partial(journal_query, opened)) == snapshot(partial(raw_query, backup))


def test_T7_a_newer_journal_is_refused_with_bytes_and_mtime_unchanged(
    data_dir: Path, app_run: AppRun
) -> None:
    database = _old_journal(data_dir)
    with raw_connection(database) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    long_ago = 1_600_000_000 * 10**9
    os.utime(database, ns=(long_ago, long_ago))
    digest = sha256(database)

    assert app_module.run_gui(str(data_dir)) == 1

    ((kind, message),) = app_run.messages
    assert kind == "critical"
    assert "newer version of Metabolic Journal" in message and "untouched" in message
    assert sha256(database) == digest
    assert database.stat().st_mtime_ns == long_ago
    assert not Path(f"{database}-wal").exists()
    assert list_backups(data_dir / "backups") == []
