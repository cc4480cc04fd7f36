"""Composition root: opens the journal, builds the services and shows the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import journal
from journal import APP_ID, APP_NAME
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
# `make bench` only: print when the window first paints and when the Overview is shown filled
# in, with the peak resident memory, then quit. Never set in normal use.
BENCH_ENV = "METABOLIC_JOURNAL_BENCH"
# How long the frame may take to paint before the journal is opened anyway.
FRAME_PAINT_WAIT_MS = 1000


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

    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
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

    home = resolve_data_dir(data_dir)
    instance = None
    if not screenshot:
        from journal.ui.single_instance import SingleInstance

        instance = SingleInstance(home)
        if instance.notify_running():
            print(
                f"{APP_NAME} already has the journal in {home} open; "
                "its window was brought to the front."
            )
            return 0
        instance.listen()
    if os.environ.get(BENCH_ENV):
        _report_start_up(app)
    previous_hook = _install_failure_hook()
    try:
        return _sessions(app, home, instance, screenshot=screenshot, page=page, fail=fail)
    finally:
        sys.excepthook = previous_hook


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


def _sessions(
    app: Any, home: Path, instance: Any, *, screenshot: str | None, page: str | None, fail: Any
) -> int:
    """Run the window; after a restore or "delete all my data", reopen (or start afresh)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer
    from PySide6.QtGui import QUndoStack

    target = home
    while True:
        # On a normal start the window's frame is on the screen before the journal (and the
        # storage code) is opened; a first start shows the welcome instead, as a missing
        # journal shows its backups.
        frame = None
        early = None
        if not screenshot and _journal_exists(target):
            from journal.paths import JournalPaths
            from journal.storage.early_check import EarlyCheck

            # Checked while the frame paints and the storage code loads (SQLite needs no
            # interpreter for it); open_journal uses the finding only if the file is unchanged.
            early = EarlyCheck(JournalPaths(target).database)
            frame = _show_frame(target, demo=target == demo_dir_for(home))
            if not frame.isVisible():  # closed as soon as it was shown: nothing is opened
                _discard(frame)
                return 0

        def fail_without_frame(message: str, frame: Any = frame) -> int:
            _discard(frame)  # the app stops here: the message is all that is left shown
            return int(fail(message))

        outcome = _open_for_gui(
            target, home, screenshot=bool(screenshot), fail=fail_without_frame, early=early
        )
        if isinstance(outcome, int):
            _discard(frame)
            return outcome
        if frame is not None and not frame.isVisible():
            # Closed while a question about the journal was asked: the user chose to leave.
            outcome[0].close()
            _discard(frame)
            return 0
        # Imported once the journal is open: on a first start the welcome, and any question
        # about a missing or damaged journal, shows without waiting for the whole interface.
        from journal.services.journal import JournalServices
        from journal.ui.context import UiContext
        from journal.ui.events import Events
        from journal.ui.main_window import MainWindow
        from journal.ui.preferences import Preferences

        opened, demo = outcome
        target = opened.paths.data_dir
        # Set once the journal is open: importlib.metadata has come with SQLAlchemy by now,
        # and the welcome on a first start, which never shows it, does not wait for it.
        app.setApplicationVersion(journal.__version__)
        prefs = Preferences()
        try:
            services = JournalServices(opened.session_factory)
            if demo and opened.created:
                _write_demo(services)
            ctx = UiContext(services, Events(), QUndoStack(), prefs, str(target))
            if frame is not None and frame.demo == demo:
                window = frame  # the same window, filled in: no second one flickers up
                window.attach(ctx)
            else:
                _discard(frame)
                window = MainWindow(ctx, demo=demo)
            if instance is not None:
                instance.activated.connect(window.showNormal)
                instance.activated.connect(window.raise_)
                instance.activated.connect(window.activateWindow)
            if page:
                window.show_page(page)
            window.show()
            if screenshot:
                QTimer.singleShot(400, lambda w=window: _save_and_quit(w, Path(screenshot)))
            else:
                warning = services.maintenance.location_warning()
                if warning:  # the dialog module (and the Qt types it needs) only when it warns
                    from journal.ui.dialogs.check_journal import warn_location_once

                    warn_location_once(window, warning, str(target), prefs.qsettings)
            code = app.exec()
            pending = services.maintenance.pending
            if pending is None and not screenshot:
                _backup_on_close(services, prefs)
            if instance is not None:
                instance.activated.disconnect()
            window.close()
            # Gone before the journal closes: no pending refresh of a page may read it after.
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        finally:
            opened.close()
        if pending is None:
            return code
        error = _carry_out(pending, target)
        if error:
            fail(error)
        if pending[0] == "delete-all":
            target = home  # back to the first start: the welcome is shown again


def _journal_exists(data_dir: Path) -> bool:
    from journal.paths import JournalPaths

    return JournalPaths(data_dir).database.exists()


def _show_frame(data_dir: Path, *, demo: bool) -> Any:
    """Show the main window's frame, and return once it has painted (or after a short wait).

    The frame needs neither the journal nor the storage code; it has the remembered size and
    place, the title, the menu bar and the sidebar, and says the journal is being opened.
    """
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from journal.ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    frame = MainWindow(demo=demo, data_dir=str(data_dir))
    loop = QEventLoop()
    # The paint is over once the event that caused it has been handled (a zero timer): the
    # frame is on the screen, and the journal may be opened behind it. Bounded, should the
    # window be held back (started minimised, on another desktop).
    painted = QTimer(singleShot=True, interval=0)
    painted.timeout.connect(loop.quit)
    waited = QTimer(singleShot=True, interval=FRAME_PAINT_WAIT_MS)
    waited.timeout.connect(loop.quit)

    class PaintWatcher(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Paint
                and isinstance(obj, QWidget)
                and obj.window() is frame
            ):
                painted.start()
            return False

    watcher = PaintWatcher()
    app.installEventFilter(watcher)
    app.lastWindowClosed.connect(loop.quit)  # closed at once: the caller sees it hidden
    try:
        frame.show()
        waited.start()
        loop.exec()
    finally:
        app.removeEventFilter(watcher)
        app.lastWindowClosed.disconnect(loop.quit)
        painted.stop()
        waited.stop()
    return frame


