"""The glucose charts: a day with meals and walks, the long history, empty states, images."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PySide6.QtGui import QColor

from journal.domain.entities import GlucoseSource, Meal
from journal.ui.charts.glucose import (
    DAY_EMPTY_TEXT,
    HISTORY_EMPTY_TEXT,
    GlucoseDayChart,
    GlucoseHistoryChart,
    day_data,
    load_history,
    render_glucose_day,
)
from tests.factories import reading, walk

TZ = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 10)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def day_readings() -> list:
    sensor = [
        reading(at(0) + timedelta(minutes=15 * i), 100 + (i % 8) * 5, source=GlucoseSource.CGM)
        for i in range(96)
    ]
    sticks = [reading(at(7, 30), 6.1, "mmol/L"), reading(at(19, 45), 162, "mg/dL")]
    return sensor + sticks


def day_walks() -> list:
    return [
        walk(at(13, 0), meal=Meal.LUNCH, minutes=20),
        walk(at(19, 30), meal=Meal.DINNER, minutes=15),
    ]


@pytest.fixture
def day_chart(qtbot):
    chart = GlucoseDayChart()
    qtbot.addWidget(chart)
    return chart


def test_day_chart_in_mmol_shows_every_reading_converted(day_chart) -> None:
    day_chart.set_day(day_readings(), day_walks(), day=DAY, tz=TZ, unit="mmol/L")
    data, items = day_chart.data, day_chart.items
    assert not day_chart.showing_empty_state()
    assert len(data.sensor) == 96 and len(data.fingersticks) == 2
    assert data.fingersticks[0].value == pytest.approx(6.1)
    assert data.fingersticks[1].value == pytest.approx(162 / 18.016, abs=0.01)
    assert data.sensor[0].value == pytest.approx(100 / 18.016, abs=0.01)
    assert items.fingersticks is not None and len(items.fingersticks.data) == 2
    assert data.fingersticks[0].hours == pytest.approx(7.5)
    assert items.band.getRegion() == pytest.approx((3.9, 10.0))
    assert "mmol/L" in items.plot.getAxis("left").labelText


def test_day_chart_in_mgdl_uses_the_mgdl_band(day_chart) -> None:
    day_chart.set_day(day_readings(), day_walks(), day=DAY, tz=TZ, unit="mg/dL")
    data, items = day_chart.data, day_chart.items
    assert data.fingersticks[0].value == pytest.approx(6.1 * 18.016, abs=0.1)
    assert data.fingersticks[1].value == pytest.approx(162)
    assert items.band.getRegion() == pytest.approx((70.0, 180.0))
    assert "mg/dL" in items.plot.getAxis("left").labelText


def test_meal_and_walk_markers_match_the_walks(day_chart) -> None:
    walks = day_walks()
    day_chart.set_day(day_readings(), walks, day=DAY, tz=TZ, unit="mmol/L")
    items = day_chart.items
    assert len(items.meals) == len(walks) == len(items.walks)
    assert [line.label.format for line in items.meals] == ["Lunch", "Dinner"]
    assert items.meals[1].value() == pytest.approx(19.5)
    begin, end = items.walks[1].getRegion()
    assert begin == pytest.approx(19.5 + 8 / 60) and end == pytest.approx(begin + 15 / 60)


def test_walks_from_other_days_are_left_out() -> None:
    data = day_data(
        day_readings(), [walk(at(20, 0, DAY - timedelta(days=1)))], day=DAY, tz=TZ, unit="mg/dL"
    )
    assert data.meals == () and data.walks == ()


def test_time_axis_is_local_hours_across_dst(day_chart) -> None:
    spring = date(2026, 3, 29)  # Europe/Berlin skips 02:00–03:00
    data = day_data([reading(at(4, 0, spring), 100)], [], day=spring, tz=TZ, unit="mg/dL")
    assert data.hours == pytest.approx(23)
    assert data.fingersticks[0].hours == pytest.approx(3)
    assert data.hour_text(3) == "04:00"


def test_hover_read_out_names_time_value_and_unit(day_chart) -> None:
    day_chart.set_day(day_readings(), day_walks(), day=DAY, tz=TZ, unit="mmol/L")
    text = day_chart.hover_at(7.45)
    assert text.startswith("07:30  6.1 mmol/L")
    assert "finger-stick" in text
    assert day_chart.readout_text() == text
    assert day_chart.hover_at(99) == "" and day_chart.readout_text() == ""


def test_day_without_readings_shows_the_empty_state(day_chart) -> None:
    day_chart.set_day([], day_walks(), day=DAY, tz=TZ, unit="mg/dL")
    assert day_chart.showing_empty_state()
    assert day_chart.empty_text() == DAY_EMPTY_TEXT == "No readings on this day"
    day_chart.set_day(day_readings(), [], day=DAY, tz=TZ, unit="mg/dL")
    assert not day_chart.showing_empty_state()


def test_history_chart_holds_many_points_downsampled(qtbot) -> None:
    chart = GlucoseHistoryChart()
    qtbot.addWidget(chart)
    chart.resize(800, 400)
    chart.show()
    n = 200_000
    times = 1.6e9 + np.arange(n) * 300.0
    values = 6 + np.sin(np.arange(n) / 50.0)
    chart.set_readings(times, values, "mmol/L")
    qtbot.wait(10)
    assert chart.point_count == n
    assert not chart.showing_empty_state()
    assert chart.curve.opts["autoDownsample"] is True
    assert chart.curve.opts["downsampleMethod"] == "peak"
    assert chart.curve.opts["clipToView"] is True
    x, _y = chart.curve.getData()
    assert x is not None and len(x) < n  # drawn down-sampled
    chart.show_range(times[-1] - 86400, times[-1])
    qtbot.wait(10)
    x, _y = chart.curve.getData()
    assert x is not None and len(x) <= 300  # clipped to the visible day
    assert chart.plot.getAxis("left").labelText == "Glucose (mmol/L)"


def test_history_chart_band_follows_the_unit(qtbot) -> None:
    chart = GlucoseHistoryChart()
    qtbot.addWidget(chart)
    chart.set_readings(np.array([1.6e9, 1.6e9 + 300]), np.array([100.0, 120.0]), "mg/dL")
    band = [i for i in chart.plot.items if type(i).__name__ == "LinearRegionItem"]
    assert len(band) == 1 and band[0].getRegion() == pytest.approx((70.0, 180.0))
    chart.set_readings(np.array([1.6e9]), np.array([5.5]), "mmol/L")
    band = [i for i in chart.plot.items if type(i).__name__ == "LinearRegionItem"]
    assert len(band) == 1 and band[0].getRegion() == pytest.approx((3.9, 10.0))


def test_history_chart_empty_state(qtbot) -> None:
    chart = GlucoseHistoryChart()
    qtbot.addWidget(chart)
    chart.set_readings(np.empty(0), np.empty(0), "mg/dL")
    assert chart.showing_empty_state()
    assert chart.empty_text() == HISTORY_EMPTY_TEXT


def test_load_history_converts_every_month(services) -> None:
    services.glucose.add_reading(reading(at(8), 99, "mg/dL"))
    services.glucose.add_reading(reading(at(8, 0, date(2026, 5, 2)), 5.5, "mmol/L"))
    services.glucose.add_reading(reading(at(9, 0, date(2026, 5, 2)), 180, "mg/dL"))
    times, values = load_history(services, "mmol/L")
    assert times.tolist() == [
        at(8).timestamp(),
        at(8, 0, date(2026, 5, 2)).timestamp(),
        at(9, 0, date(2026, 5, 2)).timestamp(),
    ]
    assert values == pytest.approx([99 / 18.016, 5.5, 180 / 18.016], abs=1e-3)
    _, values = load_history(services, "mg/dL")
    assert values == pytest.approx([99, 5.5 * 18.016, 180], abs=1e-3)


def test_load_history_of_an_empty_journal(services) -> None:
    times, values = load_history(services, "mg/dL")
    assert len(times) == len(values) == 0


def test_render_returns_an_image_of_the_requested_size(qapp) -> None:
    image = render_glucose_day(
        day_readings(), day_walks(), day=DAY, tz=TZ, unit="mmol/L", width_px=900, height_px=450
    )
    assert (image.width(), image.height()) == (900, 450)
    background = QColor("#ffffff").rgb()
    sample = {image.pixel(x, y) for x in range(0, 900, 9) for y in range(0, 450, 9)}
    assert len(sample - {background}) > 20  # something was drawn


def test_render_of_an_empty_day_says_so(qapp) -> None:
    image = render_glucose_day([], [], day=DAY, tz=TZ, unit="mg/dL", width_px=400, height_px=200)
    assert (image.width(), image.height()) == (400, 200)
    assert len({image.pixel(x, 100) for x in range(400)}) > 1


def test_a_new_reading_updates_the_day_chart_in_place(day_chart) -> None:
    day_chart.set_day(day_readings(), day_walks(), day=DAY, tz=TZ, unit="mg/dL")
    before = day_chart.items
    box = before.plot.getViewBox()
    box.setXRange(6, 12, padding=0)  # zoomed in on the morning
    late = reading(at(21, 0), 250, "mg/dL")
    day_chart.set_day([*day_readings(), late], day_walks(), day=DAY, tz=TZ, unit="mg/dL")
    after = day_chart.items
    assert after.plot is before.plot and after.sensor is before.sensor
    assert after.fingersticks is before.fingersticks and after.meals == before.meals
    assert after.fingersticks.getData()[1].tolist() == pytest.approx([6.1 * 18.016, 162, 250])
    (x0, x1), (_y0, y1) = box.viewRange()
    assert (x0, x1) == pytest.approx((6, 12))  # the same day keeps its zoom
    assert y1 > 250  # the range grew to show the new reading
    # Without walks the marks go; on another day the whole day is shown again.
    next_day = DAY + timedelta(days=1)
    day_chart.set_day([reading(at(9, 0, next_day), 100)], [], day=next_day, tz=TZ, unit="mg/dL")
    assert day_chart.items.meals == [] and day_chart.items.walks == []
    assert not [i for i in before.plot.items if type(i).__name__ == "InfiniteLine"]
    assert day_chart.items.sensor is None
    (x0, x1), _ = box.viewRange()
    assert (x0, x1) == pytest.approx((-0.24, 24.24))


def test_the_same_day_again_touches_no_plot_item(day_chart, monkeypatch) -> None:
    import journal.ui.charts.glucose as charts

    day_chart.set_day(day_readings(), day_walks(), day=DAY, tz=TZ, unit="mg/dL")
    updates: list[object] = []
    original = charts.DayPlot.update
    monkeypatch.setattr(
        charts.DayPlot, "update", lambda self, data: (updates.append(data), original(self, data))[1]
    )
    day_chart.set_day(day_readings(), day_walks(), day=DAY, tz=TZ, unit="mg/dL")
    assert updates == []
    day_chart.set_day(day_readings(), day_walks(), day=DAY, tz=TZ, unit="mmol/L")
    assert len(updates) == 1
    assert day_chart.items.band.getRegion() == pytest.approx((3.9, 10.0))
    assert "mmol/L" in day_chart.items.plot.getAxis("left").labelText
