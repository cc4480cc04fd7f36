"""The Overview page: what is in the journal and the latest markers at a glance."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from journal.domain.units import format_value
from journal.services.changes import Change
from journal.services.journal import JournalServices
from journal.ui.events import Events


def _label(text: str, *, role: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # user text is never interpreted as HTML
    if role:
        label.setObjectName(role)
    label.setWordWrap(wrap)
    return label


class OverviewPage(QWidget):
    def __init__(self, services: JournalServices, events: Events) -> None:
        super().__init__()
        self.services = services
        self.setAccessibleName("Overview")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(24, 20, 24, 20)
        self._layout.setSpacing(14)
        self._layout.addWidget(_label("Overview", role="pageTitle"))
        self._body = QWidget()
        self._layout.addWidget(self._body)
        self._layout.addStretch(1)
        events.entries_changed.connect(self._on_change)
        self.refresh()

    def _on_change(self, _change: Change) -> None:
        self.refresh()

    def refresh(self) -> None:
        stats = self.services.stats.stats()
        body = QWidget()
        grid = QVBoxLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        if stats.draws == 0 and stats.workouts == 0 and stats.walks == 0:
            grid.addWidget(
                _label(
                    "Your journal is empty. Add the results of your latest blood test, "
                    "a workout, or a walk after a meal to get started.",
                    wrap=True,
                )
            )
        else:
            counts = QFrame()
            counts.setFrameShape(QFrame.Shape.StyledPanel)
            cl = QGridLayout(counts)
            for col, (name, value) in enumerate(
                (
                    ("Lab draws", stats.draws),
                    ("Workouts", stats.workouts),
                    ("Post-meal walks", stats.walks),
                    ("Glucose readings", stats.glucose_readings),
                )
            ):
                number = _label(f"{value:,}", role="cardValue")
                cl.addWidget(number, 0, col)
                cl.addWidget(_label(name, role="cardCaption"), 1, col)
            grid.addWidget(counts)
            if stats.latest:
                grid.addWidget(_label("Latest results", role="sectionTitle"))
                table = QGridLayout()
                table.setHorizontalSpacing(24)
                for row, m in enumerate(stats.latest):
                    table.addWidget(_label(m.name), row, 0)
                    value = _label(f"{format_value(m.value, m.unit)} {m.unit}")
                    value.setAlignment(Qt.AlignmentFlag.AlignRight)
                    table.addWidget(value, row, 1)
                    table.addWidget(_label(m.drawn_at.astimezone().strftime("%d %b %Y")), row, 2)
                table.setColumnStretch(3, 1)
                grid.addLayout(table)
            if stats.latest_indices_draw is not None:
                when = stats.latest_indices_draw.drawn_at.astimezone().strftime("%d %b %Y")
                grid.addWidget(_label(f"Calculated from the draw of {when}", role="sectionTitle"))
                table = QGridLayout()
                table.setHorizontalSpacing(24)
                for row, r in enumerate(stats.latest_indices):
                    table.addWidget(_label(r.name), row, 0)
                    shown = r.display_text if r.computable else f"not computable: {r.reason}"
                    table.addWidget(_label(shown), row, 1)
                table.setColumnStretch(2, 1)
                grid.addLayout(table)
                grid.addWidget(
                    _label(
                        "Calculated, not lab results. Reference values for these indices vary "
                        "by population and assay; they are for discussion with your physician.",
                        role="footnote",
                        wrap=True,
                    )
                )
        self._layout.replaceWidget(self._body, body)
        self._body.deleteLater()
        self._body = body
