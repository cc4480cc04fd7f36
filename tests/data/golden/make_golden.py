"""Write the golden journal of one released schema revision: `python make_golden.py 0002`.

Each golden is a journal as a user of that release could have left it: data in every table,
messy where real data is messy (accents, emoji, empty and very long notes, undone imports,
values at the edges). It is built the way a user's file was: created at the first release,
then upgraded release by release, with what each release added written in between. Commit
the file; tests/reliability/test_t06_golden_upgrades.py upgrades every one to the head.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from journal.storage.engine import create_journal_engine  # noqa: E402
from journal.storage.migrate import alembic_config, upgrade_to_head  # noqa: E402
from tests.storage.helpers import REALISTIC_ROWS  # noqa: E402

HERE = Path(__file__).resolve().parent
LONG_NOTE = "Felt dizzy after the OGTT; " * 400  # ~10 kB

# fmt: off
# Written positionally at revision 0001, after REALISTIC_ROWS (ids continue from theirs).
FIRST_RELEASE_EXTRA: dict[str, list[tuple[object, ...]]] = {
    "import_batch": [
        (3, "libreview-csv", "Libre ü 2025.csv", "ef" * 32, 1741300000, "complete", "{}", "", 0),
    ],
    "lab_draw": [
        (3, 1741400000, "no", 0.0, "", LONG_NOTE, "manual", None),
    ],
    "lab_result": [
        (5, 3, 0, "hdl", "2085-9", 0.001, "mmol/L", None, None, "", "", "HDL 🧪"),
        (6, 3, 1, "triglycerides", "2571-8", 9999.5, "mg/dL", 0.0, 150.0, ">150", "HH", None),
    ],
    "workout": [
        (3, 1741500000, 0.5, "other", "", None, None, None, 0.0, 0.0, "", "manual", None),
    ],
    "resistance_set": [(4, 3, 0, "Ñandú carry", 1, 1, 0.5, "kg")],
    "post_meal_walk": [
        (3, "breakfast", 1741600000, 1741607200, 120.0, "walk", 0.0, None, "", "manual", None),
    ],
    "glucose_reading": [(4, 1741300300, 39.0, "mg/dL", "cgm", "Libre 3", 3)],
    "question": [(3, "‏שאלה؟ RTL and <b>markup</b> & ampersands", "user", 1, 2, 1741700000,
                  None, None)],
}

# What each later release added, written right after upgrading to it.
LATER_RELEASES: dict[str, list[tuple[str, tuple[object, ...]]]] = {
    "0002": [
        ("INSERT INTO body_measurement (id, at, kind, value, unit, source, batch_id) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)", (1, 1741800000, "weight", 82.4, "kg", "manual", None)),
        ("INSERT INTO body_measurement (id, at, kind, value, unit, source, batch_id) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)", (2, 1741800100, "waist", 37.5, "in", "csv", 3)),
        ("UPDATE question SET basis = ? WHERE id = 1", ("HOMA-IR 2.7 → 3.1 between draws",)),
    ],
}
# fmt: on


def revisions_up_to(target: str) -> list[str]:
    """The released revisions from the first up to `target`, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    chain = [rev.revision for rev in script.iterate_revisions(target, "base")]
    return list(reversed(chain))


def build(target: str, out: Path) -> Path:
    chain = revisions_up_to(target)
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "journal.sqlite3"
        engine = create_journal_engine(database)
        try:
            for i, revision in enumerate(chain):
                upgrade_to_head(engine, alembic_config(), target=revision)
                with engine.begin() as connection:
                    if i == 0:
                        for table in REALISTIC_ROWS:
                            rows = REALISTIC_ROWS[table] + FIRST_RELEASE_EXTRA.get(table, [])
                            for row in rows:
                                marks = ", ".join("?" * len(row))
                                connection.exec_driver_sql(
                                    f"INSERT INTO {table} VALUES ({marks})", row
                                )
                    elif revision not in LATER_RELEASES:
                        raise SystemExit(
                            f"say what a journal of release {revision} holds in LATER_RELEASES"
                        )
                    for sql, params in LATER_RELEASES.get(revision, []):
                        connection.exec_driver_sql(sql, params)
            raw = engine.raw_connection()
            try:
                source = raw.driver_connection
                assert isinstance(source, sqlite3.Connection)
                out.unlink(missing_ok=True)
                target_db = sqlite3.connect(out)
                try:
                    source.backup(target_db)
                    target_db.execute("PRAGMA journal_mode=DELETE")
                finally:
                    target_db.close()
            finally:
                raw.close()
        finally:
            engine.dispose()
    return out


def golden_path(revision: str) -> Path:
    return HERE / f"journal-{revision}.sqlite"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_golden.py REVISION")
    print(build(sys.argv[1], golden_path(sys.argv[1])))
