"""Every on-disk location the app uses, in one place, with one override."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "METABOLIC_JOURNAL_DATA_DIR"
APP_DIR_NAME = "MetabolicJournal"
JOURNAL_FILE = "journal.sqlite3"


def default_data_dir() -> Path:
    """The platform's per-user data folder (e.g. ~/.local/share/MetabolicJournal on Linux)."""
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir wins, then $METABOLIC_JOURNAL_DATA_DIR, then the platform default."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().absolute()
    return default_data_dir()


@dataclass(frozen=True, slots=True)
class JournalPaths:
    """The files that make up one journal inside its data folder."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / JOURNAL_FILE

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def lock(self) -> Path:
        return self.data_dir / "journal.lock"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"
