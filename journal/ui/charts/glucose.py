"""Glucose charts: one local day with meals and walks, and every reading over the years."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from journal.domain.analytes import get_analyte
from journal.domain.entities import GlucoseReading, GlucoseSource, PostMealWalk
from journal.domain.thresholds import Level
from journal.domain.units import MG_DL, MMOL_L, TIR_RANGE_MGDL, format_value, with_unit
from journal.services.glucose import day_bounds
from journal.ui.charts.render import SCREEN_DPI as _SCREEN_DPI
from journal.ui.charts.render import cache_axes, render_plots
from journal.ui.charts.style import OKABE_ITO, ChartPalette, chart_palette, print_palette

if TYPE_CHECKING:
    from journal.services.journal import JournalServices

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

DAY_EMPTY_TEXT: Final = "No readings on this day"
HISTORY_EMPTY_TEXT: Final = (
    "No glucose readings yet.\nImport sensor data or add a finger-stick and they appear here."
)
# The published consensus targets in each unit (clinical.md §5.2), not one converted from the
# other: 70 mg/dL is 3.885 mmol/L, yet the mmol/L guidance says 3.9.
TARGET_RANGE: Final = {
    MG_DL: (float(TIR_RANGE_MGDL[0]), float(TIR_RANGE_MGDL[1])),
    MMOL_L: (3.9, 10.0),
}
# Sensor readings further apart than this are not joined by the line (sensor off or changed).
_GAP_S: Final = 30 * 60
# In the history the line breaks only where the sensor was off for hours.
_HISTORY_GAP_S: Final = 6 * 3600.0
_HOVER_REACH_H: Final = 0.5
_MEAL_NAMES: Final = {
    "breakfast": "Breakfast",
    "lunch": "Lunch",
    "dinner": "Dinner",
    "snack": "Snack",
}


def target_range(unit: str) -> tuple[float, float]:
    """The 70–180 mg/dL or 3.9–10.0 mmol/L time-in-range band in `unit`."""
    return TARGET_RANGE[unit]


def _factor(from_unit: str, to_unit: str) -> float:
    return get_analyte("glucose").convert(1.0, from_unit, to_unit)


def _colour(name: str, alpha: int = 255) -> QColor:
    colour = QColor(OKABE_ITO[name])
    colour.setAlpha(alpha)
    return colour


def _fingerstick_colour(pal: ChartPalette) -> QColor:
    # Vermillion beside the blue line: different hue and lightness, also in greyscale.
    return _colour("vermillion" if not pal.dark else "orange")


def _walk_colour(pal: ChartPalette) -> QColor:
    return _colour("reddish_purple", 110 if pal.dark else 90)


def _style_axes(plot: pg.PlotItem, pal: ChartPalette) -> None:
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(pal.muted))
        axis.setTextPen(pg.mkPen(pal.foreground))
    plot.getAxis("left").setWidth(64)


def _add_target_band(plot: pg.PlotItem, unit: str, pal: ChartPalette) -> pg.LinearRegionItem:
    band = pg.LinearRegionItem(
        values=target_range(unit),
        orientation="horizontal",
        brush=pg.mkBrush(pal.band_fill(Level.NORMAL)),
        pen=pg.mkPen(None),
        movable=False,
    )
    band.setZValue(-20)
    plot.addItem(band, ignoreBounds=True)
    return band


# --- one day -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DayPoint:
    """One reading placed on the day chart: hours since local midnight, value in the chart unit."""

    hours: float
    value: float
    unit: str
    at: datetime
    source: GlucoseSource
    original_value: float
    original_unit: str


@dataclass(frozen=True, slots=True)
class DayData:
    """What the day chart draws, with every reading already in the display unit."""

    day: date
    tz: tzinfo
    unit: str
    start: datetime
    hours: float
    sensor: tuple[DayPoint, ...]
    fingersticks: tuple[DayPoint, ...]
    meals: tuple[tuple[float, str], ...]
    walks: tuple[tuple[float, float], ...]

    @property
    def empty(self) -> bool:
        return not self.sensor and not self.fingersticks

    def hour_text(self, hours: float) -> str:
        moment = (self.start.astimezone(UTC) + timedelta(hours=hours)).astimezone(self.tz)
        return f"{moment:%H:%M}"

    def y_range(self) -> tuple[float, float]:
        low, high = target_range(self.unit)
        values = [p.value for p in (*self.sensor, *self.fingersticks)]
        lo, hi = min([low, *values]), max([high, *values])
        pad = (hi - lo) * 0.06
        return lo - pad, hi + pad


def day_data(
    readings: Sequence[GlucoseReading],
    walks: Sequence[PostMealWalk],
    *,
    day: date,
    tz: tzinfo,
    unit: str,
) -> DayData:
    """Place the readings, meal ends and walks of one local day on an hours-since-midnight axis."""
    if unit not in TARGET_RANGE:
        raise ValueError(f"glucose charts use mg/dL or mmol/L, not {unit!r}")
    start, end = day_bounds(day, tz)
    start_s, end_s = start.timestamp(), end.timestamp()
    hours = (end_s - start_s) / 3600.0
    analyte = get_analyte("glucose")

    def place(moment: datetime) -> float:
        return (moment.timestamp() - start_s) / 3600.0

    sensor: list[DayPoint] = []
    sticks: list[DayPoint] = []
    # Whether each unit spelling is the display unit, asked once per spelling rather than per
    # reading: a value already in the display unit is taken as is, as `convert` would.
    as_is: dict[str, bool] = {}
    target = analyte.canonical_unit(unit)
    for r in sorted(readings, key=lambda r: r.at):
        if not start_s <= r.at.timestamp() < end_s:
            continue
        same = as_is.get(r.unit)
        if same is None:
            same = as_is[r.unit] = analyte.canonical_unit(r.unit) == target
        point = DayPoint(
            hours=place(r.at),
            value=r.value if same else analyte.convert(r.value, r.unit, unit),
            unit=unit,
            at=r.at,
            source=GlucoseSource(r.source),
            original_value=r.value,
            original_unit=r.unit,
        )
        (sensor if point.source is GlucoseSource.CGM else sticks).append(point)
    meals: list[tuple[float, str]] = []
    spans: list[tuple[float, float]] = []
    for walk in walks:
        ended = place(walk.meal_ended_at)
        if 0 <= ended <= hours:
            meals.append((ended, _MEAL_NAMES.get(str(walk.meal), str(walk.meal).title())))
        begin = place(walk.started_at)
        finish = begin + walk.duration_min / 60.0
        if finish > 0 and begin < hours:
            spans.append((max(begin, 0.0), min(finish, hours)))
    return DayData(
        day=day,
        tz=tz,
        unit=unit,
        start=start,
        hours=hours,
        sensor=tuple(sensor),
        fingersticks=tuple(sticks),
        meals=tuple(sorted(meals)),
        walks=tuple(sorted(spans)),
    )


def point_text(point: DayPoint, data: DayData) -> str:
    """The hover read-out for one reading: time, value with unit, source."""
    value = with_unit(format_value(point.value, point.unit), point.unit)
    kind = "sensor" if point.source is GlucoseSource.CGM else "finger-stick"
    text = f"{data.hour_text(point.hours)}  {value}  ({kind})"
    if point.original_unit != point.unit:
        original = with_unit(
            format_value(point.original_value, point.original_unit), point.original_unit
        )
        text += f"\nrecorded as {original}"
    return text


def nearest_point(data: DayData, hours: float, reach: float = _HOVER_REACH_H) -> DayPoint | None:
    """The reading closest in time to `hours`, finger-sticks first on a tie, or None if far."""
    best: DayPoint | None = None
    for point in (*data.fingersticks, *data.sensor):
        if abs(point.hours - hours) <= reach and (
            best is None or abs(point.hours - hours) < abs(best.hours - hours)
        ):
            best = point
    return best


class HourAxis(pg.AxisItem):  # type: ignore[misc]
    """Local clock time for hours since midnight: "06:00", right across DST changes."""

    def __init__(self, data: DayData | None = None, **kwargs: Any) -> None:
        super().__init__(orientation="bottom", **kwargs)
        self.data = data
        self.setTickSpacing(3, 1)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.data is None:
            return [f"{v:g}" for v in values]
        return [self.data.hour_text(v) for v in values]


def _sensor_xy(points: Sequence[DayPoint]) -> tuple[FloatArray, FloatArray]:
    """Sensor points with a NaN in each gap longer than `_GAP_S`, so the line breaks there."""
    x = np.array([p.hours for p in points], dtype=float)
    y = np.array([p.value for p in points], dtype=float)
    if len(x) < 2:
        return x, y
    return _break_gaps(x, y, _GAP_S / 3600.0)


def _legend_html(data: DayData, pal: ChartPalette) -> str:
    low, high = target_range(data.unit)
    low_text, high_text = format_value(low, data.unit), format_value(high, data.unit)
    parts = [
        f'<span style="color:{pal.band_swatch(Level.NORMAL).name()}">■</span>&nbsp;'
        f"target {low_text}–{high_text} {html.escape(data.unit)}"
    ]
    if data.sensor:
        parts.append(f'<span style="color:{pal.line.name()}">━</span>&nbsp;sensor')
    if data.fingersticks:
        parts.append(
            f'<span style="color:{_fingerstick_colour(pal).name()}">◆</span>&nbsp;finger-stick'
        )
    if data.meals:
        parts.append(f'<span style="color:{pal.muted.name()}">┆</span>&nbsp;meal ended')
    if data.walks:
        swatch = _colour("reddish_purple").name()
        parts.append(f'<span style="color:{swatch}">■</span>&nbsp;walk')
    return " &nbsp; ".join(parts)


@dataclass(slots=True)
class DayItems:
    """The items drawn for one day, so tests and callers can count and inspect them."""

    plot: pg.PlotItem
    band: pg.LinearRegionItem
    sensor: pg.PlotDataItem | None
    fingersticks: pg.ScatterPlotItem | None
    meals: list[pg.InfiniteLine]
    walks: list[pg.LinearRegionItem]


def _show_in(plot: pg.PlotItem, item: Any, shown: bool) -> None:
    """Add `item` to `plot` or take it out, so the plot holds only items with something to show."""
    inside = item in plot.items
    if shown and not inside:
        plot.addItem(item)
    elif not shown and inside:
        plot.removeItem(item)


class DayPlot:
    """The day's plot and legend in a layout, built once and then given each day's data.

    A new reading sets the data of the line or the finger-stick marks; the axes, the band and
    the meal and walk marks are touched only when what they show changed, so Qt repaints
    little. The same code draws the screen chart and the static image.
    """

    def __init__(self, layout: pg.GraphicsLayout, pal: ChartPalette) -> None:
        self.pal = pal
        self.axis = HourAxis()
        plot = layout.addPlot(row=0, col=0, axisItems={"bottom": self.axis})
        plot.setLabel("bottom", "Local time", color=pal.muted.name())
        plot.showGrid(x=True, y=True, alpha=0.12)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        _style_axes(plot, pal)
        self.plot = plot
        self._unit: str | None = None
        self.band = _add_target_band(plot, MG_DL, pal)
        self.walks: list[pg.LinearRegionItem] = []
        self.meals: list[pg.InfiniteLine] = []
        self._walks_for: tuple[tuple[float, float], ...] | None = None
        self._meals_for: tuple[tuple[float, str], ...] | None = None
        self.sensor = pg.PlotDataItem(
            pen=pg.mkPen(pal.line, width=2), connect="finite", antialias=True
        )
        self.sticks = pg.ScatterPlotItem(
            size=14,
            symbol="d",
            pen=pg.mkPen(pal.background, width=1.5),
            brush=pg.mkBrush(_fingerstick_colour(pal)),
            antialias=True,
        )
        self.sticks.setZValue(5)
        self._sensor_for: tuple[DayPoint, ...] | None = None
        self._sticks_for: tuple[DayPoint, ...] | None = None
        self._x_for: tuple[date, tzinfo, float] | None = None
        self._y_range: tuple[float, float] | None = None
        plot.enableAutoRange(enable=False)
        plot.setMouseEnabled(x=True, y=False)
        self.legend = pg.LabelItem("", justify="left", size="9pt", color=pal.foreground.name())
        self._legend_text = ""
        layout.addItem(self.legend, row=1, col=0)

    def update(self, data: DayData) -> DayItems:
        """Show `data`; only the items whose content differs from what is shown are changed."""
        plot, pal = self.plot, self.pal
        if data.unit != self._unit:
            self._unit = data.unit
            plot.setLabel("left", f"Glucose ({html.escape(data.unit)})", color=pal.muted.name())
            self.band.setRegion(target_range(data.unit))
        if data.walks != self._walks_for:
            self._walks_for = data.walks
            for region in self.walks:
                plot.removeItem(region)
            self.walks = [self._walk_region(span) for span in data.walks]
        if data.meals != self._meals_for:
            self._meals_for = data.meals
            for line in self.meals:
                plot.removeItem(line)
            self.meals = [self._meal_line(hours, name) for hours, name in data.meals]
        if data.sensor != self._sensor_for:
            self._sensor_for = data.sensor
            if data.sensor:
                x, y = _sensor_xy(data.sensor)
                self.sensor.setData(x=x, y=y)
                if len(data.sensor) == 1:
                    self.sensor.setSymbol("o")
                    self.sensor.setSymbolBrush(pal.line)
                    self.sensor.setSymbolSize(6)
                else:
                    self.sensor.setSymbol(None)
            _show_in(plot, self.sensor, bool(data.sensor))
        if data.fingersticks != self._sticks_for:
            self._sticks_for = data.fingersticks
            if data.fingersticks:
                self.sticks.setData(
                    x=np.array([p.hours for p in data.fingersticks], dtype=float),
                    y=np.array([p.value for p in data.fingersticks], dtype=float),
                )
            _show_in(plot, self.sticks, bool(data.fingersticks))
        x_for = (data.day, data.tz, data.hours)
        if x_for != self._x_for:
            # A new day: the clock labels and the span change; the same day keeps its zoom.
            self._x_for = x_for
            self.axis.data = data
            self.axis.picture = None
            self.axis.update()
            plot.setLimits(xMin=-0.5, xMax=data.hours + 0.5, minXRange=0.5)
            plot.setXRange(0, data.hours, padding=0.01)
        else:
            self.axis.data = data
        y_range = data.y_range()
        if y_range != self._y_range:
            self._y_range = y_range
            plot.setYRange(*y_range, padding=0)
        legend = _legend_html(data, pal)
        if legend != self._legend_text:
            self._legend_text = legend
            self.legend.setText(legend)
        return DayItems(
            plot,
            self.band,
            self.sensor if data.sensor else None,
            self.sticks if data.fingersticks else None,
            list(self.meals),
            list(self.walks),
        )

    def _walk_region(self, span: tuple[float, float]) -> pg.LinearRegionItem:
        region = pg.LinearRegionItem(
            values=span,
            orientation="vertical",
            brush=pg.mkBrush(_walk_colour(self.pal)),
            pen=pg.mkPen(None),
            movable=False,
        )
        region.setZValue(-15)
        self.plot.addItem(region, ignoreBounds=True)
        return region

    def _meal_line(self, hours: float, name: str) -> pg.InfiniteLine:
        pal = self.pal
        line = pg.InfiniteLine(
            pos=hours,
            angle=90,
            pen=pg.mkPen(pal.muted, width=1.5, style=Qt.PenStyle.DashLine),
            label=name,
            labelOpts={
                "position": 0.96,
                "color": pal.foreground,
                "fill": pg.mkBrush(pal.background),
                "anchors": [(0.5, 0), (0.5, 0)],
            },
        )
        line.setZValue(-10)
        self.plot.addItem(line, ignoreBounds=True)
        return line


def build_day_plot(layout: pg.GraphicsLayout, data: DayData, pal: ChartPalette) -> DayItems:
    """The day's plot and legend into `layout`; the same code for screen and image."""
    return DayPlot(layout, pal).update(data)


