"""Marker trends: one analyte or index over many draws, in a display unit, with its bands."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Final

from journal.domain.analytes import CATALOGUE, UnitMismatchError, get_analyte, unit_for_system
from journal.domain.entities import Fasting, LabDraw, Sex
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.domain.thresholds import (
    TG_HDL_UNIT_MGDL,
    TG_HDL_UNIT_MMOLL,
    Guideline,
    Level,
    guidelines_for,
    tg_hdl_unit,
)
from journal.domain.units import (
    MG_DL,
    MMOL_L,
    TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS,
    UnitSystem,
    UnknownUnitError,
    normalize_unit,
)

# Glucose and insulin are read against fasting references; a sample not confirmed fasting is
# still shown (hollow, off the line) but never compared with a band.
FASTING_ONLY: Final = frozenset({"glucose", "insulin"})

REASON_NOT_FASTING: Final = "Not a fasting sample, so the fasting bands do not apply."
REASON_FASTING_UNKNOWN: Final = (
    "Fasting not recorded for this draw, so the fasting bands do not apply."
)
NOTE_NOT_FASTING_SHOWN: Final = (
    "Hollow points were not confirmed fasting; they are shown but not compared with the bands "
    "and not joined by the line."
)
NOTE_HOMA_IR_VARIES: Final = (
    "HOMA-IR cut-offs vary by population and assay; these guide bands are not a diagnosis."
)

# Which results an index is made from: a draw with none of them is not a missing point.
_INDEX_INPUTS: Final[dict[IndexKey, frozenset[str]]] = {
    IndexKey.HOMA_IR: frozenset({"glucose", "insulin"}),
    IndexKey.HOMA_B: frozenset({"glucose", "insulin"}),
    IndexKey.QUICKI: frozenset({"glucose", "insulin"}),
    IndexKey.TG_HDL: frozenset({"triglycerides", "hdl"}),
    IndexKey.TYG: frozenset({"triglycerides", "glucose"}),
    IndexKey.METS_IR: frozenset({"glucose", "triglycerides", "hdl"}),
}

# Names and natural units of the indices, read from the index module itself (an empty draw
# yields every index as "not computable", each with its name and unit).
_EMPTY_INDICES: Final = compute_indices(LabDraw(drawn_at=datetime(2000, 1, 1, tzinfo=UTC)))


class UnknownMarkerError(KeyError):
    """A key that is neither a catalogue analyte nor an index."""


@dataclass(frozen=True, slots=True)
class BandSpan:
    """One guideline band in the display unit; `None` means unbounded on that side."""

    low: float | None
    high: float | None
    label: str
    level: Level


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One draw's value in the display unit, with what it was reported as and where.

    `excluded_reason` is set when the value must not be read against the bands (glucose or
    insulin not confirmed fasting); the point is still plotted, hollow.
    """

    drawn_at: datetime
    value: float
    unit: str
    original_value: float
    original_unit: str
    lab_name: str | None
    fasting: Fasting
    draw_id: int | None
    ref_low: float | None = None
    ref_high: float | None = None
    excluded_reason: str | None = None

    @property
    def excluded(self) -> bool:
        return self.excluded_reason is not None


@dataclass(frozen=True, slots=True)
class OmittedPoint:
    """A draw that holds inputs of the marker but yields no plottable value, and why."""

    drawn_at: datetime
    draw_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """Everything a trend chart of one marker needs, already in the display unit.

    `lab_changes` are indices into `points` where the lab differs from the last known lab
    before it. `bands` come from `band_source` in the unit it publishes; if the display unit
    is not one of those, the edges were converted and `notes` says so. `units` lists the
    units the marker can be shown in (conventional first), for a unit toggle.
    """

    key: str
    name: str
    unit: str
    points: tuple[TrendPoint, ...]
    lab_changes: tuple[int, ...]
    bands: tuple[BandSpan, ...]
    band_source: str | None
    notes: tuple[str, ...]
    omitted: tuple[OmittedPoint, ...] = ()
    units: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.points

    @property
    def label(self) -> str:
        """Name with unit for an axis: "Glucose (mg/dL)", "TG:HDL ratio (mg/dL basis)"."""
        if not self.unit:
            return self.name
        if self.unit.startswith("ratio ("):
            return f"{self.name} {self.unit.removeprefix('ratio ')}"
        return f"{self.name} ({self.unit})"


