"""File → Import…: files imported on the worker, a receipt per file, pages told what changed."""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog, QPushButton

import journal.ui.import_actions as import_actions
import journal.ui.pages.glucose as glucose_page
from journal.services.changes import Entity
from journal.ui.context import UiContext
from journal.ui.dialogs.import_receipt import CANCELLED_TEXT, ImportReceiptDialog, Outcome
from journal.ui.events import Events
from journal.ui.pages.glucose import GlucosePage
from journal.ui.preferences import Preferences

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

CGM = Path(__file__).resolve().parents[1] / "data" / "cgm"
DEXCOM = CGM / "dexcom_12col_mmol_plain.csv"  # 3 readings, 2 rejected rows, 1 insulin dose
BAD = CGM / "libreview_mixed_dates.csv"  # refused: line 4 mixes date orders
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def ctx(services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UiContext:
    monkeypatch.setattr(import_actions, "local_zone", lambda: BERLIN)
    monkeypatch.setattr(glucose_page, "local_zone", lambda: BERLIN)
    prefs = Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return UiContext(services, Events(), QUndoStack(), prefs, str(tmp_path / "journal"))


@pytest.fixture
def choose(monkeypatch: pytest.MonkeyPatch):
    """Answer the file dialog with these paths."""

    def answer(*paths: Path) -> None:
        monkeypatch.setattr(import_actions, "ask_import_paths", lambda parent: list(paths))

    return answer


def run_import(qtbot, ctx: UiContext) -> ImportReceiptDialog:
    dialog = import_actions.import_from_dialog(ctx, None)
    assert dialog is not None
    qtbot.addWidget(dialog)
    return dialog


def field_texts(dialog: ImportReceiptDialog, section: int) -> list[str]:
    return [label.text() for label in dialog.sections[section].findChildren(QLabel)]


def glucose_count(ctx: UiContext) -> int:
    return ctx.services.glucose.count()


def test_the_filters_offer_every_format_we_read():
    first = import_actions.IMPORT_FILTERS[0]
    assert first.startswith("All supported files")
    for pattern in ("*.zip", "*.xml", "*.json", "*.ndjson", "*.csv", "*.gpx", "*.tcx", "*.fit"):
        assert pattern in first
    names = " ".join(import_actions.IMPORT_FILTERS)
    assert "Apple Health" in names and "FHIR" in names and "Journal CSV export" in names


def test_import_shows_the_receipt_and_refreshes_the_glucose_page(qtbot, ctx, choose):
    page = GlucosePage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    with qtbot.waitExposed(page):
        page.show()
    page.set_day(date(2025, 6, 14))
    assert page.model.rowCount() == 0
    changes = []
    ctx.events.entries_changed.connect(changes.append)
    choose(DEXCOM)

    dialog = run_import(qtbot, ctx)

    assert dialog.isVisible()
    assert page.model.rowCount() == 3  # the page reloaded on the published change
    assert changes and changes[0].concerns(Entity.GLUCOSE, Entity.IMPORT_BATCH)
    assert dialog.summary.text() == "Added 3 glucose readings."
    texts = field_texts(dialog, 0)
    assert "3 glucose readings" in texts
    assert "Dexcom Clarity CSV" in texts
    assert any("Europe/Berlin" in t for t in texts)
    assert any("1 Insulin" in t for t in texts)
    rejections = dialog.sections[0].rejections
    assert rejections is not None
    listed = rejections.toPlainText().splitlines()
    assert listed[0] == "line 7: glucose value is missing"
    assert listed[1].startswith("line 8: glucose value 99.9 mmol/L is outside")
    assert rejections.isReadOnly()
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "dexcom_12col_mmol_plain.csv" in copied and "line 8: glucose value 99.9" in copied


def test_a_file_already_imported_adds_nothing_and_says_so(qtbot, ctx, choose):
    choose(DEXCOM)
    run_import(qtbot, ctx).close()
    again = run_import(qtbot, ctx)
    assert glucose_count(ctx) == 3
    assert again.summary.text() == "Nothing new was added."
    assert any("imported before" in t for t in field_texts(again, 0))


def test_a_bad_file_is_named_with_its_line_and_the_others_still_import(qtbot, ctx, choose):
    choose(BAD, DEXCOM)
    dialog = run_import(qtbot, ctx)
    assert [o.outcome for o in dialog.outcomes] == [Outcome.FAILED, Outcome.IMPORTED]
    error = dialog.sections[0].findChild(QLabel, "importError")
    assert error is not None
    assert error.text().startswith("libreview_mixed_dates.csv, line 4:")
    assert "3 glucose readings" in dialog.summary.text()
    assert "1 file could not be imported" in dialog.summary.text()
    batches = ctx.services.imports.list_batches()
    assert [b.file_name for b in batches] == ["dexcom_12col_mmol_plain.csv"]


def test_a_bad_file_alone_adds_nothing(qtbot, ctx, choose):
    choose(BAD)
    dialog = run_import(qtbot, ctx)
    assert glucose_count(ctx) == 0
    assert ctx.services.imports.list_batches() == []
    assert "could not be imported" in dialog.summary.text()


def test_an_unreadable_file_says_so(qtbot, ctx, choose, tmp_path: Path):
    missing = tmp_path / "gone.csv"
    choose(missing)
    dialog = run_import(qtbot, ctx)
    error = dialog.sections[0].findChild(QLabel, "importError")
    assert error.text().startswith("gone.csv: cannot be read")


def _progress_dialog() -> QProgressDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QProgressDialog) and widget.isVisible():
            return widget
    return None


