"""Add, edit and delete flows for lab draws, workouts and walks, each one undoable step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from journal.services.changes import Change, Entity
from journal.services.errors import NotFoundError
from journal.services.journal import JournalServices
from journal.ui.context import UiContext
from journal.ui.undo import AddCommand, DeleteCommand, EditCommand

# The main window's quick-add shortcuts, named here too so empty pages can point to them.
QUICK_ADD_KEYS = {
    Entity.LAB_DRAW: "Ctrl+Shift+L",
    Entity.WORKOUT: "Ctrl+Shift+T",
    Entity.WALK: "Ctrl+Shift+W",
}
# Fetching one record costs a session each; past this many, one list read is quicker.
_FETCH_ONE_BY_ONE = 40


class EntryDialog(Protocol):
    """What the flows need from a dialog: it saves through the service itself, then accepts."""

    change: Change | None

    def exec(self) -> int: ...

    def deleteLater(self) -> None: ...


# (ctx, parent, record to edit or None) -> a dialog that has not been shown yet.
DialogFactory = Callable[[UiContext, QWidget | None, Any], EntryDialog]


def _lab_draw_dialog(ctx: UiContext, parent: QWidget | None, draw: Any) -> EntryDialog:
    from journal.ui.dialogs.lab_draw import LabDrawDialog

    return LabDrawDialog(ctx.services, unit_system=ctx.prefs.unit_system, draw=draw, parent=parent)


def _workout_dialog(ctx: UiContext, parent: QWidget | None, workout: Any) -> EntryDialog:
    from journal.ui.dialogs.workout import WorkoutDialog

    return WorkoutDialog(ctx.services, workout=workout, parent=parent)


def _walk_dialog(ctx: UiContext, parent: QWidget | None, walk: Any) -> EntryDialog:
    from journal.ui.dialogs.walk import WalkDialog

    return WalkDialog(
        ctx.services,
        walk=walk,
        target_delay_min=ctx.prefs.walk_delay_target_min,
        parent=parent,
    )


# Tests put fakes here; the real dialogs are imported only when first opened.
DIALOGS: dict[Entity, DialogFactory] = {
    Entity.LAB_DRAW: _lab_draw_dialog,
    Entity.WORKOUT: _workout_dialog,
    Entity.WALK: _walk_dialog,
}


def undo_key_text() -> str:
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Undo)
    return keys[0].toString(QKeySequence.SequenceFormat.NativeText) if keys else "Ctrl+Z"


def confirm(parent: QWidget | None, text: str, detail: str) -> bool:
    """Ask before a destructive step; tests replace this module attribute."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Delete")
    box.setText(text)
    box.setInformativeText(detail)
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(delete)  # undo is one keystroke away, so the default may act
    box.exec()
    return box.clickedButton() is delete


def inform(parent: QWidget | None, text: str) -> None:
    """Tell the user something went differently than asked; tests replace this too."""
    QMessageBox.information(parent, "Journal", text)


@dataclass(frozen=True, slots=True)
class _Kind:
    entity: Entity
    noun: str
    plural: str
    saved_attr: str
    get: Callable[[JournalServices], Callable[[int], Any]]
    list_all: Callable[[JournalServices], Callable[[], Sequence[Any]]]
    add: Callable[[JournalServices], Callable[[Any], Change]]
    add_many: Callable[[JournalServices], Callable[[Sequence[Any]], Change]]
    update: Callable[[JournalServices], Callable[[Any], Change]]
    delete: Callable[[JournalServices], Callable[[Sequence[int]], Change]]

    def count_text(self, n: int) -> str:
        return f"{n} {self.noun if n == 1 else self.plural}"


LAB_DRAW = _Kind(
    Entity.LAB_DRAW,
    "lab draw",
    "lab draws",
    "saved_draw",
    lambda s: s.labs.get_draw,
    lambda s: s.labs.list_draws,
    lambda s: s.labs.add_draw,
    lambda s: s.labs.add_draws,
    lambda s: s.labs.update_draw,
    lambda s: s.labs.delete_draws,
)
WORKOUT = _Kind(
    Entity.WORKOUT,
    "workout",
    "workouts",
    "saved_workout",
    lambda s: s.training.get_workout,
    lambda s: s.training.list_workouts,
    lambda s: s.training.add_workout,
    lambda s: s.training.add_workouts,
    lambda s: s.training.update_workout,
    lambda s: s.training.delete_workouts,
)
WALK = _Kind(
    Entity.WALK,
    "walk",
    "walks",
    "saved_walk",
    lambda s: s.walks.get_walk,
    lambda s: s.walks.list_walks,
    lambda s: s.walks.add_walk,
    lambda s: s.walks.add_walks,
    lambda s: s.walks.update_walk,
    lambda s: s.walks.delete_walks,
)
KINDS = {k.entity: k for k in (LAB_DRAW, WORKOUT, WALK)}


