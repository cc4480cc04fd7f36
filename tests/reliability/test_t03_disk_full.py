"""T3: a disk that fills up mid-import or mid-backup gives a plain message and loses nothing."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journal.services.journal import JournalServices
from journal.services.maintenance import BACKUP_DISK_FULL
from journal.storage.database import DISK_FULL, open_journal
from tests.reliability.helpers import checks_clean, raw_rows, run_child, write_dexcom

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")

FULL_DISK_CHILD = """
    import resource, signal, sys
    from datetime import UTC
    from pathlib import Path

    from journal.services.journal import JournalServices
    from journal.services.maintenance import explain_failure
    from journal.storage.database import open_journal

    data_dir, csv, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    opened = open_journal(data_dir)
    services = JournalServices(opened.session_factory)
    services.imports.chunk_size = 1000
    # From here on no file may grow past `limit` bytes: the disk is "full".
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    for attempt, action in (
        ("import", lambda: services.imports.import_file(csv, tz=UTC)),
        ("backup", lambda: services.maintenance.backup_now()),
    ):
        try:
            action()
            print(f"{attempt}: succeeded")
        except Exception as exc:
            print(f"{attempt}: {explain_failure(exc) or 'UNEXPLAINED ' + repr(exc)}")
    opened.close()
    print("closed")
"""


def test_T3_disk_full_fails_cleanly_and_keeps_earlier_data(tmp_path: Path, data_dir: Path) -> None:
    earlier = write_dexcom(tmp_path / "earlier.csv", 3000, start=datetime(2024, 1, 1, tzinfo=UTC))
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory)
        services.imports.import_file(earlier, tz=UTC)
    database = data_dir / "journal.sqlite3"
    before = raw_rows(database, "SELECT at, value, batch_id FROM glucose_reading ORDER BY id")
    assert len(before) == 3000
    limit = database.stat().st_size + 48 * 1024  # room for a little, not for 20,000 readings
    big = write_dexcom(tmp_path / "big.csv", 20_000, start=datetime(2025, 1, 1, tzinfo=UTC))

    result = run_child(FULL_DISK_CHILD, data_dir, big, str(limit))

    assert result.returncode == 0 and "Traceback" not in result.stderr, result
    lines = result.stdout.splitlines()
    assert lines == [f"import: {DISK_FULL}", f"backup: {BACKUP_DISK_FULL}", "closed"], result.stdout
    assert "disk is full" in DISK_FULL and "earlier entries are safe" in DISK_FULL

    with open_journal(data_dir) as opened:  # a normal start afterwards
        opened.close()
    checks_clean(database)
    assert (
        raw_rows(database, "SELECT at, value, batch_id FROM glucose_reading ORDER BY id") == before
    )
    assert raw_rows(database, "SELECT file_name, status FROM import_batch") == [
        ("earlier.csv", "complete")
    ]
    backups = data_dir / "backups"
    assert not backups.exists() or list(backups.iterdir()) == []  # no partial file, no temp
