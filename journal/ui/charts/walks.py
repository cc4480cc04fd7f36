"""Walk adherence: weekly share of days with a walk per meal, and start and length histograms."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from journal.domain.entities import Meal, PostMealWalk
from journal.domain.walk_charts import OVERFLOW_FROM_MIN, Bin, WalkChartData, walk_chart_data
from journal.ui.charts.render import SCREEN_DPI as _SCREEN_DPI
from journal.ui.charts.render import cache_axes, render_plots
from journal.ui.charts.style import OKABE_ITO, ChartPalette, chart_palette, print_palette

_BAR_GAP: Final = 0.12  # share of a bin left between bars
_WEEK_LABELS: Final = 7  # about this many dates on the weekly axis
_SUMMARY_PER_LINE: Final = 2

# One hue per meal, never reused for another meaning inside the weekly plots.
_MEAL_HUES: Final = {
    Meal.BREAKFAST: "orange",
    Meal.LUNCH: "bluish_green",
    Meal.DINNER: "blue",
    Meal.SNACK: "reddish_purple",
}


def empty_text(weeks: int) -> str:
    return (
        f"No walks after meals in the last {weeks} weeks.\n"
        "Log a walk after a meal, and how often, how soon and how long you walked appears here."
    )


def meal_colour(meal: Meal, pal: ChartPalette) -> QColor:
    hue = _MEAL_HUES[meal]
    if pal.dark and hue == "blue":  # Okabe–Ito blue is too dark on a dark background
        hue = "sky_blue"
    return QColor(OKABE_ITO[hue])


def good_colour(pal: ChartPalette) -> QColor:
    return QColor(OKABE_ITO["sky_blue" if pal.dark else "blue"])


def other_colour(pal: ChartPalette) -> QColor:
    return QColor(OKABE_ITO["orange" if pal.dark else "vermillion"])


def _style_axes(plot: pg.PlotItem, pal: ChartPalette) -> None:
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(pal.muted))
        axis.setTextPen(pg.mkPen(pal.foreground))
    plot.getAxis("left").setWidth(48)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=False, y=False)


def _title(plot: pg.PlotItem, text: str, pal: ChartPalette) -> None:
    plot.setTitle(f"<b>{html.escape(text)}</b>", color=pal.foreground.name(), size="9pt")
    plot.titleLabel.setAttr("justify", "left")


def _week_ticks(starts: Sequence[date]) -> list[tuple[float, str]]:
    step = max(1, math.ceil(len(starts) / _WEEK_LABELS))
    # Half a step in from the first week: a date on the first or last week sticks out of the
    # axis, and pyqtgraph hides it.
    first = step // 2 if len(starts) > 2 else 0
    return [(float(i), f"{starts[i]:%d %b}") for i in range(first, len(starts), step)]


def _share_plot(
    layout: pg.GraphicsLayout, weeks: int, pal: ChartPalette, col: int, title: str
) -> pg.PlotItem:
    plot = layout.addPlot(row=1, col=col)
    _title(plot, title, pal)
    _style_axes(plot, pal)
    plot.showGrid(x=False, y=True, alpha=0.15)
    plot.setLabel("left", "% of days", color=pal.muted.name())
    plot.setLabel("bottom", "week starting", color=pal.muted.name())
    plot.getAxis("left").setTicks([[(v, f"{v}") for v in range(0, 101, 25)], []])
    plot.setYRange(0, 100, padding=0.04)
    plot.setXRange(-0.5, max(weeks - 0.5, 0.5), padding=0)
    return plot


def _share_line(meal: Meal, pal: ChartPalette) -> pg.PlotDataItem:
    colour = meal_colour(meal, pal)
    return pg.PlotDataItem(
        pen=pg.mkPen(colour, width=2),
        symbol="o",
        symbolSize=4,
        symbolPen=pg.mkPen(colour),
        symbolBrush=pg.mkBrush(colour),
        antialias=True,
        name=meal.value,
    )


def _bin_ticks() -> list[tuple[float, str]]:
    ticks: list[tuple[float, str]] = [(float(v), str(v)) for v in range(0, 60, 10)]
    ticks.append((OVERFLOW_FROM_MIN + 2.5, f"{OVERFLOW_FROM_MIN:g}+"))
    return ticks


class _Histogram:
    """One histogram plot: two stacked bar sets and a dashed target line."""

    def __init__(
        self,
        layout: pg.GraphicsLayout,
        pal: ChartPalette,
        *,
        col: int,
        title: str,
        axis: str,
        target: float,
        target_label: str,
    ) -> None:
        plot = layout.addPlot(row=3, col=col)
        _title(plot, title, pal)
        _style_axes(plot, pal)
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.setLabel("left", "walks", color=pal.muted.name())
        plot.setLabel("bottom", axis, color=pal.muted.name())
        plot.getAxis("bottom").setTicks([_bin_ticks(), []])
        self.plot = plot
        self._x_range: tuple[float, float] | None = None
        self._bins: list[Bin] | None = None
        self.bars = []
        for colour in (good_colour(pal), other_colour(pal)):
            bars = pg.BarGraphItem(
                x0=[], y0=[], width=1.0, height=[], brush=pg.mkBrush(colour), pen=pg.mkPen(None)
            )
            plot.addItem(bars)
            self.bars.append(bars)
        shown = min(target, OVERFLOW_FROM_MIN)
        line = pg.InfiniteLine(
            pos=shown,
            angle=90,
            pen=pg.mkPen(pal.foreground, width=1.5, style=Qt.PenStyle.DashLine),
            label=target_label,
            labelOpts={
                # Above the tallest bar (the y range leaves 15 % headroom), so it needs no fill.
                "position": 0.95,
                "color": pal.foreground,
                "anchors": [(0, 0.5), (0, 0.5)],
            },
        )
        plot.addItem(line, ignoreBounds=True)

    def update(self, bins: Sequence[Bin]) -> None:
        if list(bins) == self._bins:
            return  # the same bars: nothing to draw again
        self._bins = list(bins)
        width = bins[0].high - bins[0].low if bins and bins[0].high is not None else 5.0
        x0 = np.array([b.low for b in bins], dtype=float) + width * _BAR_GAP / 2
        good = np.array([b.good for b in bins], dtype=float)
        other = np.array([b.other for b in bins], dtype=float)
        for bars, y0, height in zip(
            self.bars, (np.zeros_like(good), good), (good, other), strict=True
        ):
            bars.setOpts(x0=x0, y0=y0, width=width * (1 - _BAR_GAP), height=height)
        top = max(float((good + other).max()) if len(bins) else 0.0, 1.0)
        # The range (and so the axis) changes only when the bars outgrow it or shrink to less
        # than half of it: one more walk rarely needs a new axis.
        shown = self.plot.viewRange()[1][1]
        if not (top * 1.05 <= shown <= top * 2.3):
            self.plot.setYRange(0, top * 1.15, padding=0)
        x_range = (0, OVERFLOW_FROM_MIN + width)
        if x_range != self._x_range:
            self._x_range = x_range
            self.plot.setXRange(*x_range, padding=0.02)


def _swatch(colour: QColor, text: str, mark: str = "■") -> str:
    return f'<span style="color:{colour.name()}">{mark}</span>&nbsp;{html.escape(text)}'


def _meal_legend(data: WalkChartData, pal: ChartPalette) -> str:
    parts = [_swatch(meal_colour(m, pal), m.value, "━") for m in data.weekly.meals]
    note = (
        f"on target: started within {data.target_delay_min:g} min of eating and at least "
        f"{data.min_duration_min:g} min long"
    )
    partial = data.weekly.days[-1]
    if partial < 7:
        note += f"; this week counts its {partial} day{'s' if partial != 1 else ''} so far"
    return " &nbsp; ".join(parts) + f"<br><i>{html.escape(note)}</i>"


def _summary_html(data: WalkChartData) -> str:
    """Two meals a line: one long line would set the chart's minimum width."""
    parts = [html.escape(p) for p in data.summary_parts] or ["no walks after meals"]
    lines = [
        " · ".join(parts[i : i + _SUMMARY_PER_LINE])
        for i in range(0, len(parts), _SUMMARY_PER_LINE)
    ]
    return f"<b>{html.escape(data.summary_head)}</b> — " + "<br>".join(lines)


