"""Typo and unit mix-up gates (clinical.md §1.6)."""

from __future__ import annotations

import math

import pytest

from journal.domain.analytes import CATALOGUE, UnitMismatchError, get_analyte
from journal.domain.plausibility import (
    _MIXUPS,
    PlausibilityResult,
    Verdict,
    check_blood_pressure,
    check_value,
)

OK, CHECK, IMPOSSIBLE = Verdict.OK, Verdict.CHECK, Verdict.IMPOSSIBLE


def verdict(key: str, value: float, unit: str) -> Verdict:
    return check_value(key, value, unit).verdict


@pytest.mark.parametrize(
    ("key", "value", "unit", "expected"),
    [
        # Glucose: accept 40–400, ask 20–40 / 400–600 (and beyond), reject < 10 or > 1500.
        ("glucose", 40, "mg/dL", OK),
        ("glucose", 94, "mg/dL", OK),
        ("glucose", 400, "mg/dL", OK),
        ("glucose", 39.9, "mg/dL", CHECK),
        ("glucose", 20, "mg/dL", CHECK),
        ("glucose", 400.1, "mg/dL", CHECK),
        ("glucose", 600, "mg/dL", CHECK),
        ("glucose", 1500, "mg/dL", CHECK),
        ("glucose", 10, "mg/dL", CHECK),
        ("glucose", 9.9, "mg/dL", IMPOSSIBLE),
        ("glucose", 1500.1, "mg/dL", IMPOSSIBLE),
        ("glucose", 5.4, "mmol/L", OK),
        ("glucose", 2.2, "mmol/L", CHECK),  # 39.6 mg/dL
        ("glucose", 22.3, "mmol/L", CHECK),  # 401.8 mg/dL
        # Insulin: accept 1–100, ask 0.5–1 / 100–300.
        ("insulin", 1, "µIU/mL", OK),
        ("insulin", 100, "µIU/mL", OK),
        ("insulin", 0.5, "µIU/mL", CHECK),
        ("insulin", 0.9, "µIU/mL", CHECK),
        ("insulin", 100.1, "µIU/mL", CHECK),
        ("insulin", 300, "µIU/mL", CHECK),
        ("insulin", 60, "pmol/L", OK),
        ("insulin", 700, "pmol/L", CHECK),  # 116.7 µIU/mL
        # HbA1c: accept 4–14 %, ask 3–4 / 14–20 %.
        ("hba1c", 4, "%", OK),
        ("hba1c", 14, "%", OK),
        ("hba1c", 3.5, "%", CHECK),
        ("hba1c", 3, "%", CHECK),
        ("hba1c", 14.1, "%", CHECK),
        ("hba1c", 20, "%", CHECK),
        ("hba1c", 48, "mmol/mol", OK),
        ("hba1c", 130, "mmol/mol", CHECK),  # 14.05 %
        # Triglycerides: accept 30–1000, ask 20–30 / 1000–2000.
        ("triglycerides", 30, "mg/dL", OK),
        ("triglycerides", 1000, "mg/dL", OK),
        ("triglycerides", 20, "mg/dL", CHECK),
        ("triglycerides", 2000, "mg/dL", CHECK),
        ("triglycerides", 1.3, "mmol/L", OK),
        # HDL: accept 20–100, ask 10–20 / 100–150.
        ("hdl", 20, "mg/dL", OK),
        ("hdl", 100, "mg/dL", OK),
        ("hdl", 10, "mg/dL", CHECK),
        ("hdl", 150, "mg/dL", CHECK),
        ("hdl", 1.2, "mmol/L", OK),
        # LDL 30–300 and total cholesterol 80–400.
        ("ldl", 30, "mg/dL", OK),
        ("ldl", 300, "mg/dL", OK),
        ("ldl", 29, "mg/dL", CHECK),
        ("ldl", 301, "mg/dL", CHECK),
        ("total_cholesterol", 80, "mg/dL", OK),
        ("total_cholesterol", 400, "mg/dL", OK),
        ("total_cholesterol", 79, "mg/dL", CHECK),
        ("total_cholesterol", 401, "mg/dL", CHECK),
        ("total_cholesterol", 5.2, "mmol/L", OK),
        # hs-CRP: accept 0.1–20, ask 20–200.
        ("hs_crp", 0.1, "mg/L", OK),
        ("hs_crp", 20, "mg/L", OK),
        ("hs_crp", 50, "mg/L", CHECK),
        ("hs_crp", 200, "mg/L", CHECK),
        ("hs_crp", 0.05, "mg/L", CHECK),
        ("hs_crp", 0.3, "mg/dL", OK),
        # Weight: accept 30–250 kg, ask 25–350 kg.
        ("weight", 30, "kg", OK),
        ("weight", 250, "kg", OK),
        ("weight", 25, "kg", CHECK),
        ("weight", 350, "kg", CHECK),
        ("weight", 165, "lb", OK),
        # Waist: accept 50–160 cm, ask 40–200 cm.
        ("waist", 50, "cm", OK),
        ("waist", 160, "cm", OK),
        ("waist", 40, "cm", CHECK),
        ("waist", 200, "cm", CHECK),
        ("waist", 34, "in", OK),
        # Blood pressure components: accept SBP 80–200, DBP 40–120; ask SBP 60–260, DBP 30–160.
        ("systolic_bp", 80, "mm Hg", OK),
        ("systolic_bp", 200, "mm Hg", OK),
        ("systolic_bp", 60, "mm Hg", CHECK),
        ("systolic_bp", 260, "mmHg", CHECK),
        ("diastolic_bp", 40, "mm Hg", OK),
        ("diastolic_bp", 120, "mm Hg", OK),
        ("diastolic_bp", 30, "mm Hg", CHECK),
        ("diastolic_bp", 160, "mm[Hg]", CHECK),
        # From the §1.1 gate column.
        ("c_peptide", 2.0, "ng/mL", OK),
        ("c_peptide", 0.66, "nmol/L", OK),
        ("c_peptide", 25, "ng/mL", CHECK),
        ("alt", 25, "U/L", OK),
        ("alt", 2500, "U/L", CHECK),
        ("uric_acid", 5.6, "mg/dL", OK),
        ("uric_acid", 333, "µmol/L", OK),
        ("bmi", 25, "kg/m²", OK),
        ("bmi", 90, "kg/m²", CHECK),
        ("height", 175, "cm", OK),
        ("heart_rate", 62, "/min", OK),
        ("heart_rate", 240, "/min", CHECK),
        ("cgm_mean_glucose", 140, "mg/dL", OK),
    ],
)
def test_gates(key: str, value: float, unit: str, expected: Verdict) -> None:
    result = check_value(key, value, unit)
    assert result.verdict is expected
    if expected is OK:
        assert result.message is None
        assert result.suggested_unit is None
    else:
        assert result.message


@pytest.mark.parametrize(
    ("key", "value", "unit", "suggested", "expected"),
    [
        ("glucose", 5.4, "mg/dL", "mmol/L", IMPOSSIBLE),
        ("glucose", 34, "mg/dL", "mmol/L", CHECK),
        ("glucose", 94, "mmol/L", "mg/dL", IMPOSSIBLE),
        ("glucose", 36, "mmol/L", "mg/dL", CHECK),
        ("cgm_mean_glucose", 7.8, "mg/dL", "mmol/L", IMPOSSIBLE),
        ("hba1c", 38, "%", "mmol/mol", IMPOSSIBLE),
        ("hba1c", 20.1, "%", "mmol/mol", CHECK),
        ("hba1c", 5.7, "mmol/mol", "%", CHECK),
        ("triglycerides", 1.3, "mg/dL", "mmol/L", CHECK),
        ("triglycerides", 150, "mmol/L", "mg/dL", CHECK),
        ("hdl", 1.2, "mg/dL", "mmol/L", CHECK),
        ("hdl", 50, "mmol/L", "mg/dL", IMPOSSIBLE),  # 1934 mg/dL
        ("hdl", 6, "mmol/L", "mg/dL", CHECK),
        ("ldl", 3.2, "mg/dL", "mmol/L", CHECK),
        ("ldl", 120, "mmol/L", "mg/dL", IMPOSSIBLE),
        ("ldl", 30, "mmol/L", "mg/dL", CHECK),
        ("total_cholesterol", 5.2, "mg/dL", "mmol/L", IMPOSSIBLE),
        ("non_hdl", 3.9, "mg/dL", "mmol/L", CHECK),
        ("hs_crp", 3.5, "mg/dL", "mg/L", CHECK),
        ("weight", 300, "kg", "lb", CHECK),
        ("weight", 60, "lb", "kg", CHECK),
        ("waist", 36, "cm", "in", CHECK),
        ("waist", 90, "in", "cm", CHECK),
        ("height", 70, "cm", "in", CHECK),
        ("uric_acid", 350, "mg/dL", "µmol/L", IMPOSSIBLE),
        ("uric_acid", 5.6, "µmol/L", "mg/dL", CHECK),
    ],
)
def test_unit_mix_up_suggestions(
    key: str, value: float, unit: str, suggested: str, expected: Verdict
) -> None:
    result = check_value(key, value, unit)
    assert result.verdict is expected
    assert result.suggested_unit == suggested
    assert result.message is not None
    assert get_analyte(key).name in result.message
    assert suggested in result.message
    assert "check" in result.message.lower()


def test_glucose_message_names_value_and_unit() -> None:
    result = check_value("glucose", 5.4, "mg/dL")
    assert result.message is not None
    assert "Glucose 5.4 mg/dL" in result.message
    assert "mmol/L" in result.message


def test_insulin_above_150_asks_about_pmol_without_converting() -> None:
    result = check_value("insulin", 180, "µIU/mL")
    assert result.verdict is CHECK
    assert result.suggested_unit == "pmol/L"
    assert result.message is not None
    assert "Insulin 180 µIU/mL" in result.message
    assert "?" in result.message
    assert "30" not in result.message  # no converted number is offered


def test_insulin_at_150_is_questioned_without_a_unit_suggestion() -> None:
    result = check_value("insulin", 150, "µIU/mL")
    assert result.verdict is CHECK
    assert result.suggested_unit is None


def test_values_near_mix_up_thresholds_without_suggestion() -> None:
    assert check_value("glucose", 35, "mg/dL").suggested_unit is None
    assert check_value("glucose", 35, "mmol/L").suggested_unit is None
    assert check_value("hba1c", 20, "%").suggested_unit is None
    assert check_value("triglycerides", 15, "mg/dL").suggested_unit is None
    assert check_value("hdl", 5, "mg/dL").suggested_unit is None
    assert check_value("ldl", 15, "mg/dL").suggested_unit is None
    assert check_value("hs_crp", 50, "mg/L").suggested_unit is None


def test_every_mix_up_rule_fires_only_outside_the_accept_range() -> None:
    for key, rules in _MIXUPS.items():
        analyte = CATALOGUE[key]
        for rule in rules:
            for bound, step in ((rule.below, -1e-6), (rule.above, 1e-6)):
                if bound is None:
                    continue
                for probe in (bound + step, bound * (0.5 if step < 0 else 2.0)):
                    if probe < 0:
                        continue
                    result = check_value(key, probe, rule.entered_unit)
                    assert result.verdict is not OK, (key, rule, probe)
                    assert result.suggested_unit == rule.suggested_unit
                    assert rule.suggested_unit in analyte.units


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_impossible(value: float) -> None:
    result = check_value("glucose", value, "mg/dL")
    assert result.verdict is IMPOSSIBLE
    assert result.message is not None
    assert "glucose" in result.message and "not a number" in result.message


@pytest.mark.parametrize("key", ["glucose", "insulin", "hdl", "weight", "hba1c"])
def test_negative_values_are_impossible(key: str) -> None:
    analyte = get_analyte(key)
    result = check_value(key, -1.0, analyte.conventional_unit)
    assert result.verdict is IMPOSSIBLE
    assert result.message is not None
    assert analyte.name in result.message and "negative" in result.message


@pytest.mark.parametrize("key", list(CATALOGUE))
def test_middle_of_accept_range_is_ok_in_every_unit(key: str) -> None:
    analyte = CATALOGUE[key]
    middle = sum(analyte.plausible) / 2
    for unit in analyte.units:
        value = analyte.convert(middle, analyte.conventional_unit, unit)
        assert check_value(key, value, unit) == PlausibilityResult(OK, None, None)


@pytest.mark.parametrize("key", list(CATALOGUE))
def test_far_beyond_hard_limits_is_impossible(key: str) -> None:
    analyte = CATALOGUE[key]
    result = check_value(key, analyte.hard_limits[1] * 1.01 + 1, analyte.conventional_unit)
    assert result.verdict is IMPOSSIBLE
    assert result.message is not None


def test_unit_spellings_accepted() -> None:
    assert verdict("glucose", 94, "mg/dl") is OK
    assert verdict("glucose", 5.2, "mmol<180.1558800000541>/L") is OK
    assert verdict("insulin", 8, "mIU/L") is OK


def test_unknown_unit_or_key() -> None:
    with pytest.raises(UnitMismatchError):
        check_value("glucose", 94, "%")
    with pytest.raises(UnitMismatchError):
        check_value("glucose", 94, "furlongs")
    with pytest.raises(KeyError):
        check_value("sugar", 94, "mg/dL")


# --- Blood pressure pairs -------------------------------------------------------------------


def test_normal_blood_pressure() -> None:
    assert check_blood_pressure(120, 80) == PlausibilityResult(OK, None, None)


@pytest.mark.parametrize(("sbp", "dbp"), [(80, 120), (120, 120), (90, 95)])
def test_swapped_blood_pressure(sbp: float, dbp: float) -> None:
    result = check_blood_pressure(sbp, dbp)
    assert result.verdict is CHECK
    assert result.message is not None and "swapped" in result.message
    assert result.suggested_unit is None


def test_blood_pressure_reports_the_worst_component() -> None:
    result = check_blood_pressure(400, 80)
    assert result.verdict is IMPOSSIBLE
    assert result.message is not None and "Systolic" in result.message
    result = check_blood_pressure(120, 30)
    assert result.verdict is CHECK
    assert result.message is not None and "Diastolic blood pressure 30 mm Hg" in result.message


def test_blood_pressure_not_a_number() -> None:
    result = check_blood_pressure(math.nan, 80)
    assert result.verdict is IMPOSSIBLE
    assert result.message is not None and "swapped" not in result.message
