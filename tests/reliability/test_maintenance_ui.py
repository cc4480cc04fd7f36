"""The user's side of T8/T9: Help → Check journal, and restoring a backup from Preferences."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from journal import app as app_module
from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.services.maintenance import CheckResult
from journal.storage.database import open_journal
from journal.ui.dialogs.check_journal import CheckJournalDialog
from journal.ui.dialogs.preferences import PreferencesDialog
from journal.ui.main_window import MainWindow
from journal.ui.preferences import Preferences
from tests.factories import NOW
from tests.reliability.conftest import AppRun
from tests.reliability.helpers import raw_rows


def test_check_journal_says_in_plain_words_that_all_is_well(qtbot, services) -> None:
    services.questions.add_question(Question("Is my HOMA-IR rising?"))
    dialog = CheckJournalDialog(services.maintenance)
    qtbot.addWidget(dialog)
    assert dialog.result.ok
    assert dialog.heading.text() == "No problems found"
    assert "in good order" in dialog.message.text()


def test_check_journal_reports_entries_pointing_at_nothing(qtbot, services, journal) -> None:
    services.questions.add_question(Question("Is my HOMA-IR rising?"))
    raw = journal.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.execute("PRAGMA foreign_keys=OFF")
        driver.execute(
            "INSERT INTO lab_result (draw_id, position, analyte, value, unit) "
            "VALUES (999, 0, 'glucose', 99.0, 'mg/dL')"
        )
        driver.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()
    dialog = CheckJournalDialog(services.maintenance)
    qtbot.addWidget(dialog)
    assert not dialog.result.ok and dialog.result.dangling == 1
    assert dialog.heading.text() == "Problems found"
    assert "1 entry link(s) point at something that is gone" in dialog.message.text()
    assert "Nothing was changed" in dialog.message.text()


def test_a_damaged_file_is_described_without_jargon() -> None:
    result = CheckResult(
        integrity=("row 3 missing from index ix_question", "page 7 bad"), dangling=0
    )
    assert "2 damaged part(s)" in result.summary() and "Restore a recent backup" in result.summary()


def test_restoring_a_backup_from_preferences_reopens_on_it(
    data_dir: Path, app_run: AppRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        services.questions.add_question(Question("in the backup"))
        backup = services.maintenance.backup_now()
        services.questions.add_question(Question("written after the backup"))
    monkeypatch.setattr(PreferencesDialog, "confirm_restore", lambda _self, _label: True)
    seen: list[list[str]] = []

    def restore_from_preferences(windows: list[QWidget]) -> None:
        (window,) = [w for w in windows if isinstance(w, MainWindow)]
        questions = window.ctx.services.questions.list_questions()
        seen.append([q.text for q in questions])
        if len(seen) > 1:
            return  # the second window: the app reopened on the restored journal
        prefs = Preferences(QSettings(str(data_dir.parent / "s.ini"), QSettings.Format.IniFormat))
        quits: list[bool] = []
        dialog = PreferencesDialog(
            prefs,
            window,
            maintenance=window.ctx.services.maintenance,
            quit_app=lambda: quits.append(True),
        )
        assert dialog.backup_list.count() == 1
        assert "made by hand" in dialog.backup_list.item(0).text()
        dialog.restore_selected()
        assert quits == [True]

    app_run.during = restore_from_preferences
    assert app_module.run_gui(str(data_dir)) == 0

    assert seen == [["in the backup", "written after the backup"], ["in the backup"]]
    names = sorted(p.name for p in (data_dir / "backups").iterdir())
    assert len(names) == 2 and any("before-restore" in n for n in names)  # the current one kept
    before_restore = next(p for p in (data_dir / "backups").iterdir() if "before-restore" in p.name)
    assert [r[0] for r in raw_rows(before_restore, "SELECT text FROM question ORDER BY id")] == [
        "in the backup",
        "written after the backup",
    ]
    assert backup.exists()


def test_closing_the_app_backs_up_a_changed_journal_only(data_dir: Path, app_run: AppRun) -> None:
    open_journal(data_dir).close()
    app_run.during = None
    assert app_module.run_gui(str(data_dir)) == 0  # nothing written: no backup
    assert not (data_dir / "backups").exists() or not list((data_dir / "backups").iterdir())

    def write_one(windows: list[QWidget]) -> None:
        (window,) = [w for w in windows if isinstance(w, MainWindow)]
        window.ctx.services.questions.add_question(Question("written in the window"))

    app_run.during = write_one
    assert app_module.run_gui(str(data_dir)) == 0
    (backup,) = (data_dir / "backups").iterdir()
    assert "on-close" in backup.name
    assert raw_rows(backup, "SELECT text FROM question") == [("written in the window",)]
