"""The preferences dialog, built from the declarations in journal.settings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from journal.settings import SETTINGS, Setting
from journal.ui.preferences import Preferences

NOT_SET = "Not set"
# Spin boxes need some range; these stand in when a declaration gives none.
INT_RANGE = (-1_000_000, 1_000_000)


def _sections() -> dict[str, list[Setting]]:
    """Settings grouped by section, sections in the order they are first declared."""
    grouped: dict[str, list[Setting]] = {}
    for declared in SETTINGS:
        grouped.setdefault(declared.section, []).append(declared)
    return grouped


def make_editor(declared: Setting) -> QWidget:
    """The widget that edits one setting; a type nobody taught it fails loudly, not silently."""
    if declared.choices:
        combo = QComboBox()
        for value, label in declared.choices.items():
            combo.addItem(label, value)
        return combo
    if declared.type is bool:
        return QCheckBox()
    if declared.type is int:
        spin = QSpinBox()
        low = int(declared.minimum) if declared.minimum is not None else INT_RANGE[0]
        high = int(declared.maximum) if declared.maximum is not None else INT_RANGE[1]
        if declared.optional:
            # One step below the minimum stands for "not set".
            low -= 1
            spin.setSpecialValueText(NOT_SET)
        spin.setRange(low, high)
        spin.setSuffix(declared.suffix)
        return spin
    if declared.type is float:
        dspin = QDoubleSpinBox()
        dspin.setDecimals(1)
        low_f = declared.minimum if declared.minimum is not None else float(INT_RANGE[0])
        high_f = declared.maximum if declared.maximum is not None else float(INT_RANGE[1])
        if declared.optional:
            low_f -= 0.1
            dspin.setSpecialValueText(NOT_SET)
        dspin.setRange(low_f, high_f)
        dspin.setSuffix(declared.suffix)
        return dspin
    if declared.type is str:
        line = QLineEdit()
        line.setClearButtonEnabled(True)
        return line
    raise TypeError(f"no editor for setting {declared.key!r} of type {declared.type.__name__}")


def editor_value(declared: Setting, editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        if declared.optional and editor.value() == editor.minimum():
            return None
        return editor.value()
    if isinstance(editor, QLineEdit):
        return editor.text().strip()
    raise TypeError(f"unexpected editor {type(editor).__name__} for {declared.key!r}")


def set_editor_value(declared: Setting, editor: QWidget, value: Any) -> None:
    if isinstance(editor, QComboBox):
        index = editor.findData(value)
        editor.setCurrentIndex(index if index >= 0 else editor.findData(declared.default))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox):
        editor.setValue(editor.minimum() if value is None else int(value))
    elif isinstance(editor, QDoubleSpinBox):
        editor.setValue(editor.minimum() if value is None else float(value))
    elif isinstance(editor, QLineEdit):
        editor.setText("" if value is None else str(value))


class PreferencesDialog(QDialog):
    """One field per declared setting, grouped by section; OK saves, Cancel discards."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(640)
        self.editors: dict[str, QWidget] = {}
        self.help_labels: dict[str, QLabel] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(14)
        # One form for every section, so that labels and fields line up down the dialog.
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for i, (section, declared_settings) in enumerate(_sections().items()):
            heading = QLabel(section)
            heading.setObjectName("sectionHeading")
            heading.setTextFormat(Qt.TextFormat.PlainText)
            font = heading.font()
            font.setWeight(QFont.Weight.DemiBold)
            font.setPointSizeF(font.pointSizeF() * 1.1)
            heading.setFont(font)
            if i:
                heading.setContentsMargins(0, 10, 0, 0)
            form.addRow(heading)
            for declared in declared_settings:
                form.addRow(*self._row(declared))
        layout.addLayout(form)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.clicked.connect(self._clicked)
        layout.addWidget(self.buttons)
        self._style_help()
        self.load()

    def _row(self, declared: Setting) -> tuple[QLabel, QWidget]:
        editor = make_editor(declared)
        editor.setObjectName(declared.key)
        editor.setAccessibleName(declared.label)
        editor.setMinimumWidth(260)
        self.editors[declared.key] = editor
        label = QLabel(f"{declared.label}:")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setBuddy(editor)
        if not declared.help:
            return label, editor
        editor.setAccessibleDescription(declared.help)
        editor.setToolTip(declared.help)
        help_label = QLabel(declared.help)
        help_label.setObjectName("helpText")
        help_label.setTextFormat(Qt.TextFormat.PlainText)
        help_label.setWordWrap(True)
        font = help_label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        help_label.setFont(font)
        self.help_labels[declared.key] = help_label
        field = QWidget()
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(editor)
        column.addWidget(help_label)
        return label, field

    def _style_help(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        window = palette.color(QPalette.ColorRole.Window)
        # Softer than the label text, yet still above 4.5:1 (the placeholder colour is not).
        muted = text.toRgb()
        muted.setRgbF(
            text.redF() + (window.redF() - text.redF()) * 0.35,
            text.greenF() + (window.greenF() - text.greenF()) * 0.35,
            text.blueF() + (window.blueF() - text.blueF()) * 0.35,
        )
        for label in self.help_labels.values():
            label.setStyleSheet(f"color: {muted.name()};")

    def load(self) -> None:
        """Show the stored values."""
        for declared in SETTINGS:
            set_editor_value(declared, self.editors[declared.key], self.prefs.get(declared.key))

    def values(self) -> dict[str, Any]:
        """The values as currently shown, by key."""
        return {d.key: editor_value(d, self.editors[d.key]) for d in SETTINGS}

    def restore_defaults(self) -> None:
        """Show every default; nothing is saved until OK."""
        for declared in SETTINGS:
            set_editor_value(declared, self.editors[declared.key], declared.default)

    def _clicked(self, button: QAbstractButton) -> None:
        role = self.buttons.buttonRole(button)
        if role is QDialogButtonBox.ButtonRole.ResetRole:
            self.restore_defaults()

    def accept(self) -> None:
        for key, value in self.values().items():
            self.prefs.set(key, value)
        super().accept()