def _bars_legend(good: str, other: str, pal: ChartPalette) -> str:
    return f"{_swatch(good_colour(pal), good)} &nbsp; {_swatch(other_colour(pal), other)}"


class WalkPlots:
    """Summary, two weekly plots and two histograms in a layout, built once and then updated.

    Built for a number of weeks and the two targets; a redraw with new walks only sets the data
    of the items already there. The same code draws the screen chart and the static image.
    """

    def __init__(self, layout: pg.GraphicsLayout, data: WalkChartData, pal: ChartPalette) -> None:
        self.pal = pal
        self.key = _build_key(data)
        self._shown: dict[str, object] = {}
        layout.setSpacing(4)
        # Room on the right for the last date label, which pyqtgraph hides when it sticks out.
        layout.setContentsMargins(2, 2, 16, 2)
        self.summary = pg.LabelItem("", justify="left", size="9pt", color=pal.foreground.name())
        layout.addItem(self.summary, row=0, col=0, colspan=2)
        walked = _share_plot(layout, data.weeks, pal, 0, "Days with a walk after the meal")
        on_target = _share_plot(layout, data.weeks, pal, 1, "Days with a walk on target")
        on_target.setXLink(walked)
        on_target.setYLink(walked)
        self.share_plots = (walked, on_target)
        self.lines: tuple[dict[Meal, pg.PlotDataItem], ...] = ({}, {})
        self.legend = pg.LabelItem("", justify="left", size="8pt", color=pal.foreground.name())
        layout.addItem(self.legend, row=2, col=0, colspan=2)
        target = data.target_delay_min
        self.start = _Histogram(
            layout,
            pal,
            col=0,
            title="When walks started",
            axis="minutes after eating",
            target=target,
            target_label=f"target {target:g} min",
        )
        self.length = _Histogram(
            layout,
            pal,
            col=1,
            title="How long walks lasted",
            axis="walk length, min",
            target=data.min_duration_min,
            target_label=f"{data.min_duration_min:g} min",
        )
        layout.addItem(
            pg.LabelItem(
                _bars_legend(f"within {target:g} min", "later", pal),
                justify="left",
                size="8pt",
                color=pal.foreground.name(),
            ),
            row=4,
            col=0,
        )
        layout.addItem(
            pg.LabelItem(
                _bars_legend(f"{data.min_duration_min:g} min or longer", "shorter", pal),
                justify="left",
                size="8pt",
                color=pal.foreground.name(),
            ),
            row=4,
            col=1,
        )
        self.plots = [walked, on_target, self.start.plot, self.length.plot]

    def _changed(self, key: str, value: object) -> bool:
        # Setting a text or ticks lays the plots out again; skipped when nothing changed.
        if self._shown.get(key, self) == value:
            return False
        self._shown[key] = value
        return True

    def update(self, data: WalkChartData) -> None:
        """Show `data`, which must be for the weeks and targets the plots were built for."""
        if _build_key(data) != self.key:
            raise ValueError("the plots were built for other weeks or targets")
        summary = _summary_html(data)
        if self._changed("summary", summary):
            self.summary.setText(summary)
        weekly = data.weekly
        if self._changed("weeks", weekly.week_starts):
            ticks = [_week_ticks(weekly.week_starts), []]
            for plot in self.share_plots:
                plot.getAxis("bottom").setTicks(ticks)
        x = np.arange(len(weekly.week_starts), dtype=float)
        for n, (plot, lines, shares) in enumerate(
            zip(self.share_plots, self.lines, (weekly.with_walk, weekly.on_target), strict=True)
        ):
            if tuple(lines) != weekly.meals:
                # Another set of meals: lines again, in meal order, so the legend order holds.
                for meal, line in lines.items():
                    plot.removeItem(line)
                    self._shown.pop(f"line {n} {meal.value}", None)
                lines.clear()
                for meal in weekly.meals:
                    lines[meal] = _share_line(meal, self.pal)
                    plot.addItem(lines[meal])
            for meal, line in lines.items():
                # A line whose weeks did not change is left alone: setting it repaints it.
                if self._changed(f"line {n} {meal.value}", (weekly.week_starts, shares[meal])):
                    line.setData(x=x, y=np.array(shares[meal], dtype=float) * 100)
        legend = _meal_legend(data, self.pal)
        if self._changed("legend", legend):
            self.legend.setText(legend)
        self.start.update(data.delays)
        self.length.update(data.durations)


