"""Composition root: opens the journal, builds the services and shows the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from journal import APP_ID, APP_NAME, __version__
from journal.paths import resolve_data_dir

STYLE = """
QLabel#pageTitle { font-size: 20pt; font-weight: 600; }
QLabel#sectionTitle { font-size: 12pt; font-weight: 600; margin-top: 8px; }
QLabel#cardValue { font-size: 18pt; font-weight: 600; }
QLabel#cardCaption { color: palette(placeholder-text); }
QLabel#footnote { color: palette(placeholder-text); }
QListWidget#sidebar { border: none; background: palette(alternate-base); padding-top: 12px;
                      font-size: 11pt; }
QListWidget#sidebar::item { padding-left: 14px; border-radius: 6px; margin: 0 8px; }
QListWidget#sidebar::item:selected { background: palette(highlight);
                                     color: palette(highlighted-text); }
"""


def display_available() -> bool:
    """Qt aborts without a display; detect that first so we can say so plainly."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


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
    from PySide6.QtWidgets import QApplication, QMessageBox

    from journal.services.journal import JournalServices
    from journal.storage.database import open_journal
    from journal.ui.events import Events
    from journal.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("MetabolicJournal")
    app.setDesktopFileName(APP_ID)
    app.setStyleSheet(STYLE)

    target = resolve_data_dir(data_dir)
    try:
        opened = open_journal(target)
    except Exception as exc:  # shown to the user, never a traceback
        if screenshot:
            print(f"{APP_NAME}: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, APP_NAME, str(exc))
        return 1

    try:
        window = MainWindow(JournalServices(opened.session_factory), Events(), str(target))
        if page:
            window.show_page(page)
        window.show()
        if screenshot:
            QTimer.singleShot(300, lambda: _save_and_quit(window, Path(screenshot)))
        return app.exec()
    finally:
        opened.close()


def _save_and_quit(window: object, path: Path) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(window, QWidget)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    if not ok:
        print(f"could not save a screenshot to {path}", file=sys.stderr)
    QApplication.exit(0 if ok else 1)
