"""T15: hostile XML is refused by every XML importer, quickly, in bounded memory, reading nothing.

Every attack (external entities naming a local file or a local web address, parameter entities,
an external DTD, entity-expansion bombs, one endless attribute or text) goes through the import
service in a child process, as a bare file and, for Apple Health, inside export.zip. The child
watches every file it opens and every socket it makes (Python's audit hooks); the parent also
listens on the address the entities name, so even a connection made below Python would show.

The parser-level cases in tests/services/test_import_apple_health.py (XXE, bombs, huge tags) and
test_import_workout_files.py (a GPX with a DTD) stay where they are; this file adds what the plan
asks beyond them: all three XML formats, the whole import service, time, peak memory, network,
and the journal left unchanged.
"""

from __future__ import annotations

import json
import re
import select
import socket
import zipfile
from pathlib import Path

import pytest

from tests.reliability.helpers import APPLE_HEAD, REPO, import_each_in_child, raw_rows

SECRET = "T15-SECRET-4471"
MAX_SECONDS = 2.0
MAX_RSS_MB = 200
DEPTH = 100_000  # elements nested in one another

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def _apple(body: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}<HealthData locale="en_US">\n'
        f"{body}\n</HealthData>\n"
    ).encode()


def _glucose(value: str = "104", source: str = "Meter") -> str:
    return (
        '<Record type="HKQuantityTypeIdentifierBloodGlucose" sourceName="' + source + '" '
        'unit="mg/dL" startDate="2024-01-17 07:00:00 +0100" endDate="2024-01-17 07:00:00 +0100" '
        'value="' + value + '"/>'
    )


def _gpx(inner: str, doctype: str = "", name: str = "Run") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
        '<gpx version="1.1" creator="T15" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>{name}</name><trkseg>"
        '<trkpt lat="46.05" lon="14.50"><time>2024-05-01T07:00:00Z</time></trkpt>'
        f"{inner}"
        '<trkpt lat="46.06" lon="14.51"><time>2024-05-01T07:30:00Z</time></trkpt>'
        "</trkseg></trk></gpx>\n"
    ).encode()


def _tcx(inner: str, doctype: str = "", notes: str = "Easy") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
        f'<TrainingCenterDatabase xmlns="{TCX_NS}"><Activities>'
        f'<Activity Sport="Running"><Id>2024-05-01T07:00:00Z</Id><Notes>{notes}</Notes>'
        '<Lap StartTime="2024-05-01T07:00:00Z"><TotalTimeSeconds>1800</TotalTimeSeconds>'
        f"<DistanceMeters>5000</DistanceMeters>{inner}</Lap></Activity>"
        "</Activities></TrainingCenterDatabase>\n"
    ).encode()


def _doctypes(root: str, sentinel: Path, port: int) -> dict[str, tuple[str, str]]:
    """Attack name -> (DOCTYPE, the reference that would pull the attack in)."""
    laughs = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return {
        "xxe-file": (f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "file://{sentinel}">]>\n', "&x;"),
        "xxe-http": (
            f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>\n',
            "&x;",
        ),
        "xxe-parameter": (
            f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "file://{sentinel}"> %p;]>\n',
            "&x;",
        ),
        "external-dtd": (
            f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:{port}/evil.dtd">\n',
            "&x;",
        ),
        "billion-laughs": ("<!DOCTYPE " + root + " [\n" + "\n".join(laughs) + "\n]>\n", "&lol9;"),
        "quadratic-blowup": (
            f'<!DOCTYPE {root} [<!ENTITY a "{"a" * 100_000}">]>\n',
            "&a;" * 20_000,
        ),
    }


