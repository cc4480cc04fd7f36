"""One version: pyproject's, whether the app is installed, bundled or run from a bare checkout."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import journal

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def test_installed_version_is_pyprojects():
    assert journal.__version__ == VERSION


def test_uninstalled_checkout_reads_pyproject(monkeypatch):
    def missing(_name: str) -> str:
        raise PackageNotFoundError("metabolic-journal")

    monkeypatch.setattr(journal, "version", missing)
    assert journal._version() == VERSION


def test_version_flag_prints_it():
    done = subprocess.run(
        [sys.executable, "-m", "journal", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == f"{journal.APP_NAME} {VERSION}"
