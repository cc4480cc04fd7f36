"""The first-run welcome (empty or demo journal) and the About box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

from journal.ui.dialogs.welcome import AboutDialog, WelcomeDialog

DATA_DIR = "/home/maria/.local/share/MetabolicJournal"


def texts(dialog: QDialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_welcome_explains_purpose_place_and_privacy(qtbot):
    dialog = WelcomeDialog(DATA_DIR)
    qtbot.addWidget(dialog)
    assert dialog.choice is None
    assert dialog.path.text() == DATA_DIR
    assert dialog.path.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    text = texts(dialog)
    assert "lab results" in text and "physician" in text
    assert "Nothing leaves this computer" in text
    assert "never mixed into yours" in text
    assert all(
        label.textFormat() == Qt.TextFormat.PlainText for label in dialog.findChildren(QLabel)
    )


def test_start_my_journal_chooses_empty(qtbot):
    dialog = WelcomeDialog(DATA_DIR)
    qtbot.addWidget(dialog)
    assert dialog.start.text() == "Start my journal" and dialog.start.isDefault()
    qtbot.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    assert dialog.choice == "empty"
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_explore_demo_chooses_demo(qtbot):
    dialog = WelcomeDialog(DATA_DIR)
    qtbot.addWidget(dialog)
    assert dialog.demo.text() == "Explore a demo journal first"
    qtbot.mouseClick(dialog.demo, Qt.MouseButton.LeftButton)
    assert dialog.choice == "demo"
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_closing_the_welcome_chooses_nothing(qtbot):
    dialog = WelcomeDialog(DATA_DIR)
    qtbot.addWidget(dialog)
    dialog.reject()
    assert dialog.choice is None
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_about_names_version_place_and_purpose(qtbot):
    dialog = AboutDialog("1.2.3", DATA_DIR)
    qtbot.addWidget(dialog)
    assert dialog.version.text() == "Version 1.2.3"
    assert dialog.path.text() == DATA_DIR
    text = texts(dialog)
    assert "does not diagnose" in text
    assert "never connects to the internet" in text
    assert all(
        label.textFormat() == Qt.TextFormat.PlainText for label in dialog.findChildren(QLabel)
    )
