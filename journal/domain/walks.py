"""Post-meal walk adherence: how often a walk followed a meal soon enough and long enough."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from statistics import median
from types import MappingProxyType
from typing import NamedTuple

from journal.domain.entities import Meal, PostMealWalk, WalkKind

# The evidence supports an easy walk of 10–15 min started soon after eating (Reynolds 2016 walked
# 10 min starting within 5 min; clinical.md §4.1 [S30a]). 15 min is a forgiving default target
# that the user can change in settings; no single optimal minute is claimed.
DEFAULT_TARGET_DELAY_MIN = 15
MIN_WALK_MIN = 10

_MINUTE = timedelta(minutes=1)

# guess_meal's boundaries, start-inclusive. Late night (22:00–04:00) is a snack rather than a late
# dinner or an early breakfast: eating then is usually small, and the dialog lets the user fix it.
_BREAKFAST_FROM = time(4, 0)
_LUNCH_FROM = time(10, 30)
_SNACK_FROM = time(15, 0)
_DINNER_FROM = time(17, 0)
_LATE_SNACK_FROM = time(22, 0)


def _require_aware(value: datetime, name: str) -> None:
    # A naive datetime would silently be read in the machine's zone by astimezone().
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _delay_min(walk: PostMealWalk) -> float:
    ended, started = walk.meal_ended_at, walk.started_at
    # Storage hands out UTC, where plain subtraction is exact; anything else goes through UTC
    # because datetimes sharing a ZoneInfo subtract in wall-clock time (an hour off across DST),
    # which is also why walk.minutes_after_eating is not used here.
    if ended.tzinfo is not UTC or started.tzinfo is not UTC:
        _require_aware(ended, "PostMealWalk.meal_ended_at")
        _require_aware(started, "PostMealWalk.started_at")
        ended, started = ended.astimezone(UTC), started.astimezone(UTC)
    return (started - ended) / _MINUTE


@dataclass(frozen=True, slots=True)
class MealAdherence:
    """Walks after one meal over a span of local days.

    A walk with a negative delay (started before the meal ended: a data-entry slip) still counts as
    a walk on its day and in the duration median, but never as on target nor in the delay median;
    `ignored_walks` says how many there were so the user can fix them.
    """

    meal: Meal
    days: int
    days_with_walk: int
    days_on_target: int
    share_with_walk: float
    share_on_target: float
    median_delay_min: float | None
    median_duration_min: float | None
    walks: int
    ignored_walks: int


class _Entry(NamedTuple):
    # A tuple rather than a frozen dataclass: built once per walk, and ten years hold 10,000.
    day: date
    delay_min: float
    walk: PostMealWalk


def _check_targets(target_delay_min: float, min_duration_min: float) -> None:
    if target_delay_min < 0:
        raise ValueError(f"target_delay_min must be >= 0, got {target_delay_min}")
    if min_duration_min < 0:
        raise ValueError(f"min_duration_min must be >= 0, got {min_duration_min}")


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    # The instant a local day begins, so a range of local days becomes a range of instants.
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _entries(
    walks: Iterable[PostMealWalk],
    first_day: date,
    end_day: date,
    tz: tzinfo,
    kinds: frozenset[WalkKind] | None,
) -> list[_Entry]:
    """Walks whose meal ended on a local day in [first_day, end_day), with that day and delay."""
    # Comparing instants first spares the costly zone conversion for walks outside the days.
    lo, hi = _local_midnight(first_day, tz), _local_midnight(end_day, tz)
    out: list[_Entry] = []
    for w in walks:
        if kinds is not None and w.kind not in kinds:
            continue
        ended = w.meal_ended_at
        if ended.tzinfo is not UTC:
            _require_aware(ended, "PostMealWalk.meal_ended_at")
        if lo <= ended < hi:
            # The meal's day: a walk at 00:10 after a 23:50 dinner belongs to that dinner's day.
            out.append(_Entry(ended.astimezone(tz).date(), _delay_min(w), w))
    return out


def _meal_adherence(
    meal: Meal,
    entries: Sequence[_Entry],
    days: int,
    target_delay_min: float,
    min_duration_min: float,
) -> MealAdherence:
    walked: set[date] = set()
    on_target: set[date] = set()
    delays: list[float] = []
    durations: list[float] = []
    ignored = 0
    for e in entries:
        walked.add(e.day)
        # float(): an int duration would otherwise make an odd-length median an int.
        durations.append(float(e.walk.duration_min))
        if e.delay_min < 0:
            ignored += 1
            continue
        delays.append(e.delay_min)
        if e.delay_min <= target_delay_min and e.walk.duration_min >= min_duration_min:
            on_target.add(e.day)
    return MealAdherence(
        meal=meal,
        days=days,
        days_with_walk=len(walked),
        days_on_target=len(on_target),
        share_with_walk=len(walked) / days,
        share_on_target=len(on_target) / days,
        median_delay_min=median(delays) if delays else None,
        median_duration_min=median(durations) if durations else None,
        walks=len(entries),
        ignored_walks=ignored,
    )


def _by_meal(
    entries: Iterable[_Entry], days: int, target_delay_min: float, min_duration_min: float
) -> dict[Meal, MealAdherence]:
    grouped: defaultdict[Meal, list[_Entry]] = defaultdict(list)
    for e in entries:
        grouped[e.walk.meal].append(e)
    return {
        meal: _meal_adherence(meal, grouped[meal], days, target_delay_min, min_duration_min)
        for meal in Meal
    }


def adherence(
    walks: Iterable[PostMealWalk],
    first_day: date,
    last_day: date,
    tz: tzinfo,
    *,
    target_delay_min: float = DEFAULT_TARGET_DELAY_MIN,
    min_duration_min: float = MIN_WALK_MIN,
    kinds: frozenset[WalkKind] | None = None,
) -> dict[Meal, MealAdherence]:
    """Adherence per meal (all four) over the local days first_day..last_day inclusive.

    A walk is on target when it started 0..target_delay_min minutes after the meal ended (both ends
    inclusive) and lasted at least min_duration_min. kinds=None counts every kind of walk.
    """
    _check_targets(target_delay_min, min_duration_min)
    if last_day < first_day:
        raise ValueError(f"last_day {last_day} is before first_day {first_day}")
    days = (last_day - first_day).days + 1
    entries = _entries(walks, first_day, last_day + timedelta(days=1), tz, kinds)
    return _by_meal(entries, days, target_delay_min, min_duration_min)


@dataclass(frozen=True, slots=True)
class WeekAdherence:
    """Adherence per meal over one Monday-to-Sunday local week."""

    week_start: date
    by_meal: Mapping[Meal, MealAdherence]


def weekly_adherence(
    walks: Iterable[PostMealWalk],
    first_week_monday: date,
    last_week_monday: date,
    tz: tzinfo,
    *,
    target_delay_min: float = DEFAULT_TARGET_DELAY_MIN,
    min_duration_min: float = MIN_WALK_MIN,
    kinds: frozenset[WalkKind] | None = None,
) -> list[WeekAdherence]:
    """One WeekAdherence per week, Mondays first_week_monday..last_week_monday inclusive.

    Every week counts 7 days, including the current one; for "so far this week" call adherence()
    with last_day = today.
    """
    _check_targets(target_delay_min, min_duration_min)
    for name, monday in (
        ("first_week_monday", first_week_monday),
        ("last_week_monday", last_week_monday),
    ):
        if monday.weekday() != 0:
            raise ValueError(f"{name} must be a Monday, got {monday:%A} {monday}")
    # Bucketed once, so ten years of walks cost one pass rather than one pass per week.
    end = last_week_monday + timedelta(weeks=1)
    monday_of: dict[date, date] = {}
    groups: defaultdict[tuple[date, Meal], list[_Entry]] = defaultdict(list)
    for e in _entries(walks, first_week_monday, end, tz, kinds):
        week = monday_of.get(e.day)
        if week is None:
            week = monday_of[e.day] = e.day - timedelta(days=e.day.weekday())
        groups[week, e.walk.meal].append(e)
    out: list[WeekAdherence] = []
    for k in range(max((end - first_week_monday).days // 7, 0)):
        monday = first_week_monday + timedelta(weeks=k)
        by_meal = {
            meal: _meal_adherence(
                meal, groups.get((monday, meal), []), 7, target_delay_min, min_duration_min
            )
            for meal in Meal
        }
        out.append(WeekAdherence(week_start=monday, by_meal=MappingProxyType(by_meal)))
    return out


def delay_distribution(walks: Iterable[PostMealWalk]) -> list[float]:
    """Minutes from meal end to walk start, sorted, for a histogram; negative ones are left out."""
    return sorted(d for d in map(_delay_min, walks) if d >= 0)


def duration_distribution(walks: Iterable[PostMealWalk]) -> list[float]:
    """Walk lengths in minutes, sorted, for a histogram."""
    return sorted(float(w.duration_min) for w in walks)


def guess_meal(local_time: time) -> Meal:
    """The meal a walk most likely followed, from the local wall-clock time of eating.

    04:00–10:30 breakfast, 10:30–15:00 lunch, 15:00–17:00 snack, 17:00–22:00 dinner, and
    22:00–04:00 snack; each boundary belongs to the later meal.
    """
    # An aware time cannot be compared with the naive boundaries; only the wall clock matters.
    t = local_time.replace(tzinfo=None)
    if t >= _LATE_SNACK_FROM or t < _BREAKFAST_FROM:
        return Meal.SNACK
    if t < _LUNCH_FROM:
        return Meal.BREAKFAST
    if t < _SNACK_FROM:
        return Meal.LUNCH
    if t < _DINNER_FROM:
        return Meal.SNACK
    return Meal.DINNER
