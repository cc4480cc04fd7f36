"""The head revision the journal is opened against without Alembic is Alembic's own head."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from journal.storage.database import open_journal
from journal.storage.engine import create_journal_engine
from journal.storage.migrate import HEAD_REVISION, alembic_config, stored_revision


def test_head_revision_constant_is_alembics_head() -> None:
    # A new migration must move HEAD_REVISION too: otherwise journals would open at the old
    # head without being upgraded.
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


def test_stored_revision_reads_the_file_with_plain_sql(data_dir: Path) -> None:
    with open_journal(data_dir) as opened:
        assert stored_revision(opened.engine) == HEAD_REVISION


def test_an_up_to_date_journal_opens_without_importing_alembic(data_dir: Path) -> None:
    open_journal(data_dir).close()
    code = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from journal.storage.database import open_journal

        open_journal(Path(sys.argv[1])).close()
        print(sorted(m for m in sys.modules if m == "alembic" or m.startswith("alembic.")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("rows", [0, 2])
def test_an_odd_version_table_is_left_to_alembic(data_dir: Path, rows: int) -> None:
    open_journal(data_dir).close()
    database = data_dir / "journal.sqlite3"
    connection = sqlite3.connect(database)
    with connection:
        connection.execute("DELETE FROM alembic_version")
        for i in range(rows):
            connection.execute("INSERT INTO alembic_version VALUES (?)", (f"000{i + 1}",))
    connection.close()
    engine = create_journal_engine(database)
    try:
        with pytest.raises(LookupError):
            stored_revision(engine)
    finally:
        engine.dispose()
