"""Apple Health exports: workouts of every vintage, glucose, body measures, labs, hostile files."""

from __future__ import annotations

import io
import shutil
import struct
import sys
import tempfile
import time
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.domain.entities import (
    BodyMeasurement,
    Fasting,
    GlucoseReading,
    GlucoseSource,
    LabDraw,
    Workout,
    WorkoutKind,
)
from journal.services.importers import (
    ImportCancelledError,
    ImportFormatError,
    ParseLog,
    apple_health,
)
from journal.services.importers.apple_health import FORMATS, parse, sniff
from tests.conftest import shared_samples

DATA = Path(__file__).resolve().parents[1] / "data" / "apple_health"
UNZIPPED = DATA / "unzipped" / "apple_health_export"
SAMPLES = shared_samples() / "apple_health"
LONDON = ZoneInfo("Europe/London")
NOT_AFTER = datetime(2026, 1, 1, tzinfo=UTC)


def _read(path: Path, log: ParseLog | None = None, **kwargs: object) -> list[object]:
    log = log if log is not None else ParseLog(path.name)
    return list(parse(path, tz=LONDON, log=log, not_after=NOT_AFTER, **kwargs))


def _of(items: list[object], kind: type) -> list:
    return [i for i in items if isinstance(i, kind)]


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(64 * 1024)


def _zip(target: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (2024, 3, 10, 9, 0, 0))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def _export_zip(target: Path, export_name: str = "export.xml") -> Path:
    """The unzipped fixture packed as iOS does, plus the junk macOS adds when re-zipping."""
    members: dict[str, bytes] = {
        "__MACOSX/apple_health_export/._export.xml": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
        "apple_health_export/.DS_Store": b"\x00\x00\x00\x01Bud1" + b"\x00" * 64,
        "apple_health_export/export_cda.xml": (
            b'<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>\n'
        ),
    }
    for path in sorted(UNZIPPED.rglob("*")):
        if path.is_file():
            name = f"apple_health_export/{path.relative_to(UNZIPPED).as_posix()}"
            if name == "apple_health_export/export.xml":
                name = f"apple_health_export/{export_name}"
            members[name] = path.read_bytes()
    return _zip(target, members)


def _export(body: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
        f'<HealthData locale="en_US">\n{body}\n</HealthData>\n'
    ).encode()


def _glucose_record(value: str, source: str = "Meter", unit: str = "mg/dL") -> str:
    return (
        f'<Record type="HKQuantityTypeIdentifierBloodGlucose" sourceName="{source}" '
        f'unit="{unit}" startDate="2024-01-17 07:00:00 +0100" '
        f'endDate="2024-01-17 07:00:00 +0100" value="{value}"/>'
    )


# --- workouts --------------------------------------------------------------------------------


def test_legacy_workouts_read_their_total_attributes_in_every_unit() -> None:
    log = ParseLog("legacy_workouts.xml")
    workouts = _of(_read(DATA / "legacy_workouts.xml", log), Workout)

    run, ride, lift, hiit, yoga, walk = workouts
    assert run.started_at == datetime(2019, 3, 2, 14, 5, tzinfo=UTC)  # 07:05 at -0700
    assert (run.kind, run.activity, run.duration_min) == (WorkoutKind.AEROBIC, "Running", 31.5)
    assert run.distance_km == pytest.approx(3.1 * 1.609344)  # 3.1 mi
    assert run.energy_kcal == pytest.approx(310.0)  # "Cal" is the food calorie, a kcal
    assert run.source == "apple-health"
    assert ride.duration_min == pytest.approx(60.0)  # 3600 s
    assert ride.distance_km == pytest.approx(21.4)
    assert ride.energy_kcal == pytest.approx(2092 / 4.184)  # kJ
    assert (lift.kind, lift.activity) == (WorkoutKind.RESISTANCE, "Traditional strength training")
    assert lift.distance_km is None
    assert (hiit.kind, hiit.energy_kcal) == (WorkoutKind.HIIT, None)
    assert (yoga.kind, yoga.activity) == (WorkoutKind.OTHER, "Yoga")
    # No duration attribute: 12:00–13:00 less the 15-minute pause.
    assert walk.duration_min == pytest.approx(45.0)
    assert walk.distance_km == pytest.approx(2.0 * 1.609344)


