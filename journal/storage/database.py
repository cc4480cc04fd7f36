"""Opening a journal: lock, check, refuse newer files, back up, migrate, then hand out sessions."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from journal.paths import JournalPaths
from journal.storage import migrate
from journal.storage.backup import (
    BackupError,
    backup_file,
    first_read,
    integrity_ok,
    list_backups,
    make_backup,
    quick_check,
)
from journal.storage.early_check import EarlyCheck
from journal.storage.engine import create_journal_engine, make_session_factory
from journal.storage.instance import InstanceLock, JournalInUseError
from journal.storage.migrate import (
    HEAD_REVISION,
    JournalTooNewError,
    MigrationFailedError,
    alembic_config,
    check_not_too_new,
    head_revision,
    stored_revision,
    upgrade_to_head,
)
from journal.storage.repositories import purge_pending_batches

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "JournalDamagedError",
    "JournalInUseError",
    "JournalLockedError",
    "JournalMissingError",
    "JournalTooNewError",
    "MigrationFailedError",
    "OpenJournal",
    "StorageError",
    "open_journal",
]


class StorageError(Exception):
    """The journal file could not be opened or written; the message is meant for the user."""


class JournalMissingError(StorageError):
    """No journal file where one is expected; `backups` lists what could bring it back."""

    def __init__(self, message: str, backups: list[Path] | None = None) -> None:
        super().__init__(message)
        self.backups = backups or []


class JournalDamagedError(StorageError):
    pass


class JournalLockedError(StorageError):
    """Another program (not a copy of this app) holds SQLite's lock on the journal."""


DAMAGED_SUFFIX = ".damaged"


