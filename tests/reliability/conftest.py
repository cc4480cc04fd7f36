"""Fixtures for driving the whole app (run_gui) without an event loop or modal boxes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


@dataclass
class AppRun:
    """What one run_gui showed: message boxes by kind, and the windows that were open."""

    messages: list[tuple[str, str]] = field(default_factory=list)
    windows: list[QWidget] = field(default_factory=list)
    # Their titles, read while they were open (the app may delete a window once it is closed).
    titles: list[str] = field(default_factory=list)
    # Called once per event loop with the visible windows, before they are closed.
    during: Callable[[list[QWidget]], None] | None = None


@pytest.fixture
def app_run(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> AppRun:
    run = AppRun()

    def exec_once(*_args: Any) -> int:
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        run.windows.extend(shown)
        run.titles.extend(w.windowTitle() for w in shown)
        if run.during is not None:
            run.during(shown)
        for widget in shown:
            widget.close()
        return 0

    def record(kind: str) -> Callable[..., Any]:
        def box(_parent: object, _title: str, text: str, *_a: object, **_k: object) -> Any:
            run.messages.append((kind, text))
            return QMessageBox.StandardButton.Ok

        return box

    monkeypatch.setattr(QApplication, "exec", exec_once)
    monkeypatch.setattr(QMessageBox, "critical", record("critical"))
    monkeypatch.setattr(QMessageBox, "warning", record("warning"))
    monkeypatch.setattr(
        QMessageBox, "open", lambda self: run.messages.append(("open", self.text()))
    )
    return run


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common default umask: files the app does not restrict itself come out 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