def test_broken_workouts_are_rejected_with_their_element_and_line() -> None:
    log = ParseLog("legacy_workouts.xml")
    _read(DATA / "legacy_workouts.xml", log)

    reasons = {r.location: r.reason for r in log.rejections}
    text = (DATA / "legacy_workouts.xml").read_text().splitlines()
    bad_date_line = next(i for i, line in enumerate(text, 1) if "2019-03-32" in line)
    furlong_line = next(i for i, line in enumerate(text, 1) if "furlong" in line)
    assert reasons == {
        f"Workout #7 (line {bad_date_line})": (
            "startDate '2019-03-32 07:05:00 -0700' is not a date and time"
        ),
        f"Workout #8 (line {furlong_line})": "totalDistanceUnit 'furlong' is not known",
    }
    assert log.not_imported == {"step count": 2, "activity summary": 1}
    assert any("less any paused time" in a for a in log.assumptions)


def test_ios16_export_with_a_broken_dtd_and_vertical_tabs_is_read() -> None:
    path = DATA / "ios16_statistics.xml"
    with pytest.raises(ET.ParseError):  # the standard parser gives up on Apple's DTD
        ET.parse(path)
    assert b"\x0b" in path.read_bytes()
    log = ParseLog(path.name)
    run, strength, cross = _of(_read(path, log), Workout)

    assert run.started_at == datetime(2023, 5, 20, 5, 15, tzinfo=UTC)  # 07:15 at +0200
    assert run.duration_min == pytest.approx(42.25)  # Apple's active time, pause left out
    # The workout's own statistics win over its activity's (999 kcal would double count).
    assert run.energy_kcal == pytest.approx(512.4)
    assert run.distance_km == pytest.approx(8.02)
    assert (run.avg_hr, run.max_hr) == (152, 178)
    # Statistics only inside a WorkoutActivity are used when the workout has none.
    assert strength.kind is WorkoutKind.RESISTANCE
    assert strength.energy_kcal == pytest.approx(1004.2 / 4.184)
    assert (strength.avg_hr, strength.max_hr) == (118, 149)
    assert cross.kind is WorkoutKind.COMBINED
    assert (cross.avg_hr, cross.max_hr) == (140, None)  # 310 beats/min is a sensor error
    assert log.rejected_count == 0
    assert log.not_imported == {"heart rate": 1, "sleep analysis": 1}
    assert any("2 stray control characters" in a for a in log.assumptions)
    assert any("outside 25–230" in a for a in log.assumptions)


def test_line_numbers_count_the_removed_dtd(tmp_path: Path) -> None:
    text = (DATA / "ios16_statistics.xml").read_text()
    text = text.replace("</HealthData>", _glucose_record("lots") + "\n</HealthData>")
    path = tmp_path / "export.xml"
    path.write_text(text)
    log = ParseLog(path.name)
    _read(path, log)

    # Not splitlines(): it would also break at the vertical tabs, which XML does not.
    line = next(i for i, row in enumerate(text.split("\n"), 1) if 'value="lots"' in row)
    assert [str(r) for r in log.rejections] == [
        f"Record #3 (line {line}): value 'lots' is not a number"
    ]


# --- glucose and body measurements -----------------------------------------------------------


