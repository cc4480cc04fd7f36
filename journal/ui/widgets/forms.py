"""Form building blocks shared by the entry dialogs: date-time fields, labels, prompts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDateTimeEdit,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from journal.services.errors import NotFoundError, ValidationError

_T = TypeVar("_T")

ERROR_STYLE = "color: #b3261e;"
# A live warning is amber, so it reads apart from the red message a failed save leaves.
WARNING_STYLE = "color: #8a4b00;"


def datetime_format() -> str:
    """The locale's short date and time, with a weekday and a four-digit year."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return "ddd d MMM yyyy  HH:mm"
    date_format = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in date_format:
        # A two-digit year makes the edit guess the century; four digits never do.
        date_format = date_format.replace("yy", "yyyy")
    return f"ddd {date_format}  {locale.timeFormat(QLocale.FormatType.ShortFormat)}"


class DateTimeEdit(QDateTimeEdit):
    """A date-time field that Tab leaves, like every other field in a form.

    QDateTimeEdit's Tab steps through its five sections first, which turns a form into a maze for
    keyboard users; the sections stay reachable with Left/Right and by typing.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat(datetime_format())
        self.setCalendarPopup(True)

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


def to_qdatetime(value: datetime) -> QDateTime:
    local = value.astimezone()
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_qdatetime(value: QDateTime) -> datetime:
    # toPython() is naive local wall time; astimezone() reads a naive value as local time.
    naive: datetime = value.toPython()
    return naive.replace(second=0, microsecond=0).astimezone()


def same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


# Labels here never word-wrap: a wrapping label inside a form layout is given too little height
# and gets clipped. Messages are short, and a longer one widens the dialog instead.


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def hint_label(text: str) -> QLabel:
    """Secondary text: muted like placeholder text, which (unlike disabled text) stays legible."""
    label = plain_label(text)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def error_label() -> QLabel:
    label = plain_label()
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def field_box(widget: QWidget, *below: QWidget, shown: QWidget | None = None) -> QWidget:
    """The field column of a form row: the input, then any lines under it (hint, error)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    top = shown or widget
    # Numbers keep their natural width at the left; text, choices and times fill the row.
    narrow = isinstance(top, QAbstractSpinBox) and not isinstance(top, QDateTimeEdit)
    column.addWidget(top, 0, Qt.AlignmentFlag.AlignLeft if narrow else Qt.AlignmentFlag(0))
    for line in below:
        column.addWidget(line)
    return box


def sentence(field: str, message: str, names: dict[str, str]) -> str:
    name = names.get(field)
    # Service messages read as the end of a sentence ("is required"); others get a colon.
    joins = message.startswith(("is ", "must ", "needs ", "contains "))
    text = message if not name else f"{name} {message}" if joins else f"{name}: {message}"
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


class FieldErrors:
    """Inline problems for a dialog's fields: under each field its own, below the form the rest.

    The dialog fills `_errors` (field → its label), `_inputs` (field → its widget),
    `general_error` and `field_names` (field → how a sentence names it). What the user typed
    stays; only the messages change.
    """

    field_names: dict[str, str] = {}  # noqa: RUF012 (each dialog sets its own)
    general_error: QLabel
    _errors: dict[str, QLabel]
    _inputs: dict[str, QWidget]

    def _clear_errors(self) -> None:
        for label in (*self._errors.values(), self.general_error):
            label.clear()
            label.hide()
        for widget in self._inputs.values():
            widget.setAccessibleDescription("")

    def _show_errors(self, error: ValidationError) -> None:
        general: list[str] = []
        first: QWidget | None = None
        for item in error.errors:
            placed = self._place_error(item.field, item.message)
            if placed is not None:
                first = first or placed
                continue
            text = sentence(item.field, item.message, self.field_names)
            label = self._errors.get(item.field)
            if label is None:
                general.append(text)
                continue
            label.setText(f"{label.text()}\n{text}" if label.text() else text)
            label.show()
            widget = self._inputs[item.field]
            widget.setAccessibleDescription(label.text())
            first = first or widget
        self._errors_placed()
        if general:
            self._show_general("\n".join(general))
        if first is not None:
            first.setFocus()

    def _attempt(self, call: Callable[[], _T]) -> _T | None:
        """Run a service call, showing what it refused in place; None when it was refused.

        A field's problem goes under the field, an entry deleted meanwhile below the form.
        """
        self._clear_errors()
        try:
            return call()
        except ValidationError as error:
            self._show_errors(error)
        except NotFoundError as error:
            self._show_general(str(error))
        return None

    def _place_error(self, field: str, message: str) -> QWidget | None:
        """Show a problem of a field the dialog lays out its own way (a row of a table) and
        return the widget to focus; None leaves it to the field's label or the general one."""
        return None

    def _errors_placed(self) -> None:
        """Called once every problem is shown (a table may need to fit its rows again)."""

    def _show_general(self, text: str) -> None:
        self.general_error.setText(text)
        self.general_error.show()

    def error_text(self, field: str) -> str:
        """The inline message shown for a field, or "" (for tests and assistive checks)."""
        label = self._errors.get(field)
        return label.text() if label is not None and not label.isHidden() else ""


def ask_save_anyway(parent: QWidget, title: str, text: str) -> bool:
    """Ask before saving unusual values; "Go back" is the default, so Enter never saves them."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    save = box.addButton("Save anyway", QMessageBox.ButtonRole.AcceptRole)
    back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    box.exec()
    return box.clickedButton() is save
