"""Walk chart data: 5-minute histograms, weekly shares per meal, the summary line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.domain.entities import Meal
from journal.domain.walk_charts import (
    Bin,
    delay_histogram,
    duration_histogram,
    histogram,
    summary_text,
    walk_chart_data,
    walks_between,
    weekly_shares,
)
from tests.factories import walk

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 25)  # a Wednesday


def dinner(day: date, delay: float = 8, minutes: float = 15, meal: Meal = Meal.DINNER):
    end = datetime(day.year, day.month, day.day, 19, 0, tzinfo=BERLIN).astimezone(UTC)
    return walk(end, delay_min=delay, minutes=minutes, meal=meal)


def counts(bins: list[Bin]) -> list[tuple[int, int]]:
    return [(b.good, b.other) for b in bins]


def test_histogram_bins_edges_and_overflow() -> None:
    # 0 and 4.9 -> [0,5); 5 -> [5,10); 10 -> [10,15); 59.9 -> [55,60); 60 and 200 -> 60+.
    bins = histogram([0, 4.9, 5, 10, 59.9, 60, 200, -3], lambda v: v < 10)
    assert len(bins) == 13
    assert (bins[0].low, bins[0].high, bins[-1].low, bins[-1].high) == (0, 5, 60, None)
    assert [b.count for b in bins] == [2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]
    assert counts(bins)[:3] == [(2, 0), (1, 0), (0, 1)]
    assert bins[-1].label == "60+ min" and bins[2].label == "10–15 min"


def test_histogram_rejects_bad_bins() -> None:
    with pytest.raises(ValueError):
        histogram([], lambda v: True, bin_min=0)
    with pytest.raises(ValueError):
        histogram([], lambda v: True, bin_min=7, overflow_from=60)


def test_delay_histogram_splits_a_bin_at_the_target() -> None:
    # Target 15, inclusive: 15.0 is on target, 15.5 and 17 late, all in the [15,20) bar.
    walks = [dinner(TODAY, d) for d in (3, 8, 9, 15, 15.5, 17, -2)]
    bins = delay_histogram(walks, 15)
    assert counts(bins)[:5] == [(1, 0), (2, 0), (0, 0), (1, 2), (0, 0)]
    assert sum(b.count for b in bins) == 6  # the negative delay is left out


def test_duration_histogram_marks_walks_under_ten_minutes() -> None:
    walks = [dinner(TODAY, minutes=m) for m in (5, 9.5, 10, 14, 25, 75)]
    bins = duration_histogram(walks)
    assert counts(bins)[:6] == [(0, 0), (0, 2), (2, 0), (0, 0), (0, 0), (1, 0)]
    assert counts(bins)[-1] == (1, 0)


def test_walks_between_uses_the_local_day_of_the_meal() -> None:
    late = walk(datetime(2026, 11, 24, 23, 30, tzinfo=UTC))  # 00:30 on the 25th in Berlin
    assert walks_between([late], TODAY, TODAY, BERLIN) == [late]
    assert walks_between([late], TODAY, TODAY, UTC) == []


def test_weekly_shares_count_the_current_week_up_to_today() -> None:
    monday = date(2026, 11, 23)
    walks = [dinner(monday), dinner(monday + timedelta(days=1), delay=30)]
    walks += [dinner(monday - timedelta(days=7 * 1 - k)) for k in range(5)]  # 5 of last week
    shares = weekly_shares(walks, BERLIN, weeks=3, today=TODAY, target_delay_min=15)
    assert shares.week_starts == (date(2026, 11, 9), date(2026, 11, 16), monday)
    assert shares.days == (7, 7, 3)
    assert shares.meals == (Meal.DINNER,)
    assert shares.with_walk[Meal.DINNER] == pytest.approx((0, 5 / 7, 2 / 3))
    assert shares.on_target[Meal.DINNER] == pytest.approx((0, 5 / 7, 1 / 3))


def test_summary_reads_like_toms_saturday() -> None:
    # Tom: dinner walks on 5 of the last 7 days, starts 8, 9, 9, 10, 12 -> median 9.
    walks = [dinner(TODAY - timedelta(days=k), delay=d) for k, d in enumerate((8, 9, 9, 10, 12))]
    walks.append(dinner(TODAY, delay=20, meal=Meal.LUNCH))
    text = summary_text(walks, BERLIN, today=TODAY, target_delay_min=15, weeks=1)
    assert text == (
        "Last 1 week — dinner: 5 of 7 days, median start 9 min after eating; "
        "lunch: 1 of 7 days, median start 20 min after eating"
    )
    assert summary_text([], BERLIN, today=TODAY, target_delay_min=15) == (
        "Last 4 weeks — no walks after meals"
    )


def test_walk_chart_data_histograms_cover_the_weeks_shown() -> None:
    old = dinner(TODAY - timedelta(weeks=30))
    recent = [dinner(TODAY - timedelta(days=k), delay=4 * k) for k in range(4)]
    data = walk_chart_data([*recent, old], BERLIN, target_delay_min=10, weeks=26, today=TODAY)
    assert not data.empty and data.walks == 4
    # Delays 0, 4, 8, 12: three on target (0,4 in [0,5); 8 in [5,10)), 12 late in [10,15).
    assert counts(list(data.delays))[:3] == [(2, 0), (1, 0), (0, 1)]
    assert sum(b.count for b in data.durations) == 4
    assert data.summary.startswith("Last 4 weeks — dinner: 4 of 28 days, median start 6 min")
    assert walk_chart_data([old], BERLIN, target_delay_min=10, weeks=26, today=TODAY).empty
