"""Unit spellings, conversion constants and number formatting for lab values."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

# --- Constants -------------------------------------------------------------------------------
# All values sourced in the project's clinical reference (§1–§3, §7). Do not edit without
# updating /shared/reference/clinical.md.
GLUCOSE_MGDL_PER_MMOLL: Final = 18.016  # MW 180.156; use 18.0 only inside HOMA's 405 constant
CHOL_MGDL_PER_MMOLL: Final = 38.67  # total/HDL/LDL
TG_MGDL_PER_MMOLL: Final = 88.57
URATE_UMOLL_PER_MGDL: Final = 59.48
CPEP_NMOLL_PER_NGML: Final = 0.331
INSULIN_PMOLL_PER_UIUML: Final = 6.0  # NOT 6.945 (legacy)
ENZYME_UKATL_PER_UL: Final = 0.01667
HBA1C_NGSP_FROM_IFCC: Final = (0.09148, 2.152)  # NGSP% = a*IFCC + b ; IFCC = (NGSP - b)/a
HOMA_IR_DENOM_MMOL: Final = 22.5
HOMA_IR_DENOM_MGDL: Final = 405.0
HOMA_B_MMOL: Final = (20.0, 3.5)  # 20*I/(G-3.5)
HOMA_B_MGDL: Final = (360.0, 63.0)  # 360*I/(G-63)
GMI_PCT: Final = (3.31, 0.02392)  # mean glucose mg/dL
GMI_MMOLMOL: Final = (12.71, 4.70587)  # mean glucose mmol/L
TIR_RANGE_MGDL: Final = (70, 180)
CV_STABLE_MAX_PCT: Final = 36.0
MPH_TO_KMH: Final = 1.609344
LB_TO_KG: Final = 0.45359237  # exact by definition
IN_TO_CM: Final = 2.54  # exact by definition
CRP_MGL_PER_MGDL: Final = 10.0
# A TG:HDL ratio computed from mmol/L values times this gives the mg/dL-basis ratio (≈ 2.29).
TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS: Final = TG_MGDL_PER_MMOLL / CHOL_MGDL_PER_MMOLL


class UnitSystem(StrEnum):
    CONVENTIONAL = "conventional"
    SI = "si"


class UnknownUnitError(ValueError):
    """A unit spelling that the journal does not recognise."""


# --- Canonical display units -----------------------------------------------------------------
MG_DL: Final = "mg/dL"
MMOL_L: Final = "mmol/L"
UIU_ML: Final = "µIU/mL"  # micro sign U+00B5, never Greek mu
PMOL_L: Final = "pmol/L"
PERCENT: Final = "%"
MMOL_MOL: Final = "mmol/mol"
U_L: Final = "U/L"
UKAT_L: Final = "µkat/L"
MG_L: Final = "mg/L"
NG_ML: Final = "ng/mL"
NMOL_L: Final = "nmol/L"
UMOL_L: Final = "µmol/L"
KG: Final = "kg"
LB: Final = "lb"
CM: Final = "cm"
IN: Final = "in"
KG_M2: Final = "kg/m²"
MM_HG: Final = "mm Hg"
PER_MIN: Final = "/min"
RATIO: Final = "ratio"

# Canonical unit -> UCUM code (case-sensitive; micro is written "u").
_UCUM: Final[dict[str, str]] = {
    MG_DL: "mg/dL",
    MMOL_L: "mmol/L",
    UIU_ML: "u[IU]/mL",
    PMOL_L: "pmol/L",
    PERCENT: "%",
    MMOL_MOL: "mmol/mol",
    U_L: "U/L",
    UKAT_L: "ukat/L",
    MG_L: "mg/L",
    NG_ML: "ng/mL",
    NMOL_L: "nmol/L",
    UMOL_L: "umol/L",
    KG: "kg",
    LB: "[lb_av]",
    CM: "cm",
    IN: "[in_i]",
    KG_M2: "kg/m2",
    MM_HG: "mm[Hg]",
    PER_MIN: "/min",
    RATIO: "{ratio}",
}

CANONICAL_UNITS: Final[tuple[str, ...]] = tuple(_UCUM)

# Spellings seen in lab reports, UCUM codes and exports. Keys are compared after _lookup_key(),
# i.e. lower-cased, without whitespace, with Greek mu folded to the micro sign. Lower-casing is
# safe here because no two units in this set differ only by case (there is no mega prefix, and
# "mU/L" and "MU/L" both only ever mean milli-units in lab reports).
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    MG_DL: ("mg/dl", "mg/100ml"),
    MMOL_L: ("mmol/l", "mmol/liter", "mmol/litre"),
    UIU_ML: (
        "µiu/ml",
        "uiu/ml",
        "u[iu]/ml",
        "miu/l",
        "m[iu]/l",
        "mu/l",
        "uu/ml",
        "µu/ml",
        "mciu/ml",
        "mcu/ml",
        "µui/ml",
    ),
    PMOL_L: ("pmol/l",),
    PERCENT: ("%", "%hb", "%ngsp", "%(ngsp)", "%(dcct)", "percent"),
    MMOL_MOL: ("mmol/mol", "mmol/molhb", "mmol/mol(ifcc)"),
    U_L: ("u/l", "iu/l", "[iu]/l", "units/l"),
    UKAT_L: ("µkat/l", "ukat/l", "mckat/l"),
    MG_L: ("mg/l",),
    NG_ML: ("ng/ml", "µg/l", "ug/l"),
    NMOL_L: ("nmol/l",),
    UMOL_L: ("µmol/l", "umol/l", "mcmol/l"),
    KG: ("kg", "kgs", "kilogram", "kilograms"),
    LB: ("lb", "lbs", "[lb_av]", "pound", "pounds"),
    CM: ("cm", "centimeter", "centimeters", "centimetre", "centimetres"),
    IN: ("in", "[in_i]", "[in_us]", "inch", "inches"),
    KG_M2: ("kg/m2",),
    MM_HG: ("mmhg", "mm[hg]"),
    PER_MIN: ("/min", "1/min", "bpm", "beats/min", "count/min"),
    RATIO: ("ratio", "1", ""),
}

_LOOKUP: Final[dict[str, str]] = {
    alias: canonical for canonical, aliases in _ALIASES.items() for alias in aliases
}

# Apple Health writes glucose as "mmol<180.1558800000541>/L": the molar mass rides along in <>.
_ANGLE_ANNOTATION = re.compile(r"<[^>]*>")
# UCUM annotations such as "{beats}/min" or "%{HbA1c}" do not change the unit.
_CURLY_ANNOTATION = re.compile(r"\{[^}]*\}")


def _lookup_key(text: str) -> str:
    key = _ANGLE_ANNOTATION.sub("", text)
    key = _CURLY_ANNOTATION.sub("", key)
    key = key.replace("\u03bc", "µ").replace("²", "2").replace("^2", "2")
    return "".join(key.split()).lower()


def normalize_unit(text: str) -> str:
    """Return the canonical display spelling of a unit, or raise UnknownUnitError."""
    key = _lookup_key(text)
    try:
        return _LOOKUP[key]
    except KeyError:
        known = ", ".join(CANONICAL_UNITS)
        raise UnknownUnitError(
            f"Unknown unit {text!r}. The journal understands these units: {known}."
        ) from None


def ucum_code(unit: str) -> str:
    """UCUM code for a unit in any recognised spelling (e.g. "µIU/mL" -> "u[IU]/mL")."""
    return _UCUM[normalize_unit(unit)]


# (minimum, maximum) decimals per unit. The value is rounded to the maximum and trailing zeros
# are dropped down to the minimum, so 5.5506 mmol/L shows "5.55" and 7.0 mmol/L shows "7.0".
_DECIMALS: Final[dict[str, tuple[int, int]]] = {
    MG_DL: (0, 0),
    MMOL_L: (1, 2),
    UIU_ML: (1, 1),
    PMOL_L: (0, 0),
    PERCENT: (1, 1),
    MMOL_MOL: (0, 0),
    U_L: (0, 0),
    UKAT_L: (2, 2),
    MG_L: (1, 1),
    NG_ML: (1, 2),
    NMOL_L: (1, 2),
    UMOL_L: (0, 0),
    KG: (0, 1),
    LB: (0, 1),
    CM: (0, 1),
    IN: (0, 1),
    KG_M2: (1, 1),
    MM_HG: (0, 0),
    PER_MIN: (0, 0),
    RATIO: (1, 2),
}
_DEFAULT_DECIMALS: Final = (0, 2)
_MAX_EXTRA_DECIMALS: Final = 4
NOT_A_NUMBER: Final = "—"


def format_value(value: float, unit: str) -> str:
    """Format a number for display with the decimals that suit its unit.

    Rule: each unit has a (min, max) number of decimals (table above). Small values get extra
    decimals so that at least two significant digits survive (uric acid 5.6 mg/dL, hs-CRP
    0.35 mg/dL), up to four decimals. Halves round up. Non-finite values show as "—".
    """
    if not math.isfinite(value):
        return NOT_A_NUMBER
    try:
        low, high = _DECIMALS[normalize_unit(unit)]
    except UnknownUnitError:
        low, high = _DEFAULT_DECIMALS
    if value != 0:
        needed = 1 - math.floor(math.log10(abs(value)))
        high = max(high, min(needed, _MAX_EXTRA_DECIMALS))
    # repr() gives the shortest decimal that round-trips, so 80.25 rounds half-up to 80.3.
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-high), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        frac = frac + "0" * (low - len(frac)) if len(frac) < low else frac
        text = f"{whole}.{frac}" if frac else whole
    elif low > 0:
        text = f"{text}.{'0' * low}"
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return text


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit; no bare float crosses a layer boundary."""

    value: float
    unit: str

    def __str__(self) -> str:
        return with_unit(format_value(self.value, self.unit), self.unit)


def with_unit(number: str, unit: str) -> str:
    """Join an already formatted number and its unit: "94 mg/dL", "5.7%", "3.0" for a ratio."""
    if unit in {"", RATIO}:
        return number
    if unit in {PERCENT, PER_MIN}:
        return f"{number}{unit}"
    return f"{number} {unit}"
