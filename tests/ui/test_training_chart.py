"""The training consistency chart: plots from workouts, empty state, callout, static images."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QPalette

from journal.domain.coverage import coverage_report, sessions_from_workouts
from journal.domain.entities import WorkoutKind
from journal.domain.training_charts import callout_text
from journal.ui.charts.style import chart_palette
from journal.ui.charts.training import (
    EMPTY_TEXT,
    TrainingConsistencyChart,
    cell_text,
    render_training_consistency,
)
from tests.factories import NOW, workout

TODAY = NOW.date()  # Friday 20 Nov 2026
WINDOW = timedelta(hours=48)


def workouts() -> list:
    out = []
    for k in range(40):
        when = NOW - timedelta(days=2 * k, hours=10)
        kind = WorkoutKind.RESISTANCE if k % 3 == 0 else WorkoutKind.AEROBIC
        out.append(workout(when, minutes=40, kind=kind, rpe=None if k % 7 == 0 else 6))
    # A week off in the summer, then one HIIT session.
    out.append(workout(NOW - timedelta(days=100), minutes=20, kind=WorkoutKind.HIIT, rpe=8))
    return out


@pytest.fixture
def chart(qtbot):
    widget = TrainingConsistencyChart()
    qtbot.addWidget(widget)
    widget.set_workouts(workouts(), window=WINDOW, tz=UTC, weeks=26, today=TODAY)
    return widget


def test_builds_heat_map_and_four_linked_weekly_plots(chart) -> None:
    assert not chart.showing_empty_state()
    data = chart.data
    assert data is not None and len(data.weeks) == 26 and len(data.cells) == 26 * 7
    assert data.weeks[-1].week_start == date(2026, 11, 16)
    assert len(chart.plots) == 5
    first = chart.plots[0].getViewBox()
    assert all(p.getViewBox().linkedView(0) is first for p in chart.plots[1:])
    assert "load (AU)" in chart.plots[-1].getAxis("left").labelText
    assert "min/week" in chart.plots[2].getAxis("left").labelText
    assert "without RPE" in chart.plots[-1].titleLabel.text
    guides = [
        i.value() for p in chart.plots[2:4] for i in p.items if isinstance(i, pg.InfiniteLine)
    ]
    assert guides == [150, 2]
    # One stacked bar set per kind present: aerobic, resistance, HIIT.
    assert sum(isinstance(i, pg.BarGraphItem) for i in chart.plots[2].items) == 3


def test_callout_matches_coverage_report(chart) -> None:
    first = datetime(2026, 5, 25, tzinfo=UTC)  # the Monday 25 weeks before 16 Nov
    end = datetime(2026, 11, 21, tzinfo=UTC)
    report = coverage_report(sessions_from_workouts(workouts()), first, end, window=WINDOW, now=end)
    assert chart.callout_text() == callout_text(report, UTC)
    assert chart.callout_text().startswith("Longest gap: ")
    assert f"{report.streak.sessions} sessions" in chart.callout_text()


def test_cell_hover_text(chart) -> None:
    cell = next(c for c in chart.data.cells if c.coverage.day == date(2026, 11, 20))
    text = cell_text(cell)
    assert text.startswith("Fri 20 Nov 2026") and "covered by a session window" in text
    assert "1 session (resistance), 40 min" in text
    tomorrow = next(c for c in chart.data.cells if c.coverage.day == date(2026, 11, 21))
    assert tomorrow.future and "still to come" in cell_text(tomorrow)


def test_empty_state(qtbot) -> None:
    widget = TrainingConsistencyChart()
    qtbot.addWidget(widget)
    assert widget.showing_empty_state()
    widget.set_workouts([], tz=UTC, today=TODAY)
    assert widget.showing_empty_state() and widget.data is None
    assert widget.empty_text() == EMPTY_TEXT and "No workouts yet" in EMPTY_TEXT
    widget.set_workouts(workouts(), tz=UTC, today=TODAY)
    assert not widget.showing_empty_state()


def test_dark_palette_is_followed(qtbot) -> None:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#181818"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    widget = TrainingConsistencyChart(palette=chart_palette(palette))
    qtbot.addWidget(widget)
    widget.set_workouts(workouts(), tz=UTC, today=TODAY)
    assert widget._view.backgroundBrush().color() == QColor("#181818")


def _distinct_colours(image) -> int:
    step_x, step_y = max(1, image.width() // 80), max(1, image.height() // 80)
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step_x)
            for y in range(0, image.height(), step_y)
        }
    )


def test_render_returns_a_drawn_image_of_the_requested_size(qapp) -> None:
    image = render_training_consistency(
        workouts(),
        window=WINDOW,
        tz=UTC,
        weeks=26,
        today=TODAY,
        width_px=900,
        height_px=700,
        dpi=150,
    )
    assert (image.width(), image.height()) == (900, 700)
    assert round(image.dotsPerMeterX() * 0.0254) == 150
    assert _distinct_colours(image) > 20


def test_render_of_nothing_is_an_empty_state_image(qapp) -> None:
    image = render_training_consistency(
        [], tz=UTC, weeks=26, today=TODAY, width_px=400, height_px=200
    )
    assert (image.width(), image.height()) == (400, 200)
    assert _distinct_colours(image) > 2


def test_a_new_workout_updates_the_plots_in_place(chart) -> None:
    plots = chart.plots
    before = chart.data.weeks[-1].total_minutes
    more = [*workouts(), workout(NOW - timedelta(hours=2), minutes=25, kind=WorkoutKind.HIIT)]
    chart.set_workouts(more, window=WINDOW, tz=UTC, weeks=26, today=TODAY)
    assert chart.plots == plots  # the same plots, given new data
    assert chart.data.weeks[-1].total_minutes == before + 25
    heights = [
        float(np.sum(b.opts["height"][-1:]))
        for b in chart.plots[2].items
        if isinstance(b, pg.BarGraphItem)
    ]
    assert sum(heights) == before + 25
    assert chart.data == render_data(more)


def render_data(items: list):
    from journal.domain.training_charts import training_consistency

    return training_consistency(items, tz=UTC, today=TODAY, weeks=26, window=WINDOW)


def test_weekly_plots_keep_their_top_while_new_sessions_fit_under_it(chart) -> None:
    minutes = chart.plots[2].getViewBox()
    most = max(w.total_minutes for w in chart.data.weeks)
    top = minutes.viewRange()[1][1]
    assert top == pytest.approx(max(most, 150) * 1.1)
    # Five more minutes this week still fit: the axis stays, so it is not drawn again.
    more = [*workouts(), workout(NOW - timedelta(hours=2), minutes=5, kind=WorkoutKind.AEROBIC)]
    chart.set_workouts(more, window=WINDOW, tz=UTC, weeks=26, today=TODAY)
    assert chart.data.weeks[-1].total_minutes * 1.1 < top
    assert minutes.viewRange()[1][1] == pytest.approx(top)
    # Five hours more do not: the top grows to fit them with the usual margin.
    long = workout(NOW - timedelta(hours=3), minutes=300, kind=WorkoutKind.AEROBIC)
    chart.set_workouts([*more, long], window=WINDOW, tz=UTC, weeks=26, today=TODAY)
    week = chart.data.weeks[-1].total_minutes
    assert minutes.viewRange()[1][1] == pytest.approx(max(week * 1.1, top * 1.25))
    # Back to the first workouts, the bars would fill under half of it: the top fits them again.
    chart.set_workouts(workouts(), window=WINDOW, tz=UTC, weeks=26, today=TODAY)
    assert minutes.viewRange()[1][1] == pytest.approx(top)


def test_a_new_session_recolours_only_its_days_as_a_fresh_chart_would(chart, qtbot) -> None:
    def squares(widget: TrainingConsistencyChart) -> list[tuple[str, str, object]]:
        heat = widget.plots[0]
        marks = next(i for i in heat.items if isinstance(i, pg.ScatterPlotItem))
        return [
            (s.brush().color().name(), s.pen().color().name(), s.data()) for s in marks.points()
        ]

    more = [*workouts(), workout(NOW - timedelta(hours=2), minutes=25, kind=WorkoutKind.HIIT)]
    first = squares(chart)
    chart.set_workouts(more, window=WINDOW, tz=UTC, weeks=26, today=TODAY)
    fresh = TrainingConsistencyChart()
    qtbot.addWidget(fresh)
    fresh.set_workouts(more, window=WINDOW, tz=UTC, weeks=26, today=TODAY)
    assert squares(chart) == squares(fresh)
    assert [c.coverage.sessions for *_, c in squares(chart)][-3] == 2  # today, a Friday
    assert squares(chart) != first
