"""Benchmark: redraw time of each chart after one new entry, on a ten-year demo journal.

Run: xvfb-run -a env QT_QPA_PLATFORM=xcb .venv/bin/python tests/benchmarks/bench_chart_redraw.py
[--data-dir DIR] (a ten-year demo is written to a temporary folder when none is given).
Prints the median of several redraws per chart, data preparation and painting included.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from journal.localzone import local_zone
from journal.services.demo import generate_demo
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from journal.ui.charts.glucose import GlucoseDayChart
from journal.ui.charts.training import TrainingConsistencyChart
from journal.ui.charts.trends import MarkerTrendChart
from journal.ui.charts.walks import WalkAdherenceChart

RUNS = 9


def timed(app: QApplication, widget: object, redraw: object) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        redraw()  # type: ignore[operator]
        widget.repaint()  # type: ignore[attr-defined]
        app.processEvents()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp()) / "demo"
    opened = open_journal(data_dir)
    try:
        services = JournalServices(opened.session_factory)
        if services.labs.count() == 0:
            generate_demo(services, years=10, seed=1)
        tz = local_zone()
        draws = services.labs.list_draws()
        workouts = services.training.list_workouts()
        walks = services.walks.list_walks()
        # "One new entry": each redraw gets the lists with one more record than before.
        new_draw = replace(draws[-1], id=10**9, drawn_at=draws[-1].drawn_at + timedelta(days=1))
        new_workout = replace(workouts[-1], id=10**9)
        new_walk = replace(walks[-1], id=10**9)
        keys = ("glucose", "hba1c", "homa_ir", "tg_hdl")
        results = {}
        trend = MarkerTrendChart()
        trend.resize(1000, 700)
        trend.show()
        results["marker trends (41 draws, 4 markers)"] = timed(
            app, trend, lambda: trend.set_draws([*draws, new_draw], keys)
        )
        training = TrainingConsistencyChart()
        training.resize(1000, 700)
        training.show()
        results[f"training consistency ({len(workouts):,} workouts)"] = timed(
            app, training, lambda: training.set_workouts([*workouts, new_workout], tz=tz)
        )
        walk_chart = WalkAdherenceChart()
        walk_chart.resize(1000, 700)
        walk_chart.show()
        results[f"walk adherence ({len(walks):,} walks)"] = timed(
            app,
            walk_chart,
            lambda: walk_chart.set_walks([*walks, new_walk], tz=tz, target_delay_min=15),
        )
        day = services.glucose.latest_reading_at()
        assert day is not None
        local_day = day.astimezone(tz).date() - timedelta(days=1)
        readings = services.glucose.readings_for_day(local_day, tz)
        day_chart = GlucoseDayChart()
        day_chart.resize(1000, 600)
        day_chart.show()
        results["glucose day (one day of sensor data)"] = timed(
            app,
            day_chart,
            lambda: day_chart.set_day(readings, walks[-8:], day=local_day, tz=tz, unit="mg/dL"),
        )
        for name, ms in results.items():
            print(f"{name:45s} {ms:7.1f} ms  (aim 16 ms)")
    finally:
        opened.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
