"""Unit spellings, UCUM codes, constants and display formatting."""

from __future__ import annotations

import math

import pytest

from journal.domain import units
from journal.domain.units import (
    CANONICAL_UNITS,
    Quantity,
    UnitSystem,
    UnknownUnitError,
    format_value,
    normalize_unit,
    ucum_code,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mg/dl", "mg/dL"),
        ("MG/DL", "mg/dL"),
        ("mg/dL", "mg/dL"),
        (" mg / dL ", "mg/dL"),
        ("mmol/l", "mmol/L"),
        ("mmol/L", "mmol/L"),
        ("MMOL/L", "mmol/L"),
        ("mmol<180.1558800000541>/L", "mmol/L"),
        ("u[IU]/mL", "µIU/mL"),
        ("uIU/mL", "µIU/mL"),
        ("µIU/mL", "µIU/mL"),
        ("\u03bcIU/mL", "µIU/mL"),  # Greek small mu, not the micro sign
        ("mIU/L", "µIU/mL"),
        ("m[IU]/L", "µIU/mL"),
        ("mU/L", "µIU/mL"),
        ("uU/mL", "µIU/mL"),
        ("pmol/L", "pmol/L"),
        ("%", "%"),
        ("mmol/mol", "mmol/mol"),
        ("U/L", "U/L"),
        ("IU/L", "U/L"),
        ("ukat/L", "µkat/L"),
        ("µkat/L", "µkat/L"),
        ("mg/L", "mg/L"),
        ("ng/mL", "ng/mL"),
        ("nmol/L", "nmol/L"),
        ("umol/L", "µmol/L"),
        ("µmol/L", "µmol/L"),
        ("kg", "kg"),
        ("[lb_av]", "lb"),
        ("lbs", "lb"),
        ("cm", "cm"),
        ("[in_i]", "in"),
        ("kg/m2", "kg/m²"),
        ("kg/m²", "kg/m²"),
        ("kg/m^2", "kg/m²"),
        ("mm[Hg]", "mm Hg"),
        ("mmHg", "mm Hg"),
        ("mm Hg", "mm Hg"),
        ("/min", "/min"),
        ("{beats}/min", "/min"),
        ("count/min", "/min"),
        ("{ratio}", "ratio"),
        ("1", "ratio"),
        ("", "ratio"),
        ("ratio", "ratio"),
    ],
)
def test_normalize_unit_maps_real_world_spellings(text: str, expected: str) -> None:
    assert normalize_unit(text) == expected


def test_canonical_micro_sign_is_u00b5() -> None:
    assert normalize_unit("uIU/mL") == "\u00b5IU/mL"
    assert normalize_unit("umol/L") == "\u00b5mol/L"


@pytest.mark.parametrize("unit", CANONICAL_UNITS)
def test_canonical_units_normalize_to_themselves(unit: str) -> None:
    assert normalize_unit(unit) == unit


def test_canonical_unit_list_is_exactly_the_agreed_set() -> None:
    assert set(CANONICAL_UNITS) == {
        "mg/dL",
        "mmol/L",
        "µIU/mL",
        "pmol/L",
        "%",
        "mmol/mol",
        "U/L",
        "µkat/L",
        "mg/L",
        "ng/mL",
        "nmol/L",
        "µmol/L",
        "kg",
        "lb",
        "cm",
        "in",
        "kg/m²",
        "mm Hg",
        "/min",
        "ratio",
    }


@pytest.mark.parametrize("text", ["furlongs", "mg", "g/dL", "mmol", "mEq/L", "IU"])
def test_unknown_units_raise_a_clear_error(text: str) -> None:
    with pytest.raises(UnknownUnitError, match="Unknown unit") as info:
        normalize_unit(text)
    assert repr(text) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("mg/dL", "mg/dL"),
        ("mmol/L", "mmol/L"),
        ("µIU/mL", "u[IU]/mL"),
        ("mIU/L", "u[IU]/mL"),
        ("pmol/L", "pmol/L"),
        ("%", "%"),
        ("mmol/mol", "mmol/mol"),
        ("U/L", "U/L"),
        ("µkat/L", "ukat/L"),
        ("mg/L", "mg/L"),
        ("ng/mL", "ng/mL"),
        ("nmol/L", "nmol/L"),
        ("µmol/L", "umol/L"),
        ("kg", "kg"),
        ("lb", "[lb_av]"),
        ("cm", "cm"),
        ("in", "[in_i]"),
        ("kg/m²", "kg/m2"),
        ("mm Hg", "mm[Hg]"),
        ("/min", "/min"),
        ("ratio", "{ratio}"),
    ],
)
def test_ucum_codes(unit: str, code: str) -> None:
    assert ucum_code(unit) == code


def test_ucum_code_round_trips_through_normalize() -> None:
    for unit in CANONICAL_UNITS:
        assert normalize_unit(ucum_code(unit)) == unit


