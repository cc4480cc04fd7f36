"""Rules that draft questions for the physician from the journal's lab draws and workouts.

Each rule reads the journal and either stays silent or drafts one question with a stable rule
id, a question the person can ask in their own visit, and a `basis` that cites the exact results
(dates, values, units) that set it off. Questions are never diagnostic: they ask what the
physician makes of something, or whether a test would be useful.

Thresholds come from journal.domain.thresholds and are compared in the unit the guideline
publishes (clinical.md §2.5, §3.1, §3.4). A journal without any lab draw drafts nothing, not
even the fasting-insulin question: with no results there is nothing to discuss yet, and the
person has not started keeping labs here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import pairwise
from typing import Final

from journal.domain.analytes import UnitMismatchError, get_analyte
from journal.domain.coverage import coverage_report, sessions_from_workouts
from journal.domain.entities import Fasting, LabDraw, LabResult, Workout
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.domain.thresholds import (
    TG_HDL_UNIT_MMOLL,
    Classification,
    Level,
    classify,
    guidelines_for,
)
from journal.domain.units import (
    MMOL_MOL,
    PERCENT,
    RATIO,
    TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS,
    Quantity,
    format_value,
)

RULE_NO_FASTING_INSULIN: Final = "rule:no-fasting-insulin"
RULE_NORMAL_GLUCOSE_HIGH_MARKER: Final = "rule:normal-glucose-high-marker"
RULE_RISING_HOMA_IR: Final = "rule:rising-homa-ir"
RULE_RISING_TG_HDL: Final = "rule:rising-tg-hdl"
RULE_PREDIABETES_RANGE: Final = "rule:prediabetes-range"
RULE_HBA1C_CHANGE: Final = "rule:hba1c-change"
RULE_NO_RECENT_LIPIDS: Final = "rule:no-recent-lipid-panel"
RULE_LOW_TRAINING_COVERAGE: Final = "rule:low-training-coverage"
RULE_INDEX_NOT_COMPUTABLE: Final = "rule:index-not-computable"

RULE_IDS: Final = (
    RULE_NO_FASTING_INSULIN,
    RULE_NORMAL_GLUCOSE_HIGH_MARKER,
    RULE_RISING_HOMA_IR,
    RULE_RISING_TG_HDL,
    RULE_PREDIABETES_RANGE,
    RULE_HBA1C_CHANGE,
    RULE_NO_RECENT_LIPIDS,
    RULE_LOW_TRAINING_COVERAGE,
    RULE_INDEX_NOT_COMPUTABLE,
)

# HbA1c moves slowly; a change this large between two results is worth asking about (in
# percentage points on the NGSP % scale).
HBA1C_CHANGE_POINTS: Final = 0.3
# Float subtraction turns 6.0 − 5.7 into 0.2999…; a change that reads 0.3 counts as 0.3.
_EPSILON: Final = 1e-9
LIPID_LOOKBACK_MONTHS: Final = 12
COVERAGE_LOOKBACK: Final = timedelta(weeks=8)
COVERAGE_SHARE_FLOOR: Final = 0.5
RISING_DRAWS: Final = 3
# Cited results beyond this are summarised as "and N earlier", so a long history stays readable.
_MAX_CITED: Final = 6

# The band whose lower edge is the "guide value" for each index: for TG:HDL the published
# cut-point (3.0 on the mg/dL basis, 1.3 on the mmol/L basis); for HOMA-IR the guide band where
# insulin resistance begins (1.9), the low end of the published cut-offs (clinical.md §3.4).
_GUIDE_BAND: Final = {IndexKey.HOMA_IR: "early insulin resistance", IndexKey.TG_HDL: "high"}
_SHORT: Final = {IndexKey.HOMA_IR: "HOMA-IR", IndexKey.TG_HDL: "TG:HDL"}
_IN_TEXT: Final = {IndexKey.HOMA_IR: "HOMA-IR", IndexKey.TG_HDL: "TG:HDL ratio"}

# What each index needs on the draw; rule (h) only speaks up when all of these are present.
_NEEDS: Final[dict[IndexKey, tuple[str, ...]]] = {
    IndexKey.HOMA_IR: ("glucose", "insulin"),
    IndexKey.HOMA_B: ("glucose", "insulin"),
    IndexKey.QUICKI: ("glucose", "insulin"),
    IndexKey.TG_HDL: ("triglycerides", "hdl"),
    IndexKey.TYG: ("triglycerides", "glucose"),
    IndexKey.METS_IR: ("glucose", "triglycerides", "hdl"),
}
_INPUT_NAMES: Final = {
    "glucose": "glucose",
    "insulin": "insulin",
    "triglycerides": "triglycerides",
    "hdl": "HDL cholesterol",
}
# Fixed English month names: strftime("%b") follows the machine's locale.
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


@dataclass(frozen=True, slots=True)
class DraftQuestion:
    """A question a rule drafted, with the id of the rule and the data that triggered it."""

    rule: str
    text: str
    basis: str


@dataclass(frozen=True, slots=True)
class _Journal:
    """What the rules read, sorted and with each draw's indices computed once."""

    draws: tuple[LabDraw, ...]  # oldest first
    indices: tuple[dict[IndexKey, IndexResult], ...]
    workouts: tuple[Workout, ...]
    now: datetime
    tz: tzinfo
    coverage_window: timedelta

    def day(self, when: datetime) -> str:
        local = when.astimezone(self.tz)
        return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


