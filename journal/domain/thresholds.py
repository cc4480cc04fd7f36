"""Published categories (ADA, ATP III, AHA/CDC, WHO and guide bands) and classification."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from journal.domain.analytes import CATALOGUE, UnitMismatchError
from journal.domain.entities import Fasting, Sex
from journal.domain.units import (
    KG_M2,
    MG_DL,
    MG_L,
    MMOL_L,
    MMOL_MOL,
    PERCENT,
    UnitSystem,
    UnknownUnitError,
    normalize_unit,
)


class Level(StrEnum):
    """A colour hint for a band; never a verdict.

    OPTIMAL and NORMAL are the favourable bands, BORDERLINE is in between, HIGH and VERY_HIGH
    are unfavourably high, LOW is unfavourably low (low HDL, underweight). A favourable high
    value (HDL of 60 or more) is OPTIMAL, not HIGH.
    """

    OPTIMAL = "optimal"
    NORMAL = "normal"
    BORDERLINE = "borderline"
    HIGH = "high"
    VERY_HIGH = "very_high"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Band:
    """One category of a guideline, over [low, high) unless the flags say otherwise.

    `None` means unbounded. Half-open bands follow guidelines printed in whole numbers: ADA's
    "100–125 mg/dL" is [100, 126), so a lab's 125.5 stays in that band and 126 starts the next.
    `label` is the guideline's own term, lower case, for sentences such as "in the range ADA
    calls prediabetes".
    """

    label: str
    low: float | None
    high: float | None
    level: Level
    low_inclusive: bool = True
    high_inclusive: bool = False

    def contains(self, value: float) -> bool:
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_inclusive)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not self.high_inclusive))
        )

    @property
    def range_text(self) -> str:
        """The band's bounds in plain words, e.g. "100 to under 126" or "under 1"."""
        if self.low is None and self.high is None:
            return "any value"
        if self.low is None:
            return f"{'up to' if self.high_inclusive else 'under'} {_num(self.high)}"
        if self.high is None:
            return (
                f"{_num(self.low)} {'and above' if self.low_inclusive else 'exclusive and above'}"
            )
        lower = _num(self.low) if self.low_inclusive else f"above {_num(self.low)}"
        upper = f"{_num(self.high)}" if self.high_inclusive else f"under {_num(self.high)}"
        return f"{lower} to {upper}"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@dataclass(frozen=True, slots=True)
class Guideline:
    """A published set of bands for one analyte or index, keyed by the unit it is printed in.

    Bands exist only in units the guideline itself publishes; a value in another unit is
    converted into the first of these before comparison (clinical.md §0.1).
    """

    key: str
    name: str
    source: str
    applies_to: str
    # Left out of the hash (a mapping is not hashable) so guidelines can still key a dict.
    bands_by_unit: Mapping[str, tuple[Band, ...]] = field(hash=False)
    sex: Sex | None = None
    note: str | None = None
    requires_fasting: bool = False
    authority: str = ""

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(self.bands_by_unit)

    @property
    def speaker(self) -> str:
        """Who is speaking in "in the range X calls …"."""
        return self.authority or self.name


@dataclass(frozen=True, slots=True)
class Classification:
    guideline: Guideline
    band: Band
    compared_value: float
    compared_unit: str
    converted: bool

    @property
    def level(self) -> Level:
        return self.band.level

    @property
    def phrase(self) -> str:
        """A non-diagnostic sentence fragment, e.g. "in the range ADA calls prediabetes"."""
        return f"in the range {self.guideline.speaker} calls {self.band.label}"


# TG:HDL bands exist on two bases; the index carries the basis in its unit string.
TG_HDL_UNIT_MGDL: Final = "ratio (mg/dL basis)"
TG_HDL_UNIT_MMOLL: Final = "ratio (mmol/L basis)"


def tg_hdl_unit(basis: UnitSystem) -> str:
    return TG_HDL_UNIT_MMOLL if basis is UnitSystem.SI else TG_HDL_UNIT_MGDL


TG_HDL_ANCESTRY_CAVEAT: Final = (
    "For people of African ancestry this ratio is a weaker guide: one large US survey found a "
    "lower cut-off (2.0 on the mg/dL basis) fitted better, and a study of African American "
    "adults with overweight found that triglycerides and this ratio did not pick out insulin "
    "resistance at all."
)

