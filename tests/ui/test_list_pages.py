"""The Labs, Training and Walks pages with a real journal, and the add/edit/delete flows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QUndoStack

from journal.domain.entities import LabDraw, PostMealWalk, Workout
from journal.domain.units import UnitSystem
from journal.services.changes import Change, Entity
from journal.ui import entry_actions
from journal.ui.context import UiContext
from journal.ui.events import Events
from journal.ui.models.tables import ID_ROLE
from journal.ui.pages.lists import LabsPage, TrainingPage, WalksPage
from journal.ui.preferences import Preferences
from tests.factories import NOW, draw, walk, workout


@pytest.fixture
def ctx(services, tmp_path):
    prefs = Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return UiContext(services, Events(), QUndoStack(), prefs)


@pytest.fixture
def confirmations(monkeypatch):
    """Every confirmation asked, answered yes."""
    asked: list[tuple[str, str]] = []

    def confirm(_parent, text, detail):
        asked.append((text, detail))
        return True

    monkeypatch.setattr(entry_actions, "confirm", confirm)
    return asked


class FakeDialog(QObject):
    """Stands in for a real dialog: on exec it saves through the service, as they do, or cancels."""

    def __init__(self, saved_attr: str, save: Any) -> None:
        super().__init__()
        self.change: Change | None = None
        self._saved_attr = saved_attr
        self._save = save
        setattr(self, saved_attr, None)

    def exec(self) -> int:
        if self._save is None:
            return 0
        self.change, saved = self._save()
        setattr(self, self._saved_attr, saved)
        return 1


def _use_dialog(monkeypatch, entity: Entity, saved_attr: str, save_for: Any) -> list[Any]:
    """Install a fake dialog factory; `save_for(record)` returns the save function or None."""
    opened: list[Any] = []

    def factory(_ctx, _parent, record):
        opened.append(record)
        return FakeDialog(saved_attr, save_for(record))

    monkeypatch.setitem(entry_actions.DIALOGS, entity, factory)
    return opened


def _shown(qtbot, page):
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    return page


def _page_ids(page) -> list[int]:
    return [page.proxy.index(r, 0).data(ID_ROLE) for r in range(page.proxy.rowCount())]


def _add_workouts(services, n: int) -> list[int]:
    ids = []
    for i in range(n):
        change = services.training.add_workout(
            workout(NOW - timedelta(days=n - i), minutes=30 + i, activity=f"Ride {i}")
        )
        ids.append(change.first_added(Entity.WORKOUT))
    return ids


# --- listing ---------------------------------------------------------------------------------


def test_pages_list_records_newest_first(qtbot, ctx):
    ids = _add_workouts(ctx.services, 3)
    page = _shown(qtbot, TrainingPage(ctx))
    assert _page_ids(page) == list(reversed(ids))
    assert page.caption.text() == "3 workouts"
    assert page.stack.currentWidget() is page.table


def test_a_page_loads_only_when_first_shown(qtbot, ctx):
    _add_workouts(ctx.services, 2)
    page = TrainingPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 0
    page.show()
    assert page.model.rowCount() == 2


def test_search_filters_and_says_when_nothing_matches(qtbot, ctx):
    services = ctx.services
    services.walks.add_walk(walk(NOW - timedelta(days=2), notes="Rainy, short loop"))
    services.walks.add_walk(walk(NOW - timedelta(days=1)))
    page = _shown(qtbot, WalksPage(ctx))
    assert page.search.placeholderText() == "Search notes, lab, activity…"
    page.search.setText("rainy")
    assert page.proxy.rowCount() == 1
    assert page.caption.text() == "2 walks · 1 shown"
    page.search.setText("snowy")
    assert page.showing_no_match
    assert page.no_match_label.text().startswith("Nothing matches the search")
    page.clear_button.click()
    assert page.proxy.rowCount() == 2 and page.search.text() == ""


def test_date_range_filters_and_all_dates_shows_everything(qtbot, ctx):
    ids = _add_workouts(ctx.services, 3)
    page = _shown(qtbot, TrainingPage(ctx))
    day = (NOW - timedelta(days=2)).astimezone().date()
    page.set_date_range(day, day)
    assert not page.all_dates.isChecked()
    assert _page_ids(page) == [ids[1]]
    assert page.caption.text() == "3 workouts · 1 shown"
    page.all_dates.setChecked(True)
    assert page.proxy.rowCount() == 3


def test_picking_a_date_leaves_all_dates(qtbot, ctx):
    _add_workouts(ctx.services, 3)
    page = _shown(qtbot, TrainingPage(ctx))
    page.date_from.setDate(page.date_to.date())
    assert not page.all_dates.isChecked()
    assert page.proxy.rowCount() == 1


def test_empty_journal_shows_the_empty_state(qtbot, ctx):
    page = _shown(qtbot, LabsPage(ctx))
    assert page.showing_empty_state
    assert page.empty_label.text() == (
        "No lab results yet. Add your latest blood test with Add lab draw (Ctrl+Shift+L)."
    )
    assert not page.search.isEnabled()
    assert page.caption.text() == ""


def test_selection_survives_a_full_refresh(qtbot, ctx):
    ids = _add_workouts(ctx.services, 4)
    page = _shown(qtbot, TrainingPage(ctx))
    page.select_ids([ids[1], ids[2]])
    assert page.has_selection()
    page.refresh()
    assert page.selected_ids() == [ids[2], ids[1]]


def test_selection_changed_is_emitted(qtbot, ctx):
    ids = _add_workouts(ctx.services, 2)
    page = _shown(qtbot, TrainingPage(ctx))
    assert not page.has_selection()
    with qtbot.waitSignal(page.selection_changed, timeout=1000):
        page.select_ids([ids[0]])
    assert page.has_selection()


# --- following changes -------------------------------------------------------------------------


def test_pages_ignore_changes_for_other_entities(qtbot, ctx, monkeypatch):
    (workout_id,) = _add_workouts(ctx.services, 1)
    page = _shown(qtbot, TrainingPage(ctx))
    calls: list[str] = []
    fetch_one = page.fetch_one

    def counted_fetch(services, record_id):
        calls.append(f"fetch {record_id}")
        return fetch_one(services, record_id)

    monkeypatch.setattr(page, "refresh", lambda: calls.append("refresh"))
    monkeypatch.setattr(page, "fetch_one", counted_fetch)
    ctx.events.publish(Change.of(Entity.WALK, added=[1]))
    ctx.events.publish(Change.of(Entity.LAB_DRAW, updated=[1]))
    assert calls == []
    ctx.events.publish(Change.of(Entity.WORKOUT, updated=[workout_id]))
    assert calls == [f"fetch {workout_id}"]


def test_a_small_change_updates_rows_without_reading_the_whole_list(qtbot, ctx, monkeypatch):
    services = ctx.services
    ids = _add_workouts(services, 2)
    page = _shown(qtbot, TrainingPage(ctx))
    monkeypatch.setattr(page, "fetch_all", lambda _s: pytest.fail("read everything"))
    change = services.training.add_workout(workout(NOW - timedelta(hours=3)))
    ctx.events.publish(change)
    new_id = change.first_added(Entity.WORKOUT)
    assert _page_ids(page) == [new_id, ids[1], ids[0]]
    assert page.selected_ids() == [new_id]  # what just arrived is selected
    ctx.events.publish(services.training.delete_workouts([ids[1]]))
    assert _page_ids(page) == [new_id, ids[0]]


def test_a_large_change_reloads_when_shown(qtbot, ctx):
    services = ctx.services
    page = _shown(qtbot, WalksPage(ctx))
    page.hide()
    many = [walk(NOW - timedelta(days=i + 1)) for i in range(60)]
    ctx.events.publish(services.walks.add_walks(many))
    assert page.model.rowCount() == 0  # hidden: only marked stale
    page.show()
    assert page.model.rowCount() == 60


# --- delete ------------------------------------------------------------------------------------


def test_deleting_three_workouts_is_one_undo_step(qtbot, ctx, confirmations):
    services = ctx.services
    ids = _add_workouts(services, 4)
    before = {i: services.training.get_workout(i) for i in ids}
    page = _shown(qtbot, TrainingPage(ctx))
    page.select_ids(ids[:3])
    assert page.delete_selected()
    assert confirmations == [("Delete 3 workouts?", "You can undo this with Ctrl+Z.")]
    assert services.training.count() == 1
    assert _page_ids(page) == [ids[3]]
    assert ctx.undo.count() == 1 and ctx.undo.undoText() == "Delete 3 workouts"

    ctx.undo.undo()
    assert services.training.count() == 4
    assert {i: services.training.get_workout(i) for i in ids} == before
    assert _page_ids(page) == list(reversed(ids))
    assert sorted(page.selected_ids()) == ids[:3]  # the restored rows are selected

    ctx.undo.redo()
    assert services.training.count() == 1
    assert _page_ids(page) == [ids[3]]


def test_deleting_several_asks_first_and_no_keeps_them(qtbot, ctx, monkeypatch):
    ids = _add_workouts(ctx.services, 3)
    monkeypatch.setattr(entry_actions, "confirm", lambda *_: False)
    assert not entry_actions.delete_workouts(ctx, ids[:2])
    assert ctx.services.training.count() == 3 and ctx.undo.count() == 0


def test_deleting_one_needs_no_confirmation(qtbot, ctx, confirmations):
    change = ctx.services.labs.add_draw(draw())
    assert entry_actions.delete_lab_draws(ctx, [change.first_added(Entity.LAB_DRAW)])
    assert confirmations == []
    assert ctx.undo.undoText() == "Delete lab draw"
    assert ctx.services.labs.count() == 0


def test_delete_key_on_the_table_deletes_the_selection(qtbot, ctx, confirmations):
    services = ctx.services
    for i in range(3):
        services.walks.add_walk(walk(NOW - timedelta(days=i + 1)))
    page = _shown(qtbot, WalksPage(ctx))
    page.select_ids(_page_ids(page)[:2])
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert services.walks.count() == 1
    assert ctx.undo.undoText() == "Delete 2 walks"
    assert confirmations[0][0] == "Delete 2 walks?"


# --- edit --------------------------------------------------------------------------------------


def test_editing_through_the_dialog_is_undoable(qtbot, ctx, monkeypatch):
    services = ctx.services
    walk_id = services.walks.add_walk(walk(minutes=15)).first_added(Entity.WALK)
    before = services.walks.get_walk(walk_id)

    def save_for(record: PostMealWalk):
        def save():
            edited = replace(record, duration_min=25, notes="Longer loop")
            return services.walks.update_walk(edited), services.walks.get_walk(walk_id)

        return save

    opened = _use_dialog(monkeypatch, Entity.WALK, "saved_walk", save_for)
    page = _shown(qtbot, WalksPage(ctx))
    page.select_ids([walk_id])
    assert page.edit_selected()
    assert opened == [before]
    assert ctx.undo.undoText() == "Edit walk"
    minutes = [c.header for c in page.model.COLUMNS].index("Minutes")
    assert page.proxy.index(0, minutes).data() == "25"

    ctx.undo.undo()
    assert services.walks.get_walk(walk_id) == before
    assert page.proxy.index(0, minutes).data() == "15"
    assert page.selected_ids() == [walk_id]  # the edited row stays selected
    ctx.undo.redo()
    assert services.walks.get_walk(walk_id).notes == "Longer loop"


def test_enter_and_double_click_open_the_edit_dialog(qtbot, ctx, monkeypatch):
    ids = _add_workouts(ctx.services, 2)
    edited: list[int] = []
    monkeypatch.setattr(entry_actions, "edit_workout", lambda _c, i, _p: edited.append(i))
    page = _shown(qtbot, TrainingPage(ctx))
    page.select_ids([ids[0]])
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    index = page.proxy.index(0, 2)
    page.table.doubleClicked.emit(index)
    assert edited == [ids[0], ids[1]]


def test_a_cancelled_dialog_changes_nothing(qtbot, ctx, monkeypatch):
    _use_dialog(monkeypatch, Entity.WORKOUT, "saved_workout", lambda _record: None)
    assert not entry_actions.new_workout(ctx)
    assert ctx.undo.count() == 0


def test_editing_a_record_deleted_meanwhile_says_so(qtbot, ctx, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(entry_actions, "inform", lambda _p, text: told.append(text))
    assert not entry_actions.edit_workout(ctx, 404)
    assert told and "no longer exists" in told[0]


# --- add ---------------------------------------------------------------------------------------


def test_adding_through_the_dialog_then_undo_and_redo_keep_the_id(qtbot, ctx, monkeypatch):
    services = ctx.services
    new_draw = draw(NOW - timedelta(days=3), notes="Annual check-up")

    def save_for(_record: LabDraw | None):
        # The lab dialog passes back the draw it sent, without the new id.
        return lambda: (services.labs.add_draw(new_draw), new_draw)

    _use_dialog(monkeypatch, Entity.LAB_DRAW, "saved_draw", save_for)
    page = _shown(qtbot, LabsPage(ctx))
    assert page.showing_empty_state
    assert page.add_new()
    assert ctx.undo.undoText() == "Add lab draw"
    (draw_id,) = _page_ids(page)
    assert page.stack.currentWidget() is page.table

    ctx.undo.undo()
    assert services.labs.count() == 0 and page.showing_empty_state
    ctx.undo.redo()
    assert _page_ids(page) == [draw_id]
    assert services.labs.get_draw(draw_id).notes == "Annual check-up"


def test_quick_add_of_a_workout_reaches_the_training_page(qtbot, ctx, monkeypatch):
    services = ctx.services

    def save_for(_record: Workout | None):
        def save():
            change = services.training.add_workout(workout(activity="Swim"))
            return change, services.training.get_workout(change.first_added(Entity.WORKOUT))

        return save

    _use_dialog(monkeypatch, Entity.WORKOUT, "saved_workout", save_for)
    page = _shown(qtbot, TrainingPage(ctx))
    assert entry_actions.new_workout(ctx, None)
    assert page.model.rowCount() == 1 and page.has_selection()


# --- the real dialogs get the user's preferences -------------------------------------------------


def test_the_walk_and_lab_dialogs_get_the_preferences(qtbot, ctx, monkeypatch):
    import journal.ui.dialogs.lab_draw as lab_module
    import journal.ui.dialogs.walk as walk_module

    seen: dict[str, Any] = {}

    class Capture(QObject):
        change = None

        def __init__(self, _services, **kwargs):
            super().__init__()
            seen.update(kwargs)

        def exec(self) -> int:
            return 0

    monkeypatch.setattr(walk_module, "WalkDialog", Capture)
    monkeypatch.setattr(lab_module, "LabDrawDialog", Capture)
    ctx.prefs.set("walks/target_delay_min", 20)
    ctx.prefs.set("units/system", UnitSystem.SI.value)
    entry_actions.new_walk(ctx)
    assert seen["target_delay_min"] == 20
    entry_actions.new_lab_draw(ctx)
    assert seen["unit_system"] is UnitSystem.SI


# --- context menu ------------------------------------------------------------------------------


def test_context_menu_offers_edit_delete_and_add(qtbot, ctx):
    ids = _add_workouts(ctx.services, 1)
    page = _shown(qtbot, TrainingPage(ctx))
    page.select_ids(ids)
    page._context_menu(QPoint(10, 10))
    menu = page._menu
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Edit…", "Delete", "", "Add workout…"]
    assert all(a.isEnabled() for a in menu.actions())
    menu.close()


def test_labs_trends_tab_charts_the_draws_and_follows_changes(qtbot, ctx):
    from datetime import timedelta

    from journal.ui.pages.lists import LabsPage
    from tests.factories import NOW, draw

    ctx.services.labs.add_draw(draw(NOW - timedelta(days=200)))
    page = LabsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.chart is None  # nothing charted until someone looks
    page.show_chart()
    assert page.chart is not None
    glucose = next(s for s in page.chart.series if s.key == "glucose")
    assert [p.value for p in glucose.points] == [100]
    ctx.events.publish(ctx.services.labs.add_draw(draw(NOW - timedelta(days=20))))
    glucose = next(s for s in page.chart.series if s.key == "glucose")
    assert len(glucose.points) == 2
    ctx.prefs.set("units/system", "si")
    glucose = next(s for s in page.chart.series if s.key == "glucose")
    assert glucose.unit == "mmol/L"
    assert glucose.points[0].value == pytest.approx(100 / 18.016)


def test_training_and_walks_pages_chart_their_entries_in_a_second_tab(qtbot, ctx):
    from datetime import timedelta

    from journal.ui.pages.lists import TrainingPage, WalksPage
    from tests.factories import NOW, walk, workout

    ctx.services.training.add_workout(workout(NOW - timedelta(days=1)))
    ctx.services.walks.add_walk(walk(NOW - timedelta(hours=3)))
    training, walks = TrainingPage(ctx), WalksPage(ctx)
    for page in (training, walks):
        qtbot.addWidget(page)
        page.show()
        assert page.chart is None
        page.show_chart()
        assert page.chart is not None and not page.chart.showing_empty_state()
    assert "streak" in training.chart.callout_text().lower()
    before = training.chart.data.report.window
    ctx.prefs.set("training/coverage_window_h", 24)
    assert training.chart.data.report.window != before
