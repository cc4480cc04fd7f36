"""Verified backups: copy through SQLite's backup API, fsync, check, then rename into place."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

BACKUP_SUFFIX = ".sqlite3"
DEFAULT_KEEP = 10


class BackupError(Exception):
    """A backup could not be written or did not verify; no file was left under its final name."""


def integrity_ok(database: Path) -> bool:
    """Open a file read-only and run SQLite's full integrity check on it."""
    # as_uri() percent-encodes the path: with a bare "file:{path}", a '#' or '?' in a folder
    # name would cut the path short and check (and create) some other, empty file instead.
    uri = f"{database.absolute().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return False
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
        return rows == [("ok",)]
    except sqlite3.Error:
        return False
    finally:
        connection.close()


def quick_check(engine: Engine) -> list[str]:
    """SQLite's quick_check on the open journal; an empty list means no problem was found."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        rows = cursor.execute("PRAGMA quick_check").fetchall()
        cursor.close()
    finally:
        raw.close()
    messages = [str(row[0]) for row in rows]
    return [] if messages == ["ok"] else messages


def _fsync_dir(directory: Path) -> None:
    if os.name == "posix":
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def make_backup(
    engine: Engine,
    backup_dir: Path,
    *,
    reason: str = "manual",
    keep: int | None = DEFAULT_KEEP,
    now: datetime | None = None,
) -> Path:
    """Write a verified copy of the open journal into backup_dir and return its path."""
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    final = backup_dir / f"journal-{stamp}-{reason}{BACKUP_SUFFIX}"
    temp = final.with_name(final.name + ".tmp")
    fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        raw = engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            target = sqlite3.connect(temp)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            raw.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        if not integrity_ok(temp):
            raise BackupError("the backup copy failed its integrity check")
        os.chmod(temp, 0o600)
        os.replace(temp, final)
        _fsync_dir(backup_dir)
    except BaseException as exc:  # whatever happened, no half-written temp file stays behind
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, BackupError) or not isinstance(exc, Exception):
            raise
        raise BackupError(f"The backup could not be written: {exc}") from exc
    if keep is not None:
        prune_backups(backup_dir, keep)
    return final


def list_backups(backup_dir: Path) -> list[Path]:
    """Finished backups, newest first (temp files from an interrupted backup are not listed)."""
    if not backup_dir.is_dir():
        return []
    return sorted(backup_dir.glob(f"journal-*{BACKUP_SUFFIX}"), reverse=True)


def prune_backups(backup_dir: Path, keep: int) -> list[Path]:
    removed = list_backups(backup_dir)[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
