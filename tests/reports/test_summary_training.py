"""The summary's training table: a row per month for a short period, per quarter for a year."""

from __future__ import annotations

from datetime import UTC, date, datetime

from journal.domain.entities import WorkoutKind
from journal.reports.summary import MONTHS, QUARTERS, Section, SummaryOptions, build_summary
from tests.factories import NOW, workout
from tests.reports.conftest import PERIOD, TZ


def _training(services, start: date, end: date):
    options = SummaryOptions(start=start, end=end, sections=frozenset({Section.TRAINING}))
    return build_summary(services, options, tz=TZ, now=NOW).training


def _three_workouts(services) -> None:
    services.training.add_workout(workout(datetime(2026, 2, 10, 17, 0, tzinfo=UTC)))
    services.training.add_workout(
        workout(datetime(2026, 2, 12, 17, 0, tzinfo=UTC), kind=WorkoutKind.RESISTANCE)
    )
    services.training.add_workout(workout(datetime(2026, 5, 5, 17, 0, tzinfo=UTC), minutes=60))


def test_a_year_is_summed_up_by_quarter(services):
    _three_workouts(services)
    t = _training(services, *PERIOD)  # 21 Nov 2025 – 20 Nov 2026: 53 weeks
    assert t.span == QUARTERS
    # A week counts in the quarter its Thursday falls in (the week of 17 Nov 2025: 20 Nov).
    assert [r.label for r in t.rows] == [
        "Oct–Dec 2025",
        "Jan–Mar 2026",
        "Apr–Jun 2026",
        "Jul–Sep 2026",
        "Oct–Dec 2026",
    ]
    assert [r.sessions for r in t.rows] == [0, 2, 1, 0, 0]
    q1 = t.rows[1]
    assert q1.weeks == 13  # 29 Dec 2025 (Thursday 1 Jan) to the week of 23 Mar 2026
    # 45 aerobic and 45 strength minutes over 13 weeks.
    assert round(q1.minutes_per_week[0], 2) == round(45 / 13, 2)
    assert round(q1.minutes_per_week[1], 2) == round(45 / 13, 2)
    assert round(t.rows[2].total_per_week, 2) == round(60 / 13, 2)


def test_a_short_period_keeps_a_row_per_month(services):
    _three_workouts(services)
    t = _training(services, date(2026, 1, 1), date(2026, 3, 31))
    assert t.span == MONTHS
    # The week of 30 Mar 2026 has its Thursday on 2 Apr, so it is April's.
    assert [r.label for r in t.rows] == ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"]
    assert [r.sessions for r in t.rows] == [0, 2, 0, 0]
