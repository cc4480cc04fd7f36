"""Data for the training consistency chart: heat-map cells, weekly series, month labels, callout."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from journal.domain.coverage import (
    DEFAULT_WINDOW,
    CoverageReport,
    DayCoverage,
    Session,
    WeekSummary,
    coverage_report,
    daily_coverage,
    longest_session,
    session_from_workout,
    sessions_from_workouts,
    weekly_summary,
)
from journal.domain.entities import Workout

_DAY = timedelta(days=1)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Two month labels closer than this many week columns would overlap.
_MIN_LABEL_GAP = 3


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One day of the calendar heat map: column = week index, row = weekday (0 = Monday)."""

    column: int
    row: int
    coverage: DayCoverage
    future: bool


@dataclass(frozen=True, slots=True)
class TrainingConsistency:
    """Everything the training consistency chart draws, for `weeks` Monday-to-Sunday weeks."""

    first_monday: date
    today: date
    cells: tuple[HeatCell, ...]
    weeks: tuple[WeekSummary, ...]
    report: CoverageReport
    month_labels: tuple[tuple[int, str], ...]
    callout: str
    # Per week, share of it covered; the current week only up to the end of today, so that the
    # days still to come do not read as a drop.
    coverage_shares: tuple[float, ...]

    @property
    def has_sessions(self) -> bool:
        return any(w.sessions for w in self.weeks)


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def first_monday(today: date, weeks: int) -> date:
    """The Monday of the first of `weeks` weeks whose last one contains `today`."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)


def month_labels(first: date, weeks: int) -> list[tuple[int, str]]:
    """(column, label) for each week column holding a month's 1st; January names its year.

    The first column is labelled with its Monday's month unless a 1st follows too closely.
    """
    labels: list[tuple[int, str]] = []
    for column in range(weeks):
        monday = first + timedelta(weeks=column)
        for offset in range(7):
            day = monday + timedelta(days=offset)
            if day.day == 1:
                labels.append((column, _month_name(day)))
                break
    if not labels or labels[0][0] >= _MIN_LABEL_GAP:
        labels.insert(0, (0, _month_name(first)))
    return labels


def _month_name(day: date) -> str:
    name = _MONTHS[day.month - 1]
    return f"{name} {day.year}" if day.month == 1 else name


def _day_month(day: date, *, year: bool) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")


def date_span_text(start: date, end: date) -> str:
    """ "12–15 Mar", "28 Feb – 3 Mar", "30 Dec 2025 – 2 Jan 2026", or "12 Mar" for one day."""
    if start == end:
        return _day_month(start, year=False)
    if start.year != end.year:
        return f"{_day_month(start, year=True)} – {_day_month(end, year=True)}"
    if start.month != end.month:
        return f"{_day_month(start, year=False)} – {_day_month(end, year=False)}"
    return f"{start.day}–{_day_month(end, year=False)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def callout_text(report: CoverageReport, tz: tzinfo) -> str:
    """ "Longest gap: 3.5 days (12–15 Mar) · Current streak: 19 days, 9 sessions"."""
    if report.longest_gap_start is None or report.longest_gap_end is None:
        gap = "Longest gap: none"
    else:
        days = report.longest_gap / _DAY
        start = report.longest_gap_start.astimezone(tz)
        end = report.longest_gap_end.astimezone(tz)
        # A gap ending at midnight ended with the day before.
        last = (end - timedelta(microseconds=1)).date()
        if report.longest_gap_end >= report.period_end.astimezone(UTC):
            span = f"since {_day_month(start.date(), year=False)}"
        else:
            span = date_span_text(start.date(), max(last, start.date()))
        gap = f"Longest gap: {days:.1f} days ({span})"
    streak = report.streak
    if streak.active:
        current = (
            f"Current streak: {_plural(round(streak.days), 'day')}, "
            f"{_plural(streak.sessions, 'session')}"
        )
    elif report.days_since_last is not None:
        current = f"Current streak: none (last session {report.days_since_last:.1f} days ago)"
    else:
        current = "Current streak: none"
    return f"{gap} · {current}"


# Beyond this many added or removed workouts a fresh conversion is as quick as patching.
_PATCH_LIMIT = 64


def _order(session: Session) -> tuple[datetime, datetime, str]:
    return (session.start, session.end, session.kind)


def _start_of(session: Session) -> datetime:
    return session.start


class SessionCache:
    """The sessions of the workouts last seen, kept sorted between redraws.

    Ten years of workouts take a while to convert; after one new or edited workout only that
    one is converted and put in its place. `sessions(workouts)` always equals
    `sessions_from_workouts(workouts)`. Workouts are recognised by identity, as a list model
    hands out the same objects until a record changes.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[Workout, Session]] = {}
        self._sorted: list[Session] = []
        self._owners: list[Workout] = []  # the workout of each session in `_sorted`
        self._longest: timedelta | None = None  # None: to be worked out again
        self.converted = 0  # workouts converted by the last call, for tests

    @property
    def longest(self) -> timedelta:
        """The longest of the sessions last returned (see `coverage.longest_session`)."""
        if self._longest is None:
            self._longest = longest_session(self._sorted)
        return self._longest

    def workouts_since(self, instant: datetime) -> list[Workout]:
        """The workouts last seen that started at or after `instant`, oldest first."""
        return self._owners[bisect_left(self._sorted, instant, key=_start_of) :]

    def sessions(self, workouts: Sequence[Workout]) -> list[Session]:
        """The sessions of `workouts`, sorted as `sessions_from_workouts` sorts them."""
        current = set(map(id, workouts))
        known = self._known
        if len(current) != len(workouts):  # the same object twice: no cache
            self._convert_all(workouts, keep=False)
            return list(self._sorted)
        added = [w for w in workouts if id(w) not in known]
        removed = known.keys() - current
        if len(added) + len(removed) > _PATCH_LIMIT or not known:
            self._convert_all(workouts, keep=True)
            return list(self._sorted)
        for k in removed:
            workout, session = known.pop(k)
            key = _order(session)
            i = bisect_left(self._sorted, key, key=_order)
            # Among equal sessions, the one of this very workout.
            while self._owners[i] is not workout and _order(self._sorted[i + 1]) == key:
                i += 1
            del self._sorted[i]
            del self._owners[i]
            if self._longest is not None and session.end - session.start >= self._longest:
                self._longest = None  # perhaps the longest went
        for w in added:
            session = session_from_workout(w)
            known[id(w)] = (w, session)
            i = bisect_right(self._sorted, _order(session), key=_order)
            self._sorted.insert(i, session)
            self._owners.insert(i, w)
            if self._longest is not None:
                self._longest = max(self._longest, session.end - session.start)
        self.converted = len(added)
        return list(self._sorted)

    def _convert_all(self, workouts: Sequence[Workout], *, keep: bool) -> None:
        pairs = sorted(
            ((session_from_workout(w), w) for w in workouts), key=lambda pair: _order(pair[0])
        )
        self._sorted = [session for session, _w in pairs]
        self._owners = [w for _session, w in pairs]
        self._known = {id(w): (w, session) for session, w in pairs} if keep else {}
        self._longest = None
        self.converted = len(pairs)


