"""Table models for the lab draw, workout and walk lists, and the proxy that searches them."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from journal.domain.analytes import USUAL_PANEL, UnitMismatchError, get_analyte
from journal.domain.entities import (
    Fasting,
    LabDraw,
    LabResult,
    Meal,
    PostMealWalk,
    WalkKind,
    Workout,
    WorkoutKind,
)
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.domain.units import (
    NOT_A_NUMBER,
    TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS,
    UnitSystem,
    UnknownUnitError,
    format_value,
    with_unit,
)
from journal.services.training import RPE_WORDS

Index = QModelIndex | QPersistentModelIndex

# Real numbers and datetimes, so that sorting is by value or time, never alphabetical.
SORT_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1

_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)
_NOTES_SHOWN = 160  # characters of a note kept in the cell; the tooltip has the rest

KIND_NAMES = {
    WorkoutKind.AEROBIC: "Aerobic",
    WorkoutKind.RESISTANCE: "Resistance",
    WorkoutKind.HIIT: "HIIT",
    WorkoutKind.COMBINED: "Combined",
    WorkoutKind.OTHER: "Other",
}
WALK_KIND_NAMES = {
    WalkKind.WALK: "Walk",
    WalkKind.CALF_RAISES: "Seated calf raises",
    WalkKind.OTHER: "Other",
}
MEAL_NAMES = {m: m.value.capitalize() for m in Meal}
FASTING_NAMES = {Fasting.YES: "Yes", Fasting.NO: "No", Fasting.UNKNOWN: "Unknown"}
_MEAL_ORDER = {m: i for i, m in enumerate(Meal)}
_FASTING_ORDER = {Fasting.YES: 0, Fasting.NO: 1, Fasting.UNKNOWN: 2}


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, a typical widest cell (to size it without measuring every row)."""

    header: str
    sample: str = ""
    numeric: bool = False
    tip: str = ""


class _Row:
    """One record with its cell texts and sort keys, worked out the first time they are needed."""

    __slots__ = ("cells", "keys", "memo", "record", "search", "when")

    def __init__(self, record: Any, when: datetime) -> None:
        self.record = record
        self.when = when
        self.memo: Any = None
        self.cells: tuple[str, ...] | None = None
        self.keys: tuple[Any, ...] | None = None
        self.search: str | None = None