HOMA_IR_GUIDE_NOTE: Final = (
    "These bands come from an educational article, not from a clinical standard. Published "
    "HOMA-IR cut-offs run from about 1.9 to 3.7 depending on population, method and insulin "
    "assay, so read the number as a trend to discuss with a clinician. It is not a diagnosis."
)

_B = Band
_L = Level

_GUIDELINES: Final[tuple[Guideline, ...]] = (
    Guideline(
        key="ada_fasting_glucose",
        name="ADA Standards of Care",
        source="ADA Standards of Care, diagnostic criteria (2021–2025) [S21]",
        applies_to="glucose",
        bands_by_unit=MappingProxyType(
            {
                MG_DL: (
                    _B("normal", None, 100.0, _L.NORMAL),
                    _B("prediabetes", 100.0, 126.0, _L.BORDERLINE),
                    _B("diabetes", 126.0, None, _L.HIGH),
                ),
                MMOL_L: (
                    _B("normal", None, 5.6, _L.NORMAL),
                    _B("prediabetes", 5.6, 7.0, _L.BORDERLINE),
                    _B("diabetes", 7.0, None, _L.HIGH),
                ),
            }
        ),
        note=(
            "These bands apply only to a fasting sample (at least 8 hours without calories). "
            "Risk rises gradually even below the cut-offs, and a diagnosis needs a clinician "
            "and usually a second abnormal result."
        ),
        requires_fasting=True,
        authority="ADA",
    ),
    Guideline(
        key="ada_hba1c",
        name="ADA Standards of Care",
        source="ADA Standards of Care, diagnostic criteria (2021–2025) [S21]",
        applies_to="hba1c",
        bands_by_unit=MappingProxyType(
            {
                PERCENT: (
                    _B("normal", None, 5.7, _L.NORMAL),
                    _B("prediabetes", 5.7, 6.5, _L.BORDERLINE),
                    _B("diabetes", 6.5, None, _L.HIGH),
                ),
                MMOL_MOL: (
                    _B("normal", None, 39.0, _L.NORMAL),
                    _B("prediabetes", 39.0, 48.0, _L.BORDERLINE),
                    _B("diabetes", 48.0, None, _L.HIGH),
                ),
            }
        ),
        note=(
            "The cut-offs assume an NGSP-certified lab method. A diagnosis needs a clinician "
            "and usually a second abnormal result."
        ),
        authority="ADA",
    ),
    Guideline(
        key="atp3_triglycerides",
        name="NCEP ATP III",
        source="NCEP ATP III lipid categories [S23]",
        applies_to="triglycerides",
        bands_by_unit=MappingProxyType(
            {
                MG_DL: (
                    _B("normal", None, 150.0, _L.NORMAL),
                    _B("borderline high", 150.0, 200.0, _L.BORDERLINE),
                    _B("high", 200.0, 500.0, _L.HIGH),
                    _B("very high", 500.0, None, _L.VERY_HIGH),
                ),
            }
        ),
        note="ATP III publishes these categories in mg/dL; mmol/L values are converted first.",
        authority="ATP III",
    ),
    Guideline(
        key="atp3_hdl_men",
        name="NCEP ATP III (men)",
        source="NCEP ATP III lipid categories [S23]",
        applies_to="hdl",
        bands_by_unit=MappingProxyType(
            {
                MG_DL: (
                    _B("low", None, 40.0, _L.LOW),
                    _B("neither low nor high", 40.0, 60.0, _L.NORMAL),
                    _B("high (protective)", 60.0, None, _L.OPTIMAL),
                ),
            }
        ),
        sex=Sex.MALE,
        note="ATP III publishes these categories in mg/dL; mmol/L values are converted first.",
        authority="ATP III",
    ),
    Guideline(
        key="atp3_hdl_women",
        name="NCEP ATP III / AHA (women)",
        source="NCEP ATP III lipid categories; AHA and metabolic-syndrome criteria [S23]",
        applies_to="hdl",
        bands_by_unit=MappingProxyType(
            {
                MG_DL: (
                    _B("low", None, 50.0, _L.LOW),
                    _B("neither low nor high", 50.0, 60.0, _L.NORMAL),
                    _B("high (protective)", 60.0, None, _L.OPTIMAL),
                ),
            }
        ),
        sex=Sex.FEMALE,
        note=(
            "The 50 mg/dL cut-off for women comes from the AHA tables and the "
            "metabolic-syndrome criteria; ATP III's main table uses 40 for everyone."
        ),
        authority="the AHA",
    ),
    Guideline(
        key="atp3_hdl",
        name="NCEP ATP III",
        source="NCEP ATP III lipid categories [S23]",
        applies_to="hdl",
        bands_by_unit=MappingProxyType(
            {
                MG_DL: (
                    _B("low", None, 40.0, _L.LOW),
                    _B("neither low nor high", 40.0, 60.0, _L.NORMAL),
                    _B("high (protective)", 60.0, None, _L.OPTIMAL),
                ),
            }
        ),
        note=(
            "Sex is not recorded, so this uses ATP III's single cut-off of 40 mg/dL. For women "
            "the AHA and the metabolic-syndrome criteria use 50 mg/dL instead."
        ),
        authority="ATP III",
    ),
    Guideline(
        key="atp3_ldl",
        name="NCEP ATP III",
        source="NCEP ATP III lipid categories [S23]",
        applies_to="ldl",
        bands_by_unit=MappingProxyType(
            {
                MG_DL: (
                    _B("optimal", None, 100.0, _L.OPTIMAL),
                    _B("near or above optimal", 100.0, 130.0, _L.NORMAL),
                    _B("borderline high", 130.0, 160.0, _L.BORDERLINE),
                    _B("high", 160.0, 190.0, _L.HIGH),
                    _B("very high", 190.0, None, _L.VERY_HIGH),
                ),
            }
        ),
        note="ATP III publishes these categories in mg/dL; mmol/L values are converted first.",
        authority="ATP III",
    ),
    Guideline(
        key="atp3_total_cholesterol",
        name="NCEP ATP III",
        source="NCEP ATP III lipid categories [S23]",
        applies_to="total_cholesterol",
        bands_by_unit=MappingProxyType(
            {
                MG_DL: (
                    _B("desirable", None, 200.0, _L.NORMAL),
                    _B("borderline high", 200.0, 240.0, _L.BORDERLINE),
                    _B("high", 240.0, None, _L.HIGH),
                ),
            }
        ),
        note="ATP III publishes these categories in mg/dL; mmol/L values are converted first.",
        authority="ATP III",
    ),
    Guideline(
        key="aha_cdc_hs_crp",
        name="AHA/CDC scientific statement (2003)",
        source="Pearson 2003, AHA/CDC [S24]",
        applies_to="hs_crp",
        # The statement prints "<1, 1–3, >3": exactly 3.0 is average, exactly 10 is not yet
        # in the repeat band.
        bands_by_unit=MappingProxyType(
            {
                MG_L: (
                    _B("lower cardiovascular risk", None, 1.0, _L.OPTIMAL),
                    _B("average cardiovascular risk", 1.0, 3.0, _L.NORMAL, high_inclusive=True),
                    _B(
                        "higher cardiovascular risk",
                        3.0,
                        10.0,
                        _L.HIGH,
                        low_inclusive=False,
                        high_inclusive=True,
                    ),
                    _B(
                        "too high to judge risk; repeat when well",
                        10.0,
                        None,
                        _L.VERY_HIGH,
                        low_inclusive=False,
                    ),
                ),
            }
        ),
        note=(
            "Meant for people without an infection or other acute illness; the statement "
            "suggests averaging two measurements about two weeks apart."
        ),
        authority="the AHA/CDC",
    ),
    Guideline(
        key="who_bmi",
        name="WHO BMI classification",
        source="WHO Expert Consultation [S25]",
        applies_to="bmi",
        bands_by_unit=MappingProxyType(
            {
                KG_M2: (
                    _B("underweight", None, 18.5, _L.LOW),
                    _B("normal", 18.5, 25.0, _L.NORMAL),
                    _B("pre-obese", 25.0, 30.0, _L.BORDERLINE),
                    _B("obese class I", 30.0, 35.0, _L.HIGH),
                    _B("obese class II", 35.0, 40.0, _L.VERY_HIGH),
                    _B("obese class III", 40.0, None, _L.VERY_HIGH),
                ),
            }
        ),
        note=(
            "For Asian populations the WHO keeps these cut-offs but adds public-health action "
            "points at 23, 27.5, 32.5 and 37.5."
        ),
        authority="the WHO",
    ),
    Guideline(
        key="guide_homa_ir",
        name="Educational guide bands for HOMA-IR",
        source="Seed article guide bands; compare clinical.md §3.4 [S12][S15][S20]",
        applies_to="homa_ir",
        bands_by_unit=MappingProxyType(
            {
                "": (
                    _B("optimal", None, 1.0, _L.OPTIMAL),
                    _B("above optimal", 1.0, 1.9, _L.NORMAL),
                    _B("early insulin resistance", 1.9, 2.9, _L.BORDERLINE),
                    _B("more marked insulin resistance", 2.9, None, _L.HIGH),
                ),
            }
        ),
        note=HOMA_IR_GUIDE_NOTE,
        authority="the educational guide",
    ),
    Guideline(
        key="guide_tg_hdl",
        name="Published TG:HDL cut-points",
        source="McLaughlin 2003 [S19a]; Li 2008 [S19b]; clinical.md §2.5",
        applies_to="tg_hdl",
        # Each basis has its own published numbers (3.0 on mg/dL, 1.3 on mmol/L), so a ratio is
        # compared on its own basis. 1.3 mmol/L-basis is 2.98 on the mg/dL basis: a ratio right
        # at a boundary may fall on different sides depending on the basis it was computed on.
        bands_by_unit=MappingProxyType(
            {
                TG_HDL_UNIT_MGDL: (
                    _B("favourable", None, 2.0, _L.OPTIMAL),
                    _B("intermediate", 2.0, 3.0, _L.BORDERLINE),
                    _B("high", 3.0, None, _L.HIGH),
                ),
                TG_HDL_UNIT_MMOLL: (
                    _B("favourable", None, 0.87, _L.OPTIMAL),
                    _B("intermediate", 0.87, 1.3, _L.BORDERLINE),
                    _B("high", 1.3, None, _L.HIGH),
                ),
            }
        ),
        note=(
            "The 3.0 cut-point (1.3 on the mmol/L basis) comes from a study of adults with "
            "overweight; other populations fit other values. " + TG_HDL_ANCESTRY_CAVEAT
        ),
        authority="published TG:HDL cut-points",
    ),
)