def _click_cancel(qtbot, dialog: QProgressDialog) -> None:
    """What the user does: press the dialog's Cancel button (cancel() alone only resets it)."""
    (button,) = dialog.findChildren(QPushButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _hold_until_cancelled(ctx: UiContext, monkeypatch: pytest.MonkeyPatch, *, finish_first: bool):
    """Make the import wait for the user's Cancel, either before it starts or after it ended."""
    real = ctx.services.imports.import_file
    waiting = threading.Event()

    def slow(path, *, tz, progress=None, cancel=None, format=None):
        waiting.set()
        if finish_first:
            result = real(path, tz=tz, progress=progress, cancel=lambda: False)
        while not cancel():
            threading.Event().wait(0.01)
        if finish_first:
            return result
        return real(path, tz=tz, progress=progress, cancel=cancel)

    monkeypatch.setattr(ctx.services.imports, "import_file", slow)
    return waiting


def test_cancel_leaves_nothing_behind_and_skips_the_rest(qtbot, ctx, choose, monkeypatch):
    second = CGM / "dexcom_14col_quoted_bom_crlf.csv"
    waiting = _hold_until_cancelled(ctx, monkeypatch, finish_first=False)
    choose(DEXCOM, second)

    def press_cancel():
        qtbot.waitUntil(lambda: waiting.is_set() and _progress_dialog() is not None, timeout=5000)
        dialog = _progress_dialog()
        assert "file 1 of 2" in dialog.labelText()
        _click_cancel(qtbot, dialog)

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, press_cancel)
    dialog = run_import(qtbot, ctx)

    assert [o.outcome for o in dialog.outcomes] == [Outcome.CANCELLED, Outcome.SKIPPED]
    assert glucose_count(ctx) == 0
    assert ctx.services.imports.list_batches() == []
    assert "cancelled; nothing was added" in dialog.summary.text()
    assert any(CANCELLED_TEXT in t for t in field_texts(dialog, 0))


def test_a_lone_cancelled_file_says_nothing_was_added(qtbot, ctx, choose, monkeypatch):
    waiting = _hold_until_cancelled(ctx, monkeypatch, finish_first=False)
    choose(DEXCOM)

    def press_cancel():
        qtbot.waitUntil(lambda: waiting.is_set() and _progress_dialog() is not None, timeout=5000)
        _click_cancel(qtbot, _progress_dialog())

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, press_cancel)
    dialog = run_import(qtbot, ctx)
    assert dialog.summary.text() == "Import cancelled; nothing was added."
    assert glucose_count(ctx) == 0


