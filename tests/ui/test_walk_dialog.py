"""The quick-add walk dialog, driven from the keyboard and mouse as Tom would."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QDialog

from journal.domain.entities import Meal, WalkKind
from journal.services.changes import Entity
from journal.ui.dialogs.walk import WalkDialog
from tests.factories import walk

# The dialog grows when a message appears, which moves its minimum size; the offscreen platform
# used in tests says it cannot pass that on to a window manager. Real platforms can.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def local(hour: int, minute: int) -> datetime:
    # The machine's own zone, whatever it is: the dialog shows local wall-clock times.
    return datetime(2026, 11, 20, hour, minute).astimezone()


def after_dinner() -> datetime:
    return local(19, 40)


@pytest.fixture
def open_dialog(qtbot):
    def make(services, **kw):
        dialog = WalkDialog(services, now=after_dinner, **kw)
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        return dialog

    return make


def step_minutes(qtbot, edit: QDateTimeEdit, steps: int) -> None:
    """Move a date-time field's minutes with the arrow keys, as a keyboard user does."""
    edit.setFocus()
    edit.setCurrentSection(QDateTimeEdit.Section.MinuteSection)
    key = Qt.Key.Key_Up if steps > 0 else Qt.Key.Key_Down
    for _ in range(abs(steps)):
        qtbot.keyClick(edit, key)