GUIDELINES: Final[Mapping[str, Guideline]] = MappingProxyType({g.key: g for g in _GUIDELINES})


def guidelines_for(key: str, sex: Sex | None = None) -> tuple[Guideline, ...]:
    """Guidelines for an analyte or index key, the sex-specific ones picked by `sex`.

    When a key has sex-specific guidelines, only those for `sex` are returned, and `sex=None`
    selects the sex-neutral fallback (e.g. ATP III HDL < 40 with a note).
    """
    matching = [g for g in _GUIDELINES if g.applies_to == key]
    if any(g.sex is not None for g in matching):
        matching = [g for g in matching if g.sex == sex]
    return tuple(matching)


def _resolve_unit(
    guideline: Guideline, key: str, value: float, unit: str
) -> tuple[float, str, bool]:
    """(value, unit) to compare with, and whether a conversion was needed."""
    if unit in guideline.bands_by_unit:
        return value, unit, False
    try:
        canonical = normalize_unit(unit)
    except UnknownUnitError:
        canonical = unit
    if canonical in guideline.bands_by_unit:
        return value, canonical, False
    analyte = CATALOGUE.get(key)
    if analyte is None:
        published = ", ".join(repr(u) for u in guideline.units)
        raise UnitMismatchError(
            f"{guideline.name} bands for {key} are published in {published}, not {unit!r}."
        )
    target = next((u for u in guideline.units if u in analyte.units), None)
    if target is None:  # pragma: no cover - every catalogue guideline has a convertible unit
        raise UnitMismatchError(f"No unit shared by {analyte.name} and {guideline.name}.")
    return analyte.convert(value, unit, target), target, True


def classify(
    key: str,
    value: float,
    unit: str,
    *,
    sex: Sex | None = None,
    fasting: Fasting | None = None,
) -> Classification | None:
    """Place a value in the first applicable guideline's band, in the guideline's own unit.

    Returns None when no guideline applies: keys without bands, non-finite values, and
    fasting-only guidelines (ADA fasting glucose) unless `fasting` is YES;
    random or post-meal glucose has no normal/prediabetes bands. Raises UnitMismatchError for
    a unit that cannot be brought to one the guideline publishes.
    """
    if not math.isfinite(value):
        return None
    guidelines = guidelines_for(key, sex)
    if not guidelines:
        return None
    guideline = guidelines[0]
    if guideline.requires_fasting and fasting is not Fasting.YES:
        return None
    compared, compared_unit, converted = _resolve_unit(guideline, key, value, unit)
    band = next(b for b in guideline.bands_by_unit[compared_unit] if b.contains(compared))
    return Classification(
        guideline=guideline,
        band=band,
        compared_value=compared,
        compared_unit=compared_unit,
        converted=converted,
    )
