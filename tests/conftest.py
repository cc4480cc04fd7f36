"""Shared fixtures: offscreen Qt, a temporary journal per test, no network, no real data dir."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Must be set before anything imports Qt: there is no display on CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# In CI the property-based tests replay the same examples every run, so a submission passes or
# fails on its own merits; on a developer's machine they keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test ever touches the user's real journal or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("METABOLIC_JOURNAL_DATA_DIR", raising=False)
    yield


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch):
    """The app never opens a network connection; any attempt fails the test loudly."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "journal-data"


@pytest.fixture
def journal(data_dir: Path) -> Iterator[object]:
    from journal.storage.database import open_journal

    opened = open_journal(data_dir)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def services(journal: object, fixed_clock: object) -> object:
    from journal.services.journal import JournalServices

    return JournalServices(journal.session_factory, clock=fixed_clock)  # type: ignore[attr-defined]


@pytest.fixture
def fixed_clock():
    from tests.factories import NOW

    return lambda: NOW


def shared_samples() -> Path:
    return SHARED / "samples"
