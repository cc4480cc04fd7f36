"""Import, import history and export flows: file dialogs, the worker, the receipt and events."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from journal.services.importers import ImportCancelledError, ImportFormatError
from journal.ui.context import UiContext
from journal.ui.dialogs.import_receipt import FileOutcome, ImportReceiptDialog, Outcome
from journal.ui.localzone import local_zone
from journal.ui.tasks import TaskCancelledError, run_with_progress

__all__ = [
    "EXPORT_KEY",
    "IMPORT_FILTERS",
    "IMPORT_KEY",
    "ask_import_paths",
    "dropped_paths",
    "import_from_dialog",
    "import_paths",
    "open_export",
    "open_import_history",
]

log = logging.getLogger(__name__)

# Ctrl+I is Italic and Ctrl+E nothing everywhere, but Ctrl+I in a notes field must stay free.
IMPORT_KEY = "Ctrl+Shift+I"
EXPORT_KEY = "Ctrl+Shift+E"

_PATTERNS = (
    ("Apple Health export", "*.zip *.xml"),
    ("FHIR lab results", "*.json *.ndjson"),
    ("Sensor glucose (Dexcom Clarity, LibreView)", "*.csv"),
    ("Workouts", "*.gpx *.tcx *.fit"),
    ("Journal CSV export", "*.csv"),
)
_ALL = " ".join(dict.fromkeys(p for _, group in _PATTERNS for p in group.split()))
IMPORT_FILTERS = (
    f"All supported files ({_ALL})",
    *(f"{name} ({patterns})" for name, patterns in _PATTERNS),
    "All files (*)",
)


# --- hooks the tests replace ------------------------------------------------------------------


def ask_import_paths(parent: QWidget | None) -> list[Path]:
    """Ask for the files to import; an empty list when the user cancels."""
    names, _ = QFileDialog.getOpenFileNames(
        parent, "Import files", str(Path.home()), ";;".join(IMPORT_FILTERS)
    )
    return [Path(n) for n in names]


def show_receipt(dialog: ImportReceiptDialog) -> None:
    """Show the receipt without blocking the caller (a drop returns to the event loop)."""
    dialog.open()


# --- import -----------------------------------------------------------------------------------


def import_from_dialog(ctx: UiContext, parent: QWidget | None = None) -> ImportReceiptDialog | None:
    """File → Import…: choose files, import each, show the receipt."""
    paths = ask_import_paths(parent)
    if not paths:
        return None
    return import_paths(ctx, paths, parent)


def import_paths(
    ctx: UiContext, paths: Sequence[Path], parent: QWidget | None = None
) -> ImportReceiptDialog | None:
    """Import each path as its own batch on the worker, publish each change, show the receipt.

    A file that cannot be read does not stop the others. Cancel stops the file being imported
    (the service leaves nothing of it behind) and the files after it.
    """
    if not paths:
        return None
    zone = local_zone()  # on the GUI thread: the fallback asks Qt for the system zone
    outcomes: list[FileOutcome] = []
    stopped = False
    for i, path in enumerate(paths):
        if stopped:
            outcomes.append(FileOutcome(path, Outcome.SKIPPED))
            continue
        label = f"Importing {path.name}"
        if len(paths) > 1:
            label += f" (file {i + 1} of {len(paths)})"
        outcome = _import_one(ctx, path, zone, label, parent)
        outcomes.append(outcome)
        stopped = outcome.outcome is Outcome.CANCELLED
    dialog = ImportReceiptDialog(
        outcomes, parent, open_history=lambda: open_import_history(ctx, parent)
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    show_receipt(dialog)
    return dialog


def _import_one(
    ctx: UiContext, path: Path, zone: Any, label: str, parent: QWidget | None
) -> FileOutcome:
    done: dict[str, Any] = {}

    def work(progress: Any, cancel: Any) -> Any:
        done["result"] = ctx.services.imports.import_file(
            path, tz=zone, progress=progress, cancel=cancel
        )
        return done["result"]

    try:
        run_with_progress(parent, "Import", label, work)
    except (TaskCancelledError, ImportCancelledError):
        # Cancel pressed after the last point the service checks it: the import completed.
        if "result" not in done:
            return FileOutcome(path, Outcome.CANCELLED)
    except ImportFormatError as error:
        return FileOutcome(path, Outcome.FAILED, error=str(error))
    except Exception as error:  # a damaged disk or a full one: say so, keep the window
        log.exception("import of %s failed", path)
        return FileOutcome(
            path, Outcome.FAILED, error=f"{path.name}: could not be imported ({error})"
        )
    receipt, change = done["result"]
    ctx.events.publish(change)
    return FileOutcome(path, Outcome.IMPORTED, receipt=receipt)


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders of a drop, or [] when anything dropped is not local."""
    if not mime.hasUrls():
        return []
    urls: Iterable[QUrl] = mime.urls()
    paths = []
    for url in urls:
        if not url.isLocalFile():
            return []
        path = Path(url.toLocalFile())
        if not (path.is_file() or path.is_dir()):
            return []
        paths.append(path)
    return paths


# --- history and export -----------------------------------------------------------------------


def open_import_history(ctx: UiContext, parent: QWidget | None = None) -> None:
    from journal.ui.dialogs.import_history import ImportHistoryDialog

    dialog = ImportHistoryDialog(ctx, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()


def open_export(ctx: UiContext, parent: QWidget | None = None) -> None:
    from journal.ui.dialogs.export import ExportDialog

    dialog = ExportDialog(ctx, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """Tell the user how something ended; tests replace this."""
    QMessageBox.information(parent, title, text)
