"""The lab draw dialog, driven with the keyboard and mouse as Maria and Priya would use it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
)

from journal.domain.entities import Fasting
from journal.domain.indices import REASON_FASTING_UNKNOWN, IndexKey
from journal.domain.units import UnitSystem
from journal.services.changes import Entity
from journal.ui.dialogs.lab_draw import LabDrawDialog, NumberError, parse_decimal
from tests.factories import NOW, draw, result

# The offscreen platform used in tests cannot pass a shown window's size hints on; harmless.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

FULL_PANEL = {
    "glucose": "94",
    "insulin": "8.5",
    "hba1c": "5.4",
    "triglycerides": "130",
    "hdl": "52",
    "ldl": "118",
    "total_cholesterol": "196",
}


@pytest.fixture
def make_dialog(qtbot, services):
    def make(**kwargs) -> LabDrawDialog:
        dialog = LabDrawDialog(services, **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def type_value(qtbot, dialog: LabDrawDialog, key: str, text: str) -> None:
    edit = dialog.row(key).value
    edit.clear()
    qtbot.keyClicks(edit, text)
    # Leaving the field is what a person does next; it is when the row is checked.
    edit.editingFinished.emit()


def click_save(qtbot, dialog: LabDrawDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_new_dialog_starts_with_sensible_defaults(make_dialog):
    dialog = make_dialog()
    assert dialog.windowTitle() == "New lab draw"
    today = NOW.astimezone().date()
    expected = QDateTime(QDate(today.year, today.month, today.day), QTime(8, 0))
    assert dialog.drawn_edit.dateTime() == expected
    assert dialog.drawn_edit.calendarPopup()
    assert dialog.fasting() is Fasting.YES
    labels = [row.name.text() for row in dialog.rows]
    assert labels[:2] == ["Glucose", "Insulin"]
    assert [row.key for row in dialog.rows] == [
        "glucose",
        "insulin",
        "hba1c",
        "triglycerides",
        "hdl",
        "ldl",
        "total_cholesterol",
    ]
    assert dialog.row("glucose").current_unit() == "mg/dL"
    assert dialog.row("insulin").current_unit() == "µIU/mL"
    assert dialog.save_button.isDefault()
    assert dialog.change is None and dialog.saved_draw is None


def test_typing_a_full_panel_and_saving_adds_the_draw(qtbot, make_dialog, services):
    dialog = make_dialog()
    for key, text in FULL_PANEL.items():
        type_value(qtbot, dialog, key, text)
    qtbot.keyClicks(dialog.hours_edit, "12")
    qtbot.keyClicks(dialog.lab_edit.lineEdit(), "Quest")
    qtbot.keyClicks(dialog.row("glucose").ref_low, "70")
    qtbot.keyClicks(dialog.row("glucose").ref_high, "99")
    dialog.row("triglycerides").flag.setCurrentIndex(dialog.row("triglycerides").flag.findData("H"))
    qtbot.keyClicks(dialog.notes_edit, "Before breakfast.")
    click_save(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.change is not None and dialog.change.concerns(Entity.LAB_DRAW)
    (saved,) = services.labs.list_draws()
    assert saved.id == dialog.change.first_added(Entity.LAB_DRAW)
    assert {r.analyte: (r.value, r.unit) for r in saved.results} == {
        "glucose": (94, "mg/dL"),
        "insulin": (8.5, "µIU/mL"),
        "hba1c": (5.4, "%"),
        "triglycerides": (130, "mg/dL"),
        "hdl": (52, "mg/dL"),
        "ldl": (118, "mg/dL"),
        "total_cholesterol": (196, "mg/dL"),
    }
    glucose = saved.result("glucose")
    assert glucose is not None and (glucose.ref_low, glucose.ref_high) == (70, 99)
    assert saved.result("triglycerides").flag == "H"
    assert saved.fasting is Fasting.YES and saved.hours_fasted == 12
    assert saved.lab_name == "Quest" and saved.notes == "Before breakfast."
    today = NOW.astimezone().date()
    assert saved.drawn_at == datetime(today.year, today.month, today.day, 8, 0).astimezone()
    assert dialog.saved_draw is not None and dialog.saved_draw.id is None
    assert len(dialog.saved_draw.results) == 7


def test_empty_rows_are_not_saved(qtbot, make_dialog, services):
    dialog = make_dialog()
    type_value(qtbot, dialog, "hba1c", "5.6")
    click_save(qtbot, dialog)
    (saved,) = services.labs.list_draws()
    assert [r.analyte for r in saved.results] == ["hba1c"]


def test_enter_saves(qtbot, make_dialog, services):
    dialog = make_dialog()
    qtbot.keyClicks(dialog.row("glucose").value, "97")
    QTest.keyClick(dialog.row("glucose").value, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(services.labs.list_draws()) == 1


def test_editing_prefills_every_row_and_saves_an_update(qtbot, make_dialog, services):
    original = draw(
        results=(
            result("glucose", 5.4, "mmol/L", ref_low=3.9, ref_high=5.5),
            result("insulin", 60, "pmol/L"),
            result("hs_crp", 1.2, "mg/L", flag="N"),
        ),
        fasting=Fasting.NO,
        hours_fasted=3,
        notes="After a long walk",
    )
    change = services.labs.add_draw(original)
    stored = services.labs.get_draw(change.first_added(Entity.LAB_DRAW))

    dialog = make_dialog(draw=stored)
    assert dialog.windowTitle() == "Edit lab draw"
    glucose = dialog.row("glucose")
    assert glucose.value.text() == "5.4" and glucose.current_unit() == "mmol/L"
    assert (glucose.ref_low.text(), glucose.ref_high.text()) == ("3.9", "5.5")
    assert dialog.row("insulin").current_unit() == "pmol/L"
    assert dialog.row("hba1c").value.text() == ""
    crp = dialog.row("hs_crp")
    assert crp.value.text() == "1.2" and crp.current_flag() == "N"
    assert dialog.fasting() is Fasting.NO
    assert dialog.hours_edit.text() == "3"
    assert dialog.lab_edit.currentText() == "Quest"
    assert dialog.notes_edit.toPlainText() == "After a long walk"

    type_value(qtbot, dialog, "insulin", "66")
    click_save(qtbot, dialog)

    assert dialog.change is not None
    assert dialog.change.updated[Entity.LAB_DRAW] == (stored.id,)
    updated = services.labs.get_draw(stored.id)
    assert updated.result("insulin").value == 66
    assert updated.result("glucose").value == 5.4
    assert updated.drawn_at == stored.drawn_at  # untouched date keeps its exact instant
    assert dialog.saved_draw is not None and dialog.saved_draw.id == stored.id
    assert len(services.labs.list_draws()) == 1


def test_indices_update_while_typing(qtbot, make_dialog):
    dialog = make_dialog()
    assert "not computable" in dialog.indices_text()[IndexKey.HOMA_IR].lower()
    qtbot.keyClicks(dialog.row("glucose").value, "100")
    assert "not computable" in dialog.indices_text()[IndexKey.HOMA_IR].lower()
    qtbot.keyClicks(dialog.row("insulin").value, "10")
    assert dialog.indices_text()[IndexKey.HOMA_IR] == "2.47"

    qtbot.mouseClick(dialog.fasting_buttons[Fasting.UNKNOWN], Qt.MouseButton.LeftButton)
    text = dialog.indices_text()[IndexKey.HOMA_IR]
    assert text.lower().startswith("not computable")
    assert REASON_FASTING_UNKNOWN in text

    qtbot.mouseClick(dialog.fasting_buttons[Fasting.YES], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.row("triglycerides").value, "150")
    qtbot.keyClicks(dialog.row("hdl").value, "50")
    assert dialog.indices_text()[IndexKey.TG_HDL].startswith("3.00")


def test_glucose_in_the_wrong_unit_offers_the_switch(qtbot, make_dialog, services):
    dialog = make_dialog()
    row = dialog.row("glucose")
    type_value(qtbot, dialog, "glucose", "5.4")
    assert row.message_line.isVisibleTo(dialog)
    assert row.switch.isVisibleTo(dialog)
    assert row.switch.text().lower() == "switch to mmol/l"

    qtbot.mouseClick(row.switch, Qt.MouseButton.LeftButton)
    assert row.current_unit() == "mmol/L"
    assert row.value.text() == "5.4"  # the number stays as printed
    assert not row.message_line.isVisibleTo(dialog)
    click_save(qtbot, dialog)
    (saved,) = services.labs.list_draws()
    assert (saved.results[0].value, saved.results[0].unit) == (5.4, "mmol/L")


def test_impossible_value_blocks_saving_with_the_reason_beside_it(qtbot, make_dialog, services):
    dialog = make_dialog()
    type_value(qtbot, dialog, "glucose", "5000")
    click_save(qtbot, dialog)
    row = dialog.row("glucose")
    assert row.message_line.isVisibleTo(dialog)
    assert "glucose" in row.message.text().lower()
    assert services.labs.list_draws() == []
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert row.value.text() == "5000"


@pytest.mark.parametrize(("answer", "saved_count"), [(False, 0), (True, 1)])
def test_unusual_value_asks_before_saving(qtbot, make_dialog, services, answer, saved_count):
    dialog = make_dialog()
    asked: list[str] = []

    def confirm(text: str) -> bool:
        asked.append(text)
        return answer

    dialog._confirm = confirm  # type: ignore[method-assign]
    type_value(qtbot, dialog, "triglycerides", "1200")
    type_value(qtbot, dialog, "hdl", "45")
    row = dialog.row("triglycerides")
    assert row.message_line.isVisibleTo(dialog)  # warned inline before saving
    click_save(qtbot, dialog)

    assert len(asked) == 1
    assert "Triglycerides 1200 mg/dL" in asked[0] and "Save anyway?" in asked[0]
    assert len(services.labs.list_draws()) == saved_count
    if answer:
        assert dialog.result() == QDialog.DialogCode.Accepted
    else:
        assert dialog.isVisible() and dialog.change is None
        assert row.value.text() == "1200" and dialog.row("hdl").value.text() == "45"


def test_a_stored_unusual_value_is_not_questioned_again(qtbot, make_dialog, services):
    stored_id = services.labs.add_draw(
        draw(results=(result("triglycerides", 1200, "mg/dL"), result("hdl", 40, "mg/dL")))
    ).first_added(Entity.LAB_DRAW)
    dialog = make_dialog(draw=services.labs.get_draw(stored_id))
    asked: list[str] = []
    dialog._confirm = lambda text: asked.append(text) or False  # type: ignore[method-assign]
    type_value(qtbot, dialog, "hdl", "42")
    click_save(qtbot, dialog)
    assert asked == []
    assert services.labs.get_draw(stored_id).result("hdl").value == 42


def test_text_that_is_not_a_number_is_explained_and_kept(qtbot, make_dialog, services):
    dialog = make_dialog()
    type_value(qtbot, dialog, "insulin", "8")
    qtbot.keyClicks(dialog.row("glucose").value, "abc")
    click_save(qtbot, dialog)
    row = dialog.row("glucose")
    assert row.message_line.isVisibleTo(dialog)
    assert "number" in row.message.text()
    assert services.labs.list_draws() == []
    assert dialog.isVisible()
    assert row.value.text() == "abc" and dialog.row("insulin").value.text() == "8"


def test_decimal_comma_is_read_as_a_decimal(qtbot, make_dialog, services):
    dialog = make_dialog(unit_system=UnitSystem.SI)
    type_value(qtbot, dialog, "glucose", "5,4")
    click_save(qtbot, dialog)
    (saved,) = services.labs.list_draws()
    assert saved.results[0].value == pytest.approx(5.4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.4", 5.4),
        ("5,4", 5.4),
        (" 94 ", 94.0),
        (".5", 0.5),
        ("0,125", 0.125),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("1,234,567", 1234567.0),
        ("\u22123", -3.0),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_decimal_reads_either_mark(text, expected):
    assert parse_decimal(text, QLocale.c()) == expected


@pytest.mark.parametrize("text", ["abc", "5.4.3", "1,2.5", "5,4 mg", "<0.3", ".", "-"])
def test_parse_decimal_refuses_what_is_not_a_number(text):
    with pytest.raises(NumberError):
        parse_decimal(text, QLocale.c())


def test_parse_decimal_asks_when_a_thousands_separator_could_be_a_decimal_mark():
    with pytest.raises(NumberError, match=r"1200 or 1\.2\."):
        parse_decimal("1,200", QLocale.c())
    # Where the comma is the decimal mark there is nothing to ask.
    assert parse_decimal("1,200", QLocale(QLocale.Language.German)) == 1.2


def test_adding_another_test_from_the_menu(qtbot, make_dialog, services):
    dialog = make_dialog()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    names = [action.text() for action in dialog.add_test_menu.actions() if action.data()]
    assert not any(name.startswith("Glucose") for name in names)  # already on the panel
    action = next(a for a in dialog.add_test_menu.actions() if a.data() == "hs_crp")
    assert "hs-CRP" in action.text()
    action.trigger()

    row = dialog.row("hs_crp")
    assert row.name.text() == "hs-CRP"
    assert row.current_unit() == "mg/L"
    assert QApplication.focusWidget() is row.value  # ready to type the number
    assert all(a.data() != "hs_crp" for a in dialog.add_test_menu.actions())
    type_value(qtbot, dialog, "hs_crp", "1.8")
    click_save(qtbot, dialog)
    (saved,) = services.labs.list_draws()
    assert [(r.analyte, r.value, r.unit) for r in saved.results] == [("hs_crp", 1.8, "mg/L")]


def test_si_preference_sets_the_default_units(make_dialog):
    dialog = make_dialog(unit_system=UnitSystem.SI)
    assert dialog.row("glucose").current_unit() == "mmol/L"
    assert dialog.row("insulin").current_unit() == "pmol/L"
    assert dialog.row("hba1c").current_unit() == "mmol/mol"
    assert dialog.row("triglycerides").current_unit() == "mmol/L"


def test_priya_enters_si_values_and_gets_homa_ir(qtbot, make_dialog, services):
    dialog = make_dialog(unit_system=UnitSystem.SI)
    type_value(qtbot, dialog, "glucose", "5.5")
    type_value(qtbot, dialog, "insulin", "60")
    assert not dialog.row("glucose").message_line.isVisibleTo(dialog)
    assert not dialog.row("insulin").message_line.isVisibleTo(dialog)
    # 5.5 mmol/L × 10 µIU/mL (60 pmol/L ÷ 6) ÷ 22.5
    assert dialog.indices_text()[IndexKey.HOMA_IR] == "2.44"
    click_save(qtbot, dialog)
    (saved,) = services.labs.list_draws()
    assert saved.result("insulin").unit == "pmol/L"


def test_service_errors_land_beside_their_fields(qtbot, make_dialog, services):
    dialog = make_dialog()
    qtbot.keyClicks(dialog.hours_edit, "100")
    # Glucose is left empty, so insulin is results[0]: the error must still reach its row.
    type_value(qtbot, dialog, "insulin", "10")
    qtbot.keyClicks(dialog.row("insulin").ref_low, "20")
    qtbot.keyClicks(dialog.row("insulin").ref_high, "5")
    click_save(qtbot, dialog)

    assert services.labs.list_draws() == []
    assert dialog.hours_error.isVisibleTo(dialog)
    assert "72" in dialog.hours_error.text()
    insulin = dialog.row("insulin")
    assert insulin.message_line.isVisibleTo(dialog)
    assert "range" in insulin.message.text()
    assert not dialog.row("glucose").message_line.isVisibleTo(dialog)
    assert dialog.hours_edit.text() == "100" and insulin.ref_high.text() == "5"


def test_a_date_in_the_future_is_explained_beside_the_date(qtbot, make_dialog, services):
    dialog = make_dialog()
    dialog.drawn_edit.setDate(QDate(2027, 6, 1))
    type_value(qtbot, dialog, "glucose", "94")
    click_save(qtbot, dialog)
    assert services.labs.list_draws() == []
    assert dialog.drawn_error.isVisibleTo(dialog)
    assert dialog.drawn_error.text() == "The date is in the future."


def test_hours_that_are_not_a_number_are_explained(qtbot, make_dialog, services):
    dialog = make_dialog()
    qtbot.keyClicks(dialog.hours_edit, "twelve")
    click_save(qtbot, dialog)
    assert dialog.hours_error.isVisibleTo(dialog)
    assert services.labs.list_draws() == []


def test_tab_order_follows_the_form(qtbot, make_dialog):
    dialog = make_dialog()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)

    def tab_from(widget) -> object:
        widget.setFocus()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        return QApplication.focusWidget()

    dialog.drawn_edit.setFocus()
    dialog.drawn_edit.setCurrentSection(QDateTimeEdit.Section.MinuteSection)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.fasting_buttons[Fasting.YES]
    assert tab_from(dialog.fasting_buttons[Fasting.YES]) is dialog.hours_edit
    assert tab_from(dialog.hours_edit) in (dialog.lab_edit, dialog.lab_edit.lineEdit())
    assert tab_from(dialog.lab_edit) is dialog.row("glucose").value
    glucose, insulin = dialog.row("glucose"), dialog.row("insulin")
    assert tab_from(glucose.value) is glucose.unit
    assert tab_from(glucose.unit) is glucose.ref_low
    assert tab_from(glucose.flag) is insulin.value
    last = dialog.rows[-1]
    assert tab_from(last.flag) is dialog.add_button
    assert tab_from(dialog.add_button) is dialog.notes_edit
    assert tab_from(dialog.notes_edit) is dialog.save_button


def test_every_input_has_an_accessible_name(make_dialog):
    dialog = make_dialog()
    dialog.add_test("hs_crp")
    inputs = [
        w
        for cls in (QLineEdit, QComboBox, QDateTimeEdit, QPlainTextEdit, QRadioButton)
        for w in dialog.findChildren(cls)
        if w.isVisibleTo(dialog) and not isinstance(w.parent(), (QComboBox, QDateTimeEdit))
    ]
    assert inputs
    assert all(w.accessibleName() for w in inputs), [
        type(w).__name__ for w in inputs if not w.accessibleName()
    ]
    names = {w.accessibleName() for w in inputs}
    assert {"Glucose value", "Glucose unit", "hs-CRP value", "Notes", "Hours fasted"} <= names


def test_user_text_is_shown_as_plain_text(qtbot, make_dialog):
    dialog = make_dialog()
    type_value(qtbot, dialog, "glucose", "<b>9</b>")
    message = dialog.row("glucose").message
    assert message.textFormat() == Qt.TextFormat.PlainText
    assert dialog.row("glucose").name.textFormat() == Qt.TextFormat.PlainText


def test_edit_keeps_fields_the_dialog_does_not_show(qtbot, make_dialog, services):
    original = draw(
        results=(result("glucose", 101, "mg/dL", loinc="1558-6", reported_name="GLU FASTING"),)
    )
    stored = services.labs.get_draw(
        services.labs.add_draw(replace(original, source="apple_health")).first_added(
            Entity.LAB_DRAW
        )
    )
    dialog = make_dialog(draw=stored)
    type_value(qtbot, dialog, "glucose", "102")
    click_save(qtbot, dialog)
    updated = services.labs.get_draw(stored.id)
    assert updated.source == "apple_health"
    glucose = updated.result("glucose")
    assert glucose is not None
    assert (glucose.value, glucose.loinc, glucose.reported_name) == (102, "1558-6", "GLU FASTING")


def test_cancel_saves_nothing(qtbot, make_dialog, services):
    dialog = make_dialog()
    type_value(qtbot, dialog, "glucose", "94")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert services.labs.list_draws() == []
    assert dialog.change is None


def test_drawn_at_is_stored_as_the_local_time_typed(qtbot, make_dialog, services):
    dialog = make_dialog()
    dialog.drawn_edit.setDateTime(QDateTime(QDate(2024, 3, 14), QTime(7, 45)))
    type_value(qtbot, dialog, "glucose", "94")
    click_save(qtbot, dialog)
    (saved,) = services.labs.list_draws()
    assert saved.drawn_at == datetime(2024, 3, 14, 7, 45).astimezone()
    assert saved.drawn_at.astimezone(UTC) == datetime(2024, 3, 14, 7, 45).astimezone(UTC)


def test_a_value_that_looks_like_the_other_unit_feeds_no_live_index(qtbot, services):
    dialog = LabDrawDialog(services)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.row("glucose").value, "94")
    qtbot.keyClicks(dialog.row("insulin").value, "10")
    qtbot.keyClicks(dialog.row("triglycerides").value, "1.9")  # mmol/L typed as mg/dL
    assert "not computable" in dialog.indices_text()[IndexKey.TYG].lower()
    dialog.row("triglycerides").unit.setCurrentText("mmol/L")
    assert dialog.indices_text()[IndexKey.TYG].startswith("8.")