def test_glucose_in_both_units_with_cgm_told_from_meters_by_source() -> None:
    log = ParseLog("exportar.xml")
    readings = _of(_read(DATA / "exportar.xml", log), GlucoseReading)

    plus_one = timezone(timedelta(hours=1))
    assert [(r.at, r.value, r.unit, r.source, r.device) for r in readings] == [
        (
            datetime(2024, 1, 15, 8, 0, tzinfo=plus_one),
            104.0,
            "mg/dL",
            GlucoseSource.CGM,
            "Dexcom G7",
        ),
        (
            datetime(2024, 1, 15, 8, 5, tzinfo=plus_one),
            109.0,
            "mg/dL",
            GlucoseSource.CGM,
            "Dexcom G7",
        ),
        (datetime(2024, 1, 16, 7, 30, tzinfo=plus_one), 5.8, "mmol/L", GlucoseSource.CGM, "xDrip+"),
        (
            datetime(2024, 1, 16, 12, 0, tzinfo=plus_one),
            7.2,
            "mmol/L",
            GlucoseSource.FINGERSTICK,
            "Salud",
        ),
        (
            datetime(2024, 1, 17, 7, 0, tzinfo=plus_one),
            98.0,
            "mg/dL",
            GlucoseSource.FINGERSTICK,
            "Contour Diabetes",
        ),
    ]
    assert any(
        "3 glucose readings came from a source naming a sensor" in a for a in log.assumptions
    )


def test_weight_and_waist_keep_the_unit_they_were_taken_in() -> None:
    measures = _of(_read(DATA / "exportar.xml"), BodyMeasurement)

    assert [(m.kind, m.value, m.unit, m.at.date().isoformat()) for m in measures] == [
        ("body_mass", 171.4, "lb", "2024-01-20"),
        ("body_mass", 77.6, "kg", "2024-01-27"),
        ("waist", 91.5, "cm", "2024-01-20"),
        ("waist", 35.5, "in", "2024-01-27"),
    ]
    assert {m.source for m in measures} == {"apple-health"}


def test_bad_records_are_rejected_and_other_types_counted() -> None:
    log = ParseLog("exportar.xml")
    _read(DATA / "exportar.xml", log)

    assert [str(r) for r in log.rejections] == [
        "Record #6 (line 13): value 'abc' is not a number",
        "Record #7 (line 14): glucose 4000 mg/dL is outside any possible reading (10–1500 mg/dL)",
        "Record #8 (line 15): startDate 'ayer por la tarde' is not a date and time",
        "Record #11 (line 18): body weight 1714 lb is outside any possible measurement "
        "(22–1543 lb)",
    ]
    assert log.not_imported == {"body fat percentage": 1, "insulin delivery": 1}


def test_records_dated_in_the_future_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(_export(_glucose_record("100").replace("2024-01-17", "2031-01-17")))
    log = ParseLog(path.name)

    assert _read(path, log) == []
    assert [r.reason for r in log.rejections] == [
        "startDate 2031-01-17 07:00:00 +0100 is in the future"
    ]


# --- files, names and archives ---------------------------------------------------------------


def test_an_export_is_recognised_by_content_under_any_name(tmp_path: Path) -> None:
    renamed = tmp_path / "datos de salud.txt"
    shutil.copy(DATA / "exportar.xml", renamed)

    assert sniff(renamed, _head(renamed))
    assert len(_read(renamed)) == len(_read(DATA / "exportar.xml")) == 9
    assert list(FORMATS) == ["apple-health"]
    gpx = UNZIPPED / "workout-routes" / "route_2024-03-03_7.44pm.gpx"
    fhir = UNZIPPED / "clinical-records" / "Observation-R4-GLUCOSE.json"
    for other in (gpx, fhir):
        assert not sniff(other, _head(other))


def _check_unzipped_export(items: list[object], log: ParseLog) -> None:
    (weight,) = _of(items, BodyMeasurement)
    assert (weight.value, weight.unit) == (84.2, "kg")
    (walk,) = _of(items, Workout)
    assert walk.duration_min == pytest.approx(24.5)
    assert walk.distance_km == pytest.approx(1.52 * 1.609344)
    hba1c, glucose = _of(items, LabDraw)
    assert [(r.analyte, r.value, r.unit) for r in hba1c.results] == [("hba1c", 5.7, "%")]
    assert hba1c.drawn_at == datetime(2023, 11, 20, 13, 30, tzinfo=UTC)  # DSTU2 record
    assert hba1c.lab_name == "County Clinic Lab"
    assert [(r.analyte, r.value, r.unit) for r in glucose.results] == [("glucose", 97.0, "mg/dL")]
    assert glucose.fasting is Fasting.YES  # R4 record, LOINC 1558-6
    assert log.not_imported == {"step count": 1, "Patient": 1}
    assert log.rejected_count == 0