# --- the flows ------------------------------------------------------------------------------


def _new(kind: _Kind, ctx: UiContext, parent: QWidget | None) -> bool:
    dialog = DIALOGS[kind.entity](ctx, parent, None)
    try:
        if not dialog.exec() or dialog.change is None:
            return False
        change = dialog.change
        saved = getattr(dialog, kind.saved_attr)
        record = replace(saved, id=change.first_added(kind.entity))
    finally:
        dialog.deleteLater()
    services = ctx.services
    command = AddCommand(
        f"Add {kind.noun}",
        ctx.events,
        record,
        kind.entity,
        kind.add(services),
        kind.delete(services),
        already_done=True,
    )
    ctx.undo.push(command)
    ctx.events.publish(change)
    return True


def _edit(kind: _Kind, ctx: UiContext, record_id: int, parent: QWidget | None) -> bool:
    services = ctx.services
    try:
        before = kind.get(services)(record_id)
    except NotFoundError as error:
        inform(parent, str(error))
        return False
    dialog = DIALOGS[kind.entity](ctx, parent, before)
    try:
        if not dialog.exec() or dialog.change is None:
            return False
        change = dialog.change
        after = getattr(dialog, kind.saved_attr)
    finally:
        dialog.deleteLater()
    if after.id is None:
        after = replace(after, id=record_id)
    command = EditCommand(
        f"Edit {kind.noun}", ctx.events, before, after, kind.update(services), already_done=True
    )
    ctx.undo.push(command)
    ctx.events.publish(change)
    return True


def _delete(kind: _Kind, ctx: UiContext, ids: Sequence[int], parent: QWidget | None) -> bool:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return False
    if len(wanted) > 1 and not confirm(
        parent,
        f"Delete {kind.count_text(len(wanted))}?",
        f"You can undo this with {undo_key_text()}.",
    ):
        return False
    records = _fetch(kind, ctx.services, wanted)
    if not records:
        inform(parent, f"The {kind.plural} no longer exist; they may have been deleted already.")
        return False
    text = f"Delete {kind.noun}" if len(records) == 1 else f"Delete {kind.count_text(len(records))}"
    # Pushing runs the delete; the command keeps whole records so undo restores ids and all.
    ctx.undo.push(
        DeleteCommand(
            text, ctx.events, records, kind.add_many(ctx.services), kind.delete(ctx.services)
        )
    )
    return True


def _fetch(kind: _Kind, services: JournalServices, ids: list[int]) -> list[Any]:
    if len(ids) > _FETCH_ONE_BY_ONE:
        by_id = {r.id: r for r in kind.list_all(services)()}
        return [by_id[i] for i in ids if i in by_id]
    get = kind.get(services)
    records = []
    for record_id in ids:
        try:
            records.append(get(record_id))
        except NotFoundError:
            continue  # deleted meanwhile; the others can still go
    return records


# --- public, one trio per kind ----------------------------------------------------------------


def new_lab_draw(ctx: UiContext, parent: QWidget | None = None) -> bool:
    return _new(LAB_DRAW, ctx, parent)


def edit_lab_draw(ctx: UiContext, draw_id: int, parent: QWidget | None = None) -> bool:
    return _edit(LAB_DRAW, ctx, draw_id, parent)


def delete_lab_draws(ctx: UiContext, ids: Sequence[int], parent: QWidget | None = None) -> bool:
    return _delete(LAB_DRAW, ctx, ids, parent)


def new_workout(ctx: UiContext, parent: QWidget | None = None) -> bool:
    return _new(WORKOUT, ctx, parent)


def edit_workout(ctx: UiContext, workout_id: int, parent: QWidget | None = None) -> bool:
    return _edit(WORKOUT, ctx, workout_id, parent)


def delete_workouts(ctx: UiContext, ids: Sequence[int], parent: QWidget | None = None) -> bool:
    return _delete(WORKOUT, ctx, ids, parent)


def new_walk(ctx: UiContext, parent: QWidget | None = None) -> bool:
    return _new(WALK, ctx, parent)


def edit_walk(ctx: UiContext, walk_id: int, parent: QWidget | None = None) -> bool:
    return _edit(WALK, ctx, walk_id, parent)


def delete_walks(ctx: UiContext, ids: Sequence[int], parent: QWidget | None = None) -> bool:
    return _delete(WALK, ctx, ids, parent)
