"""The walk adherence chart: plots per meal, histogram bars, empty state, static images."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyqtgraph as pg
import pytest

from journal.domain.entities import Meal
from journal.domain.walk_charts import walk_chart_data
from journal.ui.charts.walks import WalkAdherenceChart, empty_text, render_walk_adherence
from tests.factories import walk

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 25)


def walks() -> list:
    out = []
    for k in range(40):
        day = TODAY - timedelta(days=k)
        end = datetime(day.year, day.month, day.day, 19, 0, tzinfo=BERLIN).astimezone(UTC)
        if k % 7 not in (2, 5):  # 5 of 7 days after dinner
            out.append(walk(end, delay_min=3 + k % 25, minutes=8 + k % 20))
        if k % 3 == 0:
            out.append(walk(end - timedelta(hours=6), delay_min=5, meal=Meal.LUNCH))
    return out


def bar_heights(plot: pg.PlotItem) -> list[list[float]]:
    bars = [item for item in plot.items if isinstance(item, pg.BarGraphItem)]
    return [list(np.asarray(b.opts["height"], dtype=float)) for b in bars]


@pytest.fixture
def chart(qtbot):
    widget = WalkAdherenceChart()
    qtbot.addWidget(widget)
    widget.set_walks(walks(), tz=BERLIN, target_delay_min=15, weeks=8, today=TODAY)
    return widget


def test_builds_weekly_plots_with_one_line_per_meal(chart) -> None:
    assert not chart.showing_empty_state()
    assert len(chart.plots) == 4
    walked, on_target = chart.plots[:2]
    for plot in (walked, on_target):
        lines = [i for i in plot.items if isinstance(i, pg.PlotDataItem)]
        assert [line.name() for line in lines] == ["lunch", "dinner"]
        assert all(len(line.getData()[0]) == 8 for line in lines)
        ys = [y for line in lines for y in line.getData()[1]]
        assert min(ys) >= 0 and max(ys) <= 100
    assert "% of days" in walked.getAxis("left").labelText
    assert chart.data is not None and chart.data.summary.startswith("Last 4 weeks — dinner:")


def test_histogram_bars_match_the_data_prep(chart) -> None:
    data = walk_chart_data(walks(), BERLIN, target_delay_min=15, weeks=8, today=TODAY)
    start, length = chart.plots[2:]
    assert bar_heights(start) == [
        [float(b.good) for b in data.delays],
        [float(b.other) for b in data.delays],
    ]
    assert bar_heights(length) == [
        [float(b.good) for b in data.durations],
        [float(b.other) for b in data.durations],
    ]
    assert sum(b.count for b in data.delays) == data.walks
    assert any(b.other for b in data.durations)  # some walks shorter than 10 min
    targets = [i.value() for i in start.items if isinstance(i, pg.InfiniteLine)]
    assert targets == [15]
    assert [i.value() for i in length.items if isinstance(i, pg.InfiniteLine)] == [10]
    assert "minutes after eating" in start.getAxis("bottom").labelText


def test_empty_state(qtbot) -> None:
    widget = WalkAdherenceChart()
    qtbot.addWidget(widget)
    assert widget.showing_empty_state()
    widget.set_walks([], tz=BERLIN, target_delay_min=15, weeks=12, today=TODAY)
    assert widget.showing_empty_state()
    assert widget.empty_text() == empty_text(12) and "Log a walk" in widget.empty_text()
    widget.set_walks(walks(), tz=BERLIN, target_delay_min=15, today=TODAY)
    assert not widget.showing_empty_state()


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
    image = render_walk_adherence(
        walks(),
        tz=BERLIN,
        target_delay_min=15,
        weeks=8,
        today=TODAY,
        width_px=1000,
        height_px=700,
        dpi=150,
    )
    assert (image.width(), image.height()) == (1000, 700)
    assert round(image.dotsPerMeterX() * 0.0254) == 150
    assert _distinct_colours(image) > 20


def test_render_of_nothing_is_an_empty_state_image(qapp) -> None:
    image = render_walk_adherence(
        [], tz=BERLIN, target_delay_min=15, weeks=8, today=TODAY, width_px=400, height_px=200
    )
    assert (image.width(), image.height()) == (400, 200)
    assert _distinct_colours(image) > 2


def test_a_new_walk_updates_the_plots_in_place(chart) -> None:
    plots = chart.plots
    end = datetime(2026, 11, 25, 8, 0, tzinfo=BERLIN).astimezone(UTC)
    more = [*walks(), walk(end, delay_min=4, minutes=12, meal=Meal.BREAKFAST)]
    chart.set_walks(more, tz=BERLIN, target_delay_min=15, weeks=8, today=TODAY)
    assert chart.plots == plots
    lines = [i for i in plots[0].items if isinstance(i, pg.PlotDataItem)]
    assert [line.name() for line in lines] == ["breakfast", "lunch", "dinner"]
    # One breakfast in this week's 3 days so far (Monday to Wednesday 25 Nov).
    assert lines[0].getData()[1][-1] == pytest.approx(100 / 3)
    data = walk_chart_data(more, BERLIN, target_delay_min=15, weeks=8, today=TODAY)
    assert bar_heights(plots[2])[0] == [float(b.good) for b in data.delays]
