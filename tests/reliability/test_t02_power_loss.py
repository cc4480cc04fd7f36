"""T2: a power cut right after a commit keeps every committed entry (WAL with synchronous=FULL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journal.storage.database import open_journal
from journal.storage.engine import pragma_list
from tests.reliability.helpers import checks_clean, raw_rows

apsw = pytest.importorskip("apsw")

COMMITS = 50


class _Image:
    """What one file holds on disk: bytes made durable by fsync, and writes still in flight."""

    def __init__(self, initial: bytes) -> None:
        self.durable = bytearray(initial)
        self.pending: list[tuple[str, int, bytes]] = []

    def sync(self) -> None:
        for kind, offset, data in self.pending:
            if kind == "truncate":
                del self.durable[offset:]
            else:
                end = offset + len(data)
                if len(self.durable) < end:
                    self.durable.extend(b"\0" * (end - len(self.durable)))
                self.durable[offset:end] = data
        self.pending.clear()


class PowerLossVFS(apsw.VFS):  # type: ignore[misc]
    """Passes everything to the real file system and tracks what an fsync made durable."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.images: dict[str, _Image] = {}
        super().__init__(name, "")

    def xOpen(self, name: Any, flags: Any) -> Any:
        return _TrackedFile(self, name, flags)

    def xDelete(self, filename: str, syncdir: bool) -> None:
        super().xDelete(filename, syncdir)
        self.images.pop(filename, None)  # treated as durable, as the plan says

    def image(self, filename: str) -> _Image:
        if filename not in self.images:
            path = Path(filename)
            self.images[filename] = _Image(path.read_bytes() if path.exists() else b"")
        return self.images[filename]


class _TrackedFile(apsw.VFSFile):  # type: ignore[misc]
    def __init__(self, vfs: PowerLossVFS, name: Any, flags: Any) -> None:
        self.path = name.filename() if isinstance(name, apsw.URIFilename) else name
        self.tracked = isinstance(self.path, str)
        if self.tracked:
            self.state = vfs.image(self.path)  # before the open creates it
        super().__init__("", name, flags)

    def xWrite(self, data: bytes, offset: int) -> None:
        super().xWrite(data, offset)
        if self.tracked:
            self.state.pending.append(("write", offset, bytes(data)))

    def xTruncate(self, newsize: int) -> None:
        super().xTruncate(newsize)
        if self.tracked:
            self.state.pending.append(("truncate", newsize, b""))

    def xSync(self, flags: int) -> None:
        super().xSync(flags)
        if self.tracked:
            self.state.sync()


def _commit_then_cut_power(source: Path, target_dir: Path, pragmas: tuple[str, ...]) -> Path:
    """Commit COMMITS questions through the VFS, then keep only what was durable (no -shm)."""
    vfs = PowerLossVFS(f"powerloss-{target_dir.name}")
    connection = apsw.Connection(str(source), vfs=vfs.name)
    try:
        for pragma in pragmas:
            connection.execute(pragma)
        for i in range(COMMITS):
            with connection:  # one transaction per entry, as the app writes
                connection.execute(
                    "INSERT INTO question (text, origin, include, position, created_at) "
                    "VALUES (?, 'user', 1, 0, 1764000000)",
                    (f"committed question {i}",),
                )
        target_dir.mkdir(mode=0o700)
        for filename, image in vfs.images.items():
            if filename.endswith("-shm"):
                continue
            (target_dir / Path(filename).name).write_bytes(bytes(image.durable))
    finally:
        connection.close()
        vfs.unregister()
    return target_dir / source.name


def _prepared_journal(data_dir: Path) -> Path:
    open_journal(data_dir).close()
    return data_dir / "journal.sqlite3"


def test_T2_power_loss_keeps_every_committed_row(tmp_path: Path, data_dir: Path) -> None:
    source = _prepared_journal(data_dir)
    after_cut = _commit_then_cut_power(source, tmp_path / "after-cut", pragma_list())

    with open_journal(after_cut.parent) as opened:
        opened.close()
    checks_clean(after_cut)
    texts = raw_rows(after_cut, "SELECT text FROM question ORDER BY id")
    assert texts == [(f"committed question {i}",) for i in range(COMMITS)]


def test_T2_the_simulation_catches_a_weaker_sync_setting(tmp_path: Path, data_dir: Path) -> None:
    """Control: with synchronous=NORMAL the same cut loses commits, so the test above can fail."""
    source = _prepared_journal(data_dir)
    weaker = tuple(
        "PRAGMA synchronous=NORMAL" if p.startswith("PRAGMA synchronous") else p
        for p in pragma_list()
    )
    after_cut = _commit_then_cut_power(source, tmp_path / "after-cut", weaker)
    with open_journal(after_cut.parent) as opened:
        opened.close()
    checks_clean(after_cut)
    (kept,) = raw_rows(after_cut, "SELECT count(*) FROM question")[0]
    assert kept < COMMITS
