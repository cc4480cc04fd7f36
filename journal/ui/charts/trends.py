"""Marker trends as small multiples: bands behind, lab ranges, lab changes, hover and click."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain.entities import Fasting, LabDraw, Sex
from journal.domain.thresholds import Level
from journal.domain.trends import (
    SeriesCache,
    TrendPoint,
    TrendSeries,
    display_unit,
    marker_series,
    other_unit,
)
from journal.domain.units import UnitSystem, format_value, with_unit
from journal.ui.charts.render import SCREEN_DPI as _SCREEN_DPI
from journal.ui.charts.render import cache_axes, render_plots
from journal.ui.charts.style import ChartPalette, chart_palette, print_palette

EMPTY_TEXT: Final = (
    "No lab results to chart yet.\n"
    "Add a lab draw with one of these markers and its trend over time appears here."
)
_FASTING_TEXT: Final = {Fasting.YES: "yes", Fasting.NO: "no", Fasting.UNKNOWN: "not recorded"}
_LEVEL_ORDER: Final = tuple(Level)
_POINT_SIZE: Final = 9
# Lab names on the change lines collide as soon as two changes are close; the hover read-out
# names the lab instead, and the legend explains the dashed line.
_MAX_NAMED_CHANGES: Final = 0

ClickHandler = Callable[[Any, Any, Any], None]


def value_text(value: float, unit: str) -> str:
    """A value with its unit as a person reads it: "99 mg/dL", "2.47", "3.0 (mg/dL basis)"."""
    if unit.startswith("ratio ("):
        return f"{format_value(value, '')} {unit.removeprefix('ratio ')}"
    return with_unit(format_value(value, unit), unit)


def hover_text(point: TrendPoint) -> str:
    """The read-out for one point: date, value with unit, lab, fasting state."""
    lines = [f"{point.drawn_at.astimezone():%d %b %Y}", value_text(point.value, point.unit)]
    if point.original_unit != point.unit:
        lines[-1] += f"  (reported {value_text(point.original_value, point.original_unit)})"
    if point.ref_low is not None or point.ref_high is not None:
        low = "" if point.ref_low is None else format_value(point.ref_low, point.unit)
        high = "" if point.ref_high is None else format_value(point.ref_high, point.unit)
        lines.append(f"Lab range: {low}–{high}")
    lines.append(f"Lab: {point.lab_name or 'not recorded'}")
    lines.append(f"Fasting: {_FASTING_TEXT[point.fasting]}")
    if point.excluded_reason:
        lines.append(point.excluded_reason)
    return "\n".join(lines)


def _unit_words(unit: str) -> str:
    return unit.removeprefix("ratio (").removesuffix(")")


def _axis_unit(series: TrendSeries) -> str:
    return _unit_words(series.unit) or "index"


def _y_range(series: TrendSeries) -> tuple[float, float]:
    """Data, lab ranges and the nearest band edge on each side when it is close by."""
    values = [p.value for p in series.points]
    values += [v for p in series.points for v in (p.ref_low, p.ref_high) if v is not None]
    if not values:
        edges = [e for b in series.bands for e in (b.low, b.high) if e is not None]
        values = edges or [0.0, 1.0]
    lo, hi = min(values), max(values)
    reach = max(hi - lo, abs(hi) * 0.25, 1e-6)
    edges = sorted({e for b in series.bands for e in (b.low, b.high) if e is not None})
    below = [e for e in edges if lo - reach <= e < lo]
    above = [e for e in edges if hi < e <= hi + reach]
    if below:
        lo = below[-1]
    if above:
        hi = above[0]
    pad = max(hi - lo, abs(hi) * 0.05, 1e-6) * 0.08
    return lo - pad, hi + pad


def _legend_html(series: TrendSeries, pal: ChartPalette) -> str:
    parts: list[str] = []
    for band in series.bands:
        swatch = pal.band_swatch(band.level).name()
        parts.append(f'<span style="color:{swatch}">■</span>&nbsp;{html.escape(band.label)}')
    if series.band_source:
        parts.append(f"<i>{html.escape(series.band_source)}</i>")
    if any(p.ref_low is not None and p.ref_high is not None for p in series.points):
        parts.append(f'<span style="color:{pal.lab_range.name()}">┃</span>&nbsp;lab range')
    if any(p.excluded for p in series.points):
        parts.append(f'<span style="color:{pal.excluded.name()}">○</span>&nbsp;not fasting')
    if series.lab_changes:
        parts.append(f'<span style="color:{pal.lab_change.name()}">┆</span>&nbsp;lab changed')
    short = [n for n in series.notes if "vary by population" in n or "were converted" in n]
    text = " &nbsp; ".join(parts)
    for note in short:
        text += f"<br><i>{html.escape(note)}</i>"
    return text


def _timestamps(points: Sequence[TrendPoint]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([p.drawn_at.timestamp() for p in points], dtype=float)


def _scatter(
    points: Sequence[TrendPoint], pal: ChartPalette, *, hollow: bool, interactive: bool
) -> pg.ScatterPlotItem:
    pen = pg.mkPen(pal.excluded, width=2) if hollow else pg.mkPen(pal.background, width=1.5)
    brush = pg.mkBrush(None) if hollow else pg.mkBrush(pal.line)
    return pg.ScatterPlotItem(
        x=_timestamps(points),
        y=np.array([p.value for p in points], dtype=float),
        data=_objects(points),
        size=_POINT_SIZE,
        pen=pen,
        brush=brush,
        symbol="o",
        hoverable=interactive,
        tip=(lambda x, y, data: hover_text(data)) if interactive else None,
        antialias=True,
    )


def _bands(series: TrendSeries, pal: ChartPalette) -> list[pg.LinearRegionItem]:
    lo, hi = _y_range(series)
    far = (hi - lo) * 50
    regions = []
    for band in series.bands:
        low = band.low if band.low is not None else lo - far
        high = band.high if band.high is not None else hi + far
        region = pg.LinearRegionItem(
            values=(low, high),
            orientation="horizontal",
            brush=pg.mkBrush(pal.band_fill(band.level)),
            pen=pg.mkPen(None),
            movable=False,
        )
        region.setZValue(-20)
        regions.append(region)
    return regions


def _lab_changes(series: TrendSeries, pal: ChartPalette) -> list[pg.InfiniteLine]:
    lines = []
    for i in series.lab_changes:
        before, after = series.points[i - 1], series.points[i]
        x = (before.drawn_at.timestamp() + after.drawn_at.timestamp()) / 2
        line = pg.InfiniteLine(
            pos=x,
            angle=90,
            pen=pg.mkPen(pal.lab_change, width=1, style=Qt.PenStyle.DashLine),
            # Named only when there are few changes; otherwise the names would overlap.
            label=(after.lab_name or "") if len(series.lab_changes) <= _MAX_NAMED_CHANGES else None,
            labelOpts={"position": 0.92, "color": pal.muted, "anchors": [(0, 0.5), (0, 0.5)]},
        )
        line.setZValue(-4)
        lines.append(line)
    return lines


def _style_axes(plot: pg.PlotItem, pal: ChartPalette, *, dates: bool) -> None:
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(pal.muted))
        axis.setTextPen(pg.mkPen(pal.foreground))
    plot.getAxis("bottom").setStyle(showValues=dates)
    plot.getAxis("left").setWidth(56)


def _layout_key(series_list: Sequence[TrendSeries]) -> tuple[tuple[str, str, str], ...]:
    return tuple((s.key, s.label, s.unit) for s in series_list)


class _TrendPlot:
    """One marker's plot, built once: a redraw sets new data on the items it already holds.

    Items are touched only when what they show changed, so after one new draw Qt repaints
    the points and lines, not the axes, bands and lab-change lines.
    """

    def __init__(
        self,
        layout: pg.GraphicsLayout,
        row: int,
        series: TrendSeries,
        pal: ChartPalette,
        *,
        dates: bool,
        on_click: ClickHandler | None,
    ) -> None:
        plot = layout.addPlot(
            row=2 * row, col=0, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")}
        )
        plot.setTitle(
            f"<b>{html.escape(series.label)}</b>", color=pal.foreground.name(), size="10pt"
        )
        plot.titleLabel.setAttr("justify", "left")
        plot.setLabel("left", html.escape(_axis_unit(series)), color=pal.muted.name())
        plot.showGrid(x=True, y=True, alpha=0.12)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        _style_axes(plot, pal, dates=dates)
        self.plot = plot
        self.pal = pal
        self.legend = pg.LabelItem("", justify="left", size="8pt", color=pal.foreground.name())
        layout.addItem(self.legend, row=2 * row + 1, col=0)
        self._legend_text = ""
        self._bands_for: object = None
        self._bands: list[pg.LinearRegionItem] = []
        self._changes_for: object = None
        self._changes: list[pg.InfiniteLine] = []
        self._points_for: object = None
        self._y_range: tuple[float, float] | None = None
        interactive = on_click is not None
        self._ranges = pg.ErrorBarItem(beam=0, pen=pg.mkPen(pal.lab_range, width=5))
        self._ranges.setZValue(-5)
        self._line = pg.PlotDataItem(pen=pg.mkPen(pal.line, width=2), antialias=True)
        self._filled = _scatter([], pal, hollow=False, interactive=interactive)
        self._hollow = _scatter([], pal, hollow=True, interactive=interactive)
        for scatter in (self._filled, self._hollow):
            scatter.setZValue(1)  # above the line, whichever was added first
        if on_click is not None:
            self._filled.sigClicked.connect(on_click)
            self._hollow.sigClicked.connect(on_click)
        self._empty = pg.TextItem("", color=pal.muted, anchor=(0.5, 0.5))

    def update(self, series: TrendSeries, any_data: bool) -> None:
        plot, pal = self.plot, self.pal
        y_range = _y_range(series)
        # Bands change only with the range they reach across; new points rarely move it.
        bands_for = (series.bands, y_range)
        if bands_for != self._bands_for:
            for item in self._bands:
                plot.removeItem(item)
            self._bands = _bands(series, pal)
            for item in self._bands:
                plot.addItem(item, ignoreBounds=True)
            self._bands_for = bands_for
        # Lab changes are many over ten years and rarely move: their lines are kept when not.
        changes_for = tuple(
            (series.points[i - 1].drawn_at, series.points[i].drawn_at, series.points[i].lab_name)
            for i in series.lab_changes
        )
        if changes_for != self._changes_for:
            for item in self._changes:
                plot.removeItem(item)
            self._changes = _lab_changes(series, pal)
            for item in self._changes:
                plot.addItem(item, ignoreBounds=True)
            self._changes_for = changes_for
        if series.points != self._points_for:
            self._points_for = series.points
            self._set_points(series)
        lo, hi = y_range
        if series.empty:
            self._empty.setText(f"No {series.name} results yet")
            self._empty.setPos(0, (lo + hi) / 2)
            if not any_data:
                plot.setXRange(-1, 1)
        _show_in(plot, self._empty, series.empty, ignore_bounds=True)
        if y_range != self._y_range:
            self._y_range = y_range
            plot.setYRange(lo, hi, padding=0)
            plot.enableAutoRange(axis="y", enable=False)
        legend = _legend_html(series, pal)
        if legend != self._legend_text:
            self.legend.setText(legend)
            self._legend_text = legend

    def _set_points(self, series: TrendSeries) -> None:
        plot = self.plot
        ranged = [p for p in series.points if p.ref_low is not None and p.ref_high is not None]
        if ranged:
            lows = np.array([p.ref_low for p in ranged], dtype=float)
            highs = np.array([p.ref_high for p in ranged], dtype=float)
            self._ranges.setData(x=_timestamps(ranged), y=(lows + highs) / 2, height=highs - lows)
        _show_in(plot, self._ranges, bool(ranged))
        included = [p for p in series.points if not p.excluded]
        excluded = [p for p in series.points if p.excluded]
        if len(included) > 1:
            self._line.setData(
                x=_timestamps(included), y=np.array([p.value for p in included], dtype=float)
            )
        _show_in(plot, self._line, len(included) > 1)
        for scatter, group in ((self._filled, included), (self._hollow, excluded)):
            if group:
                scatter.setData(
                    x=_timestamps(group),
                    y=np.array([p.value for p in group], dtype=float),
                    data=_objects(group),
                )
            _show_in(plot, scatter, bool(group))


def _show_in(plot: pg.PlotItem, item: Any, shown: bool, *, ignore_bounds: bool = False) -> None:
    """Add `item` to `plot` or take it out, so the plot holds only items with something to show."""
    inside = item in plot.items
    if shown and not inside:
        plot.addItem(item, ignoreBounds=ignore_bounds)
    elif not shown and inside:
        plot.removeItem(item)


def _objects(points: Sequence[TrendPoint]) -> np.ndarray[Any, np.dtype[Any]]:
    data = np.empty(len(points), dtype=object)
    data[:] = list(points)
    return data


class TrendPlots:
    """One plot per series in a layout, x axes linked, built once and then given new data.

    Built for a set of markers in given units; a redraw with new draws replaces only the points,
    lines and ranges, and keeps the plots, their axes and the reference bands.
    """

    def __init__(
        self,
        layout: pg.GraphicsLayout,
        series_list: Sequence[TrendSeries],
        pal: ChartPalette,
        on_click: ClickHandler | None = None,
    ) -> None:
        self.key = _layout_key(series_list)
        self.pal = pal
        self._x_range: tuple[float, float] | None = None  # the date range last set
        last = len(series_list) - 1
        self._rows: list[_TrendPlot] = []
        for row, series in enumerate(series_list):
            self._rows.append(
                _TrendPlot(layout, row, series, pal, dates=row == last, on_click=on_click)
            )
            if row:
                self._rows[-1].plot.setXLink(self._rows[0].plot)
        self.plots = [r.plot for r in self._rows]

    def update(self, series_list: Sequence[TrendSeries]) -> None:
        if _layout_key(series_list) != self.key:
            raise ValueError("the plots were built for other markers or units")
        any_data = any(not s.empty for s in series_list)
        for row, series in zip(self._rows, series_list, strict=True):
            row.update(series, any_data)
        if not any_data:
            self._x_range = None
        self._x_range = _set_x_range(self.plots, series_list, self._x_range)


def build_trend_plots(
    layout: pg.GraphicsLayout,
    series_list: Sequence[TrendSeries],
    pal: ChartPalette,
    on_click: ClickHandler | None = None,
) -> list[pg.PlotItem]:
    """One plot per series into `layout`, x axes linked; the same code for screen and print."""
    plots = TrendPlots(layout, series_list, pal, on_click)
    plots.update(series_list)
    return plots.plots


def _set_x_range(
    plots: Sequence[pg.PlotItem],
    series_list: Sequence[TrendSeries],
    shown: tuple[float, float] | None = None,
) -> tuple[float, float] | None:
    """Fit the shared date axis to the points; returns the range set (or kept, or None).

    A range `shown` before is kept while the points still sit well inside it: a draw added
    within the margin then repaints no date axis (and keeps any zoom).
    """
    times = [p.drawn_at.timestamp() for s in series_list for p in s.points]
    if not plots or not times:
        return shown
    lo, hi = min(times), max(times)
    pad = max((hi - lo) * 0.04, 15 * 86400.0)
    fits = shown is not None and (
        lo - 2 * pad <= shown[0] <= lo - pad / 2 and hi + pad / 2 <= shown[1] <= hi + 2 * pad
    )
    if fits:
        assert shown is not None
        wanted = shown
    else:
        wanted = (lo - pad, hi + pad)
        plots[0].setXRange(*wanted, padding=0)
    for plot, series in zip(plots, series_list, strict=True):
        if series.empty:  # centre the "no results" text under the shared date range
            for item in plot.items:
                if isinstance(item, pg.TextItem):
                    item.setPos((lo + hi) / 2, item.pos().y())
    return wanted


class MarkerTrendChart(QWidget):
    """Small multiples of marker trends over a shared date axis.

    Give it the draws and the marker keys with `set_draws`; each marker follows the unit
    system passed in unless its own unit toggle is used. Emits `point_clicked(draw_id)` when a
    point is clicked, so the page can open that draw.
    """

    point_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None, palette: ChartPalette | None = None) -> None:
        super().__init__(parent)
        self._fixed_palette = palette
        self._draws: tuple[LabDraw, ...] = ()
        self._keys: tuple[str, ...] = ()
        self._system = UnitSystem.CONVENTIONAL
        self._sex: Sex | None = None
        self._units: dict[str, str] = {}
        self._series: list[TrendSeries] = []
        self._cache = SeriesCache()  # each draw's points, worked out once
        self._built: TrendPlots | None = None
        self._toggles_for: list[tuple[str, str, str]] | None = None

        self._toggles = QHBoxLayout()
        self._toggles.setContentsMargins(0, 0, 0, 0)
        self._view = pg.GraphicsLayoutWidget()
        self._notes = QLabel()
        self._notes.setWordWrap(True)
        self._notes.setTextFormat(Qt.TextFormat.RichText)
        self._notes.setObjectName("trendNotes")
        charts = QWidget()
        charts_layout = QVBoxLayout(charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.addLayout(self._toggles)
        charts_layout.addWidget(self._view, 1)
        # The notes are long; folded away by default they leave the plots room to breathe.
        self._notes_button = QToolButton()
        self._notes_button.setText("About these bands and notes")
        self._notes_button.setCheckable(True)
        self._notes_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._notes_button.setArrowType(Qt.ArrowType.RightArrow)
        self._notes_button.toggled.connect(self._show_notes)
        self._notes.setVisible(False)
        charts_layout.addWidget(self._notes_button, 0, Qt.AlignmentFlag.AlignLeft)
        charts_layout.addWidget(self._notes)
        self._empty = QLabel(EMPTY_TEXT)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(charts)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)
        self._rebuild()

    # --- data ---------------------------------------------------------------------------------
    def set_draws(
        self,
        draws: Sequence[LabDraw],
        keys: Sequence[str],
        *,
        system: UnitSystem = UnitSystem.CONVENTIONAL,
        sex: Sex | None = None,
    ) -> None:
        """Chart `keys` over `draws`; a change of `system` drops the per-chart unit toggles."""
        if system is not self._system:
            self._units.clear()
        self._draws, self._keys, self._system, self._sex = tuple(draws), tuple(keys), system, sex
        self._rebuild()

    def unit_for(self, key: str) -> str:
        return self._units.get(key, display_unit(key, self._system))

    def set_unit(self, key: str, unit: str) -> None:
        self._units[key] = unit
        self._rebuild()

    def toggle_unit(self, key: str) -> None:
        """Switch one chart between conventional and SI units."""
        self.set_unit(key, other_unit(key, self.unit_for(key)))

    @property
    def series(self) -> tuple[TrendSeries, ...]:
        return tuple(self._series)

    @property
    def plots(self) -> tuple[pg.PlotItem, ...]:
        if self._built is None or self.showing_empty_state():
            return ()
        return tuple(self._built.plots)

    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self._empty

    def empty_text(self) -> str:
        return self._empty.text()

    def _show_notes(self, shown: bool) -> None:
        self._notes.setVisible(shown)
        self._notes_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    def notes_text(self) -> str:
        return self._notes.text()

    # --- building ----------------------------------------------------------------------------
    def _palette(self) -> ChartPalette:
        return self._fixed_palette or chart_palette(self.palette())

    def _rebuild(self) -> None:
        self._series = [
            marker_series(self._draws, key, self.unit_for(key), sex=self._sex, cache=self._cache)
            for key in self._keys
        ]
        self._rebuild_toggles()
        if all(s.empty for s in self._series):
            self._stack.setCurrentWidget(self._empty)
            return
        pal = self._palette()
        built = self._built
        if built is None or built.pal != pal or built.key != _layout_key(self._series):
            # Only new markers, units or colours build the plots again.
            self._view.clear()
            self._view.setBackground(pal.background)
            built = self._built = TrendPlots(
                self._view.ci, self._series, pal, self._on_points_clicked
            )
            for plot in built.plots:
                cache_axes(plot)
        built.update(self._series)
        notes = _notes_html(self._series)
        if notes != self._notes.text():
            self._notes.setText(notes)
        self._stack.setCurrentIndex(1)

    def _rebuild_toggles(self) -> None:
        wanted = [(s.key, s.name, s.unit) for s in self._series if len(s.units) >= 2]
        if wanted == self._toggles_for:
            return  # the same buttons already show
        self._toggles_for = wanted
        while self._toggles.count():
            item = self._toggles.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for series in self._series:
            if len(series.units) < 2:
                continue
            target = other_unit(series.key, series.unit)
            button = QToolButton()
            button.setText(f"{series.name}: {_axis_unit(series)}")
            button.setToolTip(f"Show {series.name} in {_unit_words(target)}")
            button.setObjectName(f"unitToggle_{series.key}")
            button.clicked.connect(lambda _checked=False, k=series.key: self.toggle_unit(k))
            self._toggles.addWidget(button)
        self._toggles.addStretch(1)

    def _on_points_clicked(self, _item: object, points: Sequence[Any], _event: object) -> None:
        if not len(points):
            return
        point = points[0].data()
        if isinstance(point, TrendPoint) and point.draw_id is not None:
            self.point_clicked.emit(point.draw_id)


def _notes_html(series_list: Sequence[TrendSeries]) -> str:
    parts: list[str] = []
    seen: set[str] = set()
    for series in series_list:
        notes = [n for n in series.notes if n not in seen]
        seen.update(notes)
        if notes:
            body = " ".join(html.escape(n) for n in notes)
            parts.append(f"<b>{html.escape(series.name)}:</b> {body}")
        if series.omitted:
            count = len(series.omitted)
            parts.append(
                f"<b>{html.escape(series.name)}:</b> {count} draw{'s' if count > 1 else ''} "
                f"not charted ({html.escape(series.omitted[-1].reason)})"
            )
    return "<small>" + "<br>".join(parts) + "</small>"


def render_marker_trends(
    series_list: Sequence[TrendSeries],
    width_px: int,
    height_px: int,
    dpi: float = _SCREEN_DPI,
    palette: ChartPalette | None = None,
) -> QImage:
    """The same small multiples as `MarkerTrendChart`, drawn into an image; nothing is shown.

    Text keeps its point size at `dpi`: the plots are laid out at screen scale and the
    drawing is scaled up, so a 300-dpi image looks like the 96-dpi one, only sharper. Needs
    a QApplication and the GUI thread, like every pyqtgraph item. Prints in light colours.
    """
    pal = palette or print_palette()
    empty = EMPTY_TEXT if all(s.empty for s in series_list) else None

    def build(layout: pg.GraphicsLayout) -> None:
        build_trend_plots(layout, series_list, pal)

    return render_plots(
        build, empty_text=empty, width_px=width_px, height_px=height_px, dpi=dpi, palette=pal
    )