def is_index(key: str) -> bool:
    return key in IndexKey.__members__.values()


def marker_name(key: str) -> str:
    if is_index(key):
        return _EMPTY_INDICES[IndexKey(key)].name
    if key in CATALOGUE:
        return CATALOGUE[key].short_name
    raise UnknownMarkerError(key)


def marker_units(key: str) -> tuple[str, ...]:
    """Units a marker can be displayed in, conventional first (one entry: no toggle)."""
    if key == IndexKey.TG_HDL:
        return (TG_HDL_UNIT_MGDL, TG_HDL_UNIT_MMOLL)
    if is_index(key):
        return (_EMPTY_INDICES[IndexKey(key)].unit,)
    if key in CATALOGUE:
        analyte = CATALOGUE[key]
        return tuple(dict.fromkeys((analyte.conventional_unit, analyte.si_unit)))
    raise UnknownMarkerError(key)


def display_unit(key: str, system: UnitSystem) -> str:
    """The unit a marker is shown in under a unit-system preference."""
    if key == IndexKey.TG_HDL:
        return tg_hdl_unit(system)
    if is_index(key):
        return marker_units(key)[0]
    if key in CATALOGUE:
        return unit_for_system(CATALOGUE[key], system)
    raise UnknownMarkerError(key)


def other_unit(key: str, unit: str) -> str:
    """The next unit in `marker_units` after `unit` (the toggle), or `unit` if it is alone."""
    units = marker_units(key)
    if unit not in units:
        return units[0]
    return units[(units.index(unit) + 1) % len(units)]


def _tg_hdl_basis(unit: str) -> UnitSystem:
    if unit in (TG_HDL_UNIT_MMOLL, MMOL_L, UnitSystem.SI.value):
        return UnitSystem.SI
    if unit in (TG_HDL_UNIT_MGDL, MG_DL, UnitSystem.CONVENTIONAL.value):
        return UnitSystem.CONVENTIONAL
    raise UnitMismatchError(
        f"TG:HDL is shown on the mg/dL or the mmol/L basis ({TG_HDL_UNIT_MGDL!r} or "
        f"{TG_HDL_UNIT_MMOLL!r}), not {unit!r}."
    )


def _fasting_reason(draw: LabDraw) -> str | None:
    if draw.fasting is Fasting.YES:
        return None
    return REASON_NOT_FASTING if draw.fasting is Fasting.NO else REASON_FASTING_UNKNOWN


# What one draw yields for one marker: a point, a draw left out (and why), or nothing at all.
_Entry = TrendPoint | OmittedPoint | None


def _analyte_entry(draw: LabDraw, key: str, unit: str) -> _Entry:
    result = draw.result(key)
    if result is None:
        return None
    if not math.isfinite(result.value):
        return OmittedPoint(draw.drawn_at, draw.id, "The value is not a number.")
    analyte = get_analyte(key)
    try:
        value = analyte.convert(result.value, result.unit, unit)
        ref_low = (
            None if result.ref_low is None else analyte.convert(result.ref_low, result.unit, unit)
        )
        ref_high = (
            None if result.ref_high is None else analyte.convert(result.ref_high, result.unit, unit)
        )
    except UnitMismatchError as exc:
        return OmittedPoint(draw.drawn_at, draw.id, str(exc))
    return TrendPoint(
        drawn_at=draw.drawn_at,
        value=value,
        unit=unit,
        original_value=result.value,
        original_unit=result.unit,
        lab_name=draw.lab_name,
        fasting=draw.fasting,
        draw_id=draw.id,
        ref_low=ref_low,
        ref_high=ref_high,
        excluded_reason=_fasting_reason(draw) if key in FASTING_ONLY else None,
    )


