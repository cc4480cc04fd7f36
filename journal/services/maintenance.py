"""Looking after the journal file: checks, backups, restore, erasing traces, risky locations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from journal.paths import JournalPaths
from journal.services.base import Clock, Service, utc_now
from journal.storage import database as storage
from journal.storage.backup import (
    DEFAULT_RETENTION,
    BackupError,
    Retention,
    backup_time,
    list_backups,
    make_backup,
)

__all__ = [
    "BackupInfo",
    "CheckResult",
    "MaintenanceService",
    "delete_all_data",
    "explain_failure",
    "location_warning",
    "move_damaged_aside",
    "restore_backup",
    "retention_from",
]

RETENTION_KEYS = ("backups/keep_daily", "backups/keep_weekly", "backups/keep_monthly")

# Folder names that sync services create; a journal inside one is copied while it is written.
_CLOUD_NAMES: tuple[tuple[str, str], ...] = (
    ("dropbox", "Dropbox"),
    ("onedrive", "OneDrive"),
    ("icloud", "iCloud Drive"),
    ("mobile documents", "iCloud Drive"),
    ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"),
    ("my drive", "Google Drive"),
    ("cloudstorage", "a cloud storage service"),
    ("pcloud", "pCloud"),
    ("nextcloud", "Nextcloud"),
    ("owncloud", "ownCloud"),
    ("seafile", "Seafile"),
    ("tresorit", "Tresorit"),
)
_CLOUD_EXACT = {"box": "Box", "box sync": "Box", "mega": "MEGA", "megasync": "MEGA"}
# File systems whose locking SQLite cannot rely on (SQLite's own advice: no network shares).
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "afs",
        "ncpfs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "davfs",
        "webdav",
        "sshfs",
    }
)
_FUSE_NETWORK = ("sshfs", "rclone", "s3fs", "gcsfuse", "davfs", "onedriver", "google-drive")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of Help → Check journal, in words a user can act on."""

    integrity: tuple[str, ...]  # SQLite's messages; ("ok",) when the file is sound
    dangling: int  # rows pointing at a record that does not exist

    @property
    def ok(self) -> bool:
        return self.integrity == ("ok",) and self.dangling == 0

    def summary(self) -> str:
        if self.ok:
            return (
                "Your journal is in good order: every page of the file reads back correctly "
                "and every entry's links (results to their lab draw, sets to their workout) "
                "are intact."
            )
        parts = []
        if self.integrity != ("ok",):
            parts.append(
                f"The file has {len(self.integrity)} damaged part(s), so some entries may "
                "read back wrong."
            )
        if self.dangling:
            parts.append(f"{self.dangling} entry link(s) point at something that is gone.")
        return (
            " ".join(parts) + " Nothing was changed. Restore a recent backup from "
            "Preferences → Backups; the current file is backed up or kept aside first."
        )


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup as the user sees it."""

    path: Path
    taken_at: datetime | None
    reason: str
    size_bytes: int

    @property
    def label(self) -> str:
        reasons = {
            "manual": "made by hand",
            "on-close": "made when the app closed",
            "before-restore": "made before a restore",
        }
        why = reasons.get(self.reason)
        if why is None and self.reason.startswith("before-upgrade"):
            why = "made before an update of the file format"
        when = self.taken_at.astimezone().strftime("%Y-%m-%d %H:%M") if self.taken_at else "?"
        return f"{when} — {why or self.reason} ({self.size_bytes / 1024:,.0f} KiB)"


def _info(path: Path) -> BackupInfo:
    stem = path.name.removesuffix(".sqlite3")
    reason = stem.split("-", 2)[2] if stem.count("-") >= 2 else ""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return BackupInfo(path, backup_time(path), reason, size)


def retention_from(get: Callable[[str], object]) -> Retention:
    """The retention policy from the user's settings (read through `get(key)`)."""
    daily, weekly, monthly = (int(str(get(key))) for key in RETENTION_KEYS)
    return Retention(daily=daily, weekly=weekly, monthly=monthly)


