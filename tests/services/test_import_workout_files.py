"""Workout files: GPX 1.0/1.1, TCX with laps, FIT with and without GPS, damaged files, fuzz."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fitdecode.utils import compute_crc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.domain.entities import Workout, WorkoutKind
from journal.services.importers import ImportFormatError, ParseLog
from journal.services.importers.workout_files import (
    FORMATS,
    parse_fit,
    parse_gpx,
    parse_tcx,
    sniff_fit,
    sniff_gpx,
    sniff_tcx,
)
from tests.conftest import shared_samples

DATA = Path(__file__).resolve().parents[1] / "data" / "workouts"
SAMPLES = shared_samples() / "workouts"
LJUBLJANA = ZoneInfo("Europe/Ljubljana")
NOT_AFTER = datetime(2026, 11, 21, tzinfo=UTC)


def _read(parser, path: Path) -> tuple[list[Workout], ParseLog]:  # type: ignore[no-untyped-def]
    log = ParseLog(path.name)
    return list(parser(path, tz=LJUBLJANA, log=log, not_after=NOT_AFTER)), log


# --- a small FIT writer, so that FIT fixtures say exactly what they hold ---------------------

_FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
_BASE = {"enum": (0x00, "B"), "u8": (0x02, "B"), "u16": (0x84, "H"), "u32": (0x86, "I")}


def _fit_time(at: datetime) -> int:
    return int((at - _FIT_EPOCH).total_seconds())


def fit_file(messages: list[tuple[int, list[tuple[int, str, int]]]]) -> bytes:
    """A FIT file from (global message number, [(field number, base type, raw value)]).

    Each message gets its own definition on local type 0; raw values are already scaled
    (seconds × 1000, metres × 100) as the FIT profile stores them.
    """
    body = bytearray()
    for number, fields in messages:
        body += struct.pack("<BBBHB", 0x40, 0, 0, number, len(fields))
        for field, base, _ in fields:
            code, fmt = _BASE[base]
            body += struct.pack("<BBB", field, struct.calcsize(fmt), code)
        body += b"\x00"
        for _, base, value in fields:
            body += struct.pack("<" + _BASE[base][1], value)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", compute_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", compute_crc(data))


def _file_id(at: datetime) -> tuple[int, list[tuple[int, str, int]]]:
    return 0, [(0, "enum", 4), (1, "u16", 1), (4, "u32", _fit_time(at))]


STRENGTH_START = datetime(2025, 3, 18, 17, 5, tzinfo=UTC)


def strength_no_gps() -> bytes:
    """A 42-minute gym session from a watch: no GPS, no distance, heart rate and energy."""
    end = STRENGTH_START + timedelta(minutes=42)
    records = [
        (20, [(253, "u32", _fit_time(STRENGTH_START + timedelta(minutes=m))), (3, "u8", hr)])
        for m, hr in ((0, 88), (10, 121), (20, 134), (30, 127), (42, 102))
    ]
    session = (
        18,
        [
            (253, "u32", _fit_time(end)),
            (2, "u32", _fit_time(STRENGTH_START)),
            (7, "u32", 42 * 60 * 1000),
            (8, "u32", 40 * 60 * 1000),
            (11, "u16", 265),
            (16, "u8", 118),
            (17, "u8", 141),
            (5, "enum", 10),  # training
            (6, "enum", 20),  # strength_training
        ],
    )
    return fit_file([_file_id(STRENGTH_START), *records, session])


def records_only() -> bytes:
    """A FIT activity cut before its summary: records with distance and heart rate only."""
    start = datetime(2025, 4, 2, 5, 50, tzinfo=UTC)
    records = [
        (
            20,
            [
                (253, "u32", _fit_time(start + timedelta(minutes=m))),
                (3, "u8", 140 + m),
                (5, "u32", m * 16_000),  # metres × 100
            ],
        )
        for m in range(0, 26, 5)
    ]
    return fit_file([_file_id(start), *records])


def test_the_committed_fit_fixture_is_what_the_writer_makes() -> None:
    assert (DATA / "strength_no_gps.fit").read_bytes() == strength_no_gps()


# --- sniffing --------------------------------------------------------------------------------


def test_sniffers_decide_by_content(tmp_path: Path) -> None:
    def head(path: Path) -> bytes:
        return path.read_bytes()[:65536]

    gpx, tcx, fit = DATA / "run_gpx11.gpx", DATA / "ride_multilap.tcx", DATA / "strength_no_gps.fit"
    assert sniff_gpx(gpx, head(gpx)) and not sniff_tcx(gpx, head(gpx))
    assert sniff_tcx(tcx, head(tcx)) and not sniff_gpx(tcx, head(tcx))
    assert sniff_fit(fit, head(fit)) and not sniff_gpx(fit, head(fit))
    misnamed = tmp_path / "track.gpx"
    misnamed.write_text("<kml><Document/></kml>")
    assert not any(sniff(misnamed, head(misnamed)) for sniff, _ in FORMATS.values())


# --- GPX -------------------------------------------------------------------------------------


def test_gpx11_run_with_heart_rate_extension() -> None:
    workouts, log = _read(parse_gpx, DATA / "run_gpx11.gpx")
    assert len(workouts) == 1
    run = workouts[0]
    assert run.started_at == datetime(2025, 5, 4, 6, 30, tzinfo=UTC)
    assert run.duration_min == pytest.approx(31.0)
    assert run.kind is WorkoutKind.AEROBIC and run.activity == "Running"
    assert run.source == "gpx"
    assert run.distance_km == pytest.approx(31 * 0.1001, rel=0.01)  # 0.0009° of latitude ≈ 100 m
    hrs = [120 + (i % 10) * 3 for i in range(32)]
    assert run.avg_hr == round(sum(hrs) / len(hrs))
    assert run.max_hr == 147
    assert log.rejected_count == 0


def test_gpx10_walk_with_a_pause_counts_moving_segments_and_uses_the_offset() -> None:
    workouts, log = _read(parse_gpx, DATA / "walk_gpx10.gpx")
    assert len(workouts) == 1
    walk = workouts[0]
    assert walk.started_at == datetime(2024, 10, 1, 17, 40, tzinfo=UTC)  # +02:00 in the file
    assert walk.duration_min == pytest.approx(16.0)  # 10 + 6 minutes; the pause is not counted
    assert walk.kind is WorkoutKind.AEROBIC  # "Walk after dinner"
    assert walk.activity == "Walk after dinner"
    assert walk.notes == "Round the park"
    assert walk.avg_hr is None and walk.max_hr is None
    assert log.rejected_count == 0


def test_gpx_track_without_times_is_rejected_with_its_reason() -> None:
    workouts, log = _read(parse_gpx, DATA / "no_times.gpx")
    assert workouts == []
    assert [str(r) for r in log.rejections] == [
        "track 1 (Planned loop): has no times on its points, so its duration is unknown"
    ]


def test_gpx_with_a_dtd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.gpx"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">]>\n'
        '<gpx version="1.1"><trk><name>&a;</name></trk></gpx>\n'
    )
    with pytest.raises(ImportFormatError, match=r"laughs\.gpx, line 2: declares a DTD"):
        _read(parse_gpx, path)


# --- TCX -------------------------------------------------------------------------------------


def test_tcx_multilap_ride_sums_laps_and_weights_heart_rate_by_lap_time() -> None:
    workouts, log = _read(parse_tcx, DATA / "ride_multilap.tcx")
    assert len(workouts) == 2
    ride, gym = workouts
    assert ride.started_at == datetime(2025, 2, 8, 9, 0, tzinfo=UTC)
    assert ride.duration_min == pytest.approx(45.0)  # 1200 s + 1500 s
    assert ride.distance_km == pytest.approx(19.25)
    assert ride.energy_kcal == pytest.approx(515)
    assert ride.avg_hr == round((138 * 1200 + 158 * 1500) / 2700)  # 149, not (138+158)/2 = 148
    assert ride.max_hr == 176  # the lap summary; the 5-minute trackpoints peak at 175
    assert ride.kind is WorkoutKind.AEROBIC and ride.activity == "Biking"
    assert ride.notes == "Intervals on the hill in lap 2"
    assert ride.source == "tcx"
    # "Other" is kept as the activity's name; nothing is guessed.
    assert gym.kind is WorkoutKind.OTHER and gym.activity == "Other"
    assert gym.duration_min == pytest.approx(45.0)
    assert gym.distance_km is None and gym.avg_hr is None
    assert log.rejected_count == 0


def test_tcx_not_well_formed_names_the_line(tmp_path: Path) -> None:
    text = (DATA / "ride_multilap.tcx").read_text().replace("</Lap>", "</Lapp>", 1)
    path = tmp_path / "ride.tcx"
    path.write_text(text)
    with pytest.raises(ImportFormatError, match=r"ride\.tcx, line \d+ column \d+: not well-formed"):
        _read(parse_tcx, path)


# --- FIT -------------------------------------------------------------------------------------


def test_fit_strength_session_without_gps() -> None:
    workouts, log = _read(parse_fit, DATA / "strength_no_gps.fit")
    assert len(workouts) == 1
    gym = workouts[0]
    assert gym.started_at == STRENGTH_START
    assert gym.duration_min == pytest.approx(40.0)  # timer time: the paused minutes are left out
    assert gym.kind is WorkoutKind.RESISTANCE and gym.activity == "Strength training"
    assert (gym.avg_hr, gym.max_hr, gym.energy_kcal) == (118, 141, 265.0)
    assert gym.distance_km is None
    assert gym.source == "fit"
    assert log.rejected_count == 0


def test_fit_without_a_session_is_built_from_its_records(tmp_path: Path) -> None:
    path = tmp_path / "cut.fit"
    path.write_bytes(records_only())
    workouts, log = _read(parse_fit, path)
    assert len(workouts) == 1
    run = workouts[0]
    assert run.started_at == datetime(2025, 4, 2, 5, 50, tzinfo=UTC)
    assert run.duration_min == pytest.approx(25.0)
    assert run.distance_km == pytest.approx(4.0)
    assert (run.avg_hr, run.max_hr) == (round(sum(140 + m for m in range(0, 26, 5)) / 6), 165)
    assert run.kind is WorkoutKind.OTHER and run.activity is None
    assert any("no session summary" in a for a in log.assumptions)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:-2] + bytes([b[-2] ^ 0xFF, b[-1]]), "checksum does not match"),
        (lambda b: b[: len(b) // 2], "ends early"),
        (lambda b: b[:8] + b"XFIT" + b[12:], "not a FIT file|damaged"),
        (lambda b: b"", "empty|damaged|ends early"),
    ],
)
def test_damaged_fit_gives_a_one_line_message(tmp_path: Path, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "watch.fit"
    path.write_bytes(damage(strength_no_gps()))
    with pytest.raises(ImportFormatError, match=message) as caught:
        _read(parse_fit, path)
    assert str(caught.value).startswith("watch.fit: ") and "\n" not in str(caught.value)


# --- public samples --------------------------------------------------------------------------

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples absent")


def _parser_for(path: Path):  # type: ignore[no-untyped-def]
    head = path.read_bytes()[:65536]
    found = [parse for sniff, parse in FORMATS.values() if sniff(path, head)]
    assert len(found) == 1, path.name
    return found[0]


@needs_samples
def test_every_workout_sample_imports_or_fails_with_import_format_error() -> None:
    paths = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    assert len(paths) >= 20
    outcomes = {}
    for path in paths:
        try:
            workouts, log = _read(_parser_for(path), path)
            outcomes[path.relative_to(SAMPLES).as_posix()] = (len(workouts), log.rejected_count)
        except ImportFormatError as exc:
            assert str(exc).startswith(path.name) and "\n" not in str(exc)
            outcomes[path.relative_to(SAMPLES).as_posix()] = "refused"
    for bad in (
        "activity-filecrc.fit",
        "activity-settings-corruptheader.fit",
        "activity-unexpected-eof.fit",
    ):
        assert outcomes[f"fit/invalid/{bad}"] == "refused"
    assert outcomes["route.gpx"] == "refused"  # a planned route, not a recorded track
    assert outcomes["cerknicko-without-times.gpx"] == (0, 8)


@needs_samples
def test_known_sample_values() -> None:
    [trainer], _ = _read(parse_fit, SAMPLES / "fit" / "sample-activity-indoor-trainer.fit")
    assert trainer.started_at == datetime(2011, 11, 2, 12, 54, 19, tzinfo=UTC)
    assert trainer.duration_min == pytest.approx(2261.85 / 60)
    assert (trainer.avg_hr, trainer.max_hr, trainer.energy_kcal) == (148, 176, 379.0)
    assert trainer.distance_km is None  # indoors: no GPS, the watch reports 0 m
    assert trainer.kind is WorkoutKind.AEROBIC and trainer.activity == "Cycling"

    [bike], _ = _read(parse_fit, SAMPLES / "fit" / "garmin-fenix-5-bike.fit")
    assert (bike.avg_hr, bike.max_hr) == (101, 114)
    assert bike.distance_km == pytest.approx(0.45952)

    [run], _ = _read(parse_tcx, SAMPLES / "tcx" / "test.tcx")
    assert run.started_at == datetime(2012, 12, 26, 21, 29, 53, tzinfo=UTC)
    assert (run.kind, run.activity, run.max_hr, run.energy_kcal) == (
        WorkoutKind.AEROBIC,
        "Running",
        189,
        379.0,
    )
    assert run.distance_km == pytest.approx(4.689, abs=0.001)

    no_hr, _ = _read(parse_tcx, SAMPLES / "tcx" / "no_hr.tcx")
    assert no_hr[0].avg_hr is None and no_hr[0].max_hr is None

    _, short = _read(parse_fit, SAMPLES / "fit" / "garmin-fenix-5-walk.fit")
    assert [str(r) for r in short.rejections] == [
        "session 1: lasts 45 s; a workout needs at least a minute"
    ]


# --- fuzz ------------------------------------------------------------------------------------

_SEEDS = {
    "gpx": (DATA / "walk_gpx10.gpx").read_bytes(),
    "tcx": (DATA / "ride_multilap.tcx").read_bytes(),
    "fit": strength_no_gps(),
}
_PARSERS = {"gpx": parse_gpx, "tcx": parse_tcx, "fit": parse_fit}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(_SEEDS)),
    cut=st.floats(0.0, 1.0),
    edits=st.lists(st.tuples(st.floats(0.0, 1.0), st.binary(min_size=1, max_size=4)), max_size=5),
)
def test_mutated_files_raise_only_import_format_errors(
    tmp_path: Path, kind: str, cut: float, edits: list[tuple[float, bytes]]
) -> None:
    data = bytearray(_SEEDS[kind])
    for where, chunk in edits:
        at = int(where * len(data))
        data[at : at + len(chunk)] = chunk
    if cut < 0.95:
        data = data[: int(cut * len(data))]
    path = tmp_path / f"mutated.{kind}"
    path.write_bytes(bytes(data))
    log = ParseLog(path.name)
    try:
        workouts = list(_PARSERS[kind](path, tz=LJUBLJANA, log=log, not_after=NOT_AFTER))
    except ImportFormatError as exc:
        assert "\n" not in str(exc)
        return
    for workout in workouts:
        assert 1 <= workout.duration_min <= 24 * 60
        assert workout.started_at.tzinfo is not None


# --- end to end through the import service ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("run_gpx11.gpx", "gpx", 1),
        ("walk_gpx10.gpx", "gpx", 1),
        ("ride_multilap.tcx", "tcx", 2),
        ("strength_no_gps.fit", "fit", 1),
    ],
)
def test_import_service_writes_workout_files(services, name: str, fmt: str, count: int) -> None:  # type: ignore[no-untyped-def]
    receipt, _ = services.imports.import_file(DATA / name, tz=LJUBLJANA)
    assert receipt.format == fmt
    assert dict(receipt.added) == {"workouts": count}
    stored = services.training.list_workouts()
    assert len(stored) == count and {w.source for w in stored} == {fmt}
    assert all(w.batch_id == receipt.batch_id for w in stored)
    services.imports.undo_batch(receipt.batch_id)
    assert services.training.list_workouts() == []


def test_import_service_refuses_a_damaged_fit_and_writes_nothing(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "watch.fit"
    path.write_bytes(strength_no_gps()[:-40])
    with pytest.raises(ImportFormatError, match=r"watch\.fit: the FIT file"):
        services.imports.import_file(path, tz=LJUBLJANA)
    assert services.training.list_workouts() == []
    assert services.imports.list_batches() == []


def test_a_track_without_times_imports_nothing_and_says_why(services) -> None:  # type: ignore[no-untyped-def]
    receipt, _ = services.imports.import_file(DATA / "no_times.gpx", tz=LJUBLJANA)
    assert receipt.total_added == 0
    assert [str(r) for r in receipt.rejected] == [
        "track 1 (Planned loop): has no times on its points, so its duration is unknown"
    ]


@needs_samples
def test_every_workout_sample_through_the_import_service(services) -> None:  # type: ignore[no-untyped-def]
    added = 0
    for path in sorted(p for p in SAMPLES.rglob("*") if p.is_file()):
        try:
            receipt, _ = services.imports.import_file(path, tz=LJUBLJANA)
        except ImportFormatError as exc:
            assert str(exc).startswith(path.name) and "\n" not in str(exc)
            continue
        added += receipt.total_added
    assert added == len(services.training.list_workouts()) >= 10
