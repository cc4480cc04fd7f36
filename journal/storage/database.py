"""Opening a journal: lock, check, refuse newer files, back up, migrate, then hand out sessions."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from journal.paths import JournalPaths
from journal.storage.backup import BackupError, make_backup, quick_check
from journal.storage.engine import create_journal_engine, make_session_factory
from journal.storage.instance import InstanceLock, JournalInUseError
from journal.storage.migrate import (
    JournalTooNewError,
    MigrationFailedError,
    alembic_config,
    check_not_too_new,
    head_revision,
    upgrade_to_head,
)
from journal.storage.repositories import purge_pending_batches

__all__ = [
    "JournalDamagedError",
    "JournalInUseError",
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
    pass


class JournalDamagedError(StorageError):
    pass


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


def _probe(engine: Engine) -> None:
    """First read: takes the exclusive lock, and fails on a file that is not a database."""
    problems = quick_check(engine)
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
) -> OpenJournal:
    """Open (and if asked, create) the journal in data_dir, bringing its schema up to date.

    Order matters: lock first (no second writer), then a read-only look at the schema version
    (a newer file is refused before anything is written), then a verified backup, then the
    upgrade in one transaction. A file that fails to open is never replaced by an empty one.
    """
    paths = JournalPaths(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise StorageError(f"{data_dir} is a file, not a folder; choose a folder for the journal.")
    exists = paths.database.exists()
    if not exists and not create:
        raise JournalMissingError(f"There is no journal in {data_dir}.")
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
        config = migrations or alembic_config()
        try:
            _probe(engine)
            revision = check_not_too_new(engine, config)
        # The probe reads through engine.raw_connection(), which SQLAlchemy does not wrap:
        # a file that is not a database raises the driver's own sqlite3.DatabaseError.
        except (DBAPIError, sqlite3.Error) as exc:
            raise _translate(exc, paths.database) from exc
        backup = None
        if revision != head_revision(config):
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
        return StorageError(f"The journal {database} is in use by another program.")
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
