"""Data for the walk adherence charts: weekly shares per meal, 5-minute histograms, a summary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Final

from journal.domain.entities import Meal, PostMealWalk
from journal.domain.walks import MIN_WALK_MIN, adherence, delay_distribution

BIN_MIN: Final = 5.0
# Everything from an hour on shares one "60+" bar: the evidence speaks of the first hour (§4.1).
OVERFLOW_FROM_MIN: Final = 60.0
SUMMARY_WEEKS: Final = 4
_DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Bin:
    """One histogram bar: [low, high) minutes, or low and up when high is None.

    `good` counts values on the right side of the target line (started soon enough, or long
    enough), `other` the rest, so the bar can be drawn in two stacked colours.
    """

    low: float
    high: float | None
    good: int
    other: int

    @property
    def count(self) -> int:
        return self.good + self.other

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low:g}+ min"
        return f"{self.low:g}–{self.high:g} min"


def histogram(
    values: Iterable[float],
    is_good: Callable[[float], bool],
    *,
    bin_min: float = BIN_MIN,
    overflow_from: float = OVERFLOW_FROM_MIN,
) -> list[Bin]:
    """Bins [0, bin_min), [bin_min, 2·bin_min) … up to overflow_from, then one open bin.

    Negative values are left out (a walk logged before the meal ended is a typing slip).
    """
    if bin_min <= 0:
        raise ValueError(f"bin_min must be > 0, got {bin_min}")
    n = round(overflow_from / bin_min)
    if n < 1 or abs(n * bin_min - overflow_from) > 1e-9:
        raise ValueError(f"overflow_from {overflow_from} is not a multiple of bin_min {bin_min}")
    good = [0] * (n + 1)
    other = [0] * (n + 1)
    for v in values:
        if v < 0:
            continue
        # An exact edge such as 10.0 belongs to the bin that starts there.
        i = min(int(v // bin_min), n)
        if is_good(v):
            good[i] += 1
        else:
            other[i] += 1
    return [
        Bin(
            low=i * bin_min,
            high=None if i == n else (i + 1) * bin_min,
            good=good[i],
            other=other[i],
        )
        for i in range(n + 1)
    ]


def delay_histogram(walks: Iterable[PostMealWalk], target_delay_min: float) -> list[Bin]:
    """Minutes from meal end to walk start; `good` = within the target delay (inclusive)."""
    return histogram(delay_distribution(walks), lambda d: d <= target_delay_min)


def duration_histogram(
    walks: Iterable[PostMealWalk], min_duration_min: float = MIN_WALK_MIN
) -> list[Bin]:
    """Walk lengths in minutes; `good` = at least min_duration_min."""
    return histogram((float(w.duration_min) for w in walks), lambda d: d >= min_duration_min)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def walks_between(
    walks: Iterable[PostMealWalk], first_day: date, last_day: date, tz: tzinfo
) -> list[PostMealWalk]:
    """Walks whose meal ended on a local day first_day..last_day inclusive (walks.py's rule)."""
    # The days as instants: comparing instants spares ten years of zone conversions.
    lo, hi = _local_midnight(first_day, tz), _local_midnight(last_day + timedelta(days=1), tz)
    out: list[PostMealWalk] = []
    for w in walks:
        ended = w.meal_ended_at
        if ended.tzinfo is not UTC and (ended.tzinfo is None or ended.utcoffset() is None):
            raise ValueError(f"PostMealWalk.meal_ended_at must be timezone-aware, got {ended!r}")
        if lo <= ended < hi:
            out.append(w)
    return out


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WeeklyShares:
    """Per meal, the share (0–1) of days with a walk and on target, one value per week.

    The current week counts only the days up to today, so it is not dragged down by days that
    have not happened yet. `meals` are those with at least one walk in the span, in Meal order.
    """

    week_starts: tuple[date, ...]
    days: tuple[int, ...]
    meals: tuple[Meal, ...]
    with_walk: Mapping[Meal, tuple[float, ...]]
    on_target: Mapping[Meal, tuple[float, ...]]


def weekly_shares(
    walks: Sequence[PostMealWalk],
    tz: tzinfo,
    *,
    weeks: int,
    today: date,
    target_delay_min: float,
    min_duration_min: float = MIN_WALK_MIN,
) -> WeeklyShares:
    """The last `weeks` Monday-to-Sunday weeks, the current one (up to today) last."""
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    first = monday_of(today) - timedelta(weeks=weeks - 1)
    window = walks_between(walks, first, today, tz)
    # Each week's walks once, by the local day their meal ended (walks.py's rule), so a week
    # is worked out from its own walks rather than from the whole span again.
    by_week: dict[date, list[PostMealWalk]] = {}
    for w in window:
        by_week.setdefault(monday_of(w.meal_ended_at.astimezone(tz).date()), []).append(w)
    starts: list[date] = []
    days: list[int] = []
    walked: dict[Meal, list[float]] = {m: [] for m in Meal}
    on_target: dict[Meal, list[float]] = {m: [] for m in Meal}
    for k in range(weeks):
        monday = first + timedelta(weeks=k)
        last = min(monday + timedelta(days=6), today)
        by_meal = adherence(
            by_week.get(monday, []),
            monday,
            last,
            tz,
            target_delay_min=target_delay_min,
            min_duration_min=min_duration_min,
        )
        starts.append(monday)
        days.append((last - monday).days + 1)
        for meal, a in by_meal.items():
            walked[meal].append(a.share_with_walk)
            on_target[meal].append(a.share_on_target)
    meals = tuple(m for m in Meal if any(w.meal is m for w in window))
    return WeeklyShares(
        week_starts=tuple(starts),
        days=tuple(days),
        meals=meals,
        with_walk=MappingProxyType({m: tuple(walked[m]) for m in meals}),
        on_target=MappingProxyType({m: tuple(on_target[m]) for m in meals}),
    )


def _minutes(value: float) -> str:
    return f"{value:.0f}" if value >= 1 or value == 0 else f"{value:.1f}"


def summary_parts(
    walks: Sequence[PostMealWalk],
    tz: tzinfo,
    *,
    today: date,
    target_delay_min: float,
    weeks: int = SUMMARY_WEEKS,
    min_duration_min: float = MIN_WALK_MIN,
) -> tuple[str, list[str]]:
    """("Last 4 weeks", ["dinner: 24 of 28 days, median start 9 min after eating", …]).

    One part per meal with a walk in those weeks, most days walked first.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    first = today - timedelta(days=7 * weeks - 1)
    by_meal = adherence(
        walks,
        first,
        today,
        tz,
        target_delay_min=target_delay_min,
        min_duration_min=min_duration_min,
    )
    head = f"Last {weeks} week{'s' if weeks != 1 else ''}"
    parts: list[str] = []
    for meal in sorted(Meal, key=lambda m: -by_meal[m].days_with_walk):
        a = by_meal[meal]
        if not a.walks:
            continue
        text = f"{meal.value}: {a.days_with_walk} of {a.days} days"
        if a.median_delay_min is not None:
            text += f", median start {_minutes(a.median_delay_min)} min after eating"
        parts.append(text)
    return head, parts


def summary_text(
    walks: Sequence[PostMealWalk],
    tz: tzinfo,
    *,
    today: date,
    target_delay_min: float,
    weeks: int = SUMMARY_WEEKS,
    min_duration_min: float = MIN_WALK_MIN,
) -> str:
    """Text such as "Last 4 weeks — dinner: 24 of 28 days, median start 9 min after eating".

    Meals without a walk in those weeks are left out; with no walk at all it says so.
    """
    head, parts = summary_parts(
        walks,
        tz,
        today=today,
        target_delay_min=target_delay_min,
        weeks=weeks,
        min_duration_min=min_duration_min,
    )
    if not parts:
        return f"{head} — no walks after meals"
    return f"{head} — " + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class WalkChartData:
    """Everything the walk adherence chart shows, for the `weeks` weeks up to `today`."""

    today: date
    weeks: int
    target_delay_min: float
    min_duration_min: float
    walks: int
    weekly: WeeklyShares
    delays: tuple[Bin, ...]
    durations: tuple[Bin, ...]
    summary_head: str
    summary_parts: tuple[str, ...]

    @property
    def summary(self) -> str:
        if not self.summary_parts:
            return f"{self.summary_head} — no walks after meals"
        return f"{self.summary_head} — " + "; ".join(self.summary_parts)

    @property
    def empty(self) -> bool:
        return self.walks == 0


def walk_chart_data(
    walks: Sequence[PostMealWalk],
    tz: tzinfo,
    *,
    target_delay_min: float,
    weeks: int,
    today: date,
    min_duration_min: float = MIN_WALK_MIN,
) -> WalkChartData:
    """Weekly shares, both histograms (over the same weeks) and the last-4-weeks summary."""
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    # Only the walks of the charted weeks and of the summary's weeks count: picked out once.
    first = min(
        monday_of(today) - timedelta(weeks=weeks - 1), today - timedelta(weeks=SUMMARY_WEEKS) + _DAY
    )
    walks = walks_between(walks, first, today, tz)
    weekly = weekly_shares(
        walks,
        tz,
        weeks=weeks,
        today=today,
        target_delay_min=target_delay_min,
        min_duration_min=min_duration_min,
    )
    window = walks_between(walks, weekly.week_starts[0], today, tz)
    head, parts = summary_parts(
        walks,
        tz,
        today=today,
        target_delay_min=target_delay_min,
        min_duration_min=min_duration_min,
    )
    return WalkChartData(
        today=today,
        weeks=weeks,
        target_delay_min=target_delay_min,
        min_duration_min=min_duration_min,
        walks=len(window),
        weekly=weekly,
        delays=tuple(delay_histogram(window, target_delay_min)),
        durations=tuple(duration_histogram(window, min_duration_min)),
        summary_head=head,
        summary_parts=tuple(parts),
    )
