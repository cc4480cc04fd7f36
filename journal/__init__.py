"""Metabolic Journal: a private journal of labs, training and post-meal walks."""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _version() -> str:
    """pyproject.toml's version: from the installed metadata (also copied into the bundle)."""
    try:
        return version("metabolic-journal")
    except PackageNotFoundError:  # a source tree that was never installed: read pyproject itself
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"


__version__ = _version()

APP_NAME = "Metabolic Journal"
APP_ID = "org.metabolicjournal.MetabolicJournal"
