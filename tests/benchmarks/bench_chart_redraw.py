"""Benchmark: how long each chart takes to show one new entry, on a ten-year demo journal.

Run: xvfb-run -a env QT_QPA_PLATFORM=xcb .venv/bin/python tests/benchmarks/bench_chart_redraw.py
[--data-dir DIR] [--runs N] (a ten-year demo is written to a temporary folder when none is
given; QT_QPA_PLATFORM=offscreen works too).

What is timed is what a person waits for: an entry has been saved, its change is published,
the page showing the chart reacts as it does in the app (reading what it needs through the
services, preparing the data, updating the plots), and Qt has painted what changed. Each run adds
a new entry of its own, so no run finds its work already done. Prints the median per chart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QWidget

from journal.domain.entities import GlucoseReading, GlucoseSource
from journal.localzone import local_zone
from journal.services.changes import Change
from journal.services.demo import generate_demo
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from journal.ui.context import UiContext
from journal.ui.events import Events
from journal.ui.pages.glucose import GlucosePage
from journal.ui.pages.lists import LabsPage, TrainingPage, WalksPage
from journal.ui.preferences import Preferences

AIM_MS = 16.0
WARM_UP = 2


def timed(
    app: QApplication, ctx: UiContext, page: QWidget, add: Callable[[int], Change], runs: int
) -> list[float]:
    """Milliseconds from a change being published to the page being painted, per run."""
    samples = []
    for k in range(WARM_UP + runs):
        change = add(k)  # saving the entry is the form's work, not the chart's
        app.processEvents()
        started = time.perf_counter()
        ctx.events.publish(change)
        # Qt paints what the page marked as changed, as it would in the app (a forced repaint
        # of the whole page would time a window being uncovered, not an entry being added).
        app.processEvents()
        if k >= WARM_UP:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def show(app: QApplication, page: QWidget) -> None:
    page.resize(1200, 860)
    page.show()
    app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp()) / "demo"
    settings_dir = Path(tempfile.mkdtemp())
    opened = open_journal(data_dir)
    try:
        services = JournalServices(opened.session_factory)
        if services.labs.count() == 0:
            generate_demo(services, years=10, seed=1)
        tz = local_zone()
        prefs = Preferences(QSettings(str(settings_dir / "s.ini"), QSettings.Format.IniFormat))
        ctx = UiContext(services, Events(), QUndoStack(), prefs)
        now = datetime.now(UTC).replace(microsecond=0)
        last_draw = services.labs.list_draws()[-1]
        last_workout = services.training.list_workouts()[-1]
        last_walk = services.walks.list_walks()[-1]
        rows: list[tuple[str, list[float]]] = []

        labs = LabsPage(ctx)
        show(app, labs)
        labs.show_chart()
        app.processEvents()
        rows.append(
            (
                f"marker trends ({services.labs.count():,} draws, 4 markers)",
                timed(
                    app,
                    ctx,
                    labs,
                    lambda k: services.labs.add_draw(
                        replace(last_draw, id=None, drawn_at=now - timedelta(hours=2 * k + 1))
                    ),
                    args.runs,
                ),
            )
        )
        labs.close()

        training = TrainingPage(ctx)
        show(app, training)
        training.show_chart()
        app.processEvents()
        rows.append(
            (
                f"training consistency ({services.training.count():,} workouts)",
                timed(
                    app,
                    ctx,
                    training,
                    lambda k: services.training.add_workout(
                        replace(last_workout, id=None, started_at=now - timedelta(hours=k + 1))
                    ),
                    args.runs,
                ),
            )
        )
        training.close()

        walks = WalksPage(ctx)
        show(app, walks)
        walks.show_chart()
        app.processEvents()

        def add_walk(k: int) -> Change:
            ended = now - timedelta(hours=k + 1)
            return services.walks.add_walk(
                replace(
                    last_walk, id=None, meal_ended_at=ended, started_at=ended + timedelta(minutes=8)
                )
            )

        rows.append(
            (
                f"walk adherence ({services.walks.count():,} walks)",
                timed(app, ctx, walks, add_walk, args.runs),
            )
        )
        walks.close()

        glucose = GlucosePage(ctx)
        show(app, glucose)
        glucose.show_day_chart()
        app.processEvents()
        day = glucose.day
        noon = datetime.combine(day, clock_time(12), tzinfo=tz).astimezone(UTC)
        first = min(noon, now - timedelta(hours=3))

        def add_reading(k: int) -> Change:
            at = first + timedelta(minutes=7 * k + 1)
            return services.glucose.add_reading(
                GlucoseReading(at=at, value=100 + k, unit="mg/dL", source=GlucoseSource.FINGERSTICK)
            )

        count = services.glucose.day_stats(day, tz).count
        rows.append(
            (
                f"glucose day ({count:,} readings that day)",
                timed(app, ctx, glucose, add_reading, args.runs),
            )
        )
        glucose.close()

        print(f"{'chart (one new entry, page reaction + paint)':52s} {'median':>8s} {'max':>8s}")
        for name, samples in rows:
            median = statistics.median(samples)
            mark = "ok" if median <= AIM_MS else f"aim {AIM_MS:g} ms"
            print(f"{name:52s} {median:6.1f} ms {max(samples):6.1f} ms  {mark}")
        print(f"median of {args.runs} runs each, after {WARM_UP} warm-up runs")
    finally:
        opened.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