def test_zip_with_macos_junk_routes_and_clinical_records(tmp_path: Path) -> None:
    path = _export_zip(tmp_path / "export.zip")
    log = ParseLog(path.name)

    assert sniff(path, _head(path))
    _check_unzipped_export(_read(path, log), log)


def test_zip_member_with_a_translated_name_is_found_by_its_root(tmp_path: Path) -> None:
    path = _export_zip(tmp_path / "exportar.zip", export_name="exportar.xml")
    log = ParseLog(path.name)

    assert sniff(path, _head(path))
    _check_unzipped_export(_read(path, log), log)


def test_bare_export_reads_the_clinical_records_beside_it(tmp_path: Path) -> None:
    log = ParseLog("export.xml")
    _check_unzipped_export(_read(UNZIPPED / "export.xml", log), log)

    alone = tmp_path / "export.xml"
    shutil.copy(UNZIPPED / "export.xml", alone)
    lone_log = ParseLog(alone.name)
    assert _of(_read(alone, lone_log), LabDraw) == []
    assert lone_log.not_imported["clinical records (their files are not beside the XML)"] == 3


def test_zip_without_an_export_is_refused(tmp_path: Path) -> None:
    routes = _zip(
        tmp_path / "export.zip", {"workout-routes/a.gpx": b"<gpx/>", "notes.xml": b"<a/>"}
    )

    assert not sniff(routes, _head(routes))
    with pytest.raises(ImportFormatError, match=r"^export.zip: a zip without an Apple Health"):
        _read(routes)


def test_progress_is_reported_and_cancel_stops_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apple_health, "_BLOCK", 1024)
    monkeypatch.setattr(apple_health, "_TICK_BYTES", 1024)
    monkeypatch.setattr(apple_health, "MAX_PROLOG_BYTES", 1024)
    path = DATA / "exportar.xml"
    seen: list[tuple[str, int, int]] = []

    _read(path, progress=lambda stage, done, total: seen.append((stage, done, total)))
    size = path.stat().st_size
    assert len(seen) > 2
    assert [s[1] for s in seen] == sorted(s[1] for s in seen)
    assert seen[-1] == ("reading", size, size)
    with pytest.raises(ImportCancelledError):
        _read(path, cancel=lambda: True)


# --- hostile files ---------------------------------------------------------------------------

_OPENED: list[str] = []
_WATCHING: list[bool] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _WATCHING and event == "open":
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def opened_files() -> Iterator[list[str]]:
    """Every path the process opens while the test runs (Python's audit hook)."""
    _OPENED.clear()
    _WATCHING.append(True)
    try:
        yield _OPENED
    finally:
        _WATCHING.clear()


