"""T9: a damaged or missing journal is detected, kept aside, and restored from the newest backup."""

from __future__ import annotations

import hashlib
import signal
import sys
from pathlib import Path

import pytest

from journal import app as app_module
from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.storage.backup import integrity_ok, list_backups
from journal.storage.database import (
    JournalDamagedError,
    JournalMissingError,
    open_journal,
    restore_backup,
)
from tests.factories import NOW
from tests.reliability.conftest import AppRun
from tests.reliability.helpers import (
    checks_clean,
    corrupt_table,
    raw_rows,
    spawn,
    wait_for_line,
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _journal_with_backup(data_dir: Path) -> tuple[Path, list[tuple[object, ...]]]:
    """A closed journal with 60 questions, a backup of the first 50, and 10 written after."""
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        for i in range(60):
            if i == 50:
                backup = services.maintenance.backup_now()
            services.questions.add_question(Question(f"question {i} " + "·" * 150))
    return backup, raw_rows(backup, "SELECT id, text FROM question ORDER BY id")


def _questions(database: Path) -> list[tuple[object, ...]]:
    return raw_rows(database, "SELECT id, text FROM question ORDER BY id")


def test_T9_a_damaged_page_is_detected_kept_aside_and_restored(
    data_dir: Path, app_run: AppRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup, in_backup = _journal_with_backup(data_dir)
    database = data_dir / "journal.sqlite3"
    corrupt_table(database, "question")
    damaged_digest = _digest(database)

    with pytest.raises(JournalDamagedError, match="damaged"):
        open_journal(data_dir)
    assert _digest(database) == damaged_digest  # detected, not touched

    offered: list[list[Path]] = []

    def choose_newest(message: str, backups: list) -> tuple[str, Path]:
        assert "damaged" in message
        offered.append([b.path for b in backups])
        return ("restore", backups[0].path)

    monkeypatch.setattr("journal.ui.dialogs.check_journal.ask_damaged", choose_newest)
    assert app_module.run_gui(str(data_dir)) == 0

    assert offered == [[backup]]
    assert app_run.titles == ["Metabolic Journal"]
    aside = data_dir / "journal.sqlite3.damaged"
    assert _digest(aside) == damaged_digest  # moved aside, never overwritten or deleted
    checks_clean(database)
    assert _questions(database) == in_backup  # exactly the backup's data
    assert len(in_backup) == 50


def test_T9_a_truncated_journal_is_not_replaced_by_an_empty_one(
    data_dir: Path, app_run: AppRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup, in_backup = _journal_with_backup(data_dir)
    database = data_dir / "journal.sqlite3"
    with open(database, "r+b") as handle:
        handle.truncate(database.stat().st_size // 2)
    digest = _digest(database)

    monkeypatch.setattr("journal.ui.dialogs.check_journal.ask_damaged", lambda *_a: None)
    assert app_module.run_gui(str(data_dir)) == 1  # the user chose Quit
    assert _digest(database) == digest  # still there, unchanged, no empty journal instead
    assert app_run.windows == []

    restored = restore_backup(data_dir, backup)  # what "Restore this backup" does
    assert restored.damaged == data_dir / "journal.sqlite3.damaged"
    assert _digest(restored.damaged) == digest
    with open_journal(data_dir) as opened:
        opened.close()
    checks_clean(database)
    assert _questions(database) == in_backup


def test_T9_a_missing_journal_offers_its_backups_instead_of_starting_empty(
    data_dir: Path, app_run: AppRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup, in_backup = _journal_with_backup(data_dir)
    database = data_dir / "journal.sqlite3"
    database.unlink()

    with pytest.raises(JournalMissingError) as missing:
        open_journal(data_dir)
    assert missing.value.backups == [backup]
    assert not database.exists()

    choices = iter([None, "restore"])
    offered: list[list[Path]] = []

    def ask(_data_dir: str, backups: list) -> tuple[str, Path] | None:
        offered.append([b.path for b in backups])
        choice = next(choices)
        return None if choice is None else (choice, backups[0].path)

    monkeypatch.setattr("journal.ui.dialogs.check_journal.ask_missing", ask)
    welcomed: list[str] = []
    monkeypatch.setattr(app_module, "_welcome", lambda d: welcomed.append(d))
    assert app_module.run_gui(str(data_dir)) == 0  # Quit: nothing is created
    assert not database.exists()
    assert app_module.run_gui(str(data_dir)) == 0  # Restore
    assert offered == [[backup], [backup]]
    assert welcomed == []  # never the first-run welcome while backups exist
    checks_clean(database)
    assert _questions(database) == in_backup
    assert integrity_ok(backup) and list_backups(data_dir / "backups") == [backup]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_T9_a_wal_lost_after_a_kill_leaves_an_older_sound_journal(data_dir: Path) -> None:
    open_journal(data_dir).close()
    child = spawn(
        """
        import sys
        from pathlib import Path
        from journal.domain.entities import Question
        from journal.services.journal import JournalServices
        from journal.storage.database import open_journal

        opened = open_journal(Path(sys.argv[1]))
        services = JournalServices(opened.session_factory)
        for i in range(30):
            services.questions.add_question(Question(f"question {i}"))
        print("ready", flush=True)
        sys.stdin.read()
        """,
        data_dir,
        stdin=-1,
    )
    wait_for_line(child, "ready")
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=10)
    database = data_dir / "journal.sqlite3"
    Path(f"{database}-wal").unlink()  # e.g. a careless copy or a cleaning tool

    with open_journal(data_dir) as opened:
        opened.close()
    checks_clean(database)
    texts = [r[0] for r in raw_rows(database, "SELECT text FROM question ORDER BY id")]
    assert texts == [f"question {i}" for i in range(len(texts))]  # an older state, never a mix
