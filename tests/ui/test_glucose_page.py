"""The Glucose page and its table model: a day at a time, mixed units, finger-sticks and undo."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QDateTime, QLocale, QSettings, Qt, QTime
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication

import journal.ui.pages.glucose as glucose_page
from journal.domain.entities import GlucoseSource
from journal.domain.units import MG_DL, MMOL_L
from journal.localzone import local_zone
from journal.services.changes import Change, Entity
from journal.services.glucose import day_bounds
from journal.ui.context import UiContext
from journal.ui.events import Events
from journal.ui.models.glucose import SENSOR_DELETE_HINT, GlucoseTableModel
from journal.ui.pages.glucose import GlucosePage, parse_glucose
from journal.ui.preferences import Preferences
from tests.factories import reading

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

# A zone with daylight saving, so a local day is not a UTC day. The fixed clock (NOW) is
# 2026-11-20 18:00 UTC, 13:00 in Toronto.
TORONTO = ZoneInfo("America/Toronto")
TODAY = date(2026, 11, 20)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TORONTO)


def cgm(when: datetime, value: float, unit: str = MG_DL):
    return reading(when, value, unit, source=GlucoseSource.CGM, device="FreeStyle Libre 2")


@pytest.fixture(autouse=True)
def _c_locale():
    """Times and dates as the C locale writes them ("13:00", "Sat 14 Mar 2026")."""
    previous = QLocale()
    QLocale.setDefault(QLocale.c())
    yield
    QLocale.setDefault(previous)


@pytest.fixture
def ctx(services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UiContext:
    monkeypatch.setattr(glucose_page, "local_zone", lambda: TORONTO)
    prefs = Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return UiContext(services, Events(), QUndoStack(), prefs)


@pytest.fixture
def open_page(qtbot, ctx):
    def make() -> GlucosePage:
        page = GlucosePage(ctx)
        qtbot.addWidget(page)
        page.resize(1000, 700)
        with qtbot.waitExposed(page):
            page.show()
        return page

    return make


def shown_values(page: GlucosePage) -> list[str]:
    """The Glucose column top to bottom, as sorted on screen."""
    column = GlucoseTableModel.VALUE
    return [page.proxy.index(r, column).data() for r in range(page.proxy.rowCount())]


def select_reading(page: GlucosePage, reading_id: int) -> None:
    row = page.model.row_of(reading_id)
    assert row is not None
    page.table.selectRow(page.proxy.mapFromSource(page.model.index(row, 0)).row())


# --- the table model -------------------------------------------------------------------------


def sample_rows():
    day = date(2026, 11, 19)
    return [
        cgm(at(day, 8), 100, MG_DL),
        reading(at(day, 9, 30), 5.4, MMOL_L, device="Contour Next One", id=2),
        reading(at(day, 12), 5.55, MMOL_L, id=3),
        cgm(at(day, 7), 181, MG_DL),
    ]


def test_model_passes_qtmodeltester(qtmodeltester):
    model = GlucoseTableModel(MG_DL, TORONTO)
    model.set_rows(sample_rows())
    qtmodeltester.check(model, force_py=True)
    model.set_display_unit(MMOL_L)
    model.set_rows([])
    qtmodeltester.check(model, force_py=True)


def test_model_converts_to_the_display_unit_and_keeps_the_original_in_a_tooltip():
    model = GlucoseTableModel(MG_DL, TORONTO)
    model.set_rows(sample_rows())

    def cell(row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, column), role)

    # Rows are kept in time order, whatever order they came in.
    assert [cell(r, model.TIME) for r in range(4)] == ["07:00", "08:00", "09:30", "12:00"]
    assert [cell(r, model.VALUE) for r in range(4)] == [
        "181 mg/dL",
        "100 mg/dL",
        "97 mg/dL",
        "100 mg/dL",
    ]
    assert cell(1, model.VALUE, Qt.ItemDataRole.ToolTipRole) is None
    assert cell(2, model.VALUE, Qt.ItemDataRole.ToolTipRole) == "Recorded as 5.4 mmol/L"
    assert [cell(r, model.SOURCE) for r in range(4)][:3] == [
        "Sensor (CGM)",
        "Sensor (CGM)",
        "Finger-stick",
    ]
    assert cell(0, model.SOURCE, Qt.ItemDataRole.ToolTipRole) == SENSOR_DELETE_HINT
    assert cell(2, model.DEVICE) == "Contour Next One"

    model.set_display_unit(MMOL_L)
    assert [cell(r, model.VALUE) for r in range(4)] == [
        "10.0 mmol/L",
        "5.6 mmol/L",
        "5.4 mmol/L",
        "5.6 mmol/L",
    ]
    # 5.4 mmol/L is shown as recorded; 5.55 is rounded for display, so its tooltip says so.
    assert cell(2, model.VALUE, Qt.ItemDataRole.ToolTipRole) is None
    assert cell(3, model.VALUE, Qt.ItemDataRole.ToolTipRole) == "Recorded as 5.55 mmol/L"
    assert cell(1, model.VALUE, Qt.ItemDataRole.ToolTipRole) == "Recorded as 100 mg/dL"


def test_model_sorts_values_across_units_through_its_sort_role():
    model = GlucoseTableModel(MG_DL, TORONTO)
    model.set_rows(sample_rows())
    keys = [model.data(model.index(r, model.VALUE), model.SORT_ROLE) for r in range(4)]
    assert keys[0] == 181 and keys[2] == pytest.approx(5.4 * 18.016)


def test_model_names_the_zone_on_the_day_the_clocks_change():
    # 2026-11-01: Toronto falls back from EDT to EST at 02:00, so 01:30 happens twice.
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST
    model = GlucoseTableModel(MG_DL, TORONTO)
    model.set_rows([cgm(first, 100), cgm(second, 110)])
    times = [model.data(model.index(r, model.TIME)) for r in range(2)]
    assert times == ["01:30 EDT", "01:30 EST"]


# --- the page: a day, its readings and summary --------------------------------------------------


def add_mixed_day(services, day: date) -> None:
    for item in (
        reading(at(day, 8), 90, MG_DL, device="Contour Next One"),
        reading(at(day, 10), 6.0, MMOL_L),
        cgm(at(day, 12), 180, MG_DL),
        cgm(at(day, 13), 10.0, MMOL_L),  # 180.2 mg/dL, but in range in its own unit
        cgm(at(day, 14), 200, MG_DL),
        cgm(at(day, 15), 3.8, MMOL_L),
        # 23:30 in Toronto is already the next day in UTC; it still belongs to this day.
        cgm(at(day, 23, 30), 120, MG_DL),
    ):
        services.glucose.add_reading(item)
    # Neighbours that must stay out of this day.
    services.glucose.add_reading(cgm(at(day, 0) - timedelta(minutes=1), 300))
    services.glucose.add_reading(cgm(at(day + timedelta(days=1), 0), 40))


def test_page_shows_the_days_readings_and_summary_in_mixed_units(services, open_page, ctx):
    day = date(2026, 11, 19)
    add_mixed_day(services, day)
    page = open_page()
    page.set_day(day)

    assert page.model.rowCount() == 7
    # Newest first by default.
    assert shown_values(page) == [
        "120 mg/dL",
        "68 mg/dL",
        "200 mg/dL",
        "180 mg/dL",
        "180 mg/dL",
        "108 mg/dL",
        "90 mg/dL",
    ]
    assert page.count_card.value.text() == "7"
    mean = (90 + 6.0 * 18.016 + 180 + 10.0 * 18.016 + 200 + 3.8 * 18.016 + 120) / 7
    assert page.mean_card.value.text() == f"{round(mean)} mg/dL"
    assert page.span_card.value.text() == "68–200 mg/dL"
    assert page.range_card.caption.text() == "In range 70–180 mg/dL"
    # Five sensor readings: 180, 10.0 mmol/L and 120 in range, 200 above, 3.8 mmol/L below.
    assert page.range_card.value.text() == "60%"
    assert page.range_card.detail.text() == "of 5 sensor readings\n20% below · 20% above"
    sources = page.sources_label.text()
    assert "Sensor (CGM): FreeStyle Libre 2 — 5 readings" in sources
    assert "Finger-stick: Contour Next One — 1 reading" in sources
    assert "Finger-stick — 1 reading" in sources
    assert page.day_heading.text().startswith("Thursday 19 November 2026")

    ctx.prefs.set("units/system", "si")

    assert page.mean_card.value.text() == f"{mean / 18.016:.1f} mmol/L"
    assert page.span_card.value.text() == "3.8–11.1 mmol/L"
    assert page.range_card.caption.text() == "In range 3.9–10.0 mmol/L"
    assert page.range_card.value.text() == "60%"
    assert shown_values(page)[:4] == ["6.7 mmol/L", "3.8 mmol/L", "11.1 mmol/L", "10.0 mmol/L"]
    # The form follows the preference while it is empty.
    assert page.current_unit() == MMOL_L


def test_time_in_range_is_left_out_on_a_day_of_finger_sticks_only(services, open_page):
    services.glucose.add_reading(reading(at(TODAY, 8), 95))
    page = open_page()
    assert page.day == TODAY
    assert page.range_card.isHidden()
    assert page.count_card.value.text() == "1"


def test_opens_on_the_latest_day_with_readings_when_today_has_none(services, open_page):
    services.glucose.add_reading(cgm(at(date(2026, 11, 10), 9), 100))
    services.glucose.add_reading(cgm(at(date(2026, 10, 2), 9), 100))
    page = open_page()
    assert page.day == date(2026, 11, 10)
    assert page.date_edit.date() == QDate(2026, 11, 10)
    assert not page.latest_button.isEnabled()
    assert page.today_button.isEnabled()


def test_opens_on_today_when_today_has_readings(services, open_page):
    services.glucose.add_reading(cgm(at(TODAY, 9), 100))
    services.glucose.add_reading(cgm(at(date(2026, 11, 10), 9), 100))
    page = open_page()
    assert page.day == TODAY
    assert page.day_heading.text().endswith("· today")
    assert not page.today_button.isEnabled()
    assert not page.next_button.isEnabled()


def test_first_show_never_counts_or_scans_all_readings(services, open_page, monkeypatch):
    services.glucose.add_reading(cgm(at(TODAY, 9), 100))

    def refuse(*_args: object) -> None:
        raise AssertionError("the page must not count or scan the whole table")

    monkeypatch.setattr(services.glucose, "count", refuse)
    monkeypatch.setattr(services.glucose, "span", refuse)
    page = open_page()
    assert page.model.rowCount() == 1


def test_day_navigation_with_buttons_keys_and_the_date_field(qtbot, services, open_page):
    for day in (date(2026, 11, 18), date(2026, 11, 19)):
        services.glucose.add_reading(cgm(at(day, 9), 100 + day.day))
    page = open_page()
    assert page.day == date(2026, 11, 19)

    qtbot.mouseClick(page.prev_button, Qt.MouseButton.LeftButton)
    assert page.day == date(2026, 11, 18)
    assert shown_values(page) == ["118 mg/dL"]
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.day == date(2026, 11, 19)

    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table)
    qtbot.keyClick(page.table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert page.day == date(2026, 11, 18)
    qtbot.keyClick(page.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert page.day == date(2026, 11, 19)

    qtbot.mouseClick(page.today_button, Qt.MouseButton.LeftButton)
    assert page.day == TODAY
    assert page.list_stack.currentIndex() == 1
    assert page.summary.isHidden()
    # Tomorrow has nothing yet: the next-day button and Alt+Right stop at today.
    assert not page.next_button.isEnabled()
    page.next_day()
    assert page.day == TODAY

    qtbot.mouseClick(page.latest_button, Qt.MouseButton.LeftButton)
    assert page.day == date(2026, 11, 19)

    page.date_edit.setDate(QDate(2026, 11, 18))
    assert page.day == date(2026, 11, 18)
    assert page.model.rowCount() == 1


def test_an_empty_day_offers_the_nearest_days_with_readings(qtbot, services, open_page):
    services.glucose.add_reading(cgm(at(date(2026, 3, 14), 9), 100))
    services.glucose.add_reading(cgm(at(date(2026, 5, 2), 9), 100))
    page = open_page()
    page.set_day(date(2026, 4, 1))
    assert "No glucose readings on" in page.empty_label.text()
    assert page.earlier_button.text().endswith("14 Mar 2026")
    assert page.later_button.text().endswith("2 May 2026")
    qtbot.mouseClick(page.earlier_button, Qt.MouseButton.LeftButton)
    assert page.day == date(2026, 3, 14)
    assert page.model.rowCount() == 1


def test_an_empty_journal_invites_a_finger_stick_and_promises_nothing(open_page):
    page = open_page()
    assert page.day == TODAY
    text = page.empty_label.text()
    assert text.startswith("No glucose readings yet.")
    assert "finger-stick" in text
    assert "File → Import" not in text and "coming soon" not in text.lower()
    assert page.summary.isHidden()
    assert not page.latest_button.isEnabled()


# --- adding a finger-stick -------------------------------------------------------------------


def test_typing_a_finger_stick_adds_it_and_undo_redo_keep_its_id(qtbot, services, open_page, ctx):
    page = open_page()
    # Now, in the local zone, to the minute.
    assert page.time_edit.dateTime() == QDateTime(QDate(2026, 11, 20), QTime(13, 0))
    assert page.current_unit() == MG_DL
    changes: list[Change] = []
    ctx.events.entries_changed.connect(changes.append)

    qtbot.keyClicks(page.value_edit, "104")
    qtbot.keyClicks(page.device_edit, "Contour Next One")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)

    saved = services.glucose.readings_for_day(TODAY, TORONTO)
    assert [(r.value, r.unit, r.source, r.device) for r in saved] == [
        (104, MG_DL, GlucoseSource.FINGERSTICK, "Contour Next One")
    ]
    rid = saved[0].id
    assert saved[0].at == at(TODAY, 13)
    assert changes and changes[-1].added[Entity.GLUCOSE] == (rid,)
    assert shown_values(page) == ["104 mg/dL"]
    assert page.selected_readings()[0].id == rid
    assert page.value_edit.text() == ""
    assert page.device_edit.text() == "Contour Next One"  # the same meter next time
    assert "Added 104 mg/dL at 13:00" in page.status_text()
    assert ctx.undo.count() == 1
    assert ctx.undo.undoText() == "Add finger-stick reading 104 mg/dL at 13:00"

    ctx.undo.undo()
    assert services.glucose.readings_for_day(TODAY, TORONTO) == []
    assert page.model.rowCount() == 0

    ctx.undo.redo()
    again = services.glucose.readings_for_day(TODAY, TORONTO)
    assert [r.id for r in again] == [rid]
    assert shown_values(page) == ["104 mg/dL"]


def test_enter_in_the_value_field_adds_the_reading(qtbot, services, open_page):
    page = open_page()
    page.set_unit(MMOL_L)
    qtbot.keyClicks(page.value_edit, "5,8")
    qtbot.keyClick(page.value_edit, Qt.Key.Key_Return)
    saved = services.glucose.readings_for_day(TODAY, TORONTO)
    assert [(r.value, r.unit) for r in saved] == [(5.8, MMOL_L)]


def test_a_reading_for_another_day_shows_that_day(qtbot, services, open_page):
    services.glucose.add_reading(cgm(at(date(2026, 11, 10), 9), 100))
    page = open_page()
    assert page.day == date(2026, 11, 10)
    qtbot.keyClicks(page.value_edit, "98")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.day == TODAY
    assert shown_values(page) == ["98 mg/dL"]


def test_an_impossible_value_shows_an_error_and_keeps_the_text(qtbot, services, open_page, ctx):
    page = open_page()
    qtbot.keyClicks(page.value_edit, "2000")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)

    assert "2000 mg/dL" in page.message_text()
    assert page.value_edit.text() == "2000"
    assert services.glucose.readings_for_day(TODAY, TORONTO) == []
    assert ctx.undo.count() == 0

    # Editing the value clears the stale message.
    qtbot.keyClick(page.value_edit, Qt.Key.Key_Backspace)
    assert page.message_text() == ""


def test_text_that_is_not_a_number_is_refused_inline(qtbot, services, open_page):
    page = open_page()
    qtbot.keyClicks(page.value_edit, "1o4")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert "Type the number your meter shows" in page.message_text()
    assert page.value_edit.text() == "1o4"
    assert services.glucose.readings_for_day(TODAY, TORONTO) == []


def test_a_value_in_the_wrong_unit_offers_to_switch_the_unit(qtbot, services, open_page):
    page = open_page()
    qtbot.keyClicks(page.value_edit, "5.4")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)

    assert "mmol/L" in page.message_text()
    assert page.switch_button.isVisible()
    assert page.switch_button.text() == "Switch to mmol/L"
    assert services.glucose.readings_for_day(TODAY, TORONTO) == []

    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    assert page.current_unit() == MMOL_L
    assert page.value_edit.text() == "5.4"  # the number as typed, never converted
    assert page.message_text() == ""

    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    saved = services.glucose.readings_for_day(TODAY, TORONTO)
    assert [(r.value, r.unit) for r in saved] == [(5.4, MMOL_L)]


def test_an_unusual_value_is_saved_only_after_confirmation(qtbot, services, open_page):
    page = open_page()
    asked: list[str] = []
    answer = False

    def confirm(text: str) -> bool:
        asked.append(text)
        return answer

    page._confirm = confirm
    qtbot.keyClicks(page.value_edit, "450")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert asked and "450 mg/dL" in asked[0]
    assert "450 mg/dL" in page.message_text()  # the warning stays beside the field
    assert page.value_edit.text() == "450"
    assert services.glucose.readings_for_day(TODAY, TORONTO) == []

    answer = True
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert [r.value for r in services.glucose.readings_for_day(TODAY, TORONTO)] == [450]
    assert page.message_text() == ""


# --- deleting ----------------------------------------------------------------------------------


def test_deleting_a_finger_stick_with_the_delete_key_and_undoing_it(
    qtbot, services, open_page, ctx
):
    services.glucose.add_reading(cgm(at(TODAY, 8), 100))
    rid = services.glucose.add_reading(reading(at(TODAY, 9), 104)).first_added(Entity.GLUCOSE)
    page = open_page()
    select_reading(page, rid)
    assert page.delete_action.isEnabled()

    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)

    assert [r.source for r in services.glucose.readings_for_day(TODAY, TORONTO)] == [
        GlucoseSource.CGM
    ]
    assert page.model.rowCount() == 1
    assert "Undo with Ctrl+Z" in page.status_text()

    ctx.undo.undo()
    restored = services.glucose.readings_for_day(TODAY, TORONTO)
    assert [r.id for r in restored if r.source is GlucoseSource.FINGERSTICK] == [rid]
    assert page.model.rowCount() == 2


def test_sensor_readings_cannot_be_deleted_one_by_one(qtbot, services, open_page, ctx):
    sensor = services.glucose.add_reading(cgm(at(TODAY, 8), 100)).first_added(Entity.GLUCOSE)
    page = open_page()
    select_reading(page, sensor)
    assert not page.delete_action.isEnabled()
    assert page.delete_action.toolTip() == SENSOR_DELETE_HINT

    page.delete_selected()
    assert page.model.rowCount() == 1
    assert ctx.undo.count() == 0
    assert page.status_text() == SENSOR_DELETE_HINT


def test_finger_sticks_only_hides_the_sensor_rows(qtbot, services, open_page):
    services.glucose.add_reading(cgm(at(TODAY, 8), 100))
    services.glucose.add_reading(reading(at(TODAY, 9), 104))
    page = open_page()
    assert page.fingersticks_only.isEnabled()
    page.fingersticks_only.setChecked(True)
    assert shown_values(page) == ["104 mg/dL"]
    page.previous_day()  # no finger-sticks there: the filter turns itself off
    assert not page.fingersticks_only.isChecked()


# --- refreshing --------------------------------------------------------------------------------


def test_refreshes_only_for_glucose_changes_and_the_unit_preference(open_page, ctx, monkeypatch):
    page = open_page()
    loads: list[int] = []
    original = page._load
    monkeypatch.setattr(page, "_load", lambda: (loads.append(1), original()))

    ctx.events.publish(Change.of(Entity.WALK, added=[1]))
    ctx.events.publish(Change.of(Entity.LAB_DRAW, updated=[1]))
    ctx.prefs.set("profile/sex", "female")
    assert loads == []

    ctx.events.publish(Change.of(Entity.GLUCOSE, removed=[1]))
    assert len(loads) == 1
    ctx.prefs.set("units/system", "si")
    assert len(loads) == 2


def test_a_hidden_page_reloads_when_it_is_shown_again(qtbot, services, open_page, ctx):
    page = open_page()
    page.hide()
    rid = services.glucose.add_reading(reading(at(TODAY, 9), 104)).first_added(Entity.GLUCOSE)
    ctx.events.publish(Change.of(Entity.GLUCOSE, added=[rid]))
    assert page.model.rowCount() == 0
    page.show()
    assert page.model.rowCount() == 1


def test_day_chart_redraws_only_for_readings_of_the_day_it_shows(
    services, open_page, ctx, monkeypatch
):
    services.glucose.add_reading(cgm(at(TODAY, 8), 100))
    services.glucose.add_reading(cgm(at(TODAY, 8, 15), 104))
    page = open_page()
    page.show_day_chart()
    chart = page.day_chart
    line = chart.items.sensor
    drawn: list[date] = []
    original = chart.set_day
    monkeypatch.setattr(
        chart, "set_day", lambda *a, **kw: (drawn.append(kw["day"]), original(*a, **kw))[1]
    )
    # A reading three days back: the day shown, its list and its chart stay as they are.
    ctx.events.publish(services.glucose.add_reading(reading(at(TODAY - timedelta(3), 9), 120)))
    assert drawn == []
    assert chart.data.fingersticks == ()
    assert page.stats.count == 2
    # One on the day shown appears in the chart, which keeps its plot items.
    ctx.events.publish(services.glucose.add_reading(reading(at(TODAY, 10), 130)))
    assert drawn == [TODAY]
    assert [p.value for p in chart.data.fingersticks] == [130]
    assert chart.items.fingersticks.getData()[1].tolist() == [130]
    assert chart.items.sensor is line
    assert page.stats.count == 3 and page.count_card.value.text() == "3"
    # The list, filled when its tab is shown again, has the new reading too.
    page.tabs.setCurrentIndex(0)
    assert shown_values(page) == ["130 mg/dL", "104 mg/dL", "100 mg/dL"]


def test_a_reading_added_while_the_chart_shows_is_selected_in_the_list(services, open_page):
    services.glucose.add_reading(cgm(at(TODAY, 8), 100))
    page = open_page()
    page.show_day_chart()
    page.value_edit.setText("140")
    page.time_edit.setDateTime(QDateTime(QDate(2026, 11, 20), QTime(11, 30)))
    assert page.add_reading()
    assert [p.value for p in page.day_chart.data.fingersticks] == [140]
    page.tabs.setCurrentIndex(0)
    assert [r.value for r in page.selected_readings()] == [140]


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"), [("104", 104.0), ("5.4", 5.4), ("5,4", 5.4), (" 7 ", 7.0), ("", None)]
)
def test_parse_glucose_reads_either_decimal_mark(text, value):
    assert parse_glucose(text) == value


@pytest.mark.parametrize("text", ["abc", "1o4", "5.4.1", "-5", "1,200.5"])
def test_parse_glucose_refuses_what_is_not_a_meter_value(text):
    with pytest.raises(ValueError):
        parse_glucose(text)


def berlin_summer() -> datetime:
    return datetime(2026, 7, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))


def no_qt_zone() -> str:
    return ""


def test_local_zone_follows_tz_with_its_daylight_saving_rules(tmp_path):
    zone = local_zone(
        environ={"TZ": "Europe/Berlin"},
        etc=tmp_path,
        system_zone_id=no_qt_zone,
        reference=berlin_summer(),
    )
    assert zone == ZoneInfo("Europe/Berlin")
    # The day the clocks go forward has 23 hours, which a fixed offset would get wrong.
    start, end = day_bounds(date(2026, 3, 29), zone)
    assert end.timestamp() - start.timestamp() == 23 * 3600
    zone = local_zone(environ={"TZ": ":Europe/Berlin"}, etc=tmp_path, reference=berlin_summer())
    assert zone == ZoneInfo("Europe/Berlin")


def test_local_zone_reads_the_etc_localtime_link(tmp_path):
    os.symlink("../usr/share/zoneinfo/posix/Europe/Berlin", tmp_path / "localtime")
    zone = local_zone(
        environ={}, etc=tmp_path, system_zone_id=no_qt_zone, reference=berlin_summer()
    )
    assert zone == ZoneInfo("Europe/Berlin")


def test_local_zone_reads_etc_timezone_then_the_zone_file(tmp_path):
    (tmp_path / "timezone").write_text("Europe/Berlin\n")
    zone = local_zone(
        environ={}, etc=tmp_path, system_zone_id=no_qt_zone, reference=berlin_summer()
    )
    assert zone == ZoneInfo("Europe/Berlin")

    (tmp_path / "timezone").unlink()
    source = Path("/usr/share/zoneinfo/Europe/Berlin")
    if not source.exists():
        pytest.skip("no system zone files")
    (tmp_path / "localtime").write_bytes(source.read_bytes())
    zone = local_zone(
        environ={}, etc=tmp_path, system_zone_id=no_qt_zone, reference=berlin_summer()
    )
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC).astimezone(zone)
    assert winter.utcoffset() == timedelta(hours=1)
    assert berlin_summer().astimezone(zone).utcoffset() == timedelta(hours=2)


def test_local_zone_asks_qt_when_etc_says_nothing(tmp_path):
    zone = local_zone(
        environ={}, etc=tmp_path, system_zone_id=lambda: "Europe/Berlin", reference=berlin_summer()
    )
    assert zone == ZoneInfo("Europe/Berlin")


def test_local_zone_falls_back_to_the_fixed_offset(tmp_path):
    # A stale /etc/timezone that disagrees with the system's offset is not trusted...
    (tmp_path / "timezone").write_text("Asia/Tokyo\n")
    reference = datetime(2026, 7, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    zone = local_zone(environ={}, etc=tmp_path, system_zone_id=no_qt_zone, reference=reference)
    assert zone == timezone(timedelta(hours=2))
    # ...nor is a TZ that names no zone.
    zone = local_zone(
        environ={"TZ": "Mars/Olympus_Mons"},
        etc=tmp_path,
        system_zone_id=lambda: "Europe/Berlin",
        reference=reference,
    )
    assert zone == timezone(timedelta(hours=2))


def test_day_chart_and_history_tabs_follow_the_day_and_new_readings(qtbot, services, tmp_path):
    from datetime import timedelta

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QUndoStack

    from journal.ui.context import UiContext
    from journal.ui.events import Events
    from journal.ui.preferences import Preferences
    from tests.factories import NOW, reading, walk

    prefs = Preferences(QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    ctx = UiContext(services, Events(), QUndoStack(), prefs)
    services.glucose.add_reading(reading(NOW - timedelta(hours=3), 110))
    ctx.events.publish(services.walks.add_walk(walk(NOW - timedelta(hours=4))))
    page = GlucosePage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.go_latest()
    assert page.day_chart is None and page.history_chart is None
    page.show_day_chart()
    assert not page.day_chart.showing_empty_state()
    assert len(page.day_chart.items.walks) == 1
    page.show_history()
    assert page.history_chart.point_count == 1
    ctx.events.publish(services.glucose.add_reading(reading(NOW - timedelta(hours=2), 120)))
    assert page.history_chart.point_count == 2