Rule = Callable[[_Journal], DraftQuestion | None]


def draft_questions(
    draws: Sequence[LabDraw],
    workouts: Sequence[Workout],
    *,
    now: datetime,
    tz: tzinfo,
    coverage_window: timedelta,
) -> list[DraftQuestion]:
    """Every question the rules draft for this journal, in rule order (at most one per rule).

    `now` must be timezone-aware; dates in the basis are shown in `tz`. `coverage_window` is how
    long one session counts (the user's training/coverage_window_h, 24–72 h).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    ordered = tuple(sorted(draws, key=lambda d: d.drawn_at))
    journal = _Journal(
        draws=ordered,
        indices=tuple(compute_indices(d) for d in ordered),
        workouts=tuple(workouts),
        now=now,
        tz=tz,
        coverage_window=coverage_window,
    )
    drafted = (rule(journal) for rule in RULES)
    return [draft for draft in drafted if draft is not None]


# --- formatting ----------------------------------------------------------------------------


def _unit(result: LabResult) -> str:
    try:
        return get_analyte(result.analyte).canonical_unit(result.unit)
    except UnitMismatchError:
        return result.unit


def _quantity(result: LabResult) -> str:
    return str(Quantity(result.value, _unit(result)))


def _with_conventional(result: LabResult) -> str:
    """The value as reported, plus its conventional-unit equivalent when it was reported in SI."""
    shown = _quantity(result)
    analyte = get_analyte(result.analyte)
    unit = _unit(result)
    if unit == analyte.conventional_unit:
        return shown
    try:
        converted = analyte.convert(result.value, unit, analyte.conventional_unit)
    except UnitMismatchError:
        return shown
    return f"{shown} ({Quantity(converted, analyte.conventional_unit)})"


def _ratio(value: float) -> str:
    return format_value(value, RATIO)


def _percent_share(share: float) -> str:
    # Never let a share just under a half read as "50%": the rule fired because it was under.
    text = f"{share * 100:.0f}%"
    if share < COVERAGE_SHARE_FLOOR and text == "50%":
        text = f"{math.floor(share * 1000) / 10:.1f}%"
    return text


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _cited(items: Sequence[str]) -> str:
    """The newest items (given oldest first), with a count of the older ones left out."""
    if len(items) <= _MAX_CITED:
        return "; ".join(items)
    left_out = len(items) - _MAX_CITED
    earlier = "result" if left_out == 1 else "results"
    return f"{'; '.join(items[-_MAX_CITED:])}; and {left_out} earlier {earlier}"


def _classified(result: LabResult, fasting: Fasting) -> Classification | None:
    try:
        return classify(result.analyte, result.value, result.unit, fasting=fasting)
    except UnitMismatchError:
        # A unit the guideline cannot be brought to says nothing either way; stay silent.
        return None


def _guide_value(index: IndexResult) -> float:
    guideline = guidelines_for(index.key.value)[0]
    band = next(b for b in guideline.bands_by_unit[index.unit] if b.label == _GUIDE_BAND[index.key])
    assert band.low is not None
    return band.low


def _index_text(index: IndexResult) -> str:
    return f"{_SHORT[index.key]} {index.display_text}"


# --- (a) no fasting insulin ----------------------------------------------------------------


def _no_fasting_insulin(j: _Journal) -> DraftQuestion | None:
    if not j.draws:
        return None
    if any(d.fasting is Fasting.YES and d.result("insulin") is not None for d in j.draws):
        return None
    count = len(j.draws)
    span = (
        f"the draw of {j.day(j.draws[0].drawn_at)}"
        if count == 1
        else f"{count} draws from {j.day(j.draws[0].drawn_at)} to {j.day(j.draws[-1].drawn_at)}"
    )
    unconfirmed = [d for d in j.draws if d.result("insulin") is not None]
    if unconfirmed:
        last = unconfirmed[-1]
        insulin = last.result("insulin")
        assert insulin is not None
        state = "not fasting" if last.fasting is Fasting.NO else "not marked as fasting"
        basis = (
            f"No insulin result from a fasting draw in {span}. The latest insulin, "
            f"{_quantity(insulin)} on {j.day(last.drawn_at)}, was on a draw {state}, so "
            f"HOMA-IR cannot be worked out from it."
        )
    else:
        basis = f"No insulin result in {span}, so HOMA-IR cannot be worked out."
    return DraftQuestion(
        RULE_NO_FASTING_INSULIN,
        "Would it be useful to measure fasting insulin together with fasting glucose at my "
        "next blood test, so that HOMA-IR can be worked out and followed over time?",
        basis,
    )


# --- (b) normal fasting glucose, marker above its guide value ------------------------------


def _latest_fasting_glucose(
    j: _Journal,
) -> tuple[LabDraw, dict[IndexKey, IndexResult], LabResult, Classification] | None:
    """The newest draw whose glucose the ADA fasting bands can place, with its indices."""
    for draw, indices in zip(reversed(j.draws), reversed(j.indices), strict=True):
        glucose = draw.result("glucose")
        # classify() returns None for a draw not marked fasting, or a unit ADA cannot take.
        found = None if glucose is None else _classified(glucose, draw.fasting)
        if glucose is not None and found is not None:
            return draw, indices, glucose, found
    return None


def _normal_glucose_high_marker(j: _Journal) -> DraftQuestion | None:
    latest = _latest_fasting_glucose(j)
    if latest is None:
        return None
    draw, indices, glucose, found = latest
    if found.level is not Level.NORMAL or found.band.high is None:
        return None
    high: list[tuple[IndexResult, float]] = []
    for key in (IndexKey.TG_HDL, IndexKey.HOMA_IR):
        index = indices[key]
        if index.computable and index.value is not None:
            guide = _guide_value(index)
            if index.value >= guide:
                high.append((index, guide))
    if not high:
        return None
    limit = Quantity(found.band.high, found.compared_unit)
    cited = [
        f"Fasting glucose {_quantity(glucose)} on {j.day(draw.drawn_at)} (below {limit}, "
        f"the range ADA calls normal)"
    ]
    for index, guide in high:
        where = "at" if index.display_value == f"{guide:.2f}" else "above"
        cited.append(
            f"{_index_text(index)} on the same draw, {where} the guide value {_ratio(guide)}"
        )
    if any(index.key is IndexKey.HOMA_IR for index, _ in high):
        cited.append("published HOMA-IR cut-offs run from about 1.9 to 3.7 by population")
    markers = _join([_IN_TEXT[index.key] for index, _ in high])
    verb, its = ("was", "its guide value") if len(high) == 1 else ("were", "their guide values")
    return DraftQuestion(
        RULE_NORMAL_GLUCOSE_HIGH_MARKER,
        f"My fasting glucose was in the normal range, but my {markers} from the same blood "
        f"test {verb} at or above {its}. What do you make of that combination, and is "
        f"anything else worth checking?",
        "; ".join(cited) + ".",
    )


# --- (c) a marker rising over the last three draws -----------------------------------------


def _comparable(index: IndexResult) -> float:
    """The value as shown (2 decimals), TG:HDL on the mg/dL basis so the bases compare."""
    assert index.value is not None
    value = index.value
    if index.unit == TG_HDL_UNIT_MMOLL:
        value *= TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS
    return round(value, 2)


def _rising(j: _Journal, key: IndexKey, rule: str) -> DraftQuestion | None:
    points = [
        (draw, indices[key])
        for draw, indices in zip(j.draws, j.indices, strict=True)
        if indices[key].computable
    ]
    if len(points) < RISING_DRAWS:
        return None
    last = points[-RISING_DRAWS:]
    values = [_comparable(index) for _, index in last]
    if not all(a < b for a, b in pairwise(values)):
        return None
    units = {index.unit for _, index in last}
    if key is IndexKey.TG_HDL and len(units) > 1:
        shown = [
            f"{v:.2f} on {j.day(draw.drawn_at)}" for v, (draw, _) in zip(values, last, strict=True)
        ]
        note = " (all on the mg/dL basis; mmol/L-basis ratios multiplied by 2.29)"
        cited = f"{_SHORT[key]} {', '.join(shown)}{note}"
    else:
        shown = [f"{index.display_text} on {j.day(draw.drawn_at)}" for draw, index in last]
        cited = f"{_SHORT[key]} {', '.join(shown)}"
    return DraftQuestion(
        rule,
        f"My {_IN_TEXT[key]} has gone up on each of my last three blood tests where it could "
        f"be worked out. What do you make of that trend, and when would it be worth "
        f"checking again?",
        f"{cited}: each higher than the one before.",
    )


def _rising_homa_ir(j: _Journal) -> DraftQuestion | None:
    return _rising(j, IndexKey.HOMA_IR, RULE_RISING_HOMA_IR)


def _rising_tg_hdl(j: _Journal) -> DraftQuestion | None:
    return _rising(j, IndexKey.TG_HDL, RULE_RISING_TG_HDL)


# --- (d) fasting glucose or HbA1c in the prediabetes range ---------------------------------


def _prediabetes_range(j: _Journal) -> DraftQuestion | None:
    cited: list[str] = []
    for draw in j.draws:
        for analyte, label in (("glucose", "Fasting glucose"), ("hba1c", "HbA1c")):
            result = draw.result(analyte)
            if result is None:
                continue
            # Fasting glucose bands need a fasting draw; classify() returns None otherwise.
            found = _classified(result, draw.fasting)
            if found is None or found.level is not Level.BORDERLINE:
                continue
            cited.append(
                f"{label} {_with_conventional(result)} on {j.day(draw.drawn_at)}, "
                f"{found.phrase} ({found.band.range_text} {found.compared_unit})"
            )
    if not cited:
        return None
    return DraftQuestion(
        RULE_PREDIABETES_RANGE,
        "Some of my fasting glucose or HbA1c results fall in the range ADA calls "
        "prediabetes. What do you make of them, and how often would you suggest "
        "re-checking?",
        _cited(cited) + ".",
    )


# --- (e) HbA1c change between the latest two results ----------------------------------------


def _hba1c_percent(result: LabResult) -> float | None:
    try:
        return get_analyte("hba1c").convert(result.value, result.unit, PERCENT)
    except UnitMismatchError:
        return None


def _points(change: float) -> str:
    # Two decimals, trailing zeros dropped: 0.3 stays "0.3", a converted 0.549 reads "0.55".
    return f"{abs(change):.2f}".rstrip("0").rstrip(".")


def _hba1c_change(j: _Journal) -> DraftQuestion | None:
    found: list[tuple[LabDraw, LabResult, float]] = []
    for draw in j.draws:
        result = draw.result("hba1c")
        percent = None if result is None else _hba1c_percent(result)
        if result is not None and percent is not None and math.isfinite(percent):
            found.append((draw, result, percent))
    if len(found) < 2:
        return None
    (before, old, old_pct), (after, new, new_pct) = found[-2:]
    change = new_pct - old_pct
    if abs(change) < HBA1C_CHANGE_POINTS - _EPSILON:
        return None

    def shown(result: LabResult, percent: float) -> str:
        if _unit(result) == MMOL_MOL:
            return f"{_quantity(result)} ({Quantity(percent, PERCENT)})"
        return _quantity(result)

    direction = "up" if change > 0 else "down"
    return DraftQuestion(
        RULE_HBA1C_CHANGE,
        "My HbA1c moved by 0.3 percentage points or more between my last two results. How "
        "much of that could be ordinary variation between tests, and does it change what you "
        "would suggest?",
        f"HbA1c {shown(old, old_pct)} on {j.day(before.drawn_at)}, then {shown(new, new_pct)} "
        f"on {j.day(after.drawn_at)}: {direction} {_points(change)} "
        f"percentage points.",
    )


# --- (f) no lipid panel in the last 12 months ----------------------------------------------


def _year_before(now: datetime) -> datetime:
    try:
        return now.replace(year=now.year - 1)
    except ValueError:  # 29 February
        return now.replace(year=now.year - 1, day=28)


def _no_recent_lipids(j: _Journal) -> DraftQuestion | None:
    # A "lipid panel" here means triglycerides and HDL cholesterol on one draw: the pair the
    # TG:HDL ratio needs. Total or LDL cholesterol alone does not give the ratio.
    if not j.draws:
        return None
    since = _year_before(j.now)
    panels = [
        d for d in j.draws if d.result("triglycerides") is not None and d.result("hdl") is not None
    ]
    if panels and panels[-1].drawn_at >= since:
        return None
    if panels:
        last = panels[-1]
        tg, hdl = last.result("triglycerides"), last.result("hdl")
        assert tg is not None and hdl is not None
        basis = (
            f"The latest draw with both triglycerides and HDL cholesterol was on "
            f"{j.day(last.drawn_at)} (triglycerides {_quantity(tg)}, HDL cholesterol "
            f"{_quantity(hdl)}), more than {LIPID_LOOKBACK_MONTHS} months before "
            f"{j.day(j.now)}."
        )
    else:
        count = len(j.draws)
        draws = "draw" if count == 1 else "draws"
        basis = (
            f"None of the {count} {draws} in the journal has both triglycerides and HDL "
            f"cholesterol, the two results the TG:HDL ratio needs."
        )
    return DraftQuestion(
        RULE_NO_RECENT_LIPIDS,
        "I have no lipid panel with triglycerides and HDL cholesterol from the past year. "
        "Would it be useful to include one in my next blood test?",
        basis,
    )


# --- (g) training coverage before the latest draw ------------------------------------------


def _low_training_coverage(j: _Journal) -> DraftQuestion | None:
    # Without a single workout on record we cannot tell an untrained person from one who
    # does not log training here, so the rule stays silent rather than guess.
    if not j.draws or not j.workouts:
        return None
    drawn = j.draws[-1].drawn_at
    start = drawn - COVERAGE_LOOKBACK
    report = coverage_report(
        sessions_from_workouts(j.workouts), start, drawn, window=j.coverage_window
    )
    if report.share >= COVERAGE_SHARE_FLOOR:
        return None
    hours = j.coverage_window.total_seconds() / 3600
    sessions = "session" if report.sessions == 1 else "sessions"
    cited = (
        f"Training covered {_percent_share(report.share)} of the eight weeks from "
        f"{j.day(start)} to the draw on {j.day(drawn)} (each session counted for {hours:g} h; "
        f"{report.sessions} {sessions} in those weeks"
    )
    if report.longest_gap_start is not None and report.longest_gap_end is not None:
        days = report.longest_gap / timedelta(days=1)
        cited += (
            f"; longest stretch without cover {days:.1f} days, from "
            f"{j.day(report.longest_gap_start)} to {j.day(report.longest_gap_end)}"
        )
    return DraftQuestion(
        RULE_LOW_TRAINING_COVERAGE,
        "My training covered less than half of the eight weeks before my last blood test. "
        "Could that have affected these results, and would it help to re-test after a "
        "steadier stretch of training?",
        cited + ").",
    )


# --- (h) an index not computable although its results are there ----------------------------


def _has_bmi(draw: LabDraw) -> bool:
    if draw.result("bmi") is not None:
        return True
    return draw.result("weight") is not None and draw.result("height") is not None


def _index_not_computable(j: _Journal) -> DraftQuestion | None:
    for draw, indices in zip(reversed(j.draws), reversed(j.indices), strict=True):
        blocked: dict[str, list[IndexResult]] = {}
        for key, needs in _NEEDS.items():
            index = indices[key]
            if index.computable or index.reason is None:
                continue
            if not all(draw.result(a) is not None for a in needs):
                continue
            # A missing BMI is a missing input, not a problem with the ones that are there.
            if key is IndexKey.METS_IR and not _has_bmi(draw):
                continue
            blocked.setdefault(index.reason, []).append(index)
        if blocked:
            break
    else:
        return None
    present: list[str] = []
    for analyte in _INPUT_NAMES:
        result = draw.result(analyte)
        if result is not None and any(
            analyte in _NEEDS[i.key] for found in blocked.values() for i in found
        ):
            present.append(f"{_INPUT_NAMES[analyte]} {_quantity(result)}")
    reasons = [
        f"{_join([i.name for i in found])} could not be worked out: {reason}"
        for reason, found in blocked.items()
    ]
    return DraftQuestion(
        RULE_INDEX_NOT_COMPUTABLE,
        "Some markers could not be worked out from one of my blood tests even though the "
        "results they need are there. Is it worth confirming the missing detail, such as "
        "whether I had fasted, or repeating the test under the right conditions?",
        f"Draw of {j.day(draw.drawn_at)} with {_join(present)}. " + " ".join(reasons),
    )


RULES: Final[tuple[Rule, ...]] = (
    _no_fasting_insulin,
    _normal_glucose_high_marker,
    _rising_homa_ir,
    _rising_tg_hdl,
    _prediabetes_range,
    _hba1c_change,
    _no_recent_lipids,
    _low_training_coverage,
    _index_not_computable,
)
