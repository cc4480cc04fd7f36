"""What the visit summary says, gathered from the journal as plain values (no Qt, no layout)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from journal.domain.analytes import CATALOGUE, USUAL_PANEL, is_listed
from journal.domain.coverage import (
    DEFAULT_WINDOW,
    WeekSummary,
    coverage_report,
    sessions_from_workouts,
    weekly_summary,
)
from journal.domain.entities import (
    Fasting,
    LabDraw,
    LabResult,
    Meal,
    PostMealWalk,
    Question,
    Sex,
    Workout,
    WorkoutKind,
)
from journal.domain.glucose_metrics import GlucoseMetrics, metrics
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.domain.units import UnitSystem, format_value, with_unit
from journal.domain.walks import DEFAULT_TARGET_DELAY_MIN, MIN_WALK_MIN, adherence
from journal.services.journal import JournalServices

__all__ = [
    "Section",
    "SummaryData",
    "SummaryOptions",
    "build_summary",
    "default_period",
]


class Section(StrEnum):
    LABS = "labs"
    INDICES = "indices"
    TRENDS = "trends"
    TRAINING = "training"
    WALKS = "walks"
    GLUCOSE = "glucose"
    QUESTIONS = "questions"


SECTION_TITLES: Final[dict[Section, str]] = {
    Section.LABS: "Latest lab results",
    Section.INDICES: "Calculated indices (not lab results)",
    Section.TRENDS: "Trends",
    Section.TRAINING: "Training",
    Section.WALKS: "Walks after meals",
    Section.GLUCOSE: "Sensor glucose",
    Section.QUESTIONS: "Questions for my physician",
}

# Markers drawn in the trend section, in this order, when the journal has them.
TREND_KEYS: Final = ("glucose", "hba1c", IndexKey.HOMA_IR.value, IndexKey.TG_HDL.value)
_INDEX_ORDER: Final = (
    IndexKey.HOMA_IR,
    IndexKey.TG_HDL,
    IndexKey.TYG,
    IndexKey.HOMA_B,
    IndexKey.QUICKI,
    IndexKey.METS_IR,
)
_KIND_COLUMNS: Final = (
    ("Aerobic", (WorkoutKind.AEROBIC,)),
    ("Strength", (WorkoutKind.RESISTANCE,)),
    ("HIIT", (WorkoutKind.HIIT,)),
    ("Other", (WorkoutKind.COMBINED, WorkoutKind.OTHER)),
)
MONTHS: Final = "month"
QUARTERS: Final = "quarter"
MONTHLY_UP_TO_WEEKS: Final = 27  # about six months; a longer period has a row per quarter
AEROBIC_GUIDE_MIN: Final = 150  # minutes a week (clinical.md §4)
STRENGTH_GUIDE_DAYS: Final = 2  # resistance days a week


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """What to print: the period (local dates, both inclusive), sections and the header."""

    start: date
    end: date
    sections: frozenset[Section] = frozenset(Section)
    name: str = ""
    date_of_birth: str = ""
    sex: Sex | None = None
    coverage_window: timedelta = DEFAULT_WINDOW
    walk_target_delay_min: float = DEFAULT_TARGET_DELAY_MIN
    page_size: str = "A4"  # "A4" or "Letter"
    unit_system: UnitSystem = UnitSystem.CONVENTIONAL


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, ending today."""
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return start, today


@dataclass(frozen=True, slots=True)
class LabRow:
    drawn: datetime
    name: str
    value: str  # as reported, with unit
    other: str  # in the other unit system, or "—"
    reference: str
    flag: str
    fasting: str
    lab: str


@dataclass(frozen=True, slots=True)
class IndexRow:
    name: str
    value: str
    drawn: datetime | None
    inputs: str
    formula: str
    source: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrainingRow:
    label: str  # "Mar 2026", or "Jan–Mar 2026" for a quarter
    weeks: int
    sessions: int
    minutes_per_week: tuple[float, ...]  # per _KIND_COLUMNS
    total_per_week: float
    weeks_aerobic_met: int
    weeks_strength_met: int
    coverage_pct: float


