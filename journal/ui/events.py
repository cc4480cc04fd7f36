"""One broadcaster for service changes, so pages refresh only when a change concerns them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from journal.services.changes import Change


class Events(QObject):
    """Emits `entries_changed(Change)` after every service call that wrote something."""

    entries_changed = Signal(object)

    def publish(self, change: Change) -> None:
        if not change.empty:
            self.entries_changed.emit(change)
