"""T6: a journal from every released schema revision upgrades to this build, losing nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from journal.storage.database import open_journal
from journal.storage.migrate import alembic_config, head_revision
from tests.reliability.helpers import checks_clean, raw_rows

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
GOLDENS = sorted(GOLDEN.glob("journal-*.sqlite"))


def _revision_of(golden: Path) -> str:
    return golden.stem.removeprefix("journal-")


def _tables(database: Path) -> list[str]:
    rows = raw_rows(
        database,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version' ORDER BY name",
    )
    return [str(r[0]) for r in rows]


def _contents(database: Path, columns: dict[str, list[str]]) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: raw_rows(database, f"SELECT {', '.join(names)} FROM {table} ORDER BY id")
        for table, names in columns.items()
    }


def test_T6_there_is_a_golden_journal_for_every_released_revision() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    released = {rev.revision for rev in script.walk_revisions()}
    assert {_revision_of(g) for g in GOLDENS} == released, (
        "write the missing golden with tests/data/golden/make_golden.py REVISION"
    )
    assert len(script.get_heads()) == 1


@pytest.mark.parametrize("golden", GOLDENS, ids=_revision_of)
def test_T6_a_golden_journal_upgrades_to_head_losing_nothing(golden: Path, data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    database = data_dir / "journal.sqlite3"
    shutil.copyfile(golden, database)
    assert raw_rows(database, "SELECT version_num FROM alembic_version") == [
        (_revision_of(golden),)
    ]
    columns = {
        table: [str(r[1]) for r in raw_rows(database, f"PRAGMA table_info({table})")]
        for table in _tables(database)
    }
    before = _contents(database, columns)
    assert all(before.values()), "a golden holds data in every table"

    with open_journal(data_dir) as opened:
        upgraded_from = opened.backup_before_upgrade
    checks_clean(database)
    assert raw_rows(database, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert _contents(database, columns) == before  # every row, every old column, unchanged
    assert set(_tables(database)) >= set(columns)
    if _revision_of(golden) != head_revision():
        assert upgraded_from is not None
        assert _contents(upgraded_from, columns) == before
