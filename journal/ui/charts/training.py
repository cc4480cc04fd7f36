"""Training consistency: coverage heat map, weekly coverage, minutes, strength days and load."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from journal.domain.coverage import (
    DEFAULT_WINDOW,
    GUIDELINE_STRENGTH_DAYS,
    GUIDELINE_WEEKLY_MINUTES,
)
from journal.domain.entities import Workout, WorkoutKind
from journal.domain.training_charts import (
    HeatCell,
    SessionCache,
    TrainingConsistency,
    training_consistency,
)
from journal.ui.charts.render import SCREEN_DPI as _SCREEN_DPI
from journal.ui.charts.render import cache_axes, render_plots
from journal.ui.charts.style import OKABE_ITO, ChartPalette, chart_palette, print_palette

EMPTY_TEXT: Final = (
    "No workouts yet.\n"
    "Log a workout and this page shows how consistently your sessions cover the week."
)
_AXIS_WIDTH: Final = 64
_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Kinds are told apart by shape as well as colour, so the marks survive any colour vision.
_KIND_STYLE: Final = {
    WorkoutKind.AEROBIC: ("blue", "o", "●"),
    WorkoutKind.RESISTANCE: ("vermillion", "s", "■"),
    WorkoutKind.HIIT: ("reddish_purple", "t1", "▲"),
    WorkoutKind.COMBINED: ("orange", "d", "◆"),
    WorkoutKind.OTHER: ("black", "+", "+"),
}
_KIND_NAMES: Final = {
    WorkoutKind.AEROBIC: "aerobic",
    WorkoutKind.RESISTANCE: "resistance",
    WorkoutKind.HIIT: "HIIT",
    WorkoutKind.COMBINED: "combined",
    WorkoutKind.OTHER: "other",
}
_COVERAGE_HUE: Final = "bluish_green"


def kind_colour(kind: WorkoutKind, pal: ChartPalette) -> QColor:
    name = _KIND_STYLE[kind][0]
    if name == "blue" and pal.dark:  # dark blue sinks into a dark background
        name = "sky_blue"
    if name == "black":  # "other" must stay visible on a dark background
        return QColor(pal.muted)
    return QColor(OKABE_ITO[name])


def coverage_colour(fraction: float, pal: ChartPalette) -> QColor:
    """The heat-map shade: background for none, full bluish green for a wholly covered day."""
    hue = QColor(OKABE_ITO[_COVERAGE_HUE])
    bg = pal.background
    # Any coverage at all is visibly different from none.
    a = 0.0 if fraction <= 0 else 0.15 + 0.85 * min(1.0, fraction)
    return QColor.fromRgbF(
        hue.redF() * a + bg.redF() * (1 - a),
        hue.greenF() * a + bg.greenF() * (1 - a),
        hue.blueF() * a + bg.blueF() * (1 - a),
    )


def cell_text(cell: HeatCell) -> str:
    """The hover read-out for one heat-map day."""
    day = cell.coverage
    lines = [f"{day.day:%a %d %b %Y}"]
    if cell.future:
        lines.append("still to come")
        return "\n".join(lines)
    lines.append(f"{day.covered_fraction:.0%} covered by a session window")
    if day.sessions:
        kinds = ", ".join(_KIND_NAMES[k] for k in WorkoutKind if k in day.kinds)
        plural = "" if day.sessions == 1 else "s"
        lines.append(f"{day.sessions} session{plural} ({kinds}), {day.minutes:.0f} min")
    return "\n".join(lines)


def _week_ticks(data: TrainingConsistency) -> list[tuple[float, str]]:
    count = len(data.weeks)
    step = max(1, round(count / 8))
    ticks: list[tuple[float, str]] = []
    for k in range(0, count, step):
        monday = data.first_monday + timedelta(weeks=k)
        ticks.append((float(k), f"{monday.day} {monday:%b}"))
    return ticks


def _style_axes(plot: pg.PlotItem, pal: ChartPalette) -> None:
    for name in ("left", "bottom", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(pal.muted))
        axis.setTextPen(pg.mkPen(pal.foreground))
    plot.getAxis("left").setWidth(_AXIS_WIDTH)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=False, y=False)


def _new_plot(
    layout: pg.GraphicsLayout, row: int, title: str, unit: str, pal: ChartPalette
) -> pg.PlotItem:
    plot = layout.addPlot(row=row, col=0)
    plot.setTitle(f"<b>{html.escape(title)}</b>", color=pal.foreground.name(), size="9pt")
    plot.titleLabel.setAttr("justify", "left")
    plot.setLabel("left", html.escape(unit), color=pal.muted.name())
    plot.showGrid(x=False, y=True, alpha=0.12)
    _style_axes(plot, pal)
    plot.getAxis("bottom").setStyle(showValues=False)
    return plot


def _guide_line(plot: pg.PlotItem, y: float, pal: ChartPalette) -> None:
    # Unlabelled: the plot title names the guideline, and a label would hide the bars under it.
    line = pg.InfiniteLine(
        pos=y, angle=0, pen=pg.mkPen(pal.foreground, width=1.5, style=Qt.PenStyle.DashLine)
    )
    line.setZValue(5)
    plot.addItem(line)


class _HeatMap:
    """Keeps the day squares square, and their glyphs inside them, as the view is resized."""

    def __init__(self, plot: pg.PlotItem, squares: pg.ScatterPlotItem, glyphs: Sequence[Any]):
        self._plot = plot
        self._squares = squares
        self._glyphs = list(glyphs)
        self._sizes: tuple[float, float] | None = None
        plot.getViewBox().sigResized.connect(self.update)
        plot.getViewBox().sigXRangeChanged.connect(self.update)

    def update(self, *_args: object) -> None:
        vb = self._plot.getViewBox()
        width, height = vb.width(), vb.height()
        (x0, x1), (y0, y1) = vb.viewRange()
        if width <= 0 or height <= 0 or x1 <= x0 or y1 <= y0:
            return
        cell = min(width / (x1 - x0), height / (y1 - y0))
        sizes = (max(3.0, cell * 0.86), max(3.0, cell * 0.5))
        if sizes == self._sizes:
            return  # resizing the marks would redraw every one of them for nothing
        self._sizes = sizes
        self._squares.setSize(sizes[0])
        for glyph in self._glyphs:
            glyph.setSize(sizes[1])


def _heat_map_plot(layout: pg.GraphicsLayout, row: int, pal: ChartPalette) -> pg.PlotItem:
    plot = layout.addPlot(row=row, col=0)
    plot.setTitle(
        "<b>Days covered by a session window</b>", color=pal.foreground.name(), size="9pt"
    )
    plot.titleLabel.setAttr("justify", "left")
    _style_axes(plot, pal)
    plot.showAxis("top")
    plot.getAxis("bottom").setStyle(showValues=False)
    plot.getAxis("bottom").setPen(pg.mkPen(None))
    plot.getAxis("left").setTicks([[(6.0 - k, _WEEKDAYS[k]) for k in (0, 2, 4, 6)], []])
    plot.getAxis("top").setPen(pg.mkPen(None))
    plot.setYRange(-0.55, 6.55, padding=0)
    return plot


def _glyph_xy(
    cells: Sequence[HeatCell], kind: WorkoutKind
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Where `kind`'s mark sits on each day it trained."""
    # Up to five kinds share a day; each takes its own spot so none hides another.
    order = list(WorkoutKind)
    xs, ys = [], []
    for c in cells:
        if kind not in c.coverage.kinds:
            continue
        kinds = [k for k in order if k in c.coverage.kinds]
        spread = (kinds.index(kind) - (len(kinds) - 1) / 2) * 0.26
        xs.append(c.column + spread)
        ys.append(6 - c.row)
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def _heat_legend_html(data: TrainingConsistency, pal: ChartPalette) -> str:
    parts = []
    for fraction, text in ((0.0, "none"), (0.5, "half"), (1.0, "all day")):
        colour = coverage_colour(fraction, pal).name()
        if fraction == 0:
            colour = pal.muted.name()
            parts.append(f'<span style="color:{colour}">□</span>&nbsp;{text}')
        else:
            parts.append(f'<span style="color:{colour}">■</span>&nbsp;{text}')
    shown = {k for c in data.cells for k in c.coverage.kinds} or {WorkoutKind.AEROBIC}
    kinds = []
    for kind in WorkoutKind:
        if kind in shown:
            colour = kind_colour(kind, pal).name()
            glyph = _KIND_STYLE[kind][2]
            kinds.append(f'<span style="color:{colour}">{glyph}</span>&nbsp;{_KIND_NAMES[kind]}')
    hours = data.report.window.total_seconds() / 3600
    return (
        f"Covered ({hours:.0f} h after each session): "
        + " ".join(parts)
        + " &nbsp;·&nbsp; Sessions: "
        + " &nbsp;".join(kinds)
    )


