"""The Visit summary page: for now, the questions for the physician as a plain list."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal.services.changes import Change, Entity
from journal.services.journal import JournalServices
from journal.ui.events import Events


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
