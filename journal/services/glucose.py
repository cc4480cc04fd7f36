"""Glucose readings: occasional finger-sticks and imported sensor data, a day at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import ColumnElement, Integer, case, func, select, type_coerce

from journal.domain.analytes import get_analyte
from journal.domain.entities import GlucoseReading, GlucoseSource
from journal.domain.glucose_metrics import (
    HIGH_MGDL,
    LOW_MGDL,
    VERY_HIGH_MGDL,
    VERY_LOW_MGDL,
    GlucoseCounts,
)
from journal.domain.plausibility import Verdict, check_value
from journal.domain.units import UnknownUnitError, normalize_unit
from journal.services.base import Checks, Service
from journal.services.changes import Change, Entity
from journal.storage import repositories as repo
from journal.storage.models import GlucoseReadingRow


@dataclass(frozen=True, slots=True)
class DayStats:
    """One local day's readings summarised in one unit."""

    day: date
    count: int
    mean: float | None
    low: float | None
    high: float | None
    unit: str


class GlucoseService(Service):
    def validate(self, reading: GlucoseReading) -> Checks:
        checks = Checks(self._clock)
        checks.time("at", reading.at)
        try:
            unit = normalize_unit(reading.unit)
        except UnknownUnitError:
            checks.add("unit", "use mg/dL or mmol/L")
            return checks
        if unit not in ("mg/dL", "mmol/L"):
            checks.add("unit", "use mg/dL or mmol/L")
            return checks
        checks.number("value", reading.value, -1e9, 1e9, required=True)
        if not checks.errors:
            verdict = check_value("glucose", reading.value, unit)
            if verdict.verdict is Verdict.IMPOSSIBLE:
                checks.add("value", verdict.message or "is not a possible glucose value")
        checks.text("device", reading.device, max_len=200)
        return checks

    def add_reading(self, reading: GlucoseReading) -> Change:
        self.validate(reading).raise_if_any()
        with self._write() as session:
            row = (
                GlucoseReadingRow(id=reading.id) if reading.id is not None else GlucoseReadingRow()
            )
            repo.fill_glucose_row(row, _normalized(reading))
            session.add(row)
            session.flush()
            new_id = row.id
        return Change.of(Entity.GLUCOSE, added=[new_id])

    def add_readings(self, items: Sequence[GlucoseReading]) -> Change:
        """Add several readings in one transaction (used to undo a delete), keeping their ids."""

        def to_row(item: GlucoseReading) -> GlucoseReadingRow:
            row = GlucoseReadingRow(id=item.id)
            repo.fill_glucose_row(row, _normalized(item))
            return row

        return self._add_many(items, Entity.GLUCOSE, self.validate, to_row, "readings")

    def update_reading(self, reading: GlucoseReading) -> Change:
        if reading.id is None:
            raise ValueError("update_reading needs a reading with an id")
        self.validate(reading).raise_if_any()
        with self._write() as session:
            row = self._get(session, GlucoseReadingRow, reading.id, "glucose reading")
            assert isinstance(row, GlucoseReadingRow)
            repo.fill_glucose_row(row, _normalized(reading))
        return Change.of(Entity.GLUCOSE, updated=[reading.id])

    def delete_readings(self, ids: Sequence[int]) -> Change:
        return self._delete(GlucoseReadingRow, Entity.GLUCOSE, ids)

    def readings_for_day(self, day: date, tz: tzinfo) -> list[GlucoseReading]:
        start, end = day_bounds(day, tz)
        return self.readings_between(start, end)

    def readings_between(self, start: datetime, end: datetime) -> list[GlucoseReading]:
        with self._read() as session:
            return repo.list_glucose(session, start, end)

    def latest_reading_at(self, before: datetime | None = None) -> datetime | None:
        """Time of the newest visible reading (strictly before `before`, if given), or None."""
        stmt = select(GlucoseReadingRow.at).where(repo.visible(GlucoseReadingRow.batch_id))
        if before is not None:
            stmt = stmt.where(GlucoseReadingRow.at < before)
        stmt = stmt.order_by(GlucoseReadingRow.at.desc()).limit(1)
        with self._read() as session:
            return session.scalars(stmt).first()

    def earliest_reading_at(self, since: datetime | None = None) -> datetime | None:
        """Time of the oldest visible reading (at or after `since`, if given), or None."""
        stmt = select(GlucoseReadingRow.at).where(repo.visible(GlucoseReadingRow.batch_id))
        if since is not None:
            stmt = stmt.where(GlucoseReadingRow.at >= since)
        stmt = stmt.order_by(GlucoseReadingRow.at).limit(1)
        with self._read() as session:
            return session.scalars(stmt).first()

    def day_stats(self, day: date, tz: tzinfo, unit: str = "mg/dL") -> DayStats:
        """Mean, lowest and highest of one day, computed in SQL in the requested unit."""
        start, end = day_bounds(day, tz)
        factor = get_analyte("glucose").convert(1.0, "mg/dL", "mmol/L")
        value = GlucoseReadingRow.value
        other = "mg/dL" if unit == "mmol/L" else "mmol/L"
        scaled = value * factor if unit == "mmol/L" else value / factor
        as_value = case((GlucoseReadingRow.unit == other, scaled), else_=value)
        stmt = select(func.count(), func.avg(as_value), func.min(as_value), func.max(as_value))
        stmt = stmt.where(
            repo.visible(GlucoseReadingRow.batch_id),
            GlucoseReadingRow.at >= start,
            GlucoseReadingRow.at < end,
        )
        with self._read() as session:
            n, mean, low, high = session.execute(stmt).one()
        return DayStats(day, int(n), mean, low, high, unit)

    def period_counts(self, start: datetime, end: datetime) -> GlucoseCounts:
        """Sensor readings in [start, end) counted per consensus range, in one SQL pass.

        Values stored in mmol/L are converted to mg/dL first, so that every edge is compared in
        the unit the consensus publishes. Finger-sticks are left out: they are not a sample of
        the whole day.
        """
        factor = get_analyte("glucose").convert(1.0, "mmol/L", "mg/dL")
        row = GlucoseReadingRow
        mgdl = case((row.unit == "mmol/L", row.value * factor), else_=row.value)

        def below(edge: float) -> ColumnElement[int]:
            return func.sum(case((mgdl < edge, 1), else_=0))

        def above(edge: float) -> ColumnElement[int]:
            return func.sum(case((mgdl > edge, 1), else_=0))

        # The UTC day of each reading is close enough to count days with data.
        day = func.count(func.distinct(type_coerce(row.at, Integer) // 86_400))
        stmt = select(
            func.count(),
            func.min(row.at),
            func.max(row.at),
            func.avg(mgdl),
            func.avg(mgdl * mgdl),
            below(VERY_LOW_MGDL),
            below(LOW_MGDL),
            above(HIGH_MGDL),
            above(VERY_HIGH_MGDL),
            day,
        ).where(
            repo.visible(row.batch_id),
            row.source == GlucoseSource.CGM.value,
            row.at >= start,
            row.at < end,
        )
        with self._read() as session:
            n, first, last, mean, square, vlow, low, high, vhigh, days = session.execute(stmt).one()
        return GlucoseCounts(
            readings=int(n),
            first=first,
            last=last,
            mean_mgdl=None if mean is None else float(mean),
            mean_square_mgdl=None if square is None else float(square),
            very_low=int(vlow or 0),
            low=int(low or 0),
            high=int(high or 0),
            very_high=int(vhigh or 0),
            days_with_readings=int(days or 0),
        )

    def history(self, unit: str = "mg/dL") -> tuple[list[int], list[float]]:
        """Every visible reading as (UTC epoch seconds, value in `unit`), oldest first.

        Plain columns converted in SQL: a decade of sensor data (a million readings) comes
        back in about two seconds instead of ten through row objects.
        """
        factor = get_analyte("glucose").convert(1.0, "mg/dL", "mmol/L")
        row = GlucoseReadingRow
        other = "mg/dL" if unit == "mmol/L" else "mmol/L"
        scaled = row.value * factor if unit == "mmol/L" else row.value / factor
        value = case((row.unit == other, scaled), else_=row.value)
        # type_coerce reads the stored epoch integer, skipping the datetime conversion per row.
        stmt = (
            select(type_coerce(row.at, Integer), value)
            .where(repo.visible(row.batch_id))
            .order_by(row.at)
        )
        times: list[int] = []
        values: list[float] = []
        with self._read() as session:
            for at, v in session.execute(stmt):
                times.append(int(at))
                values.append(float(v))
        return times, values

    def span(self) -> tuple[datetime, datetime] | None:
        """First and last reading time, or None when there are no readings."""
        stmt = select(func.min(GlucoseReadingRow.at), func.max(GlucoseReadingRow.at))
        with self._read() as session:
            first, last = session.execute(stmt).one()
        return None if first is None else (first, last)

    def count(self) -> int:
        with self._read() as session:
            return repo.count(session, repo.visible_glucose())

    def bulk_add(self, readings: Iterable[GlucoseReading], chunk: int = 50_000) -> int:
        """Insert many trusted readings (sensor data) in one transaction, in chunks.

        A million sensor readings go through the driver's executemany directly: building ORM
        objects for each would cost minutes instead of seconds.
        """
        sql = (
            "INSERT INTO glucose_reading (at, value, unit, source, device, batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        total = 0
        with self._write() as session:
            connection = session.connection()
            buffer: list[tuple[object, ...]] = []
            for r in readings:
                if r.at.tzinfo is None:
                    raise ValueError("glucose readings need zone-aware times")
                buffer.append(
                    (round(r.at.timestamp()), r.value, r.unit, r.source.value, r.device, r.batch_id)
                )
                if len(buffer) >= chunk:
                    connection.exec_driver_sql(sql, buffer)
                    total += len(buffer)
                    buffer.clear()
            if buffer:
                connection.exec_driver_sql(sql, buffer)
                total += len(buffer)
        return total


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The start and end of a local calendar day as aware datetimes (23 or 25 h across DST)."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def _normalized(reading: GlucoseReading) -> GlucoseReading:
    return replace(
        reading,
        unit=normalize_unit(reading.unit),
        source=GlucoseSource(reading.source),
        device=(reading.device or "").strip() or None,
    )
