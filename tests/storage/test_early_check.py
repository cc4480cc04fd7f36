"""The check started while the app loads: used only for a file at rest, never changes it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.storage.database import JournalDamagedError, open_journal
from journal.storage.early_check import EarlyCheck
from tests.reliability.helpers import corrupt_table


def _journal(data_dir: Path) -> Path:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory)
        for i in range(200):
            services.questions.add_question(Question(f"question {i} " + "·" * 100))
    return data_dir / "journal.sqlite3"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_sound_journal_at_rest_is_checked_without_a_trace(tmp_path: Path) -> None:
    database = _journal(tmp_path / "j")
    before = (_digest(database), sorted(p.name for p in database.parent.iterdir()))
    early = EarlyCheck(database)
    assert early.problems() == []
    # Read as immutable: no lock, no log or shared-memory file, not a byte changed.
    assert (_digest(database), sorted(p.name for p in database.parent.iterdir())) == before
    with open_journal(database.parent, early=early) as opened:
        assert JournalServices(opened.session_factory).questions.list_questions()


def test_a_damaged_journal_found_early_is_refused_untouched(tmp_path: Path) -> None:
    database = _journal(tmp_path / "j")
    corrupt_table(database, "question")
    damaged = _digest(database)
    early = EarlyCheck(database)
    # Never called sound: a list of problems, or no finding (SQLite stopped at the damage), so
    # that the usual check runs and names it.
    assert early.problems() != []
    with pytest.raises(JournalDamagedError, match="damaged"):
        open_journal(database.parent, early=early)
    assert _digest(database) == damaged


def test_no_early_finding_beside_a_write_ahead_log(tmp_path: Path) -> None:
    database = _journal(tmp_path / "j")
    (database.parent / "journal.sqlite3-wal").write_bytes(b"")  # as after a crash
    assert EarlyCheck(database).problems() is None


def test_no_early_finding_for_a_file_changed_since(tmp_path: Path) -> None:
    database = _journal(tmp_path / "j")
    early = EarlyCheck(database)
    early._thread.join()
    stat = database.stat()
    os.utime(database, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert early.problems() is None  # the usual check runs instead


def test_not_a_database_is_left_to_the_usual_check(tmp_path: Path) -> None:
    database = tmp_path / "j" / "journal.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"this is not a journal" * 100)
    assert EarlyCheck(database).problems() is None
