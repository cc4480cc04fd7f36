"""The journal's records as immutable values, shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Fasting(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class WorkoutKind(StrEnum):
    AEROBIC = "aerobic"
    RESISTANCE = "resistance"
    HIIT = "hiit"
    COMBINED = "combined"
    OTHER = "other"


class Meal(StrEnum):
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    SNACK = "snack"


class WalkKind(StrEnum):
    WALK = "walk"
    CALF_RAISES = "seated_calf_raises"
    OTHER = "other"


class GlucoseSource(StrEnum):
    CGM = "cgm"
    FINGERSTICK = "fingerstick"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class LoadUnit(StrEnum):
    KG = "kg"
    LB = "lb"


@dataclass(frozen=True, slots=True)
class LabResult:
    """One analyte's result on a lab draw, in the unit the lab reported."""

    analyte: str
    value: float
    unit: str
    loinc: str | None = None
    ref_low: float | None = None
    ref_high: float | None = None
    ref_text: str | None = None
    flag: str | None = None
    reported_name: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class LabDraw:
    """One blood draw (or measurement visit) and its results."""

    drawn_at: datetime
    fasting: Fasting = Fasting.UNKNOWN
    hours_fasted: float | None = None
    lab_name: str | None = None
    notes: str | None = None
    source: str = "manual"
    results: tuple[LabResult, ...] = ()
    id: int | None = None
    batch_id: int | None = None

    def result(self, analyte: str) -> LabResult | None:
        return next((r for r in self.results if r.analyte == analyte), None)


@dataclass(frozen=True, slots=True)
class ResistanceSet:
    exercise: str
    sets: int
    reps: int
    load: float | None = None
    load_unit: LoadUnit = LoadUnit.KG
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Workout:
    started_at: datetime
    duration_min: float
    kind: WorkoutKind
    activity: str | None = None
    rpe: int | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    distance_km: float | None = None
    energy_kcal: float | None = None
    notes: str | None = None
    source: str = "manual"
    sets: tuple[ResistanceSet, ...] = ()
    id: int | None = None
    batch_id: int | None = None

    @property
    def ended_at(self) -> datetime:
        # In UTC: adding to a local time would be off by an hour across a DST change.
        return self.started_at.astimezone(UTC) + timedelta(minutes=self.duration_min)

    @property
    def load(self) -> float | None:
        """Session load (Foster): RPE x minutes, in arbitrary units."""
        return None if self.rpe is None else self.rpe * self.duration_min


@dataclass(frozen=True, slots=True)
class PostMealWalk:
    meal: Meal
    meal_ended_at: datetime
    started_at: datetime
    duration_min: float
    kind: WalkKind = WalkKind.WALK
    pace_kmh: float | None = None
    distance_km: float | None = None
    notes: str | None = None
    source: str = "manual"
    id: int | None = None
    batch_id: int | None = None

    @property
    def minutes_after_eating(self) -> float:
        started, ended = self.started_at.astimezone(UTC), self.meal_ended_at.astimezone(UTC)
        return (started - ended).total_seconds() / 60.0


@dataclass(frozen=True, slots=True)
class GlucoseReading:
    at: datetime
    value: float
    unit: str
    source: GlucoseSource = GlucoseSource.FINGERSTICK
    device: str | None = None
    id: int | None = None
    batch_id: int | None = None


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    origin: str = "user"  # "user" or the id of the rule that drafted it
    include: bool = True
    position: int = 0
    created_at: datetime | None = None
    answered_at: datetime | None = None
    answer: str | None = None
    id: int | None = None
    basis: str | None = None  # the data that triggered a drafted question
    batch_id: int | None = None  # set when the question came in with an import


@dataclass(frozen=True, slots=True)
class BodyMeasurement:
    """One body measurement (weight or waist), in the unit it was taken in."""

    at: datetime
    kind: str  # "body_mass" | "waist"
    value: float
    unit: str  # "kg" | "lb" | "cm" | "in"
    source: str = "manual"
    id: int | None = None
    batch_id: int | None = None


@dataclass(frozen=True, slots=True)
class ImportBatch:
    format: str
    file_name: str
    sha256: str
    imported_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    undone: bool = False
    status: str = "complete"
    assumptions: str | None = None
    id: int | None = None