def _refused(path: Path, log: ParseLog | None = None) -> str:
    started = time.monotonic()
    with pytest.raises(ImportFormatError) as caught:
        _read(path, log)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE HealthData [<!ENTITY secret SYSTEM "file://{secret}">]>\n',
        '<!DOCTYPE HealthData [<!ENTITY % dtd SYSTEM "file://{secret}"> %dtd;]>\n',
        '<!DOCTYPE HealthData SYSTEM "file://{secret}">\n',
        '<!DOCTYPE HealthData PUBLIC "-//A//B" "file://{secret}" [<!ELEMENT a EMPTY>]>\n',
    ],
    ids=["general-entity", "parameter-entity", "external-dtd", "public-dtd"],
)
def test_external_entities_are_never_read(
    tmp_path: Path, doctype: str, opened_files: list[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7731")
    body = _glucose_record("100", source="&secret;") + "\n" + _glucose_record("101")
    path = tmp_path / "export.xml"
    path.write_bytes(_export(body, doctype.format(secret=secret)))
    log = ParseLog(path.name)
    opened_files.clear()  # writing the files above opened them

    assert sniff(path, _head(path))
    message = _refused(path, log)

    assert str(secret) not in opened_files
    everything = message + repr(log.rejections) + repr(log.assumptions) + repr(log.not_imported)
    assert "TOP-SECRET" not in everything
    assert "entit" in message


def test_entity_expansion_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = "<!DOCTYPE HealthData [\n" + "\n".join(lines) + "\n]>\n"
    path = tmp_path / "export.xml"
    path.write_bytes(_export(_glucose_record("&lol9;"), doctype))
    tracemalloc.start()
    try:
        message = _refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert message.startswith("export.xml: declares XML entities")
    assert peak < 20 * 2**20


def test_undeclared_entity_references_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(_export(_glucose_record("&lol9;")))

    message = _refused(path)
    assert message.startswith("export.xml, line 3 column")
    assert "undefined entity" in message


def _bomb_bytes() -> bytes:
    start = b'<?xml version="1.0"?>\n<HealthData locale="en_US">\n'
    return start + b"<a/>\n" * (13 * 2**20) + b"</HealthData>\n"


def test_zip_bomb_declared_ratio_is_refused_before_inflating(tmp_path: Path) -> None:
    path = _zip(tmp_path / "export.zip", {"apple_health_export/export.xml": _bomb_bytes()})

    message = _refused(path)
    assert "compression ratio above 200 to 1" in message


def test_zip_bomb_with_understated_sizes_is_stopped_while_streaming(tmp_path: Path) -> None:
    data = _bomb_bytes()
    path = _zip(tmp_path / "export.zip", {"apple_health_export/export.xml": data})
    with zipfile.ZipFile(path) as archive:
        packed = archive.infolist()[0].compress_size
    raw = path.read_bytes()
    # Declared 150 to 1 passes the declared check; the data really inflates about 1000 to 1.
    real, fake = struct.pack("<I", len(data)), struct.pack("<I", 150 * packed)
    assert raw.count(real) == 2  # the local header and the central directory
    path.write_bytes(raw.replace(real, fake))
    tracemalloc.start()
    try:
        message = _refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert "inflates more than 200 to 1" in message
    assert peak < 20 * 2**20


@pytest.mark.parametrize("member", ["../evil.xml", "/tmp/evil.xml", "a/../../evil.xml"])
def test_members_with_paths_outside_the_archive_refuse_the_zip(tmp_path: Path, member: str) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    path = _zip(
        inner / "export.zip",
        {"apple_health_export/export.xml": _export(""), member: _export("")},
    )
    before = sorted(tmp_path.rglob("*"))

    message = _refused(path)
    assert "has a path outside the archive" in message
    assert "nothing is ever extracted" in message
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    "body",
    [
        '<Record type="HKQuantityTypeIdentifierStepCount" sourceName="' + "x" * 3 * 2**20 + '"/>',
        "y" * 3 * 2**20,
        "<Record " + "a" * 3 * 2**20,
    ],
    ids=["huge-attribute", "huge-text-line", "endless-tag"],
)
def test_a_huge_single_tag_or_line_is_refused_in_bounded_memory(tmp_path: Path, body: str) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(_export(body))
    tracemalloc.start()
    try:
        message = _refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert message.startswith("export.xml, line 3: a single tag or text runs over 1 MiB")
    assert peak < 12 * 2**20


def test_a_non_zip_with_a_zip_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_text("Timestamp,Glucose\n2024-01-01 08:00,104\n")

    assert not sniff(path, _head(path))
    assert _refused(path) == (
        "export.zip: neither a zip archive nor an XML file; not an Apple Health export"
    )


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)

    assert not sniff(path, _head(path))
    assert _refused(path).startswith("export.zip: not a readable zip archive")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.touch()

    assert not sniff(path, b"")
    assert _refused(path) == "export.xml: the file is empty"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'<?xml version="1.0"?>\n<gpx version="1.1"/>\n', "the root element is <gpx>"),
        (_export(_glucose_record("100"))[:-40], "line 3 column 1: not well-formed XML (unclosed"),
        (
            _export('<Record type="a"></Workout>'),
            "line 3 column 20: not well-formed XML (mismatched",
        ),
    ],
    ids=["other-root", "truncated", "mismatched"],
)
def test_broken_xml_names_the_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(content)

    assert expected in _refused(path)


# --- real exports from public projects -------------------------------------------------------

