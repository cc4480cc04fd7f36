"""Insulin-resistance indices from one draw: HOMA1-IR, HOMA1-%B, QUICKI, TG:HDL, TyG, METS-IR."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from journal.domain.analytes import UnitMismatchError, get_analyte
from journal.domain.entities import Fasting, LabDraw
from journal.domain.thresholds import TG_HDL_ANCESTRY_CAVEAT, tg_hdl_unit
from journal.domain.units import (
    CHOL_MGDL_PER_MMOLL,
    CM,
    GLUCOSE_MGDL_PER_MMOLL,
    HOMA_B_MGDL,
    HOMA_B_MMOL,
    HOMA_IR_DENOM_MGDL,
    HOMA_IR_DENOM_MMOL,
    IN_TO_CM,
    INSULIN_PMOLL_PER_UIUML,
    KG,
    KG_M2,
    LB_TO_KG,
    MG_DL,
    MMOL_L,
    NOT_A_NUMBER,
    TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS,
    TG_MGDL_PER_MMOLL,
    UIU_ML,
    Quantity,
    UnitSystem,
)


class IndexKey(StrEnum):
    HOMA_IR = "homa_ir"
    HOMA_B = "homa_b"
    QUICKI = "quicki"
    TG_HDL = "tg_hdl"
    TYG = "tyg"
    METS_IR = "mets_ir"


@dataclass(frozen=True, slots=True)
class IndexInput:
    """One value as the formula used it, and what it was converted from, if anything."""

    analyte: str
    value: float
    unit: str
    drawn_at: datetime
    original_value: float | None = None
    original_unit: str | None = None

    @property
    def converted(self) -> bool:
        return self.original_unit is not None


@dataclass(frozen=True, slots=True)
class IndexResult:
    """A calculated index (never a lab result) with everything needed to show how it was made.

    `value` is unrounded; `reason` says in one sentence why it could not be computed. For
    TG:HDL, `unit` and `basis` name the unit system its inputs were in, because the cut-offs
    differ by basis; `basis` is None for every other index.
    """

    key: IndexKey
    name: str
    value: float | None
    unit: str
    reason: str | None
    inputs: tuple[IndexInput, ...]
    formula: str
    source: str
    notes: tuple[str, ...]
    basis: UnitSystem | None = None

    @property
    def computable(self) -> bool:
        return self.value is not None and self.reason is None

    @property
    def display_value(self) -> str:
        """The value rounded for display ("2.47"), or "—" when not computable."""
        if self.value is None:
            return NOT_A_NUMBER
        return f"{self.value:.{_DECIMALS[self.key]}f}"

    @property
    def display_text(self) -> str:
        """The rounded value with its unit or basis: "2.47", "97.3 %", "1.31 (mmol/L basis)"."""
        if self.value is None:
            return NOT_A_NUMBER
        if self.unit.startswith("ratio ("):
            return f"{self.display_value} {self.unit.removeprefix('ratio ')}"
        return f"{self.display_value} {self.unit}".rstrip()


REFERENCE_VARIES: Final = "Reference values vary by population and assay."
REASON_FASTING_UNKNOWN: Final = "Fasting state not recorded for this draw."
REASON_NOT_FASTING: Final = "Not a fasting draw."
REASON_INSULIN_THERAPY: Final = "Not valid for people on insulin therapy."
REASON_DIFFERENT_DRAWS: Final = "Inputs come from different draws"
REASON_BMI_UNKNOWN: Final = (
    "BMI not known: add weight and height (or a BMI) to this draw, or enter a BMI."
)
REASON_GLUCOSE_TOO_LOW_FOR_HOMA_B: Final = (
    "Glucose at or below 63 mg/dL (3.5 mmol/L) leaves HOMA-%B undefined."
)

_DECIMALS: Final = {
    IndexKey.HOMA_IR: 2,
    IndexKey.HOMA_B: 1,
    IndexKey.QUICKI: 3,
    IndexKey.TG_HDL: 2,
    IndexKey.TYG: 2,
    IndexKey.METS_IR: 1,
}

_NAMES: Final = {
    IndexKey.HOMA_IR: "HOMA-IR",
    IndexKey.HOMA_B: "HOMA-%B",
    IndexKey.QUICKI: "QUICKI",
    IndexKey.TG_HDL: "TG:HDL ratio",
    IndexKey.TYG: "TyG index",
    IndexKey.METS_IR: "METS-IR",
}

_SOURCES: Final = {
    IndexKey.HOMA_IR: "Matthews 1985 (HOMA1) [S12]",
    IndexKey.HOMA_B: "Matthews 1985 (HOMA1) [S12c]",
    IndexKey.QUICKI: "Katz 2000 [S14]",
    IndexKey.TG_HDL: "McLaughlin 2003 [S19a]; Li 2008 [S19b]",
    IndexKey.TYG: "Simental-Mendía 2008 [S17a]",
    IndexKey.METS_IR: "Bello-Chavolla 2018 [S18]",
}

_HOMA_IR_FORMULA: Final = {
    MG_DL: f"glucose (mg/dL) × insulin (µIU/mL) ÷ {HOMA_IR_DENOM_MGDL:g}",
    MMOL_L: f"glucose (mmol/L) × insulin (µIU/mL) ÷ {HOMA_IR_DENOM_MMOL:g}",
}
_HOMA_B_FORMULA: Final = {
    MG_DL: f"{HOMA_B_MGDL[0]:g} × insulin (µIU/mL) ÷ (glucose (mg/dL) − {HOMA_B_MGDL[1]:g})",
    MMOL_L: f"{HOMA_B_MMOL[0]:g} × insulin (µIU/mL) ÷ (glucose (mmol/L) − {HOMA_B_MMOL[1]:g})",
}
_QUICKI_FORMULA: Final = "1 ÷ (log10 insulin (µIU/mL) + log10 glucose (mg/dL))"
_TG_HDL_FORMULA: Final = {
    UnitSystem.CONVENTIONAL: "triglycerides (mg/dL) ÷ HDL cholesterol (mg/dL)",
    UnitSystem.SI: "triglycerides (mmol/L) ÷ HDL cholesterol (mmol/L)",
}
_TYG_FORMULA: Final = "ln(triglycerides (mg/dL) × glucose (mg/dL) ÷ 2)"
_METS_IR_FORMULA: Final = (
    "ln(2 × glucose (mg/dL) + triglycerides (mg/dL)) × BMI (kg/m²) ÷ ln(HDL cholesterol (mg/dL))"
)

_STANDARD_NOTES: Final = {
    IndexKey.HOMA_IR: (
        REFERENCE_VARIES,
        "This is HOMA1; the HOMA2 computer model gives different, usually lower, numbers.",
    ),
    IndexKey.HOMA_B: (
        REFERENCE_VARIES,
        "The model is scaled so that healthy young adults come out near 100 %.",
    ),
    IndexKey.QUICKI: (REFERENCE_VARIES,),
    IndexKey.TG_HDL: (REFERENCE_VARIES, TG_HDL_ANCESTRY_CAVEAT),
    IndexKey.TYG: (
        "Computed as ln(TG × glucose ÷ 2), which gives values near 8–9; cut-offs from the "
        "halved form ln(TG × glucose) ÷ 2, near 4.5, do not apply.",
        "There is no universal cut-off, so it is best followed as a trend.",
    ),
    IndexKey.METS_IR: (
        "Developed and validated mainly in Mexican adults.",
        REFERENCE_VARIES,
    ),
}

# How each input is named inside a sentence, and the published factor used to convert it.
_LABELS: Final = {
    "glucose": "glucose",
    "insulin": "insulin",
    "triglycerides": "triglyceride",
    "hdl": "HDL cholesterol",
    "bmi": "BMI",
    "weight": "weight",
    "height": "height",
}
_FACTOR_TEXT: Final = {
    "glucose": f"{GLUCOSE_MGDL_PER_MMOLL} mg/dL per mmol/L",
    "insulin": f"{INSULIN_PMOLL_PER_UIUML:.1f} pmol/L per µIU/mL",
    "triglycerides": f"{TG_MGDL_PER_MMOLL} mg/dL per mmol/L",
    "hdl": f"{CHOL_MGDL_PER_MMOLL} mg/dL per mmol/L",
    "weight": f"{LB_TO_KG} kg per lb",
    "height": f"{IN_TO_CM} cm per in",
}
_SENTENCE_NAMES: Final = {"triglycerides": "Triglycerides"}


def _sentence_name(analyte: str) -> str:
    label = _SENTENCE_NAMES.get(analyte, _LABELS.get(analyte, analyte))
    return label[:1].upper() + label[1:]


def check_same_draw(samples: Sequence[tuple[str, datetime]]) -> str | None:
    """A reason when (analyte, drawn_at) samples do not all share one draw time, else None."""
    if len({drawn_at for _, drawn_at in samples}) <= 1:
        return None
    detail = ", ".join(f"{_LABELS.get(a, a)} {t:%Y-%m-%d %H:%M}" for a, t in samples)
    return f"{REASON_DIFFERENT_DRAWS} ({detail})."


class _NotComputable(Exception):
    """Raised inside a calculation to stop with a user-facing reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Builder:
    """Collects inputs and notes for one index while checking its preconditions."""

    def __init__(self, draw: LabDraw) -> None:
        self.draw = draw
        self.inputs: list[IndexInput] = []
        self.notes: list[str] = []

    def require(self, *analytes: str) -> None:
        missing = [_LABELS[a] for a in analytes if self.draw.result(a) is None]
        if not missing:
            return
        names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
        raise _NotComputable(f"No {names} result on this draw.")

    def require_fasting(self) -> None:
        if self.draw.fasting is Fasting.UNKNOWN:
            raise _NotComputable(REASON_FASTING_UNKNOWN)
        if self.draw.fasting is Fasting.NO:
            raise _NotComputable(REASON_NOT_FASTING)

    def take(self, analyte: str, target: str | None = None) -> IndexInput:
        """The draw's result for `analyte`, converted to `target` if given and different."""
        result = self.draw.result(analyte)
        assert result is not None  # require() ran first
        try:
            unit = get_analyte(analyte).canonical_unit(result.unit)
        except UnitMismatchError:
            raise _NotComputable(
                f"The {_LABELS[analyte]} unit {result.unit!r} is not one this index can use."
            ) from None
        if not math.isfinite(result.value) or result.value <= 0:
            raise _NotComputable(f"{_sentence_name(analyte)} must be above zero.")
        if target is None or target == unit:
            item = IndexInput(analyte, result.value, unit, self.draw.drawn_at)
        else:
            value = get_analyte(analyte).convert(result.value, unit, target)
            item = IndexInput(analyte, value, target, self.draw.drawn_at, result.value, unit)
            self.notes.append(_conversion_note(item))
        self.inputs.append(item)
        return item

    def check_same_draw(self) -> None:
        reason = check_same_draw([(i.analyte, i.drawn_at) for i in self.inputs])
        if reason is not None:
            raise _NotComputable(reason)


