"""Drawing a chart's plots into an image, with no widget on screen, at any resolution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from journal.ui.charts.style import ChartPalette

SCREEN_DPI: Final = 96.0


def cache_axes(plot: pg.PlotItem) -> None:
    """Keep each axis (its grid lines included) as a picture between its own changes.

    Translucent grid lines across a whole plot are slow for Qt to draw; without the cache they
    were drawn again whenever a point, bar or square inside the plot changed. On screen only:
    a static image is drawn once.
    """
    for name in ("left", "bottom", "top"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


# Builds the plots into the layout; may return a callback to run once the layout has its size.
Build = Callable[[pg.GraphicsLayout], Callable[[], None] | None]


def render_plots(
    build: Build,
    *,
    empty_text: str | None,
    width_px: int,
    height_px: int,
    dpi: float,
    palette: ChartPalette,
) -> QImage:
    """Lay the plots out at screen scale and draw them scaled up, so text keeps its point size.

    With `empty_text` set, the image carries that message instead of plots. Needs a
    QApplication and the GUI thread, like every pyqtgraph item.
    """
    image = QImage(width_px, height_px, QImage.Format.Format_ARGB32)
    image.fill(palette.background)
    scale = dpi / SCREEN_DPI
    logical = QRectF(0, 0, width_px / scale, height_px / scale)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if empty_text is not None:
            painter.scale(scale, scale)
            painter.setPen(QColor(palette.muted))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(logical, int(flags), empty_text)
        else:
            # A view that is never shown: pyqtgraph items ask their view for pixel sizes.
            view = pg.GraphicsLayoutWidget()
            try:
                view.setBackground(palette.background)
                after_layout = build(view.ci)
                view.resize(int(logical.width()), int(logical.height()))
                pg.GraphicsView.setRange(view, logical, padding=0)
                view.ci.layout.activate()
                if after_layout is not None:
                    after_layout()
                view.scene().render(painter, QRectF(image.rect()), logical)
            finally:
                view.close()
                view.deleteLater()
    finally:
        painter.end()
    # Only now: text was laid out for a 96-dpi device and scaled by the painter; an image that
    # already claimed `dpi` would have it scaled a second time.
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image
