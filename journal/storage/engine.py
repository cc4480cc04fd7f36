"""The one SQLAlchemy engine per journal: a single connection with durable, exclusive pragmas."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

# Applied to every connection, in this order. WAL with synchronous=FULL keeps every committed
# transaction across a power loss; EXCLUSIVE locking keeps any other process out while we hold it.
PRAGMAS: tuple[str, ...] = (
    "PRAGMA locking_mode=EXCLUSIVE",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
    "PRAGMA busy_timeout=0",
)
MAC_PRAGMAS: tuple[str, ...] = ("PRAGMA fullfsync=ON",)

# How long a caller waits for the one connection while another unit of work (e.g. an import on
# a worker thread) holds it. Waiting serialises access; the timeout turns a nested use of the
# connection on one thread (a programming error that would otherwise deadlock) into an error.
CHECKOUT_TIMEOUT_S = 10.0


def pragma_list() -> tuple[str, ...]:
    return PRAGMAS + (MAC_PRAGMAS if sys.platform == "darwin" else ())


def apply_pragmas(dbapi_connection: sqlite3.Connection) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in pragma_list():
            cursor.execute(pragma)
    finally:
        cursor.close()


def create_journal_engine(
    database: Path, *, echo: bool = False, checkout_timeout: float = CHECKOUT_TIMEOUT_S
) -> Engine:
    """An engine over exactly one connection, with transactional DDL for migrations.

    pysqlite's legacy transaction handling does not BEGIN before DDL, so a failed migration
    would leave half its changes behind. We switch the driver to autocommit and emit BEGIN
    ourselves (SQLAlchemy's documented recipe), so every transaction, DDL included, is atomic.

    The one connection is lent to one user at a time (a pool of one, no overflow). StaticPool
    would hand the same connection to every caller at once, and returning any of those handles
    resets it with a ROLLBACK, silently discarding another caller's unfinished transaction
    (e.g. a backup or quick_check during an import would undo the import's rows so far).
    """
    engine = create_engine(
        # URL.create, not an f-string: '?', '#' or '%' in the folder name must stay literal.
        URL.create("sqlite+pysqlite", database=str(database)),
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=checkout_timeout,
        connect_args={"check_same_thread": False, "timeout": 0},
        echo=echo,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        apply_pragmas(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
