"""The dialog that adds or edits one blood draw, with live indices and checks on every value."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import pairwise

from PySide6.QtCore import QDate, QDateTime, QLocale, QSize, Qt, QTime, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from journal.domain.analytes import (
    CATALOGUE,
    UNLISTED,
    USUAL_PANEL,
    Analyte,
    get_analyte,
    unit_for_system,
)
from journal.domain.entities import Fasting, LabDraw, LabResult
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.domain.plausibility import Verdict, check_value
from journal.domain.units import UnitSystem
from journal.services.changes import Change
from journal.services.errors import FieldError, NotFoundError, ValidationError
from journal.services.journal import JournalServices
from journal.ui.widgets.forms import ask_save_anyway

FLAGS: tuple[tuple[str, str], ...] = (
    ("N", "Normal"),
    ("L", "Low"),
    ("H", "High"),
    ("LL", "Critically low"),
    ("HH", "Critically high"),
    ("A", "Abnormal"),
    ("AA", "Critically abnormal"),
)
FASTING_CHOICES: tuple[tuple[Fasting, str], ...] = (
    (Fasting.YES, "Yes"),
    (Fasting.NO, "No"),
    (Fasting.UNKNOWN, "Not sure"),
)
# Catalogue names that are too long for the grid's first column get a shorter label.
ROW_LABELS = {
    "hba1c": "HbA1c",
    "tc_hdl_ratio": "Total chol./HDL ratio",
    "hs_crp": "hs-CRP",
    "alt": "ALT",
    "ast": "AST",
    "ggt": "GGT",
}
GROUP_TITLES = {
    "glucose": "Glucose and insulin",
    "lipids": "Lipids",
    "inflammation": "Inflammation",
    "liver": "Liver",
    "other": "Other",
    "body": "Body measurements",
    "vitals": "Vital signs",
}
NOT_A_NUMBER = "Type a number, such as 5.4."
ERROR_COLOUR = "#b3261e"
WARNING_COLOUR = "#8a4b00"
COLUMN_SPACING = 10
UNIT_CHARS = max(len(unit) for analyte in CATALOGUE.values() for unit in analyte.units)
DRAW_HOUR = 8  # most fasting draws are early morning
_PLACEHOLDER_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # placeholder time, replaced before any use


class NumberError(ValueError):
    """Typed text that is not a number; the message says how to type it."""


def parse_decimal(text: str, locale: QLocale | None = None) -> float | None:
    """Read a number typed with either decimal mark ("5,4" or "5.4"); None when blank.

    A single separator is the decimal mark. The one exception is text like "1,200" where the
    separator is also this locale's thousands separator: that could be 1200 or 1.2, and a
    typo must never silently become a value a thousand times off, so the user is asked.
    """
    cleaned = "".join(text.split()).replace("\u2212", "-")
    if not cleaned:
        return None
    if not re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", cleaned):
        raise NumberError(NOT_A_NUMBER)
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group = "." if mark == "," else ","
        whole, _, fraction = cleaned.rpartition(mark)
        if not _grouped(whole, group):
            raise NumberError(NOT_A_NUMBER)
        return float(f"{whole.replace(group, '')}.{fraction}")
    if not commas and not dots:
        return float(cleaned)
    mark = "," if commas else "."
    if cleaned.count(mark) > 1:
        if _grouped(cleaned, mark):
            return float(cleaned.replace(mark, ""))
        raise NumberError(NOT_A_NUMBER)
    whole, _, fraction = cleaned.partition(mark)
    locale = locale or QLocale()
    if (
        mark == locale.groupSeparator()
        and len(fraction) == 3
        and whole.lstrip("+-") not in ("", "0")
    ):
        decimals = fraction.rstrip("0")
        small = f"{whole}{locale.decimalPoint()}{decimals}" if decimals else whole
        raise NumberError(
            f"“{cleaned}” could mean {whole}{fraction} or {small}. "
            "Please type it without the thousands separator."
        )
    return float(f"{whole}.{fraction}")


def _grouped(text: str, group: str) -> bool:
    return re.fullmatch(rf"[+-]?\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", text) is not None


def format_number(value: float, locale: QLocale | None = None) -> str:
    """The shortest text that reads back as `value`, with the locale's decimal mark."""
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    text = text.removesuffix(".0")
    point = (locale or QLocale()).decimalPoint()
    return text.replace(".", point) if point == "," else text


def row_label(analyte: Analyte) -> str:
    return ROW_LABELS.get(analyte.key, analyte.name)


