"""Dialogs to write a question for the physician, and to note down the answer after the visit."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from journal.domain.entities import Question
from journal.services.changes import Change, Entity
from journal.services.errors import NotFoundError
from journal.services.journal import JournalServices
from journal.ui.models.questions import USER_ORIGIN, origin_text
from journal.ui.widgets.forms import FieldErrors, error_label, hint_label, plain_label

FIELD_NAMES = {"text": "The question", "answer": "The answer", "origin": "The origin"}


def _find(services: JournalServices, question_id: int) -> Question:
    for question in services.questions.list_questions():
        if question.id == question_id:
            return question
    raise NotFoundError("That question no longer exists; it may have been deleted.")


def _text_box(lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setMinimumHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def _wrapping(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _ServiceDialog(FieldErrors, QDialog):
    """Shared frame: a field or two, inline errors under them, Save and Cancel."""

    field_names = FIELD_NAMES

    def __init__(self, services: JournalServices, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.services = services
        self.change: Change | None = None
        self.saved_question: Question | None = None
        self._errors: dict[str, QLabel] = {}
        self._inputs: dict[str, QWidget] = {}
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(6)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.general_error = error_label()
        self.general_error.setWordWrap(True)
        self.general_error.setAccessibleName("Problem saving")

    def _field(self, field: str, label: str, box: QPlainTextEdit) -> None:
        caption = plain_label(label)
        caption.setBuddy(box)
        box.setAccessibleName(label.replace("&", "").rstrip(":"))
        error = error_label()
        error.setWordWrap(True)
        error.setAccessibleName(f"{FIELD_NAMES[field]}: problem")
        self._errors[field] = error
        self._inputs[field] = box
        self.layout_.addWidget(caption)
        self.layout_.addWidget(box, 1)
        self.layout_.addWidget(error)

    def _finish(self) -> None:
        self.layout_.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addSpacing(4)
        self.layout_.addWidget(self.buttons)

    def save(self) -> None:
        raise NotImplementedError

    def _saved(self, outcome: tuple[Change, Question] | None) -> None:
        if outcome is not None:
            self.change, self.saved_question = outcome
            self.accept()


class QuestionDialog(_ServiceDialog):
    """Write a new question or reword one; `change` and `saved_question` are set once saved."""

    def __init__(
        self,
        services: JournalServices,
        *,
        question: Question | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, parent)
        self._original = question
        self.setWindowTitle("Edit question" if question else "Add a question")
        self.text = _text_box(4)
        self._field("text", "&Your question:", self.text)
        self.layout_.addWidget(hint_label("Write it the way you'd like to ask it at your visit."))
        if question is not None and question.origin != USER_ORIGIN:
            self.layout_.addWidget(_wrapping(hint_label(origin_text(question))))
        self.include = QCheckBox("&Print it in the visit summary")
        self.include.setChecked(True if question is None else question.include)
        self.layout_.addSpacing(4)
        self.layout_.addWidget(self.include)
        self._finish()
        if question is not None:
            self.text.setPlainText(question.text)
        self.text.setFocus()

    def question(self) -> Question:
        values = {"text": self.text.toPlainText(), "include": self.include.isChecked()}
        if self._original is not None:
            return replace(self._original, **values)
        return Question(origin=USER_ORIGIN, **values)

    def save(self) -> None:
        question = self.question()

        def call() -> tuple[Change, Question]:
            if question.id is None:
                change = self.services.questions.add_question(question)
                question_id = change.first_added(Entity.QUESTION)
            else:
                change = self.services.questions.update_question(question)
                question_id = question.id
            return change, _find(self.services, question_id)

        self._saved(self._attempt(call))


class AnswerDialog(_ServiceDialog):
    """Note what the physician said; an empty answer clears it. Sets `change` once saved."""

    def __init__(
        self, services: JournalServices, question: Question, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, parent)
        if question.id is None:
            raise ValueError("only a saved question can be answered")
        self._question = question
        self.setWindowTitle("Write answer")
        asked = _wrapping(plain_label(question.text))
        font = asked.font()
        font.setBold(True)
        asked.setFont(font)
        self.layout_.addWidget(asked)
        self.layout_.addSpacing(6)
        self.answer = _text_box(5)
        self._field("answer", "&What your physician said:", self.answer)
        self.layout_.addWidget(
            hint_label("It's printed under the question next time. Leave it empty to clear it.")
        )
        self._finish()
        self.answer.setPlainText(question.answer or "")
        self.answer.setFocus()

    def save(self) -> None:
        question_id = self._question.id
        assert question_id is not None

        def call() -> tuple[Change, Question]:
            change = self.services.questions.answer(question_id, self.answer.toPlainText())
            return change, _find(self.services, question_id)

        self._saved(self._attempt(call))
