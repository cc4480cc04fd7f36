"""Training coverage: the stretches of time a recent session's insulin-sensitising effect spans."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from operator import attrgetter
from types import MappingProxyType

from journal.domain.entities import Workout, WorkoutKind

# One session raises insulin sensitivity for roughly 1–3 days (Ross 2003: gone "within 48 to 72 h";
# Newsom 2013: next-morning effect), so the window a session covers is bounded to 24–72 h
# (clinical.md §4.2, [S31a][S31b]).
MIN_WINDOW = timedelta(hours=24)
MAX_WINDOW = timedelta(hours=72)
DEFAULT_WINDOW = timedelta(hours=48)

# Adults: 150–300 min/week of moderate (or 75–150 vigorous) activity and muscle-strengthening on
# ≥ 2 days/week (WHO 2020 guidelines; US Physical Activity Guidelines 2018; clinical.md §4
# [S29p][S29q]).
GUIDELINE_WEEKLY_MINUTES = 150
GUIDELINE_STRENGTH_DAYS = 2

_STRENGTH_KINDS = frozenset({WorkoutKind.RESISTANCE, WorkoutKind.COMBINED})
_NO_KINDS: frozenset[WorkoutKind] = frozenset()
_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_DAY_MINUTES = 24 * 60

Interval = tuple[datetime, datetime]


def _require_aware(value: datetime, name: str) -> None:
    # A naive datetime would silently be read in the machine's zone by astimezone().
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _utc(value: datetime, name: str) -> datetime:
    # Storage hands out UTC already; skipping the conversion keeps ten years of rows cheap.
    if value.tzinfo is UTC:
        return value
    _require_aware(value, name)
    return value.astimezone(UTC)


def _check_window(window: timedelta) -> None:
    if not MIN_WINDOW <= window <= MAX_WINDOW:
        raise ValueError(
            f"window must be between {MIN_WINDOW} and {MAX_WINDOW} "
            f"(a session's effect lasts about 1–3 days), got {window}"
        )


def _days(delta: timedelta) -> float:
    return delta / _DAY


@dataclass(frozen=True, slots=True)
class Session:
    """One workout reduced to what coverage needs; start and end are held in UTC."""

    start: datetime
    end: datetime
    kind: WorkoutKind

    def __post_init__(self) -> None:
        # Python adds and subtracts datetimes sharing a ZoneInfo in wall-clock time, which is off
        # by an hour across DST; in UTC, "+ 48 h" means 48 elapsed hours.
        if self.start.tzinfo is not UTC:
            object.__setattr__(self, "start", _utc(self.start, "Session.start"))
        if self.end.tzinfo is not UTC:
            object.__setattr__(self, "end", _utc(self.end, "Session.end"))
        if self.end < self.start:
            raise ValueError(f"session ends before it starts: {self.start} > {self.end}")

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60.0


# StrEnum kinds compare as their strings, so ties in time sort deterministically.
_session_key = attrgetter("start", "end", "kind")
_start_of = attrgetter("start")


def _session_from_workout(workout: Workout) -> Session:
    # Not Workout.ended_at: that adds the duration in wall-clock time when started_at is local.
    start = _utc(workout.started_at, "Workout.started_at")
    return Session(start, start + timedelta(minutes=workout.duration_min), workout.kind)


def session_from_workout(workout: Workout) -> Session:
    """The session of one workout, as `sessions_from_workouts` makes it."""
    return _session_from_workout(workout)


def sessions_from_workouts(workouts: Iterable[Workout]) -> list[Session]:
    """Sessions for the given workouts, sorted by start (then end, then kind)."""
    return sorted((_session_from_workout(w) for w in workouts), key=_session_key)


def _sorted_sessions(sessions: Iterable[Session]) -> list[Session]:
    # Timsort is linear on the already-sorted lists sessions_from_workouts returns.
    return sorted(sessions, key=_session_key)


def longest_session(sessions: Iterable[Session]) -> timedelta:
    """The longest session's duration (zero without sessions)."""
    return max((s.end - s.start for s in sessions), default=_ZERO)


def _ordered(
    sessions: Iterable[Session], longest: timedelta | None
) -> tuple[Sequence[Session], timedelta]:
    """The sessions sorted, and a bound on their length that lets a search stop early.

    With `longest` given, the caller's sessions are already sorted (as
    `sessions_from_workouts` returns them) and none lasts longer: neither is checked, which is
    what keeps a redraw from walking years of history.
    """
    if longest is not None and isinstance(sessions, Sequence):
        return sessions, longest
    ordered = _sorted_sessions(sessions)
    return ordered, longest_session(ordered)


