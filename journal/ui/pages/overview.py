"""The Overview page: latest markers with their bands, training coverage and walks this week."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from journal.domain.coverage import DayCoverage
from journal.domain.entities import Fasting, Meal
from journal.domain.thresholds import Level
from journal.domain.walks import MIN_WALK_MIN, MealAdherence
from journal.services.changes import Change, Entity
from journal.services.overview import (
    COVERAGE_DAYS,
    GLUCOSE,
    HBA1C,
    HOMA_IR,
    INSULIN,
    MARKER_KEYS,
    MARKER_NAMES,
    TG_HDL,
    MarkerSummary,
    OverviewData,
    OverviewService,
    TrainingOverview,
    WalksOverview,
)
from journal.ui.context import UiContext
from journal.ui.localzone import local_zone

# Okabe–Ito hues (told apart with the common colour-vision deficiencies), darkened for a light
# card and lightened for a dark one so that each keeps 4.5:1 against the card and its own tint.
# The band's name is always written beside the colour; the colour only repeats it.
LEVEL_COLOURS: dict[Level, tuple[str, str]] = {
    Level.OPTIMAL: ("#00735a", "#4fd1a5"),
    Level.NORMAL: ("#00629f", "#74c2f0"),
    Level.BORDERLINE: ("#8f5000", "#f0b64a"),
    Level.HIGH: ("#a83700", "#ff9463"),
    Level.VERY_HIGH: ("#942c72", "#eb9fd2"),
    Level.LOW: ("#564aa8", "#b4aef7"),
}
COVERED_COLOURS = ("#0072b2", "#56b4e9")
PILL_TINT = (0.10, 0.14)  # alpha of the band colour behind its name, light and dark

CHANGE_ENTITIES = (Entity.LAB_DRAW, Entity.WORKOUT, Entity.WALK, Entity.IMPORT_BATCH)

EMPTY_TEXT = {
    GLUCOSE: (
        "No fasting glucose on record yet. Add a blood test and mark it as fasting "
        "(about 8 hours without food) to see it here."
    ),
    INSULIN: (
        "No fasting insulin on record yet. Many standard panels leave it out, so it is "
        "worth asking about at your next blood test."
    ),
    HBA1C: "No HbA1c on record yet. It reflects your average glucose over about three months.",
    HOMA_IR: (
        "Needs fasting glucose and fasting insulin from the same blood draw. Together they "
        "show how hard your body works to keep glucose where it is."
    ),
    TG_HDL: (
        "Needs triglycerides and HDL cholesterol from the same draw. Both are on a standard "
        "lipid panel, so an older report may already have them."
    ),
}
NOTE_TITLE = "About these numbers"
NOTE_TEXT = (
    "Bands come from the guideline named on each card. HOMA-IR and TG:HDL are calculated "
    "here, not measured by a lab, and reference values vary by population and assay. "
    "For learning and for talking with your physician: this journal does not diagnose."
)


def _day(value: datetime | date, tz: tzinfo | None = None) -> str:
    d = value.astimezone(tz).date() if isinstance(value, datetime) else value
    return f"{d.day} {d:%b %Y}"  # %-d is not portable, and %d would print "05"


def _weekday(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def _label(text: str = "", role: str = "", *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # nothing a user typed is read as HTML
    if role:
        label.setObjectName(role)
    if wrap:
        label.setWordWrap(True)
        # A wrapped label otherwise claims its one-line width and squeezes its neighbours.
        policy = label.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        label.setSizePolicy(policy)
    return label


def _tooltip(*paragraphs: str | None) -> str:
    # Rich text so that long tooltips wrap; every paragraph is escaped (some come from labs).
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return f"<qt>{body}</qt>" if body else ""


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """a blended toward b by t (0 gives a, 1 gives b), opaque."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def card_colour(palette: QPalette) -> QColor:
    """The card background: Base on a light theme, halfway to Window on a dark one."""
    base = palette.color(QPalette.ColorRole.Base)
    if is_dark(palette):
        return _mix(palette.color(QPalette.ColorRole.Window), base, 0.5)
    return base


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two opaque colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(v) for v in (c.redF(), c.greenF(), c.blueF()))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def muted_colour(palette: QPalette) -> QColor:
    """Secondary text: the text colour softened toward the card, but never below 4.6:1.

    The palette's placeholder colour is not used because on many themes it falls below 4.5:1.
    """
    text = palette.color(QPalette.ColorRole.Text)
    card = card_colour(palette)
    for step in range(8, 0, -1):
        softer = _mix(text, card, step * 0.05)
        if contrast(softer, card) >= 4.6:
            return softer
    return text