def _discard(window: Any) -> None:
    """Close and delete a window now (None: nothing to do), so that nothing is left shown."""
    if window is None:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from shiboken6 import isValid

    if not isValid(window):  # deleted already
        return
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _report_start_up(app: Any) -> None:
    """Print `bench <moment> <time.monotonic()>` for the first paint and the filled-in Overview.

    The first paint is that of the first window shown (the main window's frame, or the welcome
    on a first start). Each moment is taken once the paint that showed it is over (a zero timer
    after the paint event), so it is when the window is on the screen, not when painting began.
    Once the Overview has been shown filled in, the peak memory is printed and the app quits.
    """
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    reported: set[str] = set()

    def report(moment: str) -> None:
        if moment in reported:
            return
        reported.add(moment)
        print(f"bench {moment} {time.monotonic():.6f}", flush=True)
        if moment == "overview":
            print(f"bench vmhwm_kb {_peak_rss_kb()}", flush=True)
            app.removeEventFilter(watcher)
            QTimer.singleShot(0, app.quit)

    class Watcher(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
                QTimer.singleShot(0, lambda: report("first_paint"))
                pages = getattr(obj.window(), "pages", None)
                overview = pages.get("overview") if isinstance(pages, dict) else None
                filled = getattr(overview, "data", None) is not None
                if overview is not None and overview.isVisible() and filled:
                    QTimer.singleShot(0, lambda: report("overview"))
            return False

    watcher = Watcher(app)
    app.installEventFilter(watcher)


def _peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM) in KiB, or -1 where /proc has none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def _open_for_gui(
    target: Path, home: Path, *, screenshot: bool, fail: Any, early: Any = None
) -> Any:
    """Open the journal, offering backups if it is missing or damaged: (opened, demo), or a code.

    A missing journal with backups beside it, or a damaged one, is never silently replaced by
    an empty one: the user chooses to restore a backup or, explicitly, to start afresh.
    """
    from journal.paths import JournalPaths

    demo = target == demo_dir_for(home)
    despite_backups = False
    paths = JournalPaths(target)
    if not paths.database.exists() and not screenshot:
        # Storage (SQLAlchemy, Alembic) is imported only when there may be backups to offer,
        # so that on a first start the welcome shows sooner.
        backups: list[Any] = []
        if paths.backups.is_dir():
            from journal.services import maintenance

            backups = maintenance.backups_of(target)
        if backups:
            from journal.ui.dialogs.check_journal import ask_missing

            choice = ask_missing(str(target), backups)
            if choice is None:
                return 0
            if choice[0] == "restore" and choice[1] is not None:
                error = _carry_out(("restore", choice[1]), target)
                if error:
                    return fail(error)
            else:
                despite_backups = True
        else:
            welcome = _welcome(str(target))
            if welcome is None:
                return 0
            if welcome == "demo":
                target, demo = demo_dir_for(target), True
    from journal.services import maintenance
    from journal.storage.database import JournalDamagedError, open_journal

    for _attempt in range(3):
        try:
            return open_journal(target, despite_backups=despite_backups, early=early), demo
        except JournalDamagedError as exc:
            early = None  # whatever happens next, the file it checked is not the one opened
            if screenshot:
                return fail(str(exc))
            from journal.ui.dialogs.check_journal import ask_damaged

            choice = ask_damaged(str(exc), maintenance.backups_of(target))
            if choice is None:
                return 1
            if choice[0] == "restore" and choice[1] is not None:
                error = _carry_out(("restore", choice[1]), target)
                if error:
                    return fail(error)
            else:
                maintenance.move_damaged_aside(target)
                despite_backups = True
        except Exception as exc:  # shown to the user in plain words, never a traceback
            return fail(maintenance.explain_failure(exc) or str(exc))
    return fail("The journal could not be opened.")


def _carry_out(pending: tuple[str, Path | None], data_dir: Path) -> str | None:
    """Restore a backup or delete everything, with the journal closed; an error message or None."""
    from journal.services import maintenance

    kind, backup = pending
    try:
        if kind == "restore" and backup is not None:
            maintenance.restore_backup(data_dir, backup)
        elif kind == "delete-all":
            maintenance.delete_all_data(data_dir)
    except Exception as exc:  # the journal is left as it was; say why
        return maintenance.explain_failure(exc) or f"That did not work: {exc}"
    return None


def _backup_on_close(services: Any, prefs: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    from journal.services.maintenance import explain_failure, retention_from

    try:
        services.maintenance.backup_if_changed(retention_from(prefs.get))
    except Exception as exc:  # the journal itself is fine; only this backup is missing
        QMessageBox.warning(
            None, APP_NAME, f"No backup was made this time. {explain_failure(exc) or exc}"
        )


def _install_failure_hook() -> Any:
    """Storage failures inside the window (disk full, damaged file) get a plain message box.

    Returns the hook it replaced, for the caller to put back.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        from PySide6.QtWidgets import QMessageBox

        from journal.services.maintenance import explain_failure

        message = explain_failure(exc)
        if message is None:
            previous(kind, exc, tb)
            return
        QMessageBox.warning(None, APP_NAME, message)

    sys.excepthook = hook
    return previous
