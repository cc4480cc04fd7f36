"""T20: deleted entries leave no trace in the files, "delete all" leaves nothing, no network."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from journal import app as app_module
from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from journal.ui.dialogs.preferences import DELETE_PHRASE, DeleteAllDialog, PreferencesDialog
from journal.ui.main_window import MainWindow
from tests import factories
from tests.factories import NOW
from tests.reliability.conftest import AppRun
from tests.reliability.helpers import run_child

MARKER = "ZQX-private-marker-7319"


def _files_holding(root: Path, marker: str) -> list[str]:
    needle = marker.encode()
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and needle in p.read_bytes()
    )


def test_T20_a_deleted_entry_leaves_no_trace_in_the_journal_or_its_wal(data_dir: Path) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        services.questions.add_question(Question("An ordinary question to keep"))
        change = services.labs.add_draw(factories.draw(notes=f"note {MARKER} about my results"))
        (draw_id,) = change.added[next(iter(change.added))]
        q_change = services.questions.add_question(Question(f"Ask about {MARKER}"))
        (question_id,) = next(iter(q_change.added.values()))
        backup = services.maintenance.backup_now()
        assert _files_holding(data_dir, MARKER)  # it is in the files now (db or WAL)

        services.labs.delete_draws([draw_id])
        services.questions.delete_questions([question_id])
        services.maintenance.erase_traces()
        assert _files_holding(data_dir, MARKER) == [f"backups/{backup.name}"]  # only the backup
        assert [b.path for b in services.maintenance.backups_containing(MARKER)] == [backup]
        services.maintenance.delete_backup(backup)
        assert _files_holding(data_dir, MARKER) == []
        remaining = [q.text for q in services.questions.list_questions()]
        assert remaining == ["An ordinary question to keep"]


def test_T20_delete_all_my_data_returns_to_the_first_start(
    data_dir: Path, app_run: AppRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        services.questions.add_question(Question(f"Ask about {MARKER}"))
        services.maintenance.backup_now()
    welcomes: list[str] = []
    monkeypatch.setattr(app_module, "_welcome", lambda d: welcomes.append(d))  # closes it
    typed: list[bool] = []

    def confirm(self: PreferencesDialog) -> bool:
        dialog = DeleteAllDialog(self)
        dialog.phrase.setText("delete")
        typed.append(dialog.delete_button.isEnabled())
        dialog.phrase.setText(DELETE_PHRASE)
        typed.append(dialog.delete_button.isEnabled())
        return True

    monkeypatch.setattr(PreferencesDialog, "confirm_delete_all", confirm)

    def delete_everything(windows: list[QWidget]) -> None:
        (window,) = [w for w in windows if isinstance(w, MainWindow)]
        window.ctx.prefs.set("profile/name", "Alex Example")
        quits: list[bool] = []
        dialog = PreferencesDialog(
            window.ctx.prefs,
            window,
            maintenance=window.ctx.services.maintenance,
            quit_app=lambda: quits.append(True),
        )
        assert dialog.backup_list.count() == 1
        dialog.delete_all()
        assert quits == [True]
        assert window.ctx.prefs.get("profile/name") == ""

    app_run.during = delete_everything
    assert app_module.run_gui(str(data_dir)) == 0

    assert typed == [False, True]  # the button works only with the whole phrase typed
    assert welcomes == [str(data_dir)]  # back at the first-run welcome
    assert not data_dir.exists() or _files_holding(data_dir, MARKER) == []
    assert not data_dir.exists() or list(data_dir.iterdir()) == []


def test_T20_the_network_block_works() -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(AssertionError, match="network"),
    ):
        sock.connect(("127.0.0.1", 9))


# Runs the real entry point with every Internet socket refused at creation, then lists modules.
NO_NETWORK_CHILD = """
    import runpy, socket, sys
    real = socket.socket.__init__

    def refuse(self, family=socket.AF_INET, *args, **kwargs):
        if family in (socket.AF_INET, socket.AF_INET6):
            raise SystemExit("an Internet socket was created")
        real(self, family, *args, **kwargs)

    socket.socket.__init__ = refuse
    sys.argv = ["metabolic-journal", "--data-dir", sys.argv[1], "--screenshot", sys.argv[2]]
    try:
        runpy.run_module("journal", run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    import journal.ui.dialogs.preferences, journal.ui.dialogs.check_journal
    print("\\n".join(sorted(sys.modules)))
"""
CLIENT_MODULES = {
    "http.client",
    "urllib.request",
    "requests",
    "httpx",
    "urllib3",
    "aiohttp",
    "ftplib",
    "smtplib",
    "poplib",
    "imaplib",
    "xmlrpc.client",
    "socketserver",
    "http.server",
    "webbrowser",
}


@pytest.mark.skipif(sys.platform == "win32", reason="offscreen screenshot run")
def test_T20_the_app_starts_without_network_code_or_sockets(tmp_path: Path) -> None:
    result = run_child(NO_NETWORK_CHILD, tmp_path / "journal", tmp_path / "shot.png")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "shot.png").exists()  # the window really came up
    loaded = set(result.stdout.split())
    assert "journal.ui.main_window" in loaded
    assert loaded & CLIENT_MODULES == set()