def _index_entry(
    draw: LabDraw, key: IndexKey, unit: str, indices: Callable[[], Mapping[IndexKey, IndexResult]]
) -> _Entry:
    if not any(draw.result(a) is not None for a in _INDEX_INPUTS[key]):
        return None
    index = indices()[key]
    if not index.computable or index.value is None:
        return OmittedPoint(draw.drawn_at, draw.id, index.reason or "Not computable.")
    value = index.value
    basis = _tg_hdl_basis(unit) if key is IndexKey.TG_HDL else None
    if basis is not None and index.basis is not basis:
        factor = TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS
        value = value * factor if basis is UnitSystem.CONVENTIONAL else value / factor
    return TrendPoint(
        drawn_at=draw.drawn_at,
        value=value,
        unit=unit,
        original_value=index.value,
        original_unit=index.unit,
        lab_name=draw.lab_name,
        fasting=draw.fasting,
        draw_id=draw.id,
    )


class _DrawMemo:
    """One draw's indices and per-marker entries, worked out the first time they are asked."""

    __slots__ = ("draw", "entries", "indices")

    def __init__(self, draw: LabDraw) -> None:
        self.draw = draw
        self.indices: Mapping[IndexKey, IndexResult] | None = None
        self.entries: dict[tuple[str, str], _Entry] = {}

    def all_indices(self) -> Mapping[IndexKey, IndexResult]:
        if self.indices is None:
            self.indices = compute_indices(self.draw)
        return self.indices


class SeriesCache:
    """What each draw yields for each marker, kept between redraws.

    Ten years of draws take a while to work out (every index is computed per draw); after one
    new or edited draw only that one is. `marker_series(draws, ..., cache=c)` always equals
    `marker_series(draws, ...)`. A draw is recognised by its id and trusted only while it is
    the same object or an equal one, so an edited draw (a new object with other results or
    fasting) is worked out again.
    """

    def __init__(self) -> None:
        self._memos: dict[object, _DrawMemo] = {}
        self.computed = 0  # entries worked out since the cache was made, for tests

    def _memo(self, draw: LabDraw) -> _DrawMemo:
        # A draw not yet saved has no id; it is known only as this very object.
        key: object = draw.id if draw.id is not None else ("object", id(draw))
        memo = self._memos.get(key)
        if memo is None or (memo.draw is not draw and memo.draw != draw):
            memo = self._memos[key] = _DrawMemo(draw)
        memo.draw = draw  # an equal object: next time it is recognised by identity
        return memo

    def entries(self, draws: Sequence[LabDraw], key: str, unit: str) -> list[_Entry]:
        """Each draw's entry for marker `key` in canonical `unit`, in the order given."""
        if len(self._memos) > 2 * len(draws) + 64:  # draws deleted over time: forget them
            self._memos = {}
        out: list[_Entry] = []
        wanted = (key, unit)
        for draw in draws:
            memo = self._memo(draw)
            entries = memo.entries
            if wanted in entries:
                out.append(entries[wanted])
                continue
            entry = _entry(draw, key, unit, memo.all_indices)
            entries[wanted] = entry
            self.computed += 1
            out.append(entry)
        return out


def _entry(
    draw: LabDraw, key: str, unit: str, indices: Callable[[], Mapping[IndexKey, IndexResult]]
) -> _Entry:
    if is_index(key):
        return _index_entry(draw, IndexKey(key), unit, indices)
    return _analyte_entry(draw, key, unit)


def _points(
    draws: Sequence[LabDraw], key: str, unit: str, cache: SeriesCache | None
) -> tuple[list[TrendPoint], list[OmittedPoint]]:
    if cache is not None:
        entries = cache.entries(draws, key, unit)
    else:
        entries = [_entry(d, key, unit, partial(compute_indices, d)) for d in draws]
    points: list[TrendPoint] = []
    omitted: list[OmittedPoint] = []
    for entry in entries:
        if isinstance(entry, TrendPoint):
            points.append(entry)
        elif entry is not None:
            omitted.append(entry)
    return points, omitted