def test_cancel_too_late_still_reports_what_was_added(qtbot, ctx, choose, monkeypatch):
    """Cancel pressed once the service had finished: the rows are there, so the receipt says so."""
    waiting = _hold_until_cancelled(ctx, monkeypatch, finish_first=True)
    changes = []
    ctx.events.entries_changed.connect(changes.append)
    choose(DEXCOM)

    def press_cancel():
        qtbot.waitUntil(lambda: waiting.is_set() and _progress_dialog() is not None, timeout=5000)
        _click_cancel(qtbot, _progress_dialog())

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, press_cancel)
    dialog = run_import(qtbot, ctx)
    assert dialog.outcomes[0].outcome is Outcome.IMPORTED
    assert glucose_count(ctx) == 3
    assert changes and changes[0].concerns(Entity.GLUCOSE)


def test_several_files_are_separate_batches(qtbot, ctx, choose, tmp_path: Path):
    other = tmp_path / "copy.csv"
    shutil.copy(CGM / "libreview_uk_mmol_dayfirst.csv", other)
    choose(DEXCOM, other)
    dialog = run_import(qtbot, ctx)
    assert [o.outcome for o in dialog.outcomes] == [Outcome.IMPORTED, Outcome.IMPORTED]
    assert len(ctx.services.imports.list_batches()) == 2
    assert [s.title() for s in dialog.sections] == ["dexcom_12col_mmol_plain.csv", "copy.csv"]


def test_choosing_no_file_does_nothing(qtbot, ctx, choose):
    choose()
    assert import_actions.import_from_dialog(ctx, None) is None


# --- import history ---------------------------------------------------------------------------


def _history(qtbot, ctx: UiContext):
    from journal.ui.dialogs.import_history import ImportHistoryDialog

    dialog = ImportHistoryDialog(ctx, None, zone=BERLIN)
    qtbot.addWidget(dialog)
    return dialog


def test_every_format_the_app_reads_has_a_name_in_the_history():
    from journal.services.importers.registry import formats
    from journal.ui.models.import_batches import FORMAT_NAMES

    assert set(formats()) <= set(FORMAT_NAMES)


def test_history_lists_an_import_and_undoing_it_removes_its_entries(qtbot, ctx, monkeypatch):
    import journal.ui.dialogs.import_history as history

    _receipt, change = ctx.services.imports.import_file(DEXCOM, tz=BERLIN)
    ctx.events.publish(change)
    assert glucose_count(ctx) == 3
    dialog = _history(qtbot, ctx)
    assert dialog.model.rowCount() == 1
    assert "dexcom_12col_mmol_plain.csv (Dexcom Clarity CSV)" in dialog.details.text()
    assert "3 glucose readings" in dialog.details.text()
    asked = []
    monkeypatch.setattr(
        history, "confirm_undo", lambda _p, text, detail: asked.append(detail) or True
    )
    assert dialog.undo_selected()
    assert "removes 3 glucose readings" in asked[0]
    assert glucose_count(ctx) == 0
    assert "was undone" in dialog.details.text()
    assert not dialog.undo_button.isEnabled()
    # The file can come in again after an undo.
    _again, _change = ctx.services.imports.import_file(DEXCOM, tz=BERLIN)
    assert glucose_count(ctx) == 3


def test_history_keeps_the_entries_when_the_user_says_no(qtbot, ctx, monkeypatch):
    import journal.ui.dialogs.import_history as history

    ctx.services.imports.import_file(DEXCOM, tz=BERLIN)
    dialog = _history(qtbot, ctx)
    monkeypatch.setattr(history, "confirm_undo", lambda *_a: False)
    assert not dialog.undo_selected()
    assert glucose_count(ctx) == 3
    assert dialog.undo_button.isEnabled()