class RecordTableModel(QAbstractTableModel):
    """Rows of one kind of record, filled by `set_rows` and ordered here rather than in a proxy.

    QSortFilterProxyModel sorts by calling `data()` for both sides of every comparison; for
    9,700 walks that is about 250,000 calls into Python (0.8 s). Sorting the row list with
    `list.sort` on the same keys takes a few milliseconds, so `RecordFilterProxy.sort` hands
    the request to `sort` here and only filters. Rows without a value sort last either way,
    and equal values keep the newest first. Small changes (`upsert`, `remove_ids`) insert,
    move and remove single rows, so selections survive and nothing is sorted again.
    """

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    DATE_COLUMN: ClassVar[int] = 0
    NOTES_COLUMN: ClassVar[int] = -1
    WHEN_FIELD: ClassVar[str] = ""  # the record's main time; column DATE_COLUMN sorts by it

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._when = attrgetter(self.WHEN_FIELD)
        self._rows: list[_Row] = []
        self._by_id: dict[int, int] | None = None
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    # --- filling ------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Any]) -> None:
        when = self._when
        self.beginResetModel()
        self._rows = [_Row(record, when(record)) for record in rows]
        self._by_id = None
        self._order_rows()
        self.endResetModel()

    def upsert(self, records: Iterable[Any]) -> None:
        """Replace the rows with these records' ids and add the new ones, each in its place."""
        known = self._id_index()
        fresh = list(records)
        for record in fresh:
            if record.id in known:
                self._replace(record)
        for record in fresh:
            if record.id not in known:
                self._insert(record)

    def remove_ids(self, ids: Iterable[int]) -> None:
        rows = sorted({r for r in (self.row_of_id(i) for i in ids) if r is not None}, reverse=True)
        # Remove contiguous runs at once, from the bottom so earlier row numbers stay valid.
        while rows:
            last = first = rows.pop(0)
            while rows and rows[0] == first - 1:
                first = rows.pop(0)
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self._by_id = None
            self.endRemoveRows()

    def _insert(self, record: Any) -> None:
        item = _Row(record, self._when(record))
        position = self._position(item, self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, item)
        self._by_id = None
        self.endInsertRows()

    def _replace(self, record: Any) -> None:
        row = self.row_of_id(record.id)
        assert row is not None
        item = _Row(record, self._when(record))
        self._rows[row] = item
        others = self._rows[:row] + self._rows[row + 1 :]
        position = self._position(item, others)
        if position != row:
            # In the list's own numbering, "before row n" once this row is lifted out.
            target = position if position < row else position + 1
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target)
            self._rows = others
            self._rows.insert(position, item)
            self._by_id = None
            self.endMoveRows()
            row = position
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def _position(self, item: _Row, rows: list[_Row]) -> int:
        """Where `item` goes among `rows` (already in order): after every row it doesn't precede."""
        if not 0 <= self._sort_column < len(self.COLUMNS):
            return len(rows)
        low, high = 0, len(rows)
        while low < high:
            middle = (low + high) // 2
            if self._precedes(item, rows[middle]):
                high = middle
            else:
                low = middle + 1
        return low

    def _precedes(self, a: _Row, b: _Row) -> bool:
        """The order `_order_rows` gives, for one pair of rows."""
        column = self._sort_column
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        if column == self.DATE_COLUMN:
            return a.when > b.when if descending else a.when < b.when
        ka, kb = self._row_keys(a)[column], self._row_keys(b)[column]
        if ka is None or kb is None:
            return kb is None if (ka is None) != (kb is None) else a.when > b.when
        if ka != kb:
            return bool(ka > kb) if descending else bool(ka < kb)
        return a.when > b.when

    # --- reading ------------------------------------------------------------------------------

    def row_record(self, row: int) -> Any:
        return self._rows[row].record

    def records(self) -> list[Any]:
        return [r.record for r in self._rows]

    def row_of_id(self, record_id: int | None) -> int | None:
        return None if record_id is None else self._id_index().get(record_id)

    def _id_index(self) -> dict[int, int]:
        if self._by_id is None:
            self._by_id = {r.record.id: i for i, r in enumerate(self._rows)}
        return self._by_id

    def row_date(self, row: int) -> date:
        """The record's main date in local time, for the date range filter."""
        return self._rows[row].when.astimezone().date()

    def date_span(self) -> tuple[date, date] | None:
        """The first and last main date (local) of all rows, or None without rows."""
        if not self._rows:
            return None
        whens = [r.when for r in self._rows]
        return min(whens).astimezone().date(), max(whens).astimezone().date()

    def row_search_text(self, row: int) -> str:
        item = self._rows[row]
        if item.search is None:
            notes = getattr(item.record, "notes", None) or ""
            item.search = " ".join((*self._row_cells(item), notes)).casefold()
        return item.search

    # --- Qt -----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_cells(item)[column]
        if role == SORT_ROLE:
            return self._row_keys(item)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if self.COLUMNS[column].numeric else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.NOTES_COLUMN:
                return _notes_tip(getattr(item.record, "notes", None))
            return self._tooltip(item.record, self._memo(item), column)
        if role == ID_ROLE:
            return item.record.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        column = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tip(column.tip) if column.tip else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.numeric else _LEFT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column
        self._sort_order = order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._rows[i.row()], i.column()) for i in persistent]
        self._order_rows()
        self._by_id = None
        if persistent:
            position = {id(r): n for n, r in enumerate(self._rows)}
            moved = [self.index(position[id(r)], c) for r, c in held]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # --- ordering -----------------------------------------------------------------------------

    def _order_rows(self) -> None:
        column = self._sort_column
        if not 0 <= column < len(self.COLUMNS):
            return
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        rows = sorted(self._rows, key=attrgetter("when"), reverse=True)
        if column == self.DATE_COLUMN:
            self._rows = rows if descending else rows[::-1]
            return
        # Sorted newest first above, and list.sort is stable (also reversed): equal values
        # stay newest first, whichever way the column itself is sorted.
        self._fill_keys(rows)
        present = [r for r in rows if r.keys[column] is not None]  # type: ignore[index]
        missing = [r for r in rows if r.keys[column] is None]  # type: ignore[index]
        present.sort(key=lambda r: r.keys[column], reverse=descending)  # type: ignore[index]
        self._rows = present + missing

    # --- per row, cached ----------------------------------------------------------------------

    def _memo(self, item: _Row) -> Any:
        if item.memo is None:
            item.memo = self._prepare(item.record)
        return item.memo

    def _row_cells(self, item: _Row) -> tuple[str, ...]:
        if item.cells is None:
            item.cells = self._cells(item.record, self._memo(item))
        return item.cells

    def _fill_keys(self, rows: Iterable[_Row]) -> None:
        # Bound once: a method looked up on a QObject costs several times a plain one.
        prepare, keys = self._prepare, self._keys
        for item in rows:
            if item.keys is None:
                if item.memo is None:
                    item.memo = prepare(item.record)
                item.keys = keys(item.record, item.memo)

    def _row_keys(self, item: _Row) -> tuple[Any, ...]:
        if item.keys is None:
            item.keys = self._keys(item.record, self._memo(item))
        return item.keys

    # --- what each kind of record shows -------------------------------------------------------

    def _prepare(self, record: Any) -> Any:
        """Work shared by a row's cells, keys and tooltips (the lab indices); False for none."""
        return False

    def _cells(self, record: Any, memo: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def _keys(self, record: Any, memo: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    def _tooltip(self, record: Any, memo: Any, column: int) -> str | None:
        return None


# --- lab draws ----------------------------------------------------------------------------------

# Typical widest cells, so the columns fit beside the sidebar at the default window size.
_PANEL_SAMPLES = {
    "glucose": "101 mg/dL ↑",
    "insulin": "12.5 µIU/mL",
    "hba1c": "34 mmol/mol",
    "triglycerides": "152 mg/dL ↑",
    "hdl": "1.28 mmol/L ↓",
    "ldl": "3.07 mmol/L",
    "total_cholesterol": "5.35 mmol/L",
}
_FLAG_MARKS = {"H": "↑", "HH": "↑↑", "L": "↓", "LL": "↓↓", "A": "!", "AA": "!!"}
_FLAG_WORDS = {
    "H": "high",
    "HH": "critically high",
    "L": "low",
    "LL": "critically low",
    "A": "abnormal",
    "AA": "critically abnormal",
}


def _panel_column(key: str) -> Column:
    analyte = get_analyte(key)
    return Column(
        analyte.short_name,
        sample=_PANEL_SAMPLES.get(key, "999 mg/dL"),
        numeric=True,
        tip=(
            f"{analyte.name}, in the unit the lab reported; ↑ and ↓ are the lab's own high and "
            f"low flags. Sorting compares values converted to {analyte.conventional_unit}, so "
            "results in different units still sort in the right order."
        ),
    )


# Each index sits right after the results it is calculated from, and the lab's name after the
# panel: at the default window size the eye reads glucose, insulin, HOMA-IR without scrolling.
_LAB_LAYOUT: tuple[str, ...] = (
    "drawn",
    "fasting",
    "glucose",
    "insulin",
    IndexKey.HOMA_IR,
    "hba1c",
    "triglycerides",
    "hdl",
    IndexKey.TG_HDL,
    "ldl",
    "total_cholesterol",
    "lab",
    "notes",
)
assert set(USUAL_PANEL) <= set(_LAB_LAYOUT)
_INDEX_COLUMNS = {
    IndexKey.HOMA_IR: Column(
        "HOMA-IR",
        sample="99.99",
        numeric=True,
        tip="HOMA1-IR, calculated from this draw's fasting glucose and insulin. "
        "Calculated, not a lab result.",
    ),
    IndexKey.TG_HDL: Column(
        "TG:HDL",
        sample="1.31 (mmol/L)",
        numeric=True,
        tip="Triglycerides divided by HDL cholesterol, from this draw. Calculated, not a lab "
        "result. A ratio from mmol/L values is marked so; sorting compares every ratio on the "
        "mg/dL basis.",
    ),
}
_LAB_OTHER_COLUMNS = {
    "drawn": Column("Drawn", sample="2026-11-20 18:00"),
    "fasting": Column("Fasting", sample="Yes, 12.5 h"),
    "lab": Column("Lab", sample="Lakeshore Medical"),
    "notes": Column("Notes", sample="Notes"),
}


def _lab_column(part: str) -> Column:
    if part in _INDEX_COLUMNS:
        return _INDEX_COLUMNS[IndexKey(part)]
    return _LAB_OTHER_COLUMNS.get(part) or _panel_column(part)


class LabDrawTableModel(RecordTableModel):
    """One row per blood draw: the usual panel as reported, and two indices calculated from it."""

    LAYOUT = _LAB_LAYOUT
    COLUMNS = tuple(_lab_column(part) for part in _LAB_LAYOUT)
    NOTES_COLUMN = _LAB_LAYOUT.index("notes")
    WHEN_FIELD = "drawn_at"

    def column_of(self, part: str) -> int:
        """The column showing `part`: an analyte key, an IndexKey, "drawn", "lab", ..."""
        return self.LAYOUT.index(part)

    def _prepare(self, record: LabDraw) -> dict[IndexKey, IndexResult]:
        return compute_indices(record)

    def _cells(self, record: LabDraw, memo: dict[IndexKey, IndexResult]) -> tuple[str, ...]:
        return tuple(self._cell(record, memo, part) for part in self.LAYOUT)

    def _cell(self, record: LabDraw, memo: dict[IndexKey, IndexResult], part: str) -> str:
        if part == "drawn":
            return local_time(record.drawn_at)
        if part == "fasting":
            return _fasting_text(record)
        if part == "lab":
            return record.lab_name or ""
        if part == "notes":
            return _one_line(record.notes)
        if part == IndexKey.HOMA_IR:
            return memo[IndexKey.HOMA_IR].display_value
        if part == IndexKey.TG_HDL:
            return _tg_hdl_text(memo[IndexKey.TG_HDL])
        return _result_text(record.result(part))

    def _keys(self, record: LabDraw, memo: dict[IndexKey, IndexResult]) -> tuple[Any, ...]:
        return tuple(self._key(record, memo, part) for part in self.LAYOUT)

    def _key(self, record: LabDraw, memo: dict[IndexKey, IndexResult], part: str) -> Any:
        if part == "drawn":
            return record.drawn_at
        if part == "fasting":
            return _FASTING_ORDER[record.fasting]
        if part == "lab":
            return _text_key(record.lab_name)
        if part == "notes":
            return _text_key(record.notes)
        if part == IndexKey.HOMA_IR:
            return memo[IndexKey.HOMA_IR].value
        if part == IndexKey.TG_HDL:
            tg_hdl = memo[IndexKey.TG_HDL]
            if tg_hdl.value is not None and tg_hdl.basis is UnitSystem.SI:
                return tg_hdl.value * TG_HDL_MGDL_BASIS_PER_MMOLL_BASIS
            return tg_hdl.value
        return _conventional(record.result(part))

    def _tooltip(
        self, record: LabDraw, memo: dict[IndexKey, IndexResult], column: int
    ) -> str | None:
        part = self.LAYOUT[column]
        if part == "drawn":
            return _tip(f"Imported ({record.source}).") if record.source != "manual" else None
        if part == "fasting":
            if record.hours_fasted is None:
                return None
            return _tip(f"Fasted {_number(record.hours_fasted)} hours before the draw.")
        if part == "lab":
            return _tip(record.lab_name) if record.lab_name else None
        if part in _INDEX_COLUMNS:
            return _index_tip(memo[IndexKey(part)])
        result = record.result(part)
        return None if result is None else _result_tip(result)


def _fasting_text(draw: LabDraw) -> str:
    name = FASTING_NAMES[draw.fasting]
    if draw.fasting is Fasting.YES and draw.hours_fasted is not None:
        return f"{name}, {_number(draw.hours_fasted)} h"
    return name


def _result_text(result: LabResult | None) -> str:
    if result is None:
        return ""
    text = with_unit(format_value(result.value, result.unit), result.unit)
    mark = _FLAG_MARKS.get((result.flag or "").upper())
    return f"{text} {mark}" if mark else text


def _conventional(result: LabResult | None) -> float | None:
    if result is None:
        return None
    try:
        return get_analyte(result.analyte).to_conventional(result.value, result.unit)
    except (UnitMismatchError, UnknownUnitError, KeyError):
        return result.value


def _result_tip(result: LabResult) -> str:
    analyte = get_analyte(result.analyte)
    lines = [f"{analyte.name}: {with_unit(format_value(result.value, result.unit), result.unit)}"]
    try:
        for unit in analyte.units[:2]:
            if unit != analyte.canonical_unit(result.unit):
                value = analyte.convert(result.value, result.unit, unit)
                lines[0] += f" (= {with_unit(format_value(value, unit), unit)})"
    except UnitMismatchError:
        pass
    if result.ref_low is not None or result.ref_high is not None:
        low = "" if result.ref_low is None else format_value(result.ref_low, result.unit)
        high = "" if result.ref_high is None else format_value(result.ref_high, result.unit)
        span = f"{low}–{high}" if low and high else (f"≥ {low}" if low else f"≤ {high}")
        lines.append(f"The lab's range: {with_unit(span, result.unit)}")
    elif result.ref_text:
        lines.append(f"The lab's range: {result.ref_text}")
    flag = (result.flag or "").upper()
    if flag in _FLAG_WORDS:
        lines.append(f"Flagged by the lab as {_FLAG_WORDS[flag]} ({flag}).")
    return _tip(*lines)


def _tg_hdl_text(result: IndexResult) -> str:
    if not result.computable:
        return NOT_A_NUMBER
    if result.basis is UnitSystem.SI:
        return f"{result.display_value} (mmol/L)"
    return result.display_value


def _index_tip(result: IndexResult) -> str:
    if not result.computable:
        return _tip(f"{result.name} not computable: {result.reason}")
    lines = [
        f"{result.name}: {result.display_text}",
        "Calculated from this draw, not a lab result.",
        f"Formula: {result.formula}",
        *(n for n in result.notes if "converted" in n or "basis" in n or "fasting" in n),
    ]
    return _tip(*lines)


# --- workouts -----------------------------------------------------------------------------------


class WorkoutTableModel(RecordTableModel):
    """One row per workout, with the session load and resistance sets summed up."""

    COLUMNS = (
        Column("Started", sample="2026-11-20 18:00"),
        Column("Kind", sample="Resistance"),
        Column("Activity", sample="Full-body strength"),
        Column("Minutes", sample="120", numeric=True),
        Column("RPE", sample="10", numeric=True, tip="Effort, 0 (rest) to 10 (maximal)."),
        Column(
            "Load",
            sample="1200",
            numeric=True,
            tip="Session load: effort (RPE) × minutes, in arbitrary units.",
        ),
        Column("Avg HR", sample="165 bpm", numeric=True, tip="Average heart rate."),
        Column("Distance", sample="42.2 km", numeric=True),
        Column("Sets", sample="24", numeric=True, tip="Resistance sets, all exercises."),
        Column("Notes", sample="Notes"),
    )
    NOTES_COLUMN = len(COLUMNS) - 1
    WHEN_FIELD = "started_at"

    def _cells(self, record: Workout, memo: Any) -> tuple[str, ...]:
        total_sets = sum(s.sets for s in record.sets)
        return (
            local_time(record.started_at),
            KIND_NAMES[record.kind],
            record.activity or "",
            _number(record.duration_min),
            "" if record.rpe is None else str(record.rpe),
            "" if record.load is None else _number(record.load, 0),
            "" if record.avg_hr is None else f"{record.avg_hr} bpm",
            "" if record.distance_km is None else _km(record.distance_km),
            str(total_sets) if record.sets else "",
            _one_line(record.notes),
        )

    def _keys(self, record: Workout, memo: Any) -> tuple[Any, ...]:
        return (
            record.started_at,
            KIND_NAMES[record.kind].casefold(),
            _text_key(record.activity),
            record.duration_min,
            record.rpe,
            record.load,
            record.avg_hr,
            record.distance_km,
            sum(s.sets for s in record.sets) if record.sets else None,
            _text_key(record.notes),
        )

    def _tooltip(self, record: Workout, memo: Any, column: int) -> str | None:
        if column == 0:
            lines = [f"Ended {_clock(record.ended_at.astimezone())}"]
            if record.source != "manual":
                lines.append(f"Imported ({record.source}).")
            return _tip(*lines)
        if column == 2 and record.activity:
            return _tip(record.activity)
        if column == 1 and record.kind is WorkoutKind.HIIT:
            return _tip("High-intensity interval training")
        if column == 4 and record.rpe is not None:
            return _tip(f"RPE {record.rpe}: {RPE_WORDS.get(record.rpe, '')}")
        if column == 5 and record.rpe is not None:
            return _tip(f"RPE {record.rpe} × {_number(record.duration_min)} min")
        if column == 6 and record.max_hr is not None:
            return _tip(f"Maximum {record.max_hr} bpm")
        if column == 8 and record.sets:
            return _tip(*(_set_text(s) for s in record.sets))
        if column == 3 and record.energy_kcal is not None:
            return _tip(f"{record.energy_kcal:.0f} kcal")
        return None


def _set_text(s: Any) -> str:
    load = "" if s.load is None else f" @ {_number(s.load)} {s.load_unit.value}"
    return f"{s.exercise}: {s.sets} × {s.reps}{load}"


# --- walks --------------------------------------------------------------------------------------


class WalkTableModel(RecordTableModel):
    """One row per post-meal walk: when the meal ended, when the walk began, and how long."""

    COLUMNS = (
        Column("Date", sample="Wed 2026-11-20"),
        Column("Meal", sample="Breakfast"),
        Column("Meal ended", sample="18:40", numeric=True),
        Column("Walk started", sample="00:05 +1 d", numeric=True),
        Column(
            "After eating",
            sample="120 min",
            numeric=True,
            tip="Minutes from the end of the meal to the start of the walk.",
        ),
        Column("Minutes", sample="120", numeric=True, tip="How long the walk lasted."),
        Column("Kind", sample="Seated calf raises"),
        Column("Pace", sample="≈ 5.5 km/h", numeric=True),
        Column("Notes", sample="Notes"),
    )
    NOTES_COLUMN = len(COLUMNS) - 1
    WHEN_FIELD = "meal_ended_at"

    def _cells(self, record: PostMealWalk, memo: Any) -> tuple[str, ...]:
        ended = record.meal_ended_at.astimezone()
        started = record.started_at.astimezone()
        later = (started.date() - ended.date()).days
        return (
            f"{_WEEKDAYS[ended.weekday()]} {_day(ended)}",
            MEAL_NAMES[record.meal],
            _clock(ended),
            _clock(started) + (f" +{later} d" if later > 0 else ""),
            f"{_number(record.minutes_after_eating, 0)} min",
            _number(record.duration_min),
            WALK_KIND_NAMES[record.kind],
            _pace_text(record),
            _one_line(record.notes),
        )

    def _keys(self, record: PostMealWalk, memo: Any) -> tuple[Any, ...]:
        ended = record.meal_ended_at.astimezone()
        started = record.started_at.astimezone()
        return (
            record.meal_ended_at,
            _MEAL_ORDER[record.meal],
            # The cells show a time of day, so these sort by it (all the 18:40s together).
            ended.hour * 60 + ended.minute,
            started.hour * 60 + started.minute,
            record.minutes_after_eating,
            record.duration_min,
            WALK_KIND_NAMES[record.kind].casefold(),
            _pace(record),
            _text_key(record.notes),
        )

    def _tooltip(self, record: PostMealWalk, memo: Any, column: int) -> str | None:
        if column == 0:
            return _tip(f"{record.meal_ended_at.astimezone():%A %d %B %Y}")
        if column == 4:
            minutes = _number(record.minutes_after_eating, 0)
            return _tip(f"Started {minutes} minutes after the meal ended.")
        if column == 7 and record.pace_kmh is None and _pace(record) is not None:
            assert record.distance_km is not None
            return _tip(
                f"Worked out from {_km(record.distance_km)} in "
                f"{_number(record.duration_min)} minutes."
            )
        if column == 7 and record.distance_km is not None:
            return _tip(f"Distance {_km(record.distance_km)}")
        return None


def _pace(walk: PostMealWalk) -> float | None:
    if walk.pace_kmh is not None:
        return walk.pace_kmh
    if walk.distance_km is not None and walk.duration_min > 0:
        return walk.distance_km / (walk.duration_min / 60.0)
    return None


def _pace_text(walk: PostMealWalk) -> str:
    pace = _pace(walk)
    if pace is None:
        return ""
    return f"{'' if walk.pace_kmh is not None else '≈ '}{pace:.1f} km/h"


# --- shared formatting --------------------------------------------------------------------------


def local_time(when: datetime) -> str:
    """A stored (UTC) time as the user's local wall-clock time: "2026-11-20 18:00"."""
    t = when.astimezone()
    return f"{_day(t)} {_clock(t)}"


# Formatted by hand: datetime.strftime imports the time module on every call, and PySide's
# import hook makes that slow enough to cost a third of a second over 10,000 walks.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day(t: datetime) -> str:
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}"


def _clock(t: datetime) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _number(value: float, decimals: int = 1) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _km(value: float) -> str:
    return f"{value:.1f} km" if value < 100 else f"{value:.0f} km"


def _text_key(text: str | None) -> str | None:
    return text.casefold() if text else None


def _one_line(text: str | None) -> str:
    if not text:
        return ""
    line = " ".join(text[: _NOTES_SHOWN + 1].split())
    return line if len(text) <= _NOTES_SHOWN else f"{line[:_NOTES_SHOWN].rstrip()}…"


def _tip(*lines: str) -> str:
    # Rich text so Qt wraps long lines; every piece is escaped, so a note is never read as HTML.
    return "<qt>" + "<br>".join(html.escape(line) for line in lines if line) + "</qt>"


def _notes_tip(notes: str | None) -> str | None:
    if not notes or (len(notes) <= 40 and "\n" not in notes):
        return None
    return _tip(*notes.splitlines())


# --- filtering ----------------------------------------------------------------------------------


class RecordFilterProxy(QSortFilterProxyModel):
    """Free-text search over every column (all words, any case) and an optional date range.

    Dates are the record's main date in local time (drawn, started, or the meal's day), both
    ends included. Sorting is handed to a `RecordTableModel` source (see there for why).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._terms: tuple[str, ...] = ()
        self._start: date | None = None
        self._end: date | None = None

    @property
    def search_text(self) -> str:
        return " ".join(self._terms)

    @property
    def date_range(self) -> tuple[date | None, date | None]:
        return self._start, self._end

    @property
    def is_filtering(self) -> bool:
        return bool(self._terms) or self._start is not None or self._end is not None

    def set_search_text(self, text: str) -> None:
        terms = tuple(text.casefold().split())
        if terms != self._terms:
            self.beginFilterChange()
            self._terms = terms
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_date_range(self, start: date | None, end: date | None) -> None:
        if (start, end) != (self._start, self._end):
            self.beginFilterChange()
            self._start, self._end = start, end
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def clear_filters(self) -> None:
        if self.is_filtering:
            self.beginFilterChange()
            self._terms, self._start, self._end = (), None, None
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.is_filtering:
            return True
        model = self.sourceModel()
        if isinstance(model, RecordTableModel):
            if self._start is not None or self._end is not None:
                day = model.row_date(source_row)
                if (self._start is not None and day < self._start) or (
                    self._end is not None and day > self._end
                ):
                    return False
            if self._terms:
                haystack = model.row_search_text(source_row)
                return all(term in haystack for term in self._terms)
            return True
        texts = (
            str(model.data(model.index(source_row, c, source_parent)) or "")
            for c in range(model.columnCount(source_parent))
        )
        haystack = " ".join(texts).casefold()
        return all(term in haystack for term in self._terms)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, RecordTableModel):
            model.sort(column, order)
        else:
            super().sort(column, order)
