"""The preferences dialog: one editor per declared setting; OK saves, Cancel discards."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QSpinBox

from journal.settings import SETTINGS, Setting
from journal.ui.dialogs.preferences import NOT_SET, PreferencesDialog, make_editor
from journal.ui.preferences import Preferences


@pytest.fixture
def prefs(tmp_path):
    return Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def dialog(qtbot, prefs):
    dlg = PreferencesDialog(prefs)
    qtbot.addWidget(dlg)
    return dlg


def press(dialog: PreferencesDialog, which: QDialogButtonBox.StandardButton) -> None:
    dialog.buttons.button(which).click()


def test_one_editor_per_declared_setting(dialog):
    # Iterating the declarations: a new setting without an editor fails here.
    assert set(dialog.editors) == {s.key for s in SETTINGS}
    for declared in SETTINGS:
        editor = dialog.editors[declared.key]
        assert editor.accessibleName() == declared.label
        if declared.choices:
            assert isinstance(editor, QComboBox)
            assert [editor.itemData(i) for i in range(editor.count())] == list(declared.choices)
        elif declared.type is int:
            assert isinstance(editor, QSpinBox)
            assert editor.suffix() == declared.suffix
            assert editor.maximum() == declared.maximum
            if declared.optional:
                assert editor.specialValueText() == NOT_SET
                assert editor.minimum() == declared.minimum - 1
            else:
                assert editor.minimum() == declared.minimum
        elif declared.type is str:
            assert isinstance(editor, QLineEdit)
        if declared.help:
            assert dialog.help_labels[declared.key].text() == declared.help


def test_sections_are_headed_in_declaration_order(dialog):
    headings = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.objectName() == "sectionHeading"
    ]
    assert headings == list(dict.fromkeys(s.section for s in SETTINGS))


def test_shows_stored_values_and_not_set(prefs, qtbot):
    prefs.set("training/coverage_window_h", 36)
    prefs.set("profile/sex", "female")
    dlg = PreferencesDialog(prefs)
    qtbot.addWidget(dlg)
    assert dlg.editors["training/coverage_window_h"].value() == 36
    assert dlg.editors["profile/sex"].currentText() == "Female"
    birth_year = dlg.editors["profile/birth_year"]
    assert birth_year.text() == NOT_SET
    assert dlg.values()["profile/birth_year"] is None


def test_ok_saves_every_value(dialog, prefs):
    changed: list[str] = []
    prefs.changed.connect(changed.append)
    dialog.editors["units/system"].setCurrentIndex(dialog.editors["units/system"].findData("si"))
    dialog.editors["training/coverage_window_h"].setValue(72)
    dialog.editors["walks/target_delay_min"].setValue(10)
    dialog.editors["profile/birth_year"].setValue(1977)
    dialog.editors["profile/name"].setText("  Maria Lopez ")
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert prefs.get("units/system") == "si"
    assert prefs.get("training/coverage_window_h") == 72
    assert prefs.walk_delay_target_min == 10
    assert prefs.get("profile/birth_year") == 1977
    assert prefs.get("profile/name") == "Maria Lopez"
    assert {"units/system", "training/coverage_window_h", "profile/name"} <= set(changed)


def test_cancel_discards(dialog, prefs):
    dialog.editors["training/coverage_window_h"].setValue(24)
    dialog.editors["profile/name"].setText("Tom")
    press(dialog, QDialogButtonBox.StandardButton.Cancel)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert prefs.get("training/coverage_window_h") == 48
    assert prefs.get("profile/name") == ""


def test_restore_defaults_shows_defaults_and_ok_saves_them(prefs, qtbot):
    prefs.set("training/coverage_window_h", 24)
    prefs.set("profile/birth_year", 1980)
    prefs.set("units/system", "si")
    dlg = PreferencesDialog(prefs)
    qtbot.addWidget(dlg)
    press(dlg, QDialogButtonBox.StandardButton.RestoreDefaults)
    assert dlg.values() == {s.key: s.default for s in SETTINGS}
    assert dlg.result() == 0  # neither accepted nor rejected: still open for review
    assert prefs.get("training/coverage_window_h") == 24  # nothing saved yet
    press(dlg, QDialogButtonBox.StandardButton.Ok)
    assert prefs.get("training/coverage_window_h") == 48
    assert prefs.get("profile/birth_year") is None
    assert prefs.get("units/system") == "conventional"


def test_a_type_without_an_editor_fails_loudly():
    with pytest.raises(TypeError, match="no editor"):
        make_editor(Setting("test/list", list, [], "A list"))


def test_every_label_is_plain_text(dialog):
    assert all(
        label.textFormat() == Qt.TextFormat.PlainText for label in dialog.findChildren(QLabel)
    )
