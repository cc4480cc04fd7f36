"""The main window: pages, menus with standard shortcuts, quick-add, remembered state."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence, QUndoStack

from journal.services.changes import Entity
from journal.ui.context import UiContext
from journal.ui.entry_actions import QUICK_ADD_KEYS
from journal.ui.events import Events
from journal.ui.main_window import PAGES, MainWindow
from journal.ui.preferences import Preferences
from tests.factories import draw, walk


@pytest.fixture
def ctx(services, tmp_path):
    prefs = Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return UiContext(services, Events(), QUndoStack(), prefs, str(tmp_path / "journal"))


def make(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    return window


def test_sidebar_lists_every_page_and_switches(qtbot, ctx):
    window = make(qtbot, ctx)
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == ["Overview", "Labs", "Training", "Walks", "Glucose", "Visit summary"]
    window.show_page("training")
    assert window.stack.currentWidget() is window.pages["training"]
    assert len(PAGES) == window.stack.count()
    window.actions_by_name["page_walks"].trigger()
    assert window.page_key() == "walks"


def test_quick_add_shortcuts_shadow_no_standard_shortcut(qtbot, ctx):
    make(qtbot, ctx)
    standard = {
        binding.toString()
        for key in QKeySequence.StandardKey
        for binding in QKeySequence.keyBindings(key)
    }
    assert not set(QUICK_ADD_KEYS.values()) & standard


def test_menus_carry_the_platform_shortcuts(qtbot, ctx):
    window = make(qtbot, ctx)
    a = window.actions_by_name
    assert a["undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert a["quit"].shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert a["add_walk"].shortcut() == QKeySequence(QUICK_ADD_KEYS[Entity.WALK])
    menus = [m.title() for m in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))]
    assert {"&File", "&Edit", "&View", "&Help"} <= set(menus)


def test_undo_action_follows_the_stack_after_a_change(qtbot, ctx):
    window = make(qtbot, ctx)
    window.show_page("walks")
    page = window.pages["walks"]
    page.refresh()
    ctx.events.publish(ctx.services.walks.add_walk(walk()))
    page.table.selectRow(0)
    assert window.actions_by_name["delete"].isEnabled()
    window.delete_selected()
    assert ctx.services.walks.count() == 0
    assert window.actions_by_name["undo"].isEnabled()
    window.actions_by_name["undo"].trigger()
    assert ctx.services.walks.count() == 1


def test_overview_shows_data_after_a_change(qtbot, ctx):
    window = make(qtbot, ctx)
    ctx.events.publish(ctx.services.labs.add_draw(draw()))
    window.show()
    overview = window.pages["overview"]
    from PySide6.QtWidgets import QLabel

    text = " ".join(label.text() for label in overview.findChildren(QLabel))
    assert "HOMA-IR" in text and "2.47" in text


def test_window_remembers_the_last_page(qtbot, ctx):
    window = make(qtbot, ctx)
    window.show_page("glucose")
    window.close()
    again = make(qtbot, ctx)
    assert again.page_key() == "glucose"


def test_pages_ignore_changes_that_do_not_concern_them(qtbot, ctx):
    window = make(qtbot, ctx)
    walks = window.pages["walks"]
    calls = []
    walks.refresh = lambda *a, **k: calls.append(1)  # type: ignore[method-assign]
    from journal.services.changes import Change

    ctx.events.publish(Change.of(Entity.LAB_DRAW, added=[1]))
    assert calls == []


def test_only_the_page_shown_at_start_is_built_the_others_when_first_shown(qtbot, ctx):
    window = make(qtbot, ctx)
    assert set(window.pages) == {"overview"}  # `in` and iteration see built pages only
    assert window.pages.get("labs") is None
    assert window.stack.count() == len(PAGES)  # placeholders hold the others' places
    window.show_page("glucose")
    assert set(window.pages) == {"overview", "glucose"}
    assert window.stack.currentWidget() is window.pages["glucose"]
    summary = window.pages["summary"]  # asking for a page builds it, in its place
    assert window.summary_page is summary
    assert window.stack.indexOf(summary) == [k for k, _ in PAGES].index("summary")
    assert window.stack.count() == len(PAGES)
    assert window.page_key() == "glucose"


def test_a_remembered_page_is_the_only_one_built_at_start(qtbot, ctx):
    make(qtbot, ctx).show_page("walks")
    ctx.prefs.qsettings.setValue("window/page", "walks")
    again = make(qtbot, ctx)
    assert set(again.pages) == {"walks"}
    assert again.stack.currentWidget() is again.pages["walks"]


def test_the_window_and_overview_load_no_chart_code():
    # pyqtgraph and numpy are imported when a chart is first drawn, not before the first paint.
    code = (
        "import sys\n"
        "import journal.app, journal.services.journal, journal.ui.main_window\n"
        "import journal.ui.pages.overview\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyqtgraph', 'numpy', 'alembic'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


# --- the frame, shown before the journal is opened ----------------------------------------


def test_the_frame_is_filled_in_by_attach_in_the_same_window(qtbot, ctx):
    before = make(qtbot, ctx)
    before.resize(1010, 700)
    before.show_page("walks")
    before.save_state()
    frame = MainWindow(settings=ctx.prefs.qsettings, data_dir=ctx.data_dir)
    qtbot.addWidget(frame)
    # The remembered geometry at once, as the whole window restores it (the offscreen screen
    # may clamp it): not the size a first start gets.
    assert frame.size() == make(qtbot, ctx).size() != MainWindow(settings=QSettings()).size()
    titles = [frame.sidebar.item(i).text() for i in range(frame.sidebar.count())]
    assert titles == [title for _, title in PAGES]
    assert frame.windowTitle() == "Metabolic Journal"
    assert not frame.attached and dict(frame.pages) == {}
    assert "Opening your journal" in frame.stack.currentWidget().text()
    assert frame.page_key() == "walks"  # the remembered page is selected already
    assert frame.actions_by_name == {}
    toolbar_height = frame._toolbar.sizeHint().height()
    assert [a.isEnabled() for a in frame._toolbar.actions()[1:]] == [False] * 3  # stand-ins
    frame.show_page("labs")  # a page chosen while the journal opens is the one then shown
    assert not frame.pages

    frame.attach(ctx)
    assert frame.attached
    assert set(frame.pages) == {"labs"}
    assert frame.stack.currentWidget() is frame.pages["labs"]
    assert frame.stack.count() == len(PAGES)  # the "opening" label is gone
    assert frame.actions_by_name["undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    quick_add = [frame.actions_by_name[n] for n in ("add_lab", "add_workout", "add_walk")]
    assert frame._toolbar.actions()[1:] == quick_add
    assert frame._toolbar.sizeHint().height() == toolbar_height  # nothing moves
    file_menu = frame.menuBar().actions()[0].menu()
    assert frame.actions_by_name["new"] in file_menu.actions()
    with pytest.raises(RuntimeError):
        frame.attach(ctx)


@pytest.fixture
def fake_loop(monkeypatch, qapp):
    """run_gui without an event loop: each exec records the visible windows, then closes them."""
    from PySide6.QtWidgets import QApplication

    seen: list[tuple[object, str, list[str]]] = []

    def exec_once(*_args) -> int:
        for window in [w for w in QApplication.topLevelWidgets() if w.isVisible()]:
            pages = sorted(getattr(window, "pages", {}))
            seen.append((window, window.windowTitle(), pages))
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_once)
    return seen


def _visible_windows() -> list[object]:
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_the_frame_is_on_screen_before_the_journal_is_opened_then_holds_the_pages(
    tmp_path, monkeypatch, fake_loop
):
    from journal import app as app_module
    from journal.storage import database

    mine = tmp_path / "MetabolicJournal"
    database.open_journal(mine).close()
    real_open = database.open_journal
    at_open: list[list[object]] = []

    def open_journal(*args, **kwargs):
        at_open.append(_visible_windows())
        frame = at_open[-1][0]
        assert isinstance(frame, MainWindow) and not frame.attached
        return real_open(*args, **kwargs)

    monkeypatch.setattr(database, "open_journal", open_journal)
    assert app_module.run_gui(str(mine)) == 0

    ((frame,),) = at_open  # one window, the frame, was showing when the journal was opened
    ((window, title, pages),) = fake_loop  # and the same one holds the pages afterwards
    assert window is frame
    assert title == "Metabolic Journal" and pages == ["overview"]
    assert _visible_windows() == []


def test_a_refused_journal_shows_its_message_with_no_window_left_behind(
    tmp_path, monkeypatch, fake_loop
):
    from PySide6.QtWidgets import QMessageBox

    from journal import app as app_module
    from journal.storage import database

    mine = tmp_path / "MetabolicJournal"
    database.open_journal(mine).close()

    def too_new(*_args, **_kwargs):
        raise database.StorageError("This journal was written by a newer version.")

    shown_with_message: list[list[object]] = []

    def critical(_parent, _title, _text, *_a, **_k):
        shown_with_message.append(_visible_windows())
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(database, "open_journal", too_new)
    monkeypatch.setattr(QMessageBox, "critical", critical)
    assert app_module.run_gui(str(mine)) == 1
    assert shown_with_message == [[]]  # the frame closed before the message: only it shows
    assert fake_loop == [] and _visible_windows() == []


def test_the_window_frame_imports_no_storage_or_chart_code(tmp_path):
    # The frame is on the screen before SQLAlchemy, the services or pyqtgraph are imported.
    code = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "import journal.app\n"
        "from journal.ui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        f"settings = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)\n"
        "frame = MainWindow(settings=settings, data_dir='journal')\n"
        "frame.show()\n"
        "app.processEvents()\n"
        "heavy = {'sqlalchemy', 'pyqtgraph', 'numpy', 'alembic'}\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & heavy\n"
        "inner = ('journal.services.', 'journal.storage')\n"
        "loaded |= {m for m in sys.modules if m.startswith(inner)}\n"
        "print(sorted(loaded))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
