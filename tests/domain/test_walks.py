"""Hand-computed cases for post-meal walk adherence, distributions and the meal guess."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.domain.entities import Meal, PostMealWalk, WalkKind
from journal.domain.walks import (
    DEFAULT_TARGET_DELAY_MIN,
    MIN_WALK_MIN,
    adherence,
    delay_distribution,
    duration_distribution,
    guess_meal,
    weekly_adherence,
)

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = date(2026, 6, 1)
SUNDAY = date(2026, 6, 7)


def walk(
    day: date,
    delay_min: float,
    duration_min: float,
    *,
    meal: Meal = Meal.DINNER,
    meal_end: time = time(19, 30),
    kind: WalkKind = WalkKind.WALK,
) -> PostMealWalk:
    ended = datetime.combine(day, meal_end, tzinfo=CHICAGO)
    return PostMealWalk(
        meal=meal,
        meal_ended_at=ended,
        started_at=ended + timedelta(minutes=delay_min),
        duration_min=duration_min,
        kind=kind,
    )


def june(day: int) -> date:
    return date(2026, 6, day)


def toms_week() -> list[PostMealWalk]:
    # Dinner ends 19:30 in Chicago, which is already 00:30 UTC the next day.
    return [
        walk(june(1), 8, 15),  # on target
        walk(june(2), 9, 15),  # on target
        # Wednesday: no walk
        walk(june(4), 25, 15),  # started late
        walk(june(5), 7, 8),  # too short
        # Saturday: no walk
        walk(june(7), 12, 20),  # on target
    ]


def test_defaults() -> None:
    assert (DEFAULT_TARGET_DELAY_MIN, MIN_WALK_MIN) == (15, 10)


def test_toms_week() -> None:
    result = adherence(toms_week(), MONDAY, SUNDAY, CHICAGO)
    assert set(result) == set(Meal)
    dinner = result[Meal.DINNER]
    assert dinner.meal is Meal.DINNER
    assert dinner.days == 7
    assert dinner.days_with_walk == 5
    assert dinner.days_on_target == 3
    assert dinner.share_with_walk == 5 / 7
    assert dinner.share_on_target == 3 / 7
    assert dinner.median_delay_min == 9.0  # 7, 8, 9, 12, 25
    assert dinner.median_duration_min == 15.0  # 8, 15, 15, 15, 20
    assert isinstance(dinner.median_duration_min, float)  # even from int durations
    assert (dinner.walks, dinner.ignored_walks) == (5, 0)

    lunch = result[Meal.LUNCH]
    assert (lunch.days, lunch.days_with_walk, lunch.walks) == (7, 0, 0)
    assert (lunch.share_with_walk, lunch.share_on_target) == (0.0, 0.0)
    assert (lunch.median_delay_min, lunch.median_duration_min) == (None, None)


def test_walks_outside_the_period_are_left_out() -> None:
    walks = [*toms_week(), walk(date(2026, 5, 31), 5, 15), walk(june(8), 5, 15)]
    dinner = adherence(walks, MONDAY, SUNDAY, CHICAGO)[Meal.DINNER]
    assert (dinner.days_with_walk, dinner.walks) == (5, 5)


def test_a_walk_belongs_to_the_day_its_meal_ended() -> None:
    late = walk(SUNDAY, 20, 15, meal_end=time(23, 50))  # walk starts 00:10 on Monday
    dinner = adherence([late], MONDAY, SUNDAY, CHICAGO)[Meal.DINNER]
    assert dinner.days_with_walk == 1
    assert adherence([late], june(8), june(8), CHICAGO)[Meal.DINNER].walks == 0


def test_target_boundaries_are_inclusive() -> None:
    exactly = [walk(june(1), 15, 10)]
    assert adherence(exactly, MONDAY, MONDAY, CHICAGO)[Meal.DINNER].days_on_target == 1
    late = [walk(june(1), 15 + 1 / 60, 10)]  # one second late
    assert adherence(late, MONDAY, MONDAY, CHICAGO)[Meal.DINNER].days_on_target == 0
    short = [walk(june(1), 5, 9.99)]
    assert adherence(short, MONDAY, MONDAY, CHICAGO)[Meal.DINNER].days_on_target == 0


def test_target_settings_change_what_is_on_target() -> None:
    dinner = adherence(
        toms_week(), MONDAY, SUNDAY, CHICAGO, target_delay_min=30, min_duration_min=5
    )[Meal.DINNER]
    assert dinner.days_on_target == 5
    strict = adherence(toms_week(), MONDAY, SUNDAY, CHICAGO, target_delay_min=8)[Meal.DINNER]
    assert strict.days_on_target == 1  # only Monday's 8-minute start


def test_several_walks_after_one_meal_count_once_per_day() -> None:
    walks = [
        walk(june(1), 30, 20),  # late
        walk(june(1), 5, 12),  # on target
        walk(june(1), 10, 15, meal_end=time(20, 0)),  # a second dinner sitting, on target
        walk(june(2), 4, 10),
    ]
    dinner = adherence(walks, MONDAY, june(2), CHICAGO)[Meal.DINNER]
    assert dinner.days == 2
    assert (dinner.days_with_walk, dinner.days_on_target) == (2, 2)
    assert (dinner.share_with_walk, dinner.share_on_target) == (1.0, 1.0)
    assert dinner.walks == 4
    assert dinner.median_delay_min == 7.5  # 4, 5, 10, 30
    assert dinner.median_duration_min == 13.5  # 10, 12, 15, 20


def test_negative_delay_is_ignored_for_target_and_delay_median() -> None:
    slip = walk(june(1), -5, 15)  # started before the meal ended
    walks = [slip, walk(june(2), 20, 30)]
    dinner = adherence(walks, MONDAY, june(2), CHICAGO)[Meal.DINNER]
    assert dinner.ignored_walks == 1
    assert dinner.walks == 2
    assert dinner.days_with_walk == 2  # the walk still happened
    assert dinner.days_on_target == 0
    assert dinner.median_delay_min == 20.0
    assert dinner.median_duration_min == 22.5
    assert delay_distribution(walks) == [20.0]

    only_slip = adherence([slip], MONDAY, MONDAY, CHICAGO)[Meal.DINNER]
    assert (only_slip.median_delay_min, only_slip.median_duration_min) == (None, 15.0)


def test_kinds_filter() -> None:
    walks = [
        walk(june(1), 5, 15),
        walk(june(2), 5, 15, kind=WalkKind.CALF_RAISES),
    ]
    everything = adherence(walks, MONDAY, june(2), CHICAGO)[Meal.DINNER]
    assert everything.days_on_target == 2
    only_walking = adherence(walks, MONDAY, june(2), CHICAGO, kinds=frozenset({WalkKind.WALK}))[
        Meal.DINNER
    ]
    assert (only_walking.walks, only_walking.days_on_target) == (1, 1)


def test_meals_are_kept_apart() -> None:
    walks = [
        walk(june(1), 5, 15, meal=Meal.BREAKFAST, meal_end=time(7, 30)),
        walk(june(1), 5, 15),
        walk(june(2), 5, 15),
    ]
    result = adherence(walks, MONDAY, june(2), CHICAGO)
    assert result[Meal.BREAKFAST].days_with_walk == 1
    assert result[Meal.DINNER].days_with_walk == 2
    assert result[Meal.SNACK].walks == 0


def test_adherence_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="before first_day"):
        adherence([], SUNDAY, MONDAY, CHICAGO)
    with pytest.raises(ValueError, match="target_delay_min"):
        adherence([], MONDAY, SUNDAY, CHICAGO, target_delay_min=-1)
    naive = PostMealWalk(Meal.DINNER, datetime(2026, 6, 1, 19), datetime(2026, 6, 1, 19, 5), 15)
    with pytest.raises(ValueError, match="timezone-aware"):
        adherence([naive], MONDAY, SUNDAY, CHICAGO)


def test_weekly_adherence() -> None:
    walks = [*toms_week(), walk(june(9), 6, 12), walk(june(9), 40, 30, meal=Meal.LUNCH)]
    first, second = weekly_adherence(walks, MONDAY, june(8), CHICAGO)

    assert first.week_start == MONDAY
    assert set(first.by_meal) == set(Meal)
    dinner = first.by_meal[Meal.DINNER]
    assert (dinner.days, dinner.days_with_walk, dinner.days_on_target) == (7, 5, 3)
    assert dinner.median_delay_min == 9.0

    assert second.week_start == june(8)
    assert second.by_meal[Meal.DINNER].days_with_walk == 1
    assert second.by_meal[Meal.DINNER].share_on_target == 1 / 7
    assert second.by_meal[Meal.LUNCH].days_on_target == 0
    assert second.by_meal[Meal.LUNCH].median_delay_min == 40.0

    with pytest.raises(ValueError, match="Monday"):
        weekly_adherence(walks, june(2), june(8), CHICAGO)
    assert weekly_adherence(walks, june(8), MONDAY, CHICAGO) == []


def test_distributions_are_sorted_minutes() -> None:
    assert delay_distribution(toms_week()) == [7.0, 8.0, 9.0, 12.0, 25.0]
    assert duration_distribution(toms_week()) == [8.0, 15.0, 15.0, 15.0, 20.0]
    assert delay_distribution([]) == []


def test_delay_is_elapsed_time_across_dst() -> None:
    # Chicago springs forward on 2026-03-08: 01:50 CST to 03:05 CDT is 15 minutes, not 75.
    crossing = PostMealWalk(
        meal=Meal.SNACK,
        meal_ended_at=datetime(2026, 3, 8, 1, 50, tzinfo=CHICAGO),
        started_at=datetime(2026, 3, 8, 3, 5, tzinfo=CHICAGO),
        duration_min=10,
    )
    assert delay_distribution([crossing]) == [15.0]
    day = date(2026, 3, 8)
    assert adherence([crossing], day, day, CHICAGO)[Meal.SNACK].days_on_target == 1


@pytest.mark.parametrize(
    ("clock", "meal"),
    [
        (time(0, 0), Meal.SNACK),
        (time(3, 59), Meal.SNACK),
        (time(4, 0), Meal.BREAKFAST),
        (time(10, 29), Meal.BREAKFAST),
        (time(10, 30), Meal.LUNCH),
        (time(14, 59), Meal.LUNCH),
        (time(15, 0), Meal.SNACK),
        (time(16, 59), Meal.SNACK),
        (time(17, 0), Meal.DINNER),
        (time(21, 59), Meal.DINNER),
        (time(22, 0), Meal.SNACK),
        (time(23, 59), Meal.SNACK),
    ],
)
def test_guess_meal_boundaries(clock: time, meal: Meal) -> None:
    assert guess_meal(clock) is meal


def test_guess_meal_uses_the_wall_clock_of_an_aware_time() -> None:
    assert guess_meal(time(19, 0, tzinfo=UTC)) is Meal.DINNER