def test_empty_history_says_how_to_import(qtbot, ctx):
    from journal.ui.dialogs.import_history import EMPTY_TEXT

    dialog = _history(qtbot, ctx)
    dialog.show()
    assert dialog.empty.isVisible() and dialog.empty.text() == EMPTY_TEXT
    assert not dialog.table.isVisible()
    assert not dialog.undo_button.isEnabled()


def test_history_model_passes_the_model_tester(qtmodeltester, ctx):
    from journal.ui.models.import_batches import ImportBatchTableModel

    ctx.services.imports.import_file(DEXCOM, tz=BERLIN)
    model = ImportBatchTableModel(BERLIN)
    model.set_rows(ctx.services.imports.list_batches())
    qtmodeltester.check(model)


# --- export -----------------------------------------------------------------------------------


@pytest.fixture
def exporting(ctx, monkeypatch, tmp_path: Path):
    import journal.ui.dialogs.export as export

    said: list[tuple[str, str]] = []
    monkeypatch.setattr(export, "inform", lambda _p, title, text: said.append((title, text)))
    monkeypatch.setattr(export, "warn", lambda _p, title, text: said.append((title, text)))
    ctx.services.imports.import_file(DEXCOM, tz=BERLIN)
    return export, said


def test_export_everything_as_csv_into_a_chosen_empty_folder(qtbot, ctx, exporting, tmp_path):
    export, said = exporting
    out = tmp_path / "out"
    out.mkdir()
    export.ask_folder = lambda _parent: out
    dialog = export.ExportDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.export()
    assert any(p.name.startswith("glucose") for p in dialog.written)
    assert all(p.parent == out for p in dialog.written)
    assert said[-1][0] == "Export finished" and str(out) in said[-1][1]


def test_export_into_a_busy_folder_makes_a_dated_folder_inside(
    qtbot, ctx, exporting, tmp_path, monkeypatch
):
    export, _said = exporting
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("mine")
    monkeypatch.setattr(export, "ask_folder", lambda _parent: documents)
    dialog = export.ExportDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.export()
    (made,) = [p for p in documents.iterdir() if p.is_dir()]
    assert made.name.startswith("Metabolic Journal export ")
    assert (documents / "letter.txt").read_text() == "mine"  # nothing of theirs touched


def test_export_lab_results_as_fhir(qtbot, ctx, exporting, tmp_path, monkeypatch):
    import json

    from tests.factories import draw, result

    export, _said = exporting
    ctx.services.labs.add_draw(draw(results=(result("glucose", 94, "mg/dL"),)))
    target = tmp_path / "labs.json"
    monkeypatch.setattr(export, "ask_fhir_file", lambda _parent: target)
    dialog = export.ExportDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.fhir_choice.setChecked(True)
    assert dialog.export()
    bundle = json.loads(target.read_text())
    assert bundle["resourceType"] == "Bundle"
    codes = [e["resource"]["code"]["coding"][0]["code"] for e in bundle["entry"]]
    assert "2345-7" in codes  # glucose, by LOINC


# --- drag and drop ----------------------------------------------------------------------------


def test_only_local_files_can_be_dropped(tmp_path: Path):
    from PySide6.QtCore import QMimeData, QUrl

    local = tmp_path / "a.csv"
    local.write_text("x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(local))])
    assert import_actions.dropped_paths(mime) == [local]
    mime.setUrls([QUrl.fromLocalFile(str(local)), QUrl("https://example.org/a.csv")])
    assert import_actions.dropped_paths(mime) == []
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "gone.csv"))])
    assert import_actions.dropped_paths(mime) == []
    assert import_actions.dropped_paths(QMimeData()) == []


def test_a_file_dropped_on_the_window_is_imported(qtbot, ctx, tmp_path: Path, monkeypatch):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from journal.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shown: list[ImportReceiptDialog] = []
    monkeypatch.setattr(import_actions, "show_receipt", shown.append)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(DEXCOM))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert event.isAccepted()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    for dialog in shown:
        qtbot.addWidget(dialog)
    assert glucose_count(ctx) == 3
    assert shown[0].outcomes[0].outcome is Outcome.IMPORTED
