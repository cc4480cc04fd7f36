"""Small builders for test data; every value is something a real journal could hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from journal.domain.entities import (
    Fasting,
    GlucoseReading,
    GlucoseSource,
    LabDraw,
    LabResult,
    Meal,
    PostMealWalk,
    ResistanceSet,
    WalkKind,
    Workout,
    WorkoutKind,
)

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def result(analyte: str, value: float, unit: str, **kw: Any) -> LabResult:
    return LabResult(analyte=analyte, value=value, unit=unit, **kw)


def draw(
    when: datetime | None = None,
    *,
    fasting: Fasting = Fasting.YES,
    results: tuple[LabResult, ...] | None = None,
    **kw: Any,
) -> LabDraw:
    if results is None:
        results = (
            result("glucose", 100, "mg/dL"),
            result("insulin", 10, "µIU/mL"),
            result("triglycerides", 150, "mg/dL"),
            result("hdl", 50, "mg/dL"),
        )
    return LabDraw(
        drawn_at=when or NOW - timedelta(days=30),
        fasting=fasting,
        results=results,
        lab_name=kw.pop("lab_name", "Quest"),
        **kw,
    )


def workout(
    when: datetime | None = None,
    *,
    minutes: float = 45,
    kind: WorkoutKind = WorkoutKind.AEROBIC,
    rpe: int | None = 5,
    **kw: Any,
) -> Workout:
    sets = kw.pop("sets", ())
    if kind in (WorkoutKind.RESISTANCE, WorkoutKind.COMBINED) and not sets:
        sets = (ResistanceSet("Squat", 3, 8, 60.0),)
    return Workout(
        started_at=when or NOW - timedelta(days=1),
        duration_min=minutes,
        kind=kind,
        rpe=rpe,
        sets=sets,
        **kw,
    )


def walk(
    meal_end: datetime | None = None,
    *,
    delay_min: float = 8,
    minutes: float = 15,
    meal: Meal = Meal.DINNER,
    kind: WalkKind = WalkKind.WALK,
    **kw: Any,
) -> PostMealWalk:
    meal_end = meal_end or NOW - timedelta(hours=2)
    return PostMealWalk(
        meal=meal,
        meal_ended_at=meal_end,
        started_at=meal_end + timedelta(minutes=delay_min),
        duration_min=minutes,
        kind=kind,
        **kw,
    )


def reading(
    when: datetime | None = None, value: float = 105, unit: str = "mg/dL", **kw: Any
) -> GlucoseReading:
    return GlucoseReading(
        at=when or NOW - timedelta(hours=1),
        value=value,
        unit=unit,
        source=kw.pop("source", GlucoseSource.FINGERSTICK),
        **kw,
    )
