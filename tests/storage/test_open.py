"""Opening a journal: private files, clear refusals, nothing replaced, interrupted imports gone."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from journal.storage.backup import integrity_ok, make_backup
from journal.storage.database import (
    JournalDamagedError,
    JournalMissingError,
    OpenJournal,
    StorageError,
    open_journal,
    transaction,
)
from journal.storage.models import (
    GlucoseReadingRow,
    ImportBatchRow,
    LabDrawRow,
    LabResultRow,
    PostMealWalkRow,
    QuestionRow,
    ResistanceSetRow,
    WorkoutRow,
)
from journal.storage.repositories import (
    purge_pending_batches,
    visible_draws,
    visible_glucose,
    visible_walks,
    visible_workouts,
)
from tests.storage.helpers import journal_query, raw_query

WHEN = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


# --- a new journal -------------------------------------------------------------------------


def test_a_new_journal_is_private_even_under_a_permissive_umask(
    data_dir: Path, umask_022: None
) -> None:
    data_dir.mkdir(mode=0o755)  # an existing folder is tightened, too
    with open_journal(data_dir) as opened:
        assert opened.created
        paths = opened.paths
        wal = Path(f"{paths.database}-wal")
        assert wal.exists()  # the upgrade's commit lives in the WAL until a checkpoint
        assert _mode(data_dir) == 0o700
        assert _mode(paths.database) == 0o600
        assert _mode(wal) == 0o600
        assert _mode(paths.lock) == 0o600
        assert not Path(f"{paths.database}-shm").exists()  # EXCLUSIVE: wal-index in memory


def test_create_false_on_an_empty_folder_creates_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(JournalMissingError, match="no journal"):
        open_journal(empty, create=False)
    assert _names(empty) == []

    missing = tmp_path / "missing"
    with pytest.raises(JournalMissingError):
        open_journal(missing, create=False)
    assert not missing.exists()


def test_a_data_dir_that_is_a_file_is_refused_clearly(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "journal-data"
    not_a_folder.write_text("my notes\n", encoding="utf-8")
    with pytest.raises(StorageError, match="is a file, not a folder"):
        open_journal(not_a_folder)
    assert not_a_folder.read_text(encoding="utf-8") == "my notes\n"
    assert _names(tmp_path) == ["journal-data"]


def test_a_folder_name_with_uri_characters_holds_the_journal(tmp_path: Path) -> None:
    """'?', '#' and '%' are ordinary in folder names but special in SQLite and SQLAlchemy URLs."""
    data_dir = tmp_path / "Health #2 ?x=1 %41"
    with open_journal(data_dir) as opened:
        with transaction(opened.session_factory) as session:
            session.add_all(QuestionRow(text=f"q{i}", created_at=WHEN) for i in range(2))
        backup = make_backup(opened.engine, opened.paths.backups)
    assert _names(tmp_path) == [data_dir.name]  # nothing written beside the data folder
    assert "journal.sqlite3" in _names(data_dir)
    assert integrity_ok(backup)
    assert raw_query(backup, "SELECT count(*) FROM question") == [(2,)]
    with open_journal(data_dir, create=False) as reopened:
        assert journal_query(reopened, "SELECT count(*) FROM question") == [(2,)]


def test_a_journal_locked_by_another_program_is_reported_as_in_use(data_dir: Path) -> None:
    open_journal(data_dir).close()
    database = data_dir / "journal.sqlite3"
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")  # e.g. a sync tool or a DB browser
        with pytest.raises(StorageError, match="in use by another program"):
            open_journal(data_dir)
    finally:
        other.close()
    open_journal(data_dir).close()  # and the app's own lock was released again


# --- never replace what is there -----------------------------------------------------------


def _refused_untouched(data_dir: Path, content: bytes, match: str) -> None:
    data_dir.mkdir()
    database = data_dir / "journal.sqlite3"
    database.write_bytes(content)
    for _attempt in range(2):  # the lock was released: the same answer, not "in use"
        with pytest.raises(JournalDamagedError, match=match):
            open_journal(data_dir)
    assert database.read_bytes() == content
    assert _names(data_dir) == ["journal.lock", "journal.sqlite3"]  # no -wal, no backups


def test_a_garbage_file_is_refused_and_left_byte_identical(data_dir: Path) -> None:
    garbage = os.urandom(16 * 1024)
    _refused_untouched(data_dir, garbage, "not a journal file")


def test_a_zero_byte_journal_is_refused_and_left_alone(data_dir: Path) -> None:
    _refused_untouched(data_dir, b"", "empty")


def test_a_truncated_journal_is_reported_as_damaged(tmp_path: Path, data_dir: Path) -> None:
    with open_journal(data_dir) as opened, opened.engine.begin() as connection:
        for i in range(400):
            connection.exec_driver_sql(
                "INSERT INTO question (text, origin, include, position, created_at) "
                "VALUES (?, 'user', 1, ?, 1741200000)",
                (f"question {i} " + "x" * 200, i),
            )
    whole = (data_dir / "journal.sqlite3").read_bytes()
    assert len(whole) > 20 * 4096
    _refused_untouched(tmp_path / "damaged", whole[: len(whole) // 2], "damaged")


# --- interrupted imports -------------------------------------------------------------------


def _batch(status: str, *, undone: bool = False) -> ImportBatchRow:
    file_name = f"clarity-{status}{'-undone' if undone else ''}.csv"
    return ImportBatchRow(
        format="dexcom-csv",
        file_name=file_name,
        sha256=hashlib.sha256(file_name.encode()).hexdigest(),
        imported_at=WHEN,
        status=status,
        counts_json="{}",
        undone=undone,
    )


def _one_of_each(batch_id: int | None) -> list[object]:
    """One row of every importable kind, with child rows, belonging to batch_id (None: typed in)."""
    draw = LabDrawRow(drawn_at=WHEN, fasting="yes", source="fhir-json", batch_id=batch_id)
    draw.results = [
        LabResultRow(position=0, analyte="glucose", value=97.0, unit="mg/dL"),
        LabResultRow(position=1, analyte="insulin", value=11.3, unit="µIU/mL"),
    ]
    workout = WorkoutRow(
        started_at=WHEN, duration_min=40.0, kind="resistance", source="fit", batch_id=batch_id
    )
    workout.sets = [ResistanceSetRow(position=0, exercise="Squat", sets=3, reps=8, load=60.0)]
    walk = PostMealWalkRow(
        meal="dinner",
        meal_ended_at=WHEN,
        started_at=WHEN,
        duration_min=15.0,
        source="gpx",
        batch_id=batch_id,
    )
    reading = GlucoseReadingRow(at=WHEN, value=5.6, unit="mmol/L", source="cgm", batch_id=batch_id)
    return [draw, workout, walk, reading]


def _fill(opened: OpenJournal) -> dict[str, int | None]:
    """A typed-in entry of each kind plus a complete, a pending and an undone import."""
    ids: dict[str, int | None] = {"manual": None}
    with transaction(opened.session_factory) as session:
        for name, batch in (
            ("complete", _batch("complete")),
            ("pending", _batch("pending")),
            ("undone", _batch("complete", undone=True)),
        ):
            session.add(batch)
            session.flush()
            ids[name] = batch.id
        for batch_id in ids.values():
            session.add_all(_one_of_each(batch_id))
    return ids


def _batches_shown(opened: OpenJournal) -> dict[str, set[int | None]]:
    with opened.session() as session:
        return {
            "lab_draw": {r.batch_id for r in session.scalars(visible_draws())},
            "workout": {r.batch_id for r in session.scalars(visible_workouts())},
            "post_meal_walk": {r.batch_id for r in session.scalars(visible_walks())},
            "glucose_reading": {r.batch_id for r in session.scalars(visible_glucose())},
        }


def _rows_per_batch(opened: OpenJournal) -> dict[str, list[tuple[object, ...]]]:
    query = partial(journal_query, opened)
    return {
        "lab_draw": query("SELECT batch_id, count(*) FROM lab_draw GROUP BY 1 ORDER BY 1"),
        "lab_result": query(
            "SELECT d.batch_id, count(*) FROM lab_result r JOIN lab_draw d ON d.id = r.draw_id "
            "GROUP BY 1 ORDER BY 1"
        ),
        "workout": query("SELECT batch_id, count(*) FROM workout GROUP BY 1 ORDER BY 1"),
        "resistance_set": query(
            "SELECT w.batch_id, count(*) FROM resistance_set s JOIN workout w "
            "ON w.id = s.workout_id GROUP BY 1 ORDER BY 1"
        ),
        "post_meal_walk": query("SELECT batch_id, count(*) FROM post_meal_walk GROUP BY 1"),
        "glucose_reading": query("SELECT batch_id, count(*) FROM glucose_reading GROUP BY 1"),
        "orphans": query(
            "SELECT count(*) FROM lab_result WHERE draw_id NOT IN (SELECT id FROM lab_draw)"
        )
        + query(
            "SELECT count(*) FROM resistance_set WHERE workout_id NOT IN (SELECT id FROM workout)"
        ),
    }


def test_rows_of_pending_or_undone_imports_are_hidden(journal: OpenJournal) -> None:
    ids = _fill(journal)
    shown = {None, ids["complete"]}
    assert _batches_shown(journal) == dict.fromkeys(
        ("lab_draw", "workout", "post_meal_walk", "glucose_reading"), shown
    )


def test_purging_pending_imports_removes_their_rows_and_only_theirs(journal: OpenJournal) -> None:
    ids = _fill(journal)
    assert dict(_rows_per_batch(journal)["lab_result"])[ids["pending"]] == 2  # there to purge

    with transaction(journal.session_factory) as session:
        assert purge_pending_batches(session) == 1

    batches = journal_query(journal, "SELECT id FROM import_batch")
    assert sorted(batches) == sorted([(ids["complete"],), (ids["undone"],)])
    per_batch = _rows_per_batch(journal)
    assert per_batch.pop("orphans") == [(0,), (0,)]
    children = {"lab_result": 2, "resistance_set": 1}
    for table, counts in per_batch.items():
        each = children.get(table, 1)
        expected = {None: each, ids["complete"]: each, ids["undone"]: each}
        assert dict(counts) == expected, table


def test_opening_the_journal_clears_an_interrupted_import(data_dir: Path) -> None:
    with open_journal(data_dir) as opened:
        ids = _fill(opened)
    with open_journal(data_dir) as reopened:
        batches = journal_query(reopened, "SELECT id FROM import_batch ORDER BY id")
        assert (ids["pending"],) not in batches
        assert len(batches) == 2
        assert journal_query(reopened, "SELECT count(*) FROM lab_draw") == [(3,)]
        with reopened.session() as session:
            statuses = set(session.scalars(select(ImportBatchRow.status)))
        assert statuses == {"complete"}


def test_someone_elses_database_is_refused_untouched(tmp_path):
    import hashlib
    import sqlite3

    from journal.storage.database import JournalDamagedError, open_journal

    data_dir = tmp_path / "j"
    data_dir.mkdir()
    foreign = data_dir / "journal.sqlite3"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.execute("INSERT INTO recipes VALUES ('soup')")
    connection.commit()
    connection.close()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    import pytest

    with pytest.raises(JournalDamagedError, match="not a Metabolic Journal"):
        open_journal(data_dir)
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
