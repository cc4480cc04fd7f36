"""The Visit summary page: questions for the physician, print options, PDF, printer and preview."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from journal.domain.entities import Question
from journal.reports.summary import Section
from journal.services.changes import Entity
from journal.ui import entry_actions
from journal.ui.context import UiContext
from journal.ui.dialogs.question import AnswerDialog, QuestionDialog
from journal.ui.events import Events
from journal.ui.main_window import MainWindow
from journal.ui.models.questions import QuestionTableModel
from journal.ui.pages import summary
from journal.ui.pages.summary import SummaryPage
from journal.ui.preferences import Preferences
from tests.factories import NOW, draw, result
from tests.reports.conftest import pdf_pages

CHECK = Qt.ItemDataRole.CheckStateRole


@pytest.fixture
def ctx(services, tmp_path):
    prefs = Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return UiContext(services, Events(), QUndoStack(), prefs, str(tmp_path / "journal"))


@pytest.fixture
def page(qtbot, ctx):
    widget = SummaryPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1050, 720)
    widget.show()
    return widget


@pytest.fixture
def pdf_to(monkeypatch, tmp_path):
    """Save as PDF answers the file dialog with this path."""
    out = tmp_path / "visit.pdf"
    monkeypatch.setattr(summary, "ask_pdf_path", lambda _parent, _suggested: out)
    return out


@pytest.fixture
def confirmations(monkeypatch):
    asked: list[str] = []

    def confirm(_parent, text, _detail):
        asked.append(text)
        return True

    monkeypatch.setattr(entry_actions, "confirm", confirm)
    return asked


def _add(services, *texts: str, include: bool = True) -> list[int]:
    return [
        services.questions.add_question(Question(text=t, include=include)).first_added(
            Entity.QUESTION
        )
        for t in texts
    ]


def _texts(page) -> list[str]:
    return [q.text for q in page.model.questions()]


def _stored(services) -> list[str]:
    return [q.text for q in services.questions.list_questions()]


def _select(page, text: str) -> None:
    question = next(q for q in page.model.questions() if q.text == text)
    page.select_ids([question.id])


def _questions_part(pages: list[str]) -> str:
    text = " ".join(pages)
    return text[text.index("Questions for my physician") :]


def _add_draws(services) -> None:
    services.labs.add_draw(
        draw(
            datetime(2026, 3, 2, 7, 30, tzinfo=UTC),
            results=(
                result("glucose", 94, "mg/dL"),
                result("insulin", 12.0, "µIU/mL"),
                result("hba1c", 5.6, "%"),
                result("triglycerides", 160, "mg/dL"),
                result("hdl", 42, "mg/dL"),
            ),
        )
    )
    services.labs.add_draw(
        draw(
            datetime(2026, 9, 14, 7, 0, tzinfo=UTC),
            results=(
                result("glucose", 5.3, "mmol/L"),
                result("triglycerides", 1.9, "mmol/L"),
                result("hdl", 1.05, "mmol/L"),
            ),
        )
    )


class _Typist:
    """Stands in for the user at a question or answer dialog: types, then presses Save."""

    def __init__(self, text: str, *, include: bool | None = None) -> None:
        self.text = text
        self.include = include
        self.dialogs: list[object] = []

    def __call__(self, dialog) -> int:
        self.dialogs.append(dialog)
        box = dialog.text if isinstance(dialog, QuestionDialog) else dialog.answer
        box.setPlainText(self.text)
        if self.include is not None:
            dialog.include.setChecked(self.include)
        dialog.save()
        return dialog.result()


# --- the model --------------------------------------------------------------------------------


def test_model_shows_questions_with_a_print_box_and_their_origin(qtmodeltester):
    model = QuestionTableModel()
    rows = [
        Question(text="Mine?", id=1, position=1),
        Question(
            text="Drafted?",
            origin="rule:rising-homa-ir",
            basis="HOMA-IR 2.8 on 02 Mar 2026",
            include=False,
            answer="Repeat in a year.",
            answered_at=NOW,
            id=2,
            position=2,
        ),
    ]
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.index(0, model.PRINT).data(CHECK) == Qt.CheckState.Checked
    assert model.index(1, model.PRINT).data(CHECK) == Qt.CheckState.Unchecked
    assert model.index(0, model.ORIGIN).data() == "Your question"
    assert model.index(1, model.ORIGIN).data() == "Drafted from: HOMA-IR 2.8 on 02 Mar 2026"
    assert model.index(1, model.ANSWER).data().startswith("Repeat in a year.")
    assert "Answered 20 Nov 2026" in model.index(1, model.ANSWER).data()
    toggled: list[tuple[int, bool]] = []
    model.include_toggled.connect(lambda i, on: toggled.append((i, on)))
    assert model.setData(model.index(1, model.PRINT), Qt.CheckState.Checked.value, CHECK)
    assert toggled == [(2, True)]
    assert model.question_at(1).include


# --- questions --------------------------------------------------------------------------------


def test_empty_page_explains_and_offers_to_draft(page):
    assert page.stack.currentIndex() == 1
    assert "No questions for your physician yet" in page.empty_label.text()
    assert page.empty_draft_button.isVisible()


def test_drafting_adds_the_rule_questions_with_their_basis(page, ctx):
    _add_draws(ctx.services)
    assert page.draft_questions() == 1
    assert page.stack.currentIndex() == 0
    [drafted] = page.model.questions()
    assert drafted.origin == "rule:normal-glucose-high-marker"
    shown = page.model.index(0, page.model.ORIGIN).data()
    assert shown.startswith("Drafted from: Fasting glucose 5.3 mmol/L on 14 Sep 2026")
    assert "Drafted 1 new question" in page.question_status.text()

    assert page.draft_questions() == 0
    assert "No new questions" in page.question_status.text()
    assert len(page.model.questions()) == 1

    ctx.undo.undo()  # the second draft added nothing, so undo takes back the first
    assert page.model.rowCount() == 0
    ctx.undo.redo()
    assert _texts(page) == [drafted.text]


def test_drafting_an_empty_journal_says_so(page):
    assert page.draft_questions() == 0
    assert "doesn't suggest any questions" in page.question_status.text()


def test_ticking_a_box_changes_what_the_pdf_prints(qtbot, page, ctx, pdf_to):
    _add(ctx.services, "Should fasting insulin be checked again?", "Is my TG:HDL worth a look?")
    page.refresh()
    model = page.model
    assert model.setData(model.index(1, model.PRINT), Qt.CheckState.Unchecked.value, CHECK)
    qtbot.waitUntil(lambda: not ctx.services.questions.list_questions()[1].include)
    assert page.caption.text() == "2 questions, 1 to print"

    assert page.save_pdf() == pdf_to
    printed = _questions_part(pdf_pages(pdf_to))
    assert "1. Should fasting insulin be checked again?" in printed
    assert "TG:HDL worth a look" not in printed

    ctx.undo.undo()
    assert ctx.services.questions.list_questions()[1].include
    assert model.index(1, model.PRINT).data(CHECK) == Qt.CheckState.Checked
    page.save_pdf()
    assert "2. Is my TG:HDL worth a look?" in _questions_part(pdf_pages(pdf_to))


def test_add_edit_answer_move_and_delete_survive_a_refresh(page, ctx, monkeypatch):
    services = ctx.services
    monkeypatch.setattr(summary, "run_dialog", _Typist("Is walking after dinner enough?"))
    assert page.add_question()
    monkeypatch.setattr(summary, "run_dialog", _Typist("How often should labs be repeated?"))
    assert page.add_question()
    assert _texts(page) == ["Is walking after dinner enough?", "How often should labs be repeated?"]
    assert page.model.index(1, page.model.ORIGIN).data() == "Your question"

    _select(page, "Is walking after dinner enough?")
    monkeypatch.setattr(summary, "run_dialog", _Typist("Is a walk after dinner enough?"))
    assert page.edit_selected()
    _select(page, "How often should labs be repeated?")
    monkeypatch.setattr(summary, "run_dialog", _Typist("Once a year, fasting."))
    assert page.answer_selected()
    assert page.move_selected(-1)
    page.refresh()
    assert _texts(page) == ["How often should labs be repeated?", "Is a walk after dinner enough?"]
    assert _stored(services) == _texts(page)
    answered = services.questions.list_questions()[0]
    assert answered.answer == "Once a year, fasting." and answered.answered_at == NOW
    assert "Once a year, fasting." in page.model.index(0, page.model.ANSWER).data()
    assert page.selected_ids() == [answered.id]  # the moved question stays selected

    assert page.delete_selected()
    page.refresh()
    assert _texts(page) == ["Is a walk after dinner enough?"]
    assert "Deleted 1 question" in page.question_status.text()

    ctx.undo.undo()  # delete
    assert _texts(page) == ["How often should labs be repeated?", "Is a walk after dinner enough?"]
    ctx.undo.undo()  # move
    assert _texts(page)[0] == "Is a walk after dinner enough?"
    ctx.undo.undo()  # answer
    assert all(q.answer is None for q in services.questions.list_questions())
    ctx.undo.undo()  # edit
    assert "Is walking after dinner enough?" in _stored(services)
    ctx.undo.undo()  # second add
    assert _stored(services) == ["Is walking after dinner enough?"]


def test_deleting_several_asks_first(page, ctx, confirmations):
    ids = _add(ctx.services, "One?", "Two?", "Three?")
    page.refresh()
    page.select_ids(ids[:2])
    assert page.delete_button.text() == "Delete 2"
    assert page.delete_selected()
    assert confirmations == ["Delete 2 questions?"]
    assert _texts(page) == ["Three?"]
    ctx.undo.undo()
    assert _texts(page) == ["One?", "Two?", "Three?"]


def test_page_follows_question_changes_made_elsewhere(page, ctx):
    change = ctx.services.questions.add_question(Question(text="From elsewhere?"))
    assert page.model.rowCount() == 0
    ctx.events.publish(change)
    assert _texts(page) == ["From elsewhere?"]


def test_a_validation_error_is_shown_and_keeps_what_was_typed(qtbot, ctx):
    dialog = QuestionDialog(ctx.services)
    qtbot.addWidget(dialog)
    typed = "Why? " * 500  # the service allows 2,000 characters
    dialog.text.setPlainText(typed)
    dialog.save()
    assert "too long" in dialog.error_text("text")
    assert dialog.error_text("text").startswith("The question")
    assert dialog.text.toPlainText() == typed
    assert dialog.result() == 0 and dialog.change is None
    assert ctx.services.questions.list_questions() == []

    dialog.text.setPlainText("   ")
    dialog.save()
    assert dialog.error_text("text") == "The question is required."


def test_a_rejected_dialog_on_the_page_changes_nothing(page, ctx, monkeypatch):
    typist = _Typist("   ")
    monkeypatch.setattr(summary, "run_dialog", typist)
    assert not page.add_question()
    [dialog] = typist.dialogs
    assert dialog.error_text("text") == "The question is required."
    assert page.model.rowCount() == 0 and ctx.undo.count() == 0


def test_answer_dialog_shows_the_question_and_clears_with_empty_text(qtbot, ctx):
    [qid] = _add(ctx.services, "Repeat the HbA1c?")
    question = ctx.services.questions.list_questions()[0]
    dialog = AnswerDialog(ctx.services, question)
    qtbot.addWidget(dialog)
    dialog.answer.setPlainText("In six months.")
    dialog.save()
    assert dialog.saved_question is not None and dialog.saved_question.answer == "In six months."
    again = AnswerDialog(ctx.services, dialog.saved_question)
    qtbot.addWidget(again)
    assert again.answer.toPlainText() == "In six months."
    again.answer.setPlainText("")
    again.save()
    assert ctx.services.questions.list_questions()[0].answer is None
    assert qid == question.id


# --- printing ---------------------------------------------------------------------------------


def test_pdf_numbers_the_ticked_questions_in_the_page_order(page, ctx, pdf_to):
    _add(ctx.services, "First written?", "Second written?", "Third written?")
    _add(ctx.services, "Not for paper?", include=False)
    page.refresh()
    _select(page, "Third written?")
    page.move_selected(-1)
    page.move_selected(-1)
    assert _texts(page)[:3] == ["Third written?", "First written?", "Second written?"]
    assert page.save_pdf() == pdf_to
    assert pdf_to.exists()
    printed = _questions_part(pdf_pages(pdf_to))
    positions = [
        printed.index(f"{n}. {text}")
        for n, text in enumerate(("Third written?", "First written?", "Second written?"), 1)
    ]
    assert positions == sorted(positions)
    assert "Not for paper" not in printed
    assert "Saved the summary" in page.print_status.text()


def test_print_options_decide_sections_period_and_header(page, ctx, pdf_to):
    _add(ctx.services, "Any question?")
    page.name.setText("Alex Example")
    page.birth.setText("1978-04-02")
    page.date_from.setDate(date(2026, 1, 1))
    page.date_to.setDate(date(2026, 6, 30))
    page.section_boxes[Section.QUESTIONS].setChecked(False)
    page.save_pdf()
    text = " ".join(pdf_pages(pdf_to))
    assert "Alex Example" in text and "born 1978-04-02" in text
    assert "01 Jan 2026" in text or "1 Jan 2026" in text
    assert "Questions for my physician" not in text
    # Remembered for next time, through the declared settings.
    assert ctx.prefs.get("profile/name") == "Alex Example"
    assert ctx.prefs.get("profile/date_of_birth") == "1978-04-02"


def test_print_buttons_explain_what_is_wrong(page):
    page.date_from.setDate(date(2026, 6, 1))
    page.date_to.setDate(date(2026, 5, 1))
    assert not page.pdf_button.isEnabled()
    assert page.period_error.isVisible()
    assert page.print_problem() == "The period ends before it starts."
    page.date_to.setDate(date(2026, 7, 1))
    page.birth.setText("2 April 1978")
    assert page.birth_error.isVisible() and "year-month-day" in page.birth_error.text()
    assert not page.print_button.isEnabled()
    page.birth.setText("")
    for box in page.section_boxes.values():
        box.setChecked(False)
    assert page.print_problem() == "Tick at least one part to include."
    page.section_boxes[Section.LABS].setChecked(True)
    assert page.preview_button.isEnabled()


def test_printing_and_preview_share_the_pdf_layout(page, ctx, monkeypatch, tmp_path, pdf_to):
    _add(ctx.services, "Printed through the printer?")

    def to_pdf(printer: QPrinter, name: str) -> QPrinter:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / name))
        return printer

    monkeypatch.setattr(summary, "ask_printer", lambda _parent, p: bool(to_pdf(p, "printed.pdf")))
    pages = page.print_summary()
    assert pages is not None and pages >= 1
    printed = pdf_pages(tmp_path / "printed.pdf")
    assert len(printed) == pages
    assert "1. Printed through the printer?" in _questions_part(printed)

    previews: list[int] = []

    def preview(dialog):
        printer = to_pdf(QPrinter(QPrinter.PrinterMode.HighResolution), "preview.pdf")
        dialog.paintRequested.emit(printer)
        previews.append(1)

    monkeypatch.setattr(summary, "show_preview", preview)
    assert page.print_preview()
    assert previews == [1]
    page.save_pdf()
    assert len(pdf_pages(tmp_path / "preview.pdf")) == len(pdf_pages(pdf_to)) == pages


def test_cancelled_file_dialog_writes_nothing(page, monkeypatch):
    monkeypatch.setattr(summary, "ask_pdf_path", lambda _parent, _suggested: None)
    assert page.save_pdf() is None
    assert page.print_status.text() == ""


# --- the main window --------------------------------------------------------------------------


def test_ctrl_p_opens_printing_on_the_summary_page(qtbot, ctx, monkeypatch):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    asked: list[QPrinter] = []
    monkeypatch.setattr(summary, "ask_printer", lambda _parent, p: asked.append(p) or False)
    action = window.actions_by_name["print"]
    assert action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert action.text() == "&Print…"
    window.show_page("labs")
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    # QTest leaves Ctrl reported as held, which would turn later clicks into Ctrl+clicks.
    qtbot.keyRelease(window, Qt.Key.Key_Control)
    assert len(asked) == 1
    assert window.page_key() == "summary"
    file_menu = window.menuBar().actions()[0].menu()
    names = [a.text() for a in file_menu.actions()]
    assert {"&Print…", "Print pre&view…", "Save summary as P&DF…"} <= set(names)
