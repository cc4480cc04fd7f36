"""The chart images the printed summary embeds, drawn from the same code as the on-screen charts."""

from __future__ import annotations

from PySide6.QtGui import QImage

from journal.domain.trends import display_unit, marker_series
from journal.reports.pdf import chart_sizes
from journal.reports.summary import Section, SummaryData
from journal.ui.charts.training import render_training_consistency
from journal.ui.charts.trends import render_marker_trends
from journal.ui.charts.walks import render_walk_adherence

__all__ = ["CHART_DPI", "render_summary_charts"]

CHART_DPI = 200.0  # sharp on paper, and quick enough to keep the whole summary under a second
_MAX_WEEKS = 26  # the heat map and weekly bars stay legible up to half a year
# Charts are laid out as if the text column were this much wider, then drawn to fit it: the
# on-screen layouts need the room, and print text reads well at four fifths of its size.
_LAYOUT_SCALE = 0.8


def _weeks(data: SummaryData) -> int:
    days = (data.options.end - data.options.start).days + 1
    return max(4, min(_MAX_WEEKS, -(-days // 7)))


def render_summary_charts(data: SummaryData) -> dict[Section, QImage]:
    """Images for the chart sections `data` asks for. GUI thread only (pyqtgraph items)."""
    options = data.options
    scale = CHART_DPI / 96
    dpi = CHART_DPI * _LAYOUT_SCALE
    images: dict[Section, QImage] = {}
    for section, size in chart_sizes(options.page_size, options.sections).items():
        width, height = round(size.width * scale), round(size.height * scale)
        if section is Section.TRENDS and data.trend_keys:
            series = [
                marker_series(
                    data.draws_for_trends,
                    key,
                    display_unit(key, options.unit_system),
                    sex=options.sex,
                )
                for key in data.trend_keys
            ]
            images[section] = render_marker_trends(series, width, height, dpi=dpi)
        elif section is Section.TRAINING and data.training is not None and data.workouts:
            images[section] = render_training_consistency(
                data.workouts,
                window=options.coverage_window,
                tz=data.tz,
                weeks=_weeks(data),
                today=options.end,
                width_px=width,
                height_px=height,
                dpi=dpi,
            )
        elif section is Section.WALKS and data.walks is not None and data.walks.walks:
            images[section] = render_walk_adherence(
                data.walk_entries,
                tz=data.tz,
                target_delay_min=round(options.walk_target_delay_min),
                weeks=_weeks(data),
                today=options.end,
                width_px=width,
                height_px=height,
                dpi=dpi,
            )
    return images
