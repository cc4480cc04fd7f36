"""The first-run welcome and the About box: what the journal is for, where it lives, privacy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journal import APP_NAME

PURPOSE = (
    f"{APP_NAME} keeps your lab results, workouts and walks after meals in one place, and "
    "shows how the markers linked to insulin resistance change over time, ready to discuss "
    "with your physician."
)
PRIVACY = (
    "Nothing leaves this computer: there is no account, and the app never connects to the internet."
)
DEMO_NOTE = (
    "The demo is a made-up journal with a few years of data. It is kept in a folder of its "
    "own and never mixed into yours."
)
EDUCATIONAL = (
    "This journal is for learning about your own numbers. It shows values, reference ranges "
    "and where they come from; it does not diagnose anything. Talk with your physician about "
    "what your results mean for you."
)


def _text(text: str, role: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if role:
        label.setObjectName(role)
    return label


def _heading(text: str, scale: float = 1.6) -> QLabel:
    label = _text(text, "dialogHeading")
    label.setWordWrap(False)  # short; wrapping would only make Qt over-estimate its height
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label


def _path(data_dir: str) -> QLabel:
    """The data folder in a fixed-width font, selectable so that it can be copied."""
    label = _text(data_dir, "dataPath")
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setAccessibleName("Data folder")
    palette = label.palette()
    base = palette.color(QPalette.ColorRole.Base).name()
    border = palette.color(QPalette.ColorRole.Mid).name()
    label.setStyleSheet(
        f"QLabel {{ background: {base}; border: 1px solid {border}; border-radius: 6px; "
        "padding: 6px 8px; }"
    )
    return label


def _fit_height(dialog: QDialog) -> None:
    # Wrapped text makes Qt size a dialog for a narrower width than it gets, leaving a gap.
    layout = dialog.layout()
    assert layout is not None
    width = max(dialog.minimumWidth(), dialog.sizeHint().width())
    dialog.resize(width, layout.totalHeightForWidth(width))


class WelcomeDialog(QDialog):
    """Shown on the first run; `choice` becomes "empty" or "demo" when the user picks one."""

    def __init__(self, data_dir: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: str | None = None
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(10)
        layout.addWidget(_heading(f"Welcome to {APP_NAME}"))
        layout.addSpacing(4)
        layout.addWidget(_text(PURPOSE))
        layout.addWidget(_text("Your journal will be kept in this folder:"))
        self.path = _path(data_dir)
        layout.addWidget(self.path)
        layout.addWidget(_text(PRIVACY))
        layout.addSpacing(8)
        layout.addStretch(1)
        self.demo_note = _text(DEMO_NOTE, "demoNote")
        layout.addWidget(self.demo_note)
        layout.addSpacing(4)

        self.start = QPushButton("Start my journal")
        self.demo = QPushButton("Explore a demo journal first")
        self.start.setToolTip("Begin with an empty journal in the folder above.")
        self.demo.setToolTip(DEMO_NOTE)
        buttons = QDialogButtonBox()
        buttons.addButton(self.demo, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.start, QDialogButtonBox.ButtonRole.AcceptRole)
        self.demo.clicked.connect(lambda: self._choose("demo"))
        self.start.clicked.connect(lambda: self._choose("empty"))
        layout.addWidget(buttons)
        self.start.setDefault(True)
        self.start.setFocus()
        _fit_height(self)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class AboutDialog(QDialog):
    """Version, where the data lives, and what the journal is and is not for."""

    def __init__(self, version: str, data_dir: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 16)
        layout.setSpacing(10)
        layout.addWidget(_heading(APP_NAME))
        self.version = _text(f"Version {version}", "version")
        self.version.setWordWrap(False)
        layout.addWidget(self.version)
        layout.addSpacing(8)
        layout.addWidget(_text("Your journal is stored in:"))
        self.path = _path(data_dir)
        layout.addWidget(self.path)
        layout.addSpacing(6)
        layout.addWidget(_text(EDUCATIONAL))
        layout.addWidget(_text(f"{PRIVACY} Automatic backups are kept in its backups folder."))
        layout.addSpacing(6)
        layout.addStretch(1)  # any height to spare goes above the button, not between lines
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        _fit_height(self)
