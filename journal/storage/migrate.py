"""Bringing a journal file's schema to the version this build knows, safely."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only where a revision is looked up or run: a journal already at
# HEAD_REVISION opens without it (a noticeable part of the start-up time).
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions. A test asserts it equals Alembic's own head,
# so a new migration cannot be added without moving this too.
HEAD_REVISION = "0002"


class JournalTooNewError(Exception):
    """The file was written by a newer version of the app; we must not touch it."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            "This journal was written by a newer version of Metabolic Journal "
            f"(schema {revision}). Please update the app; the file was left untouched."
        )
        self.revision = revision


class MigrationFailedError(Exception):
    """An upgrade step failed; the transaction was rolled back and the file is as it was."""


def alembic_config(extra_versions: Path | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")]
    if extra_versions is not None:  # tests add a deliberately failing revision this way
        locations.append(str(extra_versions))
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return config


def head_revision(config: Config | None = None) -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config or alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def known_revisions(config: Config) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    return {rev.revision for rev in script.walk_revisions()}


def check_not_too_new(engine: Engine, config: Config | None = None) -> str | None:
    """Return the file's revision, refusing one this build does not know (read-only check)."""
    config = config or alembic_config()
    with engine.connect() as connection:
        revision = current_revision(connection)
        connection.rollback()
    if revision is not None and revision not in known_revisions(config):
        raise JournalTooNewError(revision)
    return revision


def stored_revision(engine: Engine) -> str | None:
    """The file's schema revision read with plain SQL (no Alembic): None for a new file.

    Raises LookupError when the version table does not hold exactly one revision, a case only
    Alembic's own reading can judge.
    """
    with engine.connect() as connection:
        try:
            tables = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).all()
            if not tables:
                return None
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        finally:
            connection.rollback()
    if len(rows) != 1:
        raise LookupError(f"{len(rows)} schema revisions stored")
    return str(rows[0][0])


def needs_upgrade(engine: Engine, config: Config | None = None) -> bool:
    config = config or alembic_config()
    return check_not_too_new(engine, config) != head_revision(config)


def upgrade_to_head(engine: Engine, config: Config | None = None, target: str = "head") -> None:
    """Run every pending revision inside one transaction: all of them apply, or none does.

    Foreign keys are off while the revisions run, as SQLite's own ALTER TABLE procedure
    requires: a batch migration rebuilds a table by copying it and dropping the original, and
    with foreign keys on, that DROP first deletes every row that points at the table (ON DELETE
    CASCADE), e.g. every lab result when lab_draw is rebuilt. The PRAGMA is ignored inside a
    transaction, so it is switched before BEGIN, and foreign_key_check runs before COMMIT.
    """
    from alembic import command

    config = config or alembic_config()
    with engine.connect() as connection:
        driver = connection.connection.driver_connection  # no autobegin: not in a transaction
        assert isinstance(driver, sqlite3.Connection)
        foreign_keys_were_on = _set_foreign_keys(driver, on=False)
        config.attributes["connection"] = connection
        try:
            with connection.begin():  # Alembic joins this outer transaction
                command.upgrade(config, target)
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if dangling:
                    tables = sorted({str(row[0]) for row in dangling})
                    raise MigrationFailedError(
                        "The journal could not be upgraded: the new schema would leave "
                        f"{len(dangling)} row(s) in {', '.join(tables)} pointing at nothing. "
                        "Nothing was changed."
                    )
        except MigrationFailedError:
            raise
        except Exception as exc:
            raise MigrationFailedError(f"The journal could not be upgraded: {exc}") from exc
        finally:
            config.attributes.pop("connection", None)
            _set_foreign_keys(driver, on=foreign_keys_were_on)


def _set_foreign_keys(driver: sqlite3.Connection, *, on: bool) -> bool:
    """Switch foreign-key enforcement, verify it took effect, and return the previous state."""
    with contextlib.closing(driver.cursor()) as cursor:
        (before,) = cursor.execute("PRAGMA foreign_keys").fetchone()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        (after,) = cursor.execute("PRAGMA foreign_keys").fetchone()
    if bool(after) != on:  # e.g. inside a transaction, where SQLite ignores this PRAGMA
        raise MigrationFailedError("The journal's foreign-key checks could not be switched.")
    return bool(before)