def _empty_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setObjectName("chartEmpty")
    return label


class GlucoseDayChart(QWidget):
    """One local day, midnight to midnight: sensor line, finger-sticks, target band, meals, walks.

    Call `set_day`; readings in either unit are shown in `unit`. Hovering shows the nearest
    reading's time and value. With no readings it shows "No readings on this day".
    """

    def __init__(self, parent: QWidget | None = None, palette: ChartPalette | None = None) -> None:
        super().__init__(parent)
        self._fixed_palette = palette
        self._data: DayData | None = None
        self._items: DayItems | None = None
        self._built: DayPlot | None = None
        self._readout: pg.TextItem | None = None
        self._marker: pg.ScatterPlotItem | None = None
        self._view = pg.GraphicsLayoutWidget()
        self._view.setMinimumHeight(220)
        self._view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._empty = _empty_label(DAY_EMPTY_TEXT)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._view)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)

    def set_day(
        self,
        readings: Sequence[GlucoseReading],
        walks: Sequence[PostMealWalk],
        *,
        day: date,
        tz: tzinfo,
        unit: str,
    ) -> None:
        data = day_data(readings, walks, day=day, tz=tz, unit=unit)
        if data == self._data and self._built is not None and self._built.pal == self._palette():
            return  # nothing this chart shows has changed: no item is touched, nothing repaints
        self._data = data
        self._rebuild()

    # --- inspection ---------------------------------------------------------------------------
    @property
    def data(self) -> DayData | None:
        return self._data

    @property
    def items(self) -> DayItems | None:
        return self._items

    @property
    def plot(self) -> pg.PlotItem | None:
        return None if self._items is None else self._items.plot

    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self._empty

    def empty_text(self) -> str:
        return self._empty.text()

    def readout_text(self) -> str:
        """The hover read-out as shown now, or "" when hidden."""
        if self._readout is None or not self._readout.isVisible():
            return ""
        return str(self._readout.toPlainText())

    def hover_at(self, hours: float) -> str:
        """Show the read-out for the reading nearest `hours`, as a mouse over the plot does."""
        data, readout, marker = self._data, self._readout, self._marker
        if data is None or readout is None or marker is None:
            return ""
        point = nearest_point(data, hours)
        if point is None:
            readout.setVisible(False)
            marker.setVisible(False)
            return ""
        readout.setText(point_text(point, data))
        # Keep the box inside the plot: flip to the left of the point in the right half.
        readout.setAnchor((1.05, 1.1) if point.hours > data.hours / 2 else (-0.05, 1.1))
        readout.setPos(point.hours, point.value)
        marker.setData([point.hours], [point.value])
        readout.setVisible(True)
        marker.setVisible(True)
        return self.readout_text()

    # --- building -----------------------------------------------------------------------------
    def _palette(self) -> ChartPalette:
        return self._fixed_palette or chart_palette(self.palette())

    def _rebuild(self) -> None:
        """Show `_data`: the plot is built once (again only for new colours), then updated."""
        data = self._data
        if data is None or data.empty:
            self._items = None
            self._stack.setCurrentWidget(self._empty)
            return
        pal = self._palette()
        built = self._built
        if built is None or built.pal != pal:
            self._view.clear()
            self._view.setBackground(pal.background)
            built = self._built = DayPlot(self._view.ci, pal)
            cache_axes(built.plot)
            self._readout = pg.TextItem(
                "",
                color=pal.foreground,
                fill=pg.mkBrush(pal.background),
                border=pg.mkPen(pal.muted),
            )
            self._readout.setZValue(50)
            self._readout.setVisible(False)
            built.plot.addItem(self._readout, ignoreBounds=True)
            self._marker = pg.ScatterPlotItem(
                size=12, pen=pg.mkPen(pal.foreground, width=2), brush=pg.mkBrush(None)
            )
            self._marker.setZValue(40)
            self._marker.setVisible(False)
            built.plot.addItem(self._marker, ignoreBounds=True)
        self._items = built.update(data)
        # The read-out named a reading of the data shown before; hidden until the mouse moves.
        for item in (self._readout, self._marker):
            if item is not None and item.isVisible():
                item.setVisible(False)
        self._stack.setCurrentWidget(self._view)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if self._items is None:
            return
        box = self._items.plot.vb
        if not box.sceneBoundingRect().contains(pos):
            self.hover_at(float("inf"))
            return
        self.hover_at(box.mapSceneToView(pos).x())


