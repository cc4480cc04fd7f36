"""Post-meal walks: add, edit, delete and list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from journal.domain.entities import Meal, PostMealWalk, WalkKind
from journal.services.base import Checks, Service
from journal.services.changes import Change, Entity
from journal.storage import repositories as repo
from journal.storage.models import PostMealWalkRow

MAX_DELAY_MIN = 6 * 60


class WalkService(Service):
    def validate(self, walk: PostMealWalk) -> Checks:
        checks = Checks(self._clock)
        if not isinstance(walk.meal, Meal):
            checks.add("meal", "choose breakfast, lunch, dinner or snack")
        if not isinstance(walk.kind, WalkKind):
            checks.add("kind", "choose walk, seated calf raises or other")
        checks.time("meal_ended_at", walk.meal_ended_at)
        checks.time("started_at", walk.started_at)
        if not checks.errors:
            delay = walk.minutes_after_eating
            if delay < 0:
                checks.add("started_at", "is before the meal ended")
            elif delay > MAX_DELAY_MIN:
                checks.add("started_at", "is more than 6 hours after the meal ended")
        checks.number("duration_min", walk.duration_min, 1, 600, required=True, unit="min")
        checks.number("pace_kmh", walk.pace_kmh, 0.5, 12, unit="km/h")
        checks.number("distance_km", walk.distance_km, 0, 100, unit="km")
        checks.text("notes", walk.notes, max_len=20_000)
        return checks

    def add_walk(self, walk: PostMealWalk) -> Change:
        self.validate(walk).raise_if_any()
        with self._write() as session:
            row = PostMealWalkRow(id=walk.id) if walk.id is not None else PostMealWalkRow()
            repo.fill_walk_row(row, replace(walk, notes=(walk.notes or "").strip() or None))
            session.add(row)
            session.flush()
            new_id = row.id
        return Change.of(Entity.WALK, added=[new_id])

    def add_walks(self, items: Sequence[PostMealWalk]) -> Change:
        """Add many records in one transaction: all of them, or none if any is invalid."""

        def to_row(item: PostMealWalk) -> PostMealWalkRow:
            row = PostMealWalkRow(id=item.id)
            repo.fill_walk_row(row, replace(item, notes=(item.notes or "").strip() or None))
            return row

        return self._add_many(items, Entity.WALK, self.validate, to_row, "walks")

    def update_walk(self, walk: PostMealWalk) -> Change:
        if walk.id is None:
            raise ValueError("update_walk needs a walk with an id")
        self.validate(walk).raise_if_any()
        with self._write() as session:
            row = self._get(session, PostMealWalkRow, walk.id, "walk")
            assert isinstance(row, PostMealWalkRow)
            repo.fill_walk_row(row, replace(walk, notes=(walk.notes or "").strip() or None))
        return Change.of(Entity.WALK, updated=[walk.id])

    def delete_walks(self, ids: Sequence[int]) -> Change:
        return self._delete(PostMealWalkRow, Entity.WALK, ids)

    def get_walk(self, walk_id: int) -> PostMealWalk:
        with self._read() as session:
            row = self._get(session, PostMealWalkRow, walk_id, "walk")
            assert isinstance(row, PostMealWalkRow)
            return repo.walk_from_row(row)

    def list_walks(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[PostMealWalk]:
        with self._read() as session:
            return repo.list_walks(session, start, end)

    def count(self) -> int:
        with self._read() as session:
            return repo.count(session, repo.visible_walks())
