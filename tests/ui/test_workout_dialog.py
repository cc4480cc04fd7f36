"""The workout dialog, driven from the keyboard and mouse as Priya would."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDialog

from journal.domain.entities import LoadUnit, ResistanceSet, WorkoutKind
from journal.services.changes import Entity
from journal.ui.dialogs.workout import WorkoutDialog
from tests.factories import workout

# The offscreen platform used in tests cannot pass on a window's size hints (the dialog grows when
# the exercise editor or a message appears) nor raise the completer's popup. Real platforms can.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)"
)


def local(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 20, hour, minute).astimezone()


def just_after_six() -> datetime:
    return local(18, 2)


@pytest.fixture
def open_dialog(qtbot):
    def make(services, **kw):
        dialog = WorkoutDialog(services, now=just_after_six, **kw)
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        return dialog

    return make


def type_into(qtbot, widget, text: str) -> None:
    """Focus a field, select what it holds and type over it."""
    widget.setFocus()
    if isinstance(widget, QAbstractSpinBox):
        widget.selectAll()
    else:
        widget.clear()
    qtbot.keyClicks(widget, text)


def choose(qtbot, combo, text: str) -> None:
    """Pick a combo box item with the arrow keys, the first whose text starts with `text`."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().lower().startswith(text.lower()):
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"no item starting with {text!r}")


