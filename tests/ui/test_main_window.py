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
