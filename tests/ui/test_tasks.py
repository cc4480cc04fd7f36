"""The worker helper: results, errors and cancellation reach the GUI thread, and nothing blocks."""

from __future__ import annotations

import threading

import pytest

from journal.ui.tasks import Task, TaskCancelledError, run_with_progress


def test_result_arrives_on_the_gui_thread(qtbot):
    seen: list[object] = []
    gui = threading.get_ident()
    task = Task(lambda progress, cancel: threading.get_ident())
    task.succeeded.connect(lambda value: seen.append((value, threading.get_ident())))
    with qtbot.waitSignal(task.done, timeout=5000):
        task.start()
    (worker, receiver) = seen[0]
    assert worker != gui
    assert receiver == gui


def test_an_error_is_reported_not_raised_in_the_worker(qtbot):
    errors: list[object] = []

    def work(progress, cancel):
        raise ValueError("line 3: not a number")

    task = Task(work)
    task.failed.connect(errors.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        task.start()
    assert isinstance(errors[0], ValueError)
    assert "line 3" in str(errors[0])


def test_cancel_stops_the_work_and_reports_cancelled(qtbot):
    started = threading.Event()
    outcomes: list[str] = []

    def work(progress, cancel):
        started.set()
        while not cancel():
            progress("reading", 1, 10)
            threading.Event().wait(0.01)
        raise RuntimeError("stopped")

    task = Task(work)
    task.cancelled.connect(lambda: outcomes.append("cancelled"))
    task.failed.connect(lambda exc: outcomes.append("failed"))
    task.start()
    assert started.wait(5)
    with qtbot.waitSignal(task.done, timeout=5000):
        task.cancel()
    assert outcomes == ["cancelled"]


def test_run_with_progress_returns_the_result(qtbot):
    def work(progress, cancel):
        progress("writing", 5, 10)
        return 42

    assert run_with_progress(None, "Import", "Importing…", work) == 42


def test_run_with_progress_raises_the_work_error(qtbot):
    def work(progress, cancel):
        raise ValueError("bad file")

    with pytest.raises(ValueError, match="bad file"):
        run_with_progress(None, "Import", "Importing…", work)


def test_run_with_progress_cancel_raises_cancelled(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

    def work(progress, cancel):
        while not cancel():
            threading.Event().wait(0.01)

    def press_cancel():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                widget.findChild(QPushButton).click()
                return
        QTimer.singleShot(50, press_cancel)

    QTimer.singleShot(600, press_cancel)
    with pytest.raises(TaskCancelledError):
        run_with_progress(None, "Import", "Importing…", work)
