"""Index formulas, unit handling and not-computable reasons (clinical.md §2)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from journal.domain.entities import Fasting, LabDraw, LabResult
from journal.domain.indices import (
    REASON_BMI_UNKNOWN,
    REASON_FASTING_UNKNOWN,
    REASON_GLUCOSE_TOO_LOW_FOR_HOMA_B,
    REASON_INSULIN_THERAPY,
    REASON_NOT_FASTING,
    IndexInput,
    IndexKey,
    IndexResult,
    check_same_draw,
    compute_indices,
)
from journal.domain.thresholds import TG_HDL_ANCESTRY_CAVEAT, Level, classify
from journal.domain.units import UnitSystem

DRAWN = datetime(2024, 3, 5, 7, 45)
ALL = set(IndexKey)
GLUCOSE_INSULIN = (IndexKey.HOMA_IR, IndexKey.HOMA_B, IndexKey.QUICKI)


def draw(*results: tuple[str, float, str], fasting: Fasting = Fasting.YES) -> LabDraw:
    return LabDraw(
        drawn_at=DRAWN,
        fasting=fasting,
        results=tuple(LabResult(analyte=a, value=v, unit=u) for a, v, u in results),
    )


# The worked check values of clinical.md §2.9.
GOLDEN = (
    ("glucose", 100.0, "mg/dL"),
    ("insulin", 10.0, "µIU/mL"),
    ("triglycerides", 150.0, "mg/dL"),
    ("hdl", 50.0, "mg/dL"),
)


def golden(**kwargs: object) -> dict[IndexKey, IndexResult]:
    return compute_indices(draw(*GOLDEN), bmi=25.0, **kwargs)  # type: ignore[arg-type]


def test_golden_values() -> None:
    r = golden()
    assert set(r) == ALL
    assert all(result.computable for result in r.values())
    assert r[IndexKey.HOMA_IR].value == pytest.approx(2.47, abs=0.005)
    assert r[IndexKey.HOMA_IR].value == pytest.approx(1000 / 405, rel=1e-12)
    assert r[IndexKey.HOMA_B].value == pytest.approx(97.3, abs=0.05)
    assert r[IndexKey.HOMA_B].value == pytest.approx(3600 / 37, rel=1e-12)
    assert r[IndexKey.QUICKI].value == pytest.approx(0.3333, abs=5e-5)
    assert r[IndexKey.TG_HDL].value == pytest.approx(3.0, rel=1e-12)
    assert r[IndexKey.TYG].value == pytest.approx(8.923, abs=5e-4)
    assert r[IndexKey.TYG].value == pytest.approx(math.log(7500), rel=1e-12)
    # clinical.md prints 37.43 (truncated); the value is 37.4354.
    assert r[IndexKey.METS_IR].value == pytest.approx(37.43, abs=0.006)
    assert r[IndexKey.METS_IR].value == pytest.approx(37.4354, abs=5e-5)
    assert r[IndexKey.METS_IR].value == pytest.approx(math.log(350) * 25 / math.log(50), rel=1e-12)


def test_golden_display_and_metadata() -> None:
    r = golden()
    assert r[IndexKey.HOMA_IR].display_value == "2.47"
    assert r[IndexKey.HOMA_B].display_value == "97.3"
    assert r[IndexKey.QUICKI].display_value == "0.333"
    assert r[IndexKey.TG_HDL].display_value == "3.00"
    assert r[IndexKey.TYG].display_value == "8.92"
    assert r[IndexKey.METS_IR].display_value == "37.4"
    assert r[IndexKey.HOMA_IR].formula == "glucose (mg/dL) × insulin (µIU/mL) ÷ 405"
    assert r[IndexKey.HOMA_B].formula == "360 × insulin (µIU/mL) ÷ (glucose (mg/dL) − 63)"
    assert r[IndexKey.HOMA_B].unit == "%"
    assert r[IndexKey.HOMA_IR].unit == ""
    assert r[IndexKey.TG_HDL].unit == "ratio (mg/dL basis)"
    assert r[IndexKey.TG_HDL].basis is UnitSystem.CONVENTIONAL
    assert "Matthews 1985" in r[IndexKey.HOMA_IR].source
    assert "[S12]" in r[IndexKey.HOMA_IR].source
    assert "Katz 2000" in r[IndexKey.QUICKI].source
    assert "Simental-Mendía" in r[IndexKey.TYG].source
    assert "Bello-Chavolla" in r[IndexKey.METS_IR].source
    for key, result in r.items():
        assert result.key is key
        assert result.reason is None
        assert result.name
        if key is not IndexKey.TG_HDL:
            assert result.basis is None
    assert "Reference values vary by population and assay." in r[IndexKey.HOMA_IR].notes


def test_inputs_record_what_was_used() -> None:
    r = golden()
    homa = r[IndexKey.HOMA_IR]
    assert [i.analyte for i in homa.inputs] == ["glucose", "insulin"]
    assert all(i.drawn_at == DRAWN for i in homa.inputs)
    assert not any(i.converted for i in homa.inputs)
    mets = r[IndexKey.METS_IR]
    assert [i.analyte for i in mets.inputs] == ["glucose", "triglycerides", "hdl", "bmi"]


def test_homa_ir_mmol_form_gives_the_same_answer() -> None:
    r = compute_indices(draw(("glucose", 5.55, "mmol/L"), ("insulin", 10, "µIU/mL")))
    homa = r[IndexKey.HOMA_IR]
    assert homa.value == pytest.approx(2.47, abs=0.005)
    assert homa.value == pytest.approx(5.55 * 10 / 22.5, rel=1e-12)
    assert homa.formula == "glucose (mmol/L) × insulin (µIU/mL) ÷ 22.5"
    assert not any("converted" in note for note in homa.notes)
    homa_b = r[IndexKey.HOMA_B]
    assert homa_b.value == pytest.approx(20 * 10 / (5.55 - 3.5), rel=1e-12)
    assert homa_b.formula == "20 × insulin (µIU/mL) ÷ (glucose (mmol/L) − 3.5)"


def test_insulin_in_pmol_is_divided_by_6_with_a_note() -> None:
    r = compute_indices(draw(("glucose", 100, "mg/dL"), ("insulin", 60, "pmol/L")))
    homa = r[IndexKey.HOMA_IR]
    assert homa.value == pytest.approx(1000 / 405, rel=1e-12)
    insulin = homa.inputs[1]
    assert insulin.value == pytest.approx(10.0, rel=1e-12)
    assert insulin == IndexInput("insulin", insulin.value, "µIU/mL", DRAWN, 60.0, "pmol/L")
    assert insulin.converted
    assert any("6.0 pmol/L per µIU/mL" in note and "60 pmol/L" in note for note in homa.notes)
    assert r[IndexKey.QUICKI].value == pytest.approx(1 / 3, rel=1e-12)
    # With the legacy 6.945 factor HOMA-IR would be 13.6 % lower; make sure that is not used.
    assert homa.value != pytest.approx(100 * (60 / 6.945) / 405, rel=1e-3)


def test_quicki_converts_mmol_glucose_with_18016() -> None:
    r = compute_indices(draw(("glucose", 5.55, "mmol/L"), ("insulin", 10, "mIU/L")))
    quicki = r[IndexKey.QUICKI]
    expected = 1 / (math.log10(10) + math.log10(5.55 * 18.016))
    assert quicki.value == pytest.approx(expected, rel=1e-12)
    assert quicki.value == pytest.approx(0.3333, abs=5e-5)
    glucose = quicki.inputs[0]
    assert (glucose.unit, glucose.original_unit, glucose.original_value) == (
        "mg/dL",
        "mmol/L",
        5.55,
    )
    assert any("18.016" in note for note in quicki.notes)


def test_tyg_from_si_inputs() -> None:
    r = compute_indices(
        draw(("triglycerides", 150 / 88.57, "mmol/L"), ("glucose", 100 / 18.016, "mmol/L"))
    )
    tyg = r[IndexKey.TYG]
    assert tyg.value == pytest.approx(math.log(7500), rel=1e-12)
    assert any("88.57" in note for note in tyg.notes)
    assert any("18.016" in note for note in tyg.notes)
    assert any("ln(TG × glucose ÷ 2)" in note for note in tyg.notes)


def test_tg_hdl_on_mmol_basis() -> None:
    r = compute_indices(draw(("triglycerides", 1.69, "mmol/L"), ("hdl", 1.29, "mmol/L")))
    ratio = r[IndexKey.TG_HDL]
    assert ratio.value == pytest.approx(1.69 / 1.29, rel=1e-12)
    assert ratio.basis is UnitSystem.SI
    assert ratio.unit == "ratio (mmol/L basis)"
    assert ratio.formula == "triglycerides (mmol/L) ÷ HDL cholesterol (mmol/L)"
    assert not any(i.converted for i in ratio.inputs)
    assert any("3.00" in note for note in ratio.notes)  # the mg/dL-basis equivalent
    classification = classify(ratio.key, ratio.value or 0.0, ratio.unit)
    assert classification is not None
    assert classification.compared_unit == "ratio (mmol/L basis)"
    assert classification.level is Level.HIGH  # 1.31 ≥ 1.3


def test_tg_hdl_mixed_units_use_mgdl_basis() -> None:
    r = compute_indices(draw(("triglycerides", 150, "mg/dL"), ("hdl", 50 / 38.67, "mmol/L")))
    ratio = r[IndexKey.TG_HDL]
    assert ratio.value == pytest.approx(3.0, rel=1e-12)
    assert ratio.basis is UnitSystem.CONVENTIONAL
    assert ratio.unit == "ratio (mg/dL basis)"
    assert [i.converted for i in ratio.inputs] == [False, True]
    assert any("38.67" in note and "HDL" in note for note in ratio.notes)


def test_tg_hdl_is_computed_when_not_fasting_with_a_note() -> None:
    for fasting in (Fasting.NO, Fasting.UNKNOWN):
        r = compute_indices(draw(*GOLDEN, fasting=fasting))
        ratio = r[IndexKey.TG_HDL]
        assert ratio.computable
        assert ratio.value == pytest.approx(3.0)
        assert any("not marked as fasting" in note for note in ratio.notes)
    fasting_notes = golden()[IndexKey.TG_HDL].notes
    assert not any("not marked as fasting" in note for note in fasting_notes)
    assert TG_HDL_ANCESTRY_CAVEAT in fasting_notes


@pytest.mark.parametrize(
    ("fasting", "reason"),
    [(Fasting.UNKNOWN, REASON_FASTING_UNKNOWN), (Fasting.NO, REASON_NOT_FASTING)],
)
def test_fasting_required(fasting: Fasting, reason: str) -> None:
    r = compute_indices(draw(*GOLDEN, fasting=fasting), bmi=25)
    for key in (*GLUCOSE_INSULIN, IndexKey.TYG, IndexKey.METS_IR):
        assert not r[key].computable
        assert r[key].value is None
        assert r[key].reason == reason
        assert r[key].display_value == "—"
    assert reason in {"Fasting state not recorded for this draw.", "Not a fasting draw."}


def test_missing_inputs() -> None:
    r = compute_indices(draw(("glucose", 100, "mg/dL")))
    for key in GLUCOSE_INSULIN:
        assert r[key].reason == "No insulin result on this draw."
    assert r[IndexKey.TG_HDL].reason == "No triglyceride or HDL cholesterol result on this draw."
    assert r[IndexKey.TYG].reason == "No triglyceride result on this draw."
    assert r[IndexKey.METS_IR].reason == "No triglyceride or HDL cholesterol result on this draw."


def test_empty_draw_still_returns_all_six() -> None:
    r = compute_indices(LabDraw(drawn_at=DRAWN))
    assert set(r) == ALL
    assert r[IndexKey.HOMA_IR].reason == "No glucose or insulin result on this draw."
    assert r[IndexKey.METS_IR].reason == (
        "No glucose, triglyceride or HDL cholesterol result on this draw."
    )
    assert all(not result.computable and result.inputs == () for result in r.values())
    assert r[IndexKey.HOMA_IR].formula  # the formula is still shown


def test_insulin_therapy_blocks_homa_and_quicki_only() -> None:
    r = golden(on_insulin_therapy=True)
    for key in GLUCOSE_INSULIN:
        assert r[key].reason == REASON_INSULIN_THERAPY
    for key in (IndexKey.TG_HDL, IndexKey.TYG, IndexKey.METS_IR):
        assert r[key].computable


@pytest.mark.parametrize(("glucose", "unit"), [(63, "mg/dL"), (60, "mg/dL"), (3.5, "mmol/L")])
def test_homa_b_undefined_at_low_glucose(glucose: float, unit: str) -> None:
    r = compute_indices(draw(("glucose", glucose, unit), ("insulin", 10, "µIU/mL")))
    assert r[IndexKey.HOMA_B].reason == REASON_GLUCOSE_TOO_LOW_FOR_HOMA_B
    assert r[IndexKey.HOMA_IR].computable  # HOMA-IR has no such limit


def test_homa_b_just_above_the_floor() -> None:
    r = compute_indices(draw(("glucose", 64, "mg/dL"), ("insulin", 10, "µIU/mL")))
    assert r[IndexKey.HOMA_B].value == pytest.approx(3600.0)


@pytest.mark.parametrize(
    ("analyte", "value", "reason"),
    [
        ("insulin", 0.0, "Insulin must be above zero."),
        ("insulin", -2.0, "Insulin must be above zero."),
        ("glucose", 0.0, "Glucose must be above zero."),
        ("insulin", math.nan, "Insulin must be above zero."),
    ],
)
def test_non_positive_inputs(analyte: str, value: float, reason: str) -> None:
    values = {"glucose": 100.0, "insulin": 10.0, analyte: value}
    r = compute_indices(
        draw(("glucose", values["glucose"], "mg/dL"), ("insulin", values["insulin"], "µIU/mL"))
    )
    for key in GLUCOSE_INSULIN:
        assert r[key].reason == reason


def test_non_positive_lipids() -> None:
    r = compute_indices(
        draw(("glucose", 100, "mg/dL"), ("triglycerides", 0, "mg/dL"), ("hdl", 50, "mg/dL"))
    )
    assert r[IndexKey.TG_HDL].reason == "Triglycerides must be above zero."
    assert r[IndexKey.TYG].reason == "Triglycerides must be above zero."
    r = compute_indices(draw(("triglycerides", 150, "mg/dL"), ("hdl", 0, "mg/dL")))
    assert r[IndexKey.TG_HDL].reason == "HDL cholesterol must be above zero."


def test_quicki_guard_when_logs_sum_to_zero() -> None:
    r = compute_indices(draw(("glucose", 100, "mg/dL"), ("insulin", 0.01, "µIU/mL")))
    assert r[IndexKey.QUICKI].reason == "Insulin × glucose must be above 1 for QUICKI."
    assert r[IndexKey.HOMA_IR].computable


def test_unusable_unit_is_a_reason_not_a_crash() -> None:
    r = compute_indices(draw(("glucose", 100, "mg/dL"), ("insulin", 10, "ng/mL")))
    assert r[IndexKey.HOMA_IR].reason == "The insulin unit 'ng/mL' is not one this index can use."
    r = compute_indices(draw(("triglycerides", 150, "mg/dL"), ("hdl", 50, "furlongs")))
    reason = r[IndexKey.TG_HDL].reason
    assert reason is not None and "furlongs" in reason


# --- METS-IR and BMI ------------------------------------------------------------------------


def test_mets_ir_without_bmi() -> None:
    r = compute_indices(draw(*GOLDEN))
    assert r[IndexKey.METS_IR].reason == REASON_BMI_UNKNOWN
    assert REASON_BMI_UNKNOWN.startswith("BMI not known")


def test_mets_ir_bmi_from_draw_result() -> None:
    r = compute_indices(draw(*GOLDEN, ("bmi", 25, "kg/m2")), bmi=40)
    mets = r[IndexKey.METS_IR]
    assert mets.value == pytest.approx(37.435, abs=5e-4)
    assert mets.inputs[-1] == IndexInput("bmi", 25, "kg/m²", DRAWN)


def test_mets_ir_bmi_from_weight_and_height() -> None:
    # 165.3467 lb and 70 in: 75.0 kg and 177.8 cm, BMI 23.725.
    r = compute_indices(draw(*GOLDEN, ("weight", 75 / 0.45359237, "lb"), ("height", 70, "in")))
    mets = r[IndexKey.METS_IR]
    bmi = 75 / (1.778**2)
    assert mets.value == pytest.approx(math.log(350) * bmi / math.log(50), rel=1e-9)
    assert [i.analyte for i in mets.inputs] == [
        "glucose",
        "triglycerides",
        "hdl",
        "weight",
        "height",
    ]
    assert any("computed from the weight and height" in note for note in mets.notes)
    assert any("0.45359237 kg per lb" in note for note in mets.notes)
    assert any("2.54 cm per in" in note for note in mets.notes)


def test_mets_ir_bmi_argument_is_noted() -> None:
    mets = golden()[IndexKey.METS_IR]
    assert any("entered separately" in note for note in mets.notes)


@pytest.mark.parametrize("bmi", [0.0, -3.0, math.nan])
def test_mets_ir_bad_bmi_argument(bmi: float) -> None:
    r = compute_indices(draw(*GOLDEN), bmi=bmi)
    assert r[IndexKey.METS_IR].reason == "BMI must be above zero."


def test_mets_ir_hdl_guard() -> None:
    r = compute_indices(
        draw(("glucose", 100, "mg/dL"), ("triglycerides", 150, "mg/dL"), ("hdl", 1, "mg/dL")),
        bmi=25,
    )
    assert r[IndexKey.METS_IR].reason == "HDL cholesterol must be above 1 mg/dL for METS-IR."


# --- Same draw ------------------------------------------------------------------------------


def test_check_same_draw() -> None:
    assert check_same_draw([]) is None
    assert check_same_draw([("glucose", DRAWN), ("insulin", DRAWN)]) is None
    reason = check_same_draw([("glucose", DRAWN), ("insulin", DRAWN + timedelta(days=3))])
    assert reason is not None
    assert reason.startswith("Inputs come from different draws")
    assert "2024-03-05" in reason and "2024-03-08" in reason


def test_compute_indices_always_uses_one_draw() -> None:
    for result in golden().values():
        assert check_same_draw([(i.analyte, i.drawn_at) for i in result.inputs]) is None


def test_index_keys_are_exactly_the_six() -> None:
    assert [k.value for k in IndexKey] == [
        "homa_ir",
        "homa_b",
        "quicki",
        "tg_hdl",
        "tyg",
        "mets_ir",
    ]
