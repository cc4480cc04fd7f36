"""Hand-computed cases for training coverage, streaks, the calendar and the weekly summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.domain.coverage import (
    DEFAULT_WINDOW,
    GUIDELINE_STRENGTH_DAYS,
    GUIDELINE_WEEKLY_MINUTES,
    MAX_WINDOW,
    MIN_WINDOW,
    Session,
    Streak,
    coverage_report,
    covered_intervals,
    current_streak,
    daily_coverage,
    longest_session,
    sessions_from_workouts,
    weekly_summary,
)
from journal.domain.entities import Workout, WorkoutKind

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def june(day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo | None = None) -> datetime:
    """An instant in June 2026 (June 1 is a Monday), UTC unless a zone is given."""
    return datetime(2026, 6, day, hour, minute, tzinfo=tz or UTC)


def session(
    start: datetime, minutes: float = 60, kind: WorkoutKind = WorkoutKind.AEROBIC
) -> Session:
    return Session(start, start + timedelta(minutes=minutes), kind)


def workout(start: datetime, minutes: float, kind: WorkoutKind, rpe: int | None = None) -> Workout:
    return Workout(started_at=start, duration_min=minutes, kind=kind, rpe=rpe)


# --- window bounds --------------------------------------------------------------------------------


def test_window_constants() -> None:
    assert (MIN_WINDOW, DEFAULT_WINDOW, MAX_WINDOW) == (24 * H, 48 * H, 72 * H)
    assert (GUIDELINE_WEEKLY_MINUTES, GUIDELINE_STRENGTH_DAYS) == (150, 2)


@pytest.mark.parametrize("window", [24 * H - MIN, 72 * H + timedelta(seconds=1), timedelta(0)])
def test_window_outside_24_to_72_hours_is_rejected(window: timedelta) -> None:
    sessions = [session(june(1))]
    with pytest.raises(ValueError, match="window"):
        covered_intervals(sessions, window)
    with pytest.raises(ValueError, match="window"):
        coverage_report(sessions, june(1), june(8), window=window)
    with pytest.raises(ValueError, match="window"):
        daily_coverage(sessions, date(2026, 6, 1), date(2026, 6, 7), UTC, window=window)
    with pytest.raises(ValueError, match="window"):
        weekly_summary([], date(2026, 6, 1), date(2026, 6, 1), UTC, window=window)


@pytest.mark.parametrize("window", [24 * H, 72 * H])
def test_window_bounds_themselves_are_allowed(window: timedelta) -> None:
    assert covered_intervals([session(june(1), 0)], window) == [(june(1), june(1) + window)]


# --- sessions -------------------------------------------------------------------------------------


def test_sessions_from_workouts_are_sorted() -> None:
    workouts = [
        workout(june(3, 9), 30, WorkoutKind.RESISTANCE),
        workout(june(1, 9), 45, WorkoutKind.AEROBIC),
    ]
    assert sessions_from_workouts(workouts) == [
        Session(june(1, 9), june(1, 9, 45), WorkoutKind.AEROBIC),
        Session(june(3, 9), june(3, 9, 30), WorkoutKind.RESISTANCE),
    ]


def test_session_end_is_elapsed_time_across_dst() -> None:
    # 01:30 CET + 120 min is 04:30 CEST on 2026-03-29 (02:30 UTC), not 03:30 wall clock.
    start = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    (only,) = sessions_from_workouts([workout(start, 120, WorkoutKind.AEROBIC)])
    assert only.start == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert only.end == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert only.end.tzinfo is UTC


def test_session_rejects_naive_and_backwards_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Session(datetime(2026, 6, 1), june(1, 1), WorkoutKind.AEROBIC)
    with pytest.raises(ValueError, match="ends before"):
        Session(june(1, 1), june(1), WorkoutKind.AEROBIC)


# --- coverage report ------------------------------------------------------------------------------


def test_one_session_covers_exactly_two_days() -> None:
    sessions = [session(june(1), 0)]
    assert covered_intervals(sessions) == [(june(1), june(3))]

    report = coverage_report(sessions, june(1), june(5))
    assert report.covered == 48 * H
    assert report.share == 0.5
    assert report.sessions == 1
    # The gap runs to the end of the period and is counted, clipped to it.
    assert report.longest_gap == 48 * H
    assert (report.longest_gap_start, report.longest_gap_end) == (june(3), june(5))
    assert report.days_since_last == 4.0
    assert report.last_session_end == june(1)
    assert report.window == DEFAULT_WINDOW


def test_fully_covered_period_has_no_gap() -> None:
    report = coverage_report([session(june(1), 0)], june(1), june(3))
    assert (report.covered, report.share) == (48 * H, 1.0)
    assert report.longest_gap == timedelta(0)
    assert (report.longest_gap_start, report.longest_gap_end) == (None, None)


def test_sessions_every_48_hours_exactly_at_the_boundary_keep_the_streak() -> None:
    # Each session starts exactly when the previous one's end + 48 h runs out.
    sessions = [session(june(1, 10)), session(june(3, 11)), session(june(5, 12))]
    assert covered_intervals(sessions) == [(june(1, 10), june(7, 13))]

    report = coverage_report(sessions, june(1), june(8), now=june(6, 13))
    assert report.streak.active
    assert report.streak.sessions == 3
    assert report.streak.start == june(1, 10)
    assert report.streak.days == 5.125  # June 1 10:00 -> June 6 13:00
    # 10 h before the first session; 11 h after the last window, running to the period end.
    assert report.longest_gap == 11 * H
    assert (report.longest_gap_start, report.longest_gap_end) == (june(7, 13), june(8))
    assert report.covered == 7 * 24 * H - 21 * H


def test_a_gap_one_minute_over_48_hours_breaks_the_streak() -> None:
    sessions = [session(june(1, 10)), session(june(3, 11, 1)), session(june(5, 12, 1))]
    assert covered_intervals(sessions) == [
        (june(1, 10), june(3, 11)),
        (june(3, 11, 1), june(7, 13, 1)),
    ]

    report = coverage_report(sessions, june(1), june(8), now=june(6, 14, 1))
    assert report.streak.active
    assert report.streak.sessions == 2
    assert report.streak.start == june(3, 11, 1)
    assert report.streak.days == 3.125
    # Gaps: 10 h at the start, 1 min on June 3, 10 h 59 min running to the period end.
    assert report.longest_gap == 10 * H + 59 * MIN
    assert (report.longest_gap_start, report.longest_gap_end) == (june(7, 13, 1), june(8))
    assert report.covered == 7 * 24 * H - (10 * H + MIN + 10 * H + 59 * MIN)


def test_streak_ends_once_now_is_past_the_last_window() -> None:
    sessions = [session(june(1, 10))]  # ends 11:00, covered until June 3 11:00
    at_edge = coverage_report(sessions, june(1), june(8), now=june(3, 11))
    assert at_edge.streak.active
    assert at_edge.streak.sessions == 1

    past = coverage_report(sessions, june(1), june(8), now=june(3, 11, 1))
    assert not past.streak.active
    assert (past.streak.start, past.streak.sessions, past.streak.days) == (None, 0, 0.0)


def test_streak_measures_from_the_furthest_coverage_not_the_previous_session() -> None:
    # A short session inside a long one must not pull the chain's end back.
    sessions = [
        session(june(1, 8), 8 * 60),  # 08:00-16:00, covered until June 3 16:00
        session(june(1, 9), 30),  # inside it; alone it would cover only until June 3 09:30
        session(june(3, 15)),
    ]
    report = coverage_report(sessions, june(1), june(8), now=june(4))
    assert report.streak.active
    assert report.streak.sessions == 3
    assert report.streak.start == june(1, 8)


def test_streak_as_of_a_past_now_ignores_later_sessions() -> None:
    sessions = [session(june(1, 10)), session(june(10, 10))]
    report = coverage_report(sessions, june(1), june(15), now=june(2, 10))
    assert report.streak == Streak(start=june(1, 10), sessions=1, days=1.0, active=True)


def test_sessions_before_the_period_cover_into_it() -> None:
    # Ends 1 h before the period starts; its 48 h reach 47 h into the period.
    sessions = [session(datetime(2026, 5, 30, 22, tzinfo=UTC))]
    report = coverage_report(sessions, datetime(2026, 5, 31, tzinfo=UTC), june(2))
    assert report.covered == 47 * H
    assert report.share == pytest.approx(47 / 48)
    assert report.sessions == 0
    assert (report.longest_gap, report.longest_gap_start) == (H, june(1, 23))
    assert report.last_session_end == datetime(2026, 5, 30, 23, tzinfo=UTC)
    assert report.days_since_last == pytest.approx(2 + 1 / 24)


def test_session_count_includes_period_start_and_excludes_period_end() -> None:
    sessions = [session(june(1), 0), session(june(2), 0), session(june(3), 0)]
    assert coverage_report(sessions, june(1), june(3)).sessions == 2


@pytest.mark.parametrize(
    ("window", "covered", "gap", "gap_start", "streak_sessions"),
    [
        # 24 h: June 1-2 and June 3-4 covered; two 24 h gaps, the earlier one is reported.
        (24 * H, 48 * H, 24 * H, june(2), 0),
        # 72 h: June 1 to June 6, so the whole period.
        (72 * H, 96 * H, timedelta(0), None, 2),
    ],
)
def test_window_length_changes_the_coverage(
    window: timedelta,
    covered: timedelta,
    gap: timedelta,
    gap_start: datetime | None,
    streak_sessions: int,
) -> None:
    sessions = [session(june(1), 0), session(june(3), 0)]
    report = coverage_report(sessions, june(1), june(5), window=window)
    assert report.window == window
    assert report.covered == covered
    assert report.share == covered / (96 * H)
    assert (report.longest_gap, report.longest_gap_start) == (gap, gap_start)
    assert report.streak.sessions == streak_sessions
    assert report.streak.active is (streak_sessions > 0)


def test_equal_gaps_report_the_earliest() -> None:
    sessions = [session(june(1), 0), session(june(3), 0), session(june(5), 0)]
    report = coverage_report(sessions, june(1), june(6), window=24 * H)
    assert report.longest_gap == 24 * H
    assert (report.longest_gap_start, report.longest_gap_end) == (june(2), june(3))


def test_days_since_last_ignores_sessions_not_yet_ended_and_none_without_sessions() -> None:
    sessions = [session(june(1, 10)), session(june(2, 10), 120)]
    report = coverage_report(sessions, june(1), june(3), now=june(2, 11))
    assert report.last_session_end == june(1, 11)
    assert report.days_since_last == pytest.approx(1.0)
    # The session in progress still keeps the streak alive.
    assert report.streak.sessions == 2

    empty = coverage_report([], june(1), june(3))
    assert (empty.days_since_last, empty.last_session_end) == (None, None)
    assert (empty.covered, empty.share, empty.longest_gap) == (timedelta(0), 0.0, 48 * H)
    assert not empty.streak.active


def test_now_defaults_to_period_end_and_bad_periods_are_rejected() -> None:
    report = coverage_report([session(june(1), 0)], june(1), june(2, 12))
    assert report.days_since_last == 1.5
    with pytest.raises(ValueError, match="after period_start"):
        coverage_report([], june(2), june(2))
    with pytest.raises(ValueError, match="timezone-aware"):
        coverage_report([], datetime(2026, 6, 1), june(2))


def test_report_accepts_local_period_bounds() -> None:
    # June 1 00:00 in Berlin is May 31 22:00 UTC.
    report = coverage_report(
        [session(datetime(2026, 5, 31, 22, tzinfo=UTC), 0)], june(1, tz=BERLIN), june(3, tz=BERLIN)
    )
    assert report.share == 1.0
    assert report.sessions == 1


# --- calendar -------------------------------------------------------------------------------------


def test_daily_coverage_on_the_23_hour_spring_forward_day() -> None:
    # 09:00-10:00 UTC on March 28 with a 24 h window covers until March 29 10:00 UTC.
    sessions = [session(datetime(2026, 3, 28, 9, tzinfo=UTC), 60, WorkoutKind.RESISTANCE)]
    days = daily_coverage(sessions, date(2026, 3, 28), date(2026, 3, 30), BERLIN, window=24 * H)
    assert [d.day for d in days] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    # March 28 (CET) runs 27th 23:00 -> 28th 23:00 UTC: covered from 09:00, 14 of 24 h.
    assert days[0].covered_fraction == pytest.approx(14 / 24)
    # March 29 runs 28th 23:00 -> 29th 22:00 UTC, 23 h long: covered 11 of them.
    assert days[1].covered_fraction == pytest.approx(11 / 23)
    assert days[2].covered_fraction == 0.0
    assert days[0].sessions == 1
    assert days[0].minutes == 60.0
    assert days[0].kinds == frozenset({WorkoutKind.RESISTANCE})
    assert (days[1].sessions, days[1].minutes, days[1].kinds) == (0, 0.0, frozenset())


def test_daily_coverage_on_the_25_hour_fall_back_day() -> None:
    # Covered until October 25 10:30 UTC; that day runs 24th 22:00 -> 25th 23:00 UTC (25 h).
    sessions = [session(datetime(2026, 10, 24, 9, 30, tzinfo=UTC), 60)]
    (day,) = daily_coverage(sessions, date(2026, 10, 25), date(2026, 10, 25), BERLIN, window=24 * H)
    assert day.covered_fraction == 0.5


def test_daily_coverage_buckets_sessions_by_local_start_day() -> None:
    sessions = [
        session(june(1, 22, 30), 30, WorkoutKind.HIIT),  # 00:30 on June 2 in Berlin
        session(june(2, 16), 45, WorkoutKind.RESISTANCE),
        session(june(2, 17), 15, WorkoutKind.AEROBIC),
    ]
    days = daily_coverage(sessions, date(2026, 6, 1), date(2026, 6, 2), BERLIN)
    assert (days[0].sessions, days[0].covered_fraction) == (0, 0.0)
    assert days[1].sessions == 3
    assert days[1].minutes == 90.0
    assert days[1].kinds == frozenset(
        {WorkoutKind.HIIT, WorkoutKind.RESISTANCE, WorkoutKind.AEROBIC}
    )
    # Berlin's June 2 starts at 22:00 UTC on June 1; coverage starts half an hour later.
    assert days[1].covered_fraction == pytest.approx(23.5 / 24)


def test_daily_coverage_counts_long_past_sessions_only_through_their_window() -> None:
    sessions = [
        session(datetime(2026, 1, 5, 9, tzinfo=UTC), 30),  # long worn off
        # Started before June 1 - 48 h but ended after it: reaches June 1 12:00.
        session(datetime(2026, 5, 29, tzinfo=UTC), 36 * 60),
        session(june(3, 12), 0),  # after the range: must not count
    ]
    (day,) = daily_coverage(sessions, date(2026, 6, 1), date(2026, 6, 1), UTC)
    assert (day.covered_fraction, day.sessions) == (0.5, 0)


def test_daily_coverage_of_an_empty_range() -> None:
    assert daily_coverage([], date(2026, 6, 2), date(2026, 6, 1), UTC) == []


# --- weekly summary -------------------------------------------------------------------------------


def test_weekly_summary_minutes_load_and_strength_days() -> None:
    workouts = [
        workout(june(1, 18, tz=BERLIN), 45, WorkoutKind.RESISTANCE, rpe=7),  # 315
        workout(june(3, 7, tz=BERLIN), 60, WorkoutKind.AEROBIC, rpe=5),  # 300
        workout(june(3, 19, tz=BERLIN), 30, WorkoutKind.RESISTANCE),  # no RPE
        workout(june(5, 18, tz=BERLIN), 50, WorkoutKind.COMBINED, rpe=6),  # 300
        workout(june(7, 23, 30, tz=BERLIN), 20, WorkoutKind.AEROBIC),  # Sunday, no RPE
        # Monday 00:30 in Berlin, still Sunday in UTC: belongs to the next local week.
        workout(june(8, 0, 30, tz=BERLIN), 15, WorkoutKind.HIIT, rpe=8),  # 120
    ]
    first, second = weekly_summary(workouts, date(2026, 6, 1), date(2026, 6, 8), BERLIN)

    assert first.week_start == date(2026, 6, 1)
    assert dict(first.minutes_by_kind) == {
        WorkoutKind.AEROBIC: 80.0,
        WorkoutKind.RESISTANCE: 75.0,
        WorkoutKind.HIIT: 0.0,
        WorkoutKind.COMBINED: 50.0,
        WorkoutKind.OTHER: 0.0,
    }
    assert first.total_minutes == 205.0
    assert first.sessions == 5
    assert first.resistance_days == 3  # Monday, Wednesday, and Friday's combined session
    assert first.load == 915.0
    assert first.sessions_without_rpe == 2
    assert first.meets_aerobic_guideline
    assert first.meets_strength_guideline
    # Covered Mon 18:00 -> Sun 18:50 (144 h 50 min) and Sun 23:30 -> Mon 00:00 (30 min).
    assert first.coverage_share == pytest.approx((144 * 60 + 50 + 30) / (168 * 60))

    assert second.week_start == date(2026, 6, 8)
    assert second.minutes_by_kind[WorkoutKind.HIIT] == 15.0
    assert (second.total_minutes, second.sessions, second.load) == (15.0, 1, 120.0)
    assert (second.resistance_days, second.sessions_without_rpe) == (0, 0)
    assert not second.meets_aerobic_guideline
    assert not second.meets_strength_guideline


def test_strength_days_are_distinct_days_and_guidelines_are_inclusive() -> None:
    workouts = [
        workout(june(2, 7), 25, WorkoutKind.RESISTANCE),
        workout(june(2, 18), 25, WorkoutKind.RESISTANCE),  # same day: still one day
        workout(june(4, 18), 100, WorkoutKind.AEROBIC),  # 150 min in all
    ]
    (week,) = weekly_summary(workouts, date(2026, 6, 1), date(2026, 6, 1), UTC)
    assert week.resistance_days == 1
    assert not week.meets_strength_guideline
    assert week.total_minutes == 150.0
    assert week.meets_aerobic_guideline

    combined = [*workouts, workout(june(6, 9), 30, WorkoutKind.COMBINED)]
    (week,) = weekly_summary(combined, date(2026, 6, 1), date(2026, 6, 1), UTC)
    assert week.resistance_days == 2
    assert week.meets_strength_guideline


def test_weekly_summary_weeks_without_workouts_and_bad_mondays() -> None:
    weeks = weekly_summary([], date(2026, 6, 1), date(2026, 6, 15), UTC)
    assert [w.week_start for w in weeks] == [date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15)]
    assert all(w.sessions == 0 and w.coverage_share == 0.0 for w in weeks)
    with pytest.raises(TypeError):
        weeks[0].minutes_by_kind[WorkoutKind.OTHER] = 1.0  # type: ignore[index]
    with pytest.raises(ValueError, match="Monday"):
        weekly_summary([], date(2026, 6, 2), date(2026, 6, 8), UTC)
    with pytest.raises(ValueError, match="Monday"):
        weekly_summary([], date(2026, 6, 1), date(2026, 6, 7), UTC)
    with pytest.raises(ValueError, match="negative duration"):
        weekly_summary(
            [workout(june(2), -5, WorkoutKind.AEROBIC)], date(2026, 6, 1), date(2026, 6, 1), UTC
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        weekly_summary(
            [workout(datetime(2026, 6, 2), 5, WorkoutKind.AEROBIC)],
            date(2026, 6, 1),
            date(2026, 6, 1),
            UTC,
        )


def test_weekly_coverage_counts_a_long_session_from_long_ago() -> None:
    # Started 4 days before the week and lasted 3 days, so its 48 h reach 24 h into the week.
    ultra = workout(datetime(2026, 5, 28, tzinfo=UTC), 3 * 24 * 60, WorkoutKind.OTHER)
    (week,) = weekly_summary([ultra], date(2026, 6, 1), date(2026, 6, 1), UTC)
    assert week.coverage_share == pytest.approx(24 / 168)
    assert week.sessions == 0


def test_weekly_coverage_share_over_a_167_hour_dst_week() -> None:
    # The week of March 23 2026 in Berlin is 167 h long; cover exactly its first 48 h.
    start = datetime(2026, 3, 23, tzinfo=BERLIN)
    (week,) = weekly_summary(
        [workout(start, 0, WorkoutKind.AEROBIC)], date(2026, 3, 23), date(2026, 3, 23), BERLIN
    )
    assert week.coverage_share == pytest.approx(48 / 167)


# --- the streak found backwards, and reports that visit only the sessions near the period -------


def forward_streak(sessions: list[Session], window: timedelta, now: datetime) -> Streak:
    """The streak the slow way: every session from the first, as the definition reads."""
    chain_start: datetime | None = None
    chain_sessions = 0
    chain_until = datetime.min.replace(tzinfo=UTC)
    for s in sorted(sessions, key=lambda s: (s.start, s.end, s.kind)):
        if s.start > now:
            break
        if chain_start is None or s.start > chain_until:
            chain_start, chain_sessions = s.start, 0
        chain_sessions += 1
        chain_until = max(chain_until, s.end + window)
    if chain_start is None or now > chain_until:
        return Streak(start=None, sessions=0, days=0.0, active=False)
    return Streak(chain_start, chain_sessions, (now - chain_start) / timedelta(days=1), True)


STREAK_CASES = {
    "none": [],
    "one": [session(june(1, 8))],
    # Each starts as the last one's 48 h window ends: touching keeps the run unbroken.
    "touching at 48 h": [session(june(1, 8) + k * 49 * H) for k in range(5)],
    "a gap one minute too long": [session(june(1, 8)), session(june(4, 9, 1)), session(june(5))],
    # A four-day session bridges the short ones after it that end before the run would start.
    "bridged by a long session": [
        session(june(1), minutes=4 * 24 * 60),
        session(june(1, 6)),
        session(june(2, 6)),
        session(june(6, 12)),
    ],
    "equal starts": [session(june(3, 7)), session(june(3, 7), 90), session(june(4, 7))],
    "a session after now": [session(june(5, 8)), session(june(8, 8))],
}
STREAK_NOWS = [june(1, 0), june(1, 9), june(3, 12), june(5, 9), june(6, 18), june(7, 12), june(9)]


@pytest.mark.parametrize("name", STREAK_CASES)
@pytest.mark.parametrize("window", [MIN_WINDOW, DEFAULT_WINDOW, MAX_WINDOW])
def test_streak_found_backwards_equals_the_forward_definition(name: str, window) -> None:
    sessions = sorted(STREAK_CASES[name], key=lambda s: (s.start, s.end, s.kind))
    for now in STREAK_NOWS:
        expected = forward_streak(sessions, window, now)
        assert current_streak(sessions, window, now) == expected, (name, now)
        assert current_streak(sessions, window, now, longest=longest_session(sessions)) == (
            expected
        )


def test_streak_by_hand_when_a_long_session_bridges_a_gap() -> None:
    sessions = STREAK_CASES["bridged by a long session"]
    # June 1 00:00 for four days, + 48 h, covers to June 7 00:00: June 6 12:00 joins the run.
    streak = current_streak(sessions, DEFAULT_WINDOW, june(7, 12))
    assert streak == Streak(june(1), 4, 6.5, True)


@pytest.mark.parametrize("name", STREAK_CASES)
def test_reports_given_the_longest_session_equal_the_full_reading(name: str) -> None:
    sessions = sorted(STREAK_CASES[name], key=lambda s: (s.start, s.end, s.kind))
    longest = longest_session(sessions)
    for start, end in ((june(1), june(8)), (june(4), june(6)), (june(6, 12), june(9))):
        assert coverage_report(sessions, start, end, longest=longest) == coverage_report(
            list(reversed(sessions)), start, end
        )
    days = (date(2026, 6, 2), date(2026, 6, 8))
    assert daily_coverage(sessions, *days, BERLIN, longest=longest) == daily_coverage(
        list(reversed(sessions)), *days, BERLIN
    )


def test_longest_session() -> None:
    assert longest_session([]) == timedelta(0)
    assert longest_session([session(june(1), 30), session(june(2), 90)]) == 90 * MIN
