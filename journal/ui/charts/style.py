"""Chart colours: the Okabe–Ito colour-blind-safe palette, band fills by level, light or dark."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from journal.domain.thresholds import Level

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency.
OKABE_ITO: Final = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
    }
)

# Favourable bands are green, in-between orange, unfavourable vermillion (stronger when very
# high), unfavourably low sky blue: hue and lightness both differ, so the order survives greyscale.
_BAND_HUES: Final = MappingProxyType(
    {
        Level.OPTIMAL: ("bluish_green", 1.0),
        Level.NORMAL: ("bluish_green", 0.6),
        Level.BORDERLINE: ("orange", 0.9),
        Level.HIGH: ("vermillion", 0.8),
        Level.VERY_HIGH: ("vermillion", 1.3),
        Level.LOW: ("sky_blue", 1.0),
    }
)


@dataclass(frozen=True, slots=True)
class ChartPalette:
    """Every colour a chart uses, for one of the light or dark themes."""

    dark: bool
    background: QColor
    foreground: QColor
    muted: QColor
    line: QColor
    excluded: QColor
    lab_range: QColor
    lab_change: QColor
    band_alpha: int

    def band_fill(self, level: Level) -> QColor:
        name, strength = _BAND_HUES[level]
        colour = QColor(OKABE_ITO[name])
        colour.setAlpha(min(255, round(self.band_alpha * strength)))
        return colour

    def band_swatch(self, level: Level) -> QColor:
        """The band colour as it looks over the background, opaque, for a legend swatch."""
        fill = self.band_fill(level)
        a = fill.alphaF()
        bg = self.background
        return QColor.fromRgbF(
            fill.redF() * a + bg.redF() * (1 - a),
            fill.greenF() * a + bg.greenF() * (1 - a),
            fill.blueF() * a + bg.blueF() * (1 - a),
        )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def chart_palette(palette: QPalette | None = None) -> ChartPalette:
    """Colours for `palette` (default: the application's), dark when its window is dark."""
    if palette is None:
        palette = QGuiApplication.palette()
    return _make(
        is_dark(palette),
        QColor(palette.color(QPalette.ColorRole.Base)),
        QColor(palette.color(QPalette.ColorRole.Text)),
    )


def print_palette() -> ChartPalette:
    """Light colours on white, for images that go on paper whatever the screen theme."""
    return _make(False, QColor("#ffffff"), QColor("#000000"))


def _make(dark: bool, background: QColor, foreground: QColor) -> ChartPalette:
    muted = QColor(foreground)
    muted.setAlpha(170)
    lab_range = QColor("#a0a0a0" if dark else "#6e6e6e")
    lab_range.setAlpha(150)
    return ChartPalette(
        dark=dark,
        background=background,
        foreground=foreground,
        muted=muted,
        line=QColor(OKABE_ITO["sky_blue"] if dark else OKABE_ITO["blue"]),
        excluded=QColor(OKABE_ITO["reddish_purple"]),
        lab_range=lab_range,
        lab_change=QColor(OKABE_ITO["yellow"] if dark else "#444444"),
        band_alpha=70 if dark else 55,
    )
