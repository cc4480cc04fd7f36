"""Glucose readings a day at a time: the newest and oldest reading, hidden imports, fast queries."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text

from journal.domain.entities import GlucoseSource
from journal.services.changes import Entity
from journal.storage.models import GlucoseReadingRow, ImportBatchRow
from journal.storage.repositories import visible
from tests.factories import reading

DAY = datetime(2026, 11, 10, tzinfo=UTC)


def _batch(journal, status: str = "complete", *, undone: bool = False) -> int:
    name = f"clarity-{status}-{undone}.csv"
    with journal.session_factory() as session, session.begin():
        row = ImportBatchRow(
            format="dexcom-csv",
            file_name=name,
            sha256=hashlib.sha256(name.encode()).hexdigest(),
            imported_at=DAY,
            status=status,
            undone=undone,
        )
        session.add(row)
        session.flush()
        return row.id


def test_latest_and_earliest_reading_at_on_an_empty_journal(services):
    assert services.glucose.latest_reading_at() is None
    assert services.glucose.earliest_reading_at() is None


def test_latest_and_earliest_reading_at_respect_their_bounds(services):
    times = [DAY + timedelta(days=d, hours=8) for d in (0, 3, 7)]
    for when in times:
        services.glucose.add_reading(reading(when, 100))
    glucose = services.glucose
    assert glucose.latest_reading_at() == times[2]
    assert glucose.earliest_reading_at() == times[0]
    assert glucose.latest_reading_at(before=times[2]) == times[1]  # strictly before
    assert glucose.latest_reading_at(before=times[0]) is None
    assert glucose.earliest_reading_at(since=times[1]) == times[1]  # at or after
    assert glucose.earliest_reading_at(since=times[2] + timedelta(seconds=1)) is None


def test_readings_of_undone_or_unfinished_imports_stay_hidden(services, journal):
    complete, undone, pending = (
        _batch(journal),
        _batch(journal, undone=True),
        _batch(journal, "pending"),
    )
    cgm = GlucoseSource.CGM
    services.glucose.bulk_add(
        [
            reading(DAY + timedelta(hours=1), 100, source=cgm, batch_id=complete),
            reading(DAY + timedelta(hours=2), 300, source=cgm, batch_id=undone),
            reading(DAY + timedelta(hours=3), 300, source=cgm, batch_id=pending),
        ]
    )
    glucose = services.glucose
    assert glucose.latest_reading_at() == DAY + timedelta(hours=1)
    assert glucose.earliest_reading_at(since=DAY + timedelta(minutes=90)) is None
    day = glucose.readings_for_day(date(2026, 11, 10), UTC)
    assert [(r.value, r.batch_id, r.source) for r in day] == [(100, complete, cgm)]
    stats = glucose.day_stats(date(2026, 11, 10), UTC)
    assert (stats.count, stats.high) == (1, 100)


def test_readings_between_returns_complete_values_with_their_ids(services):
    added = reading(DAY + timedelta(hours=9), 5.4, "mmol/L", device="Contour Next One")
    rid = services.glucose.add_reading(added).first_added(Entity.GLUCOSE)
    [found] = services.glucose.readings_between(DAY, DAY + timedelta(days=1))
    assert found.id == rid
    assert (found.at, found.value, found.unit, found.source, found.device, found.batch_id) == (
        added.at,
        5.4,
        "mmol/L",
        GlucoseSource.FINGERSTICK,
        "Contour Next One",
        None,
    )


def test_day_queries_walk_the_time_index(journal):
    # With "batch_id IS NULL OR batch_id IN (...)" SQLite chose the batch_id index and read
    # every typed-in or sensor reading (100 ms on a million); a day must use the time range.
    stmt = select(GlucoseReadingRow.id).where(
        visible(GlucoseReadingRow.batch_id),
        GlucoseReadingRow.at >= DAY,
        GlucoseReadingRow.at < DAY + timedelta(days=1),
    )
    compiled = stmt.compile(
        dialect=journal.session_factory.kw["bind"].dialect,
        compile_kwargs={"literal_binds": True},
    )
    with journal.session_factory() as session:
        plan = " ".join(
            str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
    assert "ix_glucose_reading_at" in plan
    assert "MULTI-INDEX OR" not in plan