def _conversion_note(item: IndexInput) -> str:
    assert item.original_value is not None and item.original_unit is not None
    before = Quantity(item.original_value, item.original_unit)
    after = Quantity(item.value, item.unit)
    factor = _FACTOR_TEXT.get(item.analyte, "the catalogue factor")
    return f"{_sentence_name(item.analyte)} converted from {before} to {after} using {factor}."


def _result(
    key: IndexKey,
    builder: _Builder,
    formula: str,
    value: float | None = None,
    unit: str = "",
    reason: str | None = None,
    basis: UnitSystem | None = None,
) -> IndexResult:
    return IndexResult(
        key=key,
        name=_NAMES[key],
        value=None if reason is not None else value,
        unit=unit,
        reason=reason,
        inputs=tuple(builder.inputs),
        formula=formula,
        source=_SOURCES[key],
        notes=(*builder.notes, *_STANDARD_NOTES[key]),
        basis=basis,
    )


def _glucose_insulin(b: _Builder, on_insulin_therapy: bool) -> tuple[IndexInput, IndexInput]:
    b.require("glucose", "insulin")
    if on_insulin_therapy:
        raise _NotComputable(REASON_INSULIN_THERAPY)
    b.require_fasting()
    glucose = b.take("glucose")
    insulin = b.take("insulin", UIU_ML)
    b.check_same_draw()
    return glucose, insulin