def _reaching(ordered: Sequence[Session], since: datetime, longest: timedelta) -> int:
    """Index of the first session that may end after `since`; none before it does."""
    # A session ends at most `longest` after it starts.
    return bisect_left(ordered, since - longest, key=_start_of)


def _spans(sessions: Iterable[Session], window: timedelta) -> list[Interval]:
    return [(s.start, s.end + window) for s in sessions]


def _workout_spans(workouts: Iterable[Workout], window: timedelta) -> list[Interval]:
    # Tuples rather than Sessions: ten years of workouts would otherwise build 3,000 dataclasses
    # only to be merged.
    spans = []
    for w in workouts:
        start = _utc(w.started_at, "Workout.started_at")
        if w.duration_min < 0:
            raise ValueError(f"workout at {w.started_at} has a negative duration")
        spans.append((start, start + timedelta(minutes=w.duration_min) + window))
    spans.sort()
    return spans


def _merge(spans: Iterable[Interval]) -> list[Interval]:
    """Merge spans sorted by start into disjoint intervals."""
    merged: list[Interval] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            # Touching counts as unbroken: a session starting exactly as the last effect ends.
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered_intervals(
    sessions: Iterable[Session], window: timedelta = DEFAULT_WINDOW
) -> list[Interval]:
    """Disjoint, sorted UTC intervals [start, end + window) covered by at least one session."""
    _check_window(window)
    return _merge(_spans(_sorted_sessions(sessions), window))


def _covered_fractions(intervals: Sequence[Interval], bounds: Sequence[datetime]) -> list[float]:
    """Covered share of each consecutive span [bounds[k], bounds[k + 1]), in one linear sweep."""
    # POSIX seconds: float arithmetic is several times cheaper than datetime arithmetic, and a
    # float holds today's timestamps to well under a microsecond.
    ivs = [(a.timestamp(), b.timestamp()) for a, b in intervals]
    out: list[float] = []
    first = 0
    for lo, hi in pairwise([b.timestamp() for b in bounds]):
        while first < len(ivs) and ivs[first][1] <= lo:
            first += 1
        total = 0.0
        j = first
        # Intervals are disjoint, so only those overlapping this span are visited (plus one).
        while j < len(ivs) and ivs[j][0] < hi:
            a, b = ivs[j]
            total += min(b, hi) - max(a, lo)
            j += 1
        out.append(total / (hi - lo))
    return out


@dataclass(frozen=True, slots=True)
class Streak:
    """The current run of sessions whose coverage never lapsed; inactive once it has."""

    start: datetime | None
    sessions: int
    days: float
    active: bool


_NO_STREAK = Streak(start=None, sessions=0, days=0.0, active=False)


def current_streak(
    sessions: Sequence[Session],
    window: timedelta,
    now: datetime,
    *,
    longest: timedelta | None = None,
) -> Streak:
    """The run of sessions whose coverage has not lapsed up to `now`, or an inactive streak.

    `sessions` must be sorted (as `sessions_from_workouts` returns them), with none longer
    than `longest` (worked out when not given). The run is found backwards from `now` and the
    search stops at its first gap, so years of history before it are not visited. Sessions
    not yet started at `now` are not part of it.
    """
    at = _utc(now, "now")
    if longest is None:
        longest = longest_session(sessions)
    reach = longest + window  # a session's coverage ends at most this long after it starts
    last = bisect_right(sessions, at, key=_start_of) - 1
    if last < 0:
        return _NO_STREAK
    # Active only if some session covers `now`; only sessions started within `reach` can.
    k = last
    while k >= 0 and sessions[k].start + reach >= at:
        if sessions[k].end + window >= at:
            break
        k -= 1
    else:
        return _NO_STREAK
    # Walk back to the first session of the unbroken run. A session belongs to it when its
    # coverage reaches the run's earliest start (touching counts), or when an earlier one's
    # does: a long session can bridge shorter ones that end before the run begins.
    first = last
    earliest = sessions[last].start
    m = last - 1
    while m >= 0:
        if sessions[m].end + window >= earliest:
            first, earliest = m, sessions[m].start
            m -= 1
            continue
        bridge = m - 1
        while bridge >= 0 and sessions[bridge].start + reach >= earliest:
            if sessions[bridge].end + window >= earliest:
                break
            bridge -= 1
        else:
            break  # nothing earlier reaches the run: this is where it began
        first, earliest = bridge, sessions[bridge].start
        m = bridge - 1
    return Streak(start=earliest, sessions=last - first + 1, days=_days(at - earliest), active=True)


