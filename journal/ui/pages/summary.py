"""The Visit summary page: questions for the physician, what to print, and printing it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, tzinfo
from pathlib import Path
from typing import Final

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QPoint,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QImage, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain.entities import Question
from journal.reports.pdf import write_pdf
from journal.reports.summary import (
    Section,
    SummaryData,
    SummaryOptions,
    build_summary,
    default_period,
)
from journal.services.changes import Change, Entity
from journal.services.errors import NotFoundError, ValidationError
from journal.ui import entry_actions
from journal.ui.context import UiContext
from journal.ui.dialogs.question import AnswerDialog, QuestionDialog
from journal.ui.localzone import local_zone
from journal.ui.models.questions import ID_ROLE, QuestionTableModel
from journal.ui.pages.lists import RecordTable
from journal.ui.summary_print import (
    default_page_size,
    new_printer,
    options_from_preferences,
    print_summary,
)
from journal.ui.tasks import TaskCancelledError, run_with_progress
from journal.ui.undo import AddCommand, DeleteCommand, EditCommand, StepCommand
from journal.ui.widgets.forms import ERROR_STYLE

__all__ = ["SECTION_LABELS", "SummaryPage", "ask_pdf_path", "ask_printer", "show_preview"]

# The sections in the order they print, each in the words the page uses for it.
SECTION_LABELS: Final = {
    Section.LABS: "Latest lab results",
    Section.INDICES: "Calculated indices, such as HOMA-IR",
    Section.TRENDS: "Trend charts",
    Section.TRAINING: "Training",
    Section.WALKS: "Walks after meals",
    Section.GLUCOSE: "Sensor glucose",
    Section.QUESTIONS: "Questions for your physician",
}
PAPER: Final = (("A4", "A4"), ("Letter", "US Letter"))
EMPTY_TEXT: Final = (
    "No questions for your physician yet.\n\n"
    "The journal can draft a few from your lab results and training, each showing the "
    "numbers behind it, so you can bring them up at your next visit. "
    "You can also write your own."
)
_LAST_FOLDER_KEY: Final = "summary/pdf_folder"  # window state, like the geometry: not a setting


# --- hooks the tests replace ------------------------------------------------------------------


def ask_pdf_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """Ask where to save the PDF; None when the user cancels."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save summary as PDF", str(suggested), "PDF documents (*.pdf)"
    )
    return Path(name) if name else None


