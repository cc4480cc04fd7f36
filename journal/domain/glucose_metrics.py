"""Sensor glucose summary metrics of the international consensus: time in ranges, mean, GMI, CV."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from journal.domain.units import (
    CV_STABLE_MAX_PCT,
    GLUCOSE_MGDL_PER_MMOLL,
    GMI_MMOLMOL,
    GMI_PCT,
    TIR_RANGE_MGDL,
)

# Range edges in mg/dL, the unit the consensus publishes first (clinical.md §5.2).
VERY_LOW_MGDL: Final = 54.0
LOW_MGDL: Final = float(TIR_RANGE_MGDL[0])
HIGH_MGDL: Final = float(TIR_RANGE_MGDL[1])
VERY_HIGH_MGDL: Final = 250.0
# Consensus targets for most adults, in percent of readings.
TIR_TARGET_PCT: Final = 70.0
TBR_TARGET_PCT: Final = 4.0
TAR_TARGET_PCT: Final = 25.0
# Data sufficiency: 14 days with at least 70 % of the possible sensor readings.
MIN_DAYS: Final = 14
MIN_ACTIVE_PCT: Final = 70.0


@dataclass(frozen=True, slots=True)
class GlucoseCounts:
    """Sensor readings of a period, counted per range in SQL; every value in mg/dL."""

    readings: int
    first: datetime | None
    last: datetime | None
    mean_mgdl: float | None
    mean_square_mgdl: float | None
    very_low: int  # < 54
    low: int  # < 70 (very low included)
    high: int  # > 180 (very high included)
    very_high: int  # > 250
    days_with_readings: int
    interval_min: float = 5.0  # the sensor's usual spacing, for the share of time it was active


@dataclass(frozen=True, slots=True)
class GlucoseMetrics:
    """What the summary prints about sensor glucose, or why not (`insufficient`)."""

    readings: int
    days: int
    active_pct: float
    tir_pct: float
    tbr_pct: float
    tbr2_pct: float
    tar_pct: float
    tar2_pct: float
    mean_mgdl: float
    mean_mmoll: float
    gmi_pct: float
    gmi_mmolmol: float
    cv_pct: float
    insufficient: str | None

    @property
    def stable(self) -> bool:
        return self.cv_pct <= CV_STABLE_MAX_PCT


def gmi_percent(mean_mgdl: float) -> float:
    a, b = GMI_PCT
    return a + b * mean_mgdl


def gmi_mmol_per_mol(mean_mmoll: float) -> float:
    a, b = GMI_MMOLMOL
    return a + b * mean_mmoll


def metrics(counts: GlucoseCounts, period_days: int) -> GlucoseMetrics | None:
    """The consensus metrics of `counts`, or None when there is not a single reading.

    Shares are of readings (sensors read at a steady interval, so that is share of time).
    Fewer than 14 days with readings, or under 70 % of the possible readings over the days
    that had any, is flagged as insufficient rather than hidden.
    """
    n = counts.readings
    if n == 0 or counts.mean_mgdl is None or counts.mean_square_mgdl is None:
        return None
    mean = counts.mean_mgdl
    variance = max(0.0, counts.mean_square_mgdl - mean * mean) * n / max(1, n - 1)
    cv = math.sqrt(variance) / mean * 100 if mean > 0 else 0.0
    possible = counts.days_with_readings * 24 * 60 / counts.interval_min
    active = min(100.0, n / possible * 100) if possible else 0.0
    insufficient = None
    if counts.days_with_readings < MIN_DAYS:
        insufficient = (
            f"Only {counts.days_with_readings} day(s) with sensor readings in this period; "
            f"the consensus asks for at least {MIN_DAYS}."
        )
    elif active < MIN_ACTIVE_PCT:
        insufficient = (
            f"The sensor recorded about {active:.0f} % of the possible readings; "
            f"the consensus asks for at least {MIN_ACTIVE_PCT:.0f} %."
        )

    def pct(k: int) -> float:
        return k / n * 100

    mean_mmoll = mean / GLUCOSE_MGDL_PER_MMOLL
    return GlucoseMetrics(
        readings=n,
        days=counts.days_with_readings,
        active_pct=active,
        tir_pct=pct(n - counts.low - counts.high),
        tbr_pct=pct(counts.low),
        tbr2_pct=pct(counts.very_low),
        tar_pct=pct(counts.high),
        tar2_pct=pct(counts.very_high),
        mean_mgdl=mean,
        mean_mmoll=mean_mmoll,
        gmi_pct=gmi_percent(mean),
        gmi_mmolmol=gmi_mmol_per_mol(mean_mmoll),
        cv_pct=cv,
        insufficient=insufficient,
    )
