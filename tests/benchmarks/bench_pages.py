"""Benchmark: each page's first show, the visit summary PDF and a bare chart redraw (the floors).

Run (needs a display or QT_QPA_PLATFORM=offscreen):
    .venv/bin/python tests/benchmarks/bench_pages.py --data-dir DEMO [--runs 5] [--json]

All in one process, on an existing journal (the ten-year demo), which is only read:

- page first show: building the page (which reads what it shows through the services) and
  showing it, until it has been painted, as a window of the main window's size; floor: the
  same for a page holding only a title;
- summary PDF: write_summary_pdf for the default period (the last twelve months), charts and
  all; floor: a one-page PDF of a trivial HTML body through the same QPdfWriter and
  QTextDocument path;
- chart redraw floor: a bare pyqtgraph plot of ten years of daily points given one more point
  and painted, timed like tests/benchmarks/bench_chart_redraw.py times the app's charts.

Each figure is the median of --runs runs after one warm-up run (two for the redraw).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

# Run as a script from anywhere: the repository root goes first on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtGui import QPainter, QPdfWriter, QTextDocument, QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from journal.app import STYLE
from journal.localzone import local_zone
from journal.reports.summary import default_period
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from journal.ui.context import UiContext
from journal.ui.events import Events
from journal.ui.preferences import Preferences
from journal.ui.summary_print import options_from_preferences, write_summary_pdf

SIZE = (1050, 700)  # the main window's default size less its sidebar, toolbar and menus


def _page_classes() -> list[tuple[str, Callable[[UiContext], QWidget]]]:
    from journal.ui.pages.glucose import GlucosePage
    from journal.ui.pages.lists import LabsPage, TrainingPage, WalksPage
    from journal.ui.pages.overview import OverviewPage

    pages: list[tuple[str, Callable[[UiContext], QWidget]]] = [
        ("Overview", OverviewPage),
        ("Labs", LabsPage),
        ("Training", TrainingPage),
        ("Walks", WalksPage),
        ("Glucose", GlucosePage),
    ]
    try:
        from journal.ui.pages.summary import SummaryPage
    except ImportError:  # an older tree without the page
        return pages
    return [*pages, ("Visit summary", SummaryPage)]


class TitlePage(QWidget):
    """The floor: a page with nothing but its title."""

    def __init__(self, _ctx: UiContext) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        title = QLabel("Overview")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        layout.addStretch(1)


def _dispose(app: QApplication, widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def first_show(
    app: QApplication, ctx: UiContext, build: Callable[[UiContext], QWidget], runs: int
) -> list[float]:
    """Seconds from building the page to its first paint being over, per run."""
    samples = []
    for k in range(1 + runs):
        started = time.perf_counter()
        page = build(ctx)
        page.resize(*SIZE)
        page.show()
        app.processEvents()
        page.repaint()
        app.processEvents()
        if k:
            samples.append(time.perf_counter() - started)
        _dispose(app, page)
    return samples


def summary_pdf(services: JournalServices, prefs: Preferences, out: Path, runs: int) -> list[float]:
    zone = local_zone()
    start, end = default_period(datetime.now(zone).date())
    options = options_from_preferences(prefs, start, end, page_size="A4")
    samples = []
    for k in range(1 + runs):
        started = time.perf_counter()
        write_summary_pdf(services, options, out, tz=zone)
        if k:
            samples.append(time.perf_counter() - started)
    return samples


def trivial_pdf(out: Path, runs: int) -> list[float]:
    samples = []
    for k in range(1 + runs):
        started = time.perf_counter()
        writer = QPdfWriter(str(out))
        writer.setResolution(300)
        doc = QTextDocument()
        doc.setHtml("<h1>Visit summary</h1><p>One line of text.</p>")
        doc.setPageSize(writer.pageLayout().paintRectPixels(96).size().toSizeF())
        painter = QPainter()
        painter.begin(writer)
        painter.scale(300 / 96, 300 / 96)
        doc.drawContents(painter)
        painter.end()
        del writer
        if k:
            samples.append(time.perf_counter() - started)
    return samples


def bare_redraw(app: QApplication, runs: int) -> list[float]:
    """Seconds for a bare pyqtgraph plot to take one more point and paint, per run."""
    import numpy as np
    import pyqtgraph as pg

    days = 3650
    x = np.arange(days, dtype=float) * 86400 + 1.5e9
    y = np.random.default_rng(1).normal(100, 10, days)
    widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
    curve = widget.plot(x, y)
    widget.resize(1200, 860)
    widget.show()
    app.processEvents()
    samples = []
    for k in range(2 + runs):
        x = np.append(x, x[-1] + 86400)
        y = np.append(y, 100.0)
        app.processEvents()
        started = time.perf_counter()
        curve.setData(x, y)
        widget.repaint()
        app.processEvents()
        if k >= 2:
            samples.append(time.perf_counter() - started)
    _dispose(app, widget)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    app.setStyleSheet(STYLE)
    work = Path(tempfile.mkdtemp(prefix="journal-bench-"))
    prefs = Preferences(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    results: dict[str, dict[str, list[float]]] = {"pages": {}, "summary": {}, "redraw": {}}
    opened = open_journal(args.data_dir)
    try:
        services = JournalServices(opened.session_factory)
        ctx = UiContext(services, Events(), QUndoStack(), prefs, str(args.data_dir))
        results["pages"]["floor"] = first_show(app, ctx, TitlePage, args.runs)
        for name, build in _page_classes():
            results["pages"][name] = first_show(app, ctx, build, args.runs)
        results["summary"]["floor"] = trivial_pdf(work / "floor.pdf", args.runs)
        results["summary"]["summary"] = summary_pdf(services, prefs, work / "s.pdf", args.runs)
        results["redraw"]["floor"] = bare_redraw(app, args.runs)
    finally:
        opened.close()
    if args.json:
        print(json.dumps({"runs": args.runs, "samples": results}))
        return 0
    for group, rows in results.items():
        for name, samples in rows.items():
            print(f"{group:<8} {name:<14} {statistics.median(samples) * 1000:8.1f} ms")
    print(f"median of {args.runs} runs each, after a warm-up run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
