"""T1: a kill -9 at any moment of a CGM import leaves a sound journal, the batch whole or gone."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from journal.storage.database import open_journal
from tests.reliability.helpers import checks_clean, raw_rows, spawn, wait_for_line, write_dexcom

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and select on pipes")

ROWS = 10_000
RUNS = 20

IMPORTER = """
    import sys
    from datetime import UTC
    from pathlib import Path

    from journal.services.journal import JournalServices
    from journal.storage.database import open_journal

    print("loaded", flush=True)
    data_dir, csv = sys.stdin.readline().split("\\t")  # started early, told what to do later
    opened = open_journal(Path(data_dir))
    services = JournalServices(opened.session_factory)
    services.imports.chunk_size = 500  # twenty commits: the kill can land between any two
    print("ready", flush=True)
    receipt, _ = services.imports.import_file(Path(csv.strip()), tz=UTC)
    print("done", flush=True)
    sys.stdin.read()  # hold the journal open until the parent kills us
"""


def _start_child() -> subprocess.Popen[str]:
    return spawn(IMPORTER, stdin=subprocess.PIPE)  # loads the app while the previous run goes


def _import_and_kill(
    child: subprocess.Popen[str], data_dir: Path, csv: Path, delay: float | None
) -> bool:
    """Have a loaded child import, SIGKILL it `delay` s after it is ready; True if it finished."""
    assert child.stdin is not None
    try:
        wait_for_line(child, "loaded")
        child.stdin.write(f"{data_dir}\t{csv}\n")
        child.stdin.flush()
        wait_for_line(child, "ready")
        if delay is None:
            wait_for_line(child, "done")
        else:
            time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        out, _err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    return delay is None or "done" in out


def test_T1_kill_during_import_leaves_nothing_or_everything(tmp_path: Path, data_dir: Path) -> None:
    open_journal(data_dir).close()
    database = data_dir / "journal.sqlite3"
    # How long a whole import takes here, so that the kills spread over all of it.
    calibration = write_dexcom(
        tmp_path / "calibration.csv", ROWS, start=datetime(2020, 1, 1, tzinfo=UTC)
    )
    started = time.perf_counter()
    assert _import_and_kill(_start_child(), data_dir, calibration, None)
    full = time.perf_counter() - started
    rng = random.Random(20261125)
    outcomes = []
    child: subprocess.Popen[str] | None = _start_child()
    for run in range(RUNS):
        csv = write_dexcom(
            tmp_path / f"export-{run}.csv",
            ROWS,
            start=datetime(2021, 1, 1, tzinfo=UTC) + timedelta(days=40 * run),
        )
        # Early kills land while parsing, later ones among the chunk commits or after the end.
        delay = rng.uniform(0.0, 1.2 * full) if run % 4 else rng.uniform(0.0, 0.05)
        current, child = child, (_start_child() if run < RUNS - 1 else None)
        assert current is not None
        finished = _import_and_kill(current, data_dir, csv, delay)

        with open_journal(data_dir) as opened:  # the app's own start: purges pending batches
            opened.close()
        checks_clean(database)
        assert raw_rows(
            database, "SELECT count(*) FROM import_batch WHERE status != 'complete'"
        ) == [(0,)]
        per_batch = dict(
            raw_rows(
                database,
                "SELECT b.file_name, count(g.id) FROM import_batch b "
                "LEFT JOIN glucose_reading g ON g.batch_id = b.id GROUP BY b.id",
            )
        )
        assert all(count == ROWS for count in per_batch.values()), per_batch
        assert raw_rows(
            database, "SELECT count(*) FROM glucose_reading WHERE batch_id IS NULL"
        ) == [(0,)]
        landed = csv.name in per_batch
        assert landed or not finished  # an import that said "done" was committed
        outcomes.append(landed)
    # Both outcomes occurred: some kills landed before the final commit, some after.
    assert any(outcomes) and not all(outcomes), outcomes
