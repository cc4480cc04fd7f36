"""The analyte catalogue: names, LOINC codes, units, conversions and plausibility ranges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from journal.domain.units import (
    CHOL_MGDL_PER_MMOLL,
    CM,
    CPEP_NMOLL_PER_NGML,
    CRP_MGL_PER_MGDL,
    ENZYME_UKATL_PER_UL,
    GLUCOSE_MGDL_PER_MMOLL,
    HBA1C_NGSP_FROM_IFCC,
    IN,
    IN_TO_CM,
    INSULIN_PMOLL_PER_UIUML,
    KG,
    KG_M2,
    LB,
    LB_TO_KG,
    MG_DL,
    MG_L,
    MM_HG,
    MMOL_L,
    MMOL_MOL,
    NG_ML,
    NMOL_L,
    PER_MIN,
    PERCENT,
    PMOL_L,
    RATIO,
    TG_MGDL_PER_MMOLL,
    U_L,
    UIU_ML,
    UKAT_L,
    UMOL_L,
    URATE_UMOLL_PER_MGDL,
    UnitSystem,
    UnknownUnitError,
    normalize_unit,
)


class UnitMismatchError(ValueError):
    """A unit that the analyte in question is never reported in."""


@dataclass(frozen=True, slots=True)
class Conversion:
    """Converts between an analyte's conventional and SI unit.

    `factor` is the constant exactly as published, in whichever direction it was published:
    with `multiply_to_si` the SI value is conventional × factor (insulin: × 6.0), otherwise it
    is conventional ÷ factor (glucose: ÷ 18.016). `offset` makes the conversion affine, for
    the HbA1c master equation NGSP % = 0.09148 × IFCC + 2.152: SI = (conventional − offset) ÷
    factor. Keeping the published constant avoids drift from inverting it.
    """

    factor: float
    multiply_to_si: bool = True
    offset: float = 0.0

    @property
    def is_affine(self) -> bool:
        return self.offset != 0.0

    def to_si(self, x: float) -> float:
        shifted = x - self.offset
        return shifted * self.factor if self.multiply_to_si else shifted / self.factor

    def to_conventional(self, x: float) -> float:
        scaled = x / self.factor if self.multiply_to_si else x * self.factor
        return scaled + self.offset


@dataclass(frozen=True, slots=True)
class Analyte:
    """One measurable thing (a lab analyte or a body measurement) and how to read its numbers.

    `plausible` and `hard_limits` are in the conventional unit. They are typo gates, not
    clinical limits (clinical.md §1.6): inside `plausible` a value is accepted silently; between
    `plausible` and `hard_limits` the user is asked to check; outside `hard_limits` the value
    cannot be a human measurement in that unit. `extra_units` lists other accepted units with
    the factor that turns them into the conventional unit (conventional = value × factor).
    """

    key: str
    name: str
    short_name: str
    loinc: str
    alt_loinc: tuple[str, ...]
    conventional_unit: str
    si_unit: str
    conversion: Conversion | None
    extra_units: tuple[tuple[str, float], ...]
    plausible: tuple[float, float]
    hard_limits: tuple[float, float]
    group: str
    source: str
    aliases: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """Every accepted canonical unit, conventional first."""
        found = [self.conventional_unit]
        if self.si_unit not in found:
            found.append(self.si_unit)
        found.extend(unit for unit, _ in self.extra_units if unit not in found)
        return tuple(found)

    @property
    def loinc_codes(self) -> tuple[str, ...]:
        return (self.loinc, *self.alt_loinc)

    def canonical_unit(self, unit: str) -> str:
        """The canonical spelling of `unit`, if this analyte is ever reported in it."""
        try:
            canonical = normalize_unit(unit)
        except UnknownUnitError as exc:
            raise UnitMismatchError(f"{self.name}: {exc}") from exc
        if canonical not in self.units:
            accepted = ", ".join(self.units)
            raise UnitMismatchError(
                f"{self.name} is not reported in {canonical!r}; accepted units: {accepted}."
            )
        return canonical

    def to_conventional(self, value: float, unit: str) -> float:
        canonical = self.canonical_unit(unit)
        if canonical == self.conventional_unit:
            return value
        if canonical == self.si_unit and self.conversion is not None:
            return self.conversion.to_conventional(value)
        return value * dict(self.extra_units)[canonical]

    def from_conventional(self, value: float, unit: str) -> float:
        canonical = self.canonical_unit(unit)
        if canonical == self.conventional_unit:
            return value
        if canonical == self.si_unit and self.conversion is not None:
            return self.conversion.to_si(value)
        return value / dict(self.extra_units)[canonical]

    def convert(self, value: float, from_unit: str, to_unit: str) -> float:
        """Convert between any two units this analyte knows; same unit returns the value as is."""
        source = self.canonical_unit(from_unit)
        target = self.canonical_unit(to_unit)
        if source == target:
            return value
        return self.from_conventional(self.to_conventional(value, source), target)


def unit_for_system(analyte: Analyte, system: UnitSystem) -> str:
    return analyte.si_unit if system is UnitSystem.SI else analyte.conventional_unit


_GLUCOSE = Conversion(GLUCOSE_MGDL_PER_MMOLL, multiply_to_si=False)
_CHOLESTEROL = Conversion(CHOL_MGDL_PER_MMOLL, multiply_to_si=False)
_ENZYME = Conversion(ENZYME_UKATL_PER_UL)
_LENGTH = Conversion(IN_TO_CM)  # conventional inches, SI centimetres

# Body measures keep their gates in the SI units clinical.md gives them in; the catalogue
# stores them in the conventional (US) unit, so convert once here, with the same arithmetic as
# Conversion.to_conventional so that exactly 250 kg sits exactly on the gate.


def _kg(low: float, high: float) -> tuple[float, float]:
    return (low / LB_TO_KG, high / LB_TO_KG)


def _cm(low: float, high: float) -> tuple[float, float]:
    return (low / IN_TO_CM, high / IN_TO_CM)


# Gates come from clinical.md §1.6 where it gives an "accept without prompt" range and from the
# §1.1 "plausibility gate" column otherwise. Hard limits are given only for glucose (<10 or
# >1500 mg/dL); the others are engineering choices set well beyond any recorded human value, so
# that real extremes are questioned, never rejected.
_ANALYTES: Final[tuple[Analyte, ...]] = (
    Analyte(
        key="glucose",
        name="Glucose",
        short_name="Glucose",
        loinc="2345-7",
        alt_loinc=(
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
        ),
        conventional_unit=MG_DL,
        si_unit=MMOL_L,
        conversion=_GLUCOSE,
        extra_units=(),
        plausible=(40.0, 400.0),
        hard_limits=(10.0, 1500.0),
        group="glucose",
        source="[S1][S2][S6][S7][S8]",
        aliases=(
            "Glucose [Mass/volume] in Serum or Plasma",
            "Fasting glucose [Mass/volume] in Serum or Plasma",
            "Glucose [Mass/volume] in Blood",
            "Glucose [Moles/volume] in Serum or Plasma",
            "Fasting plasma glucose",
            "Plasma glucose",
            "Blood glucose",
            "Blood sugar",
            "FPG",
            "FBG",
            "FBS",
            "GLU",
        ),
    ),
    Analyte(
        key="insulin",
        name="Insulin",
        short_name="Insulin",
        loinc="20448-7",
        alt_loinc=("27873-9", "59179-2", "14796-7", "3695-4", "56482-3", "14293-5", "1570-1"),
        conventional_unit=UIU_ML,
        si_unit=PMOL_L,
        conversion=Conversion(INSULIN_PMOLL_PER_UIUML),
        extra_units=(),
        plausible=(1.0, 100.0),
        hard_limits=(0.0, 3000.0),
        group="glucose",
        source="[S3][S4][S5][S7]",
        aliases=(
            "Insulin [Units/volume] in Serum or Plasma",
            "Insulin [Units/volume] in Serum or Plasma --fasting",
            "Insulin [Moles/volume] in Serum or Plasma",
            "Insulin, fasting",
            "Fasting insulin",
        ),
    ),
    Analyte(
        key="hba1c",
        name="Hemoglobin A1c",
        short_name="HbA1c",
        loinc="4548-4",
        alt_loinc=("17856-6", "4549-2", "59261-8"),
        conventional_unit=PERCENT,
        si_unit=MMOL_MOL,
        conversion=Conversion(
            HBA1C_NGSP_FROM_IFCC[0], multiply_to_si=False, offset=HBA1C_NGSP_FROM_IFCC[1]
        ),
        extra_units=(),
        plausible=(4.0, 14.0),
        hard_limits=(2.0, 25.0),
        group="glucose",
        source="[S6][S8][S9]",
        aliases=(
            "Hemoglobin A1c/Hemoglobin.total in Blood",
            "Hemoglobin A1c/Hemoglobin.total in Blood by HPLC",
            "Hemoglobin A1c/Hemoglobin.total in Blood by Electrophoresis",
            "Hemoglobin A1c",
            "Haemoglobin A1c",
            "Hb A1c",
            "HgbA1c",
            "Hgb A1c",
            "A1C",
            "Glycated hemoglobin",
            "Glycated haemoglobin",
            "Glycohemoglobin",
        ),
    ),
    Analyte(
        key="triglycerides",
        name="Triglycerides",
        short_name="TG",
        loinc="2571-8",
        alt_loinc=("3043-7", "14927-8"),
        conventional_unit=MG_DL,
        si_unit=MMOL_L,
        conversion=Conversion(TG_MGDL_PER_MMOLL, multiply_to_si=False),
        extra_units=(),
        plausible=(30.0, 1000.0),
        hard_limits=(1.0, 20000.0),
        group="lipids",
        source="[S6][S11]",
        aliases=(
            "Triglyceride [Mass/volume] in Serum or Plasma",
            "Triglyceride",
            "Trig",
            "Trigs",
        ),
    ),
    Analyte(
        key="hdl",
        name="HDL cholesterol",
        short_name="HDL",
        loinc="2085-9",
        alt_loinc=("14646-4",),
        conventional_unit=MG_DL,
        si_unit=MMOL_L,
        conversion=_CHOLESTEROL,
        extra_units=(),
        plausible=(20.0, 100.0),
        hard_limits=(1.0, 300.0),
        group="lipids",
        source="[S6][S11]",
        aliases=(
            "Cholesterol in HDL [Mass/volume] in Serum or Plasma",
            "High Density Lipoprotein Cholesterol",
            "HDL-C",
            "HDL Chol",
            "Cholesterol HDL",
        ),
    ),
    Analyte(
        key="ldl",
        name="LDL cholesterol",
        short_name="LDL",
        loinc="13457-7",
        alt_loinc=("18262-6", "2089-1", "69419-0"),
        conventional_unit=MG_DL,
        si_unit=MMOL_L,
        conversion=_CHOLESTEROL,
        extra_units=(),
        plausible=(30.0, 300.0),
        hard_limits=(1.0, 1500.0),
        group="lipids",
        source="[S6][S8b]",
        aliases=(
            "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
            "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay",
            "Low Density Lipoprotein Cholesterol",
            "LDL-C",
            "LDL Chol",
            "Cholesterol LDL",
        ),
    ),
    Analyte(
        key="total_cholesterol",
        name="Total cholesterol",
        short_name="TC",
        loinc="2093-3",
        alt_loinc=("14647-2",),
        conventional_unit=MG_DL,
        si_unit=MMOL_L,
        conversion=_CHOLESTEROL,
        extra_units=(),
        plausible=(80.0, 400.0),
        hard_limits=(10.0, 2000.0),
        group="lipids",
        source="[S6][S11]",
        aliases=(
            "Cholesterol [Mass/volume] in Serum or Plasma",
            "Cholesterol",
            "Cholesterol, total",
            "Chol",
        ),
    ),
    Analyte(
        key="non_hdl",
        name="Non-HDL cholesterol",
        short_name="Non-HDL",
        loinc="43396-1",
        alt_loinc=(),
        conventional_unit=MG_DL,
        si_unit=MMOL_L,
        conversion=_CHOLESTEROL,
        extra_units=(),
        plausible=(30.0, 380.0),
        hard_limits=(1.0, 2000.0),
        group="lipids",
        source="[S6b]",
        aliases=(
            "Cholesterol non HDL [Mass/volume] in Serum or Plasma",
            "Non-HDL-C",
            "Non HDL chol",
        ),
    ),
    Analyte(
        key="tc_hdl_ratio",
        name="Total cholesterol/HDL ratio",
        short_name="TC/HDL",
        loinc="9830-1",
        alt_loinc=(),
        conventional_unit=RATIO,
        si_unit=RATIO,
        conversion=None,
        extra_units=(),
        plausible=(1.5, 15.0),
        hard_limits=(0.5, 100.0),
        group="lipids",
        source="[S6b]",
        aliases=(
            "Cholesterol.total/Cholesterol in HDL [Mass Ratio] in Serum or Plasma",
            "Cholesterol/HDL ratio",
            "Chol/HDL ratio",
            "Chol/HDL",
            "Total cholesterol/HDL",
            "TC:HDL",
        ),
    ),
    Analyte(
        key="c_peptide",
        name="C-peptide",
        short_name="C-peptide",
        loinc="1986-9",
        alt_loinc=("13037-7", "42180-0"),
        conventional_unit=NG_ML,
        si_unit=NMOL_L,
        conversion=Conversion(CPEP_NMOLL_PER_NGML),
        # pmol/L = nmol/L × 1000, so ng/mL = pmol/L ÷ (0.331 × 1000).
        extra_units=((PMOL_L, 1.0 / (CPEP_NMOLL_PER_NGML * 1000.0)),),
        plausible=(0.1, 20.0),
        hard_limits=(0.0, 200.0),
        group="glucose",
        source="[S6][S7][S11]",
        aliases=("C peptide [Mass/volume] in Serum or Plasma", "Cpeptide"),
    ),
    Analyte(
        key="hs_crp",
        name="High-sensitivity C-reactive protein",
        short_name="hs-CRP",
        loinc="30522-7",
        alt_loinc=("1988-5",),
        conventional_unit=MG_L,
        # mg/L is what SI countries report as well; the rare nmol/L form has no agreed factor.
        si_unit=MG_L,
        conversion=None,
        extra_units=((MG_DL, CRP_MGL_PER_MGDL),),
        plausible=(0.1, 20.0),
        hard_limits=(0.0, 1000.0),
        group="inflammation",
        source="[S6][S24]",
        aliases=(
            "C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method",
            "C reactive protein [Mass/volume] in Serum or Plasma",
            "C-reactive protein, high sensitivity",
            "High sensitivity CRP",
            "C-reactive protein",
            "hsCRP",
            "CRP",
        ),
    ),
    Analyte(
        key="alt",
        name="Alanine aminotransferase (ALT)",
        short_name="ALT",
        loinc="1742-6",
        alt_loinc=("1743-4",),
        conventional_unit=U_L,
        si_unit=UKAT_L,
        conversion=_ENZYME,
        extra_units=(),
        plausible=(3.0, 2000.0),
        hard_limits=(0.0, 20000.0),
        group="liver",
        source="[S6][S11]",
        aliases=(
            "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "Alanine aminotransferase",
            "SGPT",
        ),
    ),
    Analyte(
        key="ast",
        name="Aspartate aminotransferase (AST)",
        short_name="AST",
        loinc="1920-8",
        alt_loinc=(),
        conventional_unit=U_L,
        si_unit=UKAT_L,
        conversion=_ENZYME,
        extra_units=(),
        plausible=(3.0, 2000.0),
        hard_limits=(0.0, 20000.0),
        group="liver",
        source="[S6]",
        aliases=(
            "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "Aspartate aminotransferase",
            "SGOT",
        ),
    ),
    Analyte(
        key="ggt",
        name="Gamma-glutamyl transferase (GGT)",
        short_name="GGT",
        loinc="2324-2",
        alt_loinc=(),
        conventional_unit=U_L,
        si_unit=UKAT_L,
        conversion=_ENZYME,
        extra_units=(),
        plausible=(3.0, 2000.0),
        hard_limits=(0.0, 20000.0),
        group="liver",
        source="[S6]",
        aliases=(
            "Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma",
            "Gamma glutamyl transferase",
            "Gamma glutamyltransferase",
            "Gamma-GT",
            "GGTP",
        ),
    ),
    Analyte(
        key="uric_acid",
        name="Uric acid",
        short_name="Uric acid",
        loinc="3084-1",
        alt_loinc=("14933-6",),  # moles code: NV in clinical.md §1.1
        conventional_unit=MG_DL,
        si_unit=UMOL_L,
        conversion=Conversion(URATE_UMOLL_PER_MGDL),
        # Several European labs print urate in mmol/L (e.g. 0.35); same factor, 1000× smaller.
        extra_units=((MMOL_L, 1000.0 / URATE_UMOLL_PER_MGDL),),
        plausible=(1.0, 20.0),
        hard_limits=(0.0, 50.0),
        group="other",
        source="[S6][S11]",
        aliases=("Urate [Mass/volume] in Serum or Plasma", "Urate", "Serum urate"),
    ),
    Analyte(
        key="weight",
        name="Body weight",
        short_name="Weight",
        loinc="29463-7",
        alt_loinc=("3141-9",),
        conventional_unit=LB,
        si_unit=KG,
        conversion=Conversion(LB_TO_KG),
        extra_units=(),
        plausible=_kg(30.0, 250.0),
        hard_limits=_kg(10.0, 700.0),
        group="body",
        source="[S6][S8c]",
        aliases=("Body weight Measured", "Weight", "Body mass"),
    ),
    Analyte(
        key="height",
        name="Height",
        short_name="Height",
        loinc="8302-2",
        alt_loinc=(),
        conventional_unit=IN,
        si_unit=CM,
        conversion=_LENGTH,
        extra_units=(),
        plausible=_cm(100.0, 230.0),
        hard_limits=_cm(40.0, 280.0),
        group="body",
        source="[S8c]",
        aliases=("Body height", "Stature"),
    ),
    Analyte(
        key="bmi",
        name="Body mass index",
        short_name="BMI",
        loinc="39156-5",
        alt_loinc=(),
        conventional_unit=KG_M2,
        si_unit=KG_M2,
        conversion=None,
        extra_units=(),
        plausible=(10.0, 80.0),
        hard_limits=(5.0, 250.0),
        group="body",
        source="[S8c][S25]",
        aliases=("Body mass index (BMI) [Ratio]",),
    ),
    Analyte(
        key="waist",
        name="Waist circumference",
        short_name="Waist",
        loinc="8280-0",
        # 56086-2 is a PhenX protocol term, not a measurement (clinical.md §1.1), so not listed.
        alt_loinc=(),
        conventional_unit=IN,
        si_unit=CM,
        conversion=_LENGTH,
        extra_units=(),
        plausible=_cm(50.0, 160.0),
        hard_limits=_cm(20.0, 300.0),
        group="body",
        source="[S8c]",
        aliases=("Waist Circumference at umbilicus by Tape measure", "Waist"),
    ),
    Analyte(
        key="systolic_bp",
        name="Systolic blood pressure",
        short_name="Systolic",
        loinc="8480-6",
        alt_loinc=(),
        conventional_unit=MM_HG,
        si_unit=MM_HG,
        conversion=None,
        extra_units=(),
        plausible=(80.0, 200.0),
        hard_limits=(30.0, 350.0),
        group="vitals",
        source="[S6][S8c]",
        aliases=("Systolic", "SBP", "Systolic BP", "BP systolic"),
    ),
    Analyte(
        key="diastolic_bp",
        name="Diastolic blood pressure",
        short_name="Diastolic",
        loinc="8462-4",
        alt_loinc=(),
        conventional_unit=MM_HG,
        si_unit=MM_HG,
        conversion=None,
        extra_units=(),
        plausible=(40.0, 120.0),
        hard_limits=(10.0, 250.0),
        group="vitals",
        source="[S6][S8c]",
        aliases=("Diastolic", "DBP", "Diastolic BP", "BP diastolic"),
    ),
    Analyte(
        key="heart_rate",
        name="Heart rate",
        short_name="Heart rate",
        loinc="8867-4",
        alt_loinc=(),
        conventional_unit=PER_MIN,
        si_unit=PER_MIN,
        conversion=None,
        extra_units=(),
        plausible=(25.0, 230.0),
        hard_limits=(10.0, 350.0),
        group="vitals",
        source="[S6]",
        aliases=("HR", "Pulse", "Pulse rate", "Resting heart rate"),
    ),
    Analyte(
        key="cgm_mean_glucose",
        name="CGM mean glucose",
        short_name="CGM mean",
        loinc="97507-8",
        alt_loinc=(),
        conventional_unit=MG_DL,
        si_unit=MMOL_L,
        conversion=_GLUCOSE,
        extra_units=(),
        plausible=(40.0, 400.0),
        hard_limits=(10.0, 1500.0),
        group="glucose",
        source="[S6b]",
        aliases=(
            "Average glucose [Mass/volume] in Interstitial fluid during Reporting Period",
            "Mean glucose",
            "Mean sensor glucose",
            "Average sensor glucose",
        ),
    ),
)

CATALOGUE: Final[Mapping[str, Analyte]] = MappingProxyType({a.key: a for a in _ANALYTES})

# Analyte key of a result whose test the catalogue does not list (an imported urea nitrogen,
# say). Such a result keeps its reported name, LOINC code and unit as the lab sent them, is
# never converted, and takes part in no index or band.
UNLISTED: Final = "unlisted"


def is_listed(key: str) -> bool:
    """Whether an analyte key names a catalogue entry (False for UNLISTED and unknown keys)."""
    return key in CATALOGUE


USUAL_PANEL: Final[tuple[str, ...]] = (
    "glucose",
    "insulin",
    "hba1c",
    "triglycerides",
    "hdl",
    "ldl",
    "total_cholesterol",
)

# LOINC codes that by themselves say the specimen was fasting (glucose puts "post CFst" in the
# component, insulin and C-peptide carry a "--fasting" suffix). Generic codes say nothing.
FASTING_LOINC: Final[frozenset[str]] = frozenset(
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


def get_analyte(key: str) -> Analyte:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise KeyError(
            f"No analyte with key {key!r}; known keys: {', '.join(CATALOGUE)}."
        ) from None


def _build_loinc_index() -> dict[str, Analyte]:
    index: dict[str, Analyte] = {}
    for analyte in _ANALYTES:
        for code in analyte.loinc_codes:
            if code in index:
                raise ValueError(
                    f"LOINC {code} is listed for both {index[code].key} and {analyte.key}"
                )
            index[code] = analyte
    return index


_BY_LOINC: Final = _build_loinc_index()


def analyte_for_loinc(code: str) -> Analyte | None:
    """The analyte a LOINC code belongs to, or None for codes outside the catalogue."""
    cleaned = code.strip()
    if cleaned.lower().startswith("loinc:"):
        cleaned = cleaned[len("loinc:") :].strip()
    return _BY_LOINC.get(cleaned)


_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Words that say how or where a sample was taken, not what was measured. Dropping them lets
# "Glucose, Serum (Fasting)" and "Fasting glucose [Mass/volume] in Serum or Plasma" both land on
# "glucose". Fasting-ness is recorded on the draw, never inferred from a name here.
_FILLER: Final = frozenset(
    {
        "in",
        "or",
        "and",
        "the",
        "of",
        "at",
        "by",
        "s",
        "p",
        "sp",
        "serum",
        "plasma",
        "blood",
        "bld",
        "ser",
        "plas",
        "capillary",
        "venous",
        "whole",
        "glucometer",
        "fasting",
        "fasted",
        "random",
        "level",
        "levels",
        "test",
        "value",
        "result",
        "measured",
        "method",
        "assay",
        "calculation",
        "calculated",
        "calc",
        "direct",
        "hplc",
        "electrophoresis",
        "ifcc",
        "ngsp",
        "dcct",
    }
)


def _name_key(text: str) -> str:
    lowered = _BRACKETED.sub(" ", text.casefold())
    lowered = lowered.replace("--", " ")
    words = _NON_WORD.sub(" ", lowered).split()
    return " ".join(word for word in words if word not in _FILLER)


def _build_name_index() -> dict[str, Analyte]:
    index: dict[str, Analyte] = {}
    for analyte in _ANALYTES:
        for alias in (analyte.key, analyte.name, analyte.short_name, *analyte.aliases):
            key = _name_key(alias)
            if not key:
                continue
            if index.get(key, analyte) is not analyte:
                raise ValueError(f"Name {alias!r} matches both {index[key].key} and {analyte.key}")
            index[key] = analyte
    return index


_BY_NAME: Final = _build_name_index()


def analyte_for_name(text: str) -> Analyte | None:
    """Match a display name, LOINC long name or export name (case-insensitive), or None."""
    key = _name_key(text)
    return _BY_NAME.get(key) if key else None