def render_glucose_day(
    readings: Sequence[GlucoseReading],
    walks: Sequence[PostMealWalk],
    *,
    day: date,
    tz: tzinfo,
    unit: str,
    width_px: int,
    height_px: int,
    dpi: float = _SCREEN_DPI,
    palette: ChartPalette | None = None,
) -> QImage:
    """The same day chart as `GlucoseDayChart`, drawn into an image; nothing is shown.

    Text keeps its point size at `dpi` (the layout is at screen scale, the drawing scaled up).
    Needs a QApplication and the GUI thread. Prints in light colours unless given a palette.
    """
    pal = palette or print_palette()
    data = day_data(readings, walks, day=day, tz=tz, unit=unit)

    def build(layout: pg.GraphicsLayout) -> None:
        build_day_plot(layout, data, pal)

    return render_plots(
        build,
        empty_text=DAY_EMPTY_TEXT if data.empty else None,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        palette=pal,
    )


# --- every reading -----------------------------------------------------------------------------
def convert_values(values: FloatArray, units: Sequence[str], unit: str) -> FloatArray:
    """`values` (each in its own unit from `units`) in `unit`, vectorised."""
    out = np.asarray(values, dtype=float).copy()
    other = MMOL_L if unit == MG_DL else MG_DL
    mask = np.asarray(units, dtype=object) == other
    if mask.any():
        out[mask] *= _factor(other, unit)
    return out