def menu_label(analyte: Analyte) -> str:
    if analyte.short_name.casefold() in analyte.name.casefold():
        return analyte.name
    return f"{analyte.name} ({analyte.short_name})"


def _sentence(subject: str, message: str) -> str:
    """Join a field's name and a service message ("must be a number") into one sentence."""
    message = message.strip()
    if message[:1].isupper() or message[:1] in "'“\"" or message.startswith("the "):
        text = message[:1].upper() + message[1:]
    else:
        text = f"{subject} {message}"
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _plain_label(text: str = "", *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def _expand_wrapped(label: QLabel) -> None:
    # Edit the policy rather than replace it: a new one would drop word wrap's height-for-width.
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
    label.setSizePolicy(policy)


def _message_label(colour: str) -> QLabel:
    label = _plain_label(wrap=True)
    label.setStyleSheet(f"color: {colour};")
    _expand_wrapped(label)
    label.hide()
    return label


@dataclass(frozen=True, slots=True)
class _RowCheck:
    """What one row's inputs say right now: a value, or why it cannot be saved as typed."""

    value: float | None = None
    ref_low: float | None = None
    ref_high: float | None = None
    error: str | None = None
    error_widget: QWidget | None = None
    warning: str | None = None
    suggested_unit: str | None = None


class ResultRow:
    """The widgets of one analyte's line in the results grid, and the message line beneath."""

    def __init__(self, analyte: Analyte, unit: str, original: LabResult | None) -> None:
        self.analyte = analyte
        self.original = original
        self.label = row_label(analyte)
        self.name = _plain_label(self.label)
        self.name.setToolTip(analyte.name)

        self.value = QLineEdit()
        self.value.setAccessibleName(f"{self.label} value")
        self.value.setFixedWidth(90)
        self.name.setBuddy(self.value)

        self.unit = QComboBox()
        # Every row's unit box is as wide as the longest unit, so the columns line up.
        self.unit.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.unit.setMinimumContentsLength(UNIT_CHARS)
        self.unit.setAccessibleName(f"{self.label} unit")
        for choice in analyte.units:
            self.unit.addItem(choice, choice)
        self.set_unit(unit)
        # Nothing to choose when the analyte has one unit; disabled also drops it from Tab.
        self.unit.setEnabled(self.unit.count() > 1)

        self.ref_low = QLineEdit()
        self.ref_low.setAccessibleName(f"{self.label} range low")
        self.ref_low.setPlaceholderText("low")
        self.ref_high = QLineEdit()
        self.ref_high.setAccessibleName(f"{self.label} range high")
        self.ref_high.setPlaceholderText("high")
        for edit in (self.ref_low, self.ref_high):
            edit.setFixedWidth(64)
        self.range = QWidget()
        range_layout = QHBoxLayout(self.range)
        range_layout.setContentsMargins(0, 0, 0, 0)
        range_layout.setSpacing(4)
        range_layout.addWidget(self.ref_low)
        range_layout.addWidget(_plain_label("–"))
        range_layout.addWidget(self.ref_high)

        self.flag = QComboBox()
        self.flag.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.flag.setAccessibleName(f"{self.label} flag")
        self.flag.addItem("—", None)
        self.flag.setItemData(0, "No flag", Qt.ItemDataRole.ToolTipRole)
        for code, meaning in FLAGS:
            self.flag.addItem(code, code)
            self.flag.setItemData(self.flag.count() - 1, meaning, Qt.ItemDataRole.ToolTipRole)

        self.icon = QLabel()
        self.message = _plain_label(wrap=True)
        _expand_wrapped(self.message)
        self.switch = QPushButton()
        self.switch.hide()

        # One widget per row (not one grid for all) so the wrapped message gets its full height.
        self.widget = QWidget()
        rows = QVBoxLayout(self.widget)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(COLUMN_SPACING)
        for widget in (self.name, self.value, self.unit, self.range, self.flag):
            line.addWidget(widget)
        line.addStretch(1)
        rows.addLayout(line)
        self.message_line = QWidget()
        message = QHBoxLayout(self.message_line)
        message.setContentsMargins(0, 0, 0, 6)
        message.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        message.addWidget(self.message, 1)
        message.addWidget(self.switch, 0, Qt.AlignmentFlag.AlignTop)
        self.message_line.hide()
        rows.addWidget(self.message_line)
        self.suggested_unit: str | None = None

        if original is not None:
            self.value.setText(format_number(original.value))
            if original.ref_low is not None:
                self.ref_low.setText(format_number(original.ref_low))
            if original.ref_high is not None:
                self.ref_high.setText(format_number(original.ref_high))
            self.set_flag(original.flag)

    @property
    def key(self) -> str:
        return self.analyte.key

    def set_name_width(self, width: int) -> None:
        self.name.setFixedWidth(width)
        # Messages start under the value, where the eye already is.
        layout = self.message_line.layout()
        if layout is not None:
            layout.setContentsMargins(width + COLUMN_SPACING, 0, 0, 6)

    def current_unit(self) -> str:
        return str(self.unit.currentData())

    def set_unit(self, unit: str) -> None:
        index = self.unit.findData(unit)
        if index < 0:
            # A stored spelling the catalogue does not list: keep it rather than change data.
            self.unit.addItem(unit, unit)
            index = self.unit.count() - 1
        self.unit.setCurrentIndex(index)

    def current_flag(self) -> str | None:
        data = self.flag.currentData()
        return None if data is None else str(data)

    def set_flag(self, flag: str | None) -> None:
        if not flag:
            self.flag.setCurrentIndex(0)
            return
        index = self.flag.findData(flag.upper())
        if index < 0:
            self.flag.addItem(flag, flag)
            index = self.flag.count() - 1
        self.flag.setCurrentIndex(index)

    def tab_chain(self) -> list[QWidget]:
        return [self.value, self.unit, self.switch, self.ref_low, self.ref_high, self.flag]

    def show_message(self, text: str, *, error: bool, suggested_unit: str | None = None) -> None:
        colour = ERROR_COLOUR if error else WARNING_COLOUR
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)
        style = self.message.style()
        pixmap = QStyle.StandardPixmap
        icon = pixmap.SP_MessageBoxCritical if error else pixmap.SP_MessageBoxWarning
        self.icon.setPixmap(style.standardIcon(icon).pixmap(QSize(16, 16)))
        self.suggested_unit = suggested_unit
        if suggested_unit is not None:
            self.switch.setText(f"Switch to {suggested_unit}")
            self.switch.setAccessibleName(f"Switch {self.label} unit to {suggested_unit}")
        self.switch.setVisible(suggested_unit is not None)
        self.message_line.show()
        # Screen readers announce the problem with the field it belongs to.
        self.value.setAccessibleDescription(text)

    def clear_message(self) -> None:
        self.message.clear()
        self.suggested_unit = None
        self.switch.hide()
        self.message_line.hide()
        self.value.setAccessibleDescription("")

    def has_message(self) -> bool:
        return not self.message_line.isHidden()


