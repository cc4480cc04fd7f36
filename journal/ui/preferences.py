"""The user's preferences, stored with QSettings and read through the declarations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from journal.domain.entities import Sex
from journal.domain.units import UnitSystem
from journal.settings import BY_KEY, SETTINGS, Setting


class Preferences(QObject):
    """Typed access to every declared setting; emits `changed(key)` after a value changes."""

    changed = Signal(str)

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self._settings = settings if settings is not None else QSettings()

    @property
    def qsettings(self) -> QSettings:
        return self._settings

    def get(self, key: str) -> Any:
        declared: Setting = BY_KEY[key]
        return declared.coerce(self._settings.value(key, None))

    def set(self, key: str, value: Any) -> None:
        declared = BY_KEY[key]
        coerced = declared.coerce(value)
        if coerced == self.get(key) and self._settings.contains(key):
            return
        self._settings.setValue(key, "" if coerced is None else coerced)
        self._settings.sync()
        self.changed.emit(key)

    def reset(self) -> None:
        for declared in SETTINGS:
            self._settings.remove(declared.key)
        self._settings.sync()
        for declared in SETTINGS:
            self.changed.emit(declared.key)

    # Typed shortcuts for the settings the domain needs.
    @property
    def unit_system(self) -> UnitSystem:
        return UnitSystem(self.get("units/system"))

    @property
    def sex(self) -> Sex | None:
        value = self.get("profile/sex")
        return Sex(value) if value else None

    @property
    def coverage_window(self) -> timedelta:
        return timedelta(hours=int(self.get("training/coverage_window_h")))

    @property
    def walk_delay_target_min(self) -> int:
        return int(self.get("walks/target_delay_min"))
