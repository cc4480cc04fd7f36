"""What the reliability tests share: crash children, generated CGM exports and raw checks."""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEXCOM_HEADER = (
    "Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Event Subtype,Patient Info,Device Info,"
    "Source Device ID,Glucose Value (mg/dL),Insulin Value (u),Carb Value (grams),"
    "Duration (hh:mm:ss),Glucose Rate of Change (mg/dL/min),Transmitter Time (Long Integer),"
    "Transmitter ID"
)


def write_dexcom(
    path: Path, rows: int, *, start: datetime = datetime(2025, 1, 1, tzinfo=UTC)
) -> Path:
    """A Dexcom Clarity export with `rows` five-minute readings, written as a stream."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(DEXCOM_HEADER + "\r\n")
        out.write("1,,FirstName,,Test,,,,,,,,,\r\n")
        out.write("2,,Device,,,Dexcom G7,Android G7,,,,,,,\r\n")
        moment = start.replace(tzinfo=None)
        step = timedelta(minutes=5)
        for i in range(rows):
            value = 70 + (i * 37) % 140
            out.write(f"{i + 3},{moment.isoformat()},EGV,,,,Android G7,{value},,,,,,\r\n")
            moment += step
    return path


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def spawn(code: str, *args: str | Path, **kwargs: object) -> subprocess.Popen[str]:
    """A fresh interpreter (spawned, never forked) running `code` with the app importable."""
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=REPO,
        **kwargs,
    )


def run_child(
    code: str, *args: str | Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=REPO,
        timeout=timeout,
    )


def wait_for_line(child: subprocess.Popen[str], expected: str, timeout: float = 30.0) -> None:
    assert child.stdout is not None
    readable, _, _ = select.select([child.stdout], [], [], timeout)
    line = child.stdout.readline() if readable else ""
    if line.strip() != expected:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"the child did not say {expected!r}: {line!r} {err}")


def raw_rows(database: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    """Read a closed journal with a plain sqlite3 connection."""
    connection = sqlite3.connect(database, timeout=0)
    try:
        return [tuple(r) for r in connection.execute(sql, params)]
    finally:
        connection.close()


def checks_clean(database: Path) -> None:
    assert raw_rows(database, "PRAGMA integrity_check") == [("ok",)]
    assert raw_rows(database, "PRAGMA foreign_key_check") == []


def corrupt_table(database: Path, table: str) -> None:
    """Overwrite the b-tree header of `table`'s root page in a closed journal with garbage."""
    ((root,),) = raw_rows(database, "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    ((page_size,),) = raw_rows(database, "PRAGMA page_size")
    offset = (int(root) - 1) * int(page_size) + (100 if root == 1 else 0)
    with open(database, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\x7f" * 64)