class LabDrawDialog(QDialog):
    """Add a new blood draw or edit one; `change` and `saved_draw` are set once it saved."""

    def __init__(
        self,
        services: JournalServices,
        *,
        unit_system: UnitSystem = UnitSystem.CONVENTIONAL,
        draw: LabDraw | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.unit_system = unit_system
        self.original = draw
        self.change: Change | None = None
        self.saved_draw: LabDraw | None = None
        self.rows: list[ResultRow] = []
        # Index in the results tuple last sent to the service -> its row, for error messages.
        self._sent_rows: list[ResultRow] = []
        self._editing = draw is not None and draw.id is not None
        self._initial_drawn: QDateTime | None = None
        self.setWindowTitle("Edit lab draw" if self._editing else "New lab draw")

        root = QVBoxLayout(self)
        body = QHBoxLayout()
        root.addLayout(body, 1)
        left = QVBoxLayout()
        # Set, not inherited: child layouts take their parent's spacing otherwise.
        left.setSpacing(6)
        body.addLayout(left, 1)
        left.addLayout(self._build_header())
        left.addSpacing(8)
        left.addWidget(self._heading("Results"))
        hint = _plain_label("Leave a test blank if it was not measured.")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        left.addWidget(hint)
        left.addWidget(self._build_results(), 1)
        add_line = QHBoxLayout()
        add_line.addWidget(self._build_add_button())
        add_line.addStretch(1)
        left.addLayout(add_line)
        left.addSpacing(8)
        left.addLayout(self._build_notes())
        body.addSpacing(16)
        body.addWidget(self._build_indices_panel(), 0)

        self.general_error = _message_label(ERROR_COLOUR)
        root.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        root.addWidget(self.buttons)
        # Only once the button is inside the dialog does it become the dialog's default.
        self.save_button.setDefault(True)

        self._fill(draw)
        self._connect_live_updates()
        self._update_tab_order()
        self._update_indices()
        self._fit_results_height()
        self.resize(self.sizeHint().expandedTo(QSize(900, 0)))
        self.drawn_edit.setFocus()

    # --- building -----------------------------------------------------------------------------

    def _heading(self, text: str) -> QLabel:
        label = _plain_label(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def _build_header(self) -> QFormLayout:
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)

        self.drawn_edit = QDateTimeEdit()
        self.drawn_edit.setCalendarPopup(True)
        self.drawn_edit.setDisplayFormat("yyyy-MM-dd  HH:mm")
        self.drawn_edit.setMinimumDate(QDate(1900, 1, 1))
        self.drawn_edit.setAccessibleName("Date and time of the draw")
        self.drawn_error = _message_label(ERROR_COLOUR)
        form.addRow(
            self._form_label("Drawn on", self.drawn_edit),
            self._with_error(self.drawn_edit, self.drawn_error),
        )

        self.fasting_group = QButtonGroup(self)
        fasting_line = QHBoxLayout()
        fasting_line.setSpacing(16)
        self.fasting_buttons: dict[Fasting, QRadioButton] = {}
        for value, text in FASTING_CHOICES:
            button = QRadioButton(text)
            button.setAccessibleName(f"Fasting: {text.lower()}")
            self.fasting_group.addButton(button)
            self.fasting_buttons[value] = button
            fasting_line.addWidget(button)
        fasting_line.addStretch(1)
        fasting_widget = QWidget()
        fasting_widget.setLayout(fasting_line)
        fasting_line.setContentsMargins(0, 0, 0, 0)
        form.addRow(_plain_label("Fasting"), fasting_widget)

        self.hours_edit = QLineEdit()
        self.hours_edit.setAccessibleName("Hours fasted")
        self.hours_edit.setPlaceholderText("optional")
        self.hours_edit.setFixedWidth(90)
        self.hours_error = _message_label(ERROR_COLOUR)
        hours_line = QHBoxLayout()
        hours_line.setContentsMargins(0, 0, 0, 0)
        hours_line.addWidget(self.hours_edit)
        hours_line.addWidget(_plain_label("hours"))
        hours_line.addWidget(self.hours_error, 1)
        hours_widget = QWidget()
        hours_widget.setLayout(hours_line)
        form.addRow(self._form_label("Hours fasted", self.hours_edit), hours_widget)

        self.lab_edit = QComboBox()
        self.lab_edit.setEditable(True)
        self.lab_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lab_edit.setAccessibleName("Lab name")
        self.lab_edit.setMinimumWidth(280)
        self.lab_edit.addItems(self._known_labs())
        self.lab_edit.setCurrentIndex(-1)
        completer = self.lab_edit.completer()
        if completer is not None:
            # Suggest as a list rather than silently finishing the word being typed.
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
        line_edit = self.lab_edit.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText("optional, e.g. Quest or LabCorp")
        self.lab_error = _message_label(ERROR_COLOUR)
        form.addRow(
            self._form_label("Lab", self.lab_edit), self._with_error(self.lab_edit, self.lab_error)
        )
        return form

    def _form_label(self, text: str, buddy: QWidget) -> QLabel:
        label = _plain_label(text)
        label.setBuddy(buddy)
        return label

    def _with_error(self, field: QWidget, error: QLabel) -> QWidget:
        container = QWidget()
        line = QHBoxLayout(container)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(field)
        line.addWidget(error, 1)
        return container

    def _known_labs(self) -> list[str]:
        """Lab names already in the journal, most recent first, for the lab field's list."""
        names: list[str] = []
        for draw in sorted(self.services.labs.list_draws(), key=lambda d: d.drawn_at, reverse=True):
            if draw.lab_name and draw.lab_name not in names:
                names.append(draw.lab_name)
        return names

    def _build_results(self) -> QScrollArea:
        self.rows_widget = QWidget()
        self.rows_layout = QVBoxLayout(self.rows_widget)
        self.rows_layout.setContentsMargins(0, 0, 8, 0)
        self.rows_layout.setSpacing(4)
        header = QHBoxLayout()
        header.setSpacing(COLUMN_SPACING)
        self.headers: list[QLabel] = []
        for text in ("Test", "Result", "Unit", "Lab's reference range", "Flag"):
            label = _plain_label(text)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            header.addWidget(label)
            self.headers.append(label)
        header.addStretch(1)
        self.rows_layout.addLayout(header)
        self.rows_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.rows_widget)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return self.scroll

    def _align_columns(self) -> None:
        """Give the header and every row the same column widths, fitted to the widest label."""
        if not self.rows:
            return
        metrics = self.fontMetrics()
        name = max(metrics.horizontalAdvance(row.label) for row in self.rows) + 8
        name = max(name, metrics.horizontalAdvance(self.headers[0].text()))
        unit = max(row.unit.sizeHint().width() for row in self.rows)
        span = max(row.range.sizeHint().width() for row in self.rows)
        flag = max(row.flag.sizeHint().width() for row in self.rows)
        for row in self.rows:
            row.set_name_width(name)
            row.unit.setFixedWidth(unit)
            row.range.setFixedWidth(span)
            row.flag.setFixedWidth(flag)
        widths = (name, self.rows[0].value.width(), unit, span, flag)
        for label, width in zip(self.headers, widths, strict=True):
            # A header wider than its column (the range's) may overflow into the gap after it.
            label.setMinimumWidth(width)
            label.setMaximumWidth(max(width, metrics.horizontalAdvance(label.text()) + 2))

    def _build_add_button(self) -> QPushButton:
        self.add_button = QPushButton("Add another test…")
        self.add_button.setAccessibleName("Add another test")
        self.add_test_menu = QMenu(self.add_button)
        self.add_button.setMenu(self.add_test_menu)
        return self.add_button

    def _build_notes(self) -> QVBoxLayout:
        notes = QVBoxLayout()
        label = _plain_label("Notes")
        notes.addWidget(label)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setPlaceholderText("Anything worth remembering about this draw (optional)")
        # Tab moves on to Save; notes rarely need a tab character.
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(self.notes_edit.fontMetrics().lineSpacing() * 4 + 12)
        label.setBuddy(self.notes_edit)
        notes.addWidget(self.notes_edit)
        self.notes_error = _message_label(ERROR_COLOUR)
        notes.addWidget(self.notes_error)
        return notes

    def _build_indices_panel(self) -> QGroupBox:
        box = QGroupBox("Calculated from this draw")
        box.setFixedWidth(270)
        layout = QVBoxLayout(box)
        caption = _plain_label(
            "Worked out by the journal from the values above, not reported by the lab.", wrap=True
        )
        caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(caption)
        layout.addSpacing(6)
        self.index_labels: dict[IndexKey, QLabel] = {}
        self.index_names: dict[IndexKey, QLabel] = {}
        for key in IndexKey:
            name = self._heading("")
            value = _plain_label(wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(name)
            layout.addWidget(value)
            layout.addSpacing(4)
            self.index_names[key] = name
            self.index_labels[key] = value
        layout.addStretch(1)
        return box

    def _add_row(self, analyte: Analyte, original: LabResult | None = None) -> ResultRow:
        unit = original.unit if original is not None else unit_for_system(analyte, self.unit_system)
        row = ResultRow(analyte, unit, original)
        # Before the trailing stretch, which keeps the rows at the top of the scroll area.
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row.widget)
        row.widget.show()  # at once, not on the layout's queued show, so it can take focus now
        self.rows.append(row)

        row.value.textChanged.connect(lambda _text, r=row: self._value_edited(r))
        row.value.editingFinished.connect(lambda r=row: self._check_row(r))
        row.unit.currentIndexChanged.connect(lambda _i, r=row: self._unit_changed(r))
        row.ref_low.editingFinished.connect(lambda r=row: self._check_row(r))
        row.ref_high.editingFinished.connect(lambda r=row: self._check_row(r))
        row.switch.clicked.connect(lambda _checked=False, r=row: self._switch_unit(r))
        return row

    def _fill(self, draw: LabDraw | None) -> None:
        if draw is None:
            today = self.services.clock().astimezone().date()
            self.drawn_edit.setDateTime(
                QDateTime(QDate(today.year, today.month, today.day), QTime(DRAW_HOUR, 0))
            )
            self.fasting_buttons[Fasting.YES].setChecked(True)
            for key in USUAL_PANEL:
                self._add_row(get_analyte(key))
            self._rebuild_add_menu()
            self._align_columns()
            return
        local = draw.drawn_at.astimezone()
        self.drawn_edit.setDateTime(
            QDateTime(
                QDate(local.year, local.month, local.day),
                QTime(local.hour, local.minute, local.second),
            )
        )
        self._initial_drawn = self.drawn_edit.dateTime()
        self.fasting_buttons[draw.fasting].setChecked(True)
        if draw.hours_fasted is not None:
            self.hours_edit.setText(format_number(draw.hours_fasted))
        self.lab_edit.setEditText(draw.lab_name or "")
        self.notes_edit.setPlainText(draw.notes or "")
        for key in USUAL_PANEL:
            self._add_row(get_analyte(key), draw.result(key))
        for result in draw.results:
            if result.analyte not in USUAL_PANEL and result.analyte in CATALOGUE:
                self._add_row(get_analyte(result.analyte), result)
        self._rebuild_add_menu()
        self._align_columns()

    def _rebuild_add_menu(self) -> None:
        self.add_test_menu.clear()
        present = {row.key for row in self.rows}
        groups: dict[str, list[Analyte]] = {}
        for analyte in CATALOGUE.values():
            if analyte.key not in present:
                groups.setdefault(analyte.group, []).append(analyte)
        for group, analytes in groups.items():
            self.add_test_menu.addSection(GROUP_TITLES.get(group, group.capitalize()))
            for analyte in analytes:
                action = self.add_test_menu.addAction(menu_label(analyte))
                action.setData(analyte.key)
                action.triggered.connect(lambda _checked=False, key=analyte.key: self.add_test(key))
        self.add_button.setEnabled(bool(groups))

    def _connect_live_updates(self) -> None:
        self.fasting_group.buttonToggled.connect(self._fasting_toggled)
        self.hours_edit.textChanged.connect(lambda _text: self.hours_error.hide())
        self.hours_edit.editingFinished.connect(self._check_hours)
        self.drawn_edit.dateTimeChanged.connect(lambda _value: self.drawn_error.hide())

    def _update_tab_order(self) -> None:
        chain: list[QWidget] = [self.drawn_edit]
        chain.extend(self.fasting_buttons[value] for value, _ in FASTING_CHOICES)
        chain.extend([self.hours_edit, self.lab_edit])
        for row in self.rows:
            chain.extend(row.tab_chain())
        chain.extend([self.add_button, self.notes_edit, self.save_button, self.cancel_button])
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _fit_results_height(self) -> None:
        """Show the whole usual panel without scrolling; more rows than that scroll."""
        hint = self.rows_widget.sizeHint()
        self.scroll.setMinimumHeight(min(hint.height(), 480))
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.scroll.setMinimumWidth(hint.width() + bar)

    def _schedule_grow(self) -> None:
        # After the event loop has laid out the new message, so its wrapped height is known.
        QTimer.singleShot(0, self, self._grow_to_fit)

    def _grow_to_fit(self) -> None:
        """Grow the window (within the screen) when messages or rows outgrow the results area."""
        if not self.isVisible():
            return
        viewport = self.scroll.viewport()
        needed = self.rows_widget.heightForWidth(viewport.width())
        if needed < 0:
            needed = self.rows_widget.sizeHint().height()
        extra = needed - viewport.height()
        screen = self.screen()
        if extra <= 0 or screen is None:
            return
        room = screen.availableGeometry().height() - (self.frameGeometry().height() - self.height())
        height = min(self.height() + extra, room)
        if height > self.height():
            self.resize(self.width(), height)

    # --- public actions -----------------------------------------------------------------------

    def add_test(self, key: str) -> ResultRow:
        """Add a row for another catalogue analyte (or return the existing one) and focus it."""
        existing = next((row for row in self.rows if row.key == key), None)
        row = existing or self._add_row(get_analyte(key))
        if existing is None:
            self._rebuild_add_menu()
            self._align_columns()
            self._update_tab_order()
            self._schedule_grow()
        row.value.setFocus()
        self.scroll.ensureWidgetVisible(row.value)
        return row

    def row(self, key: str) -> ResultRow:
        return next(row for row in self.rows if row.key == key)

    def fasting(self) -> Fasting:
        for value, button in self.fasting_buttons.items():
            if button.isChecked():
                return value
        return Fasting.UNKNOWN

    def indices_text(self) -> dict[IndexKey, str]:
        return {key: label.text() for key, label in self.index_labels.items()}

    # --- live feedback ------------------------------------------------------------------------

    def _value_edited(self, row: ResultRow) -> None:
        # A message about the old text is stale while the user types; it returns when they leave.
        if row.has_message():
            row.clear_message()
        self.general_error.hide()
        self._update_indices()

    def _unit_changed(self, row: ResultRow) -> None:
        self._check_row(row)
        self._update_indices()

    def _fasting_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self._update_indices()

    def _switch_unit(self, row: ResultRow) -> None:
        if row.suggested_unit is not None:
            row.set_unit(row.suggested_unit)
        row.unit.setFocus()

    def _check_hours(self) -> None:
        try:
            parse_decimal(self.hours_edit.text())
        except NumberError:
            self._show_error(self.hours_error, "Type the hours as a number, such as 12.")

    def _check_row(self, row: ResultRow) -> _RowCheck:
        check = self._row_check(row)
        if check.error is not None:
            row.show_message(check.error, error=True, suggested_unit=check.suggested_unit)
            self._schedule_grow()
        elif check.warning is not None:
            row.show_message(check.warning, error=False, suggested_unit=check.suggested_unit)
            self._schedule_grow()
        else:
            row.clear_message()
        return check

    def _row_check(self, row: ResultRow) -> _RowCheck:
        try:
            value = parse_decimal(row.value.text())
        except NumberError as exc:
            return _RowCheck(error=str(exc), error_widget=row.value)
        if value is None:
            return _RowCheck()
        bounds: list[float | None] = []
        for edit in (row.ref_low, row.ref_high):
            try:
                bounds.append(parse_decimal(edit.text()))
            except NumberError:
                return _RowCheck(
                    value=value,
                    error="Type the lab's range as numbers, such as 70 and 99.",
                    error_widget=edit,
                )
        unit = row.current_unit()
        result = check_value(row.key, value, unit)
        suggested = result.suggested_unit
        if suggested == unit or suggested not in row.analyte.units:
            suggested = None
        if result.verdict is Verdict.IMPOSSIBLE:
            return _RowCheck(
                value,
                *bounds,
                error=result.message,
                error_widget=row.value,
                suggested_unit=suggested,
            )
        if result.verdict is Verdict.CHECK:
            return _RowCheck(value, *bounds, warning=result.message, suggested_unit=suggested)
        return _RowCheck(value, *bounds)

    def _update_indices(self) -> None:
        draft = LabDraw(
            drawn_at=_PLACEHOLDER_TIME,
            fasting=self.fasting(),
            results=tuple(self._draft_results()),
        )
        for key, result in compute_indices(draft).items():
            self.index_names[key].setText(result.name)
            label = self.index_labels[key]
            label.setText(_index_text(result))
            role = (
                QPalette.ColorRole.WindowText
                if result.computable
                else QPalette.ColorRole.PlaceholderText
            )
            label.setForegroundRole(role)

    def _draft_results(self) -> list[LabResult]:
        """What could be saved right now.

        A value that cannot be saved, or that looks like the other unit (TG 1.9 "mg/dL"),
        feeds no index: a typo must not show up as a calculated number.
        """
        results = []
        for row in self.rows:
            try:
                value = parse_decimal(row.value.text())
            except NumberError:
                continue
            if value is None:
                continue
            unit = row.current_unit()
            verdict = check_value(row.key, value, unit)
            if verdict.verdict is not Verdict.IMPOSSIBLE and verdict.suggested_unit is None:
                results.append(LabResult(row.key, value, unit))
        return results

    # --- saving -------------------------------------------------------------------------------

    def _save(self) -> None:
        self._clear_errors()
        draw, warnings, first_problem = self._collect()
        if draw is None:
            if first_problem is not None:
                first_problem.setFocus()
            return
        if warnings and not self._confirm(_confirmation_text(warnings)):
            return
        try:
            if self._editing:
                change = self.services.labs.update_draw(draw)
            else:
                change = self.services.labs.add_draw(draw)
        except ValidationError as exc:
            self._show_service_errors(exc.errors)
            return
        except NotFoundError as exc:
            self._show_error(self.general_error, str(exc))
            return
        self.change = change
        self.saved_draw = draw
        self.accept()

    def _collect(self) -> tuple[LabDraw | None, list[str], QWidget | None]:
        """The draw as typed and the unusual values to confirm, or None with every problem
        shown beside its field and the first field to fix."""
        problems: list[QWidget] = []
        try:
            hours = parse_decimal(self.hours_edit.text())
        except NumberError:
            hours = None
            self._show_error(self.hours_error, "Type the hours as a number, such as 12.")
            problems.append(self.hours_edit)
        warnings: list[str] = []
        results: list[LabResult] = []
        sent: list[ResultRow] = []
        for row in self.rows:
            check = self._check_row(row)
            if check.error is not None:
                problems.append(check.error_widget or row.value)
                continue
            if check.value is None:
                continue
            if check.warning is not None and not _already_saved(row, check):
                warnings.append(check.warning)
            results.append(self._result(row, check))
            sent.append(row)
        if problems:
            return None, warnings, problems[0]
        self._sent_rows = sent
        # Tests outside the catalogue (kept by an import) have no row here; carry them over
        # unchanged so that editing a draw never drops them.
        kept = self.original.results if self.original is not None else ()
        results.extend(r for r in kept if r.analyte == UNLISTED)
        # Start from the given draw to keep what the dialog does not show (id, source, batch).
        draw = replace(
            self.original or LabDraw(_PLACEHOLDER_TIME),
            drawn_at=self._drawn_at(),
            fasting=self.fasting(),
            hours_fasted=hours,
            lab_name=self.lab_edit.currentText().strip() or None,
            notes=self.notes_edit.toPlainText().strip() or None,
            results=tuple(results),
        )
        return draw, warnings, None

    def _result(self, row: ResultRow, check: _RowCheck) -> LabResult:
        assert check.value is not None
        original = row.original or LabResult(row.key, check.value, row.current_unit())
        # The lab's printed range text only stays true while the numeric range is unchanged.
        same_range = (original.ref_low, original.ref_high) == (check.ref_low, check.ref_high)
        return replace(
            original,
            value=check.value,
            unit=row.current_unit(),
            ref_low=check.ref_low,
            ref_high=check.ref_high,
            ref_text=original.ref_text if same_range else None,
            flag=row.current_flag(),
        )

    def _drawn_at(self) -> datetime:
        current = self.drawn_edit.dateTime()
        if self.original is not None and current == self._initial_drawn:
            # Untouched: keep the stored instant exactly, seconds and all.
            return self.original.drawn_at
        local = current.toPython()
        assert isinstance(local, datetime)
        if local.tzinfo is None:
            local = local.astimezone()
        return local.astimezone(UTC)

    def _show_service_errors(self, errors: tuple[FieldError, ...]) -> None:
        focus: QWidget | None = None
        general: list[str] = []
        for error in errors:
            target = self._show_field_error(error)
            if target is None:
                general.append(_sentence("This draw", error.message))
            elif focus is None:
                focus = target
        if general:
            self._show_error(self.general_error, " ".join(general))
        if focus is not None:
            focus.setFocus()

    def _show_field_error(self, error: FieldError) -> QWidget | None:
        """Show a service error beside its field; the widget to focus, or None if unplaced."""
        simple = {
            "drawn_at": ("The date", self.drawn_error, self.drawn_edit),
            "hours_fasted": ("Hours fasted", self.hours_error, self.hours_edit),
            "lab_name": ("The lab name", self.lab_error, self.lab_edit),
            "notes": ("The notes", self.notes_error, self.notes_edit),
        }
        if error.field in simple:
            subject, label, widget = simple[error.field]
            self._show_error(label, _sentence(subject, error.message))
            return widget
        match = re.fullmatch(r"results\[(\d+)\]\.(\w+)", error.field)
        if match is None or int(match.group(1)) >= len(self._sent_rows):
            return None
        row = self._sent_rows[int(match.group(1))]
        part = match.group(2)
        subjects = {
            "ref_low": f"The {row.label} range's low end",
            "ref_high": f"The {row.label} range's high end",
            "flag": f"The {row.label} flag",
            "unit": f"The {row.label} unit",
        }
        row.show_message(_sentence(subjects.get(part, row.label), error.message), error=True)
        widgets = {
            "unit": row.unit,
            "ref_low": row.ref_low,
            "ref_high": row.ref_high,
            "flag": row.flag,
        }
        return widgets.get(part, row.value)

    def _show_error(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()

    def _clear_errors(self) -> None:
        for label in (
            self.drawn_error,
            self.hours_error,
            self.lab_error,
            self.notes_error,
            self.general_error,
        ):
            label.clear()
            label.hide()

    def _confirm(self, text: str) -> bool:
        """Ask before saving unusual values; tests replace this to answer for the user."""
        return ask_save_anyway(self, "Unusual values", text)


def _already_saved(row: ResultRow, check: _RowCheck) -> bool:
    """A stored value kept as it was: it was confirmed when first saved, so do not ask again."""
    original = row.original
    return original is not None and (original.value, original.unit) == (
        check.value,
        row.current_unit(),
    )


def _index_text(result: IndexResult) -> str:
    if result.computable:
        return result.display_text
    return f"Not computable: {result.reason}"


def _confirmation_text(warnings: list[str]) -> str:
    if len(warnings) == 1:
        return f"{warnings[0]}\n\nSave anyway?"
    listed = "\n".join(f"• {warning}" for warning in warnings)
    return f"Some values are unusual:\n\n{listed}\n\nSave anyway?"
