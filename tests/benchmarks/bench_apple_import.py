"""Benchmark: Apple Health import throughput and peak memory against a bare iterparse loop.

Run: .venv/bin/python tests/benchmarks/bench_apple_import.py [--mb 300] [--keep DIR]
Writes a realistic export.xml of about --mb megabytes to a temporary folder (records grouped by
type as the Health app writes them: mostly heart rate, steps and energy; some CGM weeks and
finger-sticks, weight, waist, daily workouts with statistics, events and route references),
then runs, each in a fresh child process so that its peak resident memory is its own:

- bare:   xml.etree.ElementTree.iterparse over the file, clearing every finished element;
- parse:  this app's Apple Health parser, every record it yields drained;
- import: ImportService.import_file into an empty journal (hash, parse, dedup, write).

Aims: the import at least half the bare loop's speed, under 100 MB peak. With --json, the
figures also go to stdout as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

# Run as a script from anywhere: the repository root goes first on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

_DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  sourceVersion         CDATA #IMPLIED
  device                CDATA #IMPLIED
  creationDate          CDATA #IMPLIED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
]>
"""

_WATCH = (
    'sourceName="Daniel’s Apple Watch" sourceVersion="10.2" device="&lt;&lt;HKDevice: '
    "0x3012772a0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    'hardware:Watch6,7, software:10.2&gt;"'
)
_PHONE = (
    'sourceName="Daniel’s iPhone" sourceVersion="17.2.1" device="&lt;&lt;HKDevice: '
    "0x30137c5f0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, "
    'hardware:iPhone14,2, software:17.2.1&gt;"'
)
_DEXCOM = (
    'sourceName="Dexcom G7" sourceVersion="2.3.1" device="&lt;&lt;HKDevice: 0x281b0a210&gt;, '
    'name:CGM, manufacturer:Dexcom, model:G7&gt;"'
)
_ZONE = timezone(timedelta(hours=1))
_START = datetime(2018, 1, 1, tzinfo=_ZONE)

# (type, unit, records per day, source, value range, metadata child?) for the frequent kinds.
_MIX: tuple[tuple[str, str, int, str, tuple[float, float], bool], ...] = (
    ("HeartRate", "count/min", 160, _WATCH, (52, 165), True),
    ("ActiveEnergyBurned", "kcal", 180, _WATCH, (0.05, 4.0), False),
    ("StepCount", "count", 90, _PHONE, (5, 900), False),
    ("DistanceWalkingRunning", "km", 80, _PHONE, (0.002, 0.7), False),
    ("BasalEnergyBurned", "kcal", 90, _WATCH, (0.5, 1.3), False),
    ("AppleExerciseTime", "min", 25, _WATCH, (1, 1), False),
    ("AppleStandTime", "min", 20, _WATCH, (1, 5), False),
    ("RespiratoryRate", "count/min", 15, _WATCH, (12, 18), False),
    ("EnvironmentalAudioExposure", "dBASPL", 12, _WATCH, (45, 80), False),
    ("HeartRateVariabilitySDNN", "ms", 5, _WATCH, (20, 80), False),
    ("RestingHeartRate", "count/min", 1, _WATCH, (52, 64), False),
)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S %z")


def _record(out: TextIO, kind: str, unit: str, source: str, at: datetime, value: str) -> None:
    stamp = _stamp(at)
    out.write(
        f' <Record type="HKQuantityTypeIdentifier{kind}" {source} unit="{unit}" '
        f'creationDate="{stamp}" startDate="{stamp}" endDate="{stamp}" value="{value}"'
    )


def _day_bytes(days: int) -> int:
    """Bytes of one day of records, measured by writing a few days to memory."""
    import io

    sample = io.StringIO()
    _write_body(sample, days=days, rng=random.Random(1))
    return len(sample.getvalue().encode()) // days


