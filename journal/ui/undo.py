"""Undoable edits: every add, edit and delete goes through a QUndoCommand that calls a service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QUndoCommand

from journal.services.changes import Change, Entity
from journal.ui.events import Events

Add = Callable[[Any], Change]
AddMany = Callable[[Sequence[Any]], Change]
Update = Callable[[Any], Change]
Delete = Callable[[Sequence[int]], Change]


class _ServiceCommand(QUndoCommand):
    """Runs a service call and broadcasts what changed; the first redo may already be done."""

    def __init__(self, text: str, events: Events, *, already_done: bool) -> None:
        super().__init__(text)
        self._events = events
        self._skip_first_redo = already_done

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._events.publish(self._do())

    def undo(self) -> None:
        self._events.publish(self._undo())

    def _do(self) -> Change:
        raise NotImplementedError

    def _undo(self) -> Change:
        raise NotImplementedError


class StepCommand(_ServiceCommand):
    """An undoable step made of two service calls, one each way (a reorder, a redraft)."""

    def __init__(
        self,
        text: str,
        events: Events,
        do: Callable[[], Change],
        undo: Callable[[], Change],
        *,
        already_done: bool,
    ) -> None:
        super().__init__(text, events, already_done=already_done)
        self._do_call = do
        self._undo_call = undo

    def _do(self) -> Change:
        return self._do_call()

    def _undo(self) -> Change:
        return self._undo_call()


class AddCommand(_ServiceCommand):
    """Undo deletes the record; redo puts it back with the same id."""

    def __init__(
        self,
        text: str,
        events: Events,
        record: Any,
        entity: Entity,
        add: Add,
        delete: Delete,
        *,
        already_done: bool = True,
    ) -> None:
        super().__init__(text, events, already_done=already_done)
        if record.id is None:
            raise ValueError("an undoable add needs the id the record was saved with")
        self.record = record
        self._entity = entity
        self._add = add
        self._delete = delete

    def _do(self) -> Change:
        return self._add(self.record)

    def _undo(self) -> Change:
        return self._delete([self.record.id])


class EditCommand(_ServiceCommand):
    """Undo writes the record as it was before the edit; redo writes the edit again."""

    def __init__(
        self,
        text: str,
        events: Events,
        before: Any,
        after: Any,
        update: Update,
        *,
        already_done: bool = True,
    ) -> None:
        super().__init__(text, events, already_done=already_done)
        self.before = before
        self.after = after
        self._update = update

    def _do(self) -> Change:
        return self._update(self.after)

    def _undo(self) -> Change:
        return self._update(self.before)


class DeleteCommand(_ServiceCommand):
    """Deletes records (one or many); undo restores all of them, with their ids, at once."""

    def __init__(
        self,
        text: str,
        events: Events,
        records: Sequence[Any],
        add_many: AddMany,
        delete: Delete,
        *,
        already_done: bool = False,
    ) -> None:
        super().__init__(text, events, already_done=already_done)
        self.records = tuple(records)
        self._add_many = add_many
        self._delete = delete

    def _do(self) -> Change:
        return self._delete([r.id for r in self.records])

    def _undo(self) -> Change:
        return self._add_many(self.records)