_SAMPLE_FILES = (
    sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".xml", ".zip"} and p.is_file())
    if SAMPLES.is_dir()
    else []
)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples are not present")
@pytest.mark.parametrize("path", _SAMPLE_FILES, ids=lambda p: p.name)
def test_every_public_sample_imports(path: Path) -> None:
    log = ParseLog(path.name)

    assert sniff(path, _head(path))
    _read(path, log)
    assert log.rejected_count == 0
    assert sum(log.not_imported.values()) > 0


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples are not present")
def test_samples_values_as_the_files_state_them() -> None:
    (run,) = _of(_read(SAMPLES / "healthkit-to-sqlite_export.xml"), Workout)
    assert run.started_at == datetime(2016, 11, 14, 14, 25, 41, tzinfo=UTC)  # 07:25:41 -0700
    assert run.duration_min == pytest.approx(5.19412346680959)
    assert run.distance_km == pytest.approx(0.4971749504535062 * 1.609344)
    assert run.energy_kcal == pytest.approx(48.745)

    items = _read(SAMPLES / "hk_sampleexport-2.xml")
    weights = _of(items, BodyMeasurement)
    assert (weights[0].value, weights[0].unit) == (181.0, "lb")
    assert weights[0].at == datetime(2016, 2, 9, 23, 59, 59, tzinfo=timezone(timedelta(hours=-8)))
    workouts = _of(items, Workout)
    assert [w.kind for w in workouts].count(WorkoutKind.COMBINED) == 1  # CrossTraining
    long_walk = workouts[-1]
    # 10:50:10–14:25:27 with a 10.6-minute pause: Apple's duration already leaves it out.
    assert long_walk.duration_min == pytest.approx(204.681023834149)
    assert long_walk.distance_km == pytest.approx(7.818211779985165 * 1.609344)
    assert long_walk.energy_kcal == pytest.approx(1091.487)

    log = ParseLog("hk_sampleexport.xml")
    (walk,) = _of(_read(SAMPLES / "hk_sampleexport.xml", log), Workout)
    assert walk.distance_km == pytest.approx(2.985843180268872 * 1.609344)
    assert log.not_imported["clinical records (their files are not beside the XML)"] == 6

    zipped = ParseLog("z")
    plain = ParseLog("x")
    assert _read(SAMPLES / "apple-health-parser_export.zip", zipped) == []
    assert _read(SAMPLES / "apple-health-parser_export.xml", plain) == []
    assert zipped.not_imported == plain.not_imported
    assert plain.not_imported["heart rate"] == 2
    assert plain.not_imported["sleep analysis"] == 2


# --- fuzz ------------------------------------------------------------------------------------

_SEEDS = {
    "xml": (DATA / "exportar.xml").read_bytes(),
    "ios16": (DATA / "ios16_statistics.xml").read_bytes(),
}


def _zipped_seed() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", _SEEDS["xml"])
        archive.writestr("apple_health_export/clinical-records/a.json", b'{"resourceType": "X"}')
    return buffer.getvalue()


_SEEDS["zip"] = _zipped_seed()


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.sampled_from(sorted(_SEEDS)),
    cut=st.floats(0.0, 1.0),
    edits=st.lists(st.tuples(st.floats(0.0, 1.0), st.binary(max_size=4)), max_size=6),
)
def test_mutated_or_truncated_exports_fail_only_with_a_clear_error(
    seed: str, cut: float, edits: list[tuple[float, bytes]]
) -> None:
    data = bytearray(_SEEDS[seed])
    for where, replacement in edits:
        at = int(where * len(data))
        data[at : at + len(replacement)] = replacement
    data = data[: max(1, int(cut * len(data))) if cut < 0.98 else len(data)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.bin"
        path.write_bytes(bytes(data))
        log = ParseLog(path.name)
        try:
            items = _read(path, log)
        except ImportFormatError as exc:
            assert str(exc).startswith("export.bin")
            assert "\n" not in str(exc)
            return
    for item in items:
        assert isinstance(item, Workout | GlucoseReading | BodyMeasurement | LabDraw)
