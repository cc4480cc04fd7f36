"""Verified backups: copy through SQLite's backup API, fsync, check, then rename into place."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

BACKUP_SUFFIX = ".sqlite3"
DEFAULT_KEEP = 10
_STAMP = re.compile(r"^journal-(\d{8}T\d{12})Z-")


@dataclass(frozen=True, slots=True)
class Retention:
    """Which backups to keep: the newest few, then one per day, per week and per month.

    For each period kind, the newest backup of each of the most recent `daily` days (`weekly`
    ISO weeks, `monthly` calendar months) that have a backup is kept; the union of these sets
    and the `recent` newest backups survives, everything else is deleted.
    """

    recent: int = 3
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


DEFAULT_RETENTION = Retention()


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


def first_read(engine: Engine) -> None:
    """One light read of the schema: takes the journal's lock, fails on a non-database."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT count(*) FROM sqlite_master").fetchall()
        cursor.close()
    finally:
        raw.close()


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
    retention: Retention | None = None,
) -> Path:
    """Write a verified copy of the open journal into backup_dir and return its path.

    A journal that fails quick_check is not backed up: a copy of a damaged file would push a
    good older backup out of the retention set. With `retention`, old backups are thinned by
    it; otherwise the newest `keep` are kept.
    """
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        raw = engine.raw_connection()
    except Exception as exc:  # e.g. a long import holds the one connection
        raise BackupError(f"The backup could not be written: {exc}") from exc
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        final = backup_connection(source, backup_dir, reason=reason, now=now)
    finally:
        raw.close()
    if retention is not None:
        thin_backups(backup_dir, retention)
    elif keep is not None:
        prune_backups(backup_dir, keep)
    return final


def backup_file(database: Path, backup_dir: Path, *, reason: str) -> Path:
    """A verified backup of a journal file that nobody has open (the caller holds its lock)."""
    source = sqlite3.connect(database, timeout=0)
    try:
        return backup_connection(source, backup_dir, reason=reason)
    finally:
        source.close()


def backup_connection(
    source: sqlite3.Connection,
    backup_dir: Path,
    *,
    reason: str = "manual",
    now: datetime | None = None,
) -> Path:
    """Copy through `source` into a private temp file, fsync, verify, then rename into place."""
    try:
        problems = [str(r[0]) for r in source.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.Error as exc:  # damaged beyond what quick_check can list
        problems = [str(exc)]
    if problems != ["ok"]:
        raise BackupError(
            "The journal failed its quick check, so no backup was made (the older backups "
            "were kept): " + "; ".join(problems[:3])
        )
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    final = backup_dir / f"journal-{stamp}-{reason}{BACKUP_SUFFIX}"
    temp = final.with_name(final.name + ".tmp")
    try:
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
    except OSError as exc:
        raise BackupError(f"The backup could not be written: {exc.strerror or exc}") from exc
    try:
        target = sqlite3.connect(temp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
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


def backup_time(path: Path) -> datetime | None:
    """When a backup was taken, read from its name (UTC), or None for a foreign name."""
    match = _STAMP.match(path.name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None


def backups_to_keep(stamped: Iterable[tuple[Path, datetime]], retention: Retention) -> set[Path]:
    """The paths the retention policy keeps, out of (path, time) pairs."""
    newest_first = sorted(stamped, key=lambda item: item[1], reverse=True)
    keep = {path for path, _ in newest_first[: retention.recent]}
    periods = (
        (retention.daily, lambda t: t.date()),
        (retention.weekly, lambda t: tuple(t.isocalendar())[:2]),
        (retention.monthly, lambda t: (t.year, t.month)),
    )
    for count, period_of in periods:
        seen: set[object] = set()
        for path, when in newest_first:
            period = period_of(when)
            if period in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(period)
            keep.add(path)
    return keep


def thin_backups(backup_dir: Path, retention: Retention = DEFAULT_RETENTION) -> list[Path]:
    """Delete the backups the retention policy does not keep; return what was deleted."""
    stamped = [(p, t) for p in list_backups(backup_dir) if (t := backup_time(p)) is not None]
    keep = backups_to_keep(stamped, retention)
    removed = [path for path, _ in stamped if path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
