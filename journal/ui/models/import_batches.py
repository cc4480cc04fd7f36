"""The table of past imports for Import history, and the words used for formats and kinds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette

from journal.domain.entities import ImportBatch
from journal.ui.models.base import ListTableModel

_Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1

# Format keys are the importers' own; a key not listed here is shown as it is stored.
FORMAT_NAMES = {
    "dexcom-clarity-csv": "Dexcom Clarity CSV",
    "libreview-csv": "LibreView CSV",
    "fhir-json": "FHIR (JSON)",
    "fhir": "FHIR (JSON)",
    "apple-health": "Apple Health export",
    "apple-health-xml": "Apple Health export",
    "apple-health-zip": "Apple Health export",
    "gpx": "GPX track",
    "tcx": "TCX activity",
    "fit": "FIT activity",
    "journal-csv": "Journal CSV export",
}
# The service names each kind by its plural ("glucose readings"); batches written before it
# did so used the entity key ("glucose"). (one, many) for both.
KIND_NOUNS = {
    "glucose readings": ("glucose reading", "glucose readings"),
    "glucose": ("glucose reading", "glucose readings"),
    "lab draws": ("lab draw", "lab draws"),
    "lab results": ("lab result", "lab results"),
    "workouts": ("workout", "workouts"),
    "walks": ("walk", "walks"),
    "body measurements": ("body measurement", "body measurements"),
    "questions": ("question", "questions"),
}
# Counts a batch keeps beside what it added; they are not entries.
NOT_ADDED_KEYS = frozenset({"duplicates", "rejected", "not_imported", "skipped"})


def format_name(key: str) -> str:
    return FORMAT_NAMES.get(key, key or "unknown format")


def count_text(kind: str, n: int) -> str:
    words = kind.replace("_", " ")
    one, many = KIND_NOUNS.get(kind, (words, words))
    return f"{n:,} {one if n == 1 else many}"


def added_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """What a batch added, per kind, leaving out duplicates and rejections."""
    return {k: int(v) for k, v in counts.items() if k not in NOT_ADDED_KEYS}


def added_text(counts: Mapping[str, int]) -> str:
    """'1,234 glucose readings, 2 workouts', or 'nothing' when the batch added no entries."""
    parts = [count_text(k, n) for k, n in added_counts(counts).items() if n]
    return ", ".join(parts) or "nothing"


def local_time_text(batch: ImportBatch, zone: tzinfo | None) -> str:
    return f"{batch.imported_at.astimezone(zone):%Y-%m-%d %H:%M}"


class ImportBatchTableModel(ListTableModel):
    """One row per import, newest first as the service lists them; filled by `set_rows`."""

    IMPORTED, FILE, FORMAT, ADDED, STATUS = range(5)
    HEADERS = ("Imported", "File", "Format", "Added", "Status")

    def __init__(self, zone: tzinfo | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._rows: list[ImportBatch] = []

    def set_rows(self, rows: Sequence[ImportBatch]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def batch_at(self, row: int) -> ImportBatch:
        return self._rows[row]

    def row_of(self, batch_id: int) -> int | None:
        for i, batch in enumerate(self._rows):
            if batch.id == batch_id:
                return i
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        batch = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(batch, column)
        if role == SORT_ROLE:
            if column == self.IMPORTED:
                return batch.imported_at.timestamp()
            if column == self.ADDED:
                return sum(added_counts(batch.counts).values())
            return self._text(batch, column).casefold()
        if role == ID_ROLE:
            return batch.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(batch)
        if role == Qt.ItemDataRole.ForegroundRole and batch.undone:
            return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None

    def _text(self, batch: ImportBatch, column: int) -> str:
        if column == self.IMPORTED:
            return local_time_text(batch, self._zone)
        if column == self.FILE:
            return batch.file_name
        if column == self.FORMAT:
            return format_name(batch.format)
        if column == self.ADDED:
            return added_text(batch.counts)
        return "Undone" if batch.undone else "Complete"

    def _tip(self, batch: ImportBatch) -> str:
        lines = [batch.file_name, f"Added: {added_text(batch.counts)}"]
        duplicates = batch.counts.get("duplicates", 0)
        rejected = batch.counts.get("rejected", 0)
        lines.append(f"Skipped as duplicates: {duplicates:,}; rejected: {rejected:,}")
        if batch.assumptions:
            lines.extend(batch.assumptions.splitlines())
        if batch.undone:
            lines.append("Undone: its entries were removed from the journal.")
        return "\n".join(lines)
