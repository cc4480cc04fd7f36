"""The local time zone for the UI: the system's rules, with Qt's view as the last resort."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QTimeZone

from journal.localzone import local_zone as _local_zone


def qt_system_zone_id() -> str:
    # Qt knows the system zone where /etc does not exist (Windows, some sandboxes).
    return bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")


def local_zone() -> tzinfo:
    return _local_zone(system_zone_id=qt_system_zone_id)
