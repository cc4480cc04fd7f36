"""The workout dialog: one session's time, kind, effort and, for strength work, its exercises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from journal.domain.entities import LoadUnit, ResistanceSet, Workout, WorkoutKind
from journal.services.changes import Change, Entity
from journal.services.journal import JournalServices
from journal.services.training import RPE_WORDS
from journal.ui.widgets.forms import (
    DateTimeEdit,
    FieldErrors,
    error_label,
    field_box,
    from_qdatetime,
    hint_label,
    plain_label,
    same_minute,
    sentence,
    to_qdatetime,
)

KINDS: tuple[tuple[str, WorkoutKind], ...] = (
    ("Aerobic", WorkoutKind.AEROBIC),
    ("Resistance", WorkoutKind.RESISTANCE),
    ("HIIT", WorkoutKind.HIIT),
    ("Combined", WorkoutKind.COMBINED),
    ("Other", WorkoutKind.OTHER),
)
# Only these kinds keep their exercises. Sets typed under another kind stay in the editor while
# the dialog is open, so flipping the kind back loses nothing, but are not saved: strength days
# are counted by kind, so sets on an aerobic session would count nowhere and only mislead.
STRENGTH_KINDS = frozenset({WorkoutKind.RESISTANCE, WorkoutKind.COMBINED})
ACTIVITIES = (
    "Walking",
    "Cycling",
    "Running",
    "Swimming",
    "Strength training",
    "Yoga",
    "Pilates",
    "Rowing",
    "Hiking",
    "Elliptical",
    "Dancing",
    "Circuit training",
)
EXERCISES = (
    "Squat",
    "Deadlift",
    "Romanian deadlift",
    "Bench press",
    "Overhead press",
    "Barbell row",
    "Dumbbell row",
    "Lat pulldown",
    "Pull-up",
    "Push-up",
    "Lunge",
    "Leg press",
    "Hip thrust",
    "Biceps curl",
    "Triceps extension",
    "Calf raise",
    "Plank",
)
DEFAULT_DURATION_MIN = 45
DEFAULT_SETS = 3
DEFAULT_REPS = 10
NOT_RATED = -1
MAX_VISIBLE_EXERCISES = 6

FIELD_NAMES = {
    "started_at": "The start time",
    "duration_min": "Duration",
    "kind": "The kind of workout",
    "activity": "The activity",
    "rpe": "Effort",
    "avg_hr": "Average heart rate",
    "max_hr": "Maximum heart rate",
    "distance_km": "Distance",
    "energy_kcal": "Energy",
    "notes": "The note",
}
SET_FIELD_NAMES = {
    "exercise": "The exercise name",
    "sets": "Sets",
    "reps": "Reps",
    "load": "The load",
    "load_unit": "The unit",
}


class DecimalSpinBox(QDoubleSpinBox):
    """A locale-aware decimal field that shows 22.5 rather than 22.50."""

    def textFromValue(self, value: float) -> str:
        locale = self.locale()
        text = locale.toString(value, "f", self.decimals())
        text = text.replace(locale.groupSeparator(), "")
        point = locale.decimalPoint()
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text


class ExerciseRow(QWidget):
    """One exercise: name, sets, reps, load and its unit, with its own error line."""

    remove_requested = Signal(object)

    def __init__(self, item: ResistanceSet | None, unit: LoadUnit) -> None:
        super().__init__()
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Squat")
        completer = QCompleter(list(EXERCISES), self.name)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.name.setCompleter(completer)
        self.sets = QSpinBox()
        self.sets.setRange(0, 100)
        self.reps = QSpinBox()
        self.reps.setRange(0, 1000)
        self.load = DecimalSpinBox()
        self.load.setRange(0, 1000)
        self.load.setDecimals(2)
        self.load.setSpecialValueText("none")
        self.unit = QComboBox()
        for u in LoadUnit:
            self.unit.addItem(u.value, u.value)
        self.remove = QPushButton("Remove")
        self.remove.setAutoDefault(False)  # Enter anywhere saves the workout, never removes a row
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.error = error_label()

        self.sets.setValue(item.sets if item else DEFAULT_SETS)
        self.reps.setValue(item.reps if item else DEFAULT_REPS)
        self.load.setValue(item.load if item and item.load is not None else 0)
        self.unit.setCurrentIndex(self.unit.findData((item.load_unit if item else unit).value))
        self.name.setText(item.exercise if item else "")

        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.name, 1)
        for widget, width in self.column_widths(self):
            widget.setFixedWidth(width)
            line.addWidget(widget)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(line)
        column.addWidget(self.error)

    @staticmethod
    def column_widths(row: ExerciseRow) -> list[tuple[QWidget, int]]:
        """The fixed-width columns, so the header above can line up with them."""
        digits = row.fontMetrics().horizontalAdvance("0")
        return [
            (row.sets, max(row.sets.sizeHint().width(), digits * 7)),
            (row.reps, max(row.reps.sizeHint().width(), digits * 7)),
            (row.load, max(row.load.sizeHint().width(), digits * 9)),
            (row.unit, row.unit.sizeHint().width()),
            (row.remove, row.remove.sizeHint().width()),
        ]

    def number(self, n: int) -> None:
        self.name.setAccessibleName(f"Exercise {n} name")
        self.sets.setAccessibleName(f"Exercise {n} sets")
        self.reps.setAccessibleName(f"Exercise {n} reps")
        self.load.setAccessibleName(f"Exercise {n} load")
        self.unit.setAccessibleName(f"Exercise {n} load unit")
        self.remove.setAccessibleName(f"Remove exercise {n}")
        self.error.setAccessibleName(f"Exercise {n}: problem")

    def is_blank(self) -> bool:
        """Added but never filled in: such a row is left out rather than reported."""
        return (
            not self.name.text().strip()
            and self.sets.value() == DEFAULT_SETS
            and self.reps.value() == DEFAULT_REPS
            and self.load.value() == 0
        )

    def value(self) -> ResistanceSet:
        load = self.load.value()
        return ResistanceSet(
            exercise=self.name.text(),
            sets=self.sets.value(),
            reps=self.reps.value(),
            load=None if load == 0 else load,
            load_unit=LoadUnit(self.unit.currentData()),
        )

    def show_error(self, text: str) -> None:
        self.error.setText(f"{self.error.text()}\n{text}" if self.error.text() else text)
        self.error.show()
        self.name.setAccessibleDescription(self.error.text())

    def clear_error(self) -> None:
        self.error.clear()
        self.error.hide()
        self.name.setAccessibleDescription("")


class ExerciseEditor(QWidget):
    """Rows of exercises with Add exercise and per-row Remove; scrolls beyond a few rows."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ExerciseRow] = []
        # The fixed point the rows' focus chain hangs from (see _renumber). setTabOrder ignores a
        # widget that takes no focus, so it takes Tab focus but stays hidden and is never reached.
        self._tab_anchor = QWidget(self)
        self._tab_anchor.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._tab_anchor.hide()
        self._header_box = QWidget()
        self._header = QHBoxLayout(self._header_box)
        self._header.setContentsMargins(0, 0, 0, 0)
        self._rows_box = QWidget()
        self._rows_layout = QVBoxLayout(self._rows_box)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        self._rows_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self._rows_box)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.add_button = QPushButton("&Add exercise")
        self.add_button.setAutoDefault(False)
        self.add_button.setAccessibleName("Add exercise")
        self.add_button.clicked.connect(self._add_clicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._header_box)
        layout.addWidget(self.scroll)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._build_header()
        self.fit()

    def _build_header(self) -> None:
        sample = ExerciseRow(None, LoadUnit.KG)
        self._header.addWidget(self._heading("Exercise"), 1)
        texts = ("Sets", "Reps", "Load", "Unit", "")
        spacing = sample.layout().spacing()
        for (_, width), text in zip(sample.column_widths(sample), texts, strict=True):
            label = self._heading(text)
            label.setFixedWidth(width)
            self._header.addWidget(label)
        self._header.setSpacing(spacing)
        sample.deleteLater()

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = plain_label(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def add_row(self, item: ResistanceSet | None = None) -> ExerciseRow:
        # A new row takes the unit of the one above: people lift in one unit.
        unit = LoadUnit(self.rows[-1].unit.currentData()) if self.rows else LoadUnit.KG
        row = ExerciseRow(item, unit)
        row.remove_requested.connect(self.remove_row)
        self._rows_layout.insertWidget(len(self.rows), row)
        # A layout shows a new child only on the next event-loop pass; Tab and focus need it now.
        row.show()
        self.rows.append(row)
        self._renumber()
        self.fit()
        return row

    def _add_clicked(self) -> None:
        row = self.add_row()
        row.name.setFocus()
        self.scroll.ensureWidgetVisible(row)

    def remove_row(self, row: ExerciseRow) -> None:
        index = self.rows.index(row)
        self.rows.remove(row)
        row.hide()
        self._rows_layout.removeWidget(row)
        row.deleteLater()
        self._renumber()
        self.fit()
        # Keep the keyboard user in the list instead of dropping focus to the dialog.
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)].name.setFocus()
        else:
            self.add_button.setFocus()

    def _renumber(self) -> None:
        for n, row in enumerate(self.rows, start=1):
            row.number(n)
        # Rows join the window after its buttons; thread them back between header and Add.
        chain: list[QWidget] = [self._tab_anchor]
        for row in self.rows:
            chain += [row.name, row.sets, row.reps, row.load, row.unit, row.remove]
        chain.append(self.add_button)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def fit(self) -> None:
        # Grow with the rows up to a few, then scroll, so the dialog never outgrows a laptop screen.
        shown = self.rows[:MAX_VISIBLE_EXERCISES]
        spacing = self._rows_layout.spacing()
        height = sum(r.sizeHint().height() for r in shown) + spacing * max(len(shown) - 1, 0)
        self.scroll.setFixedHeight(max(height, 0))
        # Once the rows scroll, the scroll bar narrows them; the header must narrow alike.
        scrolls = len(self.rows) > MAX_VISIBLE_EXERCISES
        bar = self.scroll.verticalScrollBar().sizeHint().width() if scrolls else 0
        self._header.setContentsMargins(0, 0, bar, 0)
        self.scroll.setVisible(bool(self.rows))
        self._header_box.setVisible(bool(self.rows))
        self._rows_box.adjustSize()

    def entries(self) -> list[tuple[int, ResistanceSet]]:
        """(row index, set) for every row that holds something, in order."""
        return [(i, row.value()) for i, row in enumerate(self.rows) if not row.is_blank()]

    def has_data(self) -> bool:
        return any(not row.is_blank() for row in self.rows)

    def clear_errors(self) -> None:
        for row in self.rows:
            row.clear_error()
        self.fit()


