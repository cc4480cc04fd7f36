"""Backups: a verified, private copy of what was committed, written via temp file and rename."""

from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from journal.storage import backup as backup_module
from journal.storage.backup import (
    BackupError,
    integrity_ok,
    list_backups,
    make_backup,
    prune_backups,
)
from journal.storage.database import OpenJournal, open_journal, transaction
from journal.storage.engine import create_journal_engine, make_session_factory
from journal.storage.models import QuestionRow
from tests.storage.helpers import journal_query, raw_query

WHEN = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _add_questions(opened: OpenJournal, *texts: str) -> None:
    with transaction(opened.session_factory) as session:
        session.add_all(QuestionRow(text=text, created_at=WHEN) for text in texts)


def _texts(database: Path) -> list[object]:
    return [row[0] for row in raw_query(database, "SELECT text FROM question ORDER BY id")]


def test_a_backup_of_the_open_journal_is_complete_verified_and_private(
    data_dir: Path, umask_022: None
) -> None:
    with open_journal(data_dir) as opened:
        _add_questions(opened, "Fasting insulin 11.3 — repeat in 3 months?", "Ask about CGM")
        made = make_backup(opened.engine, opened.paths.backups, reason="manual")
        _add_questions(opened, "after the backup")  # the journal is still open and writable

    backups = data_dir / "backups"
    assert list_backups(backups) == [made]
    assert integrity_ok(made)
    assert _texts(made) == ["Fasting insulin 11.3 — repeat in 3 months?", "Ask about CGM"]
    assert raw_query(made, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert _mode(made) == 0o600
    assert _mode(backups) == 0o700
    assert [p.name for p in backups.iterdir()] == [made.name]  # no *.tmp, -wal or -journal


def test_a_backup_during_a_write_on_another_thread_holds_only_committed_rows(
    journal: OpenJournal,
) -> None:
    _add_questions(journal, "committed before")
    halfway = threading.Event()
    go_on = threading.Event()

    def failing_import() -> None:
        try:
            with transaction(journal.session_factory) as session:
                session.add(QuestionRow(text="never committed", created_at=WHEN))
                session.flush()
                halfway.set()
                go_on.wait(5)
                raise RuntimeError("the import failed")
        except RuntimeError:
            pass

    worker = threading.Thread(target=failing_import)
    worker.start()
    assert halfway.wait(5)
    release = threading.Timer(0.2, go_on.set)
    release.start()
    try:
        made = make_backup(journal.engine, journal.paths.backups)
    finally:
        go_on.set()
        release.join()
        worker.join(5)
    assert _texts(made) == ["committed before"]
    assert journal_query(journal, "SELECT text FROM question") == [("committed before",)]


def test_a_backup_that_cannot_get_the_connection_fails_cleanly(data_dir: Path) -> None:
    open_journal(data_dir).close()
    engine: Engine = create_journal_engine(data_dir / "journal.sqlite3", checkout_timeout=0.2)
    backups = data_dir / "backups"
    outcome: list[BaseException | Path] = []

    def back_up() -> None:
        try:
            outcome.append(make_backup(engine, backups))
        except BaseException as exc:  # inspected below
            outcome.append(exc)

    try:
        factory = make_session_factory(engine)
        with factory() as session:
            session.add(QuestionRow(text="being typed", created_at=WHEN))
            session.flush()
            helper = threading.Thread(target=back_up, daemon=True)
            helper.start()
            helper.join(5)
            assert not helper.is_alive(), "the backup hung instead of giving up"
            session.commit()
        (result,) = outcome
        assert isinstance(result, BackupError)
        assert list(backups.iterdir()) == []  # no temp file, nothing under a final name
        with factory() as session:
            assert session.scalars(select(QuestionRow.text)).all() == ["being typed"]
    finally:
        engine.dispose()


def test_a_copy_that_fails_verification_is_not_kept(
    journal: OpenJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module, "integrity_ok", lambda _path: False)
    with pytest.raises(BackupError, match="integrity"):
        make_backup(journal.engine, journal.paths.backups)
    assert list(journal.paths.backups.iterdir()) == []


def test_verification_checks_the_copy_even_in_a_folder_named_with_uri_characters(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "Health #2 ?mode=rw"
    folder.mkdir()
    garbage = folder / "journal-copy.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    assert not integrity_ok(garbage)
    assert not integrity_ok(folder / "missing.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # nothing created beside


def test_prune_keeps_the_newest(journal: OpenJournal) -> None:
    backups = journal.paths.backups
    make = partial(make_backup, journal.engine, backups, keep=None)
    made = [make(now=WHEN + timedelta(hours=i)) for i in (3, 0, 4, 1, 2)]
    newest_first = [made[2], made[0], made[4], made[3], made[1]]
    assert list_backups(backups) == newest_first

    assert prune_backups(backups, keep=3) == newest_first[3:]
    assert list_backups(backups) == newest_first[:3]

    latest = make_backup(journal.engine, backups, keep=2, now=WHEN + timedelta(hours=5))
    assert list_backups(backups) == [latest, newest_first[0]]
    assert all(integrity_ok(path) for path in list_backups(backups))


def test_list_backups_ignores_temp_files_and_strangers(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    assert list_backups(backups) == []  # no folder yet
    backups.mkdir()
    finished = backups / "journal-20261101T073000000000Z-manual.sqlite3"
    finished.write_bytes(b"")
    for name in (
        "journal-20261102T073000000000Z-manual.sqlite3.tmp",  # an interrupted backup
        "journal-20261101T073000000000Z-manual.sqlite3-journal",
        "notes.txt",
    ):
        (backups / name).write_bytes(b"")
    assert list_backups(backups) == [finished]
