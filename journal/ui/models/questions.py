"""The table of questions for the physician: a print tick, the question, its origin, the answer."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from journal.domain.entities import Question
from journal.ui.models.base import ListTableModel

_Index = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1
USER_ORIGIN = "user"


def origin_text(question: Question) -> str:
    """Where a question came from, in words: the person's own, or drafted and from what."""
    if question.origin == USER_ORIGIN:
        return "Your question"
    if question.basis:
        return f"Drafted from: {question.basis}"
    return "Drafted from your journal"


def answered_text(question: Question, zone: tzinfo | None) -> str:
    if question.answered_at is None:
        return ""
    return f"Answered {question.answered_at.astimezone(zone):%d %b %Y}"


class QuestionTableModel(ListTableModel):
    """One row per question in the order they print; filled by `set_rows`, never querying.

    Ticking the print box updates the row at once and emits `include_toggled(id, include)`;
    the page writes it through the service.
    """

    PRINT, QUESTION, ORIGIN, ANSWER = range(4)
    HEADERS = ("Print", "Question", "Where it came from", "Answer")
    TIPS = (
        "Ticked questions are printed in the visit summary, numbered in this order",
        "",
        "Your own question, or the journal data an app-drafted question is based on",
        "What your physician said, once you've written it down",
    )

    include_toggled = Signal(int, bool)

    def __init__(self, zone: tzinfo | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._rows: list[Question] = []

    # --- filling ------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Question]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def question_at(self, row: int) -> Question:
        return self._rows[row]

    def questions(self) -> list[Question]:
        return list(self._rows)

    def ids(self) -> list[int]:
        return [q.id for q in self._rows if q.id is not None]

    def row_of_id(self, question_id: int | None) -> int | None:
        for row, question in enumerate(self._rows):
            if question.id == question_id:
                return row
        return None

    # --- Qt -----------------------------------------------------------------------------------

    def header_tip(self, section: int) -> str | None:
        return self.TIPS[section] or None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.PRINT:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        question = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return question.id
        if column == self.PRINT:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if question.include else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    "Printed in the visit summary"
                    if question.include
                    else "Left out of the printed summary"
                )
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return "Print" if question.include else "Don't print"
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            # Rich text so Qt wraps long lines; escaped, so typed markup never acts as HTML.
            lines = self._tip_lines(question, column)
            return "<qt>" + "<br>".join(html.escape(x) for x in lines) + "</qt>" if lines else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.QUESTION:
                return question.text
            if column == self.ORIGIN:
                return origin_text(question)
            if column == self.ANSWER:
                if not question.answer:
                    return ""
                when = answered_text(question, self._zone)
                return f"{question.answer}\n({when})" if when else question.answer
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop).value)
        return None

    def _tip_lines(self, question: Question, column: int) -> list[str]:
        if column == self.QUESTION:
            return question.text.splitlines()
        if column == self.ORIGIN:
            return origin_text(question).splitlines()
        if column == self.ANSWER and question.answer:
            when = answered_text(question, self._zone)
            return ([f"{when}:"] if when else []) + question.answer.splitlines()
        return []

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != self.PRINT
            or role != Qt.ItemDataRole.CheckStateRole
        ):
            return False
        question = self._rows[index.row()]
        include = Qt.CheckState(value) == Qt.CheckState.Checked
        if include == question.include:
            return True
        self._rows[index.row()] = replace(question, include=include)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        if question.id is not None:
            self.include_toggled.emit(question.id, include)
        return True
