"""Read-only lists of each kind of entry, newest first, until the full pages replace them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal.domain.analytes import USUAL_PANEL, get_analyte
from journal.domain.units import format_value
from journal.services.changes import Change, Entity
from journal.services.journal import JournalServices
from journal.ui.events import Events

NEWEST = 200
SOURCE_NAMES = {"cgm": "Sensor (CGM)", "fingerstick": "Finger-stick"}


class ListPage(QWidget):
    """A titled table of the newest entries of one kind."""

    title = ""
    entity: Entity | None = None
    empty_text = ""

    def __init__(self, services: JournalServices, events: Events) -> None:
        super().__init__()
        self.services = services
        self.setAccessibleName(self.title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        heading = QLabel(self.title)
        heading.setObjectName("pageTitle")
        self.caption = QLabel()
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName(f"{self.title} list")
        layout.addWidget(heading)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        events.entries_changed.connect(self._on_change)
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if self.entity is not None and change.concerns(self.entity):
            self.refresh()

    def headers(self) -> Sequence[str]:
        return ()

    def rows(self) -> tuple[int, list[Sequence[str]]]:
        return 0, []

    def refresh(self) -> None:
        total, rows = self.rows()
        headers = self.headers()
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c > 0 and value[:1].isdigit():
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        if total == 0:
            self.caption.setText(self.empty_text)
        elif total > len(rows):
            self.caption.setText(f"{total:,} entries; the newest {len(rows)} are shown.")
        else:
            self.caption.setText(f"{total:,} entries.")
        self.table.setVisible(total > 0)


def _when(value: object) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]


class LabsPage(ListPage):
    title = "Labs"
    entity = Entity.LAB_DRAW
    empty_text = "No lab results yet."

    def headers(self) -> Sequence[str]:
        return ("Drawn", "Fasting", "Lab", *(get_analyte(k).short_name for k in USUAL_PANEL))

    def rows(self) -> tuple[int, list[Sequence[str]]]:
        draws = self.services.labs.list_draws()
        out: list[Sequence[str]] = []
        for d in reversed(draws[-NEWEST:]):
            cells = [_when(d.drawn_at), d.fasting.value, d.lab_name or ""]
            for key in USUAL_PANEL:
                r = d.result(key)
                cells.append("" if r is None else f"{format_value(r.value, r.unit)} {r.unit}")
            out.append(cells)
        return len(draws), out


class TrainingPage(ListPage):
    title = "Training"
    entity = Entity.WORKOUT
    empty_text = "No workouts yet."

    def headers(self) -> Sequence[str]:
        return ("Started", "Kind", "Activity", "Minutes", "Effort (RPE)", "Notes")

    def rows(self) -> tuple[int, list[Sequence[str]]]:
        total = self.services.training.count()
        workouts = self.services.training.list_workouts()[-NEWEST:]
        return total, [
            (
                _when(w.started_at),
                w.kind.value,
                w.activity or "",
                f"{w.duration_min:.0f}",
                "" if w.rpe is None else str(w.rpe),
                w.notes or "",
            )
            for w in reversed(workouts)
        ]


class WalksPage(ListPage):
    title = "Walks"
    entity = Entity.WALK
    empty_text = "No post-meal walks yet."

    def headers(self) -> Sequence[str]:
        return ("Meal", "Walk started", "Minutes after eating", "Minutes", "Kind")

    def rows(self) -> tuple[int, list[Sequence[str]]]:
        total = self.services.walks.count()
        walks = self.services.walks.list_walks()[-NEWEST:]
        return total, [
            (
                w.meal.value,
                _when(w.started_at),
                f"{w.minutes_after_eating:.0f}",
                f"{w.duration_min:.0f}",
                w.kind.value.replace("_", " "),
            )
            for w in reversed(walks)
        ]


class GlucosePage(ListPage):
    title = "Glucose"
    entity = Entity.GLUCOSE
    empty_text = "No glucose readings yet."

    def headers(self) -> Sequence[str]:
        return ("Time", "Glucose", "Source", "Device")

    def rows(self) -> tuple[int, list[Sequence[str]]]:
        total = self.services.glucose.count()
        span = self.services.glucose.span()
        if span is None:
            return 0, []
        readings = self.services.glucose.readings_between(span[1] - timedelta(days=1), span[1])
        return total, [
            (
                _when(g.at),
                f"{format_value(g.value, g.unit)} {g.unit}",
                g.source.value,
                g.device or "",
            )
            for g in reversed(readings[-NEWEST:])
        ]


class SummaryPage(ListPage):
    title = "Visit summary"
    entity = Entity.QUESTION
    empty_text = "No questions for your physician yet."

    def headers(self) -> Sequence[str]:
        return ("#", "Question", "Answer")

    def rows(self) -> tuple[int, list[Sequence[str]]]:
        questions = self.services.questions.list_questions()
        return len(questions), [
            (str(i), q.text, q.answer or "") for i, q in enumerate(questions, start=1)
        ]
