"""Training consistency chart data: heat-map cells, weekly series, month labels, the callout."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from journal.domain.coverage import coverage_report, sessions_from_workouts
from journal.domain.entities import WorkoutKind
from journal.domain.training_charts import (
    SessionCache,
    callout_text,
    date_span_text,
    first_monday,
    month_labels,
    training_consistency,
)
from tests.factories import workout

TODAY = date(2026, 3, 18)  # a Wednesday


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def workouts() -> list:
    # With a 48 h window: covered [9 Mar 08:00, 11 Mar 09:00) and [14 Mar 08:00, 19 Mar 18:30).
    return [
        workout(at(9, 8), minutes=60, kind=WorkoutKind.AEROBIC, rpe=5),
        workout(at(14, 8), minutes=30, kind=WorkoutKind.RESISTANCE, rpe=6),
        workout(at(16, 7), minutes=45, kind=WorkoutKind.RESISTANCE, rpe=7),
        workout(at(17, 18), minutes=30, kind=WorkoutKind.HIIT, rpe=None),
    ]


@pytest.fixture
def data():
    return training_consistency(
        workouts(), tz=UTC, today=TODAY, weeks=2, window=timedelta(hours=48)
    )


def test_first_monday_counts_back_whole_weeks() -> None:
    assert first_monday(TODAY, 1) == date(2026, 3, 16)
    assert first_monday(TODAY, 2) == date(2026, 3, 9)
    assert first_monday(date(2026, 3, 16), 26) == date(2025, 9, 22)
    with pytest.raises(ValueError):
        first_monday(TODAY, 0)


def test_heat_cells_are_weeks_by_weekdays(data) -> None:
    assert data.first_monday == date(2026, 3, 9)
    assert len(data.cells) == 14
    by_day = {c.coverage.day: c for c in data.cells}
    assert (by_day[date(2026, 3, 16)].column, by_day[date(2026, 3, 16)].row) == (1, 0)
    assert (by_day[date(2026, 3, 15)].column, by_day[date(2026, 3, 15)].row) == (0, 6)
    fractions = [round(c.coverage.covered_fraction, 4) for c in data.cells[:10]]
    # 9 Mar from 08:00 = 16/24; 11 Mar until 09:00 = 9/24; 14 Mar from 08:00 = 16/24.
    assert fractions == [0.6667, 1.0, 0.375, 0.0, 0.0, 0.6667, 1.0, 1.0, 1.0, 1.0]
    assert by_day[date(2026, 3, 9)].coverage.kinds == {WorkoutKind.AEROBIC}
    assert by_day[date(2026, 3, 12)].coverage.kinds == frozenset()
    assert [c.future for c in data.cells] == [False] * 10 + [True] * 4


def test_weekly_series(data) -> None:
    first, second = data.weeks
    assert first.minutes_by_kind[WorkoutKind.AEROBIC] == 60
    assert (first.total_minutes, first.resistance_days, first.load) == (90, 1, 480)  # 300 + 180
    assert (second.total_minutes, second.resistance_days, second.load) == (75, 1, 315)
    assert second.sessions_without_rpe == 1
    # Week 1: 49 h + 40 h of 168 h. This week: all 72 h up to the end of today.
    assert data.coverage_shares == pytest.approx((89 / 168, 1.0))
    assert data.has_sessions


def test_callout_names_longest_gap_and_current_streak(data) -> None:
    # Gap 11 Mar 09:00 → 14 Mar 08:00 = 71 h; streak from 14 Mar 08:00 to 19 Mar 00:00 = 4.67 d.
    assert data.callout == "Longest gap: 3.0 days (11–14 Mar) · Current streak: 5 days, 3 sessions"
    assert data.report.longest_gap == timedelta(hours=71)
    assert data.report.streak.sessions == 3


def test_callout_without_sessions() -> None:
    empty = training_consistency([], tz=UTC, today=TODAY, weeks=2)
    assert not empty.has_sessions
    assert empty.callout == "Longest gap: 10.0 days (since 9 Mar) · Current streak: none"


def test_callout_after_a_lapsed_streak() -> None:
    sessions = sessions_from_workouts([workout(at(9, 8), minutes=60)])
    report = coverage_report(
        sessions, at(9, 0), at(15, 0), window=timedelta(hours=24), now=at(15, 0)
    )
    # Covered 9 Mar 08:00 → 10 Mar 09:00; gap to 15 Mar 00:00 = 4 d 15 h; last end 9 Mar 09:00.
    assert callout_text(report, UTC) == (
        "Longest gap: 4.6 days (since 10 Mar) · Current streak: none (last session 5.6 days ago)"
    )


def test_date_span_text() -> None:
    assert date_span_text(date(2026, 3, 12), date(2026, 3, 15)) == "12–15 Mar"
    assert date_span_text(date(2026, 2, 28), date(2026, 3, 3)) == "28 Feb – 3 Mar"
    assert date_span_text(date(2025, 12, 30), date(2026, 1, 2)) == "30 Dec 2025 – 2 Jan 2026"
    assert date_span_text(date(2026, 3, 12), date(2026, 3, 12)) == "12 Mar"


def test_month_labels_at_the_week_holding_the_first() -> None:
    # 22 Dec 2025 is a Monday; 1 Jan falls in column 1, 1 Feb in column 5 (26 Jan – 1 Feb).
    assert month_labels(date(2025, 12, 22), 6) == [(1, "Jan 2026"), (5, "Feb")]
    # No 1st in the first columns: the first column is named after its Monday's month.
    assert month_labels(date(2026, 3, 9), 2) == [(0, "Mar")]
    assert month_labels(date(2026, 3, 9), 5) == [(0, "Mar"), (3, "Apr")]


def test_session_cache_after_one_new_workout_equals_a_full_conversion() -> None:
    cache = SessionCache()
    first = workouts()
    assert cache.sessions(first) == sessions_from_workouts(first)
    assert cache.converted == 4
    # A workout logged between two others lands in its place; only it is converted.
    more = [*first, workout(at(12, 19), minutes=20, kind=WorkoutKind.AEROBIC, rpe=4)]
    assert cache.sessions(more) == sessions_from_workouts(more)
    assert cache.converted == 1
    data = training_consistency(
        more, tz=UTC, today=TODAY, weeks=2, window=timedelta(hours=48), cache=cache
    )
    assert data == training_consistency(
        more, tz=UTC, today=TODAY, weeks=2, window=timedelta(hours=48)
    )
    assert data.weeks[0].sessions == 3  # 9, 12 and 14 March
    twelfth = next(c for c in data.cells if c.coverage.day == date(2026, 3, 12))
    assert twelfth.coverage.covered_fraction == pytest.approx(5 / 24)  # from 19:00


def test_session_cache_follows_an_edit_and_a_deletion() -> None:
    cache = SessionCache()
    items = workouts()
    cache.sessions(items)
    # An edited workout is a new object: the old session goes, the new one comes.
    edited = [*items[:2], replace(items[2], duration_min=90), items[3]]
    assert cache.sessions(edited) == sessions_from_workouts(edited)
    assert cache.converted == 1
    fewer = edited[1:]
    assert cache.sessions(fewer) == sessions_from_workouts(fewer)
    assert cache.converted == 0
    assert [s.minutes for s in cache.sessions(fewer)] == [30, 90, 30]


def test_session_cache_knows_the_longest_session_and_the_recent_workouts() -> None:
    cache = SessionCache()
    items = workouts()
    cache.sessions(items)
    assert cache.longest == timedelta(minutes=60)
    # Oldest first, from the instant given on.
    assert cache.workouts_since(at(14, 8)) == [items[1], items[2], items[3]]
    assert cache.workouts_since(at(18, 0)) == []
    long = workout(at(15, 6), minutes=600, kind=WorkoutKind.AEROBIC, rpe=3)
    cache.sessions([*items, long])
    assert cache.longest == timedelta(minutes=600)
    assert cache.workouts_since(at(15, 0)) == [long, items[2], items[3]]
    # The longest goes: the next longest is found again.
    cache.sessions(items)
    assert cache.longest == timedelta(minutes=60)
    assert cache.workouts_since(at(15, 0)) == [items[2], items[3]]


def test_session_cache_removes_the_workout_itself_among_equal_sessions() -> None:
    cache = SessionCache()
    items = workouts()
    # Three workouts with one session (same start, length and kind), told apart by identity.
    twin_a = replace(items[2], rpe=3)
    twin_b = replace(items[2], rpe=2)
    cache.sessions([*items, twin_a, twin_b])
    cache.sessions([*items, twin_b])
    kept = cache.workouts_since(at(16, 7))
    assert [id(w) for w in kept] == [id(items[2]), id(twin_b), id(items[3])]


def test_cached_consistency_equals_a_full_reading_as_workouts_come_and_go() -> None:
    window = timedelta(hours=48)
    cache = SessionCache()
    # A ten-hour session long before the weeks shown still reaches into them.
    long_ago = workout(at(1, 6), minutes=600, kind=WorkoutKind.OTHER, rpe=None)
    steps = [
        workouts(),
        [*workouts(), workout(at(18, 7), minutes=40, kind=WorkoutKind.AEROBIC, rpe=6)],
        [*workouts(), long_ago],
        workouts()[1:],
        [],
    ]
    for items in steps:
        assert training_consistency(
            items, tz=UTC, today=TODAY, weeks=3, window=window, cache=cache
        ) == training_consistency(items, tz=UTC, today=TODAY, weeks=3, window=window)