def ensure_private_dir(path: Path) -> None:
    """Create the data folder readable by the user only (0700), tightening an existing one."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)


def make_private(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists() and os.name == "posix":
            os.chmod(candidate, 0o600)


@dataclass
class OpenJournal:
    """A journal held open by this process: its paths, engine and session factory."""

    paths: JournalPaths
    engine: Engine
    session_factory: sessionmaker[Session]
    lock: InstanceLock
    backup_before_upgrade: Path | None = None
    created: bool = False
    _closed: bool = field(default=False, repr=False)

    def session(self) -> Session:
        return self.session_factory()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.engine.dispose()
        finally:
            self.lock.release()

    def __enter__(self) -> OpenJournal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _probe(engine: Engine, early: EarlyCheck | None = None) -> None:
    """First read: takes the exclusive lock, and fails on a file that is not a database.

    The file is checked with quick_check, unless a check started earlier (EarlyCheck) stands
    for it: then a light first read takes the lock.
    """
    problems = early.problems() if early is not None else None
    if problems is None:
        problems = quick_check(engine)
    else:
        first_read(engine)
    if problems:
        raise JournalDamagedError(
            "The journal file is damaged (" + "; ".join(problems[:3]) + "). "
            "It was not changed; it can be restored from a backup."
        )


def open_journal(
    data_dir: Path,
    *,
    create: bool = True,
    migrations: Config | None = None,
    despite_backups: bool = False,
    early: EarlyCheck | None = None,
) -> OpenJournal:
    """Open (and if asked, create) the journal in data_dir, bringing its schema up to date.

    Order matters: lock first (no second writer), then a read-only look at the schema version
    (a newer file is refused before anything is written), then a verified backup, then the
    upgrade in one transaction. A file that fails to open is never replaced by an empty one,
    and a missing file is not replaced by an empty one while backups of it exist (unless
    `despite_backups`, the user's explicit choice): JournalMissingError lists them instead.
    `early` is a check of the file started before this call (see EarlyCheck).
    """
    paths = JournalPaths(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise StorageError(f"{data_dir} is a file, not a folder; choose a folder for the journal.")
    exists = paths.database.exists()
    if not exists and not create:
        raise JournalMissingError(f"There is no journal in {data_dir}.")
    if not exists and not despite_backups:
        backups = list_backups(paths.backups)
        if backups:
            raise JournalMissingError(
                f"The journal file is missing from {data_dir}, but {len(backups)} backup(s) of "
                "it are there. Restore the newest backup rather than starting an empty journal.",
                backups,
            )
    try:
        ensure_private_dir(data_dir)
    except OSError as exc:
        raise StorageError(f"Cannot use {data_dir} for the journal: {exc.strerror}.") from exc
    lock = InstanceLock(paths.lock)
    lock.acquire()
    engine: Engine | None = None
    try:
        if exists and paths.database.stat().st_size == 0:
            raise JournalDamagedError(f"The journal file {paths.database} is empty.")
        if exists and _is_foreign(paths.database):
            raise JournalDamagedError(
                f"{paths.database} holds a database that is not a Metabolic Journal. "
                "It was not changed."
            )
        engine = create_journal_engine(paths.database)
        up_to_date = False
        config: Config | None = None  # set only when Alembic is needed
        revision: str | None = None
        try:
            _probe(engine, early)
            # A journal at this build's head revision (nearly every start) opens without
            # Alembic: its stored revision is read with plain SQL. Anything else (a new or
            # older file, one from a newer build, migrations given by the caller) goes
            # through Alembic, which refuses unknown revisions and upgrades.
            if migrations is None and _builtin_migrations():
                with contextlib.suppress(LookupError):
                    up_to_date = stored_revision(engine) == HEAD_REVISION
            if not up_to_date:
                config = migrations or alembic_config()
                revision = check_not_too_new(engine, config)
        # The probe reads through engine.raw_connection(), which SQLAlchemy does not wrap:
        # a file that is not a database raises the driver's own sqlite3.DatabaseError.
        except (DBAPIError, sqlite3.Error) as exc:
            raise _translate(exc, paths.database) from exc
        backup = None
        if config is not None and revision != head_revision(config):
            if revision is not None:
                try:
                    backup = make_backup(engine, paths.backups, reason=f"before-upgrade-{revision}")
                except BackupError as exc:
                    raise StorageError(
                        f"The journal could not be backed up before upgrading it, so it was "
                        f"left as it was: {exc}"
                    ) from exc
            upgrade_to_head(engine, config)
        make_private(paths.database)
        session_factory = make_session_factory(engine)
        with transaction(session_factory) as session:
            purge_pending_batches(session)  # what an interrupted import left behind
        return OpenJournal(
            paths=paths,
            engine=engine,
            session_factory=session_factory,
            lock=lock,
            backup_before_upgrade=backup,
            created=not exists,
        )
    except BaseException:
        if engine is not None:
            engine.dispose()
        lock.release()
        raise


def _builtin_migrations() -> bool:
    """Whether the journal is opened against this build's own migrations (head HEAD_REVISION).

    `alembic_config` is the seam through which other revisions are brought in (tests add a
    failing one this way); with anything but the built-in one, Alembic judges the revision.
    """
    return alembic_config is migrate.alembic_config


def _is_foreign(database: Path) -> bool:
    """Another program's SQLite file: tables, but no schema version of ours.

    Checked read-only and before our pragmas run, because switching a file to WAL rewrites
    its header. Our own journals are always in WAL mode (header byte 18 is 2); only a file
    in rollback mode needs the look inside.
    """
    with open(database, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00") or header[18] == 2:
        return False
    try:
        connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return bool(names) and "alembic_version" not in names


def _translate(exc: DBAPIError | sqlite3.Error, database: Path) -> StorageError:
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    message = str(original) if original is not None else str(exc)
    if isinstance(original, sqlite3.OperationalError) and "locked" in message:
        return JournalLockedError(
            f"The journal {database} is in use by another program, so it was not opened. "
            "Close that program and try again."
        )
    damaged = (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)  # "not a database", "malformed"
    if isinstance(original, sqlite3.DatabaseError) and (
        getattr(original, "sqlite_errorcode", None) in damaged or "not a database" in message
    ):
        return JournalDamagedError(
            f"{database} is not a journal file, or it is damaged. It was not changed."
        )
    return StorageError(f"The journal {database} could not be opened: {message}.")


@contextlib.contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


# --- recovery: moving a damaged file aside, restoring a backup, deleting everything ------------

DISK_FULL = (
    "The journal could not be saved because the disk is full or refused the write. "
    "Your earlier entries are safe; what you just did was not kept. Free some space and try again."
)


def explain_storage_error(exc: BaseException) -> str | None:
    """A plain sentence for a storage failure a user can act on, or None if it is not one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current, StorageError | JournalInUseError | JournalTooNewError | MigrationFailedError
        ):
            return str(current)
        original = getattr(current, "orig", None)
        if isinstance(original, BaseException):
            current = original
            continue
        if isinstance(current, OSError) and current.errno in (
            errno.ENOSPC,
            errno.EFBIG,
            errno.EDQUOT,
        ):
            return DISK_FULL
        if isinstance(current, sqlite3.Error):
            message = str(current).lower()
            if "disk is full" in message or "disk i/o error" in message:
                return DISK_FULL
            if "locked" in message:
                return (
                    "The journal is busy in another program, so nothing was saved. "
                    "Close that program and try again."
                )
            if "malformed" in message or "not a database" in message:
                return (
                    "The journal file is damaged, so nothing was saved. Quit the app: at the "
                    "next start it offers to restore the newest backup."
                )
            if "readonly" in message or "read-only" in message:
                return (
                    "The journal's folder cannot be written to, so nothing was saved. "
                    "Check that the disk is not read-only."
                )
        current = current.__cause__ or current.__context__
    return None


