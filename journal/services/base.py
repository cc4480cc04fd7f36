"""What every service shares: the injected session factory and one-transaction helpers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from journal.services.changes import Change, Entity
from journal.services.errors import FieldError, NotFoundError, ValidationError
from journal.storage.repositories import delete_ids

Clock = Callable[[], datetime]
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Service:
    """Base for services: owns the transaction boundary; views never see a Session."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._factory = session_factory
        self._clock = clock

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._factory() as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._factory() as session:
            try:
                yield session
            finally:
                session.rollback()

    def _delete(self, model: type[object], entity: Entity, ids: Sequence[int]) -> Change:
        with self._write() as session:
            removed = delete_ids(session, model, list(ids))
        return Change.of(entity, removed=removed)

    def _add_many(
        self,
        items: Sequence[T],
        entity: Entity,
        validate: Callable[[T], Checks],
        to_row: Callable[[T], object],
        label: str,
    ) -> Change:
        """Validate every item, then insert them all in one transaction (all or nothing)."""
        errors: list[FieldError] = []
        for i, item in enumerate(items):
            errors.extend(
                FieldError(f"{label}[{i}].{e.field}", e.message) for e in validate(item).errors
            )
        if errors:
            raise ValidationError(errors)
        with self._write() as session:
            rows = [to_row(item) for item in items]
            session.add_all(rows)
            session.flush()
            ids = [int(row.id) for row in rows]  # type: ignore[attr-defined]
        return Change.of(entity, added=ids)

    def _get(self, session: Session, model: type[object], id_: int, what: str) -> object:
        row = session.get(model, id_)
        if row is None:
            raise NotFoundError(f"That {what} no longer exists; it may have been deleted.")
        return row


class Checks:
    """Collects FieldErrors with short, plain messages; raise() if any were found."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.errors: list[FieldError] = []
        self._clock = clock

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def time(self, field: str, value: datetime | None, *, required: bool = True) -> None:
        if value is None:
            if required:
                self.add(field, "is required")
            return
        if value.tzinfo is None:
            self.add(field, "needs a time zone")
            return
        if value > self._clock() + timedelta(days=1):
            self.add(field, "is in the future")
        elif value.year < 1900:
            self.add(field, "is before 1900")

    def number(
        self,
        field: str,
        value: float | None,
        low: float,
        high: float,
        *,
        required: bool = False,
        unit: str = "",
    ) -> None:
        if value is None:
            if required:
                self.add(field, "is required")
            return
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.add(field, "must be a number")
            return
        if not low <= value <= high:
            suffix = f" {unit}" if unit else ""
            self.add(field, f"must be between {low:g} and {high:g}{suffix}")

    def text(self, field: str, value: str | None, *, max_len: int, required: bool = False) -> None:
        if value is None or not value.strip():
            if required:
                self.add(field, "is required")
            return
        if len(value) > max_len:
            self.add(field, f"is too long (at most {max_len:,} characters)")
        if "\x00" in value:
            self.add(field, "contains a NUL character")

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
