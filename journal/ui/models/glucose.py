"""The table of one day's glucose readings, shown in the unit the user prefers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTime,
)

from journal.domain.analytes import get_analyte
from journal.domain.entities import GlucoseReading, GlucoseSource
from journal.domain.units import MG_DL, MMOL_L, format_value, with_unit
from journal.ui.models.base import ListTableModel

SOURCE_NAMES = {GlucoseSource.CGM: "Sensor (CGM)", GlucoseSource.FINGERSTICK: "Finger-stick"}
SENSOR_DELETE_HINT = (
    "Sensor readings can't be deleted one at a time: an imported sensor export is removed "
    "as a whole by undoing its import."
)

_Index = QModelIndex | QPersistentModelIndex


def glucose_text(value: float, unit: str) -> str:
    """A glucose value as meters and sensors show it: whole mg/dL, mmol/L to one decimal."""
    decimals = 1 if unit == MMOL_L else 0
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return with_unit(f"{rounded:f}", unit)


def recorded_text(reading: GlucoseReading) -> str:
    """The reading exactly as it was entered or imported, in its own unit."""
    return with_unit(format_value(reading.value, reading.unit), reading.unit)


def in_unit(reading: GlucoseReading, unit: str) -> float:
    if reading.unit == unit:
        return reading.value
    return reading.value * _factor(reading.unit, unit)


@cache
def _factor(from_unit: str, to_unit: str) -> float:
    # Glucose converts by a constant factor; looking it up per reading would re-parse both
    # unit spellings for each of a day's 288 sensor readings.
    return get_analyte("glucose").convert(1.0, from_unit, to_unit)


def time_format() -> str:
    locale = QLocale()
    return (
        "HH:mm"
        if locale.language() == QLocale.Language.C
        else locale.timeFormat(QLocale.FormatType.ShortFormat)
    )


@dataclass(frozen=True, slots=True)
class _Row:
    """What one reading shows, worked out once so painting never converts or formats."""

    reading: GlucoseReading
    time: str
    value: str
    source: str
    mg_dl: float


class GlucoseTableModel(ListTableModel):
    """One day's readings: time, value in the display unit, source and device."""

    TIME, VALUE, SOURCE, DEVICE = range(4)
    HEADERS = ("Time", "Glucose", "Source", "Device")
    SORT_ROLE = Qt.ItemDataRole.UserRole
    READING_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self, unit: str = MG_DL, zone: tzinfo = UTC, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._unit = unit
        self._zone = zone
        self._readings: list[GlucoseReading] = []
        self._rows: list[_Row] = []
        self._time_format = time_format()

    @property
    def unit(self) -> str:
        return self._unit

    def set_rows(self, rows: Sequence[GlucoseReading]) -> None:
        self.beginResetModel()
        # Kept in time order, so a row's position is its time sort key (ties keep save order).
        self._readings = sorted(rows, key=lambda r: (r.at, r.id or 0))
        self._rows = self._build()
        self.endResetModel()

    def set_display_unit(self, unit: str) -> None:
        if unit == self._unit:
            return
        self._unit = unit
        self._rows = self._build()
        if self._rows:
            last = self.index(len(self._rows) - 1, self.VALUE)
            self.dataChanged.emit(self.index(0, self.VALUE), last)

    def set_zone(self, zone: tzinfo) -> None:
        self._zone = zone
        self._rows = self._build()
        if self._rows:
            last = self.index(len(self._rows) - 1, self.TIME)
            self.dataChanged.emit(self.index(0, self.TIME), last)

    def reading(self, row: int) -> GlucoseReading:
        return self._rows[row].reading

    def texts(self, column: int) -> set[str]:
        """Every distinct text a column shows (to size it without asking for each cell)."""
        return {self._display(row, column) or "" for row in self._rows}

    def readings(self) -> list[GlucoseReading]:
        return list(self._readings)

    def row_of(self, reading_id: int) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.reading.id == reading_id), None)

    def _build(self) -> list[_Row]:
        # On the two days a year the clocks change, 01:30 can happen twice (or not at all);
        # the zone's abbreviation tells the two apart.
        local_times = [r.at.astimezone(self._zone) for r in self._readings]
        show_zone = len({t.utcoffset() for t in local_times}) > 1
        rows = []
        locale = QLocale()
        for r, local in zip(self._readings, local_times, strict=True):
            time = locale.toString(QTime(local.hour, local.minute), self._time_format)
            if show_zone:
                time = f"{time} {local.tzname()}"
            shown = glucose_text(in_unit(r, self._unit), self._unit)
            rows.append(_Row(r, time, shown, SOURCE_NAMES[r.source], in_unit(r, MG_DL)))
        return rows

    # --- QAbstractTableModel ------------------------------------------------------------------

    def header_tip(self, section: int) -> str | None:
        if section == self.VALUE:
            return f"Shown in {self._unit}; hover over a value recorded in another unit."
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == self.SORT_ROLE:
            return self._sort_key(row, index.row(), column)
        if role == self.READING_ROLE:
            return row.reading
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.VALUE:
                # Worked out on hover only: formatting the recorded value costs more than
                # everything else a row shows.
                recorded = recorded_text(row.reading)
                return None if recorded == row.value else f"Recorded as {recorded}"
            if column == self.SOURCE and row.reading.source is GlucoseSource.CGM:
                return SENSOR_DELETE_HINT
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: _Row, column: int) -> str | None:
        if column == self.TIME:
            return row.time
        if column == self.VALUE:
            return row.value
        if column == self.SOURCE:
            return row.source
        if column == self.DEVICE:
            return row.reading.device or ""
        return None

    def _sort_key(self, row: _Row, position: int, column: int) -> Any:
        if column == self.TIME:
            return position
        if column == self.VALUE:
            return row.mg_dl
        return self._display(row, column)