def ask_printer(parent: QWidget | None, printer: QPrinter) -> bool:
    """Let the user pick a printer and its settings; False when they cancel."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print visit summary")
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def show_preview(dialog: QPrintPreviewDialog) -> None:
    dialog.exec()


def run_dialog(dialog: QDialog) -> int:
    """Show a question or answer dialog and wait for it (the dialog saves by itself)."""
    return dialog.exec()


class _QuestionTable(RecordTable):
    """The question list; tells the page when its width changes, to share it out again."""

    def __init__(self, resized: Callable[[], None]) -> None:
        super().__init__()
        self._resized = resized

    def viewportEvent(self, event: QEvent) -> bool:
        # The viewport, not the table: it also narrows when the scroll bar appears.
        if event.type() == QEvent.Type.Resize:
            self._resized()
        return super().viewportEvent(event)


def _label(text: str = "", *, role: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        label.setObjectName(role)
    label.setWordWrap(wrap)
    return label


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class SummaryPage(QWidget):
    """Questions to take to a visit, and the printed summary: preview, print or save as PDF."""

    selection_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Visit summary")
        self.zone: tzinfo = local_zone()
        self.model = QuestionTableModel(self.zone, self)
        # Queued: the model is still inside setData when the box is ticked.
        self.model.include_toggled.connect(self.set_include, Qt.ConnectionType.QueuedConnection)
        self._loaded = False
        self._stale = False
        self._build()
        ctx.events.entries_changed.connect(self._on_change)
        ctx.prefs.changed.connect(self._on_preference)
        self.refresh()

    # --- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.setSpacing(10)
        outer.addWidget(_label("Visit summary", role="pageTitle"))
        intro = _label(
            "Gather your questions for your physician, then print a summary of your journal "
            "to take along.",
            role="footnote",
            wrap=True,
        )
        outer.addWidget(intro)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(self._build_questions(), 1)
        columns.addWidget(self._build_print_panel())
        outer.addLayout(columns, 1)

    def _build_questions(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        heading = QHBoxLayout()
        heading.addWidget(_label("Questions for your physician", role="sectionTitle"))
        heading.addStretch(1)
        self.caption = _label(role="footnote")
        self.caption.setAccessibleName("Question count")
        heading.addWidget(self.caption, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(heading)

        self.tools = QWidget()
        tools = QHBoxLayout(self.tools)
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(8)
        self.draft_button = QPushButton("Draft questions from my journal")
        self.draft_button.setToolTip(
            "Look through your lab results and training for things worth asking about"
        )
        self.draft_button.clicked.connect(lambda _checked=False: self.draft_questions())
        self.add_button = QPushButton("Add question…")
        self.add_button.clicked.connect(lambda _checked=False: self.add_question())
        tools.addWidget(self.draft_button)
        tools.addWidget(self.add_button)
        tools.addStretch(1)
        column.addWidget(self.tools)

        self.table = _QuestionTable(self._size_columns)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Questions for your physician")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.setCornerButtonEnabled(False)
        # Wrapped lines need air between rows, or a list of long questions reads as one block.
        # (Only vertical padding: row heights are measured without any sideways padding.)
        self.table.setStyleSheet("QTableView::item { padding: 4px 0px; }")
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 6)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.model.PRINT, QHeaderView.ResizeMode.ResizeToContents)
        # The page shares the width out itself: a stretched last section keeps Qt's default
        # width as its minimum, which in a narrow window runs under the scroll bar.
        header.setStretchLastSection(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.edit_requested.connect(self.edit_selected)
        self.table.delete_requested.connect(self.delete_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())

        self.empty_label = _label(EMPTY_TEXT, wrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_draft_button = QPushButton("Draft questions from my journal")
        self.empty_draft_button.clicked.connect(lambda _checked=False: self.draft_questions())
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.setSpacing(12)
        empty_layout.addStretch(1)
        font = self.empty_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.empty_label.setFont(font)
        empty_layout.addWidget(self.empty_label)
        self.empty_add_button = QPushButton("Write my own…")
        self.empty_add_button.clicked.connect(lambda _checked=False: self.add_question())
        empty_buttons = QHBoxLayout()
        empty_buttons.addStretch(1)
        empty_buttons.addWidget(self.empty_draft_button)
        empty_buttons.addWidget(self.empty_add_button)
        empty_buttons.addStretch(1)
        empty_layout.addLayout(empty_buttons)
        empty_layout.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty)
        column.addWidget(self.stack, 1)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Reword the selected question")
        self.edit_button.clicked.connect(lambda _checked=False: self.edit_selected())
        self.answer_button = QPushButton("Write answer…")
        self.answer_button.setToolTip("After your visit, note what your physician said")
        self.answer_button.clicked.connect(lambda _checked=False: self.answer_selected())
        # Arrows rather than words, so the row fits beside the print options at any width.
        self.up_button = self._arrow(
            Qt.ArrowType.UpArrow,
            "Move up",
            "Move up: ask this one earlier (the summary numbers questions in this order)",
        )
        self.up_button.clicked.connect(lambda _checked=False: self.move_selected(-1))
        self.down_button = self._arrow(
            Qt.ArrowType.DownArrow, "Move down", "Move down: ask this one later"
        )
        self.down_button.clicked.connect(lambda _checked=False: self.move_selected(1))
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(lambda _checked=False: self.delete_selected())
        for button in (self.edit_button, self.answer_button):
            actions.addWidget(button)
        actions.addSpacing(8)
        actions.addWidget(self.up_button)
        actions.addSpacing(-4)
        actions.addWidget(self.down_button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        self.actions_row = QWidget()
        self.actions_row.setLayout(actions)
        actions.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.actions_row)

        self.question_status = _label(role="footnote", wrap=True)
        self.question_status.setAccessibleName("Question status")
        column.addWidget(self.question_status)
        return column

    def _arrow(self, arrow: Qt.ArrowType, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setArrowType(arrow)
        button.setText(text)  # read out by screen readers and used in the context menu
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setAutoRaise(False)
        height = self.edit_button.sizeHint().height()
        button.setFixedSize(height + 6, height)
        return button

    def _build_print_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(_label("Printed summary", role="sectionTitle"))
        layout.addWidget(
            _label(
                "A few pages to take to your visit: your results, trends and the ticked "
                "questions, each numbered.",
                role="footnote",
                wrap=True,
            )
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        today = self.ctx.services.clock().astimezone(self.zone).date()
        start, end = default_period(today)
        self.date_from = self._date_edit(start, "First day the summary covers")
        self.date_to = self._date_edit(end, "Last day the summary covers")
        form.addRow(_label("From"), self.date_from)
        form.addRow(_label("To"), self.date_to)
        self.period_error = _label(wrap=True)
        self.period_error.setStyleSheet(ERROR_STYLE)
        self.period_error.hide()
        form.addRow("", self.period_error)

        self.paper = QComboBox()
        for value, text in PAPER:
            self.paper.addItem(text, value)
        self.paper.setAccessibleName("Paper size")
        self.paper.setCurrentIndex(max(0, self.paper.findData(default_page_size())))
        form.addRow(_label("Paper"), self.paper)

        prefs = self.ctx.prefs
        self.name = QLineEdit(str(prefs.get("profile/name") or ""))
        self.name.setPlaceholderText("Optional")
        self.name.setAccessibleName("Name on the summary")
        self.name.setToolTip("Printed at the top of every summary; remembered for next time")
        self.name.editingFinished.connect(self._store_profile)
        form.addRow(_label("Your name"), self.name)
        self.birth = QLineEdit(str(prefs.get("profile/date_of_birth") or ""))
        self.birth.setPlaceholderText("YYYY-MM-DD, optional")
        self.birth.setAccessibleName("Date of birth on the summary")
        self.birth.setToolTip("Printed beside your name; remembered for next time")
        self.birth.textChanged.connect(lambda _text: self._update_print_state())
        self.birth.editingFinished.connect(self._store_profile)
        form.addRow(_label("Date of birth"), self.birth)
        self.birth_error = _label(wrap=True)
        self.birth_error.setStyleSheet(ERROR_STYLE)
        self.birth_error.hide()
        form.addRow("", self.birth_error)
        layout.addLayout(form)

        layout.addWidget(_label("Include"))
        self.section_boxes: dict[Section, QCheckBox] = {}
        boxes = QVBoxLayout()
        boxes.setContentsMargins(12, 0, 0, 0)
        boxes.setSpacing(2)
        for section, text in SECTION_LABELS.items():
            box = QCheckBox(text)
            box.setChecked(True)
            box.toggled.connect(lambda _on: self._update_print_state())
            self.section_boxes[section] = box
            boxes.addWidget(box)
        layout.addLayout(boxes)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addSpacing(4)
        layout.addWidget(line)
        self.preview_button = QPushButton("Print preview…")
        self.preview_button.clicked.connect(lambda _checked=False: self.print_preview())
        self.print_button = QPushButton("Print…")
        self.print_button.clicked.connect(lambda _checked=False: self.print_summary())
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.clicked.connect(lambda _checked=False: self.save_pdf())
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.preview_button, 1)
        buttons.addWidget(self.print_button, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.pdf_button)
        self.print_status = _label(role="footnote", wrap=True)
        self.print_status.setAccessibleName("Printing status")
        self.print_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.print_status)
        layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        width = panel.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        scroll.setFixedWidth(max(width, self.fontMetrics().averageCharWidth() * 44))
        self._update_print_state()
        return scroll

    def _date_edit(self, day: date, tip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(_to_qdate(day))
        edit.setToolTip(tip)
        edit.setAccessibleName(tip)
        edit.dateChanged.connect(lambda _day: self._update_print_state())
        return edit

    # --- the question list --------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _size_columns(self) -> None:
        # Question, origin and answer share the room left by the tick box, text first.
        header = self.table.horizontalHeader()
        free = self.table.viewport().width() - header.sectionSize(self.model.PRINT)
        if free <= 0:
            return
        question, origin = int(free * 0.42), int(free * 0.33)
        self.table.setColumnWidth(self.model.QUESTION, question)
        self.table.setColumnWidth(self.model.ORIGIN, origin)
        self.table.setColumnWidth(self.model.ANSWER, free - question - origin)

    def _on_change(self, change: Change) -> None:
        if not change.concerns(Entity.QUESTION):
            return
        if self.isVisible() or not self._loaded:
            self.refresh()
        else:
            self._stale = True

    def refresh(self) -> None:
        """Read the questions again through the service, keeping the selection."""
        selected = self.selected_ids()
        current = self.current_id()
        self.model.set_rows(self.ctx.services.questions.list_questions())
        self._loaded, self._stale = True, False
        self._select_ids(selected, current)
        self.table.resizeRowsToContents()
        questions = self.model.questions()
        printed = sum(q.include for q in questions)
        if questions:
            self.caption.setText(
                f"{_count(len(questions), 'question', 'questions')}, {printed} to print"
            )
        else:
            self.caption.setText("")
        self.stack.setCurrentIndex(0 if questions else 1)
        # The empty page offers the same first steps in its middle, and nothing to act on.
        self.tools.setVisible(bool(questions))
        self.actions_row.setVisible(bool(questions))
        self._on_selection()

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [int(self.model.index(r, 0).data(ID_ROLE)) for r in rows]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return int(index.data(ID_ROLE)) if index.isValid() else None

    def has_selection(self) -> bool:
        return self.table.selectionModel().hasSelection()

    def select_ids(self, ids: Sequence[int]) -> None:
        if self._stale:  # changed while hidden (a print action from another page)
            self.refresh()
        self._select_ids(list(ids), ids[0] if ids else None)

    def _select_ids(self, ids: Sequence[int], current: int | None) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for question_id in ids:
            row = self.model.row_of_id(question_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        model = self.table.selectionModel()
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        row = self.model.row_of_id(current)
        if row is not None:
            model.setCurrentIndex(
                self.model.index(row, self.model.QUESTION),
                QItemSelectionModel.SelectionFlag.NoUpdate,
            )
            self.table.scrollTo(self.model.index(row, self.model.QUESTION))

    def _on_selection(self) -> None:
        ids = self.selected_ids()
        all_ids = self.model.ids()
        one = len(ids) == 1
        self.edit_button.setEnabled(one)
        self.answer_button.setEnabled(one)
        self.up_button.setEnabled(one and all_ids.index(ids[0]) > 0)
        self.down_button.setEnabled(one and all_ids.index(ids[0]) < len(all_ids) - 1)
        self.delete_button.setEnabled(bool(ids))
        self.delete_button.setText(f"Delete {len(ids)}" if len(ids) > 1 else "Delete")
        self.selection_changed.emit()

    def _context_menu(self, pos: QPoint) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        for button in (
            self.edit_button,
            self.answer_button,
            None,
            self.up_button,
            self.down_button,
            None,
            self.delete_button,
        ):
            if button is None:
                menu.addSeparator()
                continue
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _question(self, question_id: int) -> Question:
        for question in self.ctx.services.questions.list_questions():
            if question.id == question_id:
                return question
        raise NotFoundError("That question no longer exists; it may have been deleted.")

    def _say(self, text: str) -> None:
        self.question_status.setText(text)

    # --- question actions ---------------------------------------------------------------------

    def add_new(self) -> None:
        """File → New entry on this page adds a question."""
        self.add_question()

    def add_question(self) -> bool:
        dialog = QuestionDialog(self.ctx.services, parent=self)
        try:
            if not run_dialog(dialog) or dialog.change is None:
                return False
            change, saved = dialog.change, dialog.saved_question
        finally:
            dialog.deleteLater()
        assert saved is not None
        questions = self.ctx.services.questions
        self.ctx.undo.push(
            AddCommand(
                "Add question",
                self.ctx.events,
                saved,
                Entity.QUESTION,
                questions.add_question,
                questions.delete_questions,
            )
        )
        self.ctx.events.publish(change)
        self.select_ids([saved.id] if saved.id is not None else [])
        self._say("")
        return True

    def edit_selected(self) -> bool:
        return self._edit_with(lambda q: QuestionDialog(self.ctx.services, question=q, parent=self))

    def answer_selected(self) -> bool:
        return self._edit_with(lambda q: AnswerDialog(self.ctx.services, q, parent=self), "Answer")

    def _edit_with(
        self, make: Callable[[Question], QuestionDialog | AnswerDialog], verb: str = "Edit"
    ) -> bool:
        ids = self.selected_ids()
        if len(ids) != 1:
            return False
        try:
            before = self._question(ids[0])
        except NotFoundError as error:
            entry_actions.inform(self, str(error))
            return False
        dialog = make(before)
        try:
            if not run_dialog(dialog) or dialog.change is None:
                return False
            change, after = dialog.change, dialog.saved_question
        finally:
            dialog.deleteLater()
        assert after is not None
        self.ctx.undo.push(
            EditCommand(
                f"{verb} question",
                self.ctx.events,
                before,
                after,
                self.ctx.services.questions.update_question,
            )
        )
        self.ctx.events.publish(change)
        return True

    def set_include(self, question_id: int, include: bool) -> None:
        """Tick or untick a question for printing, as one undoable step."""
        try:
            before = self._question(question_id)
        except NotFoundError as error:
            entry_actions.inform(self, str(error))
            self.refresh()
            return
        if before.include == include:
            return
        text = "Print question" if include else "Leave question out of print"
        try:
            self.ctx.undo.push(
                EditCommand(
                    text,
                    self.ctx.events,
                    before,
                    replace(before, include=include),
                    self.ctx.services.questions.update_question,
                    already_done=False,
                )
            )
        except ValidationError as error:
            entry_actions.inform(self, str(error))
            self.refresh()

    def move_selected(self, step: int) -> bool:
        """Move the selected question `step` places up (negative) or down the list."""
        ids = self.selected_ids()
        order = self.model.ids()
        if len(ids) != 1:
            return False
        at = order.index(ids[0])
        to = at + step
        if not 0 <= to < len(order):
            return False
        after = list(order)
        after.insert(to, after.pop(at))
        questions = self.ctx.services.questions

        def reorder(wanted: list[int]) -> Callable[[], Change]:
            def run() -> Change:
                # Questions drafted since keep their place after the ones this step moves.
                present = [q.id for q in questions.list_questions() if q.id is not None]
                keep = [i for i in wanted if i in present]
                return questions.reorder(keep + [i for i in present if i not in keep])

            return run

        try:
            self.ctx.undo.push(
                StepCommand(
                    "Move question",
                    self.ctx.events,
                    reorder(after),
                    reorder(order),
                    already_done=False,
                )
            )
        except NotFoundError as error:
            entry_actions.inform(self, str(error))
            self.refresh()
            return False
        self._select_ids(ids, ids[0])
        return True

    def delete_selected(self) -> bool:
        ids = self.selected_ids()
        if not ids:
            return False
        if len(ids) > 1 and not entry_actions.confirm(
            self,
            f"Delete {len(ids)} questions?",
            f"You can undo this with {entry_actions.undo_key_text()}.",
        ):
            return False
        wanted = set(ids)
        records = [q for q in self.ctx.services.questions.list_questions() if q.id in wanted]
        if not records:
            entry_actions.inform(self, "Those questions no longer exist.")
            self.refresh()
            return False
        questions = self.ctx.services.questions

        def restore(items: Sequence[Question]) -> Change:
            change = Change()
            for item in items:
                change = change.merge(questions.add_question(item))
            return change

        text = "Delete question" if len(records) == 1 else f"Delete {len(records)} questions"
        self.ctx.undo.push(
            DeleteCommand(text, self.ctx.events, records, restore, questions.delete_questions)
        )
        self._say(
            f"Deleted {_count(len(records), 'question', 'questions')}. "
            f"{entry_actions.undo_key_text()} brings "
            f"{'it' if len(records) == 1 else 'them'} back."
        )
        return True

    def draft_questions(self) -> int | None:
        """Let the question rules read the journal; returns how many new questions came."""
        services = self.ctx.services
        zone = self.zone
        window = self.ctx.prefs.coverage_window

        def work(_progress: object, _cancel: object) -> Change:
            return services.questions.draft_from_journal(
                now=services.clock(), tz=zone, coverage_window=window
            )

        try:
            change: Change = run_with_progress(
                self, "Draft questions", "Reading your journal for questions…", work
            )
        except TaskCancelledError:
            return None
        added = list(change.added.get(Entity.QUESTION, ()))
        refreshed = len(change.updated.get(Entity.QUESTION, ()))
        if added:
            wanted = set(added)
            records = [q for q in services.questions.list_questions() if q.id in wanted]

            def restore() -> Change:
                change = Change()
                for item in records:
                    change = change.merge(services.questions.add_question(item))
                return change

            self.ctx.undo.push(
                StepCommand(
                    "Draft questions",
                    self.ctx.events,
                    restore,
                    lambda: services.questions.delete_questions(added),
                    already_done=True,
                )
            )
        self.ctx.events.publish(change)
        if added:
            self.select_ids(added[:1])  # the first new one, ready to edit; the rest follow it
            text = (
                f"Drafted {_count(len(added), 'new question', 'new questions')} from your "
                "journal, at the end of the list. Each says which results it comes from; "
                "reword or delete any you don't need."
            )
        elif refreshed:
            text = (
                "No new questions. The numbers behind "
                f"{_count(refreshed, 'drafted question', 'drafted questions')} were brought "
                "up to date."
            )
        elif self.model.rowCount():
            text = "No new questions: your journal suggests nothing that isn't in the list."
        else:
            text = (
                "Your journal doesn't suggest any questions right now. Add lab results, or "
                "write your own question."
            )
        self._say(text)
        return len(added)

    # --- printing -----------------------------------------------------------------------------

    def _on_preference(self, key: str) -> None:
        # The same two settings are in the preferences dialog; keep the fields in step.
        for field, pref in ((self.name, "profile/name"), (self.birth, "profile/date_of_birth")):
            if key == pref:
                value = str(self.ctx.prefs.get(pref) or "")
                if field.text() != value:
                    field.setText(value)

    def _birth_problem(self) -> str:
        text = self.birth.text().strip()
        if not text:
            return ""
        try:
            born = date.fromisoformat(text)
        except ValueError:
            return "Write the date as year-month-day, for example 1978-04-02."
        if born > self.ctx.services.clock().astimezone(self.zone).date() or born.year < 1900:
            return "That date of birth doesn't look right."
        return ""

    def _period(self) -> tuple[date, date]:
        start: date = self.date_from.date().toPython()
        end: date = self.date_to.date().toPython()
        return start, end

    def _sections(self) -> frozenset[Section]:
        return frozenset(s for s, box in self.section_boxes.items() if box.isChecked())

    def print_problem(self) -> str:
        """Why the summary can't be printed as set up, or "" when it can."""
        start, end = self._period()
        if end < start:
            return "The period ends before it starts."
        if not self._sections():
            return "Tick at least one part to include."
        return self._birth_problem()

    def _update_print_state(self) -> None:
        start, end = self._period()
        period = "The period ends before it starts." if end < start else ""
        self.period_error.setText(period)
        self.period_error.setVisible(bool(period))
        birth = self._birth_problem()
        self.birth_error.setText(birth)
        self.birth_error.setVisible(bool(birth))
        problem = self.print_problem()
        for button in (self.preview_button, self.print_button, self.pdf_button):
            button.setEnabled(not problem)
            button.setToolTip(problem)

    def _store_profile(self) -> None:
        prefs = self.ctx.prefs
        prefs.set("profile/name", self.name.text().strip())
        if not self._birth_problem():
            prefs.set("profile/date_of_birth", self.birth.text().strip())

    def page_size(self) -> str:
        return str(self.paper.currentData())

    def summary_options(self) -> SummaryOptions:
        """What the buttons print now; the name and date of birth are remembered for next time."""
        self._store_profile()
        start, end = self._period()
        return options_from_preferences(
            self.ctx.prefs, start, end, sections=self._sections(), page_size=self.page_size()
        )

    def _gather(self, title: str) -> tuple[SummaryData, dict[Section, QImage]] | None:
        """Read the journal on a worker, then draw the charts here (they need this thread)."""
        problem = self.print_problem()
        if problem:
            self.print_status.setText(problem)
            return None
        options = self.summary_options()
        services = self.ctx.services
        zone = self.zone

        def work(_progress: object, _cancel: object) -> SummaryData:
            return build_summary(services, options, tz=zone)

        try:
            data: SummaryData = run_with_progress(
                self, title, "Gathering your journal for the summary…", work
            )
        except TaskCancelledError:
            self.print_status.setText("Cancelled.")
            return None
        except ValueError as error:
            self.print_status.setText(str(error))
            return None
        # The chart code (pyqtgraph, numpy) is imported only when a summary is rendered.
        from journal.ui.charts.summary_charts import render_summary_charts

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            images = render_summary_charts(data)
        finally:
            QGuiApplication.restoreOverrideCursor()
        return data, images

    def _suggested_pdf_path(self) -> Path:
        stored = self.ctx.prefs.qsettings.value(_LAST_FOLDER_KEY, "")
        folder = Path(str(stored)) if stored else None
        if folder is None or not folder.is_dir():
            documents = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation
            )
            folder = Path(documents) if documents else Path.home()
        return folder / f"Visit summary {self._period()[1]:%Y-%m-%d}.pdf"

    def save_pdf(self) -> Path | None:
        """Save as PDF…: ask for a file name, then write the summary there."""
        if self.print_problem():
            self.print_status.setText(self.print_problem())
            return None
        path = ask_pdf_path(self, self._suggested_pdf_path())
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(".pdf")
        gathered = self._gather("Save as PDF")
        if gathered is None:
            return None
        data, images = gathered
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = write_pdf(data, images, path, data.options.page_size)
        except OSError as error:
            self.print_status.setText(
                f"The PDF couldn't be saved to {path}: {error.strerror or error}"
            )
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.ctx.prefs.qsettings.setValue(_LAST_FOLDER_KEY, str(path.parent))
        self.print_status.setText(
            f"Saved the summary ({_count(pages, 'page', 'pages')}) as {path}."
        )
        return path

    def print_summary(self) -> int | None:
        """Print…: choose a printer, then print; returns the number of pages printed."""
        if self.print_problem():
            self.print_status.setText(self.print_problem())
            return None
        printer = new_printer(self.page_size())
        if not ask_printer(self, printer):
            return None
        gathered = self._gather("Print")
        if gathered is None:
            return None
        try:
            pages = print_summary(printer, *gathered)
        except OSError:
            self.print_status.setText(
                "The printer didn't accept the summary. Check that it's ready and try again."
            )
            return None
        self.print_status.setText(f"Sent the summary ({_count(pages, 'page', 'pages')}) to print.")
        return pages

    def print_preview(self) -> bool:
        """Print preview…: the pages as they will print, with the option to print them."""
        gathered = self._gather("Print preview")
        if gathered is None:
            return False
        data, images = gathered
        printer = new_printer(self.page_size())
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle("Print preview: visit summary")
        dialog.resize(900, 1000)
        dialog.paintRequested.connect(lambda device: self._paint_preview(device, data, images))
        try:
            show_preview(dialog)
        finally:
            dialog.deleteLater()
        return True

    def _paint_preview(
        self, printer: QPrinter, data: SummaryData, images: dict[Section, QImage]
    ) -> None:
        try:
            print_summary(printer, data, images)
        except OSError:
            self.print_status.setText("The preview couldn't be drawn.")