def _last_end(ordered: Sequence[Session], at: datetime, longest: timedelta) -> datetime | None:
    """The latest end at or before `at`, searched backwards from `at`."""
    best: datetime | None = None
    k = bisect_right(ordered, at, key=_start_of) - 1
    while k >= 0:
        session = ordered[k]
        if best is not None and session.start + longest <= best:
            break  # every earlier session ended by now
        if session.end <= at and (best is None or session.end > best):
            best = session.end
        k -= 1
    return best


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """Coverage of the period [period_start, period_end); computed instants are in UTC."""

    period_start: datetime
    period_end: datetime
    window: timedelta
    covered: timedelta
    share: float
    longest_gap: timedelta
    longest_gap_start: datetime | None
    longest_gap_end: datetime | None
    sessions: int
    days_since_last: float | None
    last_session_end: datetime | None
    streak: Streak


def coverage_report(
    sessions: Iterable[Session],
    period_start: datetime,
    period_end: datetime,
    *,
    window: timedelta = DEFAULT_WINDOW,
    now: datetime | None = None,
    longest: timedelta | None = None,
) -> CoverageReport:
    """How much of [period_start, period_end) was covered, its longest gap, and the streak at now.

    Sessions before the period count for the coverage they carry into it. The period is measured
    as given, even where it runs past `now`; pass period_end=now for a period still in progress.
    Give `longest` (see `longest_session`) with sessions already sorted to have only the
    sessions near the period and `now` visited.
    """
    _check_window(window)
    lo = _utc(period_start, "period_start")
    hi = _utc(period_end, "period_end")
    if hi <= lo:
        raise ValueError(f"period_end must be after period_start: {period_start} .. {period_end}")
    at = hi if now is None else _utc(now, "now")

    ordered, longest = _ordered(sessions, longest)
    # Only spans reaching into the period count, and ten years of history mostly do not.
    upto = bisect_left(ordered, hi, key=_start_of)
    worn_off = lo - window
    begin = _reaching(ordered, worn_off, longest)
    intervals = _merge(_spans((s for s in ordered[begin:upto] if s.end > worn_off), window))

    covered = _ZERO
    gap, gap_start, gap_end = _ZERO, None, None
    cursor = lo
    # Merged ends are increasing, so bisect finds the first interval reaching into the period.
    first = bisect_right([b for _, b in intervals], lo)
    for a, b in intervals[first:]:
        if a >= hi:
            break
        if a > cursor and a - cursor > gap:
            gap, gap_start, gap_end = a - cursor, cursor, a
        covered += min(b, hi) - max(a, lo)
        cursor = max(cursor, b)
    if cursor < hi and hi - cursor > gap:
        gap, gap_start, gap_end = hi - cursor, cursor, hi

    in_period = upto - bisect_left(ordered, lo, key=_start_of)

    last_end = _last_end(ordered, at, longest)
    return CoverageReport(
        period_start=period_start,
        period_end=period_end,
        window=window,
        covered=covered,
        share=covered / (hi - lo),
        longest_gap=gap,
        longest_gap_start=gap_start,
        longest_gap_end=gap_end,
        sessions=in_period,
        days_since_last=None if last_end is None else _days(at - last_end),
        last_session_end=last_end,
        streak=current_streak(ordered, window, at, longest=longest),
    )


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    # The instant a local calendar day begins; DST days are 23 or 25 h long between two of these.
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _day_range(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=k) for k in range((last_day - first_day).days + 1)]


@dataclass(frozen=True, slots=True)
class DayCoverage:
    """One local calendar day: share of it covered, and the sessions that started on it."""

    day: date
    covered_fraction: float
    kinds: frozenset[WorkoutKind]
    sessions: int
    minutes: float