def _write_body(out: TextIO, days: int, rng: random.Random) -> None:
    # The Health app writes records grouped by type, each type in time order.
    for kind, unit, per_day, source, (low, high), metadata in _MIX:
        step = timedelta(days=1) / per_day
        for day in range(days):
            at = _START + timedelta(days=day)
            for _ in range(per_day):
                at += step
                _record(out, kind, unit, source, at, f"{rng.uniform(low, high):.4g}")
                if metadata:
                    out.write(
                        '>\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" '
                        'value="0"/>\n </Record>\n'
                    )
                else:
                    out.write("/>\n")
    for day in range(days):
        at = _START + timedelta(days=day, hours=7)
        if day % 10 == 0:  # a CGM sensor on one day in ten: a reading every 5 minutes
            for i in range(288):
                value = f"{rng.gauss(105, 18):.0f}"
                _record(out, "BloodGlucose", "mg/dL", _DEXCOM, at + timedelta(minutes=5 * i), value)
                out.write("/>\n")
        if day % 7 == 3:  # a weekly finger-stick in mmol/L, entered by hand
            _record(out, "BloodGlucose", "mmol&lt;180.1558800000541&gt;/L", _PHONE, at, "5.6")
            out.write('>\n  <MetadataEntry key="HKWasUserEntered" value="1"/>\n </Record>\n')
        if day % 3 == 0:
            _record(out, "BodyMass", "kg", _PHONE, at, f"{rng.gauss(84, 0.6):.1f}")
            out.write("/>\n")
        if day % 30 == 0:
            _record(out, "WaistCircumference", "cm", _PHONE, at, f"{rng.gauss(96, 1):.1f}")
            out.write("/>\n")
    kinds = (
        "Running",
        "Walking",
        "TraditionalStrengthTraining",
        "Cycling",
        "HighIntensityIntervalTraining",
    )
    for day in range(days):
        start = _START + timedelta(days=day, hours=18)
        minutes = rng.uniform(20, 70)
        end = start + timedelta(minutes=minutes + 2)
        a, b = _stamp(start), _stamp(end)
        out.write(
            f' <Workout workoutActivityType="HKWorkoutActivityType{kinds[day % len(kinds)]}" '
            f'duration="{minutes:.4f}" durationUnit="min" {_WATCH} creationDate="{b}" '
            f'startDate="{a}" endDate="{b}">\n'
            '  <MetadataEntry key="HKIndoorWorkout" value="0"/>\n'
            f'  <WorkoutEvent type="HKWorkoutEventTypePause" date="{a}"/>\n'
            f'  <WorkoutEvent type="HKWorkoutEventTypeResume" date="{a}"/>\n'
            f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" '
            f'startDate="{a}" endDate="{b}" sum="{minutes * 9:.2f}" unit="kcal"/>\n'
            f'  <WorkoutStatistics type="HKQuantityTypeIdentifierBasalEnergyBurned" '
            f'startDate="{a}" endDate="{b}" sum="{minutes * 1.2:.2f}" unit="kcal"/>\n'
            f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
            f'startDate="{a}" endDate="{b}" sum="{minutes / 6:.3f}" unit="km"/>\n'
            f'  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="{a}" '
            f'endDate="{b}" average="{rng.uniform(110, 150):.1f}" minimum="80" '
            f'maximum="{rng.uniform(150, 180):.0f}" unit="count/min"/>\n'
            f'  <WorkoutRoute {_WATCH} creationDate="{b}" startDate="{a}" endDate="{b}">\n'
            f'   <FileReference path="/workout-routes/route_{start:%Y-%m-%d_%H.%M}.gpx"/>\n'
            "  </WorkoutRoute>\n"
            " </Workout>\n"
        )
    for day in range(days):
        date = (_START + timedelta(days=day)).date().isoformat()
        out.write(
            f' <ActivitySummary dateComponents="{date}" '
            f'activeEnergyBurned="{rng.uniform(200, 900):.3f}" '
            'activeEnergyBurnedGoal="630" activeEnergyBurnedUnit="kcal" appleExerciseTime="41" '
            'appleExerciseTimeGoal="30" appleStandHours="12" appleStandHoursGoal="12"/>\n'
        )


def generate(path: Path, megabytes: int) -> int:
    days = max(1, round(megabytes * 2**20 / _day_bytes(20)))
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + _DTD)
        out.write('<HealthData locale="en_GB">\n')
        out.write(f' <ExportDate value="{_stamp(_START + timedelta(days=days))}"/>\n')
        out.write(
            ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1972-05-20" '
            'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexMale" '
            'HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" '
            'HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet"/>\n'
        )
        _write_body(out, days, random.Random(7))
        out.write("</HealthData>\n")
    return days


# --- the three measured runs, each in its own process ----------------------------------------
# Each setup does its imports and any journal creation untimed and returns the timed action.


def setup_bare(path: Path) -> Callable[[], int]:
    import xml.etree.ElementTree as ET

    def run() -> int:
        count = depth = 0
        root = None
        for event, element in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                continue
            depth -= 1
            count += 1
            if depth == 1 and root is not None:
                root.clear()  # a finished top-level element: drop it and its children
        return count

    return run


def setup_parse(path: Path) -> Callable[[], int]:
    from journal.services.importers import ParseLog
    from journal.services.importers.apple_health import parse

    def run() -> int:
        log = ParseLog(path.name)
        return sum(1 for _ in parse(path, tz=UTC, log=log, not_after=datetime.now(UTC)))

    return run


def setup_import(path: Path) -> Callable[[], int]:
    from journal.services.imports import ImportService
    from journal.storage.database import open_journal

    folder = tempfile.mkdtemp()
    opened = open_journal(Path(folder) / "journal")
    service = ImportService(opened.session_factory)

    def run() -> int:
        receipt, _change = service.import_file(path, tz=UTC)
        return receipt.total_added

    return run


_SETUPS = {"bare": setup_bare, "parse": setup_parse, "import": setup_import}


def child(mode: str, path: Path) -> None:
    run = _SETUPS[mode](path)
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"seconds": seconds, "peak_mb": peak_kb / 1024, "base_mb": before_kb / 1024}
    print(json.dumps({**result, "count": count}))


def measure(mode: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {mode} run failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300, help="size of the generated export.xml")
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        target = (args.keep or Path(folder)) / "export.xml"
        target.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        days = generate(target, args.mb)
        size_mb = target.stat().st_size / 2**20
        print(
            f"generated {size_mb:,.0f} MB ({days:,} days) in {time.perf_counter() - started:.1f} s"
        )
        results = {mode: measure(mode, target) for mode in _SETUPS}
    bare = results["bare"]["seconds"]
    print(
        f"\n{'run':<8}{'seconds':>9}{'MB/s':>8}{'vs bare':>9}{'peak MB':>9}{'at start':>10}"
        f"{'count':>11}"
    )
    for mode, r in results.items():
        print(
            f"{mode:<8}{r['seconds']:>9.1f}{size_mb / r['seconds']:>8.1f}"
            f"{bare / r['seconds']:>9.2f}{r['peak_mb']:>9.0f}{r['base_mb']:>10.0f}"
            f"{r['count']:>11,.0f}"
        )
    print("(count: elements for bare, records yielded for parse, records added for import)")
    imported = results["import"]
    speed_ok = bare / imported["seconds"] >= 0.5
    memory_ok = imported["peak_mb"] < 100
    print(
        f"\nimport speed {'meets' if speed_ok else 'misses'} the aim (>= 0.5 x bare); "
        f"peak memory {'meets' if memory_ok else 'misses'} the aim (< 100 MB)."
    )
    if args.json:
        print(json.dumps({"size_mb": size_mb, "days": days, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
