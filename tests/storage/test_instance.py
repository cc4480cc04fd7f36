"""One process at a time: a second opener is turned away; a killed holder leaves no stale lock."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from journal.storage.database import JournalInUseError, OpenJournal, open_journal
from journal.storage.instance import InstanceLock
from tests.storage.helpers import journal_query

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kill -9 and select on pipes")

CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path

    from journal.storage.database import open_journal, transaction
    from journal.storage.models import QuestionRow

    opened = open_journal(Path(sys.argv[1]))
    with transaction(opened.session_factory) as session:
        session.add(QuestionRow(text="saved by the first window", created_at=datetime.now(UTC)))
    print("ready", flush=True)
    time.sleep(60)
    """
)


def _wait_for_ready(child: subprocess.Popen[str], timeout: float = 20.0) -> None:
    assert child.stdout is not None
    readable, _, _ = select.select([child.stdout], [], [], timeout)
    line = child.stdout.readline() if readable else ""
    if line.strip() != "ready":
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"the child did not open the journal: {line!r} {err}")


def test_a_second_open_in_the_same_process_is_turned_away(
    journal: OpenJournal, data_dir: Path
) -> None:
    for _attempt in range(2):  # a refused attempt must not release the first holder's lock
        with pytest.raises(JournalInUseError, match="already open"):
            open_journal(data_dir)
    assert journal_query(journal, "SELECT count(*) FROM question") == [(0,)]  # still usable


def test_the_lock_file_is_private_and_names_its_holder(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "journal.lock"
    with InstanceLock(path) as lock:
        assert lock.held
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text() == str(os.getpid())
        with pytest.raises(JournalInUseError):
            InstanceLock(path).acquire()
    assert not lock.held
    with InstanceLock(path):  # released on exit: free again
        pass


def test_a_killed_holder_leaves_no_stale_lock_and_keeps_its_commits(
    tmp_path: Path, data_dir: Path
) -> None:
    script = tmp_path / "first_window.py"
    script.write_text(CHILD, encoding="utf-8")
    with subprocess.Popen(
        [sys.executable, str(script), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            _wait_for_ready(child)

            with pytest.raises(JournalInUseError):
                open_journal(data_dir)
            other = sqlite3.connect(data_dir / "journal.sqlite3", timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                    other.execute("SELECT count(*) FROM question").fetchall()
            finally:
                other.close()

            os.kill(child.pid, signal.SIGKILL)
            assert child.wait(10) == -signal.SIGKILL
            assert (data_dir / "journal.sqlite3-wal").exists()  # the commit was never checkpointed
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(10)

    with open_journal(data_dir, create=False) as opened:  # at once: no retry, no stale lock
        rows = journal_query(opened, "SELECT text FROM question")
        assert rows == [("saved by the first window",)]
        assert journal_query(opened, "PRAGMA integrity_check") == [("ok",)]