@dataclass(frozen=True, slots=True)
class TrainingSummary:
    kind_columns: tuple[str, ...]
    span: str  # MONTHS or QUARTERS: what each row covers
    rows: tuple[TrainingRow, ...]
    sessions: int
    minutes_per_week: float
    coverage_pct: float
    longest_gap_days: float
    longest_gap_from: datetime | None
    longest_gap_to: datetime | None
    weeks: int
    weeks_aerobic_met: int
    weeks_strength_met: int
    window_hours: float


@dataclass(frozen=True, slots=True)
class WalkRow:
    meal: str
    days_with_walk: int
    days: int
    share_pct: float
    on_target_pct: float
    median_delay: str
    median_length: str
    walks: int


@dataclass(frozen=True, slots=True)
class WalkSummary:
    rows: tuple[WalkRow, ...]
    walks: int
    target_delay_min: float
    min_length_min: float


@dataclass(frozen=True, slots=True)
class SummaryData:
    """Everything the document prints, already worded and formatted, in section order."""

    options: SummaryOptions
    generated_at: datetime
    tz: tzinfo
    draws_in_period: int
    labs: tuple[LabRow, ...]
    indices: tuple[IndexRow, ...]
    trend_keys: tuple[str, ...]
    draws_for_trends: tuple[LabDraw, ...]
    training: TrainingSummary | None
    walks: WalkSummary | None
    glucose: GlucoseMetrics | None
    questions: tuple[Question, ...]
    workouts: tuple[Workout, ...] = field(default=())
    walk_entries: tuple[PostMealWalk, ...] = field(default=())

    def has(self, section: Section) -> bool:
        return section in self.options.sections