def _bars(x: np.ndarray[Any, Any], heights: Sequence[float], colour: QColor, **kw: Any) -> Any:
    return pg.BarGraphItem(
        x=x, height=np.array(heights, dtype=float), width=0.7, brush=pg.mkBrush(colour), **kw
    )


class TrainingPlots:
    """Callout, heat map and the four weekly plots in a layout, built once and then updated.

    A redraw with new data sets the data of the items already there, so only what changed is
    painted again; the same code draws the screen chart and the static image.
    """

    def __init__(
        self, layout: pg.GraphicsLayout, weeks: int, pal: ChartPalette, interactive: bool
    ) -> None:
        self.weeks = weeks
        self.pal = pal
        self.interactive = interactive
        self._shown: dict[str, object] = {}  # what each text and tick set shows now
        x = np.arange(weeks, dtype=float)
        self._x = x
        self.callout = pg.LabelItem("", justify="left", size="10pt", color=pal.foreground.name())
        layout.addItem(self.callout, row=0, col=0)
        heat = _heat_map_plot(layout, 1, pal)
        self.squares = pg.ScatterPlotItem(
            symbol="s",
            size=12,
            hoverable=interactive,
            tip=(lambda x, y, data: cell_text(data)) if interactive else None,
        )
        heat.addItem(self.squares)
        self.glyphs: dict[WorkoutKind, pg.ScatterPlotItem] = {}
        for kind in WorkoutKind:
            glyph = pg.ScatterPlotItem(
                symbol=_KIND_STYLE[kind][1],
                size=6,
                brush=pg.mkBrush(kind_colour(kind, pal)),
                pen=pg.mkPen(pal.background, width=1),
            )
            glyph.setZValue(2)
            self.glyphs[kind] = glyph
        self.legend = pg.LabelItem("", justify="left", size="8pt", color=pal.foreground.name())
        layout.addItem(self.legend, row=2, col=0)
        outline = QColor(pal.foreground)
        outline.setAlpha(70)
        # Days still to come are only hinted at, so they do not read as uncovered days.
        faint = QColor(pal.foreground)
        faint.setAlpha(12)
        self._outline, self._faint = pg.mkPen(outline, width=1), pg.mkPen(faint, width=1)
        self._no_brush = pg.mkBrush(None)
        self._brushes: dict[float, Any] = {}

        share = _new_plot(layout, 3, "Share of each week covered", "covered (%)", pal)
        green = QColor(OKABE_ITO[_COVERAGE_HUE])
        self.share_line = pg.PlotDataItem(
            x=x,
            y=np.zeros(weeks),
            pen=pg.mkPen(green, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=pg.mkBrush(green),
            symbolPen=pg.mkPen(None),
            antialias=True,
        )
        share.addItem(self.share_line)
        # Room beyond 0 and 100 so the axis keeps both end labels.
        share.setYRange(-12, 112, padding=0)
        share.getAxis("left").setTicks([[(v, f"{v:.0f}") for v in (0.0, 50.0, 100.0)], []])
        # A short plot would otherwise drop the 0 and 100 labels as too close to its edges.
        share.getAxis("left").setStyle(hideOverlappingLabels=False)

        minutes = _new_plot(
            layout,
            4,
            f"Minutes by kind (dashed: {GUIDELINE_WEEKLY_MINUTES} min/week guideline)",
            "min/week",
            pal,
        )
        self.minute_bars = {
            kind: _bars(x, [0.0] * weeks, kind_colour(kind, pal), pen=pg.mkPen(None))
            for kind in WorkoutKind
        }
        _guide_line(minutes, GUIDELINE_WEEKLY_MINUTES, pal)

        strength = _new_plot(
            layout,
            5,
            f"Muscle-strengthening days (dashed: {GUIDELINE_STRENGTH_DAYS} days/week guideline)",
            "days/week",
            pal,
        )
        self.strength_bars = _bars(
            x, [0.0] * weeks, kind_colour(WorkoutKind.RESISTANCE, pal), pen=pg.mkPen(None)
        )
        strength.addItem(self.strength_bars)
        _guide_line(strength, GUIDELINE_STRENGTH_DAYS, pal)

        load = _new_plot(layout, 6, "", "load (AU)", pal)
        self.load_bars = _bars(x, [0.0] * weeks, pal.muted, pen=pg.mkPen(None))
        load.addItem(self.load_bars)
        load.getAxis("bottom").setStyle(showValues=True)
        load.setLabel("bottom", "week starting (Monday)", color=pal.muted.name())

        self.plots = [heat, share, minutes, strength, load]
        for plot in self.plots[1:]:
            plot.setXLink(heat)
        heat.setXRange(-0.6, weeks - 0.4, padding=0)
        # The heat map has seven rows to show; the weekly plots share the rest.
        for row, stretch in ((1, 10), (3, 4), (4, 5), (5, 4), (6, 5)):
            layout.layout.setRowStretchFactor(row, stretch)
        if interactive:
            # On screen the weekly plots would squeeze the calendar flat: its seven rows keep
            # days big enough to read, and the weekly plots share what is left.
            heat.setMinimumHeight(7 * 17 + 44)
            share.setMinimumHeight(78)
        self.keeper = _HeatMap(heat, self.squares, list(self.glyphs.values()))

    def _changed(self, key: str, value: object) -> bool:
        # Setting a text or ticks lays the plot out again; skipped when nothing changed.
        if self._shown.get(key, self) == value:
            return False
        self._shown[key] = value
        return True

    def _show_cells(self, cells: list[HeatCell], before: tuple[HeatCell, ...]) -> None:
        """Colour the day squares; after a new session only the days it changed are redone."""
        # Same weeks shown: each square keeps its place, and a day differs only in its data.
        changed = (
            [i for i, (old, new) in enumerate(zip(before, cells, strict=True)) if old != new]
            if len(before) == len(cells)
            and before
            and before[0].coverage.day == cells[0].coverage.day
            else None
        )
        if changed is not None and len(changed) <= 7:
            spots = self.squares.points()
            for i in changed:
                cell = cells[i]
                spots[i].setData(cell)
                spots[i].setPen(self._faint if cell.future else self._outline)
                spots[i].setBrush(self._brush(cell))
            return
        self.squares.setData(
            x=np.array([c.column for c in cells], dtype=float),
            y=np.array([6 - c.row for c in cells], dtype=float),
            data=cells,
            brush=[self._brush(c) for c in cells],
            pen=[self._faint if c.future else self._outline for c in cells],
        )

    def _set_top(self, plot: pg.PlotItem, key: str, needed: float) -> None:
        """Set the top of a weekly plot's y range to `needed`, or keep the one shown.

        The top shown stays while the bars fit under it with their margin and fill at least
        half of it; when it must grow it grows by a quarter at least. So a run of new sessions
        in the current week seldom moves the axis, which would repaint it and its grid.
        """
        shown = self._shown.get(key)
        if isinstance(shown, float) and needed <= shown <= 2 * needed:
            return
        top = max(needed, 1.25 * shown) if isinstance(shown, float) and needed > shown else needed
        self._shown[key] = top
        plot.setYRange(0, top, padding=0)

    def _brush(self, cell: HeatCell) -> Any:
        if cell.future:
            return self._no_brush
        fraction = cell.coverage.covered_fraction
        brush = self._brushes.get(fraction)
        if brush is None:
            if len(self._brushes) > 4096:  # shades of many redraws; keep the memory bounded
                self._brushes.clear()
            brush = self._brushes[fraction] = pg.mkBrush(coverage_colour(fraction, self.pal))
        return brush

    def update(self, data: TrainingConsistency) -> None:
        """Show `data`, which must have as many weeks as the plots were built for."""
        if len(data.weeks) != self.weeks:
            raise ValueError(f"built for {self.weeks} weeks, given {len(data.weeks)}")
        pal, x, weeks = self.pal, self._x, data.weeks
        heat, _share, minutes, strength, load = self.plots
        if self._changed("callout", data.callout):
            self.callout.setText(f"<b>{html.escape(data.callout)}</b>")
        if self._changed("months", data.month_labels):
            heat.getAxis("top").setTicks(
                [[(float(c), label) for c, label in data.month_labels], []]
            )
        cells = list(data.cells)
        before = self._shown.get("cells")
        if self._changed("cells", data.cells):
            self._show_cells(cells, before if isinstance(before, tuple) else ())
            for kind, glyph in self.glyphs.items():
                gx, gy = _glyph_xy(cells, kind)
                if self._changed(f"glyphs {kind}", (gx.tobytes(), gy.tobytes())):
                    glyph.setData(x=gx, y=gy)
                _show_in(heat, glyph, len(gx) > 0)
        legend = _heat_legend_html(data, pal)
        if self._changed("legend", legend):
            self.legend.setText(legend)

        # Each item is given data only when its own data changed: one new session changes the
        # current week, and the weeks before need no repaint.
        shares = np.array(data.coverage_shares, dtype=float) * 100
        if self._changed("share", shares.tobytes()):
            self.share_line.setData(x=x, y=shares)

        base = np.zeros(len(weeks))
        for kind, bars in self.minute_bars.items():
            heights = np.array([w.minutes_by_kind.get(kind, 0.0) for w in weeks], dtype=float)
            present = bool(heights.any())
            if present:
                if self._changed(f"minutes {kind}", (heights.tobytes(), base.tobytes())):
                    bars.setOpts(x=x, height=heights, y0=base.copy())
                base += heights
            _show_in(minutes, bars, present)
        needed = max(float(base.max(initial=0.0)), GUIDELINE_WEEKLY_MINUTES) * 1.1
        self._set_top(minutes, "minutes top", needed)

        days = [float(w.resistance_days) for w in weeks]
        if self._changed("strength", days):
            self.strength_bars.setOpts(x=x, height=np.array(days, dtype=float))
        top = max(max(days, default=0.0), GUIDELINE_STRENGTH_DAYS + 1.0)
        if self._changed("strength top", top):
            strength.setYRange(0, top + 0.3, padding=0)
        if self._changed("strength_ticks", top):
            ticks = [(float(v), str(v)) for v in range(int(top) + 1)]
            strength.getAxis("left").setTicks([ticks, []])

        unrated = sum(w.sessions_without_rpe for w in weeks)
        load_title = "Training load (session RPE × minutes)"
        if unrated:
            load_title += f"; {unrated} session{'s' if unrated > 1 else ''} without RPE not counted"
        if self._changed("load_title", load_title):
            load.setTitle(
                f"<b>{html.escape(load_title)}</b>", color=pal.foreground.name(), size="9pt"
            )
        loads = [w.load for w in weeks]
        if self._changed("load", loads):
            self.load_bars.setOpts(x=x, height=np.array(loads, dtype=float))
        self._set_top(load, "load top", max(max(loads, default=0.0), 1.0) * 1.1)
        if self._changed("weeks", data.first_monday):
            load.getAxis("bottom").setTicks([_week_ticks(data), []])
        self.keeper.update()


def _show_in(plot: pg.PlotItem, item: Any, shown: bool) -> None:
    """Add `item` to `plot` or take it out, so the plot holds only items with something to show."""
    inside = item in plot.items
    if shown and not inside:
        plot.addItem(item)
    elif not shown and inside:
        plot.removeItem(item)


def build_training_plots(
    layout: pg.GraphicsLayout, data: TrainingConsistency, pal: ChartPalette, interactive: bool
) -> tuple[list[pg.PlotItem], _HeatMap]:
    """Callout, heat map and the four weekly plots into `layout`; the same for screen and print."""
    plots = TrainingPlots(layout, len(data.weeks), pal, interactive)
    plots.update(data)
    return plots.plots, plots.keeper


# The on-screen chart's least height: the calendar's tiles and four weekly plots that read.
_MIN_CHART_HEIGHT: Final = 720


class TrainingConsistencyChart(QWidget):
    """The Training page's consistency chart: a coverage heat map over weekly small multiples.

    Give it the workouts with `set_workouts`; it shows the last `weeks` weeks up to `today`.
    """

    def __init__(self, parent: QWidget | None = None, palette: ChartPalette | None = None) -> None:
        super().__init__(parent)
        self._fixed_palette = palette
        self._data: TrainingConsistency | None = None
        self._built: TrainingPlots | None = None
        self._sessions = SessionCache()
        self._view = pg.GraphicsLayoutWidget()
        self._empty = QLabel(EMPTY_TEXT)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        # Five plots need some height to read well: a short window scrolls them instead of
        # squeezing the weekly bars flat.
        self._view.setMinimumHeight(_MIN_CHART_HEIGHT)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self._view)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)
        self._stack.setCurrentWidget(self._empty)

    def set_workouts(
        self,
        workouts: Sequence[Workout],
        *,
        window: timedelta = DEFAULT_WINDOW,
        tz: tzinfo,
        weeks: int = 26,
        today: date | None = None,
    ) -> None:
        """Chart the `weeks` weeks up to `today` (default: today in `tz`)."""
        day = today if today is not None else datetime.now(tz).date()
        if not workouts:
            self._data = None
            self._stack.setCurrentWidget(self._empty)
            return
        self._data = training_consistency(
            workouts, tz=tz, today=day, weeks=weeks, window=window, cache=self._sessions
        )
        pal = self._fixed_palette or chart_palette(self.palette())
        built = self._built
        if built is None or built.pal != pal or built.weeks != weeks:
            # Only a new theme or another number of weeks builds the plots again.
            self._view.clear()
            self._view.setBackground(pal.background)
            built = self._built = TrainingPlots(self._view.ci, weeks, pal, True)
            for plot in built.plots:
                cache_axes(plot)
        built.update(self._data)
        self._stack.setCurrentWidget(self._scroll)

    @property
    def data(self) -> TrainingConsistency | None:
        return self._data

    @property
    def plots(self) -> tuple[pg.PlotItem, ...]:
        return () if self._built is None or self._data is None else tuple(self._built.plots)

    def callout_text(self) -> str:
        return "" if self._data is None else self._data.callout

    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self._empty

    def empty_text(self) -> str:
        return self._empty.text()


def render_training_consistency(
    workouts: Sequence[Workout],
    *,
    window: timedelta = DEFAULT_WINDOW,
    tz: tzinfo,
    weeks: int = 26,
    today: date | None = None,
    width_px: int,
    height_px: int,
    dpi: float = _SCREEN_DPI,
    palette: ChartPalette | None = None,
) -> QImage:
    """The same chart as `TrainingConsistencyChart`, drawn into an image; prints light colours.

    Laid out at screen scale and drawn scaled up, so text keeps its point size at `dpi`.
    """
    pal = palette or print_palette()
    day = today if today is not None else datetime.now(tz).date()
    data = training_consistency(workouts, tz=tz, today=day, weeks=weeks, window=window)

    def build(layout: pg.GraphicsLayout) -> Callable[[], None]:
        _plots, keeper = build_training_plots(layout, data, pal, False)
        return keeper.update

    return render_plots(
        build,
        empty_text=None if workouts else EMPTY_TEXT,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        palette=pal,
    )