def level_colour(level: Level, dark: bool) -> QColor:
    return QColor(LEVEL_COLOURS[level][1 if dark else 0])


def pill_background(colour: QColor, card: QColor, dark: bool) -> QColor:
    return _mix(card, colour, PILL_TINT[1 if dark else 0])


def keep_units_whole(text: str) -> str:
    """Stop a line from breaking inside a unit ("mg/ dL"): a word joiner after each slash."""
    return text.replace("/", "/\u2060")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 10:
        return f"{hours:.1f} h".replace(".0 h", " h")
    if hours < 48:
        return f"{hours:.0f} h"
    return _days(hours / 24)


def _days(days: float) -> str:
    text = f"{days:.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"


def _ago(days: float) -> str:
    hours = days * 24
    if hours < 1:
        return "Under an hour ago"
    if hours < 36:
        return f"{_plural(round(hours), 'hour')} ago"
    return f"{_plural(round(days), 'day')} ago"


class BandPill(QLabel):
    """A band's name on a rounded tint of its colour, with a dot; neutral when there is none."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setObjectName("bandPill")
        self.level: Level | None = None
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

    def set_band(self, text: str, level: Level | None) -> None:
        self.level = level
        self.setText(text)
        self.updateGeometry()
        self.update()

    def _height(self) -> int:
        return self.fontMetrics().height() + 8

    def sizeHint(self) -> QSize:
        h = self._height()
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + h + 12, h)

    def minimumSizeHint(self) -> QSize:
        h = self._height()
        return QSize(min(self.sizeHint().width(), 4 * h), h)

    def colours(self) -> tuple[QColor, QColor]:
        """(text and dot, background) for the current palette."""
        palette = self.palette()
        dark = is_dark(palette)
        card = card_colour(palette)
        if self.level is None:
            return muted_colour(palette), _mix(card, palette.color(QPalette.ColorRole.Text), 0.07)
        colour = level_colour(self.level, dark)
        return colour, pill_background(colour, card, dark)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fg, bg = self.colours()
        h = self._height()
        rect = QRectF(0, 0, min(self.width(), self.sizeHint().width()), h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(rect, h / 2, h / 2)
        painter.setBrush(fg)
        painter.drawEllipse(QRectF(h / 2 - 3.5, h / 2 - 3.5, 7, 7))
        painter.setPen(fg)
        painter.setFont(self.font())
        text_rect = rect.adjusted(h - 2, 0, -10, 0)
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, int(text_rect.width())
        )
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown
        )
        painter.end()


class _Card(QFrame):
    """A rounded panel with a title row; keyboard users can tab to it and hear its summary."""

    def __init__(self, title: str, aside: str = "", role: str = "overviewCard") -> None:
        super().__init__()
        self.setObjectName(role)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAccessibleName(title)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 14)
        self.body.setSpacing(4)
        head = QHBoxLayout()
        head.setSpacing(8)
        self.title = _label(title, "cardTitle")
        self.aside = _label(aside, "cardAside")
        self.aside.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.aside)
        self.body.addLayout(head)


def _row(*widgets: QWidget, spacing: int = 6) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignBottom)
    layout.addStretch(1)
    return box


class MarkerCard(_Card):
    """One marker: value and unit, date, band, source, change since the previous result."""

    def __init__(self, key: str) -> None:
        super().__init__(MARKER_NAMES[key])
        self.key = key
        self.calculated = key in (HOMA_IR, TG_HDL)
        self.value = _label("", "markerValue")
        self.unit = _label("", "markerUnit")
        self.value_row = _row(self.value, self.unit)
        self.band = BandPill()
        self.source = _label("", "small", wrap=True)
        self.change = _label("", "change", wrap=True)
        self.detail = _label("", "small", wrap=True)
        self.empty = _label("", "emptyText", wrap=True)
        self.body.addWidget(self.value_row)
        self.body.addSpacing(2)
        self.body.addWidget(self.band, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addSpacing(2)
        for widget in (self.source, self.change, self.detail, self.empty):
            self.body.addWidget(widget)
        self.body.addStretch(1)

    @property
    def level(self) -> Level | None:
        return self.band.level

    def set_marker(self, marker: MarkerSummary, tz: tzinfo) -> None:
        present = marker.present and marker.text is not None and marker.at is not None
        for widget in (self.value_row, self.band, self.source, self.change):
            widget.setVisible(present)
        self.empty.setVisible(not present)
        if not present or marker.text is None or marker.at is None:
            self._set_empty(marker, tz)
            return
        number, unit = marker.text, marker.unit
        if unit.startswith("ratio ("):
            unit = unit.removeprefix("ratio (").removesuffix(")")
        self.value.setText(number)
        self.unit.setText(unit)
        self.unit.setVisible(bool(unit))
        when = _day(marker.at, tz)
        self.aside.setText(f"Calculated · {when}" if self.calculated else when)
        self.aside.setToolTip(
            _tooltip(
                f"Calculated by this journal from your results of {when}; not a lab result."
                if self.calculated
                else f"Drawn on {when}."
            )
        )
        spoken = [
            f"{number} {unit}".strip(),
            f"{'calculated from the draw of' if self.calculated else 'drawn'} {when}",
        ]
        band = marker.band
        if band is not None:
            self.band.set_band(f"{band.label[:1].upper()}{band.label[1:]} range", band.level)
            self.source.setText(keep_units_whole(f"{band.guideline} · {band.range_text}"))
            self.band.setToolTip(
                _tooltip(
                    f"{marker.name} {number} {unit}".strip()
                    + f" is {band.phrase} ({band.range_text}).",
                    f"Source: {band.source}.",
                    band.note,
                )
            )
            spoken.append(f"{band.phrase} ({band.range_text}), from {band.guideline}")
        else:
            self.band.set_band("No guideline bands", None)
            lab = f"Your lab's range: {marker.lab_range}" if marker.lab_range else ""
            self.source.setText(keep_units_whole(lab) or "Compare it with your lab's own range.")
            self.band.setToolTip(
                _tooltip(
                    "No clinical guideline sets bands for fasting insulin, and insulin assays "
                    "differ between labs, so your lab's own range is the one to compare with."
                )
            )
            spoken.append("no guideline bands")
        self.source.setToolTip(_tooltip(*marker.notes))
        spoken.extend(self._set_change(marker, tz))
        self.setAccessibleDescription("; ".join(spoken) + ".")

    def _set_change(self, marker: MarkerSummary, tz: tzinfo) -> list[str]:
        previous = marker.previous
        spoken: list[str] = []
        if previous is None:
            self.change.setText("First result on record")
            self.change.setToolTip("")
        else:
            since = _day(previous.at, tz)
            if previous.direction == 0:
                text = f"No change since {since}"
            else:
                arrow = "▲" if previous.direction > 0 else "▼"
                text = f"{arrow} {previous.delta_text} since {since}"
                word = "up" if previous.direction > 0 else "down"
                spoken.append(f"{word} {previous.delta_text} since {since}")
            if previous.converted:
                # Say so: the earlier value was in another unit and was converted to compare.
                text += f" (was {previous.text})"
            self.change.setText(keep_units_whole(text))
            self.change.setToolTip(_tooltip(previous.note))
            if previous.direction == 0:
                spoken.append(f"no change since {since}")
        details: list[str] = []
        newer = marker.newer_unclassified
        if newer is not None:
            state = "non-fasting" if newer.fasting is Fasting.NO else "not marked fasting"
            details.append(
                f"Newer: {newer.text} on {_day(newer.at, tz)}, {state}, so not compared "
                "with these bands."
            )
        self.detail.setText(keep_units_whole(" ".join(details)))
        self.detail.setVisible(bool(details))
        spoken.extend(details)
        return spoken

    def _set_empty(self, marker: MarkerSummary, tz: tzinfo) -> None:
        self.aside.setText("Calculated" if self.calculated else "")
        self.aside.setToolTip("")
        self.band.set_band("", None)
        text = EMPTY_TEXT[self.key]
        newer = marker.newer_unclassified
        if newer is not None:
            state = "was not fasting" if newer.fasting is Fasting.NO else "is not marked fasting"
            what = "glucose" if self.key == GLUCOSE else "insulin"
            text = (
                f"Your latest {what}, {newer.text} on {_day(newer.at, tz)}, {state}, so it is "
                "not compared with the fasting bands. Mark a draw as fasting when it was."
            )
        elif marker.reason and self.calculated:
            text = f"{text} About your latest draw: {marker.reason}"
        self.empty.setText(text)
        self.detail.hide()
        self.setAccessibleDescription(text)


class NoteCard(_Card):
    """The educational note, in the grid beside the markers so it is read with them."""

    def __init__(self) -> None:
        super().__init__(NOTE_TITLE, role="overviewNote")
        self.text = _label(NOTE_TEXT, "small", wrap=True)
        self.body.addWidget(self.text)
        self.body.addStretch(1)
        self.setAccessibleDescription(NOTE_TEXT)


class CoverageStrip(QWidget):
    """One small square per day, shaded by how much of it a session's effect covered."""

    GAP = 4
    MAX_SIDE = 24
    MIN_SIDE = 12
    TOP = 3  # room for the ring around today

    def __init__(self) -> None:
        super().__init__()
        self.days: tuple[DayCoverage, ...] = ()
        self.today: date | None = None
        self.setAccessibleName("Coverage by day")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_days(self, days: Sequence[DayCoverage], today: date) -> None:
        self.days = tuple(days)
        self.today = today
        self.setAccessibleDescription(
            "; ".join(f"{_weekday(d.day)}: {d.covered_fraction:.0%} covered" for d in self.days)
        )
        self.updateGeometry()
        self.update()

    def _count(self) -> int:
        return max(len(self.days), 1)

    def _side(self) -> float:
        n = self._count()
        fitting = (self.width() - 6 - self.GAP * (n - 1)) / n
        return max(self.MIN_SIDE, min(self.MAX_SIDE, fitting))

    def _label_height(self) -> int:
        return self.fontMetrics().height()

    def _size(self, side: int) -> QSize:
        n = max(len(self.days), COVERAGE_DAYS)
        return QSize(n * side + (n - 1) * self.GAP + 6, self.TOP + side + 3 + self._label_height())

    def sizeHint(self) -> QSize:
        return self._size(self.MAX_SIDE)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._size(self.MIN_SIDE).width(), self.sizeHint().height())

    def _rect(self, i: int) -> QRectF:
        side = self._side()
        return QRectF(3 + i * (side + self.GAP), self.TOP + self.MAX_SIDE - side, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        dark = is_dark(palette)
        card = card_colour(palette)
        text = palette.color(QPalette.ColorRole.Text)
        empty = _mix(card, text, 0.12)
        full = QColor(COVERED_COLOURS[1 if dark else 0])
        muted = muted_colour(palette)
        for i, day in enumerate(self.days):
            rect = self._rect(i)
            fraction = max(0.0, min(1.0, day.covered_fraction))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_mix(empty, full, fraction))
            painter.drawRoundedRect(rect, 4, 4)
            if day.sessions:
                # A dot marks the days a session started, so the strip is not colour alone.
                painter.setBrush(card if fraction > 0.5 else text)
                r = max(2.0, rect.width() / 9)
                painter.drawEllipse(rect.center(), r, r)
            if day.day == self.today:
                painter.setPen(QPen(text, 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(-2.5, -2.5, 2.5, 2.5), 5.5, 5.5)
            painter.setPen(muted)
            below = QRectF(
                rect.left() - 4, rect.bottom() + 3, rect.width() + 8, self._label_height()
            )
            painter.drawText(below, Qt.AlignmentFlag.AlignCenter, f"{day.day:%a}"[:1])
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tip_at(self, pos: QPoint) -> str:
        for i, day in enumerate(self.days):
            if self._rect(i).adjusted(-2, -2, 2, 2 + self._label_height()).contains(pos):
                sessions = (
                    f"{_plural(day.sessions, 'session')} started ({day.minutes:.0f} min)"
                    if day.sessions
                    else "no session started"
                )
                today = " (today)" if day.day == self.today else ""
                return f"{_weekday(day.day)}{today}: {day.covered_fraction:.0%} covered; {sessions}"
        return ""


class _Stat(QWidget):
    """A figure over its caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.value = _label("", "statValue")
        self.caption = _label(caption, "small")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class TrainingCard(_Card):
    """Coverage of the last 14 days: share, a strip by day, last session, longest gap, streak."""

    def __init__(self) -> None:
        super().__init__("Training", f"Last {COVERAGE_DAYS} days")
        self.share = _label("", "markerValue")
        self.share_caption = _label("of the time covered", "markerUnit")
        self.headline = _row(self.share, self.share_caption, spacing=8)
        self.strip = CoverageStrip()
        self.since = _Stat("Last session")
        self.gap = _Stat("Longest gap")
        self.streak = _Stat("Streak")
        self.sessions = _Stat("Sessions")
        self.stats = QWidget()
        stats = QHBoxLayout(self.stats)
        stats.setContentsMargins(0, 6, 0, 0)
        stats.setSpacing(22)
        for stat in (self.since, self.gap, self.streak, self.sessions):
            stats.addWidget(stat)
        stats.addStretch(1)
        self.explain = _label("", "small", wrap=True)
        self.empty = _label(
            "No workouts yet. Log a session and this card shows how much of the last two weeks "
            "your training covered: one session's effect on insulin sensitivity lasts roughly "
            "one to three days.",
            "emptyText",
            wrap=True,
        )
        for widget in (self.headline, self.strip, self.stats, self.empty):
            self.body.addWidget(widget)
        self.body.addStretch(1)
        self.body.addSpacing(4)
        self.body.addWidget(self.explain)

    def set_training(self, training: TrainingOverview | None, today: date) -> None:
        present = training is not None
        for widget in (self.headline, self.strip, self.stats, self.explain):
            widget.setVisible(present)
        self.empty.setVisible(not present)
        if training is None:
            self.setAccessibleDescription(self.empty.text())
            return
        report = training.coverage
        hours = round(training.window.total_seconds() / 3600)
        self.share.setText(f"{report.share:.0%}")
        self.strip.set_days(training.days, today)
        last = report.days_since_last
        self.since.value.setText("None yet" if last is None else _ago(last))
        self.gap.value.setText(_hours(report.longest_gap) if report.longest_gap else "None")
        streak = report.streak
        if streak.active:
            self.streak.value.setText(_days(streak.days) if streak.days >= 1 else "Under a day")
            self.streak.caption.setText(f"Streak · {_plural(streak.sessions, 'session')}")
        else:
            self.streak.value.setText("Not running")
            self.streak.caption.setText("Streak")
        self.sessions.value.setText(str(report.sessions))
        self.sessions.caption.setText(f"In {COVERAGE_DAYS} days")
        self.explain.setText(
            f"Covered: within {hours} h after a session (change this in Preferences). "
            "A dot marks a day with a session; the ringed square is today."
        )
        self.setAccessibleDescription(
            f"{report.share:.0%} of the last {COVERAGE_DAYS} days covered; last session "
            f"{self.since.value.text().lower()}; longest gap {self.gap.value.text()}; "
            f"streak {self.streak.value.text().lower()}; {_plural(report.sessions, 'session')}."
        )


class WalksCard(_Card):
    """Walks after each meal from Monday to today, as a small table."""

    HEADERS = ("", "Walked", "On target", "Median start")

    def __init__(self) -> None:
        super().__init__("Walks after meals", "This week")
        self.table = QWidget()
        grid = QGridLayout(self.table)
        grid.setContentsMargins(0, 2, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        for col, text in enumerate(self.HEADERS):
            grid.addWidget(_label(text, "small"), 0, col)
        # One reusable row per meal; rows of meals without walks this week are hidden.
        self.cells: dict[Meal, tuple[QLabel, QLabel, QLabel, QLabel]] = {}
        for row, meal in enumerate(Meal, start=1):
            cells = (
                _label(meal.value.capitalize(), "mealName"),
                _label(),
                _label(),
                _label(),
            )
            for col, cell in enumerate(cells):
                grid.addWidget(cell, row, col)
            self.cells[meal] = cells
        grid.setColumnStretch(3, 1)
        self.message = _label("", "emptyText", wrap=True)
        self.explain = _label("", "small", wrap=True)
        self.body.addWidget(self.table)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.body.addSpacing(4)
        self.body.addWidget(self.explain)

    def set_walks(self, walks: WalksOverview | None, tz: tzinfo) -> None:
        if walks is None:
            self.aside.setText("This week")
            self.table.hide()
            self.explain.hide()
            self._message(
                "No walks after meals yet. Log one and this card shows, meal by meal, on how "
                "many days this week you walked and how soon after eating you set off."
            )
            return
        first = walks.first_day
        self.aside.setText(
            "Today" if walks.days == 1 else f"This week · {first:%a} {first.day} {first:%b} – today"
        )
        self.explain.setText(
            f"On target: started within {walks.target_delay_min} min of eating and lasted at "
            f"least {MIN_WALK_MIN} min (change this in Preferences)."
        )
        self.explain.show()
        walked = [m for m in walks.by_meal if m.walks > 0]
        if not walked:
            self.table.hide()
            last = walks.last_walk_at
            since = f" Your last one was on {_day(last, tz)}." if last is not None else ""
            when = "today" if walks.days == 1 else "since Monday"
            self._message(f"No walks after meals logged {when}.{since}")
            return
        self.message.hide()
        self.table.show()
        sentences = []
        for meal, cells in self.cells.items():
            adherence = walks.meal(meal)
            shown = adherence.walks > 0
            for cell in cells:
                cell.setVisible(shown)
            if shown:
                texts = self.row_texts(adherence)
                for cell, text in zip(cells[1:], texts, strict=True):
                    cell.setText(text)
                sentences.append(self.sentence(adherence))
        self.setAccessibleDescription("; ".join(sentences) + ".")

    @staticmethod
    def row_texts(meal: MealAdherence) -> tuple[str, str, str]:
        walked = f"{meal.days_with_walk} of {_plural(meal.days, 'day')}"
        on_target = f"{meal.days_on_target} of {meal.days}"
        delay = meal.median_delay_min
        start = "—" if delay is None else f"{delay:.0f} min after eating"
        return walked, on_target, start

    @staticmethod
    def sentence(meal: MealAdherence) -> str:
        """ "Dinner: 5 of 7 days · median start 9 min after eating"."""
        walked, _, start = WalksCard.row_texts(meal)
        text = f"{meal.meal.value.capitalize()}: {walked}"
        return text if meal.median_delay_min is None else f"{text} · median start {start}"

    def _message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.setAccessibleDescription(text)


class ResponsiveGrid(QWidget):
    """Lays its cards out in as many equal columns as fit, from a list of allowed counts."""

    SPACING = 14

    def __init__(self, widgets: Sequence[QWidget], min_width: int, columns: Sequence[int]):
        super().__init__()
        self.widgets = list(widgets)
        self.min_width = min_width
        self.allowed = sorted(columns, reverse=True)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(self.SPACING)
        # The column count follows the width; a minimum from the current count would stop the
        # page from ever getting narrow enough to drop a column.
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumWidth(min_width)
        self.columns = 0
        self._place(self.allowed[-1])

    def fit(self, width: int) -> int:
        for n in self.allowed:
            if n * self.min_width + (n - 1) * self.SPACING <= width:
                return n
        return self.allowed[-1]

    def _place(self, columns: int) -> None:
        if columns == self.columns:
            return
        for widget in self.widgets:
            self.grid.removeWidget(widget)
        for c in range(max(self.columns, columns)):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        for i, widget in enumerate(self.widgets):
            self.grid.addWidget(widget, i // columns, i % columns)
        self.columns = columns

    def minimumSizeHint(self) -> QSize:
        # As narrow as one column, so the scroll area can shrink the page and drop columns.
        return QSize(self.min_width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place(self.fit(event.size().width()))
        super().resizeEvent(event)


class OverviewPage(QWidget):
    """The first page: where the numbers stand now, and what to do next when there are none."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service: OverviewService = ctx.services.overview
        self.tz = local_zone()
        self.data: OverviewData | None = None
        self._stale = False
        self._theme_key: tuple[int, int, int] | None = None
        self.setAccessibleName("Overview")

        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("overviewContent")
        self.scroller.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroller)

        layout = QVBoxLayout(content)
        layout.setContentsMargins(28, 20, 28, 24)
        layout.setSpacing(8)
        layout.addWidget(_label("Overview", "pageTitle"))
        self.context_line = _label("", "pageContext", wrap=True)
        layout.addWidget(self.context_line)
        layout.addSpacing(10)

        self.markers_aside = _label("", "sectionAside")
        layout.addLayout(self._section("Lab markers", self.markers_aside))
        self.cards = {key: MarkerCard(key) for key in MARKER_KEYS}
        self.note = NoteCard()
        self.marker_grid = ResponsiveGrid([*self.cards.values(), self.note], 230, (3, 2, 1))
        layout.addWidget(self.marker_grid)
        layout.addSpacing(14)

        layout.addLayout(self._section("Activity", None))
        self.training = TrainingCard()
        self.walks = WalksCard()
        self.activity_grid = ResponsiveGrid([self.training, self.walks], 360, (2, 1))
        layout.addWidget(self.activity_grid)
        layout.addStretch(1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        ctx.events.entries_changed.connect(self._on_change)
        ctx.prefs.changed.connect(self._on_preference)
        self._apply_theme()
        self.refresh()

    @staticmethod
    def _section(title: str, aside: QLabel | None) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(_label(title, "overviewSection"))
        row.addStretch(1)
        if aside is not None:
            row.addWidget(aside, 0, Qt.AlignmentFlag.AlignBottom)
        return row

    # --- refreshing --------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        if change.concerns(*CHANGE_ENTITIES):
            self.request_refresh()

    def _on_preference(self, _key: str) -> None:
        self.request_refresh()

    def request_refresh(self) -> None:
        """Refresh once the current burst of changes is over; a hidden page waits to be shown."""
        if self.isVisible():
            self._timer.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self._timer.stop()
        prefs = self.ctx.prefs
        data = self.service.overview(
            tz=self.tz,
            window=prefs.coverage_window,
            target_delay_min=prefs.walk_delay_target_min,
            sex=prefs.sex,
        )
        self.data = data
        for key, card in self.cards.items():
            card.set_marker(data.marker(key), self.tz)
        self.training.set_training(data.training, data.now.astimezone(self.tz).date())
        self.walks.set_walks(data.walks, self.tz)
        self._set_context(data)

    def _set_context(self, data: OverviewData) -> None:
        if data.empty:
            text = (
                "Your journal is empty. Add the results of your latest blood test, a workout or "
                "a walk after a meal, and this page shows where your numbers stand."
            )
        elif data.draws == 0:
            text = (
                "No lab results yet. Add your latest blood test to see your markers here, "
                "beside your training and walks."
            )
        else:
            text = (
                f"Your latest lab markers, training over the last {COVERAGE_DAYS} days and walks "
                "after meals this week."
            )
        self.context_line.setText(text)
        latest = max((m.at for m in data.markers if m.at is not None), default=None)
        self.markers_aside.setText(
            "" if latest is None else f"Most recent result: {_day(latest, self.tz)}"
        )

    # --- appearance --------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_theme()

    def _apply_theme(self) -> None:
        palette = self.palette()
        window = palette.color(QPalette.ColorRole.Window)
        text = palette.color(QPalette.ColorRole.Text)
        key = (window.rgba(), palette.color(QPalette.ColorRole.Base).rgba(), text.rgba())
        if key == self._theme_key:
            return  # our style sheet changes no palette colour, so this ends any restyle loop
        self._theme_key = key
        dark = is_dark(palette)
        card = card_colour(palette)
        muted = muted_colour(palette).name()
        border = _mix(card, text, 0.16 if dark else 0.12).name()
        focus = palette.color(QPalette.ColorRole.Highlight).name()
        self.setStyleSheet(
            f"""
            QWidget#overviewContent {{ background: {window.name()}; }}
            QLabel#pageContext {{ color: {muted}; font-size: 11pt; }}
            QLabel#overviewSection {{ font-size: 13pt; font-weight: 600; }}
            QLabel#sectionAside {{ color: {muted}; }}
            QFrame#overviewCard {{ background: {card.name()}; border: 1px solid {border};
                                   border-radius: 10px; }}
            QFrame#overviewNote {{ background: transparent; border: 1px dashed {border};
                                   border-radius: 10px; }}
            QFrame#overviewCard:focus, QFrame#overviewNote:focus {{
                border: 2px solid {focus}; }}
            QLabel#cardTitle {{ font-size: 11pt; font-weight: 600; }}
            QLabel#cardAside {{ color: {muted}; font-size: 9pt; }}
            QLabel#markerValue {{ font-size: 22pt; font-weight: 600; }}
            QLabel#markerUnit {{ color: {muted}; font-size: 11pt; padding-bottom: 4px; }}
            QLabel#statValue {{ font-size: 12pt; font-weight: 600; }}
            QLabel#change, QLabel#emptyText {{ color: {muted}; }}
            QLabel#small {{ color: {muted}; font-size: 9pt; }}
            QLabel#mealName {{ font-weight: 600; }}
            """
        )
