"""Workouts and their resistance sets: add, edit, delete, list, and training coverage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from journal.domain.entities import LoadUnit, Workout, WorkoutKind
from journal.services.base import Checks, Service
from journal.services.changes import Change, Entity
from journal.storage import repositories as repo
from journal.storage.models import WorkoutRow

RPE_WORDS = {
    0: "rest",
    1: "very, very easy",
    2: "easy",
    3: "moderate",
    4: "somewhat hard",
    5: "hard",
    6: "hard",
    7: "very hard",
    8: "very hard",
    9: "very hard",
    10: "maximal",
}


class TrainingService(Service):
    def validate(self, workout: Workout) -> Checks:
        checks = Checks(self._clock)
        checks.time("started_at", workout.started_at)
        checks.number("duration_min", workout.duration_min, 1, 24 * 60, required=True, unit="min")
        if not isinstance(workout.kind, WorkoutKind):
            checks.add("kind", "choose aerobic, resistance, HIIT, combined or other")
        checks.text("activity", workout.activity, max_len=200)
        if workout.rpe is not None and (
            not isinstance(workout.rpe, int) or not 0 <= workout.rpe <= 10
        ):
            checks.add("rpe", "must be a whole number from 0 to 10")
        checks.number("avg_hr", workout.avg_hr, 25, 230, unit="beats/min")
        checks.number("max_hr", workout.max_hr, 25, 230, unit="beats/min")
        checks.number("distance_km", workout.distance_km, 0, 1000, unit="km")
        checks.number("energy_kcal", workout.energy_kcal, 0, 20_000, unit="kcal")
        checks.text("notes", workout.notes, max_len=20_000)
        for i, s in enumerate(workout.sets):
            where = f"sets[{i}]"
            checks.text(f"{where}.exercise", s.exercise, max_len=200, required=True)
            checks.number(f"{where}.sets", s.sets, 1, 100, required=True)
            checks.number(f"{where}.reps", s.reps, 1, 1000, required=True)
            checks.number(f"{where}.load", s.load, 0, 1000, unit=s.load_unit.value)
            if not isinstance(s.load_unit, LoadUnit):
                checks.add(f"{where}.load_unit", "must be kg or lb")
        return checks

    def add_workout(self, workout: Workout) -> Change:
        self.validate(workout).raise_if_any()
        with self._write() as session:
            row = WorkoutRow(id=workout.id) if workout.id is not None else WorkoutRow()
            repo.fill_workout_row(row, _normalized(workout))
            session.add(row)
            session.flush()
            new_id = row.id
        return Change.of(Entity.WORKOUT, added=[new_id])

    def add_workouts(self, items: Sequence[Workout]) -> Change:
        """Add many records in one transaction: all of them, or none if any is invalid."""

        def to_row(item: Workout) -> WorkoutRow:
            row = WorkoutRow(id=item.id)
            repo.fill_workout_row(row, _normalized(item))
            return row

        return self._add_many(items, Entity.WORKOUT, self.validate, to_row, "workouts")

    def update_workout(self, workout: Workout) -> Change:
        if workout.id is None:
            raise ValueError("update_workout needs a workout with an id")
        self.validate(workout).raise_if_any()
        with self._write() as session:
            row = self._get(session, WorkoutRow, workout.id, "workout")
            assert isinstance(row, WorkoutRow)
            repo.fill_workout_row(row, _normalized(workout))
        return Change.of(Entity.WORKOUT, updated=[workout.id])

    def delete_workouts(self, ids: Sequence[int]) -> Change:
        return self._delete(WorkoutRow, Entity.WORKOUT, ids)

    def get_workout(self, workout_id: int) -> Workout:
        with self._read() as session:
            row = self._get(session, WorkoutRow, workout_id, "workout")
            assert isinstance(row, WorkoutRow)
            return repo.workout_from_row(row)

    def list_workouts(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[Workout]:
        with self._read() as session:
            return repo.list_workouts(session, start, end)

    def count(self) -> int:
        with self._read() as session:
            return repo.count(session, repo.visible_workouts())


def _normalized(workout: Workout) -> Workout:
    return replace(
        workout,
        activity=(workout.activity or "").strip() or None,
        notes=(workout.notes or "").strip() or None,
        sets=tuple(replace(s, exercise=s.exercise.strip()) for s in workout.sets),
    )
