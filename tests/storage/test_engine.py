"""The engine: durable, exclusive pragmas; one connection, one caller at a time; UTC times."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from journal.storage.backup import quick_check
from journal.storage.database import OpenJournal, open_journal, transaction
from journal.storage.engine import create_journal_engine, make_session_factory
from journal.storage.models import QuestionRow, UtcTimestamp
from tests.storage.helpers import journal_query

WHEN = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)


def _question(text: str, created_at: datetime = WHEN) -> QuestionRow:
    return QuestionRow(text=text, created_at=created_at)


def _count(opened: OpenJournal) -> int:
    with opened.session() as session:
        return int(session.scalar(select(func.count()).select_from(QuestionRow)) or 0)


# --- pragmas and the exclusive lock --------------------------------------------------------


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("synchronous", 2),  # FULL: a commit survives a power cut
        ("foreign_keys", 1),
        ("locking_mode", "exclusive"),
        ("secure_delete", 1),
    ],
)
@pytest.mark.parametrize("reopened", [False, True], ids=["new", "reopened"])
def test_live_engine_pragmas(data_dir: Path, reopened: bool, pragma: str, expected: object) -> None:
    # A new journal has just run its migrations; a reopened one ran none.
    if reopened:
        open_journal(data_dir).close()
    with open_journal(data_dir) as opened:
        assert opened.created is not reopened
        assert journal_query(opened, f"PRAGMA {pragma}") == [(expected,)]


def test_another_connection_is_locked_out_until_the_journal_closes(data_dir: Path) -> None:
    opened = open_journal(data_dir)
    try:
        with transaction(opened.session_factory) as session:
            session.add(_question("Is my HOMA-IR rising?"))
        other = sqlite3.connect(opened.paths.database, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("SELECT count(*) FROM question").fetchall()
        finally:
            other.close()
    finally:
        opened.close()

    other = sqlite3.connect(opened.paths.database, timeout=0)
    try:
        assert other.execute("SELECT text FROM question").fetchall() == [("Is my HOMA-IR rising?",)]
    finally:
        other.close()


# --- one connection, one user at a time ----------------------------------------------------


def test_a_check_on_another_thread_waits_for_a_write_and_does_not_undo_it(
    journal: OpenJournal,
) -> None:
    """E.g. the GUI thread's periodic check while an import runs on a worker thread."""
    halfway = threading.Event()
    go_on = threading.Event()
    failures: list[BaseException] = []

    def import_two_rows() -> None:
        try:
            with transaction(journal.session_factory) as session:
                session.add(_question("first of the batch"))
                session.flush()
                halfway.set()
                go_on.wait(5)
                session.add(_question("second of the batch"))
        except BaseException as exc:  # reported to the test below
            failures.append(exc)

    worker = threading.Thread(target=import_two_rows)
    worker.start()
    assert halfway.wait(5)
    release = threading.Timer(0.2, go_on.set)
    release.start()
    try:
        assert quick_check(journal.engine) == []  # waits for the worker's commit
    finally:
        go_on.set()
        release.join()
        worker.join(5)
    assert not failures
    assert _count(journal) == 2  # both rows, committed together


@pytest.fixture
def short_wait_engine(data_dir: Path) -> Iterator[Engine]:
    """The journal's engine, giving up on a busy connection after 0.2 s instead of 10 s."""
    open_journal(data_dir).close()
    engine = create_journal_engine(data_dir / "journal.sqlite3", checkout_timeout=0.2)
    try:
        yield engine
    finally:
        engine.dispose()


def test_a_nested_use_of_the_connection_fails_loudly_and_keeps_the_write(
    short_wait_engine: Engine,
) -> None:
    """A check run while this thread's own transaction is open used to ROLLBACK it silently."""
    factory = make_session_factory(short_wait_engine)
    with factory() as session:
        session.add(_question("typed in, not yet saved"))
        session.flush()
        with pytest.raises(PoolTimeoutError):
            quick_check(short_wait_engine)
        session.commit()
    with factory() as session:
        assert session.scalars(select(QuestionRow.text)).all() == ["typed in, not yet saved"]


# --- timestamps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 1, 30, 15, tzinfo=timezone(timedelta(hours=1))),  # DST night, CET
        datetime(2026, 11, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC),  # before the epoch
        datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),  # past 32-bit seconds
    ],
)
def test_timestamps_round_trip_as_aware_utc(journal: OpenJournal, moment: datetime) -> None:
    with transaction(journal.session_factory) as session:
        session.add(_question("when?", created_at=moment))
    with journal.session() as session:
        stored = session.scalars(select(QuestionRow.created_at)).one()
    assert stored == moment
    assert stored.tzinfo is UTC
    assert stored.hour == moment.astimezone(UTC).hour
    assert journal_query(journal, "SELECT created_at FROM question") == [(int(moment.timestamp()),)]


def test_a_naive_datetime_is_refused_and_nothing_is_saved(journal: OpenJournal) -> None:
    naive = datetime(2026, 11, 1, 7, 30)
    with pytest.raises(ValueError, match="naive"):
        UtcTimestamp().process_bind_param(naive, journal.engine.dialect)
    with (
        pytest.raises(StatementError, match="naive") as refused,
        transaction(journal.session_factory) as session,
    ):
        session.add(_question("whose clock?", created_at=naive))
    assert isinstance(refused.value.orig, ValueError)
    assert _count(journal) == 0