def _companions(database: Path) -> tuple[Path, Path]:
    return Path(f"{database}-wal"), Path(f"{database}-shm")


def quarantine(database: Path) -> Path:
    """Move a damaged journal (with its -wal and -shm) aside as `<name>.damaged`; never delete.

    A second damaged file becomes `<name>.damaged.2` and so on: nothing is overwritten.
    """
    target = database.with_name(database.name + DAMAGED_SUFFIX)
    n = 2
    while target.exists() or any(p.exists() for p in _companions(target)):
        target = database.with_name(f"{database.name}{DAMAGED_SUFFIX}.{n}")
        n += 1
    for source, destination in zip(
        (database, *_companions(database)), (target, *_companions(target)), strict=True
    ):
        if source.exists():
            os.rename(source, destination)
    return target


@dataclass(frozen=True, slots=True)
class Restored:
    """What a restore did: the file it restored, and where the journal it replaced went."""

    backup: Path
    safety_backup: Path | None = None  # a verified backup of the replaced journal
    damaged: Path | None = None  # the replaced journal, moved aside because it was damaged


def restore_backup(data_dir: Path, backup: Path) -> Restored:
    """Make `backup` the journal in data_dir; the journal must not be open.

    The journal being replaced is kept: backed up (verified) if it is healthy, otherwise
    moved aside as `<name>.damaged`. The backup is copied to a private temp file, checked,
    synced and renamed into place, so a crash midway leaves either the old file or the new.
    """
    paths = JournalPaths(data_dir)
    if not integrity_ok(backup):
        raise StorageError(
            f"The backup {backup.name} is damaged itself and was not restored; "
            "choose an older backup."
        )
    ensure_private_dir(data_dir)
    lock = InstanceLock(paths.lock)
    lock.acquire()
    try:
        safety = damaged = None
        if paths.database.exists():
            try:
                safety = backup_file(paths.database, paths.backups, reason="before-restore")
            except (BackupError, sqlite3.Error):
                damaged = quarantine(paths.database)
        for stale in _companions(paths.database):  # a WAL must never meet another database
            stale.unlink(missing_ok=True)
        temp = paths.database.with_name(paths.database.name + ".restoring")
        temp.unlink(missing_ok=True)
        os.close(os.open(temp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
        try:
            source = sqlite3.connect(f"{backup.absolute().as_uri()}?mode=ro", uri=True)
            target = sqlite3.connect(temp)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
                source.close()
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
            if not integrity_ok(temp):
                raise StorageError("The restored copy did not verify; the journal was not changed.")
            os.replace(temp, paths.database)
        finally:
            temp.unlink(missing_ok=True)
        make_private(paths.database)
        return Restored(backup=backup, safety_backup=safety, damaged=damaged)
    finally:
        lock.release()


def delete_all_data(data_dir: Path) -> list[Path]:
    """Remove the journal, its -wal and -shm, damaged copies and every backup; return them.

    The journal must not be open. Afterwards the folder is as on the first start.
    """
    paths = JournalPaths(data_dir)
    if not data_dir.is_dir():
        return []
    lock = InstanceLock(paths.lock)
    lock.acquire()
    removed: list[Path] = []
    try:
        name = paths.database.name
        for path in sorted(data_dir.iterdir()):
            if path.name.startswith(name) and path.is_file():
                path.unlink()
                removed.append(path)
        if paths.backups.is_dir():
            removed.extend(sorted(paths.backups.rglob("*")))
            shutil.rmtree(paths.backups)
        if paths.logs.is_dir():
            removed.extend(sorted(paths.logs.rglob("*")))
            shutil.rmtree(paths.logs)
    finally:
        lock.release()
    paths.lock.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        data_dir.rmdir()  # only if nothing else (the user's own files) is in it
    return removed
