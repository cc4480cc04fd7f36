"""T19: add, edit, delete, import, re-import, undo, backup, restore and reopen, in any order,
leave the journal equal to a plain in-memory model of what the user did; and an import killed
at any moment, then done again, holds each reading once.

A Hypothesis state machine drives the services layer (the same calls the windows make) on a
real journal file. The model is two dicts: questions typed by hand (id -> text) and imported
glucose readings (batch id -> their values). After every step the journal is read back and
compared with the model, and SQLite's integrity check must pass.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.storage.backup import Retention
from journal.storage.database import OpenJournal, open_journal, restore_backup
from tests.factories import NOW
from tests.reliability.helpers import (
    checks_clean,
    raw_rows,
    spawn,
    wait_for_line,
    write_dexcom,
)

KEEP_ALL = Retention(recent=1000)
# What a user types; the journal keeps a question's text without the spaces around it.
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1).filter(
    str.strip
)


class JournalModel(RuleBasedStateMachine):
    """The journal against dicts: questions by id, imported readings by batch."""

    questions = Bundle("questions")
    files = Bundle("files")
    batches = Bundle("batches")
    backups = Bundle("backups")

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="t19-"))
        self.data_dir = self.root / "journal-data"
        self.opened: OpenJournal = open_journal(self.data_dir)
        self.services = JournalServices(self.opened.session_factory, clock=lambda: NOW)
        self.model_questions: dict[int, str] = {}
        self.model_readings: dict[int, list[float]] = {}  # complete, not undone batches
        self.imported: dict[Path, int] = {}  # file -> its live batch
        self.file_count = 0

    def teardown(self) -> None:
        self.opened.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _reopen(self) -> None:
        self.opened = open_journal(self.data_dir)
        self.services = JournalServices(self.opened.session_factory, clock=lambda: NOW)

    # --- entries typed by hand -------------------------------------------------------------

    @rule(target=questions, text=texts)
    def add(self, text: str) -> int:
        change = self.services.questions.add_question(Question(text))
        (question_id,) = next(iter(change.added.values()))
        self.model_questions[question_id] = text.strip()
        return question_id

    @rule(question_id=questions, text=texts)
    def edit(self, question_id: int, text: str) -> None:
        if question_id not in self.model_questions:
            return  # deleted, or lost by a restore to a backup older than it
        (current,) = [q for q in self.services.questions.list_questions() if q.id == question_id]
        self.services.questions.update_question(replace(current, text=text))
        self.model_questions[question_id] = text.strip()

    @rule(question_id=consumes(questions))
    def delete(self, question_id: int) -> None:
        if question_id not in self.model_questions:
            return
        self.services.questions.delete_questions([question_id])
        del self.model_questions[question_id]

    # --- imports ---------------------------------------------------------------------------

    @rule(target=files, rows=st.integers(1, 40), day=st.integers(0, 30))
    def new_file(self, rows: int, day: int) -> Path:
        self.file_count += 1
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, seconds=self.file_count)
        return write_dexcom(self.root / f"cgm-{self.file_count}.csv", rows, start=start)

    @rule(target=batches, path=files)
    def import_file(self, path: Path) -> int:
        """Import (or re-import) a file: a second import of a live batch's file adds nothing."""
        receipt, _ = self.services.imports.import_file(path, tz=UTC)
        assert receipt.batch_id is not None
        if path in self.imported and self.imported[path] in self.model_readings:
            assert receipt.already_imported
            assert receipt.batch_id == self.imported[path]
            return receipt.batch_id
        assert not receipt.already_imported
        known = {(v, t) for v, t in self._live_keys()}
        values = _file_readings(path)
        new = [value for value, at in values if (value, at) not in known]
        assert receipt.total_added == len(new)  # readings already held are not added twice
        self.model_readings[receipt.batch_id] = sorted(new)
        self.imported[path] = receipt.batch_id
        return receipt.batch_id

    def _live_keys(self) -> list[tuple[float, str]]:
        with self.opened.engine.connect() as connection:
            return [
                (float(value), str(at)[:19])
                for value, at in connection.exec_driver_sql(
                    "SELECT g.value, g.at FROM glucose_reading g JOIN import_batch b "
                    "ON b.id = g.batch_id WHERE b.status = 'complete' AND NOT b.undone"
                )
            ]

    @rule(batch_id=consumes(batches))
    def undo(self, batch_id: int) -> None:
        if batch_id not in self.model_readings:
            return
        self.services.imports.undo_batch(batch_id)
        del self.model_readings[batch_id]

    # --- backup, restore, reopen -----------------------------------------------------------

    @rule(target=backups)
    def backup(self) -> tuple[Path, dict[int, str], dict[int, list[float]], dict[Path, int]]:
        made = self.services.maintenance.backup_now(retention=KEEP_ALL)
        kept = self.root / f"backup-{len(list(self.root.glob('backup-*')))}.sqlite3"
        shutil.copy2(made, kept)  # two backups in one second may share a name
        return kept, dict(self.model_questions), dict(self.model_readings), dict(self.imported)

    @rule(backup=backups)
    def restore(
        self, backup: tuple[Path, dict[int, str], dict[int, list[float]], dict[Path, int]]
    ) -> None:
        path, questions, readings, imported = backup
        self.opened.close()
        restore_backup(self.data_dir, path)
        self._reopen()
        self.model_questions = dict(questions)
        self.model_readings = dict(readings)
        self.imported = dict(imported)

    @precondition(lambda self: True)
    @rule()
    def reopen(self) -> None:
        self.opened.close()
        self._reopen()

    # --- the check after every step --------------------------------------------------------

    @invariant()
    def journal_equals_model(self) -> None:
        questions = {q.id: q.text for q in self.services.questions.list_questions()}
        assert questions == self.model_questions
        with self.opened.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT b.id, g.value FROM import_batch b LEFT JOIN glucose_reading g "
                "ON g.batch_id = b.id WHERE b.status = 'complete' AND NOT b.undone"
            )
            readings: dict[int, list[float]] = {}
            for batch_id, value in rows:
                values = readings.setdefault(int(batch_id), [])
                if value is not None:
                    values.append(float(value))
            assert connection.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
            pending = connection.exec_driver_sql(
                "SELECT count(*) FROM import_batch WHERE status != 'complete'"
            ).scalar()
        assert {k: sorted(v) for k, v in readings.items()} == self.model_readings
        assert pending == 0