def daily_coverage(
    sessions: Iterable[Session],
    first_day: date,
    last_day: date,
    tz: tzinfo,
    *,
    window: timedelta = DEFAULT_WINDOW,
    longest: timedelta | None = None,
) -> list[DayCoverage]:
    """Per local day from first_day to last_day inclusive (empty if last_day < first_day).

    Give `longest` (see `longest_session`) with sessions already sorted to have only the
    sessions near the days visited.
    """
    _check_window(window)
    if last_day < first_day:
        return []
    ordered, longest = _ordered(sessions, longest)
    days = _day_range(first_day, last_day)
    bounds = [_local_midnight(d, tz) for d in days]
    bounds.append(_local_midnight(last_day + _DAY, tz))
    # Only sessions whose window overlaps the days matter; earlier ones may still reach in.
    upto = bisect_left(ordered, bounds[-1], key=_start_of)
    worn_off = bounds[0] - window
    begin = _reaching(ordered, worn_off, longest)
    reaching = (s for s in ordered[begin:upto] if s.end > worn_off)
    fractions = _covered_fractions(_merge(_spans(reaching, window)), bounds)

    started: defaultdict[date, list[Session]] = defaultdict(list)
    for session in ordered[bisect_left(ordered, bounds[0], key=_start_of) : upto]:
        started[session.start.astimezone(tz).date()].append(session)

    out: list[DayCoverage] = []
    for k, day in enumerate(days):
        todays = started.get(day)
        fraction = fractions[k]
        if todays is None:
            out.append(DayCoverage(day, fraction, _NO_KINDS, 0, 0.0))
        else:
            kinds = frozenset(s.kind for s in todays)
            minutes = sum(s.minutes for s in todays)
            out.append(DayCoverage(day, fraction, kinds, len(todays), minutes))
    return out


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """One Monday-to-Sunday local week of training against the WHO/PAG guideline."""

    week_start: date
    minutes_by_kind: Mapping[WorkoutKind, float]
    total_minutes: float
    sessions: int
    resistance_days: int
    coverage_share: float
    load: float
    sessions_without_rpe: int
    meets_aerobic_guideline: bool
    meets_strength_guideline: bool


def weekly_summary(
    workouts: Iterable[Workout],
    first_week_monday: date,
    last_week_monday: date,
    tz: tzinfo,
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> list[WeekSummary]:
    """One summary per local week, Mondays first_week_monday..last_week_monday inclusive.

    Workouts are placed in the week of their local start day; coverage_share is of the week's
    actual length (167 or 169 h across a DST change), counting sessions from earlier weeks.

    The aerobic guideline check is a simplification: every kind's minutes count (we do not know
    each session's intensity), vigorous minutes are not counted double, and no minimum bout length
    applies (PAG 2018: "all amounts count").
    """
    _check_window(window)
    for name, monday in (
        ("first_week_monday", first_week_monday),
        ("last_week_monday", last_week_monday),
    ):
        if monday.weekday() != 0:
            raise ValueError(f"{name} must be a Monday, got {monday:%A} {monday}")
    if last_week_monday < first_week_monday:
        return []

    # Started instants in UTC, validated once and reused for both the coverage and the bucketing.
    started = [(_utc(w.started_at, "Workout.started_at"), w) for w in workouts]
    mondays = [
        first_week_monday + timedelta(weeks=k)
        for k in range((last_week_monday - first_week_monday).days // 7 + 1)
    ]
    bounds = [_local_midnight(m, tz) for m in mondays]
    bounds.append(_local_midnight(last_week_monday + timedelta(weeks=1), tz))
    lo, hi = bounds[0], bounds[-1]
    # Only workouts whose window overlaps the weeks matter. One that started over a day before
    # `lo - window` and lasted at most a day has worn off: a cheap test that skips most history.
    long_ago = lo - window - _DAY
    reaching = (
        w for at, w in started if at < hi and (at >= long_ago or w.duration_min > _DAY_MINUTES)
    )
    shares = _covered_fractions(_merge(_workout_spans(reaching, window)), bounds)

    by_week: defaultdict[date, list[tuple[date, Workout]]] = defaultdict(list)
    for at, workout in started:
        if lo <= at < hi:
            day = at.astimezone(tz).date()
            by_week[day - timedelta(days=day.weekday())].append((day, workout))

    out: list[WeekSummary] = []
    for k, monday in enumerate(mondays):
        week = by_week.get(monday, [])
        minutes = dict.fromkeys(WorkoutKind, 0.0)
        load = 0.0
        without_rpe = 0
        strength_days: set[date] = set()
        for day, workout in week:
            minutes[workout.kind] += workout.duration_min
            session_load = workout.load
            if session_load is None:
                without_rpe += 1
            else:
                load += session_load
            if workout.kind in _STRENGTH_KINDS:
                strength_days.add(day)
        total = sum(minutes.values())
        out.append(
            WeekSummary(
                week_start=monday,
                minutes_by_kind=MappingProxyType(minutes),
                total_minutes=total,
                sessions=len(week),
                resistance_days=len(strength_days),
                coverage_share=shares[k],
                load=load,
                sessions_without_rpe=without_rpe,
                meets_aerobic_guideline=total >= GUIDELINE_WEEKLY_MINUTES,
                meets_strength_guideline=len(strength_days) >= GUIDELINE_STRENGTH_DAYS,
            )
        )
    return out