def _homa_ir(draw: LabDraw, on_insulin_therapy: bool) -> IndexResult:
    b = _Builder(draw)
    formula = _HOMA_IR_FORMULA[MG_DL]
    try:
        glucose, insulin = _glucose_insulin(b, on_insulin_therapy)
        formula = _HOMA_IR_FORMULA[glucose.unit]
        denominator = HOMA_IR_DENOM_MMOL if glucose.unit == MMOL_L else HOMA_IR_DENOM_MGDL
        value = glucose.value * insulin.value / denominator
    except _NotComputable as stop:
        return _result(IndexKey.HOMA_IR, b, formula, reason=stop.reason)
    return _result(IndexKey.HOMA_IR, b, formula, value)


def _homa_b(draw: LabDraw, on_insulin_therapy: bool) -> IndexResult:
    b = _Builder(draw)
    formula = _HOMA_B_FORMULA[MG_DL]
    try:
        glucose, insulin = _glucose_insulin(b, on_insulin_therapy)
        formula = _HOMA_B_FORMULA[glucose.unit]
        scale, floor = HOMA_B_MMOL if glucose.unit == MMOL_L else HOMA_B_MGDL
        if glucose.value <= floor:
            raise _NotComputable(REASON_GLUCOSE_TOO_LOW_FOR_HOMA_B)
        value = scale * insulin.value / (glucose.value - floor)
    except _NotComputable as stop:
        return _result(IndexKey.HOMA_B, b, formula, unit="%", reason=stop.reason)
    return _result(IndexKey.HOMA_B, b, formula, value, unit="%")


