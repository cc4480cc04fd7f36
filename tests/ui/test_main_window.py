"""The first window: the sidebar's pages show what the journal holds."""

from __future__ import annotations

from journal.services.changes import Entity
from journal.ui.events import Events
from journal.ui.main_window import PAGES, MainWindow
from tests.factories import draw, workout


def test_sidebar_lists_every_page_and_switches(qtbot, services):
    window = MainWindow(services, Events(), "/tmp/journal")
    qtbot.addWidget(window)
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == ["Overview", "Labs", "Training", "Walks", "Glucose", "Visit summary"]
    window.show_page("training")
    assert window.stack.currentWidget() is window.pages["training"]
    assert len(PAGES) == window.stack.count()


def test_overview_empty_state_then_data_after_a_change(qtbot, services):
    events = Events()
    window = MainWindow(services, events, "/tmp/journal")
    qtbot.addWidget(window)
    overview = window.pages["overview"]
    assert "empty" in _texts(overview)
    events.publish(services.labs.add_draw(draw()))
    events.publish(services.training.add_workout(workout()))
    text = _texts(overview)
    assert "Latest results" in text and "HOMA-IR" in text
    labs = window.pages["labs"]
    assert labs.table.rowCount() == 1
    assert "100 mg/dL" in [labs.table.item(0, c).text() for c in range(labs.table.columnCount())]


def test_pages_ignore_changes_that_do_not_concern_them(qtbot, services):
    events = Events()
    window = MainWindow(services, events, "/tmp/journal")
    qtbot.addWidget(window)
    walks = window.pages["walks"]
    calls = []
    walks.refresh = lambda: calls.append(1)  # type: ignore[method-assign]
    from journal.services.changes import Change

    events.publish(Change.of(Entity.LAB_DRAW, added=[1]))
    assert calls == []
    events.publish(Change.of(Entity.WALK, added=[1]))
    assert calls == [1]


def _texts(widget) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in widget.findChildren(QLabel))