class WorkoutDialog(FieldErrors, QDialog):
    """Add or edit one workout; `change` and `saved_workout` are set when it was saved."""

    field_names = FIELD_NAMES

    def __init__(
        self,
        services: JournalServices,
        *,
        workout: Workout | None = None,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.change: Change | None = None
        self.saved_workout: Workout | None = None
        self._error_rows: list[int] = []  # the table row of each set in the last save
        self._original = workout
        self._now = now or services.clock
        # A new workout is usually logged just after it ended, so until the user sets the start
        # the start follows the duration and the end stays at "now".
        self._start_follows_duration = workout is None
        self._moving_start = False
        self._end_anchor: datetime | None = None
        self.setWindowTitle("Edit workout" if workout else "New workout")
        self._build()
        self._fill(workout)
        self._on_kind_changed()
        self._update_effort()
        self.start.setFocus()

    # Building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._form = form
        self._errors: dict[str, QLabel] = {}
        self._inputs: dict[str, QWidget] = {}

        self.start = DateTimeEdit()
        self.start.dateTimeChanged.connect(self._on_start_changed)
        self._add_row(form, "&Start", "started_at", self.start, "Start")

        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)
        self.duration.setSuffix(" min")
        self.duration.valueChanged.connect(self._on_duration_changed)
        self._add_row(form, "&Duration", "duration_min", self.duration, "Duration in minutes")

        self.kind = QComboBox()
        for text, kind in KINDS:
            self.kind.addItem(text, kind.value)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._add_row(form, "&Kind", "kind", self.kind, "Kind of workout")

        self.activity = QComboBox()
        self.activity.setEditable(True)
        self.activity.addItems(ACTIVITIES)
        # Typing a new activity must not grow the suggestion list on Enter (which also saves).
        self.activity.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line_edit = self.activity.lineEdit()
        line_edit.setPlaceholderText("e.g. Cycling (optional)")
        line_edit.setAccessibleName("Activity")
        self._add_row(form, "&Activity", "activity", self.activity, "Activity")

        self.rpe = QSpinBox()
        self.rpe.setRange(NOT_RATED, 10)
        self.rpe.setSpecialValueText("not rated")
        self.rpe.setToolTip("How hard the whole session felt, from 0 (rest) to 10 (maximal).")
        self.rpe.valueChanged.connect(self._update_effort)
        self.rpe_word = plain_label()
        self.rpe_word.setAccessibleName("Effort in words")
        effort = QWidget()
        effort_line = QHBoxLayout(effort)
        effort_line.setContentsMargins(0, 0, 0, 0)
        effort_line.addWidget(self.rpe)
        effort_line.addWidget(self.rpe_word, 1)
        self.load_label = plain_label()
        self.load_label.setAccessibleName("Session load")
        self._add_row(
            form, "&Effort (RPE 0–10)", "rpe", self.rpe, "Effort, RPE 0 to 10", shown=effort
        )
        form.addRow("", self.load_label)

        self.avg_hr = QSpinBox()
        self.avg_hr.setRange(0, 300)
        self.avg_hr.setSuffix(" bpm")
        self.avg_hr.setSpecialValueText("not recorded")
        self._add_row(form, "Average &heart rate", "avg_hr", self.avg_hr, "Average heart rate")

        self.distance = DecimalSpinBox()
        self.distance.setRange(0, 1000)
        self.distance.setDecimals(2)
        self.distance.setSuffix(" km")
        self.distance.setSpecialValueText("not recorded")
        self._add_row(form, "D&istance", "distance_km", self.distance, "Distance in kilometres")

        self.exercises = ExerciseEditor()
        self.exercises.setAccessibleName("Exercises")
        self._exercises_label = plain_label("Exercises")
        form.addRow(self._exercises_label, self.exercises)
        self.kept_note = hint_label(
            "Exercises are saved only with a resistance or combined workout.\n"
            "The ones you entered stay here until you close this window."
        )
        form.addRow("", self.kept_note)

        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        line = self.notes.fontMetrics().lineSpacing()
        self.notes.setFixedHeight(line * 3 + 12)
        self._add_row(form, "&Notes", "notes", self.notes, "Notes")

        self.general_error = error_label()
        self.general_error.setAccessibleName("Problem saving")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        self.save_button.setAccessibleName("Save workout")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        # One width for every number field, so they line up down the form.
        numbers = (self.duration, self.rpe, self.avg_hr, self.distance)
        width = max(n.sizeHint().width() for n in numbers)
        for n in numbers:
            n.setMinimumWidth(width)

        body = QWidget()
        body.setLayout(form)
        # Room for an exercise name like "Romanian deadlift" beside the number columns.
        body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 110)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(body)
        layout.addWidget(self.general_error)
        layout.addSpacing(4)
        layout.addWidget(self.buttons)

    def _add_row(
        self,
        form: QFormLayout,
        text: str,
        field: str,
        widget: QWidget,
        accessible: str,
        *,
        shown: QWidget | None = None,
    ) -> None:
        label = plain_label(text)
        label.setBuddy(widget)
        widget.setAccessibleName(accessible)
        error = error_label()
        error.setAccessibleName(f"{accessible}: problem")
        form.addRow(label, field_box(widget, error, shown=shown))
        self._errors[field] = error
        self._inputs[field] = widget

    def _fill(self, workout: Workout | None) -> None:
        if workout is None:
            now = self._now().astimezone().replace(second=0, microsecond=0)
            self._end_anchor = now - timedelta(minutes=now.minute % 5)
            self.duration.setValue(DEFAULT_DURATION_MIN)  # also moves the start
            self.rpe.setValue(NOT_RATED)
            self.activity.setCurrentIndex(-1)
            return
        self._moving_start = True
        self.start.setDateTime(to_qdatetime(workout.started_at))
        self._moving_start = False
        self.duration.setValue(round(workout.duration_min))
        for item in workout.sets:
            self.exercises.add_row(item)
        self.kind.setCurrentIndex(self.kind.findData(workout.kind.value))
        self.activity.setCurrentIndex(-1)
        self.activity.setEditText(workout.activity or "")
        self.rpe.setValue(NOT_RATED if workout.rpe is None else workout.rpe)
        self.avg_hr.setValue(workout.avg_hr or 0)
        self.distance.setValue(workout.distance_km or 0)
        self.notes.setPlainText(workout.notes or "")

    # Live feedback ----------------------------------------------------------------------------

    def _on_start_changed(self) -> None:
        if not self._moving_start:
            self._start_follows_duration = False

    def _on_duration_changed(self, minutes: int) -> None:
        if self._start_follows_duration and self._end_anchor is not None:
            self._moving_start = True
            self.start.setDateTime(to_qdatetime(self._end_anchor - timedelta(minutes=minutes)))
            self._moving_start = False
        self._update_effort()

    def _on_kind_changed(self) -> None:
        strength = WorkoutKind(self.kind.currentData()) in STRENGTH_KINDS
        if strength and not self.exercises.rows:
            self.exercises.add_row()
        self.exercises.setVisible(strength)
        hidden_with_data = not strength and self.exercises.has_data()
        self._form.setRowVisible(self.kept_note, hidden_with_data)
        self._form.setRowVisible(self.exercises, strength)
        self.adjustSize()

    def _update_effort(self) -> None:
        rpe = self.rpe.value()
        minutes = self.duration.value()
        if rpe == NOT_RATED:
            self.rpe_word.setText("How hard did the whole session feel?")
            self.load_label.setText("Session load: rate the effort to see it")
        else:
            self.rpe_word.setText(RPE_WORDS[rpe])
            self.load_label.setText(f"Session load: {rpe * minutes} (RPE {rpe} × {minutes} min)")
        self.rpe.setAccessibleDescription(self.rpe_word.text())

    # Saving -----------------------------------------------------------------------------------

    def workout(self) -> tuple[Workout, list[int]]:
        """The workout the fields describe (not yet validated), and which row each set came from."""
        kind = WorkoutKind(self.kind.currentData())
        entries = self.exercises.entries() if kind in STRENGTH_KINDS else []
        started = from_qdatetime(self.start.dateTime())
        duration: float = self.duration.value()
        distance: float | None = self.distance.value() or None
        original = self._original
        if original is not None:
            # Values shown rounded (seconds, fractions of a minute or a metre) are kept exactly
            # as they were unless the user changed them: opening and saving never alters a record.
            if same_minute(started, original.started_at.astimezone()):
                started = original.started_at
            if duration == round(original.duration_min):
                duration = original.duration_min
            if (
                original.distance_km is not None
                and distance is not None
                and round(original.distance_km, 2) == distance
            ):
                distance = original.distance_km
        rpe = self.rpe.value()
        values = {
            "started_at": started,
            "duration_min": duration,
            "kind": kind,
            "activity": self.activity.currentText(),
            "rpe": None if rpe == NOT_RATED else rpe,
            "avg_hr": self.avg_hr.value() or None,
            "distance_km": distance,
            "notes": self.notes.toPlainText(),
            "sets": tuple(s for _, s in entries),
        }
        workout = replace(original, **values) if original else Workout(**values)
        return workout, [i for i, _ in entries]

    def save(self) -> None:
        workout, rows = self.workout()
        self._error_rows = rows  # which table row each set came from

        def call() -> tuple[Change, int]:
            if workout.id is None:
                change = self.services.training.add_workout(workout)
                return change, change.first_added(Entity.WORKOUT)
            return self.services.training.update_workout(workout), workout.id

        outcome = self._attempt(call)
        if outcome is not None:
            self.change, workout_id = outcome
            self.saved_workout = self.services.training.get_workout(workout_id)
            self.accept()

    def _clear_errors(self) -> None:
        super()._clear_errors()
        self.exercises.clear_errors()
        self._update_effort()

    def _place_error(self, field: str, message: str) -> QWidget | None:
        """A set's problem goes beside that set's row in the exercises table."""
        where, _, name = field.partition(".")
        if not (where.startswith("sets[") and name):
            return None
        row = self.exercises.rows[self._error_rows[int(where[5:-1])]]
        row.show_error(sentence(name, message, SET_FIELD_NAMES))
        widget: QWidget = getattr(row, "unit" if name == "load_unit" else name, row.name)
        return widget

    def _errors_placed(self) -> None:
        self.exercises.fit()
