"""Typo and unit mix-up gates for entered values (engineering heuristics, not clinical limits)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from journal.domain.analytes import Analyte, get_analyte
from journal.domain.units import (
    CM,
    IN,
    IN_TO_CM,
    KG,
    LB,
    LB_TO_KG,
    MG_DL,
    MG_L,
    MM_HG,
    MMOL_L,
    MMOL_MOL,
    PERCENT,
    PMOL_L,
    UIU_ML,
    UMOL_L,
    Quantity,
    with_unit,
)


class Verdict(StrEnum):
    OK = "ok"  # save silently
    CHECK = "check"  # ask the user to confirm value and unit
    IMPOSSIBLE = "impossible"  # cannot be a human measurement as entered; do not save


@dataclass(frozen=True, slots=True)
class PlausibilityResult:
    verdict: Verdict
    message: str | None
    suggested_unit: str | None


@dataclass(frozen=True, slots=True)
class _MixUp:
    """A number entered in `entered_unit` that crosses `below`/`above` probably belongs in
    `suggested_unit`. Thresholds are in the entered unit, as clinical.md §1.6 states them."""

    entered_unit: str
    suggested_unit: str
    below: float | None = None
    above: float | None = None

    def matches(self, value: float, unit: str) -> bool:
        if unit != self.entered_unit:
            return False
        return (self.below is not None and value < self.below) or (
            self.above is not None and value > self.above
        )


_GLUCOSE_MIXUPS: Final = (
    _MixUp(MG_DL, MMOL_L, below=35.0),
    _MixUp(MMOL_L, MG_DL, above=35.0),
)
_CHOLESTEROL_MIXUPS: Final = (
    _MixUp(MG_DL, MMOL_L, below=15.0),
    _MixUp(MMOL_L, MG_DL, above=25.0),  # 25 mmol/L ≈ 967 mg/dL
)

# The first rule for each analyte is from clinical.md §1.6. Reverse directions and the body
# measures (marked "added") are this module's own choices, each set where the entered number
# is already outside the accept range, so a rule never fires on a value that passes silently.
_MIXUPS: Final[dict[str, tuple[_MixUp, ...]]] = {
    "glucose": _GLUCOSE_MIXUPS,
    "cgm_mean_glucose": _GLUCOSE_MIXUPS,
    # Insulin above 150 "µIU/mL" may be pmol/L; the message asks and nothing is converted.
    "insulin": (_MixUp(UIU_ML, PMOL_L, above=150.0),),
    "hba1c": (
        _MixUp(PERCENT, MMOL_MOL, above=20.0),
        _MixUp(MMOL_MOL, PERCENT, below=20.0),  # added: 20 mmol/mol ≈ 4.0 %
    ),
    "triglycerides": (
        _MixUp(MG_DL, MMOL_L, below=15.0),
        _MixUp(MMOL_L, MG_DL, above=25.0),  # added: 25 mmol/L ≈ 2214 mg/dL
    ),
    "hdl": (
        _MixUp(MG_DL, MMOL_L, below=5.0),
        _MixUp(MMOL_L, MG_DL, above=5.0),  # added: 5 mmol/L ≈ 193 mg/dL
    ),
    "ldl": _CHOLESTEROL_MIXUPS,
    "total_cholesterol": _CHOLESTEROL_MIXUPS,
    "non_hdl": _CHOLESTEROL_MIXUPS,  # added: same arithmetic as LDL
    # A result reported in mg/L but entered as mg/dL reads ten times too high.
    "hs_crp": (_MixUp(MG_DL, MG_L, above=2.0),),
    "weight": (
        _MixUp(KG, LB, above=250.0),
        _MixUp(LB, KG, below=30.0 / LB_TO_KG),
    ),
    "waist": (
        _MixUp(IN, CM, above=160.0 / IN_TO_CM),
        _MixUp(CM, IN, below=50.0),
    ),
    "height": (  # added
        _MixUp(IN, CM, above=230.0 / IN_TO_CM),
        _MixUp(CM, IN, below=100.0),
    ),
    "uric_acid": (  # added
        _MixUp(MG_DL, UMOL_L, above=20.0),
        _MixUp(UMOL_L, MG_DL, below=20.0),
    ),
}


def _describe(analyte: Analyte, value: float, unit: str) -> str:
    # Echo the number as typed ("180", not the display-rounded "180.0") so the user sees it.
    return f"{analyte.name} {with_unit(f'{value:g}', unit)}"


def _suggestion(analyte: Analyte, value: float, unit: str) -> str | None:
    rules = _MIXUPS.get(analyte.key, ())
    return next((r.suggested_unit for r in rules if r.matches(value, unit)), None)


def check_value(analyte_key: str, value: float, unit: str) -> PlausibilityResult:
    """Check an entered value in any unit the analyte accepts.

    Raises KeyError for an unknown analyte and UnitMismatchError for a unit the analyte is
    never reported in; both are programming or import errors rather than typos.
    """
    analyte = get_analyte(analyte_key)
    canonical = analyte.canonical_unit(unit)
    if not math.isfinite(value):
        return PlausibilityResult(
            Verdict.IMPOSSIBLE,
            f"The {analyte.name.lower()} value is not a number. Please re-enter it.",
            None,
        )
    shown = _describe(analyte, value, canonical)
    if value < 0:
        return PlausibilityResult(
            Verdict.IMPOSSIBLE,
            f"{shown} is negative, which cannot be a measurement. Please check the value.",
            None,
        )
    conventional = analyte.to_conventional(value, canonical)
    suggested = _suggestion(analyte, value, canonical)
    hard_low, hard_high = analyte.hard_limits
    low, high = analyte.plausible
    if conventional < hard_low or conventional > hard_high:
        verdict = Verdict.IMPOSSIBLE
    elif conventional < low or conventional > high:
        verdict = Verdict.CHECK
    else:
        return PlausibilityResult(Verdict.OK, None, None)
    return PlausibilityResult(verdict, _message(analyte, shown, verdict, suggested), suggested)


def _message(analyte: Analyte, shown: str, verdict: Verdict, suggested: str | None) -> str:
    if analyte.key == "insulin" and suggested == PMOL_L:
        return (
            f"{shown} is unusually high for insulin. Some labs report insulin in pmol/L: "
            f"does the report say pmol/L? If so, change the unit and keep the number as printed."
        )
    if suggested is not None:
        lead = (
            f"{shown} cannot be right in that unit."
            if verdict is Verdict.IMPOSSIBLE
            else f"{shown} is outside the usual range."
        )
        return f"{lead} It looks like a value in {suggested}. Please check the unit on the report."
    if verdict is Verdict.IMPOSSIBLE:
        return f"{shown} is outside anything a lab would report. Please check the value and unit."
    return f"{shown} is outside the usual range. Please check the value and unit on the report."


_ORDER: Final = {Verdict.OK: 0, Verdict.CHECK: 1, Verdict.IMPOSSIBLE: 2}


def check_blood_pressure(systolic: float, diastolic: float) -> PlausibilityResult:
    """Check a blood-pressure pair: each number on its own, then that systolic is higher."""
    results = [
        check_value("systolic_bp", systolic, MM_HG),
        check_value("diastolic_bp", diastolic, MM_HG),
    ]
    if math.isfinite(systolic) and math.isfinite(diastolic) and diastolic >= systolic:
        results.append(
            PlausibilityResult(
                Verdict.CHECK,
                f"Diastolic {Quantity(diastolic, MM_HG)} is not lower than systolic "
                f"{Quantity(systolic, MM_HG)}. The two fields may be swapped.",
                None,
            )
        )
    verdict = max((r.verdict for r in results), key=_ORDER.__getitem__)
    messages = [r.message for r in results if r.message]
    return PlausibilityResult(verdict, " ".join(messages) or None, None)