def _hostile_files(folder: Path, sentinel: Path, port: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    huge = "x" * (3 << 20)
    for attack, (doctype, ref) in _doctypes("HealthData", sentinel, port).items():
        files[f"apple-{attack}.xml"] = _apple(_glucose(source=ref), doctype)
    files["apple-huge-attribute.xml"] = _apple(_glucose(source=huge))
    files["apple-huge-text.xml"] = _apple(huge)
    for attack, (doctype, ref) in _doctypes("gpx", sentinel, port).items():
        files[f"gpx-{attack}.gpx"] = _gpx("", doctype, name=ref)
    # 24 MiB: expat rescans an unfinished tag with every block, so without a cap on one tag's
    # length this alone takes several seconds (and grows with the square of its length).
    endless = "x" * (24 << 20)
    files["gpx-huge-attribute.gpx"] = _gpx(f'<trkpt lat="1" lon="1" x="{endless}"/>')
    files["gpx-huge-text.gpx"] = _gpx("", name=huge)
    for attack, (doctype, ref) in _doctypes("TrainingCenterDatabase", sentinel, port).items():
        files[f"tcx-{attack}.tcx"] = _tcx("", doctype, notes=ref)
    files["tcx-huge-attribute.tcx"] = _tcx(f'<Extensions x="{endless}"/>')
    files["tcx-huge-text.tcx"] = _tcx("", notes=huge)
    for name in [n for n in files if n.startswith("apple-")]:
        buffer = folder / name.replace(".xml", ".zip")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("apple_health_export/export.xml", files[name])
        files[buffer.name] = buffer.read_bytes()
    return files


def _deep_files() -> dict[str, bytes]:
    """One workout each, with an element nested DEPTH levels deep beside it."""
    nest = "<x>" * DEPTH + "</x>" * DEPTH
    workout = (
        '<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" '
        'durationUnit="min" startDate="2024-05-01 07:00:00 +0000" '
        'endDate="2024-05-01 07:30:00 +0000">' + nest + "</Workout>"
    )
    return {
        "deep-apple.xml": _apple(workout),
        "deep-gpx.gpx": _gpx(
            '<trkpt lat="46.055" lon="14.505"><time>2024-05-01T07:15:00Z</time>'
            f"<extensions>{nest}</extensions></trkpt>"
        ),
        # A day later: the same run on the same morning would be a duplicate of the GPX one.
        "deep-tcx.tcx": _tcx(f"<Extensions>{nest}</Extensions>").replace(b"05-01", b"05-02"),
    }


def _controls() -> dict[str, bytes]:
    """Apple's own kind of file: an internal DTD of <!ELEMENT>/<!ATTLIST> declarations."""
    body = APPLE_HEAD + _glucose("104") + "\n" + _glucose("131") + "\n</HealthData>\n"
    return {"control-apple.xml": body.encode()}


def _run(tmp_path: Path, files: dict[str, bytes], sentinel: Path) -> tuple[list[dict], dict]:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [tmp_path / name for name in files]
    return import_each_in_child(tmp_path / "journal-data", paths, watch=sentinel)


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    path = tmp_path / "sentinel-secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def listener() -> object:
    """A port on this machine that the hostile entities name; nothing may ever connect to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server
    finally:
        server.close()


def test_T15_hostile_xml_is_refused_quickly_without_reading_files_or_the_network(
    tmp_path: Path, sentinel: Path, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    files = _hostile_files(tmp_path, sentinel, port)
    controls = _controls()
    cases, summary = _run(tmp_path, {**files, **controls}, sentinel)

    by_name = {case["name"]: case for case in cases}
    assert set(by_name) == set(files) | set(controls)
    for name in files:
        case = by_name[name]
        assert case["outcome"] == "refused", case
        assert case["text"].startswith(name) and "\n" not in case["text"], case
        assert case["seconds"] < MAX_SECONDS, case
        assert case["unchanged"], case
        assert SECRET not in case["text"]
    kinds = {"apple": "Apple Health", "gpx": "GPX", "tcx": "TCX"}
    assert {name.split("-")[0] for name in files} == set(kinds)  # every XML importer was tried

    control = by_name["control-apple.xml"]
    assert control["outcome"] == "imported", control
    assert json.loads(control["text"]) == {"glucose readings": 2}

    assert summary["peak_mb"] < MAX_RSS_MB
    assert summary["opened_sentinel"] == []  # the local file was never opened
    assert summary["sockets"] == []  # no socket was made, so no request left the machine
    assert select.select([listener], [], [], 0)[0] == []  # and nothing below Python connected
    database = tmp_path / "journal-data" / "journal.sqlite3"
    text = repr(raw_rows(database, "SELECT * FROM glucose_reading"))
    text += repr(raw_rows(database, "SELECT * FROM import_batch"))
    assert SECRET not in text
    assert raw_rows(database, "SELECT count(*) FROM import_batch") == [(1,)]  # the control


def test_T15_a_deep_nest_is_read_in_bounded_time_and_memory_and_stores_nothing_of_it(
    tmp_path: Path, sentinel: Path
) -> None:
    """Nested elements are no attack on the streaming readers: no recursion, no blow-up.

    The nest is not refused (none of the three readers keeps a tree of what it does not know);
    what the plan demands of it holds all the same: bounded time and memory, only the workout
    beside it is imported.
    """
    files = _deep_files()
    cases, summary = _run(tmp_path, files, sentinel)

    for case in cases:
        assert case["outcome"] == "imported", case
        assert json.loads(case["text"]) == {"workouts": 1}, case
        assert case["seconds"] < MAX_SECONDS, case
    assert summary["peak_mb"] < MAX_RSS_MB
    database = tmp_path / "journal-data" / "journal.sqlite3"
    assert raw_rows(database, "SELECT count(*) FROM workout") == [(3,)]


def test_T15_no_xml_parser_is_told_to_resolve_entities_or_lift_its_limits() -> None:
    """The settings that would bring XXE and bombs back (lxml) appear nowhere in the app."""
    dangerous = re.compile(
        r"resolve_entities\s*=\s*True|huge_tree\s*=\s*True|load_dtd\s*=\s*True|"
        r"no_network\s*=\s*False|SetParamEntityParsing\(\s*[^)]*ALWAYS"
    )
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "journal").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if dangerous.search(line)
    ]
    assert found == []
