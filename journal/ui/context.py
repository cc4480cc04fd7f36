"""What every page and dialog of one window shares: services, change events, undo, preferences."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QUndoStack

from journal.services.journal import JournalServices
from journal.ui.events import Events
from journal.ui.preferences import Preferences


@dataclass(frozen=True, slots=True)
class UiContext:
    services: JournalServices
    events: Events
    undo: QUndoStack
    prefs: Preferences
    data_dir: str = ""