def test_constants_match_clinical_reference_section_7() -> None:
    assert units.GLUCOSE_MGDL_PER_MMOLL == 18.016
    assert units.CHOL_MGDL_PER_MMOLL == 38.67
    assert units.TG_MGDL_PER_MMOLL == 88.57
    assert units.URATE_UMOLL_PER_MGDL == 59.48
    assert units.CPEP_NMOLL_PER_NGML == 0.331
    assert units.INSULIN_PMOLL_PER_UIUML == 6.0
    assert units.ENZYME_UKATL_PER_UL == 0.01667
    assert units.HBA1C_NGSP_FROM_IFCC == (0.09148, 2.152)
    assert units.HOMA_IR_DENOM_MMOL == 22.5
    assert units.HOMA_IR_DENOM_MGDL == 405.0
    assert units.HOMA_B_MMOL == (20.0, 3.5)
    assert units.HOMA_B_MGDL == (360.0, 63.0)
    assert units.GMI_PCT == (3.31, 0.02392)
    assert units.GMI_MMOLMOL == (12.71, 4.70587)
    assert units.TIR_RANGE_MGDL == (70, 180)
    assert units.CV_STABLE_MAX_PCT == 36.0
    assert units.MPH_TO_KMH == 1.609344
    assert units.LB_TO_KG == 0.45359237
    assert units.IN_TO_CM == 2.54


def test_homa_constants_are_the_18_based_forms() -> None:
    assert units.HOMA_IR_DENOM_MMOL * 18 == units.HOMA_IR_DENOM_MGDL
    assert units.HOMA_B_MMOL[0] * 18 == units.HOMA_B_MGDL[0]
    assert units.HOMA_B_MMOL[1] * 18 == units.HOMA_B_MGDL[1]


@pytest.mark.parametrize(("mph", "kmh"), [(3.0, 4.83), (3.5, 5.63)])
def test_walking_pace_conversion(mph: float, kmh: float) -> None:
    assert mph * units.MPH_TO_KMH == pytest.approx(kmh, abs=0.005)


def test_tg_hdl_basis_factor() -> None:
    factor = units.TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS
    assert factor == pytest.approx(2.2904, abs=5e-5)
    assert 1 / factor == pytest.approx(0.4366, abs=5e-5)


def test_gmi_forms_agree_at_100_mgdl() -> None:
    a, b = units.GMI_PCT
    assert a + b * 100 == pytest.approx(5.70, abs=0.005)
    c, d = units.GMI_MMOLMOL
    assert c + d * (100 / units.GLUCOSE_MGDL_PER_MMOLL) == pytest.approx(38.8, abs=0.05)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (94.0, "mg/dL", "94"),
        (94.4, "mg/dL", "94"),
        (94.5, "mg/dL", "95"),  # half rounds up, not to even
        (5.6, "mg/dL", "5.6"),  # uric acid: keeps two significant digits
        (100 / 18.016, "mmol/L", "5.55"),
        (5.55, "mmol/L", "5.55"),
        (5.5, "mmol/L", "5.5"),
        (7.0, "mmol/L", "7.0"),
        (5.6, "mmol/L", "5.6"),
        (5.7, "%", "5.7"),
        (38.784, "mmol/mol", "39"),
        (10.0, "µIU/mL", "10.0"),
        (60.0, "pmol/L", "60"),
        (0.35, "mg/L", "0.35"),
        (2.1, "mg/L", "2.1"),
        (0.05, "mg/L", "0.05"),
        (80.25, "kg", "80.3"),
        (80.0, "kg", "80"),
        (25.0, "kg/m²", "25.0"),
        (120.0, "mm Hg", "120"),
        (3.0, "ratio", "3.0"),
        (1.3101, "ratio", "1.31"),
        (1.667, "µkat/L", "1.67"),
        (0.0, "mmol/L", "0.0"),
        (-0.00001, "mg/dL", "0"),  # no "-0"
        (-0.4, "mg/dL", "-0.4"),
        (123.456, "furlongs", "123.46"),  # unknown unit: up to two decimals, never raises
    ],
)
def test_format_value(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_format_value_non_finite(value: float) -> None:
    assert format_value(value, "mg/dL") == "—"


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (Quantity(94, "mg/dL"), "94 mg/dL"),
        (Quantity(5.5506, "mmol/L"), "5.55 mmol/L"),
        (Quantity(5.7, "%"), "5.7%"),
        (Quantity(10, "µIU/mL"), "10.0 µIU/mL"),
        (Quantity(3.0, "ratio"), "3.0"),
        (Quantity(62, "/min"), "62/min"),
        (Quantity(120, "mm Hg"), "120 mm Hg"),
    ],
)
def test_quantity_str(quantity: Quantity, text: str) -> None:
    assert str(quantity) == text


def test_quantity_is_frozen() -> None:
    q = Quantity(1.0, "mg/dL")
    with pytest.raises(AttributeError):
        q.value = 2.0  # type: ignore[misc]


def test_unit_system_values() -> None:
    assert UnitSystem.CONVENTIONAL.value == "conventional"
    assert UnitSystem.SI.value == "si"
