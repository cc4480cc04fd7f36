"""The marker trend chart: plots from draws, clicks, empty state, unit toggle, static images."""

from __future__ import annotations

from datetime import timedelta

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QPalette

from journal.domain.entities import Fasting
from journal.domain.trends import marker_series
from journal.domain.units import UnitSystem
from journal.ui.charts.style import chart_palette
from journal.ui.charts.trends import (
    EMPTY_TEXT,
    MarkerTrendChart,
    hover_text,
    render_marker_trends,
)
from tests.factories import NOW, draw, result

T0 = NOW - timedelta(days=365)
KEYS = ("glucose", "hba1c", "homa_ir", "tg_hdl")


def draws() -> list:
    return [
        draw(T0, id=1, lab_name="Quest"),
        draw(
            T0 + timedelta(days=120),
            id=2,
            lab_name="Labcorp",
            results=(
                result("glucose", 5.9, "mmol/L", ref_low=3.9, ref_high=5.5),
                result("insulin", 72, "pmol/L"),
                result("hba1c", 5.8, "%"),
                result("triglycerides", 1.7, "mmol/L"),
                result("hdl", 1.3, "mmol/L"),
            ),
        ),
        draw(T0 + timedelta(days=240), id=3, fasting=Fasting.NO, lab_name="Labcorp"),
    ]


def scatters(plot: pg.PlotItem) -> list[pg.ScatterPlotItem]:
    return [item for item in plot.items if isinstance(item, pg.ScatterPlotItem)]


def plotted_y(plot: pg.PlotItem) -> list[float]:
    return sorted(float(y) for s in scatters(plot) for y in s.getData()[1])


@pytest.fixture
def chart(qtbot):
    widget = MarkerTrendChart()
    qtbot.addWidget(widget)
    widget.set_draws(draws(), KEYS)
    return widget


def test_builds_one_linked_plot_per_marker(chart) -> None:
    assert not chart.showing_empty_state()
    assert [s.key for s in chart.series] == list(KEYS)
    assert len(chart.plots) == 4
    first = chart.plots[0].getViewBox()
    assert all(p.getViewBox().linkedView(0) is first for p in chart.plots[1:])
    assert isinstance(chart.plots[-1].getAxis("bottom"), pg.DateAxisItem)
    assert chart.plots[0].titleLabel.text.find("Glucose (mg/dL)") >= 0
    assert "vary by population and assay" in chart.notes_text()
    # Glucose: two fasting points filled, the non-fasting one hollow in its own scatter.
    assert [len(s.points()) for s in scatters(chart.plots[0])] == [2, 1]


def test_clicking_a_point_emits_its_draw_id(chart, qtbot) -> None:
    scatter = scatters(chart.plots[0])[0]
    spot = scatter.points()[1]
    with qtbot.waitSignal(chart.point_clicked) as blocker:
        chart._on_points_clicked(scatter, [spot], None)
    assert blocker.args == [2]


def test_hover_text_names_date_value_lab_and_fasting(chart) -> None:
    point = chart.series[0].points[1]
    text = hover_text(point)
    assert "106 mg/dL" in text and "reported 5.9 mmol/L" in text  # 5.9 × 18.016 = 106.3
    assert "Lab: Labcorp" in text and "Fasting: yes" in text
    assert "Lab range: 70–99" in text


def test_empty_state(qtbot) -> None:
    widget = MarkerTrendChart()
    qtbot.addWidget(widget)
    widget.set_draws([], KEYS)
    assert widget.showing_empty_state()
    assert widget.empty_text() == EMPTY_TEXT and "Add a lab draw" in widget.empty_text()
    widget.set_draws(draws(), ["ldl"])  # draws without any LDL
    assert widget.showing_empty_state()


def test_unit_toggle_changes_the_plotted_values(chart) -> None:
    assert plotted_y(chart.plots[0]) == pytest.approx([100.0, 100.0, 106.2944])

    chart.toggle_unit("glucose")

    assert chart.unit_for("glucose") == "mmol/L"
    assert plotted_y(chart.plots[0]) == pytest.approx([5.55062, 5.55062, 5.9], abs=1e-5)
    assert chart.series[1].unit == "%"  # the other charts keep theirs
    chart.toggle_unit("tg_hdl")
    assert chart.series[3].unit == "ratio (mmol/L basis)"


def test_unit_preference_change_resets_toggles(chart) -> None:
    chart.toggle_unit("glucose")
    chart.set_draws(draws(), KEYS, system=UnitSystem.SI)
    assert [s.unit for s in chart.series[:2]] == ["mmol/L", "mmol/mol"]


def test_dark_palette_is_followed(qtbot) -> None:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#181818"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    pal = chart_palette(palette)
    assert pal.dark and pal.background == QColor("#181818")
    assert not chart_palette(QPalette(QColor("#f0f0f0"))).dark


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
    series = [marker_series(draws(), key, "mg/dL" if key == "glucose" else "") for key in KEYS[:1]]
    series.append(marker_series(draws(), "tg_hdl", "mg/dL"))

    image = render_marker_trends(series, 900, 600, dpi=150)

    assert (image.width(), image.height()) == (900, 600)
    assert round(image.dotsPerMeterX() * 0.0254) == 150
    assert _distinct_colours(image) > 20


def test_render_of_nothing_is_an_empty_state_image(qapp) -> None:
    image = render_marker_trends([marker_series([], "glucose", "mg/dL")], 400, 200)
    assert (image.width(), image.height()) == (400, 200)
    assert _distinct_colours(image) > 2  # the message is drawn


def test_a_new_draw_updates_the_plots_in_place(chart) -> None:
    plots = chart.plots
    more = [
        *draws(),
        draw(T0 + timedelta(days=300), id=4, results=(result("glucose", 112, "mg/dL"),)),
    ]
    chart.set_draws(more, KEYS)
    assert chart.plots == plots
    assert plotted_y(chart.plots[0]) == pytest.approx([100.0, 100.0, 106.2944, 112.0])


def test_a_new_draw_inside_the_margin_keeps_the_date_range(chart) -> None:
    box = chart.plots[0].getViewBox()
    shown = box.viewRange()[0]
    # The draws span 240 days, so the margin is 15 days each side; 5 days on stays inside.
    near = [*draws(), draw(T0 + timedelta(days=245), id=4, results=(result("hba1c", 5.6, "%"),))]
    chart.set_draws(near, KEYS)
    assert box.viewRange()[0] == pytest.approx(shown)
    assert [s.points for s in chart.series] == [
        marker_series(near, k, chart.unit_for(k)).points for k in KEYS
    ]
    # A draw far later than the range needs a new one.
    far = [*near, draw(T0 + timedelta(days=400), id=5, results=(result("hba1c", 5.7, "%"),))]
    chart.set_draws(far, KEYS)
    lo, hi = box.viewRange()[0]
    assert hi > (T0 + timedelta(days=400)).timestamp() > lo
