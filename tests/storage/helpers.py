"""Raw-SQLite helpers for the storage tests: old-revision journals, dumps and snapshots."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

from journal.paths import JournalPaths
from journal.storage.database import OpenJournal, ensure_private_dir
from journal.storage.engine import create_journal_engine
from journal.storage.migrate import alembic_config, head_revision, upgrade_to_head

Rows = list[tuple[object, ...]]
Query = Callable[[str], Rows]

FIRST_REVISION = "0001"
TEST_REVISION = "0002_test_only"

# Every table that holds the user's data, in an order that satisfies the foreign keys.
USER_TABLES = (
    "import_batch",
    "lab_draw",
    "lab_result",
    "workout",
    "resistance_set",
    "post_meal_walk",
    "glucose_reading",
    "question",
)

# Rows a real journal could hold at revision 0001, in its column order, written with raw SQL so
# they do not depend on today's ORM models. Times are UTC epoch seconds (1741074300 is
# 2025-03-04 07:45 UTC). Batch 2 is undone; lab_draw 1 has results, workout 1 has sets.
# fmt: off
REALISTIC_ROWS: dict[str, Rows] = {
    "import_batch": [
        (1, "dexcom-csv", "Clarity_Export_2025-03.csv", "ab" * 32, 1741100000, "complete",
         '{"glucose_reading": 2}', "times without offset read as Europe/Berlin", 0),
        (2, "fhir-json", "labcorp.json", "cd" * 32, 1741200000, "complete", "{}", None, 1),
    ],
    "lab_draw": [
        (1, 1741074300, "yes", 12.5, "Labcorp", "Arm hurt — großer Bluterguss 🩸", "manual", None),
        (2, 1733000000, "unknown", None, None, None, "fhir-json", 2),
    ],
    "lab_result": [
        (1, 1, 0, "glucose", "2345-7", 97.0, "mg/dL", 70.0, 99.0, "70-99", None, "Glucose"),
        (2, 1, 1, "insulin", "20448-7", 11.3, "µIU/mL", 2.6, 24.9, None, None, "Insulin"),
        (3, 1, 2, "triglycerides", None, 1.69, "mmol/L", None, 1.7, "<1.7", "H", None),
        (4, 2, 0, "hba1c", "4548-4", 5.6, "%", None, 5.7, None, None, "Hemoglobin A1c"),
    ],
    "workout": [
        (1, 1741150000, 52.0, "resistance", "Gym", 7, 128, 161, None, 310.0, "legs", "manual",
         None),
        (2, 1741236400, 31.5, "aerobic", "Cycling", None, None, None, 12.4, None, None, "gpx",
         None),
    ],
    "resistance_set": [
        (1, 1, 0, "Back squat", 3, 8, 80.0, "kg"),
        (2, 1, 1, "Calf raise", 3, 15, None, "kg"),
        (3, 1, 2, "Deadlift", 2, 5, 225.0, "lb"),
    ],
    "post_meal_walk": [
        (1, "dinner", 1741115000, 1741115600, 15.0, "walk", 5.2, None, "round the block",
         "manual", None),
        (2, "lunch", 1741080000, 1741080300, 10.0, "seated_calf_raises", None, None, None,
         "manual", None),
    ],
    "glucose_reading": [
        (1, 1741100300, 5.4, "mmol/L", "cgm", "Dexcom G7", 1),
        (2, 1741100600, 5.9, "mmol/L", "cgm", "Dexcom G7", 1),
        (3, 1741074000, 104.0, "mg/dL", "fingerstick", None, None),
    ],
    "question": [
        (1, "Is my fasting insulin trending up?", "rule:homa_ir_rising", 1, 0, 1741200000, None,
         None),
        (2, "Should I repeat the OGTT?", "user", 0, 1, 1741200100, 1741300000,
         "Dr. K: in six months"),
    ],
}
# fmt: on


@contextlib.contextmanager
def raw_connection(database: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (foreign keys on, no waiting on locks), always closed."""
    connection = sqlite3.connect(database, timeout=0)
    try:
        connection.execute("PRAGMA foreign_keys=ON")
        yield connection
    finally:
        connection.close()


def raw_query(database: Path, sql: str) -> Rows:
    with raw_connection(database) as connection:
        return [tuple(row) for row in connection.execute(sql)]


def journal_query(opened: OpenJournal, sql: str) -> Rows:
    """Read through the app's own connection (the only one its EXCLUSIVE lock lets in)."""
    with opened.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def dump(database: Path) -> list[str]:
    """The whole file as SQL text: schema, rows and alembic_version."""
    with raw_connection(database) as connection:
        return list(connection.iterdump())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_journal_at(data_dir: Path, revision: str = FIRST_REVISION) -> Path:
    """A closed journal whose schema stops at `revision`, as an older release left it."""
    ensure_private_dir(data_dir)
    database = JournalPaths(data_dir).database
    engine = create_journal_engine(database)
    try:
        upgrade_to_head(engine, alembic_config(), target=revision)
    finally:
        engine.dispose()
    return database


def insert_rows(database: Path, rows: dict[str, Rows]) -> None:
    with raw_connection(database) as connection, connection:
        for table in USER_TABLES:
            for row in rows.get(table, []):
                marks = ", ".join("?" * len(row))
                connection.execute(f"INSERT INTO {table} VALUES ({marks})", row)


def columns_of(query: Query, table: str) -> list[str]:
    return [str(row[1]) for row in query(f"PRAGMA table_info({table})")]


def snapshot(query: Query, columns: dict[str, list[str]] | None = None) -> dict[str, Rows]:
    """Every user table's rows ordered by id, restricted to `columns` (table -> names) if given."""
    columns = columns or {table: columns_of(query, table) for table in USER_TABLES}
    return {
        table: query(f"SELECT {', '.join(columns[table])} FROM {table} ORDER BY id")
        for table in USER_TABLES
    }


def write_revision(directory: Path, body: str, *, doc: str) -> Path:
    """A test-only Alembic revision on top of this build's head, in its own versions folder."""
    directory.mkdir(parents=True, exist_ok=True)
    source = (
        f'"""Test-only revision: {doc}."""\n\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = {TEST_REVISION!r}\n"
        f"down_revision = {head_revision(alembic_config())!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        f"{textwrap.indent(textwrap.dedent(body).strip(), '    ')}\n\n\n"
        "def downgrade() -> None:\n"
        "    raise NotImplementedError\n"
    )
    path = directory / f"{TEST_REVISION}.py"
    path.write_text(source, encoding="utf-8")
    return path
