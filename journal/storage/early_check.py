"""SQLite's quick_check of a journal file at rest, on a thread of its own, while the app loads.

Checking a ten-year journal takes a noticeable fraction of a second, and the interpreter is
busy loading the storage code at the same time; SQLite checks without holding it. The check
reads the file as immutable (no lock, no side files), so it stands for the journal only while
nothing else writes: with a write-ahead log beside the file (after a crash, or while another
program writes) it does not run, and if the file is not exactly as it was, its finding is not
used. `open_journal` then checks the usual way. Only the standard library is imported here.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

__all__ = ["EarlyCheck"]

_Stamp = tuple[int, int, int]


class EarlyCheck:
    """Starts checking `database` at once; `problems()` waits for the finding."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._before = self._stamp()
        self._found: list[str] | None = None
        self._thread = threading.Thread(target=self._run, name="journal-check", daemon=True)
        self._thread.start()

    def _stamp(self) -> _Stamp | None:
        """Size, modification time and inode of a file at rest; None with a log beside it."""
        try:
            if self._database.with_name(self._database.name + "-wal").exists():
                return None
            stat = self._database.stat()
        except OSError:
            return None
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino)

    def _run(self) -> None:
        if self._before is None:
            return
        try:
            uri = self._database.resolve().as_uri() + "?mode=ro&immutable=1"
            connection = sqlite3.connect(uri, uri=True, timeout=0)
            try:
                rows = connection.execute("PRAGMA quick_check").fetchall()
            finally:
                connection.close()
        except (OSError, ValueError, sqlite3.Error):
            return  # not readable this way: the usual check will say what is wrong
        messages = [str(row[0]) for row in rows]
        self._found = [] if messages == ["ok"] else messages

    def problems(self) -> list[str] | None:
        """What the check found ([] for nothing), or None when it cannot stand for the file."""
        self._thread.join()
        if self._found is None or self._stamp() != self._before:
            return None
        return self._found
