"""T13: under a permissive umask (022) every file the app writes is the user's alone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journal.services.journal import JournalServices
from journal.storage.database import open_journal, quarantine, restore_backup
from tests.factories import NOW
from tests.reliability.helpers import REPO, child_env, write_dexcom

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _modes(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode)
        for path in [root, *root.rglob("*")]
    }


def test_T13_first_start_import_backup_and_restore_leave_only_private_files(
    tmp_path: Path, data_dir: Path, umask_022: None
) -> None:
    csv = write_dexcom(tmp_path / "export.csv", 500, start=datetime(2025, 5, 1, tzinfo=UTC))
    # The real entry point, started by a user whose umask is 022: first start and an import.
    result = subprocess.run(
        [sys.executable, "-m", "journal", "import", "--data-dir", str(data_dir), str(csv)],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=REPO,
        timeout=60,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stderr
    assert "added 500 glucose" in result.stdout

    # Backups, a restore and a damaged copy, made in this process (umask 022 too).
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        backup = services.maintenance.backup_now()
        live = _modes(data_dir)  # while open: -wal and -shm exist too
    restore_backup(data_dir, backup)
    quarantine(data_dir / "journal.sqlite3")
    restore_backup(data_dir, backup)

    assert any(name.endswith("-wal") for name in live)
    after = _modes(data_dir)
    assert "journal.sqlite3.damaged" in after and any("before-restore" in n for n in after)
    for modes in (live, after):
        for name, mode in modes.items():
            is_dir = (data_dir / name).is_dir() if name != "." else True
            assert mode == (0o700 if is_dir else 0o600), (name, oct(mode))
    assert os.umask(0o022) == 0o022  # the test's own umask was not changed behind its back
