"""The Labs, Training and Walks pages: searchable, sortable lists to add, edit and delete in."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import (
    QDate,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from journal.services.changes import Change, Entity
from journal.services.errors import NotFoundError
from journal.services.journal import JournalServices
from journal.ui import entry_actions
from journal.ui.context import UiContext
from journal.ui.localzone import local_zone
from journal.ui.models.tables import (
    ID_ROLE,
    LabDrawTableModel,
    RecordFilterProxy,
    RecordTableModel,
    WalkTableModel,
    WorkoutTableModel,
)

SEARCH_PLACEHOLDER = "Search notes, lab, activity…"
NO_MATCH_TEXT = "Nothing matches the search"
# A change naming more records than this (an import, undoing one) reloads the whole list;
# smaller ones fetch just those records, which keeps a 10,000-row list quick to update.
INCREMENTAL_LIMIT = 40


def _label(text: str = "", *, role: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        label.setObjectName(role)
    label.setWordWrap(wrap)
    return label


def _shortcut_text(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


class RecordTable(QTableView):
    """The list itself: Enter edits and Delete deletes, wherever the platform puts those keys."""

    edit_requested = Signal()
    delete_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if event.matches(QKeySequence.StandardKey.Delete) or (
            sys.platform == "darwin" and key == Qt.Key.Key_Backspace and plain
        ):
            self.delete_requested.emit()
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self.edit_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class RecordListPage(QWidget):
    """A list of one kind of entry; it loads when first shown and follows only its own changes."""

    selection_changed = Signal()

    TITLE: ClassVar[str] = ""
    ENTITY: ClassVar[Entity]
    NOUN: ClassVar[str] = ""
    PLURAL: ClassVar[str] = ""
    ADD_TEXT: ClassVar[str] = ""
    EMPTY_TEXT: ClassVar[str] = ""  # "{key}" becomes the quick-add shortcut
    # Names in entry_actions, looked up at call time so tests can replace them.
    NEW_ACTION: ClassVar[str] = ""
    EDIT_ACTION: ClassVar[str] = ""
    DELETE_ACTION: ClassVar[str] = ""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName(self.TITLE)
        self.model = self.make_model()
        self.proxy = RecordFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.last_refresh_ms = 0.0
        self._loaded = False
        self._stale = False
        self._quiet = False  # set while the page itself moves the date edits
        self._menu: QMenu | None = None
        self._build()
        ctx.events.entries_changed.connect(self._on_change)

    # --- what differs per page ----------------------------------------------------------------

    def make_model(self) -> RecordTableModel:
        raise NotImplementedError

    def fetch_all(self, services: JournalServices) -> Sequence[Any]:
        raise NotImplementedError

    def fetch_one(self, services: JournalServices, record_id: int) -> Any:
        raise NotImplementedError

    # --- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.setSpacing(10)

        heading = QHBoxLayout()
        heading.addWidget(_label(self.TITLE, role="pageTitle"))
        heading.addStretch(1)
        self.caption = _label(role="footnote")
        self.caption.setAccessibleName(f"{self.TITLE} count")
        heading.addWidget(self.caption, 0, Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(heading)

        tools = QHBoxLayout()
        tools.setSpacing(8)
        key = entry_actions.QUICK_ADD_KEYS[self.ENTITY]
        self.add_button = QPushButton(self.ADD_TEXT)
        self.add_button.setToolTip(f"{self.ADD_TEXT} ({_shortcut_text(key)})")
        self.add_button.clicked.connect(lambda _checked=False: self.add_new())
        tools.addWidget(self.add_button)
        tools.addSpacing(12)
        self.search = QLineEdit()
        self.search.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(f"Search {self.PLURAL}")
        self.search.setMinimumWidth(160)
        self.search.textChanged.connect(self._on_search)
        tools.addWidget(self.search, 1)
        tools.addSpacing(12)
        tools.addWidget(_label("From"))
        self.date_from = self._date_edit(f"Show {self.PLURAL} from this date")
        tools.addWidget(self.date_from)
        tools.addWidget(_label("to"))
        self.date_to = self._date_edit(f"Show {self.PLURAL} up to this date")
        tools.addWidget(self.date_to)
        self.all_dates = QCheckBox("All dates")
        self.all_dates.setChecked(True)
        self.all_dates.setToolTip("Show entries from every date; pick a date to narrow the list")
        self.all_dates.toggled.connect(self._on_all_dates)
        tools.addWidget(self.all_dates)
        outer.addLayout(tools)

        self.table = self._build_table()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.empty_label = _label(self.EMPTY_TEXT.format(key=_shortcut_text(key)), wrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self._panel(self.empty_label))
        self.no_match_label = _label(NO_MATCH_TEXT, wrap=True)
        self.no_match_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear_button = QPushButton("Clear search and dates")
        self.clear_button.clicked.connect(lambda _checked=False: self.clear_filters())
        self.stack.addWidget(self._panel(self.no_match_label, self.clear_button))
        outer.addWidget(self.stack, 1)
        if self.CHART_TAB:
            self._build_chart_tab()
        self._update_state()

    # --- chart tab ----------------------------------------------------------------------------
    # A page may show its entries as a chart in a second tab. The chart (and pyqtgraph) is
    # built only when the tab is first opened, and redrawn only while it is visible.

    LIST_TAB: ClassVar[str] = ""
    CHART_TAB: ClassVar[str] = ""
    CHART_TIP: ClassVar[str] = ""
    CHART_PREFERENCES: ClassVar[tuple[str, ...]] = ()

    def make_chart(self) -> QWidget:
        raise NotImplementedError

    def draw_chart(self, chart: Any, records: Sequence[Any]) -> None:
        raise NotImplementedError

    def _build_chart_tab(self) -> None:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.stack)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, self.LIST_TAB)
        self.chart: Any = None
        self._chart_holder = QWidget()
        QVBoxLayout(self._chart_holder).setContentsMargins(0, 8, 0, 0)
        self.tabs.addTab(self._chart_holder, self.CHART_TAB)
        self.tabs.setTabToolTip(1, self.CHART_TIP)
        layout.addWidget(self.tabs, 1)
        self._chart_dirty = True
        self.tabs.currentChanged.connect(lambda _index: self._update_chart())
        self.ctx.prefs.changed.connect(self._on_chart_preference)

    def show_chart(self) -> None:
        self.tabs.setCurrentIndex(1)

    def _on_chart_preference(self, key: str) -> None:
        if key in self.CHART_PREFERENCES:
            self._chart_dirty = True
            self._update_chart()

    def _update_chart(self) -> None:
        if not hasattr(self, "tabs") or self.tabs.currentIndex() != 1 or not self._chart_dirty:
            return
        self.ensure_loaded()
        if self.chart is None:
            self.chart = self.make_chart()
            holder_layout = self._chart_holder.layout()
            assert holder_layout is not None
            holder_layout.addWidget(self.chart)
        self._chart_dirty = False
        self.draw_chart(self.chart, self.model.records())

    def _date_edit(self, tip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(QDate.currentDate())
        edit.setToolTip(tip)
        edit.setAccessibleName(tip)
        edit.dateChanged.connect(self._on_date_edited)
        return edit

    def _panel(self, label: QLabel, button: QPushButton | None = None) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setSpacing(12)
        layout.addStretch(1)
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        label.setFont(font)
        # Full width with centred text: a wrapping label given an alignment shrinks to a sliver.
        layout.addWidget(label)
        if button is not None:
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return panel

    def _build_table(self) -> RecordTable:
        table = RecordTable()
        table.setModel(self.proxy)
        table.setAccessibleName(f"{self.TITLE} list")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setCornerButtonEnabled(False)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.doubleClicked.connect(self._on_double_click)
        table.edit_requested.connect(self.edit_selected)
        table.delete_requested.connect(self.delete_selected)
        rows = table.verticalHeader()
        rows.setVisible(False)
        # Fixed heights let Qt lay out 10,000 rows without asking each one for its size.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        self._size_columns(table)
        table.setSortingEnabled(True)
        table.sortByColumn(self.model.DATE_COLUMN, Qt.SortOrder.DescendingOrder)
        table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        return table

    def _size_columns(self, table: QTableView) -> None:
        # Sized from each column's typical widest text, not by measuring every row.
        cell = table.fontMetrics()
        head = table.horizontalHeader().fontMetrics()
        for i, column in enumerate(self.model.COLUMNS[:-1]):
            width = max(
                cell.horizontalAdvance(column.sample) + 16,
                head.horizontalAdvance(column.header) + 30,  # room for the sort arrow
            )
            table.setColumnWidth(i, width)

    # --- loading ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded or self._stale:
            self.refresh()

    def ensure_loaded(self) -> None:
        if not self._loaded or self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read every entry again through the service, keeping the selection and scroll."""
        started = time.perf_counter()
        selected, current = self.selected_ids(), self.current_id()
        scroll = self.table.verticalScrollBar().value()
        self.model.set_rows(self.fetch_all(self.ctx.services))
        self._loaded, self._stale = True, False
        self._select_ids(selected, current, scroll_to=False)
        self.table.verticalScrollBar().setValue(scroll)
        self._show_data_span()
        self._update_state()
        self.selection_changed.emit()
        self.last_refresh_ms = (time.perf_counter() - started) * 1000

    def _on_change(self, change: Change) -> None:
        if not change.concerns(self.ENTITY):
            return
        if not self._loaded:
            return  # the first showing reads everything anyway
        removed = change.removed.get(self.ENTITY, ())
        fresh = (*change.added.get(self.ENTITY, ()), *change.updated.get(self.ENTITY, ()))
        if len(removed) + len(fresh) > INCREMENTAL_LIMIT:
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True
            return
        started = time.perf_counter()
        records, gone = [], list(removed)
        for record_id in fresh:
            try:
                records.append(self.fetch_one(self.ctx.services, record_id))
            except NotFoundError:
                gone.append(record_id)  # removed again before this change arrived
        self.model.remove_ids(gone)
        self.model.upsert(records)
        added = [i for i in change.added.get(self.ENTITY, ()) if i not in gone]
        if added:
            # New and restored entries are selected, so an undo shows what came back.
            self._select_ids(added, added[0], scroll_to=True)
        self._update_state()
        self.selection_changed.emit()
        self.last_refresh_ms = (time.perf_counter() - started) * 1000

    # --- selection ----------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [int(i.data(ID_ROLE)) for i in rows]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return int(index.data(ID_ROLE)) if index.isValid() else None

    def has_selection(self) -> bool:
        return self.table.selectionModel().hasSelection()

    def select_ids(self, ids: Sequence[int]) -> None:
        self._select_ids(list(ids), ids[0] if ids else None, scroll_to=True)

    def _proxy_index(self, record_id: int | None) -> QModelIndex:
        row = self.model.row_of_id(record_id)
        if row is None:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(row, 0))

    def _select_ids(self, ids: Sequence[int], current: int | None, *, scroll_to: bool) -> None:
        model = self.table.selectionModel()
        selection = QItemSelection()
        last = self.proxy.columnCount() - 1
        for record_id in ids:
            index = self._proxy_index(record_id)
            if index.isValid():
                selection.select(index, index.siblingAtColumn(last))
        flags = QItemSelectionModel.SelectionFlag
        current_index = self._proxy_index(current)
        if current_index.isValid():
            model.setCurrentIndex(current_index, flags.NoUpdate)
        model.select(selection, flags.ClearAndSelect | flags.Rows)
        if scroll_to and current_index.isValid():
            self.table.scrollTo(current_index)

    # --- actions ------------------------------------------------------------------------------

    def _action(self, name: str) -> Callable[..., bool]:
        return getattr(entry_actions, name)  # type: ignore[no-any-return]

    def add_new(self) -> bool:
        return self._action(self.NEW_ACTION)(self.ctx, self)

    def edit_selected(self) -> bool:
        current = self.current_id()
        ids = self.selected_ids()
        target = current if current in ids else (ids[0] if ids else None)
        return False if target is None else self._edit(target)

    def delete_selected(self) -> bool:
        ids = self.selected_ids()
        return bool(ids) and self._action(self.DELETE_ACTION)(self.ctx, ids, self)

    def _edit(self, record_id: int) -> bool:
        return self._action(self.EDIT_ACTION)(self.ctx, record_id, self)

    def _on_double_click(self, index: QModelIndex) -> None:
        if index.isValid():
            self._edit(int(index.data(ID_ROLE)))

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        selected = self.has_selection()
        edit = menu.addAction("Edit…")
        edit.setEnabled(selected)
        edit.triggered.connect(lambda _checked=False: self.edit_selected())
        delete = menu.addAction("Delete")
        delete.setEnabled(selected)
        delete.triggered.connect(lambda _checked=False: self.delete_selected())
        menu.addSeparator()
        add = menu.addAction(f"{self.ADD_TEXT}…")
        add.triggered.connect(lambda _checked=False: self.add_new())
        self._menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # --- filtering ----------------------------------------------------------------------------

    def clear_filters(self) -> None:
        self.search.clear()
        self.all_dates.setChecked(True)

    def set_date_range(self, start: date | None, end: date | None) -> None:
        """Show only entries dated from `start` to `end` (both included); None for no limit."""
        self._quiet = True
        try:
            if start is not None:
                self.date_from.setDate(QDate(start.year, start.month, start.day))
            if end is not None:
                self.date_to.setDate(QDate(end.year, end.month, end.day))
        finally:
            self._quiet = False
        unlimited = start is None and end is None
        self.all_dates.setChecked(unlimited)
        if not unlimited:
            self.proxy.set_date_range(start, end)
            self._filtered()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search_text(text)
        self._filtered()

    def _on_all_dates(self, checked: bool) -> None:
        if checked:
            self.proxy.set_date_range(None, None)
            self._show_data_span()
        else:
            self._apply_dates()
        self._filtered()

    def _on_date_edited(self, _date: QDate) -> None:
        if self._quiet:
            return
        # Picking a date is the intent to narrow the list, so it leaves "All dates" by itself.
        if self.all_dates.isChecked():
            self.all_dates.setChecked(False)  # applies the dates through _on_all_dates
        else:
            self._apply_dates()
            self._filtered()

    def _apply_dates(self) -> None:
        start = self.date_from.date().toPython()
        end = self.date_to.date().toPython()
        assert isinstance(start, date) and isinstance(end, date)
        self.proxy.set_date_range(min(start, end), max(start, end))

    def _show_data_span(self) -> None:
        """With all dates shown, the date edits show the span the entries cover."""
        span = self.model.date_span()
        if not self.all_dates.isChecked() or span is None:
            return
        self._quiet = True
        try:
            for edit, day in zip((self.date_from, self.date_to), span, strict=True):
                edit.setDate(QDate(day.year, day.month, day.day))
        finally:
            self._quiet = False

    def _filtered(self) -> None:
        self._update_state()
        self.selection_changed.emit()

    # --- state --------------------------------------------------------------------------------

    def _update_state(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = self.NOUN if total == 1 else self.PLURAL
        if not self._loaded or total == 0:
            caption = ""  # the empty state says it in words
        elif self.proxy.is_filtering:
            caption = f"{total:,} {noun} · {shown:,} shown"
        else:
            caption = f"{total:,} {noun}"
        self.caption.setText(caption)
        if self._loaded and total == 0:
            self.stack.setCurrentIndex(1)
        elif self._loaded and shown == 0:
            self.no_match_label.setText(self._no_match_text())
            self.stack.setCurrentIndex(2)
        else:
            self.stack.setCurrentIndex(0)
        for widget in (self.search, self.date_from, self.date_to, self.all_dates):
            widget.setEnabled(total > 0 or self.proxy.is_filtering)
        self._chart_dirty = True
        self._update_chart()

    def _no_match_text(self) -> str:
        start, end = self.proxy.date_range
        dated = start is not None or end is not None
        if self.proxy.search_text:
            return f"{NO_MATCH_TEXT} in these dates." if dated else f"{NO_MATCH_TEXT}."
        return f"No {self.PLURAL} in these dates."

    @property
    def showing_empty_state(self) -> bool:
        return self.stack.currentIndex() == 1

    @property
    def showing_no_match(self) -> bool:
        return self.stack.currentIndex() == 2


class LabsPage(RecordListPage):
    TITLE = "Labs"
    ENTITY = Entity.LAB_DRAW
    NOUN = "draw"
    PLURAL = "draws"
    ADD_TEXT = "Add lab draw"
    EMPTY_TEXT = "No lab results yet. Add your latest blood test with Add lab draw ({key})."
    NEW_ACTION, EDIT_ACTION, DELETE_ACTION = "new_lab_draw", "edit_lab_draw", "delete_lab_draws"

    LIST_TAB = "Results"
    CHART_TAB = "Trends"
    CHART_TIP = "Glucose, HbA1c, HOMA-IR and TG:HDL over time"
    CHART_PREFERENCES = ("units/system", "profile/sex")
    TREND_KEYS: ClassVar[tuple[str, ...]] = ("glucose", "hba1c", "homa_ir", "tg_hdl")

    def make_chart(self) -> QWidget:
        from journal.ui.charts.trends import MarkerTrendChart

        chart = MarkerTrendChart()
        chart.setAccessibleName("Lab marker trends")
        chart.point_clicked.connect(self._edit)
        return chart

    def draw_chart(self, chart: Any, records: Sequence[Any]) -> None:
        draws = sorted(records, key=lambda d: d.drawn_at)
        prefs = self.ctx.prefs
        chart.set_draws(draws, self.TREND_KEYS, system=prefs.unit_system, sex=prefs.sex)

    def make_model(self) -> RecordTableModel:
        return LabDrawTableModel(self)

    def fetch_all(self, services: JournalServices) -> Sequence[Any]:
        return services.labs.list_draws()

    def fetch_one(self, services: JournalServices, record_id: int) -> Any:
        return services.labs.get_draw(record_id)


class TrainingPage(RecordListPage):
    TITLE = "Training"
    ENTITY = Entity.WORKOUT
    NOUN = "workout"
    PLURAL = "workouts"
    ADD_TEXT = "Add workout"
    EMPTY_TEXT = "No workouts yet. Log a session with Add workout ({key})."
    NEW_ACTION, EDIT_ACTION, DELETE_ACTION = "new_workout", "edit_workout", "delete_workouts"
    LIST_TAB = "Sessions"
    CHART_TAB = "Consistency"
    CHART_TIP = "Was each day covered by a session? Minutes, strength days and load per week"
    CHART_PREFERENCES = ("training/coverage_window_h",)

    def make_chart(self) -> QWidget:
        from journal.ui.charts.training import TrainingConsistencyChart

        chart = TrainingConsistencyChart()
        chart.setAccessibleName("Training consistency")
        return chart

    def draw_chart(self, chart: Any, records: Sequence[Any]) -> None:
        chart.set_workouts(records, window=self.ctx.prefs.coverage_window, tz=local_zone())

    def make_model(self) -> RecordTableModel:
        return WorkoutTableModel(self)

    def fetch_all(self, services: JournalServices) -> Sequence[Any]:
        return services.training.list_workouts()

    def fetch_one(self, services: JournalServices, record_id: int) -> Any:
        return services.training.get_workout(record_id)


class WalksPage(RecordListPage):
    TITLE = "Walks"
    ENTITY = Entity.WALK
    NOUN = "walk"
    PLURAL = "walks"
    ADD_TEXT = "Add walk"
    EMPTY_TEXT = "No walks yet. After your next meal, log a walk with Add walk ({key})."
    NEW_ACTION, EDIT_ACTION, DELETE_ACTION = "new_walk", "edit_walk", "delete_walks"
    LIST_TAB = "Walks"
    CHART_TAB = "Adherence"
    CHART_TIP = "How often, how soon after eating and how long you walked, week by week"
    CHART_PREFERENCES = ("walks/target_delay_min",)

    def make_chart(self) -> QWidget:
        from journal.ui.charts.walks import WalkAdherenceChart

        chart = WalkAdherenceChart()
        chart.setAccessibleName("Walk adherence")
        return chart

    def draw_chart(self, chart: Any, records: Sequence[Any]) -> None:
        target = self.ctx.prefs.walk_delay_target_min
        chart.set_walks(records, tz=local_zone(), target_delay_min=target)

    def make_model(self) -> RecordTableModel:
        return WalkTableModel(self)

    def fetch_all(self, services: JournalServices) -> Sequence[Any]:
        return services.walks.list_walks()

    def fetch_one(self, services: JournalServices, record_id: int) -> Any:
        return services.walks.get_walk(record_id)
