"""Analyte catalogue: keys, LOINC codes, names and conversions (clinical.md §1)."""

from __future__ import annotations

import pytest

from journal.domain.analytes import (
    CATALOGUE,
    FASTING_LOINC,
    USUAL_PANEL,
    Analyte,
    Conversion,
    UnitMismatchError,
    analyte_for_loinc,
    analyte_for_name,
    get_analyte,
    unit_for_system,
)
from journal.domain.units import CANONICAL_UNITS, UnitSystem

KEYS = [
    "glucose",
    "insulin",
    "hba1c",
    "triglycerides",
    "hdl",
    "ldl",
    "total_cholesterol",
    "non_hdl",
    "tc_hdl_ratio",
    "c_peptide",
    "hs_crp",
    "alt",
    "ast",
    "ggt",
    "uric_acid",
    "weight",
    "height",
    "bmi",
    "waist",
    "systolic_bp",
    "diastolic_bp",
    "heart_rate",
    "cgm_mean_glucose",
]

# Written out independently of the catalogue so a dropped or moved code fails here.
EXPECTED_LOINC = {
    "glucose": [
        "2345-7",
        "1558-6",
        "14771-0",
        "2339-0",
        "14749-6",
        "15074-8",
        "41653-7",
        "1557-8",
        "1556-0",
        "41604-0",
        "14770-2",
        "76629-5",
        "77145-1",
    ],
    "insulin": [
        "20448-7",
        "27873-9",
        "59179-2",
        "14796-7",
        "3695-4",
        "56482-3",
        "14293-5",
        "1570-1",
    ],
    "hba1c": ["4548-4", "17856-6", "4549-2", "59261-8"],
    "triglycerides": ["2571-8", "3043-7", "14927-8"],
    "hdl": ["2085-9", "14646-4"],
    "ldl": ["13457-7", "18262-6", "2089-1", "69419-0"],
    "total_cholesterol": ["2093-3", "14647-2"],
    "non_hdl": ["43396-1"],
    "tc_hdl_ratio": ["9830-1"],
    "c_peptide": ["1986-9", "13037-7", "42180-0"],
    "hs_crp": ["30522-7", "1988-5"],
    "alt": ["1742-6", "1743-4"],
    "ast": ["1920-8"],
    "ggt": ["2324-2"],
    "uric_acid": ["3084-1", "14933-6"],
    "weight": ["29463-7", "3141-9"],
    "height": ["8302-2"],
    "bmi": ["39156-5"],
    "waist": ["8280-0"],
    "systolic_bp": ["8480-6"],
    "diastolic_bp": ["8462-4"],
    "heart_rate": ["8867-4"],
    "cgm_mean_glucose": ["97507-8"],
}

PRIMARY = {
    "glucose": "2345-7",
    "insulin": "20448-7",
    "hba1c": "4548-4",
    "triglycerides": "2571-8",
    "hdl": "2085-9",
    "ldl": "13457-7",
    "total_cholesterol": "2093-3",
    "c_peptide": "1986-9",
    "hs_crp": "30522-7",
    "alt": "1742-6",
    "uric_acid": "3084-1",
    "weight": "29463-7",
    "bmi": "39156-5",
    "waist": "8280-0",
}


def test_catalogue_keys_and_order() -> None:
    assert list(CATALOGUE) == KEYS
    assert tuple(KEYS[: len(USUAL_PANEL)]) == USUAL_PANEL
    assert USUAL_PANEL == (
        "glucose",
        "insulin",
        "hba1c",
        "triglycerides",
        "hdl",
        "ldl",
        "total_cholesterol",
    )


def test_catalogue_is_read_only() -> None:
    with pytest.raises(TypeError):
        CATALOGUE["x"] = CATALOGUE["glucose"]  # type: ignore[index]


@pytest.mark.parametrize("key", KEYS)
def test_every_analyte_is_consistent(key: str) -> None:
    a = CATALOGUE[key]
    assert a.key == key
    assert a.name and a.short_name and a.group and a.source.startswith("[S")
    assert a.conventional_unit in CANONICAL_UNITS
    assert a.si_unit in CANONICAL_UNITS
    assert all(unit in CANONICAL_UNITS for unit, _ in a.extra_units)
    assert a.units[0] == a.conventional_unit
    low, high = a.plausible
    hard_low, hard_high = a.hard_limits
    assert 0 <= hard_low <= low < high <= hard_high
    if a.conversion is None:
        assert a.si_unit == a.conventional_unit


@pytest.mark.parametrize(("key", "codes"), EXPECTED_LOINC.items())
def test_loinc_codes_per_analyte(key: str, codes: list[str]) -> None:
    a = CATALOGUE[key]
    assert a.loinc == codes[0]
    assert set(a.alt_loinc) == set(codes[1:])
    assert len(a.alt_loinc) == len(codes) - 1


