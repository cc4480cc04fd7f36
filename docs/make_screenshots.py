"""Render every page and dialog of a demo journal to docs/screenshots/ (run under Xvfb)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from journal import __version__
from journal.app import STYLE
from journal.domain.entities import WorkoutKind
from journal.reports.summary import default_period
from journal.services.demo import generate_demo
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from journal.ui.context import UiContext
from journal.ui.dialogs.lab_draw import LabDrawDialog
from journal.ui.dialogs.preferences import PreferencesDialog
from journal.ui.dialogs.question import AnswerDialog, QuestionDialog
from journal.ui.dialogs.walk import WalkDialog
from journal.ui.dialogs.welcome import AboutDialog, WelcomeDialog
from journal.ui.dialogs.workout import WorkoutDialog
from journal.ui.events import Events
from journal.ui.localzone import local_zone
from journal.ui.main_window import PAGES, MainWindow
from journal.ui.preferences import Preferences
from journal.ui.summary_print import options_from_preferences, write_summary_pdf

OUT = Path(__file__).resolve().parent / "screenshots"


def settle(app: QApplication, widget: QWidget) -> None:
    widget.show()
    for _ in range(5):
        app.processEvents()


def save(app: QApplication, widget: QWidget, name: str) -> None:
    settle(app, widget)
    path = OUT / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(OUT.parent.parent)}")


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#17181a"),
        (QPalette.ColorRole.AlternateBase, "#2a2b2e"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#2d2e31"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.Highlight, "#3d7bd9"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, "#a0a4a8"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def save_summary_pages(services: JournalServices, prefs: Preferences, work: Path) -> None:
    """The printed visit summary's first two pages, as the physician will see them."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise SystemExit("pdftoppm is missing: apt-get install poppler-utils")
    prefs.set("profile/name", "Maria Example")
    end = datetime.now(local_zone()).date()
    options = options_from_preferences(prefs, *default_period(end), page_size="A4")
    pdf = work / "summary.pdf"
    write_summary_pdf(services, options, pdf, tz=local_zone())
    subprocess.run(
        [pdftoppm, "-png", "-r", "90", "-f", "1", "-l", "2", str(pdf), str(work / "summary")],
        check=True,
    )
    for n in (1, 2):
        (rendered,) = work.glob(f"summary-*{n}.png")
        target = OUT / f"summary-page-{n}.png"
        shutil.move(rendered, target)
        print(f"wrote {target.relative_to(OUT.parent.parent)}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setStyleSheet(STYLE)
    work = Path(tempfile.mkdtemp(prefix="journal-shots-"))
    opened = open_journal(work / "demo")
    try:
        services = JournalServices(opened.session_factory)
        generate_demo(services, years=3, seed=1)
        prefs = Preferences(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
        ctx = UiContext(services, Events(), QUndoStack(), prefs, str(Path.home() / "journal"))
        window = MainWindow(ctx)
        window.resize(1240, 800)
        # The summary page shows drafted questions beside the demo's own, each with its basis.
        window.summary_page.draft_questions()
        for key, _title in PAGES:
            window.show_page(key)
            save(app, window, f"page-{key}")
        window.show_page("labs")
        labs = window.pages["labs"]
        labs.show_chart()  # type: ignore[attr-defined]
        save(app, window, "page-labs-trends")
        labs.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
        for key, name in (("training", "consistency"), ("walks", "adherence")):
            window.show_page(key)
            page = window.pages[key]
            page.show_chart()  # type: ignore[attr-defined]
            save(app, window, f"page-{key}-{name}")
            page.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
        window.show_page("glucose")
        glucose = window.pages["glucose"]
        glucose.previous_day()  # type: ignore[attr-defined]  # a whole day, not today so far
        glucose.show_day_chart()  # type: ignore[attr-defined]
        save(app, window, "page-glucose-day")
        glucose.show_history()  # type: ignore[attr-defined]
        save(app, window, "page-glucose-history")
        glucose.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]

        draws = services.labs.list_draws()
        save(app, LabDrawDialog(services, draw=draws[-1]), "dialog-lab-draw-edit")
        new_draw = LabDrawDialog(services)
        settle(app, new_draw)
        QTest.keyClicks(new_draw.row("glucose").value, "94")
        QTest.keyClicks(new_draw.row("insulin").value, "11.2")
        QTest.keyClicks(new_draw.row("triglycerides").value, "1.9")  # mmol/L typed as mg/dL
        new_draw.row("hdl").value.setFocus()  # leaving the field shows the unit suggestion
        save(app, new_draw, "dialog-lab-draw-new")
        strength = next(
            w
            for w in reversed(services.training.list_workouts())
            if w.kind is WorkoutKind.RESISTANCE and w.sets
        )
        save(app, WorkoutDialog(services, workout=strength), "dialog-workout")
        save(app, WalkDialog(services), "dialog-walk")
        save(app, PreferencesDialog(prefs), "dialog-preferences")
        save(app, WelcomeDialog(ctx.data_dir), "dialog-welcome")
        save(app, AboutDialog(__version__, ctx.data_dir), "dialog-about")
        drafted = next(q for q in services.questions.list_questions() if q.basis)
        save(app, QuestionDialog(services, question=drafted), "dialog-question")
        save(app, AnswerDialog(services, drafted), "dialog-answer")

        save_summary_pages(services, prefs, work)

        window.close()
        app.setPalette(dark_palette())
        dark = MainWindow(ctx)
        dark.resize(1240, 800)
        dark.show_page("overview")
        save(app, dark, "page-overview-dark")
        dark.close()
    finally:
        opened.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    raise SystemExit(main())