def test_a_single_enter_logs_a_dinner_walk_with_the_defaults(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    assert dialog.windowTitle() == "New walk"
    assert dialog.delay_label.text() == "Started 10 min after eating — within your 15-minute target"

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    [saved] = services.walks.list_walks()
    assert saved.meal is Meal.DINNER
    assert saved.kind is WalkKind.WALK
    assert saved.minutes_after_eating == 10
    assert saved.duration_min == 15
    assert saved.pace_kmh == 5.0
    assert saved.started_at == after_dinner()
    assert dialog.saved_walk == saved
    assert dialog.change.added[Entity.WALK] == (saved.id,)


def test_the_delay_label_follows_the_times(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    step_minutes(qtbot, dialog.started, 3)
    assert dialog.delay_label.text() == "Started 13 min after eating — within your 15-minute target"
    step_minutes(qtbot, dialog.started, 5)
    assert dialog.delay_label.text() == "Started 18 min after eating"
    step_minutes(qtbot, dialog.meal_ended, 8)
    assert dialog.delay_label.text() == "Started 10 min after eating — within your 15-minute target"
    step_minutes(qtbot, dialog.meal_ended, 10)
    assert dialog.delay_label.text() == "Started right after eating — within your 15-minute target"


def test_the_target_comes_from_the_caller(qtbot, services, open_dialog):
    dialog = open_dialog(services, target_delay_min=5)
    assert dialog.delay_label.text() == "Started 10 min after eating"


def test_a_walk_before_the_meal_warns_and_keeps_everything_typed(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    qtbot.keyClicks(dialog.notes, "Round the block")
    step_minutes(qtbot, dialog.started, -20)  # 19:20, ten minutes before dinner ended
    assert dialog.delay_label.text() == "The walk starts before the meal ended — check the times"

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.isVisible()
    assert services.walks.list_walks() == []
    assert dialog.error_text("started_at") == "The walk's start time is before the meal ended."
    assert dialog.error_text("duration_min") == ""
    assert dialog.notes.toPlainText() == "Round the block"
    assert dialog.started.dateTime().toPython() == datetime(2026, 11, 20, 19, 20)
    assert QApplication.focusWidget() is dialog.started

    # Fixing the time and saving again clears the message and saves.
    step_minutes(qtbot, dialog.started, 30)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [saved] = services.walks.list_walks()
    assert saved.minutes_after_eating == 20
    assert saved.notes == "Round the block"


def test_a_zero_duration_is_reported_next_to_the_duration(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    dialog.duration.setFocus()
    dialog.duration.selectAll()
    qtbot.keyClicks(dialog.duration, "0")
    qtbot.keyClick(dialog.duration, Qt.Key.Key_Return)
    assert dialog.error_text("duration_min") == "Duration must be between 1 and 600 min."
    assert services.walks.list_walks() == []


def test_the_meal_follows_the_meal_time_until_the_user_picks_one(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    dialog.meal_ended.setFocus()
    dialog.meal_ended.setCurrentSection(QDateTimeEdit.Section.HourSection)
    for _ in range(6):  # 19:30 → 13:30
        qtbot.keyClick(dialog.meal_ended, Qt.Key.Key_Down)
    assert dialog.meal.currentText() == "Lunch"

    dialog.meal.setFocus()
    qtbot.keyClicks(dialog.meal, "S")  # a keyboard choice: Snack
    assert dialog.meal.currentText() == "Snack"
    qtbot.keyClick(dialog.meal_ended, Qt.Key.Key_Up)
    assert dialog.meal.currentText() == "Snack"


def test_calf_raises_have_no_pace(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    dialog.kind.setFocus()
    qtbot.keyClicks(dialog.kind, "Se")
    assert dialog.kind.currentText() == "Seated calf raises"
    assert not dialog.pace.isEnabled()
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Return)
    [saved] = services.walks.list_walks()
    assert saved.kind is WalkKind.CALF_RAISES
    assert saved.pace_kmh is None


def test_editing_a_walk_prefills_and_updates_it(qtbot, services, open_dialog):
    lunch_end = local(12, 50)
    services.walks.add_walk(
        walk(lunch_end, meal=Meal.LUNCH, delay_min=8, minutes=20, pace_kmh=4.0, notes="Park")
    )
    [before] = services.walks.list_walks()
    dialog = open_dialog(services, walk=before)

    assert dialog.windowTitle() == "Edit walk"
    assert dialog.meal.currentText() == "Lunch"
    assert dialog.meal_ended.dateTime().toPython() == datetime(2026, 11, 20, 12, 50)
    assert dialog.started.dateTime().toPython() == datetime(2026, 11, 20, 12, 58)
    assert dialog.duration.value() == 20
    assert dialog.kind.currentText() == "Walk"
    assert dialog.pace.currentText() == "Easy (about 4 km/h)"
    assert dialog.notes.toPlainText() == "Park"
    assert dialog.delay_label.text() == "Started 8 min after eating — within your 15-minute target"

    dialog.duration.setFocus()
    dialog.duration.selectAll()
    qtbot.keyClicks(dialog.duration, "25")
    qtbot.keyClick(dialog.duration, Qt.Key.Key_Return)

    assert dialog.change.updated[Entity.WALK] == (before.id,)
    [after] = services.walks.list_walks()
    assert after.duration_min == 25
    assert after.started_at == before.started_at
    assert after.meal_ended_at == lunch_end
    assert (after.meal, after.pace_kmh, after.notes) == (Meal.LUNCH, 4.0, "Park")
    assert dialog.saved_walk == after


def test_opening_and_saving_an_imported_walk_changes_nothing(qtbot, services, open_dialog):
    ended = local(19, 2) + timedelta(seconds=37)
    services.walks.add_walk(walk(ended, delay_min=7.5, minutes=14.6, pace_kmh=5.3, distance_km=1.3))
    [before] = services.walks.list_walks()
    dialog = open_dialog(services, walk=before)
    pace = QLocale().toString(5.3, "f", 1)
    assert dialog.pace.currentText() == f"About {pace} km/h (as recorded)"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    [after] = services.walks.list_walks()
    assert after == before


def test_every_input_has_an_accessible_name(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    for widget in (
        dialog.meal,
        dialog.meal_ended,
        dialog.started,
        dialog.duration,
        dialog.kind,
        dialog.pace,
        dialog.notes,
        dialog.save_button,
    ):
        assert widget.accessibleName()


def test_tab_walks_the_fields_in_reading_order(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    seen = [QApplication.focusWidget()]
    for _ in range(7):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    expected = [dialog.meal, dialog.meal_ended, dialog.started, dialog.duration, dialog.kind]
    assert seen[:5] == expected
    assert seen[5:] == [dialog.pace, dialog.notes, dialog.save_button]
