"""T4: a second launch hands off to the open window; others are locked out; no stale lock."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from journal.ui.single_instance import SingleInstance, server_name
from tests.factories import NOW
from tests.reliability.helpers import REPO, child_env, run_child

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

NOTIFY = """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from journal.ui.single_instance import SingleInstance

    app = QCoreApplication([])
    print("handed off" if SingleInstance(Path(sys.argv[1])).notify_running() else "alone")
"""


def _launch(data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "journal", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=REPO,
    )


def _wait_until_holding(app: subprocess.Popen[str], data_dir: Path, timeout: float = 30) -> None:
    """The app writes its pid into journal.lock once it holds the journal."""
    lock = data_dir / "journal.lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            pytest.fail(f"the app exited early: {app.communicate()}")
        if lock.exists() and lock.read_text() == str(app.pid):
            time.sleep(0.3)  # past the open: the window is being built
            return
        time.sleep(0.05)
    app.kill()
    pytest.fail("the app did not take the journal in time")


def _stop(app: subprocess.Popen[str]) -> None:
    if app.poll() is None:
        app.send_signal(signal.SIGKILL)
    app.communicate(timeout=10)


def test_T4_a_second_launch_raises_the_first_window(qtbot, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "journal-data")
    assert first.listen()
    try:
        with qtbot.waitSignal(first.activated, timeout=10_000):
            child = subprocess.Popen(
                [sys.executable, "-c", textwrap.dedent(NOTIFY), str(tmp_path / "journal-data")],
                stdout=subprocess.PIPE,
                text=True,
                env=child_env(),
                cwd=REPO,
            )
            while child.poll() is None:
                qtbot.wait(20)  # the first window's event loop answers while the child waits
        assert child.communicate()[0].strip() == "handed off"
    finally:
        first.close()
    # Another journal folder is another window: no hand-off there.
    result = run_child(NOTIFY, tmp_path / "another-journal")
    assert result.stdout.strip() == "alone", result
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")


def test_T4_two_launches_one_journal_and_no_stale_lock(data_dir: Path) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        services.questions.add_question(Question("Saved before the first launch"))
    first = _launch(data_dir)
    try:
        _wait_until_holding(first, data_dir)

        second = _launch(data_dir)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 0, err
        assert "already has the journal" in out and "brought to the front" in out
        assert (data_dir / "journal.lock").read_text() == str(first.pid)  # never opened it

        foreign = sqlite3.connect(data_dir / "journal.sqlite3", timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                foreign.execute("SELECT count(*) FROM question").fetchall()
        finally:
            foreign.close()
    finally:
        _stop(first)
    assert first.returncode == -signal.SIGKILL

    third = _launch(data_dir)  # after kill -9: starts at once, no "stale lock" question
    try:
        _wait_until_holding(third, data_dir)
    finally:
        _stop(third)
    with open_journal(data_dir) as opened:
        questions = JournalServices(opened.session_factory).questions.list_questions()
        assert [q.text for q in questions] == ["Saved before the first launch"]
