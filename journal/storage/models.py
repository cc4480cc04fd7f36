"""The typed ORM tables. Times are stored as UTC epoch seconds; values keep the reported unit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcTimestamp(TypeDecorator[datetime]):
    """An aware datetime stored as whole UTC epoch seconds (compact, sortable, zone-free)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the journal stores only zone-aware times")
        return round(value.timestamp())

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(int(value), UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ImportBatchRow(Base):
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(UtcTimestamp)
    status: Mapped[str] = mapped_column(String(12), default="complete")  # pending/complete
    counts_json: Mapped[str] = mapped_column(Text, default="{}")
    assumptions: Mapped[str | None] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class LabDrawRow(Base):
    __tablename__ = "lab_draw"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drawn_at: Mapped[datetime] = mapped_column(UtcTimestamp, index=True)
    fasting: Mapped[str] = mapped_column(String(8), default="unknown")
    hours_fasted: Mapped[float | None] = mapped_column(Float)
    lab_name: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )

    results: Mapped[list[LabResultRow]] = relationship(
        back_populates="draw",
        cascade="all, delete-orphan",
        order_by="LabResultRow.position",
        lazy="selectin",
    )


class LabResultRow(Base):
    __tablename__ = "lab_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("lab_draw.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    analyte: Mapped[str] = mapped_column(String(40), index=True)
    loinc: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    ref_low: Mapped[float | None] = mapped_column(Float)
    ref_high: Mapped[float | None] = mapped_column(Float)
    ref_text: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[str | None] = mapped_column(String(8))
    reported_name: Mapped[str | None] = mapped_column(Text)

    draw: Mapped[LabDrawRow] = relationship(back_populates="results")


class WorkoutRow(Base):
    __tablename__ = "workout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcTimestamp, index=True)
    duration_min: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(12))
    activity: Mapped[str | None] = mapped_column(Text)
    rpe: Mapped[int | None] = mapped_column(Integer)
    avg_hr: Mapped[int | None] = mapped_column(Integer)
    max_hr: Mapped[int | None] = mapped_column(Integer)
    distance_km: Mapped[float | None] = mapped_column(Float)
    energy_kcal: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )

    sets: Mapped[list[ResistanceSetRow]] = relationship(
        back_populates="workout",
        cascade="all, delete-orphan",
        order_by="ResistanceSetRow.position",
        lazy="selectin",
    )


class ResistanceSetRow(Base):
    __tablename__ = "resistance_set"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workout_id: Mapped[int] = mapped_column(
        ForeignKey("workout.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    exercise: Mapped[str] = mapped_column(Text)
    sets: Mapped[int] = mapped_column(Integer)
    reps: Mapped[int] = mapped_column(Integer)
    load: Mapped[float | None] = mapped_column(Float)
    load_unit: Mapped[str] = mapped_column(String(4), default="kg")

    workout: Mapped[WorkoutRow] = relationship(back_populates="sets")


class PostMealWalkRow(Base):
    __tablename__ = "post_meal_walk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meal: Mapped[str] = mapped_column(String(12))
    meal_ended_at: Mapped[datetime] = mapped_column(UtcTimestamp)
    started_at: Mapped[datetime] = mapped_column(UtcTimestamp, index=True)
    duration_min: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(24), default="walk")
    pace_kmh: Mapped[float | None] = mapped_column(Float)
    distance_km: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )


class GlucoseReadingRow(Base):
    __tablename__ = "glucose_reading"
    __table_args__ = (Index("ix_glucose_reading_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcTimestamp)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(12), default="fingerstick")
    device: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )


class QuestionRow(Base):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(40), default="user")
    include: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcTimestamp)
    answered_at: Mapped[datetime | None] = mapped_column(UtcTimestamp)
    answer: Mapped[str | None] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )


class BodyMeasurementRow(Base):
    __tablename__ = "body_measurement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcTimestamp, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(40), default="manual")
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )
