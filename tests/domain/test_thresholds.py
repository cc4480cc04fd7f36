"""Guideline bands and classification in the guideline's own unit (clinical.md §0.1, §3)."""

from __future__ import annotations

import math

import pytest

from journal.domain.analytes import UnitMismatchError
from journal.domain.entities import Fasting, Sex
from journal.domain.thresholds import (
    GUIDELINES,
    TG_HDL_ANCESTRY_CAVEAT,
    TG_HDL_UNIT_MGDL,
    TG_HDL_UNIT_MMOLL,
    Band,
    Classification,
    Level,
    classify,
    guidelines_for,
    tg_hdl_unit,
)
from journal.domain.units import TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS, UnitSystem

YES = Fasting.YES


def band(
    key: str,
    value: float,
    unit: str,
    *,
    sex: Sex | None = None,
    fasting: Fasting | None = YES,
) -> str:
    result = classify(key, value, unit, sex=sex, fasting=fasting)
    assert result is not None
    return result.band.label


def only(key: str, value: float, unit: str, **kwargs: object) -> Classification:
    result = classify(key, value, unit, **kwargs)  # type: ignore[arg-type]
    assert result is not None
    return result


# --- ADA fasting glucose --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (70, "normal"),
        (99, "normal"),
        (99.9, "normal"),
        (100, "prediabetes"),
        (125, "prediabetes"),
        (125.5, "prediabetes"),  # ADA prints 100–125; treated as [100, 126)
        (125.99, "prediabetes"),
        (126, "diabetes"),
        (250, "diabetes"),
    ],
)
def test_ada_fasting_glucose_mgdl(value: float, label: str) -> None:
    assert band("glucose", value, "mg/dL") == label


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (5.0, "normal"),
        (5.55, "normal"),
        (5.59, "normal"),
        (5.6, "prediabetes"),
        (6.9, "prediabetes"),
        (6.99, "prediabetes"),
        (7.0, "diabetes"),
        (11.1, "diabetes"),
    ],
)
def test_ada_fasting_glucose_mmoll(value: float, label: str) -> None:
    assert band("glucose", value, "mmol/L") == label


def test_boundary_cases_classified_in_their_own_unit() -> None:
    # 5.6 mmol/L is 100.9 mg/dL and 100 mg/dL is 5.55 mmol/L: each is judged in its own unit.
    si = only("glucose", 5.6, "mmol/L", fasting=YES)
    assert si.band.label == "prediabetes"
    assert si.compared_unit == "mmol/L"
    assert si.compared_value == 5.6
    assert not si.converted
    conventional = only("glucose", 100, "mg/dL", fasting=YES)
    assert conventional.band.label == "prediabetes"
    assert conventional.compared_unit == "mg/dL"
    assert not conventional.converted
    assert band("glucose", 100 / 18.016, "mmol/L") == "normal"
    assert band("glucose", 5.6 * 18.016, "mg/dL") == "prediabetes"


def test_glucose_unit_spellings_are_accepted() -> None:
    result = only("glucose", 126, "mg/dl", fasting=YES)
    assert result.compared_unit == "mg/dL"
    assert result.band.label == "diabetes"
    assert band("glucose", 7.0, "mmol<180.1558800000541>/L") == "diabetes"


@pytest.mark.parametrize("fasting", [Fasting.NO, Fasting.UNKNOWN, None])
def test_glucose_without_confirmed_fasting_is_not_classified(fasting: Fasting | None) -> None:
    assert classify("glucose", 140, "mg/dL", fasting=fasting) is None
    assert classify("glucose", 250, "mg/dL", fasting=fasting) is None


def test_glucose_in_a_unit_the_guideline_cannot_use() -> None:
    with pytest.raises(UnitMismatchError):
        classify("glucose", 5.7, "%", fasting=YES)


# --- ADA HbA1c ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "label"),
    [
        (5.0, "%", "normal"),
        (5.69, "%", "normal"),
        (5.7, "%", "prediabetes"),
        (6.4, "%", "prediabetes"),
        (6.49, "%", "prediabetes"),
        (6.5, "%", "diabetes"),
        (38, "mmol/mol", "normal"),
        (38.9, "mmol/mol", "normal"),
        (39, "mmol/mol", "prediabetes"),
        (47, "mmol/mol", "prediabetes"),
        (47.5, "mmol/mol", "prediabetes"),
        (48, "mmol/mol", "diabetes"),
    ],
)
def test_ada_hba1c(value: float, unit: str, label: str) -> None:
    assert band("hba1c", value, unit, fasting=None) == label


def test_hba1c_boundary_in_own_unit() -> None:
    # 5.7 % is 38.8 mmol/mol: prediabetes as a percentage, normal as 38.8 mmol/mol.
    assert band("hba1c", 5.7, "%", fasting=None) == "prediabetes"
    assert band("hba1c", 38.8, "mmol/mol", fasting=None) == "normal"


# --- Lipids (ATP III, mg/dL only) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label", "level"),
    [
        (149.9, "normal", Level.NORMAL),
        (150, "borderline high", Level.BORDERLINE),
        (199.9, "borderline high", Level.BORDERLINE),
        (200, "high", Level.HIGH),
        (499, "high", Level.HIGH),
        (500, "very high", Level.VERY_HIGH),
    ],
)
def test_triglycerides(value: float, label: str, level: Level) -> None:
    result = only("triglycerides", value, "mg/dL")
    assert (result.band.label, result.level) == (label, level)


def test_triglycerides_mmoll_converted_to_mgdl() -> None:
    assert set(guidelines_for("triglycerides")[0].bands_by_unit) == {"mg/dL"}
    result = only("triglycerides", 1.7, "mmol/L")
    assert result.converted
    assert result.compared_unit == "mg/dL"
    assert result.compared_value == pytest.approx(1.7 * 88.57)
    assert result.band.label == "borderline high"
    assert band("triglycerides", 1.69, "mmol/L") == "normal"  # 149.7 mg/dL


@pytest.mark.parametrize(
    ("sex", "value", "label"),
    [
        (Sex.MALE, 39.9, "low"),
        (Sex.MALE, 40, "neither low nor high"),
        (Sex.MALE, 45, "neither low nor high"),
        (Sex.MALE, 59.9, "neither low nor high"),
        (Sex.MALE, 60, "high (protective)"),
        (Sex.FEMALE, 45, "low"),
        (Sex.FEMALE, 49.9, "low"),
        (Sex.FEMALE, 50, "neither low nor high"),
        (Sex.FEMALE, 60, "high (protective)"),
        (None, 39.9, "low"),
        (None, 45, "neither low nor high"),
        (None, 60, "high (protective)"),
    ],
)
def test_hdl_by_sex(sex: Sex | None, value: float, label: str) -> None:
    assert band("hdl", value, "mg/dL", sex=sex) == label


def test_hdl_levels_treat_high_as_favourable() -> None:
    assert only("hdl", 30, "mg/dL").level is Level.LOW
    assert only("hdl", 70, "mg/dL").level is Level.OPTIMAL


def test_hdl_guideline_selection_by_sex() -> None:
    (men,) = guidelines_for("hdl", Sex.MALE)
    (women,) = guidelines_for("hdl", Sex.FEMALE)
    (unknown,) = guidelines_for("hdl")
    assert men.sex is Sex.MALE
    assert women.sex is Sex.FEMALE
    assert unknown.sex is None
    assert unknown.note is not None and "50" in unknown.note and "40" in unknown.note


def test_hdl_mmoll_is_converted() -> None:
    result = only("hdl", 1.0, "mmol/L", sex=Sex.MALE)
    assert result.converted
    assert result.compared_value == pytest.approx(38.67)
    assert result.band.label == "low"
    assert band("hdl", 1.1, "mmol/L", sex=Sex.FEMALE) == "low"  # 42.5 mg/dL


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (99.9, "optimal"),
        (100, "near or above optimal"),
        (129.9, "near or above optimal"),
        (130, "borderline high"),
        (159.9, "borderline high"),
        (160, "high"),
        (189.9, "high"),
        (190, "very high"),
    ],
)
def test_ldl(value: float, label: str) -> None:
    assert band("ldl", value, "mg/dL") == label


def test_ldl_mmoll() -> None:
    assert band("ldl", 2.58, "mmol/L") == "optimal"  # 99.8 mg/dL
    assert band("ldl", 2.59, "mmol/L") == "near or above optimal"  # 100.2 mg/dL
    assert band("ldl", 4.92, "mmol/L") == "very high"


@pytest.mark.parametrize(
    ("value", "label"),
    [(199.9, "desirable"), (200, "borderline high"), (239.9, "borderline high"), (240, "high")],
)
def test_total_cholesterol(value: float, label: str) -> None:
    assert band("total_cholesterol", value, "mg/dL") == label


# --- hs-CRP, BMI ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0.5, Level.OPTIMAL),
        (0.99, Level.OPTIMAL),
        (1.0, Level.NORMAL),
        (3.0, Level.NORMAL),  # the statement prints "> 3" for high
        (3.01, Level.HIGH),
        (10.0, Level.HIGH),
        (10.01, Level.VERY_HIGH),
        (50, Level.VERY_HIGH),
    ],
)
def test_hs_crp(value: float, level: Level) -> None:
    assert only("hs_crp", value, "mg/L").level is level


def test_hs_crp_mgdl_converted() -> None:
    result = only("hs_crp", 0.35, "mg/dL")
    assert result.converted
    assert result.compared_unit == "mg/L"
    assert result.compared_value == pytest.approx(3.5)
    assert result.level is Level.HIGH


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (18.49, "underweight"),
        (18.5, "normal"),
        (24.99, "normal"),
        (25, "pre-obese"),
        (29.99, "pre-obese"),
        (30, "obese class I"),
        (34.99, "obese class I"),
        (35, "obese class II"),
        (39.99, "obese class II"),
        (40, "obese class III"),
    ],
)
def test_bmi(value: float, label: str) -> None:
    assert band("bmi", value, "kg/m²") == label
    assert band("bmi", value, "kg/m2") == label


# --- Index guide bands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0.5, "optimal"),
        (0.99, "optimal"),
        (1.0, "above optimal"),
        (1.89, "above optimal"),
        (1.9, "early insulin resistance"),
        (2.47, "early insulin resistance"),
        (2.89, "early insulin resistance"),
        (2.9, "more marked insulin resistance"),
        (5.0, "more marked insulin resistance"),
    ],
)
def test_homa_ir_guide_bands(value: float, label: str) -> None:
    assert band("homa_ir", value, "", fasting=None) == label


def test_homa_ir_note_says_not_a_diagnosis() -> None:
    (guide,) = guidelines_for("homa_ir")
    assert guide.note is not None
    assert "not a diagnosis" in guide.note
    assert "population" in guide.note and "assay" in guide.note


@pytest.mark.parametrize(
    ("value", "unit", "level"),
    [
        (1.99, TG_HDL_UNIT_MGDL, Level.OPTIMAL),
        (2.0, TG_HDL_UNIT_MGDL, Level.BORDERLINE),
        (2.99, TG_HDL_UNIT_MGDL, Level.BORDERLINE),
        (3.0, TG_HDL_UNIT_MGDL, Level.HIGH),
        (0.86, TG_HDL_UNIT_MMOLL, Level.OPTIMAL),
        (0.87, TG_HDL_UNIT_MMOLL, Level.BORDERLINE),
        (1.29, TG_HDL_UNIT_MMOLL, Level.BORDERLINE),
        (1.3, TG_HDL_UNIT_MMOLL, Level.HIGH),
    ],
)
def test_tg_hdl_bands_on_both_bases(value: float, unit: str, level: Level) -> None:
    result = only("tg_hdl", value, unit)
    assert result.level is level
    assert result.compared_unit == unit
    assert not result.converted


@pytest.mark.parametrize(("mgdl", "mmoll"), [(2.0, 0.87), (2.5, 1.09), (3.0, 1.31), (3.5, 1.53)])
def test_tg_hdl_cutoff_equivalence(mgdl: float, mmoll: float) -> None:
    assert mgdl / TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS == pytest.approx(mmoll, abs=0.005)


def test_tg_hdl_bands_use_published_13_not_derived_131() -> None:
    # 1.30 on the mmol/L basis is 2.98 on the mg/dL basis: each basis keeps its own cut-off.
    assert only("tg_hdl", 1.30, TG_HDL_UNIT_MMOLL).level is Level.HIGH
    equivalent = 1.30 * TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS
    assert equivalent == pytest.approx(2.977, abs=0.001)
    assert only("tg_hdl", equivalent, TG_HDL_UNIT_MGDL).level is Level.BORDERLINE


def test_tg_hdl_without_basis_is_rejected() -> None:
    with pytest.raises(UnitMismatchError, match="published in"):
        classify("tg_hdl", 3.0, "ratio")


def test_tg_hdl_note_carries_ancestry_caveat() -> None:
    (guide,) = guidelines_for("tg_hdl")
    assert guide.note is not None and TG_HDL_ANCESTRY_CAVEAT in guide.note
    assert "African ancestry" in TG_HDL_ANCESTRY_CAVEAT


def test_tg_hdl_unit_helper() -> None:
    assert tg_hdl_unit(UnitSystem.CONVENTIONAL) == TG_HDL_UNIT_MGDL
    assert tg_hdl_unit(UnitSystem.SI) == TG_HDL_UNIT_MMOLL


# --- General --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["insulin", "cgm_mean_glucose", "tyg", "quicki", "mets_ir", "weight", "nonsense"]
)
def test_keys_without_bands(key: str) -> None:
    assert guidelines_for(key) == ()
    assert classify(key, 10.0, "mg/dL", fasting=YES) is None


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_values_are_not_classified(value: float) -> None:
    assert classify("ldl", value, "mg/dL") is None


def test_every_guideline_partitions_the_line() -> None:
    for guideline in GUIDELINES.values():
        for unit, bands in guideline.bands_by_unit.items():
            edges = sorted({e for b in bands for e in (b.low, b.high) if e is not None})
            probes = [-1e9, 1e9, *edges, *(e + 1e-9 for e in edges), *(e - 1e-9 for e in edges)]
            for probe in probes:
                hits = [b for b in bands if b.contains(probe)]
                assert len(hits) == 1, (guideline.key, unit, probe, hits)


def test_every_guideline_cites_a_source_and_its_applies_to_exists() -> None:
    for guideline in GUIDELINES.values():
        assert guideline.source
        assert guideline.bands_by_unit
        assert guidelines_for(guideline.applies_to, guideline.sex)


def test_phrase_is_descriptive_not_diagnostic() -> None:
    result = only("glucose", 110, "mg/dL", fasting=YES)
    assert result.phrase == "in the range ADA calls prediabetes"
    assert "you" not in result.phrase.lower()


def test_band_contains_and_range_text() -> None:
    half_open = Band("x", 100.0, 126.0, Level.BORDERLINE)
    assert half_open.contains(100) and half_open.contains(125.99)
    assert not half_open.contains(126) and not half_open.contains(99.99)
    assert half_open.range_text == "100 to under 126"
    closed = Band("y", 3.0, 10.0, Level.HIGH, low_inclusive=False, high_inclusive=True)
    assert not closed.contains(3.0) and closed.contains(10.0)
    assert closed.range_text == "above 3 to 10"
    assert Band("z", None, 1.0, Level.OPTIMAL).range_text == "under 1"
    assert Band("z", 2.9, None, Level.HIGH).range_text == "2.9 and above"
    assert Band("z", None, None, Level.NORMAL).range_text == "any value"


def test_level_values() -> None:
    assert [level.value for level in Level] == [
        "optimal",
        "normal",
        "borderline",
        "high",
        "very_high",
        "low",
    ]


def test_guidelines_and_classifications_are_hashable() -> None:
    result = only("ldl", 120, "mg/dL")
    assert {result.guideline: 1}[GUIDELINES["atp3_ldl"]] == 1
    assert hash(result) == hash(only("ldl", 120, "mg/dL"))
