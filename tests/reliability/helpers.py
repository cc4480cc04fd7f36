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


def journal_content(opened: object) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read through the app's own connection (the only one its
    exclusive lock lets in): equal before and after means the journal did not change."""
    engine = opened.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        tables = [
            str(name)
            for (name,) in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            table: [tuple(row) for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"')]
            for table in tables
        }


APPLE_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!DOCTYPE HealthData [\n"
    "<!ELEMENT HealthData (ExportDate,Me,(Record|Workout)*)>\n"
    "<!ATTLIST HealthData locale CDATA #REQUIRED>\n"
    "]>\n"
    '<HealthData locale="en_US">\n'
    ' <ExportDate value="2025-01-01 08:00:00 +0000"/>\n'
    ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-01-01"/>\n'
)
_WATCH = (
    "&lt;&lt;HKDevice: 0x283a4c960&gt;, name:Apple Watch, manufacturer:Apple Inc., "
    "model:Watch, hardware:Watch6,2, software:10.1&gt;"
)


def write_apple_export(
    path: Path, size: int, *, start: datetime = datetime(2023, 1, 1, tzinfo=UTC)
) -> int:
    """An Apple Health export.xml of about `size` bytes, written as a stream, as a watch and a
    CGM fill it: per five minutes one Dexcom glucose record and six heart rates (which the
    journal does not keep). Returns the number of glucose records."""
    moment = start
    step = timedelta(minutes=5)
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        written = out.write(APPLE_HEAD)
        while written < size:
            stamp = moment.strftime("%Y-%m-%d %H:%M:%S +0000")
            times = f'creationDate="{stamp}" startDate="{stamp}" endDate="{stamp}"'
            parts = [
                ' <Record type="HKQuantityTypeIdentifierBloodGlucose" sourceName="Dexcom G7" '
                f'sourceVersion="1.4" unit="mg/dL" {times} value="{70 + (count * 37) % 140}"/>\n'
            ]
            parts.extend(
                ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" '
                f'sourceVersion="10.1" device="{_WATCH}" unit="count/min" {times} '
                f'value="{60 + (count + k) % 50}">\n'
                '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
                " </Record>\n"
                for k in range(6)
            )
            written += out.write("".join(parts))
            moment += step
            count += 1
        out.write("</HealthData>\n")
    return count


def peak_mb() -> float:
    """This process's peak resident memory in MiB, since it started its program.

    Linux's VmHWM, not ru_maxrss: a child started from a big test process inherits the
    parent's high-water mark in ru_maxrss across exec, VmHWM starts afresh.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (
        1 << 20 if sys.platform == "darwin" else 1024
    )


# Imports each file named in argv[3] (a JSON list) into the journal in argv[1], one after the
# other, and prints per file its outcome, message, seconds and whether the journal stayed the
# same; then its peak memory, the opens of any file named like argv[2], and any socket made.
IMPORT_EACH = """
    import json, sys, time
    from datetime import UTC
    from pathlib import Path

    from tests.reliability.helpers import journal_content, peak_mb

    data_dir, sentinel, cases = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    opened_sentinel, sockets, watching = [], [], []

    def audit(event, args):
        if not watching:
            return
        if event == "open" and args and str(args[0]).endswith(Path(sentinel).name):
            opened_sentinel.append(str(args[0]))
        elif event.startswith("socket."):
            sockets.append(event)

    sys.addaudithook(audit)

    from journal.domain.entities import Question
    from journal.services.importers import ImportFormatError
    from journal.services.journal import JournalServices
    from journal.storage.database import open_journal

    opened = open_journal(data_dir)
    services = JournalServices(opened.session_factory)
    services.questions.add_question(Question("Kept through every hostile import"))
    for name in cases:
        before = journal_content(opened)
        watching.append(True)
        started = time.monotonic()
        try:
            receipt, _ = services.imports.import_file(Path(name), tz=UTC)
        except ImportFormatError as exc:
            outcome, text = "refused", str(exc)
        except BaseException as exc:  # anything else is the failure this test looks for
            outcome, text = type(exc).__name__, str(exc)[:300]
        else:
            outcome, text = "imported", json.dumps(dict(receipt.added))
        seconds = time.monotonic() - started
        watching.clear()
        print(json.dumps({
            "name": Path(name).name, "outcome": outcome, "text": text, "seconds": seconds,
            "unchanged": journal_content(opened) == before,
        }), flush=True)
    opened.close()
    print(json.dumps({
        "peak_mb": peak_mb(),
        "opened_sentinel": opened_sentinel, "sockets": sockets,
    }))
"""


def import_each_in_child(
    data_dir: Path, paths: Sequence[Path], *, watch: Path, timeout: float = 120
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Run IMPORT_EACH in a fresh interpreter; (one result per file, the summary)."""
    import json

    result = run_child(
        IMPORT_EACH, data_dir, watch, json.dumps([str(p) for p in paths]), timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    *cases, summary = [json.loads(line) for line in result.stdout.splitlines()]
    return cases, summary