class MaintenanceService(Service):
    """Checks and backs up the open journal; the engine is the one the sessions are bound to."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock = utc_now) -> None:
        super().__init__(session_factory, clock)
        bind = session_factory.kw.get("bind")
        if not isinstance(bind, Engine) or not bind.url.database:
            raise TypeError("MaintenanceService needs sessions bound to a journal file's engine")
        self._engine = bind
        self.paths = JournalPaths(Path(bind.url.database).parent)
        self._changes_at_start = self._total_changes()
        # What the user asked to happen once the journal is closed ("restore", backup) or
        # ("delete-all", None); the composition root carries it out and reopens.
        self.pending: tuple[str, Path | None] | None = None

    def request_restore(self, backup: Path) -> None:
        self.pending = ("restore", backup)

    def request_delete_all(self) -> None:
        self.pending = ("delete-all", None)

    @property
    def data_dir(self) -> Path:
        return self.paths.data_dir

    def _raw(self) -> tuple[object, sqlite3.Connection]:
        raw = self._engine.raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return raw, driver

    def _total_changes(self) -> int:
        raw, driver = self._raw()
        try:
            return int(driver.total_changes)
        finally:
            raw.close()  # type: ignore[attr-defined]

    def check(self) -> CheckResult:
        """SQLite's full integrity check and the foreign-key check; changes nothing."""
        raw, driver = self._raw()
        try:
            integrity = tuple(str(r[0]) for r in driver.execute("PRAGMA integrity_check"))
            dangling = len(driver.execute("PRAGMA foreign_key_check").fetchall())
        finally:
            raw.close()  # type: ignore[attr-defined]
        return CheckResult(integrity=integrity, dangling=dangling)

    def backups(self) -> list[BackupInfo]:
        """Every finished backup, newest first."""
        return [_info(p) for p in list_backups(self.paths.backups)]

    def backups_containing(self, text: str) -> list[BackupInfo]:
        """Backups whose bytes hold `text` (UTF-8), e.g. a deleted note the user wants gone."""
        needle = text.encode("utf-8")
        found = []
        for info in self.backups():
            try:
                with open(info.path, "rb") as handle:
                    tail = b""
                    while block := handle.read(1 << 20):
                        if needle in tail + block:
                            found.append(info)
                            break
                        tail = block[-len(needle) :]
            except OSError:
                continue
        return found

    def delete_backup(self, path: Path) -> None:
        """Delete one backup of this journal (only a file inside its backups folder)."""
        if path.parent.resolve() != self.paths.backups.resolve() or not path.name.startswith(
            "journal-"
        ):
            raise ValueError(f"{path} is not a backup of this journal")
        path.unlink(missing_ok=True)

    def backup_now(self, reason: str = "manual", retention: Retention = DEFAULT_RETENTION) -> Path:
        """A verified backup now, then old backups thinned by `retention`."""
        path = make_backup(self._engine, self.paths.backups, reason=reason, retention=retention)
        self._changes_at_start = self._total_changes()
        return path

    def backup_if_changed(self, retention: Retention = DEFAULT_RETENTION) -> Path | None:
        """A backup when anything was written since the journal opened or was last backed up."""
        if self._total_changes() == self._changes_at_start:
            return None
        return self.backup_now("on-close", retention)

    def erase_traces(self) -> None:
        """Make deleted entries unrecoverable from the files: flush and empty the WAL.

        secure_delete (always on) zeroes freed content in the database pages; the WAL still
        holds earlier page images until a checkpoint copies them back and truncates it.
        """
        raw, driver = self._raw()
        try:
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()  # type: ignore[attr-defined]

    def location_warning(self) -> str | None:
        return location_warning(self.data_dir)


BACKUP_DISK_FULL = (
    "The backup could not be written because the disk is full or refused the write. "
    "Your journal is unchanged and the earlier backups were kept. Free some space and try again."
)


def explain_failure(exc: BaseException) -> str | None:
    """A plain sentence for a storage failure (disk full, locked, damaged, too new), or None."""
    explained = storage.explain_storage_error(exc)
    if isinstance(exc, BackupError):
        return BACKUP_DISK_FULL if explained == storage.DISK_FULL else str(exc)
    return explained


def restore_backup(data_dir: Path, backup: Path) -> storage.Restored:
    """Replace the (closed) journal by `backup`; the replaced file is backed up or kept aside."""
    return storage.restore_backup(data_dir, backup)


def move_damaged_aside(data_dir: Path) -> Path:
    """Keep a damaged (closed) journal as `<name>.damaged` so that a new one can start."""
    return storage.quarantine(JournalPaths(data_dir).database)


def delete_all_data(data_dir: Path) -> list[Path]:
    """Remove the (closed) journal, its WAL, damaged copies and every backup."""
    return storage.delete_all_data(data_dir)


def backups_of(data_dir: Path) -> list[BackupInfo]:
    """The backups in a data folder whose journal is not open (e.g. missing or damaged)."""
    return [_info(p) for p in list_backups(JournalPaths(data_dir).backups)]


def _cloud_service(path: PurePath) -> str | None:
    for part in path.parts:
        low = part.lower().strip()
        if low in _CLOUD_EXACT:
            return _CLOUD_EXACT[low]
        for prefix, service in _CLOUD_NAMES:
            if low.startswith(prefix):
                return service
    return None


def _unescape_mount(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def filesystem_type(path: Path, mounts: Path = Path("/proc/mounts")) -> str | None:
    """The type of the file system holding `path`, from the mount table (Linux), or None."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = path.absolute()
    while not target.exists() and target != target.parent:
        target = target.parent
    resolved = str(target.resolve())
    best, best_type = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _unescape_mount(fields[1])
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fields[2]
    return best_type


def _network_fs(fs_type: str | None) -> bool:
    if fs_type is None:
        return False
    low = fs_type.lower()
    if low in NETWORK_FS_TYPES:
        return True
    return low.startswith("fuse.") and any(name in low for name in _FUSE_NETWORK)


def location_warning(
    data_dir: Path, *, mounts: Path = Path("/proc/mounts"), windows_unc: Sequence[str] = ("\\\\",)
) -> str | None:
    """A warning when the journal's folder is synced by a cloud service or on a network share."""
    service = _cloud_service(data_dir.absolute())
    if service is not None:
        return (
            f"Your journal is in a folder that {service} keeps in sync ({data_dir}). A sync "
            "service can copy the journal while it is being written, which can damage it or "
            "bring back an older version. Keep the journal in a local folder and copy the "
            "backups elsewhere instead."
        )
    fs_type = filesystem_type(data_dir, mounts)
    if _network_fs(fs_type) or str(data_dir).startswith(tuple(windows_unc)):
        kind = f" ({fs_type})" if fs_type else ""
        return (
            f"Your journal is on a network drive{kind}: {data_dir}. File locking over a "
            "network is not reliable, so two computers could write to the journal at once "
            "and damage it. Keep the journal on this computer's own disk."
        )
    return None