def test_a_new_workout_ends_now_and_starts_unrated(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    assert dialog.windowTitle() == "New workout"
    # 18:02 rounds down to 18:00; 45 minutes before that.
    assert dialog.start.dateTime().toPython() == datetime(2026, 11, 20, 17, 15)
    assert dialog.duration.value() == 45
    assert dialog.kind.currentText() == "Aerobic"
    assert dialog.rpe.text() == "not rated"
    assert dialog.load_label.text() == "Session load: rate the effort to see it"
    assert not dialog.exercises.isVisible()
    assert [dialog.kind.itemText(i) for i in range(dialog.kind.count())] == [
        "Aerobic",
        "Resistance",
        "HIIT",
        "Combined",
        "Other",
    ]

    # Until the start is set by hand, a longer session started earlier.
    type_into(qtbot, dialog.duration, "60")
    assert dialog.start.dateTime().toPython() == datetime(2026, 11, 20, 17, 0)


def test_effort_word_and_session_load_update_live(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    type_into(qtbot, dialog.rpe, "8")
    assert dialog.rpe_word.text() == "very hard"
    assert dialog.load_label.text() == "Session load: 360 (RPE 8 × 45 min)"
    type_into(qtbot, dialog.rpe, "6")
    assert dialog.rpe_word.text() == "hard"
    type_into(qtbot, dialog.duration, "30")
    assert dialog.load_label.text() == "Session load: 180 (RPE 6 × 30 min)"
    qtbot.keyClick(dialog.duration, Qt.Key.Key_Return)

    [saved] = services.training.list_workouts()
    assert (saved.rpe, saved.duration_min, saved.load) == (6, 30, 180)


@pytest.fixture
def german():
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(previous)


def test_an_unrated_session_is_saved_without_effort(qtbot, services, open_dialog, german):
    dialog = open_dialog(services)
    type_into(qtbot, dialog.activity.lineEdit(), "Cycling")
    type_into(qtbot, dialog.distance, "12,5")  # a German decimal comma
    assert dialog.distance.text() == "12,5 km"
    qtbot.keyClick(dialog.distance, Qt.Key.Key_Return)
    [saved] = services.training.list_workouts()
    assert saved.rpe is None
    assert saved.activity == "Cycling"
    assert saved.distance_km == 12.5
    assert saved.avg_hr is None
    assert saved.sets == ()


def test_resistance_sets_are_saved_in_order_with_their_units(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    choose(qtbot, dialog.kind, "R")
    assert dialog.exercises.isVisible()
    [first] = dialog.exercises.rows
    type_into(qtbot, first.name, "Squat")
    type_into(qtbot, first.sets, "5")
    type_into(qtbot, first.reps, "5")
    type_into(qtbot, first.load, "80")

    qtbot.mouseClick(dialog.exercises.add_button, Qt.MouseButton.LeftButton)
    second = dialog.exercises.rows[1]
    assert QApplication.focusWidget() is second.name
    qtbot.keyClicks(second.name, "Bench press")
    choose(qtbot, second.unit, "l")
    type_into(qtbot, second.load, "135")
    type_into(qtbot, dialog.rpe, "7")
    qtbot.keyClick(dialog.rpe, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    [saved] = services.training.list_workouts()
    assert saved.kind is WorkoutKind.RESISTANCE
    assert [(s.exercise, s.sets, s.reps, s.load, s.load_unit) for s in saved.sets] == [
        ("Squat", 5, 5, 80.0, LoadUnit.KG),
        ("Bench press", 3, 10, 135.0, LoadUnit.LB),
    ]
    assert dialog.saved_workout == saved
    assert dialog.change.added[Entity.WORKOUT] == (saved.id,)


def test_a_new_row_takes_the_unit_of_the_row_above(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    choose(qtbot, dialog.kind, "R")
    choose(qtbot, dialog.exercises.rows[0].unit, "l")
    qtbot.mouseClick(dialog.exercises.add_button, Qt.MouseButton.LeftButton)
    assert dialog.exercises.rows[1].unit.currentText() == "lb"


def test_flipping_to_aerobic_hides_the_sets_keeps_them_but_does_not_save_them(
    qtbot, services, open_dialog
):
    dialog = open_dialog(services)
    choose(qtbot, dialog.kind, "R")
    type_into(qtbot, dialog.exercises.rows[0].name, "Deadlift")

    choose(qtbot, dialog.kind, "A")
    assert not dialog.exercises.isVisible()
    assert dialog.kept_note.isVisible()
    choose(qtbot, dialog.kind, "C")  # Combined shows them again, untouched
    assert dialog.exercises.isVisible()
    assert not dialog.kept_note.isVisible()
    assert dialog.exercises.rows[0].name.text() == "Deadlift"

    choose(qtbot, dialog.kind, "A")
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Return)
    [saved] = services.training.list_workouts()
    assert saved.kind is WorkoutKind.AEROBIC
    assert saved.sets == ()


def test_remove_drops_a_row_and_renumbers_the_rest(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    choose(qtbot, dialog.kind, "R")
    editor = dialog.exercises
    for name in ("Squat", "Lunge", "Row"):
        row = editor.rows[-1]
        type_into(qtbot, row.name, name)
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.rows[1].remove, Qt.MouseButton.LeftButton)
    assert [r.name.text() for r in editor.rows] == ["Squat", "Row", ""]
    assert editor.rows[1].name.accessibleName() == "Exercise 2 name"
    assert QApplication.focusWidget() is editor.rows[1].name

    qtbot.keyClick(editor.rows[1].name, Qt.Key.Key_Return)
    [saved] = services.training.list_workouts()
    # The empty last row was never filled in, so it is left out rather than reported.
    assert [s.exercise for s in saved.sets] == ["Squat", "Row"]


def test_tab_runs_through_each_exercise_row_then_add(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    choose(qtbot, dialog.kind, "R")
    qtbot.mouseClick(dialog.exercises.add_button, Qt.MouseButton.LeftButton)
    first, second = dialog.exercises.rows
    first.name.setFocus()
    seen = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [
        first.sets,
        first.reps,
        first.load,
        first.unit,
        first.remove,
        second.name,
        second.sets,
        second.reps,
        second.load,
        second.unit,
        second.remove,
        dialog.exercises.add_button,
    ]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.notes


def test_a_zero_duration_is_reported_inline_and_nothing_is_lost(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    type_into(qtbot, dialog.activity.lineEdit(), "Yoga")
    qtbot.keyClicks(dialog.notes, "Slow flow")
    type_into(qtbot, dialog.duration, "0")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() != QDialog.DialogCode.Accepted
    assert services.training.list_workouts() == []
    assert dialog.error_text("duration_min") == "Duration must be between 1 and 1440 min."
    assert dialog.duration.accessibleDescription() == dialog.error_text("duration_min")
    assert QApplication.focusWidget() is dialog.duration
    assert dialog.activity.currentText() == "Yoga"
    assert dialog.notes.toPlainText() == "Slow flow"


def test_set_errors_appear_on_the_row_they_belong_to(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    choose(qtbot, dialog.kind, "R")
    editor = dialog.exercises
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)  # row 1 is left untouched
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, editor.rows[2].sets, "4")  # no name
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert services.training.list_workouts() == []
    assert editor.rows[0].error.isHidden()
    assert editor.rows[2].error.text() == "The exercise name is required."
    assert QApplication.focusWidget() is editor.rows[2].name
    assert editor.rows[2].sets.value() == 4


def test_a_heart_rate_out_of_range_is_reported_next_to_it(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    type_into(qtbot, dialog.avg_hr, "250")
    qtbot.keyClick(dialog.avg_hr, Qt.Key.Key_Return)
    assert dialog.error_text("avg_hr") == "Average heart rate must be between 25 and 230 beats/min."
    assert services.training.list_workouts() == []


def test_editing_prefills_everything_and_saves_changes(qtbot, services, open_dialog):
    sets = (
        ResistanceSet("Squat", 5, 5, 100.0, LoadUnit.KG),
        ResistanceSet("Pull-up", 3, 8, None, LoadUnit.KG),
        ResistanceSet("Curl", 3, 12, 25.0, LoadUnit.LB),
    )
    services.training.add_workout(
        workout(
            local(7, 30),
            minutes=50,
            kind=WorkoutKind.COMBINED,
            rpe=7,
            activity="Gym",
            avg_hr=128,
            distance_km=3.2,
            notes="Felt strong",
            sets=sets,
        )
    )
    [before] = services.training.list_workouts()
    dialog = open_dialog(services, workout=before)

    assert dialog.windowTitle() == "Edit workout"
    assert dialog.start.dateTime().toPython() == datetime(2026, 11, 20, 7, 30)
    assert dialog.duration.value() == 50
    assert dialog.kind.currentText() == "Combined"
    assert dialog.activity.currentText() == "Gym"
    assert dialog.rpe.value() == 7
    assert dialog.rpe_word.text() == "very hard"
    assert dialog.load_label.text() == "Session load: 350 (RPE 7 × 50 min)"
    assert dialog.avg_hr.value() == 128
    assert dialog.distance.value() == 3.2
    assert dialog.notes.toPlainText() == "Felt strong"
    assert dialog.exercises.isVisible()
    assert [
        (r.name.text(), r.sets.value(), r.reps.value(), r.load.text(), r.unit.currentText())
        for r in dialog.exercises.rows
    ] == [
        ("Squat", 5, 5, "100", "kg"),
        ("Pull-up", 3, 8, "none", "kg"),
        ("Curl", 3, 12, "25", "lb"),
    ]

    type_into(qtbot, dialog.exercises.rows[0].load, "105")
    qtbot.keyClick(dialog.exercises.rows[0].load, Qt.Key.Key_Return)

    assert dialog.change.updated[Entity.WORKOUT] == (before.id,)
    [after] = services.training.list_workouts()
    assert after.sets[0].load == 105
    assert [s.exercise for s in after.sets] == ["Squat", "Pull-up", "Curl"]
    assert after.sets[1].load is None
    assert (after.started_at, after.duration_min, after.rpe) == (before.started_at, 50, 7)
    assert (after.avg_hr, after.distance_km, after.notes) == (128, 3.2, "Felt strong")


def test_opening_and_saving_an_imported_workout_changes_nothing(qtbot, services, open_dialog):
    services.training.add_workout(
        workout(local(6, 45), minutes=32.6, rpe=None, distance_km=5.1234, max_hr=171)
    )
    [before] = services.training.list_workouts()
    dialog = open_dialog(services, workout=before)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [after] = services.training.list_workouts()
    assert after == before


def test_every_input_has_an_accessible_name(qtbot, services, open_dialog):
    dialog = open_dialog(services)
    choose(qtbot, dialog.kind, "R")
    row = dialog.exercises.rows[0]
    widgets = [dialog.start, dialog.duration, dialog.kind, dialog.activity, dialog.rpe]
    widgets += [dialog.avg_hr, dialog.distance, dialog.notes, dialog.save_button]
    widgets += [row.name, row.sets, row.reps, row.load, row.unit, row.remove]
    widgets.append(dialog.exercises.add_button)
    assert all(w.accessibleName() for w in widgets)