@pytest.mark.parametrize(
    ("code", "key"), [(code, key) for key, codes in EXPECTED_LOINC.items() for code in codes]
)
def test_analyte_for_loinc_finds_every_code(code: str, key: str) -> None:
    found = analyte_for_loinc(code)
    assert found is not None
    assert found.key == key


@pytest.mark.parametrize(("key", "code"), PRIMARY.items())
def test_primary_codes(key: str, code: str) -> None:
    assert get_analyte(key).loinc == code


def test_synthea_codes() -> None:
    glucose = analyte_for_loinc("2339-0")
    hba1c = analyte_for_loinc("4548-4")
    assert glucose is not None and glucose.key == "glucose"
    assert hba1c is not None and hba1c.key == "hba1c"
    ldl = analyte_for_loinc("18262-6")
    assert ldl is not None and ldl.key == "ldl"


@pytest.mark.parametrize("code", ["85354-9", "56086-2", "", "0000-0", "2345"])
def test_codes_outside_the_catalogue(code: str) -> None:
    assert analyte_for_loinc(code) is None


def test_loinc_lookup_tolerates_whitespace_and_prefix() -> None:
    assert analyte_for_loinc(" 2345-7 ") is CATALOGUE["glucose"]
    assert analyte_for_loinc("LOINC:1558-6") is CATALOGUE["glucose"]


def test_fasting_loinc_set() -> None:
    assert (
        frozenset(
            {
                "1558-6",
                "14771-0",
                "1557-8",
                "1556-0",
                "41604-0",
                "14770-2",
                "76629-5",
                "77145-1",
                "27873-9",
                "59179-2",
                "13037-7",
                "42180-0",
            }
        )
        == FASTING_LOINC
    )
    for code in FASTING_LOINC:
        found = analyte_for_loinc(code)
        assert found is not None and found.key in {"glucose", "insulin", "c_peptide"}
    assert "2345-7" not in FASTING_LOINC
    assert "20448-7" not in FASTING_LOINC


def test_get_analyte_unknown_key() -> None:
    with pytest.raises(KeyError, match="No analyte with key 'sugar'"):
        get_analyte("sugar")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Total Cholesterol", "total_cholesterol"),
        ("Triglycerides", "triglycerides"),
        ("Low Density Lipoprotein Cholesterol", "ldl"),
        ("High Density Lipoprotein Cholesterol", "hdl"),
        ("Hemoglobin A1c/Hemoglobin.total in Blood", "hba1c"),
        ("Hemoglobin A1c/Hemoglobin.total in Blood by HPLC", "hba1c"),
        ("Glucose", "glucose"),
        ("Body Weight", "weight"),
        ("Body Mass Index", "bmi"),
        ("Body mass index (BMI) [Ratio]", "bmi"),
        ("HbA1c", "hba1c"),
        ("A1C", "hba1c"),
        ("Fasting glucose", "glucose"),
        ("Fasting insulin", "insulin"),
        ("HDL", "hdl"),
        ("LDL", "ldl"),
        ("TG", "triglycerides"),
        ("GLUCOSE", "glucose"),
        ("glucose, serum (fasting)", "glucose"),
        ("Glucose [Mass/volume] in Serum or Plasma", "glucose"),
        ("Glucose [Mass/volume] in Blood", "glucose"),
        ("Fasting glucose [Moles/volume] in Serum or Plasma", "glucose"),
        ("Insulin [Units/volume] in Serum or Plasma --fasting", "insulin"),
        ("Cholesterol in HDL [Mass/volume] in Serum or Plasma", "hdl"),
        ("Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "ldl"),
        ("Cholesterol [Mass/volume] in Serum or Plasma", "total_cholesterol"),
        ("Triglyceride [Mass/volume] in Serum or Plasma", "triglycerides"),
        ("Cholesterol non HDL [Mass/volume] in Serum or Plasma", "non_hdl"),
        ("Cholesterol.total/Cholesterol in HDL [Mass Ratio] in Serum or Plasma", "tc_hdl_ratio"),
        (
            "C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method",
            "hs_crp",
        ),
        ("hs-CRP", "hs_crp"),
        ("C-Peptide", "c_peptide"),
        ("ALT (SGPT)", "alt"),
        ("AST", "ast"),
        ("GGT", "ggt"),
        ("Uric Acid", "uric_acid"),
        ("Body height", "height"),
        ("Waist Circumference at umbilicus by Tape measure", "waist"),
        ("Systolic blood pressure", "systolic_bp"),
        ("Diastolic blood pressure", "diastolic_bp"),
        ("Heart rate", "heart_rate"),
        (
            "Average glucose [Mass/volume] in Interstitial fluid during Reporting Period",
            "cgm_mean_glucose",
        ),
        ("LDL-C", "ldl"),
        ("HDL Cholesterol", "hdl"),
        ("total_cholesterol", "total_cholesterol"),
    ],
)
def test_analyte_for_name(text: str, key: str) -> None:
    found = analyte_for_name(text)
    assert found is not None, text
    assert found.key == key


