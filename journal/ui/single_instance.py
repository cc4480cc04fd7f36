"""One window per journal: a second launch asks the running one to come forward, then exits."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

RAISE = b"raise\n"
ACK = b"ok\n"


def server_name(data_dir: Path) -> str:
    """A local-socket name for this user and this journal folder (so two journals can coexist)."""
    folder = hashlib.sha256(str(data_dir.absolute()).encode()).hexdigest()[:16]
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return f"metabolic-journal-{user}-{folder}"


class SingleInstance(QObject):
    """Listens for later launches on the same journal; `activated` asks to raise the window.

    The local socket (a Unix socket or a Windows named pipe, never a network port) is created
    for the user only. SQLite's exclusive lock and the journal's file lock remain the real
    guard; this only turns a second launch into "bring the open window forward".
    """

    activated = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._server: QLocalServer | None = None

    def notify_running(self, timeout_ms: int = 1500) -> bool:
        """True when another window has this journal open and was asked to come forward."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(RAISE)
        socket.waitForBytesWritten(timeout_ms)
        # A window still starting up may not answer in time; it holds the journal all the
        # same, so this launch must not open it either way.
        socket.waitForReadyRead(timeout_ms)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        """Start answering later launches; a socket left by a killed instance is replaced."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # Nobody answered notify_running, so what is there is stale (a killed instance).
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE):
            socket.write(ACK)
            socket.flush()
            self.activated.emit()