def _build_key(data: WalkChartData) -> tuple[int, float, float]:
    return (data.weeks, data.target_delay_min, data.min_duration_min)


def build_walk_plots(
    layout: pg.GraphicsLayout, data: WalkChartData, pal: ChartPalette
) -> list[pg.PlotItem]:
    """Summary, two weekly plots and two histograms into `layout`; the same for screen and print.

    Returns the plots in the order: days with a walk, days on target, start, length.
    """
    plots = WalkPlots(layout, data, pal)
    plots.update(data)
    return plots.plots


def _local_today(tz: tzinfo) -> date:
    return datetime.now(tz).date()


class WalkAdherenceChart(QWidget):
    """Post-meal walk adherence: weekly shares per meal, start and length histograms."""

    def __init__(self, parent: QWidget | None = None, palette: ChartPalette | None = None) -> None:
        super().__init__(parent)
        self._fixed_palette = palette
        self._data: WalkChartData | None = None
        self._built: WalkPlots | None = None
        self._view = pg.GraphicsLayoutWidget()
        self._empty = QLabel(empty_text(26))
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._view)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)

    def set_walks(
        self,
        walks: Sequence[PostMealWalk],
        *,
        tz: tzinfo,
        target_delay_min: int,
        weeks: int = 26,
        today: date | None = None,
    ) -> None:
        """Chart the `weeks` weeks up to `today` (default: today in `tz`)."""
        self._data = walk_chart_data(
            walks,
            tz,
            target_delay_min=target_delay_min,
            weeks=weeks,
            today=today or _local_today(tz),
        )
        self._rebuild()

    @property
    def data(self) -> WalkChartData | None:
        return self._data

    @property
    def plots(self) -> tuple[pg.PlotItem, ...]:
        if self._built is None or self._data is None or self._data.empty:
            return ()
        return tuple(self._built.plots)

    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self._empty

    def empty_text(self) -> str:
        return self._empty.text()

    def _palette(self) -> ChartPalette:
        return self._fixed_palette or chart_palette(self.palette())

    def _rebuild(self) -> None:
        data = self._data
        if data is None or data.empty:
            if data is not None:
                self._empty.setText(empty_text(data.weeks))
            self._stack.setCurrentWidget(self._empty)
            return
        pal = self._palette()
        built = self._built
        if built is None or built.pal != pal or built.key != _build_key(data):
            # Only a new theme, another number of weeks or another target builds them again.
            self._view.clear()
            self._view.setBackground(pal.background)
            built = self._built = WalkPlots(self._view.ci, data, pal)
            for plot in built.plots:
                cache_axes(plot)
        built.update(data)
        self._stack.setCurrentWidget(self._view)


def render_walk_adherence(
    walks: Sequence[PostMealWalk],
    *,
    tz: tzinfo,
    target_delay_min: int,
    weeks: int = 26,
    today: date | None = None,
    width_px: int,
    height_px: int,
    dpi: float = _SCREEN_DPI,
    palette: ChartPalette | None = None,
) -> QImage:
    """The same charts as `WalkAdherenceChart`, drawn into an image in light colours.

    Text keeps its point size at `dpi` (laid out at screen scale, then scaled), as in
    `render_marker_trends`. Needs a QApplication and the GUI thread.
    """
    data = walk_chart_data(
        walks,
        tz,
        target_delay_min=target_delay_min,
        weeks=weeks,
        today=today or _local_today(tz),
    )
    pal = palette or print_palette()

    def build(layout: pg.GraphicsLayout) -> None:
        build_walk_plots(layout, data, pal)

    return render_plots(
        build,
        empty_text=empty_text(weeks) if data.empty else None,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        palette=pal,
    )