def _bounds(options: SummaryOptions, tz: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(options.start, time(), tz).astimezone(UTC)
    end = datetime.combine(options.end + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def _other_unit(result: LabResult) -> str:
    analyte = CATALOGUE.get(result.analyte)
    if analyte is None:
        return "—"
    try:
        unit = analyte.canonical_unit(result.unit)
    except ValueError:
        return "—"
    target = analyte.si_unit if unit == analyte.conventional_unit else analyte.conventional_unit
    if target == unit:
        return "—"
    try:
        converted = analyte.convert(result.value, unit, target)
    except (ValueError, KeyError):
        return "—"
    return with_unit(format_value(converted, target), target)


def _reference(result: LabResult) -> str:
    if result.ref_text:
        return result.ref_text
    low, high = result.ref_low, result.ref_high
    if low is not None and high is not None:
        return f"{format_value(low, result.unit)}–{format_value(high, result.unit)}"
    if low is not None:
        return f"≥ {format_value(low, result.unit)}"
    if high is not None:
        return f"≤ {format_value(high, result.unit)}"
    return "not given"


_FASTING_WORDS: Final = {Fasting.YES: "fasting", Fasting.NO: "not fasting", Fasting.UNKNOWN: "?"}


def _lab_rows(draws: Sequence[LabDraw]) -> tuple[LabRow, ...]:
    """The newest result of every analyte in the period: usual panel first, then A–Z."""
    latest: dict[str, tuple[LabDraw, LabResult]] = {}
    for draw in sorted(draws, key=lambda d: d.drawn_at):
        for result in draw.results:
            key = result.analyte if is_listed(result.analyte) else f"?{result.reported_name}"
            latest[key] = (draw, result)

    def order(key: str) -> tuple[int, str]:
        if key in USUAL_PANEL:
            return (USUAL_PANEL.index(key), "")
        return (len(USUAL_PANEL), _name(latest[key][1]).lower())

    rows = []
    for key in sorted(latest, key=order):
        draw, result = latest[key]
        rows.append(
            LabRow(
                drawn=draw.drawn_at,
                name=_name(result),
                value=with_unit(format_value(result.value, result.unit), result.unit),
                other=_other_unit(result),
                reference=_reference(result),
                flag=result.flag or "",
                fasting=_FASTING_WORDS[draw.fasting],
                lab=draw.lab_name or "",
            )
        )
    return tuple(rows)


def _name(result: LabResult) -> str:
    analyte = CATALOGUE.get(result.analyte)
    if analyte is not None:
        return analyte.name
    return result.reported_name or result.loinc or "Unlisted test"


def _inputs_text(result: IndexResult) -> str:
    parts = []
    for item in result.inputs:
        analyte = CATALOGUE.get(item.analyte)
        name = analyte.short_name if analyte is not None else item.analyte
        text = f"{name} {with_unit(format_value(item.value, item.unit), item.unit)}"
        if item.converted and item.original_value is not None and item.original_unit:
            original = with_unit(
                format_value(item.original_value, item.original_unit), item.original_unit
            )
            text += f" (reported as {original})"
        parts.append(text)
    return "; ".join(parts)


def _index_rows(draws: Sequence[LabDraw]) -> tuple[IndexRow, ...]:
    """The latest computable value of each index in the period, or why none could be had."""
    newest: dict[IndexKey, tuple[LabDraw, IndexResult]] = {}
    last_reason: dict[IndexKey, tuple[LabDraw, IndexResult]] = {}
    for draw in sorted(draws, key=lambda d: d.drawn_at):
        for key, result in compute_indices(draw).items():
            if result.computable:
                newest[key] = (draw, result)
            elif result.inputs:
                last_reason[key] = (draw, result)
    rows = []
    for key in _INDEX_ORDER:
        if key in newest:
            draw, result = newest[key]
            # The index's longer explanations stay on screen; paper keeps formula and inputs.
            notes: tuple[str, ...] = ()
            rows.append(
                IndexRow(
                    name=result.name,
                    value=result.display_text,
                    drawn=draw.drawn_at,
                    inputs=_inputs_text(result),
                    formula=result.formula,
                    source=result.source,
                    notes=notes,
                )
            )
        elif key in last_reason:
            draw, result = last_reason[key]
            rows.append(
                IndexRow(
                    name=result.name,
                    value="not computed",
                    drawn=draw.drawn_at,
                    inputs=_inputs_text(result),
                    formula=result.formula,
                    source=result.source,
                    notes=(result.reason or "",),
                )
            )
    return tuple(rows)


def _trend_keys(draws: Sequence[LabDraw]) -> tuple[str, ...]:
    present = {r.analyte for d in draws for r in d.results}
    keys = []
    for key in TREND_KEYS:
        if key == IndexKey.HOMA_IR.value:
            if {"glucose", "insulin"} <= present:
                keys.append(key)
        elif key == IndexKey.TG_HDL.value:
            if {"triglycerides", "hdl"} <= present:
                keys.append(key)
        elif key in present:
            keys.append(key)
    return tuple(keys)


def _span_label(year: int, month: int, span: str) -> str:
    """ "Mar 2026" for a month; "Jan–Mar 2026" for the quarter starting in `month`."""
    first = date(year, month, 1)
    if span == MONTHS:
        return first.strftime("%b %Y")
    return f"{first:%b}–{date(year, month + 2, 1):%b} {year}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _training(
    workouts: Sequence[Workout], options: SummaryOptions, tz: tzinfo, now: datetime
) -> TrainingSummary:
    start, end = _bounds(options, tz)
    first, last = _monday(options.start), _monday(options.end)
    weeks = weekly_summary(workouts, first, last, tz, window=options.coverage_window)
    # A long period reads better by quarter than in a dozen monthly rows.
    span = MONTHS if len(weeks) <= MONTHLY_UP_TO_WEEKS else QUARTERS
    by_month: defaultdict[tuple[int, int], list[WeekSummary]] = defaultdict(list)
    for week in weeks:
        # A week belongs to the month its Thursday falls in, as ISO weeks belong to years.
        thursday = week.week_start + timedelta(days=3)
        month = thursday.month if span == MONTHS else 3 * ((thursday.month - 1) // 3) + 1
        by_month[(thursday.year, month)].append(week)
    rows = []
    for (year, month), group in sorted(by_month.items()):
        n = len(group)
        per_kind = tuple(
            sum(sum(w.minutes_by_kind.get(k, 0.0) for k in kinds) for w in group) / n
            for _, kinds in _KIND_COLUMNS
        )
        rows.append(
            TrainingRow(
                label=_span_label(year, month, span),
                weeks=n,
                sessions=sum(w.sessions for w in group),
                minutes_per_week=per_kind,
                total_per_week=sum(w.total_minutes for w in group) / n,
                weeks_aerobic_met=sum(w.meets_aerobic_guideline for w in group),
                weeks_strength_met=sum(w.meets_strength_guideline for w in group),
                coverage_pct=sum(w.coverage_share for w in group) / n * 100,
            )
        )
    report = coverage_report(
        sessions_from_workouts(workouts),
        start,
        min(end, max(now, start + timedelta(hours=1))),
        window=options.coverage_window,
        now=now,
    )
    in_period = [w for w in workouts if start <= w.started_at < end]
    total_minutes = sum(w.duration_min for w in in_period)
    n_weeks = max(1, len(weeks))
    return TrainingSummary(
        kind_columns=tuple(name for name, _ in _KIND_COLUMNS),
        span=span,
        rows=tuple(rows),
        sessions=len(in_period),
        minutes_per_week=total_minutes / n_weeks,
        coverage_pct=report.share * 100,
        longest_gap_days=report.longest_gap.total_seconds() / 86_400,
        longest_gap_from=report.longest_gap_start,
        longest_gap_to=report.longest_gap_end,
        weeks=len(weeks),
        weeks_aerobic_met=sum(w.meets_aerobic_guideline for w in weeks),
        weeks_strength_met=sum(w.meets_strength_guideline for w in weeks),
        window_hours=options.coverage_window.total_seconds() / 3600,
    )


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} min"


def _walks(walks: Sequence[PostMealWalk], options: SummaryOptions, tz: tzinfo) -> WalkSummary:
    per_meal = adherence(
        walks, options.start, options.end, tz, target_delay_min=options.walk_target_delay_min
    )
    rows = []
    for meal in Meal:
        item = per_meal[meal]
        if meal is Meal.SNACK and item.walks == 0:
            continue
        rows.append(
            WalkRow(
                meal=meal.value.capitalize(),
                days_with_walk=item.days_with_walk,
                days=item.days,
                share_pct=item.share_with_walk * 100,
                on_target_pct=item.share_on_target * 100,
                median_delay=_minutes(item.median_delay_min),
                median_length=_minutes(item.median_duration_min),
                walks=item.walks,
            )
        )
    return WalkSummary(
        rows=tuple(rows),
        walks=sum(per_meal[m].walks for m in Meal),
        target_delay_min=options.walk_target_delay_min,
        min_length_min=MIN_WALK_MIN,
    )


def build_summary(
    services: JournalServices,
    options: SummaryOptions,
    *,
    tz: tzinfo,
    now: datetime | None = None,
) -> SummaryData:
    """Read the journal for `options` and word every section. Safe on any thread."""
    now = now or services.clock()
    if options.end < options.start:
        raise ValueError("The period ends before it starts.")
    start, end = _bounds(options, tz)
    sections = options.sections
    all_draws = services.labs.list_draws(None, end) if sections else []
    draws = [d for d in all_draws if start <= d.drawn_at < end]
    workouts: list[Workout] = []
    if Section.TRAINING in sections:
        window = options.coverage_window
        workouts = services.training.list_workouts(start - window - timedelta(days=2), end)
    glucose = None
    if Section.GLUCOSE in sections:
        glucose = metrics(services.glucose.period_counts(start, end), (end - start).days)
    walks: list[PostMealWalk] = []
    if Section.WALKS in sections:
        walks = services.walks.list_walks(start - timedelta(days=1), end + timedelta(days=1))
    questions: tuple[Question, ...] = ()
    if Section.QUESTIONS in sections:
        questions = tuple(q for q in services.questions.list_questions() if q.include)
    return SummaryData(
        options=options,
        generated_at=now,
        tz=tz,
        draws_in_period=len(draws),
        labs=_lab_rows(draws) if Section.LABS in sections else (),
        indices=_index_rows(draws) if Section.INDICES in sections else (),
        trend_keys=_trend_keys(all_draws) if Section.TRENDS in sections else (),
        draws_for_trends=tuple(all_draws) if Section.TRENDS in sections else (),
        training=_training(workouts, options, tz, now) if Section.TRAINING in sections else None,
        walks=_walks(walks, options, tz) if Section.WALKS in sections else None,
        glucose=glucose,
        questions=questions,
        workouts=tuple(workouts),
        walk_entries=tuple(walks),
    )
