"""The quick-add walk dialog: after a meal, one shortcut and Enter log the walk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from journal.domain.entities import Meal, PostMealWalk, WalkKind
from journal.domain.walks import DEFAULT_TARGET_DELAY_MIN, guess_meal
from journal.services.changes import Change, Entity
from journal.services.journal import JournalServices
from journal.ui.widgets.forms import (
    WARNING_STYLE,
    DateTimeEdit,
    FieldErrors,
    error_label,
    field_box,
    from_qdatetime,
    hint_label,
    plain_label,
    same_minute,
    to_qdatetime,
)

# How each field the service names is called in a sentence shown to the user.
FIELD_NAMES = {
    "meal": "The meal",
    "meal_ended_at": "The meal's end time",
    "started_at": "The walk's start time",
    "duration_min": "Duration",
    "kind": "The kind of walk",
    "pace_kmh": "Pace",
    "distance_km": "Distance",
    "notes": "The note",
}

MEALS: tuple[tuple[str, Meal], ...] = (
    ("Breakfast", Meal.BREAKFAST),
    ("Lunch", Meal.LUNCH),
    ("Dinner", Meal.DINNER),
    ("Snack", Meal.SNACK),
)
KINDS: tuple[tuple[str, WalkKind], ...] = (
    ("Walk", WalkKind.WALK),
    ("Seated calf raises", WalkKind.CALF_RAISES),
    ("Other", WalkKind.OTHER),
)
# Rough speeds, not measurements: few people know their pace, and a brisk, conversational walk
# is about 4.8–5.6 km/h (3.0–3.5 mph; clinical.md §4), so "about 5" stands for it. The exact
# number stored is only a round stand-in for the word the user chose.
PACES: tuple[tuple[str, float | None], ...] = (
    ("Easy (about 4 km/h)", 4.0),
    ("Brisk but conversational (about 5 km/h)", 5.0),
    ("Fast (about 6 km/h)", 6.0),
    ("Not recorded", None),
)
DEFAULT_PACE = 5.0
DEFAULT_DURATION_MIN = 15
DEFAULT_MEAL_GAP = timedelta(minutes=10)


def format_minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


class WalkDialog(FieldErrors, QDialog):
    """Add or edit one post-meal walk; `change` and `saved_walk` are set when it was saved."""

    field_names = FIELD_NAMES

    def __init__(
        self,
        services: JournalServices,
        *,
        walk: PostMealWalk | None = None,
        now: Callable[[], datetime] | None = None,
        target_delay_min: int = DEFAULT_TARGET_DELAY_MIN,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.change: Change | None = None
        self.saved_walk: PostMealWalk | None = None
        self._original = walk
        self._now = now or services.clock
        self._target_delay_min = target_delay_min
        # Once the user picks a meal, changing the meal's time must not overrule them.
        self._meal_chosen = walk is not None
        self.setWindowTitle("Edit walk" if walk else "New walk")
        self._build()
        self._fill(walk)
        self._update_delay()
        self._update_pace_enabled()
        # Tom's flow: shortcut, Enter. Enter on the first field reaches the default Save button.
        self.meal.setFocus()

    # Building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._errors: dict[str, QLabel] = {}
        self._inputs: dict[str, QWidget] = {}

        self.meal = QComboBox()
        for text, meal in MEALS:
            self.meal.addItem(text, meal.value)
        self.meal.activated.connect(self._on_meal_chosen)
        self._add_row(form, "&Meal", "meal", self.meal, "Meal")

        self.meal_ended = DateTimeEdit()
        self.meal_ended.dateTimeChanged.connect(self._on_meal_time_changed)
        self._add_row(form, "Meal &ended at", "meal_ended_at", self.meal_ended, "Meal ended at")

        self.started = DateTimeEdit()
        self.started.dateTimeChanged.connect(self._update_delay)
        self.delay_label = plain_label()
        self.delay_label.setAccessibleName("Time between meal and walk")
        name = "Walk started at"
        self._add_row(
            form, "Walk &started at", "started_at", self.started, name, extra=self.delay_label
        )

        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSuffix(" min")
        self._add_row(form, "&Duration", "duration_min", self.duration, "Duration in minutes")

        self.kind = QComboBox()
        for text, kind in KINDS:
            self.kind.addItem(text, kind.value)
        self.kind.currentIndexChanged.connect(self._update_pace_enabled)
        self._add_row(form, "&Kind", "kind", self.kind, "Kind of walk")

        self.pace = QComboBox()
        for text, pace in PACES:
            self.pace.addItem(text, pace)
        self.pace.setToolTip("Rough guides, not measurements.")
        pace_hint = hint_label("Approximate speeds. At a brisk pace you can talk but not sing.")
        self._add_row(form, "&Pace", "pace_kmh", self.pace, "Pace", extra=pace_hint)

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
        self.save_button.setAccessibleName("Save walk")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        hint = hint_label("Enter saves")
        bottom = QHBoxLayout()
        bottom.addWidget(hint)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        body = QWidget()
        body.setLayout(form)
        # Wide enough for the longest live message on one line, next to the field labels.
        body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(body)
        layout.addWidget(self.general_error)
        layout.addSpacing(4)
        layout.addLayout(bottom)

    def _add_row(
        self,
        form: QFormLayout,
        text: str,
        field: str,
        widget: QWidget,
        accessible: str,
        *,
        extra: QWidget | None = None,
    ) -> None:
        label = plain_label(text)
        label.setBuddy(widget)
        widget.setAccessibleName(accessible)
        error = error_label()
        error.setAccessibleName(f"{accessible}: problem")
        below = (extra, error) if extra is not None else (error,)
        form.addRow(label, field_box(widget, *below))
        self._errors[field] = error
        self._inputs[field] = widget

    def _fill(self, walk: PostMealWalk | None) -> None:
        if walk is None:
            started = self._now().astimezone().replace(second=0, microsecond=0)
            ended = started - DEFAULT_MEAL_GAP
            meal = guess_meal(ended.time())
            duration = DEFAULT_DURATION_MIN
            kind, pace, notes = WalkKind.WALK, DEFAULT_PACE, ""
        else:
            started, ended, meal = walk.started_at, walk.meal_ended_at, walk.meal
            duration = round(walk.duration_min)
            kind, pace, notes = walk.kind, walk.pace_kmh, walk.notes or ""
        self.meal_ended.setDateTime(to_qdatetime(ended))
        self.started.setDateTime(to_qdatetime(started))
        self.meal.setCurrentIndex(self.meal.findData(meal.value))
        self.duration.setValue(duration)
        self.kind.setCurrentIndex(self.kind.findData(kind.value))
        index = next((i for i, (_, p) in enumerate(PACES) if p == pace), None)
        if index is None:
            # A pace from elsewhere (an import, say) is kept as it was rather than rounded.
            label = f"About {QLocale().toString(float(pace or 0), 'f', 1)} km/h (as recorded)"
            self.pace.addItem(label, pace)
            index = self.pace.count() - 1
        self.pace.setCurrentIndex(index)
        self.notes.setPlainText(notes)

    # Live feedback ----------------------------------------------------------------------------

    def _on_meal_chosen(self, _index: int) -> None:
        self._meal_chosen = True

    def _on_meal_time_changed(self) -> None:
        if not self._meal_chosen:
            ended = from_qdatetime(self.meal_ended.dateTime())
            self.meal.setCurrentIndex(self.meal.findData(guess_meal(ended.time()).value))
        self._update_delay()

    def delay_minutes(self) -> int:
        """Whole minutes from the meal's end to the walk's start, as the fields now say."""
        ended = from_qdatetime(self.meal_ended.dateTime())
        started = from_qdatetime(self.started.dateTime())
        return round((started - ended).total_seconds() / 60)

    def _update_delay(self) -> None:
        delay = self.delay_minutes()
        warn = delay < 0
        if warn:
            text = "The walk starts before the meal ended — check the times"
        elif delay == 0:
            text = "Started right after eating"
        else:
            text = f"Started {format_minutes(delay)} after eating"
        if 0 <= delay <= self._target_delay_min:
            text += f" — within your {self._target_delay_min}-minute target"
        self.delay_label.setText(text)
        self.delay_label.setStyleSheet(WARNING_STYLE if warn else "")
        self.started.setAccessibleDescription(text)

    def _update_pace_enabled(self) -> None:
        # Calf raises are done sitting down; a walking pace would be meaningless there.
        self.pace.setEnabled(self.kind.currentData() != WalkKind.CALF_RAISES.value)

    # Saving -----------------------------------------------------------------------------------

    def walk(self) -> PostMealWalk:
        """The walk as the fields now describe it (not yet validated)."""
        ended = from_qdatetime(self.meal_ended.dateTime())
        started = from_qdatetime(self.started.dateTime())
        duration: float = self.duration.value()
        pace: float | None = self.pace.currentData() if self.pace.isEnabled() else None
        original = self._original
        if original is not None:
            # Values shown rounded (seconds, fractions of a minute) are kept exactly as they
            # were unless the user changed them, so opening and saving never alters a record.
            if same_minute(ended, original.meal_ended_at.astimezone()):
                ended = original.meal_ended_at
            if same_minute(started, original.started_at.astimezone()):
                started = original.started_at
            if duration == round(original.duration_min):
                duration = original.duration_min
        values = {
            "meal": Meal(self.meal.currentData()),
            "meal_ended_at": ended,
            "started_at": started,
            "duration_min": duration,
            "kind": WalkKind(self.kind.currentData()),
            "pace_kmh": pace,
            "notes": self.notes.toPlainText(),
        }
        if original is not None:
            return replace(original, **values)
        return PostMealWalk(**values)

    def save(self) -> None:
        walk = self.walk()

        def call() -> tuple[Change, int]:
            if walk.id is None:
                change = self.services.walks.add_walk(walk)
                return change, change.first_added(Entity.WALK)
            return self.services.walks.update_walk(walk), walk.id

        outcome = self._attempt(call)
        if outcome is not None:
            self.change, walk_id = outcome
            self.saved_walk = self.services.walks.get_walk(walk_id)
            self.accept()

    def _clear_errors(self) -> None:
        super()._clear_errors()
        self._update_delay()
