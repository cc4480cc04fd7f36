"""The Overview page's data: latest markers with their bands, training coverage, walks this week."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Final

from sqlalchemy.orm import Session as DbSession

from journal.domain.analytes import UnitMismatchError, get_analyte
from journal.domain.coverage import (
    CoverageReport,
    DayCoverage,
    Session,
    coverage_report,
    daily_coverage,
)
from journal.domain.entities import Fasting, LabDraw, LabResult, Meal, Sex, WorkoutKind
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.domain.thresholds import Level, classify
from journal.domain.units import (
    TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS,
    format_value,
    with_unit,
)
from journal.domain.walks import MealAdherence, adherence
from journal.services.base import Service
from journal.services.walks import MAX_DELAY_MIN
from journal.storage import repositories as repo
from journal.storage.models import LabDrawRow, LabResultRow, PostMealWalkRow, WorkoutRow

COVERAGE_DAYS: Final = 14

GLUCOSE: Final = "glucose"
INSULIN: Final = "insulin"
HBA1C: Final = "hba1c"
HOMA_IR: Final = IndexKey.HOMA_IR.value
TG_HDL: Final = IndexKey.TG_HDL.value

# The order of the cards on the page.
MARKER_KEYS: Final = (GLUCOSE, INSULIN, HBA1C, HOMA_IR, TG_HDL)
MARKER_NAMES: Final = {
    GLUCOSE: "Fasting glucose",
    INSULIN: "Fasting insulin",
    HBA1C: "HbA1c",
    HOMA_IR: "HOMA-IR",
    TG_HDL: "TG:HDL ratio",
}
_FASTING_ONLY: Final = frozenset({GLUCOSE, INSULIN})
_LAB_KEYS: Final = (GLUCOSE, INSULIN, HBA1C)
_INDEX_INPUTS: Final = {
    IndexKey.HOMA_IR: frozenset({GLUCOSE, INSULIN}),
    IndexKey.TG_HDL: frozenset({"triglycerides", "hdl"}),
}
_RELEVANT: Final = sorted({*_LAB_KEYS, "triglycerides", "hdl"})
_DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class MarkerBand:
    """The guideline band a value falls in, flattened from journal.domain.thresholds."""

    label: str
    level: Level
    guideline: str
    source: str
    phrase: str
    range_text: str
    note: str | None
    # True when the value had to be converted into a unit the guideline publishes.
    converted: bool


@dataclass(frozen=True, slots=True)
class PreviousValue:
    """The result before the latest one, and the change from it in the latest one's unit.

    `delta` is the difference of the two values as displayed, so "5.0 then 5.0" never shows a
    change of 0.0044. When the units differ, `value_in_latest_unit` is the converted value and
    `note` says so.
    """

    at: datetime
    value: float
    unit: str
    text: str
    value_in_latest_unit: float
    text_in_latest_unit: str
    delta: float
    delta_text: str
    direction: int
    converted: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class UnclassifiedResult:
    """A result newer than the one shown, left out of the bands because it was not fasting."""

    at: datetime
    value: float
    unit: str
    text: str
    fasting: Fasting


@dataclass(frozen=True, slots=True)
class MarkerSummary:
    """One card: the latest value (or why there is none), its band and its change."""

    key: str
    name: str
    calculated: bool
    value: float | None = None
    unit: str = ""
    text: str | None = None
    at: datetime | None = None
    draw_id: int | None = None
    band: MarkerBand | None = None
    previous: PreviousValue | None = None
    lab_range: str | None = None
    notes: tuple[str, ...] = ()
    newer_unclassified: UnclassifiedResult | None = None
    # Why the newest draw holding the inputs could not give an index, when none could.
    reason: str | None = None

    @property
    def present(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class TrainingOverview:
    """Coverage of the last 14 days, with one entry per local day for the strip."""

    coverage: CoverageReport
    days: tuple[DayCoverage, ...]
    window: timedelta
    last_session_start: datetime | None


@dataclass(frozen=True, slots=True)
class WalksOverview:
    """Walks after meals from Monday to today, per meal in breakfast-to-snack order."""

    first_day: date
    last_day: date
    days: int
    target_delay_min: int
    by_meal: tuple[MealAdherence, ...]
    walks: int
    last_walk_at: datetime | None

    def meal(self, meal: Meal) -> MealAdherence:
        return next(m for m in self.by_meal if m.meal is meal)


@dataclass(frozen=True, slots=True)
class OverviewData:
    """Everything the Overview page shows; None parts mean nothing of that kind is recorded."""

    now: datetime
    draws: int
    markers: tuple[MarkerSummary, ...]
    training: TrainingOverview | None
    walks: WalksOverview | None

    def marker(self, key: str) -> MarkerSummary:
        return next(m for m in self.markers if m.key == key)

    @property
    def empty(self) -> bool:
        return self.draws == 0 and self.training is None and self.walks is None


@dataclass(frozen=True, slots=True)
class _Found:
    """One value of a marker as found in a draw, before it is summarised."""

    draw: LabDraw
    value: float
    unit: str
    text: str
    result: LabResult | None = None
    index: IndexResult | None = None


class OverviewService(Service):
    def overview(
        self,
        *,
        now: datetime | None = None,
        tz: tzinfo,
        window: timedelta,
        target_delay_min: int,
        sex: Sex | None,
    ) -> OverviewData:
        at = (now if now is not None else self._clock()).astimezone(UTC)
        with self._read() as session:
            draws_total = repo.count(session, repo.visible_draws())
            draws = _relevant_draws(session)
            training = _training(session, at, tz, window)
            walks = _walks(session, at, tz, target_delay_min)
        return OverviewData(
            now=at,
            draws=draws_total,
            markers=_markers(draws, sex),
            training=training,
            walks=walks,
        )


# --- markers -------------------------------------------------------------------------------


def _relevant_draws(session: DbSession) -> list[LabDraw]:
    """Draws holding any input of the five cards, newest first (results load in one query)."""
    stmt = (
        repo.visible_draws()
        .where(LabDrawRow.results.any(LabResultRow.analyte.in_(_RELEVANT)))
        .order_by(LabDrawRow.drawn_at.desc(), LabDrawRow.id.desc())
    )
    return [repo.draw_from_row(row) for row in session.scalars(stmt)]


def _markers(draws: Sequence[LabDraw], sex: Sex | None) -> tuple[MarkerSummary, ...]:
    found: dict[str, list[_Found]] = {key: [] for key in MARKER_KEYS}
    newest_any: dict[str, _Found] = {}
    index_reason: dict[str, str] = {}
    for draw in draws:
        for key in _LAB_KEYS:
            result = draw.result(key)
            if result is None:
                continue
            text = _lab_text(result.value, result.unit)
            item = _Found(draw, result.value, result.unit, text, result=result)
            newest_any.setdefault(key, item)
            if key in _FASTING_ONLY and draw.fasting is not Fasting.YES:
                continue
            if len(found[key]) < 2:
                found[key].append(item)
        wanted = [
            k
            for k, inputs in _INDEX_INPUTS.items()
            if len(found[k.value]) < 2 and any(draw.result(a) is not None for a in inputs)
        ]
        if not wanted:
            continue
        computed = compute_indices(draw)
        for k in wanted:
            index = computed[k]
            if index.computable and index.value is not None:
                found[k.value].append(
                    _Found(draw, index.value, index.unit, index.display_value, index=index)
                )
            elif index.reason is not None:
                index_reason.setdefault(k.value, index.reason)
    return tuple(
        _summary(key, found[key], newest_any.get(key), index_reason.get(key), sex)
        for key in MARKER_KEYS
    )


def _summary(
    key: str,
    found: Sequence[_Found],
    newest_any: _Found | None,
    reason: str | None,
    sex: Sex | None,
) -> MarkerSummary:
    calculated = key in (HOMA_IR, TG_HDL)
    base = MarkerSummary(key=key, name=MARKER_NAMES[key], calculated=calculated)
    newer = _newer_unclassified(key, found, newest_any)
    if not found:
        return replace(base, newer_unclassified=newer, reason=reason)
    latest = found[0]
    notes: tuple[str, ...] = ()
    if latest.index is not None:
        notes = latest.index.notes
    band = _band(key, latest, sex)
    if band is not None and band.note:
        notes = (*notes, band.note)
    return replace(
        base,
        value=latest.value,
        unit=latest.unit,
        text=latest.text,
        at=latest.draw.drawn_at,
        draw_id=latest.draw.id,
        band=band,
        previous=_previous(key, latest, found[1]) if len(found) > 1 else None,
        lab_range=_lab_range(latest.result),
        notes=tuple(dict.fromkeys(notes)),
        newer_unclassified=newer,
    )


def _newer_unclassified(
    key: str, found: Sequence[_Found], newest_any: _Found | None
) -> UnclassifiedResult | None:
    if key not in _FASTING_ONLY or newest_any is None:
        return None
    if found and newest_any.draw.drawn_at <= found[0].draw.drawn_at:
        return None
    return UnclassifiedResult(
        at=newest_any.draw.drawn_at,
        value=newest_any.value,
        unit=newest_any.unit,
        text=_unit_text(newest_any.text, newest_any.unit),
        fasting=newest_any.draw.fasting,
    )


def _band(key: str, item: _Found, sex: Sex | None) -> MarkerBand | None:
    fasting = Fasting.YES if key in _FASTING_ONLY else item.draw.fasting
    try:
        found = classify(key, item.value, item.unit, sex=sex, fasting=fasting)
    except UnitMismatchError:
        return None
    if found is None:
        return None
    return MarkerBand(
        label=found.band.label,
        level=found.level,
        guideline=found.guideline.name,
        source=found.guideline.source,
        phrase=found.phrase,
        range_text=_unit_text(found.band.range_text, found.compared_unit),
        note=found.guideline.note,
        converted=found.converted,
    )


def _previous(key: str, latest: _Found, before: _Found) -> PreviousValue | None:
    converted = before.unit != latest.unit
    if not converted:
        value = before.value
    elif key == TG_HDL:
        # The two bases differ by a fixed factor (clinical.md §2.5).
        factor = TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS
        value = before.value / factor if _is_si_ratio(latest.unit) else before.value * factor
    else:
        try:
            value = get_analyte(key).convert(before.value, before.unit, latest.unit)
        except UnitMismatchError:
            return None
    if key in (HOMA_IR, TG_HDL):
        assert latest.index is not None
        text_in_latest = replace(latest.index, value=value).display_value
    else:
        text_in_latest = _lab_text(value, latest.unit)
    try:
        delta = Decimal(latest.text) - Decimal(text_in_latest)
    except InvalidOperation:  # a non-finite value shows as a dash; there is no change to give
        return None
    note = None
    if converted and key == TG_HDL:
        note = (
            f"The earlier ratio, {before.text} on the {_basis(before.unit)}, was converted to "
            f"{text_in_latest} on the {_basis(latest.unit)} so the two can be compared."
        )
    elif converted:
        shown_before = with_unit(before.text, before.unit)
        shown_after = with_unit(text_in_latest, latest.unit)
        note = (
            f"The earlier result, {shown_before}, was converted to {shown_after} "
            "so the two can be compared."
        )
    return PreviousValue(
        at=before.draw.drawn_at,
        value=before.value,
        unit=before.unit,
        text=(
            f"{before.text} on the {_basis(before.unit)}"
            if key == TG_HDL
            else with_unit(before.text, before.unit)
        ),
        value_in_latest_unit=value,
        text_in_latest_unit=text_in_latest,
        delta=float(delta),
        delta_text=f"{abs(delta):f}",
        direction=(delta > 0) - (delta < 0),
        converted=converted,
        note=note,
    )


def _basis(unit: str) -> str:
    return "mmol/L basis" if _is_si_ratio(unit) else "mg/dL basis"


def _is_si_ratio(unit: str) -> bool:
    return "mmol/L" in unit


def _lab_text(value: float, unit: str) -> str:
    return format_value(value, unit)


def _unit_text(number: str, unit: str) -> str:
    """A number with its unit; a TG:HDL basis reads "2.47 (mg/dL basis)"."""
    if unit.startswith("ratio ("):
        return f"{number} {unit.removeprefix('ratio ')}"
    return with_unit(number, unit)


def _lab_range(result: LabResult | None) -> str | None:
    if result is None:
        return None
    if result.ref_text:
        text = result.ref_text.strip()
        # Many labs print the bare numbers ("3.6-5.5"); the unit is the result's own.
        return text if any(c.isalpha() for c in text) else _unit_text(text, result.unit)
    low, high = result.ref_low, result.ref_high
    if low is not None and high is not None:
        return _unit_text(
            f"{format_value(low, result.unit)}–{format_value(high, result.unit)}", result.unit
        )
    if high is not None:
        return _unit_text(f"under {format_value(high, result.unit)}", result.unit)
    if low is not None:
        return _unit_text(f"over {format_value(low, result.unit)}", result.unit)
    return None


# --- training ------------------------------------------------------------------------------


def _sessions(session: DbSession, start: datetime | None, end: datetime) -> list[Session]:
    # Three columns rather than whole rows: the lookback may reach far for a long streak.
    stmt = (
        repo.visible_workouts()
        .with_only_columns(WorkoutRow.started_at, WorkoutRow.duration_min, WorkoutRow.kind)
        .where(WorkoutRow.started_at <= end)
        .order_by(WorkoutRow.started_at)
    )
    if start is not None:
        stmt = stmt.where(WorkoutRow.started_at >= start)
    return [_session(s, d, k) for s, d, k in session.execute(stmt)]


def _last_before(session: DbSession, before: datetime) -> Session | None:
    stmt = (
        repo.visible_workouts()
        .with_only_columns(WorkoutRow.started_at, WorkoutRow.duration_min, WorkoutRow.kind)
        .where(WorkoutRow.started_at < before)
        .order_by(WorkoutRow.started_at.desc())
        .limit(1)
    )
    row = session.execute(stmt).first()
    return None if row is None else _session(row[0], row[1], row[2])


def _session(started: datetime, minutes: float, kind: str) -> Session:
    return Session(started, started + timedelta(minutes=minutes), WorkoutKind(kind))


def _training(
    session: DbSession, now: datetime, tz: tzinfo, window: timedelta
) -> TrainingOverview | None:
    period_start = now - timedelta(days=COVERAGE_DAYS)
    # A session lasts at most a day, so anything older than this cannot reach the period.
    lookback = period_start - window - _DAY
    while True:
        recent = _sessions(session, lookback, now)
        earlier = _last_before(session, lookback)
        sessions = recent if earlier is None else [earlier, *recent]
        if not sessions:
            return None
        report = coverage_report(sessions, period_start, now, window=window, now=now)
        streak = report.streak
        # A streak that reaches the oldest session loaded may run further back: look further.
        if earlier is None or not streak.active or streak.start != earlier.start:
            break
        lookback = now - 2 * (now - lookback)
    today = now.astimezone(tz).date()
    days = daily_coverage(
        sessions, today - timedelta(days=COVERAGE_DAYS - 1), today, tz, window=window
    )
    return TrainingOverview(
        coverage=report,
        days=tuple(days),
        window=window,
        last_session_start=max((s.start for s in sessions), default=None),
    )


# --- walks ---------------------------------------------------------------------------------


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _walks(
    session: DbSession, now: datetime, tz: tzinfo, target_delay_min: int
) -> WalksOverview | None:
    last = session.scalars(
        repo.visible_walks()
        .with_only_columns(PostMealWalkRow.started_at)
        .where(PostMealWalkRow.started_at <= now)
        .order_by(PostMealWalkRow.started_at.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    # A meal that ended today may be followed by a walk up to MAX_DELAY_MIN later.
    walks = repo.list_walks(
        session,
        _local_midnight(monday, tz),
        _local_midnight(today + _DAY, tz) + timedelta(minutes=MAX_DELAY_MIN),
    )
    walks = [w for w in walks if w.meal_ended_at <= now]
    by_meal = adherence(walks, monday, today, tz, target_delay_min=target_delay_min)
    return WalksOverview(
        first_day=monday,
        last_day=today,
        days=(today - monday).days + 1,
        target_delay_min=target_delay_min,
        by_meal=tuple(by_meal[m] for m in Meal),
        walks=sum(m.walks for m in by_meal.values()),
        last_walk_at=last,
    )
