"""The Glucose page: one local day of readings at a time, its summary, and a finger-stick form."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QItemSelectionModel,
    QLocale,
    QModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTime,
)
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain.entities import GlucoseReading, GlucoseSource, PostMealWalk
from journal.domain.plausibility import Verdict, check_value
from journal.domain.units import MG_DL, MMOL_L, TIR_RANGE_MGDL, UnitSystem
from journal.services.changes import Change, Entity
from journal.services.errors import ValidationError
from journal.services.glucose import DayStats, day_bounds
from journal.ui.context import UiContext
from journal.ui.localzone import local_zone
from journal.ui.models.glucose import (
    SENSOR_DELETE_HINT,
    SOURCE_NAMES,
    GlucoseTableModel,
    glucose_text,
    in_unit,
)
from journal.ui.undo import AddCommand, DeleteCommand
from journal.ui.widgets.forms import ask_save_anyway

# Time in range (clinical.md §5.2): each unit has its own published bounds, and a reading is
# compared in the unit it was recorded in, so 10.0 mmol/L (180.2 mg/dL) counts as in range.
TIR_BOUNDS = {MG_DL: (float(TIR_RANGE_MGDL[0]), float(TIR_RANGE_MGDL[1])), MMOL_L: (3.9, 10.0)}
TIR_LABELS = {MG_DL: "70–180 mg/dL", MMOL_L: "3.9–10.0 mmol/L"}
ERROR_COLOUR = "#b3261e"
WARNING_COLOUR = "#8a4b00"
EMPTY_JOURNAL_TEXT = (
    "No glucose readings yet.\n\n"
    "Add a finger-stick reading with the form on the right. A Dexcom Clarity or LibreView "
    "export can be imported with the command metabolic-journal import FILE."
)
FIELD_NAMES = {"at": "The time", "value": "The value", "unit": "The unit", "device": "The meter"}


# --- parsing and formatting ------------------------------------------------------------------


def parse_glucose(text: str) -> float | None:
    """Read a meter value typed as "104", "5.4" or "5,4"; None when blank, ValueError if not."""
    cleaned = "".join(text.split())
    if not cleaned:
        return None
    # Glucose never needs a thousands separator, so a single comma can only be a decimal mark.
    if re.fullmatch(r"\d+([.,]\d*)?|[.,]\d+", cleaned) is None:
        raise ValueError(text)
    return float(cleaned.replace(",", "."))


def display_unit(system: UnitSystem) -> str:
    return MMOL_L if system is UnitSystem.SI else MG_DL


def _date_format() -> str:
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return "ddd d MMM yyyy"
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    # A two-digit year makes the edit guess the century; four digits never do.
    return f"ddd {short if 'yyyy' in short else short.replace('yy', 'yyyy')}"


def _long_date(day: date) -> str:
    locale = QLocale()
    fmt = "dddd d MMMM yyyy" if locale.language() == QLocale.Language.C else None
    qdate = QDate(day.year, day.month, day.day)
    return locale.toString(qdate, fmt or locale.dateFormat(QLocale.FormatType.LongFormat))


def _short_date(day: date) -> str:
    qdate = QDate(day.year, day.month, day.day)
    return QLocale().toString(qdate, "ddd d MMM yyyy")


def _time_text(moment: datetime) -> str:
    local = QTime(moment.hour, moment.minute)
    if QLocale().language() == QLocale.Language.C:
        return local.toString("HH:mm")
    return QLocale().toString(local, QLocale.FormatType.ShortFormat)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%"


def _label(text: str = "", *, role: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # device names are never read as HTML
    label.setWordWrap(wrap)
    if role:
        label.setObjectName(role)
    return label


class _Card(QFrame):
    """One number of the day's summary, with what it is above and a detail below."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        self.caption = _label(caption, role="cardCaption")
        self.value = _label(role="cardValue")
        self.detail = _label(role="cardCaption", wrap=True)
        for widget in (self.caption, self.value, self.detail):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def show_value(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.setAccessibleName(f"{self.caption.text()}: {value} {detail}".strip())


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _DayList:
    """A loaded day for the list: its readings, the ids to select, what the empty state says."""

    day: date
    unit: str
    readings: list[GlucoseReading]
    keep: set[int]
    count: int
    journal_empty: bool


class GlucosePage(QWidget):
    """A day of glucose readings: navigate days, see the summary, add or delete finger-sticks."""

    title = "Glucose"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = ctx.services
        self.zone = local_zone()
        self.setAccessibleName(self.title)
        self._day: date | None = None
        self._stale = True
        self._select_after_load: set[int] = set()
        self._latest_day: date | None = None
        self._earlier_day: date | None = None
        self._later_day: date | None = None
        self.stats: DayStats | None = None
        # What the list, summary and day chart show now: the day and unit, the day's readings,
        # and the walks drawn on it (fetched once per day, again after a walk changed).
        self._shown: tuple[date, str] | None = None
        self._day_readings: list[GlucoseReading] = []
        self._walks: tuple[date, list[PostMealWalk]] | None = None
        # The list is filled only while its tab is shown; a day loaded meanwhile waits here.
        self._list_pending: _DayList | None = None

        self.model = GlucoseTableModel(self.display_unit, self.zone, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(GlucoseTableModel.SORT_ROLE)
        self._build()
        ctx.events.entries_changed.connect(self._on_change)
        ctx.prefs.changed.connect(self._on_preference)

    # --- public API ------------------------------------------------------------------------

    @property
    def display_unit(self) -> str:
        return display_unit(self.ctx.prefs.unit_system)

    @property
    def day(self) -> date:
        """The local day shown (chosen on first load: today, or the latest day with readings)."""
        if self._day is None:
            self._day = self._default_day()
        return self._day

    def today(self) -> date:
        return self.services.clock().astimezone(self.zone).date()

    def set_day(self, day: date) -> None:
        if day == self._day and not self._stale:
            return
        self._day = day
        self.refresh()

    def previous_day(self) -> None:
        self.set_day(self.day - timedelta(days=1))

    def next_day(self) -> None:
        if self.day < self._newest_day():
            self.set_day(self.day + timedelta(days=1))

    def go_today(self) -> None:
        self.set_day(self.today())

    def go_latest(self) -> None:
        latest = self.services.glucose.latest_reading_at()
        if latest is not None:
            self.set_day(latest.astimezone(self.zone).date())

    def refresh(self) -> None:
        """Reload the shown day now if the page is visible, else when it is next shown."""
        if self.isVisible():
            self._load()
        else:
            self._stale = True

    def selected_readings(self) -> list[GlucoseReading]:
        rows = self.table.selectionModel().selectedRows()
        return [self.model.reading(self.proxy.mapToSource(index).row()) for index in rows]

    def delete_selected(self) -> None:
        chosen = self.selected_readings()
        deletable = [r for r in chosen if r.source is GlucoseSource.FINGERSTICK]
        if not deletable:
            if chosen:
                self._show_status(SENSOR_DELETE_HINT)
            return
        if len(deletable) == 1:
            only = deletable[0]
            text = f"Delete finger-stick reading {self._describe(only)}"
        else:
            text = f"Delete {len(deletable)} finger-stick readings"
        self.ctx.undo.push(
            DeleteCommand(
                text,
                self.ctx.events,
                deletable,
                add_many=self.services.glucose.add_readings,
                delete=self.services.glucose.delete_readings,
            )
        )
        skipped = len(chosen) - len(deletable)
        note = f" {skipped} sensor readings were kept." if skipped else ""
        self._show_status(f"{text.replace('Delete', 'Deleted', 1)}.{note} Undo with Ctrl+Z.")

    def add_reading(self) -> bool:
        """Save the form as a finger-stick reading; False (form kept) when it was not saved."""
        self._clear_message()
        text = self.value_edit.text()
        try:
            value = parse_glucose(text)
        except ValueError:
            self._show_message("Type the number your meter shows, such as 104 or 5.8.", error=True)
            return False
        if value is None:
            self._show_message("Type the value your meter shows.", error=True)
            return False
        unit = self.current_unit()
        verdict = check_value("glucose", value, unit)
        message = verdict.message or ""
        if verdict.verdict is Verdict.IMPOSSIBLE:
            self._show_message(message, error=True, suggested_unit=verdict.suggested_unit)
            return False
        if verdict.verdict is Verdict.CHECK:
            self._show_message(message, error=False, suggested_unit=verdict.suggested_unit)
            if not self._confirm(f"{message}\n\nSave it anyway?"):
                return False
        reading = GlucoseReading(
            at=self._form_time(),
            value=value,
            unit=unit,
            source=GlucoseSource.FINGERSTICK,
            device=self.device_edit.text().strip() or None,
        )
        try:
            change = self.services.glucose.add_reading(reading)
        except ValidationError as error:
            self._show_message(_sentences(error), error=True)
            return False
        saved = replace(reading, id=change.first_added(Entity.GLUCOSE))
        self.ctx.undo.push(
            AddCommand(
                f"Add finger-stick reading {self._describe(saved)}",
                self.ctx.events,
                saved,
                Entity.GLUCOSE,
                add=self.services.glucose.add_reading,
                delete=self.services.glucose.delete_readings,
                already_done=True,
            )
        )
        # The change reloads the page: on the day the reading belongs to, with it selected.
        self._day = saved.at.astimezone(self.zone).date()
        self._select_after_load = {saved.id} if saved.id is not None else set()
        self.ctx.events.publish(change)
        self._clear_message()
        self.value_edit.clear()
        self._reset_time()
        self.value_edit.setFocus()
        self._show_status(f"Added {self._describe(saved)}. Undo with Ctrl+Z.")
        return True

    def current_unit(self) -> str:
        return str(self.unit_combo.currentData())

    def set_unit(self, unit: str) -> None:
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(unit)))

    def message_text(self) -> str:
        """The inline message under the form, or "" (for tests and assistive checks)."""
        return "" if self.message_line.isHidden() else self.message.text()

    def status_text(self) -> str:
        return self.status.text()

    def _confirm(self, text: str) -> bool:
        """Ask before saving an unusual value; tests replace this to answer for the user."""
        return ask_save_anyway(self, "Unusual glucose value", text)

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.setSpacing(10)
        outer.addWidget(_label(self.title, role="pageTitle"))
        outer.addLayout(self._build_navigation())

        self.day_heading = _label(role="sectionTitle")
        outer.addWidget(self.day_heading)
        self.summary = QWidget()
        summary_layout = QVBoxLayout(self.summary)
        summary_layout.setContentsMargins(0, 0, 0, 0)
        summary_layout.setSpacing(6)
        cards = QHBoxLayout()
        cards.setSpacing(8)
        self.count_card = _Card("Readings")
        self.mean_card = _Card("Average")
        self.span_card = _Card("Lowest – highest")
        self.range_card = _Card("")
        for card in (self.count_card, self.mean_card, self.span_card, self.range_card):
            cards.addWidget(card, 1)
        # Time in range carries the most words; give it room so its detail does not wrap thrice.
        cards.setStretch(3, 2)
        summary_layout.addLayout(cards)
        sources_row = QHBoxLayout()
        self.sources_label = _label(role="footnote", wrap=True)
        self.sources_label.setAccessibleName("Sources of the day's readings")
        self.fingersticks_only = QCheckBox("Finger-sticks only")
        self.fingersticks_only.toggled.connect(self._filter_fingersticks)
        sources_row.addWidget(self.sources_label, 1)
        sources_row.addWidget(self.fingersticks_only, 0, Qt.AlignmentFlag.AlignBottom)
        summary_layout.addLayout(sources_row)
        outer.addWidget(self.summary)

        body = QHBoxLayout()
        body.setSpacing(16)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self._build_table())
        self.list_stack.addWidget(self._build_empty_panel())
        # The day's readings as a list or a chart, and every reading ever on one time axis.
        # Charts (and pyqtgraph) are built only when their tab is first opened.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.list_stack, "Readings")
        self.day_chart: Any = None
        self.history_chart: Any = None
        self._day_holder, self._history_holder = QWidget(), QWidget()
        for holder in (self._day_holder, self._history_holder):
            QVBoxLayout(holder).setContentsMargins(0, 8, 0, 0)
        self.tabs.addTab(self._day_holder, "Day chart")
        self.tabs.setTabToolTip(1, "The day's readings with meals and walks marked")
        self.tabs.addTab(self._history_holder, "All readings")
        self.tabs.setTabToolTip(2, "Every reading on one time axis; scroll to zoom, drag to pan")
        self._charts_dirty = {1: True, 2: True}
        self.tabs.currentChanged.connect(self._on_tab_changed)
        body.addWidget(self.tabs, 1)
        body.addWidget(self._build_form(), 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(body, 1)

        self.status = _label(role="footnote", wrap=True)
        self.status.setAccessibleName("Status")
        outer.addWidget(self.status)

    def _build_navigation(self) -> QHBoxLayout:
        style = self.style()
        self.prev_button = QToolButton()
        self.prev_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.prev_button.setToolTip("Previous day (Alt+Left)")
        self.prev_button.setAccessibleName("Previous day")
        self.prev_button.clicked.connect(self.previous_day)
        self.next_button = QToolButton()
        self.next_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.next_button.setToolTip("Next day (Alt+Right)")
        self.next_button.setAccessibleName("Next day")
        self.next_button.clicked.connect(self.next_day)
        for button in (self.prev_button, self.next_button):
            button.setIconSize(QSize(16, 16))

        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(_date_format())
        self.date_edit.setKeyboardTracking(False)  # typing "2025" must not load four days
        self.date_edit.setMinimumDate(QDate(1900, 1, 1))
        self.date_edit.setAccessibleName("Day shown")
        self.date_edit.dateChanged.connect(self._on_date_edited)

        self.today_button = QPushButton("Today")
        self.today_button.clicked.connect(self.go_today)
        self.latest_button = QPushButton("Latest day with readings")
        self.latest_button.setToolTip("Jump to the newest day that has glucose readings")
        self.latest_button.clicked.connect(self.go_latest)

        for keys, slot in (("Alt+Left", self.previous_day), ("Alt+Right", self.next_day)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.prev_button)
        row.addWidget(self.date_edit)
        row.addWidget(self.next_button)
        row.addSpacing(12)
        row.addWidget(self.today_button)
        row.addWidget(self.latest_button)
        row.addStretch(1)
        return row

    def _build_table(self) -> QWidget:
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Glucose readings of the day")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(GlucoseTableModel.TIME, Qt.SortOrder.DescendingOrder)
        self.table.setStyleSheet("QTableView::item { padding: 0 6px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Device") + 32)

        self.delete_action = QAction("Delete finger-stick reading", self.table)
        self.delete_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)]
        )
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.table.addAction(self.delete_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.selectionModel().selectionChanged.connect(self._update_delete_action)
        return self.table

    def _build_empty_panel(self) -> QWidget:
        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(12)
        self.empty_label = _label(wrap=True)
        layout.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        self.earlier_button = QPushButton()
        self.earlier_button.clicked.connect(lambda: self._jump(self._earlier_day))
        self.later_button = QPushButton()
        self.later_button.clicked.connect(lambda: self._jump(self._later_day))
        buttons.addWidget(self.earlier_button)
        buttons.addWidget(self.later_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return panel

    def _build_form(self) -> QWidget:
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setFixedWidth(290)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(8)
        heading = _label("Add a finger-stick reading", role="sectionTitle")
        heading.setStyleSheet("margin-top: 0;")
        layout.addWidget(heading)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.time_edit = QDateTimeEdit()
        self.time_edit.setCalendarPopup(True)
        self.time_edit.setDisplayFormat(_datetime_format())
        self.time_edit.setAccessibleName("Time of the reading")
        self.value_edit = QLineEdit()
        self.value_edit.setAccessibleName("Glucose value")
        self.value_edit.returnPressed.connect(self.add_reading)
        self.value_edit.textEdited.connect(lambda _text: self._clear_message())
        self.unit_combo = QComboBox()
        self.unit_combo.addItem("mg/dL", MG_DL)
        self.unit_combo.addItem("mmol/L", MMOL_L)
        self.unit_combo.setAccessibleName("Unit")
        self.unit_combo.currentIndexChanged.connect(self._on_unit_chosen)
        value_row = QHBoxLayout()
        value_row.setSpacing(6)
        value_row.addWidget(self.value_edit, 1)
        value_row.addWidget(self.unit_combo)
        self.device_edit = QLineEdit()
        self.device_edit.setPlaceholderText("Optional")
        self.device_edit.setAccessibleName("Meter (optional)")
        self.device_edit.returnPressed.connect(self.add_reading)
        time_label = QLabel("&Time")
        time_label.setBuddy(self.time_edit)
        value_label = QLabel("&Glucose")
        value_label.setBuddy(self.value_edit)
        device_label = QLabel("&Meter")
        device_label.setBuddy(self.device_edit)
        form.addRow(time_label, self.time_edit)
        form.addRow(value_label, value_row)
        form.addRow(device_label, self.device_edit)
        layout.addLayout(form)

        self.message_line = QWidget()
        message_layout = QGridLayout(self.message_line)
        message_layout.setContentsMargins(0, 0, 0, 0)
        message_layout.setHorizontalSpacing(6)
        self.message_icon = QLabel()
        self.message = _label(wrap=True)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.switch_button = QPushButton()
        self.switch_button.clicked.connect(self._switch_unit)
        message_layout.addWidget(self.message_icon, 0, 0, Qt.AlignmentFlag.AlignTop)
        message_layout.addWidget(self.message, 0, 1)
        message_layout.addWidget(self.switch_button, 1, 1, Qt.AlignmentFlag.AlignLeft)
        self.message_line.hide()
        layout.addWidget(self.message_line)

        self.add_button = QPushButton("Add reading")
        self.add_button.setAutoDefault(True)
        self.add_button.clicked.connect(self.add_reading)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        layout.addLayout(buttons)

        self.set_unit(self.display_unit)
        self._reset_time()
        return box

    # --- loading ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._load()
        if not self.value_edit.text():
            self._reset_time()

    def _default_day(self) -> date:
        today = self.today()
        if self.services.glucose.day_stats(today, self.zone).count:
            return today
        latest = self.services.glucose.latest_reading_at()
        return today if latest is None else latest.astimezone(self.zone).date()

    def _load(self) -> None:
        """Bring the page up to date with the journal, redrawing only what differs.

        The day's readings are read again (a few milliseconds for a day of sensor data) and
        compared with those shown: a reading saved on another day leaves the list, the
        summary and the day chart as they are.
        """
        self._stale = False
        day = self.day
        unit = self.display_unit
        glucose = self.services.glucose
        readings = glucose.readings_for_day(day, self.zone)
        latest = glucose.latest_reading_at()
        self._latest_day = None if latest is None else latest.astimezone(self.zone).date()
        if self._shown == (day, unit) and readings == self._day_readings:
            self._show_navigation(day)  # a reading on a later day moves the newest day
            if self._select_after_load:
                if self._list_pending is not None:
                    self._list_pending = replace(self._list_pending, keep=self._select_after_load)
                else:
                    self._select(self._select_after_load)
                self._select_after_load = set()
            self._update_charts()  # the history tab still shows every reading
            return
        stats = glucose.day_stats(day, self.zone, unit)
        self.stats = stats

        pending = self._list_pending
        keep = self._select_after_load or (
            pending.keep if pending is not None else self._selected_ids()
        )
        self._select_after_load = set()
        self._list_pending = _DayList(day, unit, readings, keep, stats.count, latest is None)
        self._show_list()
        self._show_navigation(day)
        self._show_summary(stats, readings)
        self._shown = (day, unit)
        self._day_readings = readings
        self._charts_dirty[1] = True
        self._update_charts()

    def _selected_ids(self) -> set[int]:
        return {r.id for r in self.selected_readings() if r.id}

    def _show_list(self) -> None:
        """Fill the list with the day loaded last, now if its tab is shown, else when opened."""
        shown = self._list_pending
        if shown is None or self.tabs.currentIndex() != 0:
            return
        self._list_pending = None
        self.model.set_display_unit(shown.unit)
        self.model.set_rows(shown.readings)
        self._fit_columns()
        self._select(shown.keep)
        if shown.count:
            self.list_stack.setCurrentIndex(0)
        else:
            self._show_empty(shown.day, shown.journal_empty)
        self._update_delete_action()

    def _on_tab_changed(self, _index: int) -> None:
        self._show_list()
        self._update_charts()

    def show_day_chart(self) -> None:
        self.tabs.setCurrentIndex(1)

    def show_history(self) -> None:
        self.tabs.setCurrentIndex(2)

    def _update_charts(self) -> None:
        index = self.tabs.currentIndex()
        if index not in (1, 2) or not self._charts_dirty.get(index, True):
            return
        self._charts_dirty[index] = False
        if index == 1:
            from journal.ui.charts.glucose import GlucoseDayChart

            if self.day_chart is None:
                self.day_chart = GlucoseDayChart()
                self.day_chart.setAccessibleName("Glucose over the day")
                self._day_holder.layout().addWidget(self.day_chart)
            # Unchanged data leave the chart as it is; new readings only set new plot data.
            self.day_chart.set_day(
                self._day_readings,
                self._walks_of_day(),
                day=self.day,
                tz=self.zone,
                unit=self.display_unit,
            )
        else:
            from journal.ui.charts.glucose import GlucoseHistoryChart, load_history

            if self.history_chart is None:
                self.history_chart = GlucoseHistoryChart()
                self.history_chart.setAccessibleName("All glucose readings")
                self._history_holder.layout().addWidget(self.history_chart)
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                times, values = load_history(self.services, self.display_unit)
                self.history_chart.set_readings(times, values, self.display_unit)
            finally:
                QApplication.restoreOverrideCursor()

    def _walks_of_day(self) -> list[PostMealWalk]:
        day = self.day
        if self._walks is None or self._walks[0] != day:
            start, end = day_bounds(day, self.zone)
            # Walks whose meal ended the day before may still reach into this day.
            self._walks = (day, self.services.walks.list_walks(start - timedelta(hours=6), end))
        return self._walks[1]

    def _newest_day(self) -> date:
        """The last day one can move to: today, or a later day that already has readings."""
        today = self.today()
        return max(today, self._latest_day or today)

    def _show_navigation(self, day: date) -> None:
        today = self.today()
        newest = self._newest_day()
        self.date_edit.blockSignals(True)
        self.date_edit.setMaximumDate(QDate(newest.year, newest.month, newest.day))
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        self.next_button.setEnabled(day < newest)
        self.today_button.setEnabled(day != today)
        self.latest_button.setEnabled(self._latest_day not in (None, day))
        heading = _long_date(day)
        if day == today:
            heading += " · today"
        elif day == today - timedelta(days=1):
            heading += " · yesterday"
        self.day_heading.setText(heading)

    def _show_summary(self, stats: DayStats, readings: Sequence[GlucoseReading]) -> None:
        has_fingersticks = any(r.source is GlucoseSource.FINGERSTICK for r in readings)
        if not has_fingersticks:
            # A filter left on would show an empty list on a day that has sensor readings.
            self.fingersticks_only.setChecked(False)
        self.fingersticks_only.setEnabled(has_fingersticks)
        self.fingersticks_only.setToolTip(
            "List only the readings taken with a meter"
            if has_fingersticks
            else "There are no finger-stick readings on this day"
        )
        self.summary.setVisible(stats.count > 0)
        if not stats.count:
            return
        unit = stats.unit
        self.count_card.show_value(f"{stats.count:,}")
        self.mean_card.show_value("—" if stats.mean is None else glucose_text(stats.mean, unit))
        if stats.low is None or stats.high is None:
            self.span_card.show_value("—")
        else:
            # "72–118 mg/dL": the unit once, after both numbers.
            low = glucose_text(stats.low, unit).removesuffix(f" {unit}")
            self.span_card.show_value(f"{low}–{glucose_text(stats.high, unit)}")
        self._show_time_in_range(readings, unit)
        self.sources_label.setText(_sources_text(readings))

    def _show_time_in_range(self, readings: Sequence[GlucoseReading], unit: str) -> None:
        sensor = [r for r in readings if r.source is GlucoseSource.CGM]
        self.range_card.setVisible(bool(sensor))
        if not sensor:
            return
        self.range_card.caption.setText(f"In range {TIR_LABELS[unit]}")
        sides = Counter(_range_side(r) for r in sensor)
        below, above = sides[-1], sides[1]
        inside = sides[0]
        n = len(sensor)
        noun = "reading" if n == 1 else "readings"
        self.range_card.show_value(
            _percent(inside, n),
            f"of {n:,} sensor {noun}\n{_percent(below, n)} below · {_percent(above, n)} above",
        )
        self.range_card.setToolTip(
            "The share of the day's sensor readings between 70 and 180 mg/dL "
            "(3.9–10.0 mmol/L). Finger-stick readings are not counted. One day is a "
            "snapshot: the consensus targets are judged over 14 days of sensor data."
        )

    def _show_empty(self, day: date, journal_empty: bool) -> None:
        self.list_stack.setCurrentIndex(1)
        glucose = self.services.glucose
        if journal_empty:
            self._earlier_day = self._later_day = None
            self.empty_label.setText(EMPTY_JOURNAL_TEXT)
        else:
            start, end = day_bounds(day, self.zone)
            before = glucose.latest_reading_at(before=start)
            after = glucose.earliest_reading_at(since=end)
            self._earlier_day = None if before is None else before.astimezone(self.zone).date()
            self._later_day = None if after is None else after.astimezone(self.zone).date()
            self.empty_label.setText(
                f"No glucose readings on {_long_date(day)}.\n\n"
                "Add a finger-stick reading with the form on the right, or go to a day "
                "that has readings."
            )
        for button, target, arrow in (
            (self.earlier_button, self._earlier_day, "Previous day with readings"),
            (self.later_button, self._later_day, "Next day with readings"),
        ):
            button.setVisible(target is not None)
            if target is not None:
                button.setText(f"{arrow}: {_short_date(target)}")

    def _fit_columns(self) -> None:
        """Size the short columns to their widest text; the device column takes the rest.

        Measured here rather than by ResizeToContents, which would ask the model for every
        cell's size hint again on each layout pass.
        """
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        # Header text, plus the room its sort arrow takes.
        arrow = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize) + 8
        for column in (GlucoseTableModel.TIME, GlucoseTableModel.VALUE, GlucoseTableModel.SOURCE):
            texts = self.model.texts(column)
            cells = max((metrics.horizontalAdvance(t) for t in texts), default=0)
            title = metrics.horizontalAdvance(GlucoseTableModel.HEADERS[column]) + arrow
            header.resizeSection(column, max(cells, title) + 24)

    def _jump(self, day: date | None) -> None:
        if day is not None:
            self.set_day(day)

    def _select(self, ids: set[int]) -> None:
        if not ids:
            return
        selection = self.table.selectionModel()
        selection.clearSelection()
        first: QModelIndex | None = None
        for reading_id in ids:
            row = self.model.row_of(reading_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            selection.select(index, flags)
            first = first or index
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)

    # --- reacting ------------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        walks_changed = change.concerns(Entity.WALK, Entity.IMPORT_BATCH)
        if walks_changed:  # walks are drawn on the day chart
            self._walks = None
            self._charts_dirty[1] = True
        # An undone import hides its readings without naming each of them.
        if change.concerns(Entity.GLUCOSE, Entity.IMPORT_BATCH):
            self._charts_dirty[2] = True
            self.refresh()
        elif walks_changed:
            self._update_charts()

    def _on_preference(self, key: str) -> None:
        if key != "units/system":
            return
        if not self.value_edit.text():
            self.set_unit(self.display_unit)
        self._charts_dirty[2] = True
        self.refresh()

    def _filter_fingersticks(self, only: bool) -> None:
        self.proxy.setFilterKeyColumn(GlucoseTableModel.SOURCE)
        self.proxy.setFilterFixedString(SOURCE_NAMES[GlucoseSource.FINGERSTICK] if only else "")

    def _on_date_edited(self, qdate: QDate) -> None:
        self.set_day(date(qdate.year(), qdate.month(), qdate.day()))

    def _on_unit_chosen(self, _index: int) -> None:
        self._clear_message()
        example = "5.8" if self.current_unit() == MMOL_L else "104"
        self.value_edit.setPlaceholderText(f"e.g. {example}")

    def _switch_unit(self) -> None:
        suggested = self.switch_button.property("unit")
        if suggested:
            self.set_unit(str(suggested))
        self._clear_message()
        self.add_button.setFocus()

    def _update_delete_action(self) -> None:
        chosen = self.selected_readings()
        fingersticks = sum(r.source is GlucoseSource.FINGERSTICK for r in chosen)
        self.delete_action.setEnabled(fingersticks > 0)
        self.delete_action.setText(
            "Delete finger-stick reading"
            if fingersticks <= 1
            else f"Delete {fingersticks} finger-stick readings"
        )
        only_sensor = bool(chosen) and not fingersticks
        self.delete_action.setToolTip(SENSOR_DELETE_HINT if only_sensor else "")

    def _show_context_menu(self, pos: QPoint) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        self._update_delete_action()
        menu = QMenu(self.table)
        menu.setToolTipsVisible(True)
        menu.addAction(self.delete_action)
        if not self.delete_action.isEnabled():
            hint = menu.addAction("Why can't sensor readings be deleted here?")
            hint.setEnabled(False)
            hint.setToolTip(SENSOR_DELETE_HINT)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # --- the form ----------------------------------------------------------------------------

    def _form_time(self) -> datetime:
        # The edit shows wall time in this zone, so its fields are read back in the same zone.
        value = self.time_edit.dateTime()
        d, t = value.date(), value.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=self.zone)

    def _reset_time(self) -> None:
        now = self.services.clock().astimezone(self.zone)
        self.time_edit.setDateTime(
            QDateTime(QDate(now.year, now.month, now.day), QTime(now.hour, now.minute))
        )

    def _show_message(self, text: str, *, error: bool, suggested_unit: str | None = None) -> None:
        colour = ERROR_COLOUR if error else WARNING_COLOUR
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)
        icon = (
            QStyle.StandardPixmap.SP_MessageBoxCritical
            if error
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        self.message_icon.setPixmap(self.style().standardIcon(icon).pixmap(QSize(16, 16)))
        self.switch_button.setProperty("unit", suggested_unit or "")
        if suggested_unit is not None:
            self.switch_button.setText(f"Switch to {suggested_unit}")
            self.switch_button.setAccessibleName(f"Switch the unit to {suggested_unit}")
        self.switch_button.setVisible(suggested_unit is not None)
        self.message_line.show()
        self.value_edit.setAccessibleDescription(text)

    def _clear_message(self) -> None:
        self.message.clear()
        self.switch_button.hide()
        self.message_line.hide()
        self.value_edit.setAccessibleDescription("")

    def _show_status(self, text: str) -> None:
        self.status.setText(text)

    def _describe(self, reading: GlucoseReading) -> str:
        local = reading.at.astimezone(self.zone)
        when = _time_text(local)
        if local.date() != self.today():
            when = f"{when} on {_short_date(local.date())}"
        return f"{glucose_text(reading.value, reading.unit)} at {when}"


def _datetime_format() -> str:
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return "ddd d MMM yyyy  HH:mm"
    return f"{_date_format()}  {locale.timeFormat(QLocale.FormatType.ShortFormat)}"


def _sources_text(readings: Sequence[GlucoseReading]) -> str:
    counts = Counter((r.source, r.device or "") for r in readings)
    parts = []
    for (source, device), n in sorted(counts.items()):
        what = f"{SOURCE_NAMES[source]}: {device}" if device else SOURCE_NAMES[source]
        parts.append(f"{what} — {n:,} {'reading' if n == 1 else 'readings'}")
    return " · ".join(parts)


def _range_side(reading: GlucoseReading) -> int:
    """-1 below the time-in-range bounds, 0 inside, 1 above, judged in the reading's own unit."""
    unit = reading.unit if reading.unit in TIR_BOUNDS else MG_DL
    value = in_unit(reading, unit)
    low, high = TIR_BOUNDS[unit]
    return -1 if value < low else 1 if value > high else 0


def _sentences(error: ValidationError) -> str:
    lines = []
    for item in error.errors:
        name = FIELD_NAMES.get(item.field, item.field)
        text = f"{name} {item.message}"
        lines.append(text if text.endswith(".") else f"{text}.")
    return "\n".join(lines)
