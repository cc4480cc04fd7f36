"""The preferences dialog, built from the declarations in journal.settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from journal.services.maintenance import MaintenanceService, explain_failure, retention_from
from journal.settings import SETTINGS, Setting
from journal.ui.preferences import Preferences

# Typed by the user before every entry and backup is deleted: hard to type by accident.
DELETE_PHRASE = "delete my data"

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

    def __init__(
        self,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        maintenance: MaintenanceService | None = None,
        quit_app: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.maintenance = maintenance
        # Restoring and deleting happen with the journal closed: the app quits its window,
        # carries out maintenance.pending and reopens.
        self.quit_app = quit_app or (lambda: QCoreApplication.exit(0))
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
        if maintenance is not None:
            layout.addWidget(self._backups_box())
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

    def _backups_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(_plain("Backups of this journal (newest first):"))
        self.backup_list = QListWidget()
        self.backup_list.setObjectName("backupList")
        self.backup_list.setAccessibleName("Backups")
        self.backup_list.setMinimumHeight(110)
        column.addWidget(self.backup_list)
        row = QHBoxLayout()
        self.backup_now_button = QPushButton("Back up now")
        self.backup_now_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Restore this backup…")
        self.restore_button.clicked.connect(self.restore_selected)
        self.delete_all_button = QPushButton("Delete all my data…")
        self.delete_all_button.clicked.connect(self.delete_all)
        for button in (self.backup_now_button, self.restore_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.delete_all_button)
        column.addLayout(row)
        self.backup_list.currentRowChanged.connect(lambda r: self.restore_button.setEnabled(r >= 0))
        self.refresh_backups()
        return box

    def refresh_backups(self) -> None:
        assert self.maintenance is not None
        self.backup_list.clear()
        for info in self.maintenance.backups():
            item = QListWidgetItem(info.label)
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            self.backup_list.addItem(item)
        if self.backup_list.count():
            self.backup_list.setCurrentRow(0)
        self.restore_button.setEnabled(self.backup_list.currentRow() >= 0)

    def _fail(self, exc: Exception) -> None:
        message = explain_failure(exc) or f"That did not work: {exc}"
        box = QMessageBox(QMessageBox.Icon.Warning, "Backups", message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def backup_now(self) -> None:
        assert self.maintenance is not None
        try:
            self.maintenance.backup_now(retention=retention_from(self.prefs.get))
        except Exception as exc:  # shown to the user; the journal itself is unaffected
            self._fail(exc)
        self.refresh_backups()

    def confirm_restore(self, label: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore a backup",
            f"Restore the backup from {label}?\n\nThe journal as it is now is backed up "
            "first, so this can be undone by restoring that backup. The window closes and "
            "reopens on the restored journal.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.exec()
        return box.clickedButton() is restore

    def restore_selected(self) -> None:
        assert self.maintenance is not None
        item = self.backup_list.currentItem()
        if item is None or not self.confirm_restore(item.text()):
            return
        self.maintenance.request_restore(Path(str(item.data(Qt.ItemDataRole.UserRole))))
        super().reject()  # the other preferences on screen are not saved by a restore
        self.quit_app()

    def confirm_delete_all(self) -> bool:
        dialog = DeleteAllDialog(self)
        return bool(dialog.exec())

    def delete_all(self) -> None:
        assert self.maintenance is not None
        if not self.confirm_delete_all():
            return
        self.maintenance.request_delete_all()
        self.prefs.reset()  # the profile (name, date of birth) is the user's data too
        super().reject()
        self.quit_app()

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


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class DeleteAllDialog(QDialog):
    """Deleting everything needs the phrase typed in full; the button stays off until then."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete all my data")
        layout = QVBoxLayout(self)
        layout.addWidget(
            _plain(
                "This deletes the journal (every lab result, workout, walk, glucose reading "
                "and question), every backup of it and your profile settings from this "
                "computer. It cannot be undone. Copies you saved elsewhere are not touched."
            )
        )
        layout.addWidget(_plain(f"To go ahead, type: {DELETE_PHRASE}"))
        self.phrase = QLineEdit()
        self.phrase.setAccessibleName("Confirmation phrase")
        layout.addWidget(self.phrase)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton(
            "Delete everything", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.phrase.textChanged.connect(
            lambda text: self.delete_button.setEnabled(text.strip().lower() == DELETE_PHRASE)
        )
        layout.addWidget(buttons)