def _month_starts(first: datetime, last: datetime) -> list[datetime]:
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    starts = [datetime(first.year, first.month, 1, tzinfo=UTC)]
    while starts[-1] <= last:
        prev = starts[-1]
        year, month = (prev.year + 1, 1) if prev.month == 12 else (prev.year, prev.month + 1)
        starts.append(datetime(year, month, 1, tzinfo=UTC))
    return starts


def load_history(services: JournalServices, unit: str) -> tuple[FloatArray, FloatArray]:
    """Every visible reading as (epoch seconds, value in `unit`), oldest first, as arrays."""
    if unit not in TARGET_RANGE:
        raise ValueError(f"glucose charts use mg/dL or mmol/L, not {unit!r}")
    times, values = services.glucose.history(unit)
    return np.asarray(times, dtype=float), np.asarray(values, dtype=float)


class GlucoseHistoryChart(QWidget):
    """Every reading on a date axis, down-sampled (peak) and clipped to view, so a million
    points pan and zoom smoothly; the mouse wheel zooms and dragging pans in time only."""

    def __init__(self, parent: QWidget | None = None, palette: ChartPalette | None = None) -> None:
        super().__init__(parent)
        self._fixed_palette = palette
        self._unit = MG_DL
        self._count = 0
        self._view = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self._view.setMinimumHeight(220)
        self._plot: pg.PlotItem = self._view.getPlotItem()
        self._curve = pg.PlotDataItem(connect="finite")
        self._band: pg.LinearRegionItem | None = None
        self._empty = _empty_label(HISTORY_EMPTY_TEXT)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._view)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)
        self._build()

    @property
    def plot(self) -> pg.PlotItem:
        return self._plot

    @property
    def curve(self) -> pg.PlotDataItem:
        return self._curve

    @property
    def unit(self) -> str:
        return self._unit

    @property
    def point_count(self) -> int:
        return self._count

    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self._empty

    def empty_text(self) -> str:
        return self._empty.text()

    def set_readings(self, times: FloatArray, values: FloatArray, unit: str) -> None:
        """Chart `values` (already in `unit`) at `times` (epoch seconds, oldest first)."""
        if unit not in TARGET_RANGE:
            raise ValueError(f"glucose charts use mg/dL or mmol/L, not {unit!r}")
        x = np.asarray(times, dtype=float)
        y = np.asarray(values, dtype=float)
        if x.shape != y.shape:
            raise ValueError("times and values differ in length")
        if len(x) > 1 and np.any(np.diff(x) < 0):
            order = np.argsort(x, kind="stable")
            x, y = x[order], y[order]
        changed_unit = unit != self._unit
        self._unit, self._count = unit, len(x)
        if changed_unit:
            self._show_unit()
        if not len(x):
            self._curve.setData([], [])
            self._stack.setCurrentWidget(self._empty)
            return
        x, y = _break_gaps(x, y, _HISTORY_GAP_S)
        self._curve.setData(x, y)
        low, high = target_range(unit)
        finite = y[np.isfinite(y)]
        lo, hi = min(low, float(finite.min())), max(high, float(finite.max()))
        pad = (hi - lo) * 0.04
        self._plot.setYRange(lo - pad, hi + pad, padding=0)
        first, last = float(np.nanmin(x)), float(np.nanmax(x))
        reach = max(last - first, 86400.0)
        self._plot.setLimits(xMin=first - reach * 0.05, xMax=last + reach * 0.05, minXRange=3600.0)
        self._plot.setXRange(first, max(last, first + 86400.0), padding=0.01)
        self._stack.setCurrentWidget(self._view)

    def show_range(self, start: float, end: float) -> None:
        """Zoom to epoch seconds `start`–`end`."""
        self._plot.setXRange(start, end, padding=0)

    def _palette(self) -> ChartPalette:
        return self._fixed_palette or chart_palette(self.palette())

    def _build(self) -> None:
        """Axes, band and curve, once; `_show_unit` relabels them when the unit changes."""
        pal = self._palette()
        plot = self._plot
        self._view.setBackground(pal.background)
        plot.setLabel("bottom", "Date", color=pal.muted.name())
        plot.showGrid(x=True, y=True, alpha=0.12)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.enableAutoRange(enable=False)
        _style_axes(plot, pal)
        self._band = _add_target_band(plot, self._unit, pal)
        self._curve.setPen(pg.mkPen(pal.line, width=1))
        # The plot hands its own down-sampling and clipping settings to each item it adds.
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        plot.addItem(self._curve)
        self._show_unit()

    def _show_unit(self) -> None:
        pal = self._palette()
        plot = self._plot
        if self._band is not None:
            self._band.setRegion(target_range(self._unit))
        plot.setLabel("left", f"Glucose ({html.escape(self._unit)})", color=pal.muted.name())
        low, high = (format_value(v, self._unit) for v in target_range(self._unit))
        swatch = pal.band_swatch(Level.NORMAL).name()
        plot.setTitle(
            f'<span style="color:{pal.line.name()}">━</span>&nbsp;readings &nbsp; '
            f'<span style="color:{swatch}">■</span>&nbsp;target {low}–{high} '
            f"{html.escape(self._unit)} &nbsp; <i>scroll to zoom, drag to pan</i>",
            color=pal.foreground.name(),
            size="9pt",
        )
        plot.titleLabel.setAttr("justify", "left")


def _break_gaps(x: FloatArray, y: FloatArray, longest: float) -> tuple[FloatArray, FloatArray]:
    """A NaN value just after each gap longer than `longest`, so a line does not bridge it.

    The x values stay finite and sorted: clip-to-view searches them.
    """
    if len(x) < 2:
        return x, y
    gaps = np.flatnonzero(np.diff(x) > longest) + 1
    if not len(gaps):
        return x, y
    step = np.minimum(np.diff(x)[gaps - 1] / 2, longest / 100)
    return np.insert(x, gaps, x[gaps - 1] + step), np.insert(y, gaps, np.nan)
