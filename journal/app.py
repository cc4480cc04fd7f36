"""Composition root: opens the journal, builds the services and shows the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from journal import APP_ID, APP_NAME, __version__
from journal.paths import resolve_data_dir

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

STYLE = """
QLabel#pageTitle { font-size: 20pt; font-weight: 600; }
QLabel#sectionTitle { font-size: 12pt; font-weight: 600; }
QLabel#cardValue { font-size: 18pt; font-weight: 600; }
QLabel#cardCaption, QLabel#footnote { color: palette(placeholder-text); }
QListWidget#sidebar { border: none; background: palette(alternate-base); padding-top: 12px;
                      font-size: 11pt; }
QListWidget#sidebar::item { padding-left: 14px; border-radius: 6px; margin: 0 8px; }
QListWidget#sidebar::item:selected { background: palette(highlight);
                                     color: palette(highlighted-text); }
"""
DEMO_YEARS = 3


def display_available() -> bool:
    """Qt aborts without a display; detect that first so we can say so plainly."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def demo_dir_for(data_dir: Path) -> Path:
    """The demo journal lives beside the user's, never inside it."""
    return data_dir.with_name(data_dir.name + "-demo")


def run_gui(data_dir: str | None, *, screenshot: str | None = None, page: str | None = None) -> int:
    if not display_available():
        print(
            f"{APP_NAME} needs a graphical display, and none was found (DISPLAY and "
            "WAYLAND_DISPLAY are unset). Start it from your desktop, or run it under "
            "xvfb-run for a virtual screen. The command-line tools work without one: "
            "see 'metabolic-journal --help'.",
            file=sys.stderr,
        )
        return 2

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication, QMessageBox

    from journal.paths import JournalPaths
    from journal.services.journal import JournalServices
    from journal.storage.database import open_journal
    from journal.ui.context import UiContext
    from journal.ui.events import Events
    from journal.ui.main_window import MainWindow
    from journal.ui.preferences import Preferences

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("MetabolicJournal")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(_app_icon())
    app.setStyleSheet(STYLE)

    def fail(message: str) -> int:
        if screenshot:
            print(f"{APP_NAME}: {message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, APP_NAME, message)
        return 1

    target = resolve_data_dir(data_dir)
    demo = False
    if not JournalPaths(target).database.exists() and not screenshot:
        choice = _welcome(str(target))
        if choice is None:
            return 0
        if choice == "demo":
            target, demo = demo_dir_for(target), True
    try:
        opened = open_journal(target)
    except Exception as exc:  # shown to the user, never a traceback
        return fail(str(exc))

    try:
        services = JournalServices(opened.session_factory)
        if demo and opened.created:
            _write_demo(services)
        ctx = UiContext(services, Events(), QUndoStack(), Preferences(), str(target))
        window = MainWindow(ctx, demo=demo)
        if page:
            window.show_page(page)
        window.show()
        if screenshot:
            QTimer.singleShot(400, lambda: _save_and_quit(window, Path(screenshot)))
        return app.exec()
    finally:
        opened.close()


def _app_icon() -> QIcon:
    from PySide6.QtGui import QIcon

    from journal.resources import icon_paths

    icon = QIcon()
    for path in icon_paths().values():
        icon.addFile(str(path))
    return icon


def _welcome(data_dir: str) -> str | None:
    from journal.ui.dialogs.welcome import WelcomeDialog

    dialog = WelcomeDialog(data_dir)
    if not dialog.exec():
        return None
    return str(dialog.choice)


def _write_demo(services: object) -> None:
    """Write the demo journal behind a progress dialog (a few seconds)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from journal.services.demo import generate_demo

    progress = QProgressDialog("Writing a demo journal…", "", 0, 100)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(0)
    progress.show()

    def step(phase: str, fraction: float) -> None:
        progress.setLabelText(f"Writing a demo journal: {phase}…")
        progress.setValue(int(fraction * 100))
        QApplication.processEvents()

    generate_demo(services, years=DEMO_YEARS, progress=step)  # type: ignore[arg-type]
    progress.close()


def _save_and_quit(window: object, path: Path) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(window, QWidget)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    if not ok:
        print(f"could not save a screenshot to {path}", file=sys.stderr)
    QApplication.exit(0 if ok else 1)
