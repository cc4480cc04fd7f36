"""Journal health in plain words: Help → Check journal, and prompts for a damaged or lost file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journal import APP_NAME
from journal.services.maintenance import BackupInfo, CheckResult, MaintenanceService

LOCATION_WARNED_KEY = "warnings/location_warned_for"


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class CheckJournalDialog(QDialog):
    """Runs the integrity and link checks when opened and says what they found."""

    def __init__(self, maintenance: MaintenanceService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check journal")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.result: CheckResult = maintenance.check()
        finally:
            QApplication.restoreOverrideCursor()
        heading = "No problems found" if self.result.ok else "Problems found"
        self.heading = _label(heading)
        self.heading.setObjectName("sectionTitle")
        self.message = _label(self.result.summary())
        self.message.setObjectName("checkSummary")
        layout.addWidget(self.heading)
        layout.addWidget(self.message)
        if not self.result.ok:
            details = QListWidget()
            details.setObjectName("checkDetails")
            for line in self.result.integrity[:20]:
                if line != "ok":
                    details.addItem(line)
            layout.addWidget(details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class RecoveryDialog(QDialog):
    """The journal cannot be opened as it is: restore a backup, or (if offered) start anew."""

    def __init__(
        self,
        message: str,
        backups: list[BackupInfo],
        *,
        fresh_label: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setMinimumWidth(560)
        self.choice: tuple[str, Path | None] | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(_label(message))
        self.backup_list = QListWidget()
        self.backup_list.setAccessibleName("Backups")
        for info in backups:
            item = QListWidgetItem(info.label)
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            self.backup_list.addItem(item)
        buttons = QDialogButtonBox()
        self.restore_button: QPushButton | None = None
        if backups:
            layout.addWidget(_label("Choose a backup (the newest is first):"))
            layout.addWidget(self.backup_list)
            self.backup_list.setCurrentRow(0)
            self.restore_button = buttons.addButton(
                "Restore this backup", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.restore_button.clicked.connect(self._restore)
        else:
            layout.addWidget(_label("There is no backup of this journal."))
        self.fresh_button: QPushButton | None = None
        if fresh_label:
            self.fresh_button = buttons.addButton(
                fresh_label, QDialogButtonBox.ButtonRole.DestructiveRole
            )
            self.fresh_button.clicked.connect(self._fresh)
        quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _restore(self) -> None:
        item = self.backup_list.currentItem()
        if item is not None:
            self.choice = ("restore", Path(str(item.data(Qt.ItemDataRole.UserRole))))
            self.accept()

    def _fresh(self) -> None:
        self.choice = ("fresh", None)
        self.accept()


def ask_damaged(message: str, backups: list[BackupInfo]) -> tuple[str, Path | None] | None:
    """The journal is damaged: restore a backup (it is moved aside first) or keep it and quit."""
    text = (
        f"{message}\n\nThe damaged file will be kept beside the journal with '.damaged' added to "
        "its name; nothing is deleted."
    )
    dialog = RecoveryDialog(text, backups, fresh_label="Keep it aside and start an empty journal")
    return dialog.choice if dialog.exec() else None


def ask_missing(data_dir: str, backups: list[BackupInfo]) -> tuple[str, Path | None] | None:
    """The journal file is gone but backups exist: offer them before anything empty is made."""
    text = (
        f"The journal file is missing from {data_dir}, but backups of it are there. "
        "Restore one to carry on where you left off."
    )
    dialog = RecoveryDialog(text, backups, fresh_label="Start an empty journal")
    return dialog.choice if dialog.exec() else None


def warn_location_once(
    parent: QWidget, warning: str | None, data_dir: str, settings: QSettings
) -> QMessageBox | None:
    """Show the risky-location warning the first time a journal folder is used."""
    if not warning or settings.value(LOCATION_WARNED_KEY, "") == data_dir:
        return None
    settings.setValue(LOCATION_WARNED_KEY, data_dir)
    settings.sync()
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, warning, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setObjectName("locationWarning")
    box.open()  # window-modal, without a nested event loop; the parent owns the box
    return box
