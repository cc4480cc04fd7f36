"""The small value every service call returns, so the UI refreshes only what a change concerns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Entity(StrEnum):
    LAB_DRAW = "lab_draw"
    WORKOUT = "workout"
    WALK = "walk"
    GLUCOSE = "glucose"
    QUESTION = "question"
    BODY_MEASUREMENT = "body_measurement"
    IMPORT_BATCH = "import_batch"


def _freeze(ids: Mapping[Entity, Iterable[int]]) -> Mapping[Entity, tuple[int, ...]]:
    return MappingProxyType({k: tuple(v) for k, v in ids.items() if tuple(v)})


def _empty() -> Mapping[Entity, tuple[int, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Change:
    """Which records of which kinds were added, updated or removed by one operation."""

    added: Mapping[Entity, tuple[int, ...]] = field(default_factory=_empty)
    updated: Mapping[Entity, tuple[int, ...]] = field(default_factory=_empty)
    removed: Mapping[Entity, tuple[int, ...]] = field(default_factory=_empty)

    @classmethod
    def of(
        cls,
        entity: Entity,
        *,
        added: Iterable[int] = (),
        updated: Iterable[int] = (),
        removed: Iterable[int] = (),
    ) -> Change:
        return cls(
            added=_freeze({entity: added}),
            updated=_freeze({entity: updated}),
            removed=_freeze({entity: removed}),
        )

    @property
    def entities(self) -> frozenset[Entity]:
        return frozenset(self.added) | frozenset(self.updated) | frozenset(self.removed)

    @property
    def empty(self) -> bool:
        return not self.entities

    def concerns(self, *entities: Entity) -> bool:
        return bool(self.entities.intersection(entities))

    def merge(self, other: Change) -> Change:
        def join(
            a: Mapping[Entity, tuple[int, ...]], b: Mapping[Entity, tuple[int, ...]]
        ) -> Mapping[Entity, tuple[int, ...]]:
            merged: dict[Entity, tuple[int, ...]] = dict(a)
            for key, ids in b.items():
                merged[key] = merged.get(key, ()) + ids
            return _freeze(merged)

        return Change(
            added=join(self.added, other.added),
            updated=join(self.updated, other.updated),
            removed=join(self.removed, other.removed),
        )

    def first_added(self, entity: Entity) -> int:
        return self.added[entity][0]