def _quicki(draw: LabDraw, on_insulin_therapy: bool) -> IndexResult:
    b = _Builder(draw)
    try:
        b.require("glucose", "insulin")
        if on_insulin_therapy:
            raise _NotComputable(REASON_INSULIN_THERAPY)
        b.require_fasting()
        glucose = b.take("glucose", MG_DL)
        insulin = b.take("insulin", UIU_ML)
        b.check_same_draw()
        denominator = math.log10(insulin.value) + math.log10(glucose.value)
        if denominator <= 0:
            raise _NotComputable("Insulin × glucose must be above 1 for QUICKI.")
        value = 1.0 / denominator
    except _NotComputable as stop:
        return _result(IndexKey.QUICKI, b, _QUICKI_FORMULA, reason=stop.reason)
    return _result(IndexKey.QUICKI, b, _QUICKI_FORMULA, value)


def _tg_hdl(draw: LabDraw) -> IndexResult:
    # Computed whether or not the draw was fasting (triglycerides are on every lipid panel and
    # many panels are non-fasting), with a note when fasting is not confirmed.
    b = _Builder(draw)
    basis = UnitSystem.CONVENTIONAL
    try:
        b.require("triglycerides", "hdl")
        units: set[str] = set()
        for analyte in ("triglycerides", "hdl"):
            result = draw.result(analyte)
            assert result is not None
            try:
                units.add(get_analyte(analyte).canonical_unit(result.unit))
            except UnitMismatchError:
                units.add(result.unit)
        # Both in mmol/L: keep the mmol/L basis. Anything else: mg/dL basis, converting.
        basis = UnitSystem.SI if units == {MMOL_L} else UnitSystem.CONVENTIONAL
        target = MMOL_L if basis is UnitSystem.SI else MG_DL
        tg = b.take("triglycerides", target)
        hdl = b.take("hdl", target)
        b.check_same_draw()
        value = tg.value / hdl.value
    except _NotComputable as stop:
        return _result(
            IndexKey.TG_HDL,
            b,
            _TG_HDL_FORMULA[basis],
            unit=tg_hdl_unit(basis),
            reason=stop.reason,
            basis=basis,
        )
    if basis is UnitSystem.SI:
        b.notes.append(
            f"Computed from mmol/L values (cut-offs 0.87 and 1.3 on this basis); on the mg/dL "
            f"basis it would be {value * TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS:.2f}."
        )
    if draw.fasting is not Fasting.YES:
        b.notes.append(
            "Triglycerides rise after eating and this draw is not marked as fasting, so the "
            "ratio may read higher than a fasting one would."
        )
    return _result(
        IndexKey.TG_HDL,
        b,
        _TG_HDL_FORMULA[basis],
        value,
        unit=tg_hdl_unit(basis),
        basis=basis,
    )