@pytest.mark.parametrize("text", ["", "   ", "fasting", "Blood pressure", "Ferritin", "Vitamin D"])
def test_analyte_for_name_unknown(text: str) -> None:
    assert analyte_for_name(text) is None


# --- Conversions (clinical.md §1.2) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("mgdl", "mmoll"),
    [
        (54, 3.00),
        (70, 3.89),
        (100, 5.55),
        (125, 6.94),
        (126, 6.99),
        (140, 7.77),
        (180, 9.99),
        (200, 11.10),
        (250, 13.88),
    ],
)
def test_glucose_cutoffs_converted(mgdl: float, mmoll: float) -> None:
    assert get_analyte("glucose").convert(mgdl, "mg/dL", "mmol/L") == pytest.approx(
        mmoll, abs=0.005
    )


def test_glucose_factor_both_ways() -> None:
    glucose = get_analyte("glucose")
    assert glucose.convert(100, "mg/dL", "mmol/L") == pytest.approx(100 / 18.016, rel=1e-12)
    assert glucose.convert(5.6, "mmol/L", "mg/dL") == pytest.approx(100.89, abs=0.005)
    assert glucose.convert(1, "mmol/L", "mg/dL") == pytest.approx(18.016, rel=1e-12)
    assert glucose.convert(100, "mg/dL", "mmol/L") * 18 == pytest.approx(99.91, abs=0.005)


@pytest.mark.parametrize(
    ("key", "mgdl", "mmoll"),
    [
        ("triglycerides", 150, 1.69),
        ("hdl", 40, 1.03),
        ("hdl", 50, 1.29),
        ("total_cholesterol", 200, 5.17),
        ("total_cholesterol", 240, 6.21),
        ("ldl", 100, 2.59),
        ("ldl", 130, 3.36),
        ("ldl", 160, 4.14),
        ("ldl", 190, 4.91),
        ("non_hdl", 130, 3.36),
    ],
)
def test_lipid_cutoffs_converted(key: str, mgdl: float, mmoll: float) -> None:
    assert get_analyte(key).convert(mgdl, "mg/dL", "mmol/L") == pytest.approx(mmoll, abs=0.005)


def test_lipid_factors() -> None:
    assert get_analyte("triglycerides").convert(1, "mmol/L", "mg/dL") == pytest.approx(88.57)
    assert get_analyte("triglycerides").convert(1, "mg/dL", "mmol/L") == pytest.approx(
        0.01129, abs=5e-6
    )
    assert get_analyte("hdl").convert(1, "mmol/L", "mg/dL") == pytest.approx(38.67)
    assert get_analyte("ldl").convert(1, "mg/dL", "mmol/L") == pytest.approx(0.02586, abs=5e-6)


@pytest.mark.parametrize(
    ("percent", "mmolmol"),
    [(5.7, 38.8), (6.4, 46.4), (6.5, 47.5), (7.0, 53.0)],
)
def test_hba1c_master_equation(percent: float, mmolmol: float) -> None:
    hba1c = get_analyte("hba1c")
    assert hba1c.convert(percent, "%", "mmol/mol") == pytest.approx(mmolmol, abs=0.05)
    assert hba1c.convert(mmolmol, "mmol/mol", "%") == pytest.approx(percent, abs=0.005)


def test_hba1c_master_equation_exact_form() -> None:
    hba1c = get_analyte("hba1c")
    assert hba1c.convert(48, "mmol/mol", "%") == pytest.approx(0.09148 * 48 + 2.152, rel=1e-12)
    assert hba1c.convert(6.5, "%", "mmol/mol") == pytest.approx((6.5 - 2.152) / 0.09148)
    # Same as 10.931 × NGSP − 23.52 to the printed precision.
    assert hba1c.convert(6.5, "%", "mmol/mol") == pytest.approx(10.931 * 6.5 - 23.52, abs=0.01)
    assert hba1c.conversion is not None and hba1c.conversion.is_affine


def test_insulin_factor_is_6_not_6945() -> None:
    insulin = get_analyte("insulin")
    assert insulin.convert(60, "pmol/L", "µIU/mL") == pytest.approx(10.0, rel=1e-12)
    assert insulin.convert(10, "µIU/mL", "pmol/L") == pytest.approx(60.0, rel=1e-12)
    assert insulin.convert(10, "mIU/L", "µIU/mL") == 10