def lab_changes(points: Sequence[TrendPoint]) -> tuple[int, ...]:
    """Indices of points whose lab differs from the last known lab before them.

    A point without a lab name neither starts nor ends a run, so one draw entered without
    its lab does not mark two changes.
    """
    changes: list[int] = []
    last: str | None = None
    for i, point in enumerate(points):
        lab = (point.lab_name or "").strip() or None
        if lab is None:
            continue
        if last is not None and lab != last:
            changes.append(i)
        last = lab
    return tuple(changes)


def _bands(key: str, guideline: Guideline, unit: str) -> tuple[tuple[BandSpan, ...], str | None]:
    """The guideline's bands in `unit`, and a note if their edges had to be converted."""
    if unit in guideline.bands_by_unit:
        published = guideline.bands_by_unit[unit]
        return tuple(BandSpan(b.low, b.high, b.label, b.level) for b in published), None
    analyte = CATALOGUE.get(key)
    source = next((u for u in guideline.units if analyte is not None and u in analyte.units), None)
    if analyte is None or source is None:
        return (), None

    def edge(x: float | None) -> float | None:
        return None if x is None else analyte.convert(x, source, unit)

    spans = tuple(
        BandSpan(edge(b.low), edge(b.high), b.label, b.level)
        for b in guideline.bands_by_unit[source]
    )
    note = (
        f"{guideline.speaker} publishes these cut-offs in {source}; the band edges were "
        f"converted to {unit} for this chart."
    )
    return spans, note


def _canonical(key: str, unit: str) -> str:
    if key == IndexKey.TG_HDL:
        return tg_hdl_unit(_tg_hdl_basis(unit))
    if is_index(key):
        natural = marker_units(key)[0]
        if unit not in ("", natural):
            raise UnitMismatchError(f"{marker_name(key)} has no unit {unit!r}.")
        return natural
    try:
        return get_analyte(key).canonical_unit(normalize_unit(unit))
    except UnknownUnitError as exc:
        raise UnitMismatchError(str(exc)) from exc


def marker_series(
    draws: Sequence[LabDraw],
    key: str,
    unit: str,
    *,
    sex: Sex | None = None,
    cache: SeriesCache | None = None,
) -> TrendSeries:
    """The trend of one analyte or index over `draws`, in display unit `unit`.

    Points are sorted by time. Analyte values and each lab's reference range are converted
    to `unit`; a value whose unit cannot be converted is left out with the reason in
    `omitted`. Index values are recomputed per draw; a draw holding some of an index's inputs
    but not yielding it (not fasting, a missing input) is in `omitted` with the index's own
    reason. For TG:HDL, `unit` names the basis (`TG_HDL_UNIT_MGDL` / `TG_HDL_UNIT_MMOLL`, or
    "mg/dL" / "mmol/L"), and ratios computed on the other basis are converted. Glucose and
    insulin not confirmed fasting are kept but marked excluded, and never meet a band.
    Give the same `cache` on each redraw to work out only the draws that changed.
    """
    if not is_index(key) and key not in CATALOGUE:
        raise UnknownMarkerError(key)
    unit = _canonical(key, unit)
    ordered = sorted(draws, key=lambda d: (d.drawn_at, d.id if d.id is not None else -1))
    points, omitted = _points(ordered, key, unit, cache)

    notes: list[str] = []
    bands: tuple[BandSpan, ...] = ()
    band_source: str | None = None
    guidelines = guidelines_for(key, sex)
    if guidelines:
        guideline = guidelines[0]
        bands, conversion_note = _bands(key, guideline, unit)
        if bands:
            band_source = guideline.name
            if key == IndexKey.HOMA_IR:
                notes.append(NOTE_HOMA_IR_VARIES)
            # A guideline note that only says "values are converted first" is replaced by the
            # chart's own conversion note.
            if guideline.note and not (conversion_note and "converted" in guideline.note):
                notes.append(guideline.note)
            if conversion_note:
                notes.append(conversion_note)
    if any(p.excluded for p in points):
        notes.append(NOTE_NOT_FASTING_SHOWN)
    return TrendSeries(
        key=key,
        name=marker_name(key),
        unit=unit,
        points=tuple(points),
        lab_changes=lab_changes(points),
        bands=bands,
        band_source=band_source,
        notes=tuple(notes),
        omitted=tuple(omitted),
        units=marker_units(key),
    )
