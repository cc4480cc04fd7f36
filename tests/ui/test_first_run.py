"""First run: the welcome's choice decides which journal opens; a demo never mixes into yours."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from journal import app as app_module
from journal.services.journal import JournalServices
from journal.storage.database import open_journal


@pytest.fixture
def no_event_loop(monkeypatch, qapp):
    titles: list[str] = []

    def exec_once(self=None) -> int:
        # Titles are read while the windows are open: the app deletes its window after closing.
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        titles.extend(w.windowTitle() for w in shown)
        for widget in shown:
            widget.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_once)
    return titles


def test_choosing_the_demo_opens_a_separate_journal(tmp_path, monkeypatch, no_event_loop):
    monkeypatch.setattr(app_module, "_welcome", lambda _data_dir: "demo")
    monkeypatch.setattr(app_module, "DEMO_YEARS", 1)
    mine = tmp_path / "MetabolicJournal"
    assert app_module.run_gui(str(mine)) == 0
    assert not (mine / "journal.sqlite3").exists()
    demo = tmp_path / "MetabolicJournal-demo"
    with open_journal(demo, create=False) as opened:
        assert JournalServices(opened.session_factory).labs.count() > 0
    assert any("demo" in title for title in no_event_loop)


def test_choosing_an_empty_journal_creates_it_empty(tmp_path, monkeypatch, no_event_loop):
    monkeypatch.setattr(app_module, "_welcome", lambda _data_dir: "empty")
    mine = tmp_path / "MetabolicJournal"
    assert app_module.run_gui(str(mine)) == 0
    with open_journal(mine, create=False) as opened:
        assert JournalServices(opened.session_factory).labs.count() == 0
    assert not (tmp_path / "MetabolicJournal-demo").exists()


def test_closing_the_welcome_creates_nothing(tmp_path, monkeypatch, no_event_loop):
    monkeypatch.setattr(app_module, "_welcome", lambda _data_dir: None)
    assert app_module.run_gui(str(tmp_path / "MetabolicJournal")) == 0
    assert not (tmp_path / "MetabolicJournal").exists()