def _file_readings(path: Path) -> list[tuple[float, str]]:
    """(value, UTC time to the second) of each reading in a write_dexcom file."""
    out = []
    for line in path.read_text().splitlines()[3:]:
        fields = line.split(",")
        out.append((float(fields[7]), fields[1].replace("T", " ")[:19]))
    return out


JournalModel.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
test_T19_the_journal_always_equals_the_model = JournalModel.TestCase


KILLED_IMPORTER = """
    import sys
    from datetime import UTC
    from pathlib import Path

    from journal.services.journal import JournalServices
    from journal.storage.database import open_journal

    opened = open_journal(Path(sys.argv[1]))
    services = JournalServices(opened.session_factory)
    services.imports.chunk_size = 200  # many commits: the kill lands between two of them
    print("ready", flush=True)
    services.imports.import_file(Path(sys.argv[2]), tz=UTC)
    print("done", flush=True)
    sys.stdin.read()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, None])
def test_T19_import_killed_then_imported_again_holds_each_reading_once(
    tmp_path: Path, data_dir: Path, delay: float | None
) -> None:
    rows = 6_000
    csv = write_dexcom(tmp_path / "export.csv", rows)
    open_journal(data_dir).close()
    child = spawn(KILLED_IMPORTER, data_dir, csv, stdin=subprocess.PIPE)
    try:
        wait_for_line(child, "ready")
        if delay is None:
            wait_for_line(child, "done")
        else:
            time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    with open_journal(data_dir) as opened:  # the app's start purges what the kill left pending
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        first, _ = services.imports.import_file(csv, tz=UTC)
        again, _ = services.imports.import_file(csv, tz=UTC)
    database = data_dir / "journal.sqlite3"
    checks_clean(database)
    if delay is None:  # finished before the kill: the retry recognises it
        assert first.already_imported
    # Otherwise the kill landed before or after the last commit; either way, each reading once.
    assert again.already_imported and again.total_added == 0
    assert raw_rows(database, "SELECT count(*) FROM glucose_reading") == [(rows,)]
    assert raw_rows(
        database, "SELECT count(*) FROM (SELECT DISTINCT at, value FROM glucose_reading)"
    ) == [(rows,)]
    assert raw_rows(database, "SELECT status FROM import_batch") == [("complete",)]
