"""Slow work off the GUI thread: one worker per task, with progress, cancel and a result signal."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

__all__ = ["Task", "TaskCancelledError", "run_with_progress", "running_tasks"]

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Cancel = Callable[[], bool]
Work = Callable[[Progress, Cancel], Any]

# Progress reports more often than this are dropped: a million-row import reports thousands of
# times and the GUI only needs to repaint a bar.
_MIN_REPORT_INTERVAL_S = 0.05

_running: set[Task] = set()


class TaskCancelledError(Exception):
    """The user cancelled a task before it finished."""


class Task(QObject):
    """Runs `work(progress, cancel)` on a worker thread; signals arrive on the GUI thread.

    Exactly one of `succeeded(result)`, `failed(exception)` or `cancelled()` is emitted, then
    `done()`. The worker never touches widgets: it only calls `progress` and polls `cancel`.
    A work function that notices cancellation may raise any exception; if cancel was requested,
    the task reports `cancelled`, not `failed`.
    """

    progressed = Signal(str, int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    done = Signal()

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_report = 0.0
        self._finished_signal = _Relay()
        self._finished_signal.ended.connect(self._on_ended, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a task runs only once")
        _running.add(self)
        self._thread = threading.Thread(target=self._run, name="journal-task", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the worker ends (for shutdown and tests); True when it has ended."""
        if self._thread is None:
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _report(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_report >= _MIN_REPORT_INTERVAL_S or done >= total:
            self._last_report = now
            self.progressed.emit(stage, done, total)

    def _run(self) -> None:
        try:
            result = self._work(self._report, self._cancel.is_set)
        except BaseException as exc:  # delivered to the GUI thread, which decides what to say
            outcome: tuple[str, object] = ("failed", exc)
        else:
            outcome = ("succeeded", result)
        if self._cancel.is_set():
            outcome = ("cancelled", None)
        self._finished_signal.ended.emit(outcome)

    def _on_ended(self, outcome: tuple[str, object]) -> None:
        kind, value = outcome
        if self._thread is not None:
            self._thread.join()
        _running.discard(self)
        if kind == "succeeded":
            self.succeeded.emit(value)
        elif kind == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.done.emit()


class _Relay(QObject):
    """Carries the worker's outcome to the GUI thread (a queued signal of a GUI-thread object)."""

    ended = Signal(object)


def running_tasks() -> list[Task]:
    return list(_running)


def run_with_progress(
    parent: QWidget | None, title: str, label: str, work: Work, *, cancellable: bool = True
) -> Any:
    """Run `work` on a worker behind a modal progress dialog; return its result.

    Raises TaskCancelledError when the user cancelled, or the work's own exception. The dialog
    appears only if the work takes longer than half a second, so quick jobs do not flash.
    """
    task = Task(work)
    dialog = QProgressDialog(label, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setMinimumWidth(420)
    outcome: dict[str, object] = {}
    loop = QEventLoop()

    def on_progress(stage: str, done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(1000)
            dialog.setValue(min(1000, int(done * 1000 / total)))
        dialog.setLabelText(f"{label}\n{stage.capitalize()}…" if stage else label)

    def on_cancel_clicked() -> None:
        task.cancel()
        dialog.setLabelText("Cancelling…")

    task.progressed.connect(on_progress)
    task.succeeded.connect(lambda result: outcome.__setitem__("result", result))
    task.failed.connect(lambda exc: outcome.__setitem__("error", exc))
    task.cancelled.connect(lambda: outcome.__setitem__("cancelled", True))
    task.done.connect(loop.quit)
    dialog.canceled.connect(on_cancel_clicked)
    task.start()
    # Shown only when the work outlasts half a second, so quick jobs do not flash a dialog.
    QTimer.singleShot(500, lambda: None if outcome else dialog.show())
    # The outcome arrives through a queued signal, so it cannot be missed before exec().
    loop.exec()
    dialog.close()
    dialog.deleteLater()
    if "cancelled" in outcome:
        raise TaskCancelledError(title)
    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, BaseException)
        raise error
    return outcome.get("result")