def training_consistency(
    workouts: Sequence[Workout],
    *,
    tz: tzinfo,
    today: date,
    weeks: int = 26,
    window: timedelta = DEFAULT_WINDOW,
    cache: SessionCache | None = None,
) -> TrainingConsistency:
    """The last `weeks` local weeks up to the end of `today`; later days are marked future.

    Give the same `cache` on each redraw to convert only the workouts that changed.
    """
    first = first_monday(today, weeks)
    last_monday = first + timedelta(weeks=weeks - 1)
    start = _local_midnight(first, tz)
    nearby: Sequence[Workout] = workouts
    if cache is not None:
        sessions = cache.sessions(workouts)
        longest = cache.longest
        # Workouts whose effect wore off before the first week change none of its numbers.
        nearby = cache.workouts_since(start - window - longest - _DAY)
    else:
        sessions = sessions_from_workouts(workouts)
        longest = longest_session(sessions)
    # Sorted sessions and their longest length let each step visit only the weeks shown.
    days = daily_coverage(
        sessions, first, last_monday + timedelta(days=6), tz, window=window, longest=longest
    )
    cells = tuple(
        HeatCell(column=k // 7, row=k % 7, coverage=day, future=day.day > today)
        for k, day in enumerate(days)
    )
    end = _local_midnight(today + _DAY, tz)
    report = coverage_report(sessions, start, end, window=window, now=end, longest=longest)
    summaries = weekly_summary(nearby, first, last_monday, tz, window=window)
    this_week = coverage_report(
        sessions, _local_midnight(last_monday, tz), end, window=window, longest=longest
    )
    shares = [w.coverage_share for w in summaries[:-1]] + [this_week.share]
    return TrainingConsistency(
        first_monday=first,
        today=today,
        cells=cells,
        weeks=tuple(summaries),
        report=report,
        month_labels=tuple(month_labels(first, weeks)),
        callout=callout_text(report, tz),
        coverage_shares=tuple(shares),
    )