def _tyg(draw: LabDraw) -> IndexResult:
    b = _Builder(draw)
    try:
        b.require("triglycerides", "glucose")
        b.require_fasting()
        tg = b.take("triglycerides", MG_DL)
        glucose = b.take("glucose", MG_DL)
        b.check_same_draw()
        value = math.log(tg.value * glucose.value / 2.0)
    except _NotComputable as stop:
        return _result(IndexKey.TYG, b, _TYG_FORMULA, reason=stop.reason)
    return _result(IndexKey.TYG, b, _TYG_FORMULA, value)


def _bmi(b: _Builder, bmi: float | None) -> float:
    """BMI for METS-IR: the draw's own BMI, else its weight and height, else the argument."""
    draw = b.draw
    if draw.result("bmi") is not None:
        return b.take("bmi", KG_M2).value
    if draw.result("weight") is not None and draw.result("height") is not None:
        weight = b.take("weight", KG)
        height = b.take("height", CM)
        value = weight.value / (height.value / 100.0) ** 2
        b.notes.append(
            f"BMI {Quantity(value, KG_M2)} computed from the weight and height on this draw."
        )
        return value
    if bmi is not None:
        if not math.isfinite(bmi) or bmi <= 0:
            raise _NotComputable("BMI must be above zero.")
        b.notes.append("BMI entered separately; it was not measured on this draw.")
        # Listed with the draw's time so the input list is complete; the note says otherwise.
        b.inputs.append(IndexInput("bmi", bmi, KG_M2, draw.drawn_at))
        return bmi
    raise _NotComputable(REASON_BMI_UNKNOWN)


def _mets_ir(draw: LabDraw, bmi: float | None) -> IndexResult:
    b = _Builder(draw)
    try:
        b.require("glucose", "triglycerides", "hdl")
        b.require_fasting()
        glucose = b.take("glucose", MG_DL)
        tg = b.take("triglycerides", MG_DL)
        hdl = b.take("hdl", MG_DL)
        bmi_value = _bmi(b, bmi)
        b.check_same_draw()
        if hdl.value <= 1.0:  # ln(HDL) must be positive to divide by it
            raise _NotComputable("HDL cholesterol must be above 1 mg/dL for METS-IR.")
        value = math.log(2.0 * glucose.value + tg.value) * bmi_value / math.log(hdl.value)
    except _NotComputable as stop:
        return _result(IndexKey.METS_IR, b, _METS_IR_FORMULA, reason=stop.reason)
    return _result(IndexKey.METS_IR, b, _METS_IR_FORMULA, value)


def compute_indices(
    draw: LabDraw, *, bmi: float | None = None, on_insulin_therapy: bool = False
) -> dict[IndexKey, IndexResult]:
    """All six indices for one draw, each either computed or carrying the reason it is not.

    Only this draw's own results are used, so every input shares one draw. HOMA-IR, HOMA-%B,
    QUICKI, TyG and METS-IR need the draw marked fasting, since all take fasting glucose.
    TG:HDL is computed on any draw, with a note when fasting is not confirmed, because lipid
    panels are often drawn non-fasting and the ratio is still worth following. HOMA and QUICKI
    are refused under insulin therapy. `bmi` is used for METS-IR only when the draw has
    neither a BMI nor both weight and height.
    """
    results = (
        _homa_ir(draw, on_insulin_therapy),
        _homa_b(draw, on_insulin_therapy),
        _quicki(draw, on_insulin_therapy),
        _tg_hdl(draw),
        _tyg(draw),
        _mets_ir(draw, bmi),
    )
    return {result.key: result for result in results}
