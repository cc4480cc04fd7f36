"""Metabolic Journal: a private journal of labs, training and post-meal walks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

APP_NAME = "Metabolic Journal"
APP_ID = "org.metabolicjournal.MetabolicJournal"


def _version() -> str:
    """pyproject.toml's version: from the installed metadata (also copied into the bundle)."""
    from importlib.metadata import PackageNotFoundError

    lookup = sys.modules[__name__].version  # through __getattr__: tests replace it
    try:
        return str(lookup("metabolic-journal"))
    except PackageNotFoundError:  # a source tree that was never installed: read pyproject itself
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"


def __getattr__(name: str) -> Any:
    """`__version__` is looked up on first use: importlib.metadata costs time at every start."""
    if name == "version":
        from importlib.metadata import version

        globals()["version"] = version
        return version
    if name == "__version__":
        value = _version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
