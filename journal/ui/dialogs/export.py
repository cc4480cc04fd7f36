"""Export: everything as CSV files in a folder, or the lab results as one FHIR JSON file."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from journal.services.exporters import ExportRefusedError, check_target
from journal.ui.context import UiContext
from journal.ui.localzone import local_zone
from journal.ui.tasks import TaskCancelledError, run_with_progress

log = logging.getLogger(__name__)

CSV, FHIR = "csv", "fhir"
PRIVACY_NOTE = (
    "The exported files hold your health data unencrypted. They are readable only by your "
    "user account on this computer; take care where you copy them."
)
FHIR_FILE_NAME = "lab-results.fhir.json"


# --- hooks the tests replace ------------------------------------------------------------------


def ask_folder(parent: QWidget | None) -> Path | None:
    name = QFileDialog.getExistingDirectory(
        parent, "Export everything as CSV into this folder", str(Path.home())
    )
    return Path(name) if name else None


def ask_fhir_file(parent: QWidget | None) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent,
        "Export lab results as FHIR",
        str(Path.home() / FHIR_FILE_NAME),
        "FHIR JSON (*.json);;All files (*)",
    )
    return Path(name) if name else None


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def csv_folder(chosen: Path, today: date) -> Path:
    """Where the CSV files go: the chosen folder when it is empty or holds an earlier export,
    else a new dated folder inside it (people pick Documents, not an empty folder)."""
    try:
        check_target(chosen)
    except ExportRefusedError:
        if not chosen.is_dir():
            raise
    else:
        return chosen
    base = f"Metabolic Journal export {today.isoformat()}"
    candidate = chosen / base
    n = 2
    while candidate.exists():
        candidate = chosen / f"{base} ({n})"
        n += 1
    return candidate


# --- the dialog -------------------------------------------------------------------------------


def written_text(paths: Sequence[Path], target: Path) -> str:
    """The closing message: how many files and where they are."""
    if not paths:
        return f"Nothing was written to {target}: the journal has nothing to export."
    if len(paths) == 1:
        return f"Saved {paths[0].name} in {paths[0].parent}."
    names = "\n".join(f"  {p.name}" for p in paths)
    return f"Saved {len(paths)} files in {target}:\n{names}"


class ExportDialog(QDialog):
    """Pick what to export, then where; the writing runs on the worker with Cancel."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.written: list[Path] = []
        self.setWindowTitle("Export")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What to export:"))
        self.csv_choice = QRadioButton("Everything as CSV (one file per kind, in a folder)")
        self.csv_choice.setToolTip(
            "Lab results, workouts, walks, glucose readings, body measurements and questions; "
            "this app can import the folder again."
        )
        self.fhir_choice = QRadioButton("Lab results as FHIR (one JSON file)")
        self.fhir_choice.setToolTip(
            "A FHIR R4 bundle of observations with LOINC codes, which other health software "
            "can read."
        )
        self.choices = QButtonGroup(self)
        for button in (self.csv_choice, self.fhir_choice):
            self.choices.addButton(button)
            layout.addWidget(button)
        self.csv_choice.setChecked(True)
        note = QLabel(PRIVACY_NOTE)
        note.setWordWrap(True)
        note.setObjectName("privacyNote")
        layout.addSpacing(8)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = QPushButton("Export…")
        self.export_button.setDefault(True)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    @property
    def choice(self) -> str:
        return CSV if self.csv_choice.isChecked() else FHIR

    def export(self) -> bool:
        """Ask where, write on the worker, say where the files are; False if nothing written."""
        csv = self.choice == CSV  # read here: the worker never touches widgets
        chosen = ask_folder(self) if csv else ask_fhir_file(self)
        if chosen is None:
            return False
        exports = self.ctx.services.exports
        try:
            target = csv_folder(chosen, date.today()) if csv else chosen
        except ExportRefusedError as error:
            warn(self, "Export", f"Nothing was written: {error}.")
            return False

        zone = local_zone()  # on the GUI thread: the fallback asks Qt for the system zone

        def work(progress: Any, cancel: Any) -> list[Path]:
            if csv:
                return list(exports.export_csv(target, progress=progress, cancel=cancel))
            return [exports.export_fhir(target, tz=zone)]

        label = f"Writing CSV files to {target}" if csv else f"Writing {target.name}"
        try:
            paths = run_with_progress(self, "Export", label, work, cancellable=csv)
        except TaskCancelledError:
            inform(self, "Export", "Export cancelled; nothing was written.")
            return False
        except ExportRefusedError as error:
            warn(self, "Export", f"Nothing was written: {error}.")
            return False
        except Exception as error:  # a full disk, a folder we may not write to
            log.exception("export to %s failed", target)
            warn(self, "Export failed", f"Could not export to {target}: {error}")
            return False
        self.written = list(paths)
        inform(self, "Export finished", written_text(self.written, target))
        self.accept()
        return True