@pytest.mark.parametrize(
    ("key", "value", "src", "dst", "expected"),
    [
        ("uric_acid", 1, "mg/dL", "µmol/L", 59.48),
        ("uric_acid", 297.4, "µmol/L", "mg/dL", 5.0),
        ("uric_acid", 0.2974, "mmol/L", "mg/dL", 5.0),
        ("c_peptide", 1, "ng/mL", "nmol/L", 0.331),
        ("c_peptide", 1, "ng/mL", "pmol/L", 331.0),
        ("c_peptide", 662, "pmol/L", "ng/mL", 2.0),
        ("alt", 100, "U/L", "µkat/L", 1.667),
        ("ggt", 1.667, "µkat/L", "U/L", 100.0),
        ("ast", 60, "U/L", "ukat/L", 1.0002),
        ("hs_crp", 0.35, "mg/dL", "mg/L", 3.5),
        ("hs_crp", 3.5, "mg/L", "mg/dL", 0.35),
        ("weight", 100, "lb", "kg", 45.359237),
        ("weight", 80, "kg", "lb", 176.3698),
        ("height", 70, "in", "cm", 177.8),
        ("waist", 100, "cm", "in", 39.3701),
        ("cgm_mean_glucose", 9, "mmol/L", "mg/dL", 162.144),
    ],
)
def test_other_conversions(key: str, value: float, src: str, dst: str, expected: float) -> None:
    assert get_analyte(key).convert(value, src, dst) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("key", KEYS)
def test_round_trip_through_every_unit(key: str) -> None:
    a = get_analyte(key)
    value = sum(a.plausible) / 2
    for unit in a.units:
        there = a.convert(value, a.conventional_unit, unit)
        assert a.convert(there, unit, a.conventional_unit) == pytest.approx(value, rel=1e-12)


def test_same_unit_returns_value_unchanged() -> None:
    assert get_analyte("glucose").convert(5.55, "mmol/l", "mmol/L") == 5.55


@pytest.mark.parametrize(
    ("key", "unit"),
    [("glucose", "%"), ("glucose", "furlongs"), ("hba1c", "mg/dL"), ("insulin", "mmol/L")],
)
def test_unit_mismatch(key: str, unit: str) -> None:
    with pytest.raises(UnitMismatchError) as info:
        get_analyte(key).convert(1.0, unit, get_analyte(key).conventional_unit)
    assert isinstance(info.value, ValueError)
    assert get_analyte(key).name in str(info.value)


def test_units_property() -> None:
    assert get_analyte("glucose").units == ("mg/dL", "mmol/L")
    assert get_analyte("insulin").units == ("µIU/mL", "pmol/L")
    assert get_analyte("hba1c").units == ("%", "mmol/mol")
    assert get_analyte("hs_crp").units == ("mg/L", "mg/dL")
    assert get_analyte("c_peptide").units == ("ng/mL", "nmol/L", "pmol/L")
    assert get_analyte("bmi").units == ("kg/m²",)
    assert get_analyte("weight").units == ("lb", "kg")


def test_unit_for_system() -> None:
    glucose = get_analyte("glucose")
    assert unit_for_system(glucose, UnitSystem.CONVENTIONAL) == "mg/dL"
    assert unit_for_system(glucose, UnitSystem.SI) == "mmol/L"
    assert unit_for_system(get_analyte("hba1c"), UnitSystem.SI) == "mmol/mol"
    assert unit_for_system(get_analyte("bmi"), UnitSystem.SI) == "kg/m²"


def test_conversion_directions() -> None:
    multiply = Conversion(6.0)
    divide = Conversion(18.016, multiply_to_si=False)
    assert multiply.to_si(10) == 60
    assert multiply.to_conventional(60) == 10
    assert divide.to_conventional(1) == 18.016
    assert not divide.is_affine


def test_body_gates_are_the_reference_kg_and_cm_values() -> None:
    weight = get_analyte("weight")
    low, high = weight.plausible
    assert weight.convert(low, "lb", "kg") == pytest.approx(30.0)
    assert weight.convert(high, "lb", "kg") == pytest.approx(250.0)
    waist = get_analyte("waist")
    assert waist.convert(waist.plausible[0], "in", "cm") == pytest.approx(50.0)
    assert waist.convert(waist.plausible[1], "in", "cm") == pytest.approx(160.0)


def test_analyte_is_frozen() -> None:
    a: Analyte = get_analyte("glucose")
    with pytest.raises(AttributeError):
        a.name = "x"  # type: ignore[misc]
