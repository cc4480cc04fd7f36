"""The journal's own CSV export (a folder or a zip of it): its layout, and reading it back.

The layout (files, columns, encodings) is defined here once; the exporter writes from the same
tables, so a column added here is written and read alike. docs/formats.md describes it.
"""

from __future__ import annotations

import csv
import json
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from journal.domain.entities import (
    BodyMeasurement,
    Fasting,
    GlucoseReading,
    GlucoseSource,
    LabDraw,
    LabResult,
    LoadUnit,
    Meal,
    PostMealWalk,
    Question,
    ResistanceSet,
    WalkKind,
    Workout,
    WorkoutKind,
)
from journal.services.importers import (
    MAX_ROWS,
    Cancel,
    ImportCancelledError,
    ImportFormatError,
    LineGuard,
    ParseLog,
    Progress,
)

__all__ = [
    "FILES",
    "FORMATS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "JOURNAL_CSV",
    "MANIFEST",
    "Column",
    "CsvFile",
    "encode",
    "parse",
    "sniff",
]

JOURNAL_CSV = "journal-csv"  # the import-batch format key
FORMAT_NAME = "metabolic-journal-csv"  # what the manifest says
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024
# A decade of 5-minute readings is ~60 MB of glucose.csv; far beyond that is not our export.
MAX_FILE_BYTES = 4 * 1024**3
_TICK = 10_000

Record = GlucoseReading | LabDraw | Workout | BodyMeasurement | PostMealWalk | Question

BODY_KINDS = {"body_mass": ("kg", "lb"), "waist": ("cm", "in")}


# --- the layout ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One CSV column: its header, how its text is read, and whether it may be empty."""

    name: str
    kind: str  # "time" | "float" | "int" | "text" | "bool" | an enum's name (see _ENUMS)
    required: bool = False


@dataclass(frozen=True, slots=True)
class CsvFile:
    name: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


def _cols(spec: str) -> tuple[Column, ...]:
    """ "name:kind!" per column ("!" = required), e.g. "drawn_at:time! notes:text"."""
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        out.append(Column(name, kind.rstrip("!"), kind.endswith("!")))
    return tuple(out)


LAB_DRAWS = CsvFile(
    "lab_draws.csv",
    _cols(
        "draw:int! drawn_at:time! fasting:fasting! hours_fasted:float lab_name:text notes:text "
        "source:text!"
    ),
)
LAB_RESULTS = CsvFile(
    "lab_results.csv",
    _cols(
        "draw:int! analyte:text! value:float! unit:text! loinc:text ref_low:float "
        "ref_high:float ref_text:text flag:text reported_name:text"
    ),
)
WORKOUTS = CsvFile(
    "workouts.csv",
    _cols(
        "workout:int! started_at:time! duration_min:float! kind:workout_kind! activity:text "
        "rpe:int avg_hr:int max_hr:int distance_km:float energy_kcal:float notes:text "
        "source:text!"
    ),
)
WORKOUT_SETS = CsvFile(
    "workout_sets.csv",
    _cols("workout:int! exercise:text! sets:int! reps:int! load:float load_unit:load_unit!"),
)
WALKS = CsvFile(
    "walks.csv",
    _cols(
        "meal:meal! meal_ended_at:time! started_at:time! duration_min:float! kind:walk_kind! "
        "pace_kmh:float distance_km:float notes:text source:text!"
    ),
)
GLUCOSE = CsvFile(
    "glucose.csv",
    _cols("at:time! value:float! unit:text! source:glucose_source! device:text"),
)
BODY_MEASUREMENTS = CsvFile(
    "body_measurements.csv",
    _cols("at:time! kind:text! value:float! unit:text! source:text!"),
)
QUESTIONS = CsvFile(
    "questions.csv",
    _cols(
        "position:int! text:text! origin:text! include:bool! created_at:time! "
        "answered_at:time answer:text basis:text"
    ),
)
FILES: tuple[CsvFile, ...] = (
    LAB_DRAWS,
    LAB_RESULTS,
    WORKOUTS,
    WORKOUT_SETS,
    WALKS,
    GLUCOSE,
    BODY_MEASUREMENTS,
    QUESTIONS,
)

_ENUMS: dict[str, type[Any]] = {
    "fasting": Fasting,
    "workout_kind": WorkoutKind,
    "load_unit": LoadUnit,
    "meal": Meal,
    "walk_kind": WalkKind,
    "glucose_source": GlucoseSource,
}


def encode(kind: str, value: object) -> str:
    """A value as its CSV text: UTC times with offset, floats exact, empty for None."""
    if value is None:
        return ""
    if kind == "time":
        assert isinstance(value, datetime)
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if kind == "float":
        assert isinstance(value, int | float)
        return repr(float(value))  # the shortest text that reads back as the same double
    if kind == "bool":
        return "true" if value else "false"
    if kind in _ENUMS:
        return str(getattr(value, "value", value))
    return str(value)


class _Bad(ValueError):
    """A field that cannot be read; becomes a rejection of its row."""


def _decode(column: Column, text: str) -> Any:
    if text == "":
        if column.required:
            raise _Bad(f"{column.name} is empty")
        return None
    kind = column.kind
    if kind == "text":
        return text
    if kind == "time":
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise _Bad(f"{column.name} {_short(text)!r} is not an ISO 8601 time") from None
        if when.tzinfo is None:
            raise _Bad(f"{column.name} {_short(text)!r} has no UTC offset")
        return when.astimezone(UTC)
    if kind == "float":
        try:
            number = float(text)
        except ValueError:
            raise _Bad(f"{column.name} {_short(text)!r} is not a number") from None
        if not math.isfinite(number):
            raise _Bad(f"{column.name} {_short(text)!r} is not a finite number")
        return number
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise _Bad(f"{column.name} {_short(text)!r} is not a whole number") from None
    if kind == "bool":
        if text in ("true", "false"):
            return text == "true"
        raise _Bad(f"{column.name} {_short(text)!r} is neither true nor false")
    enum = _ENUMS[kind]
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise _Bad(f"{column.name} {_short(text)!r} is not one of: {allowed}") from None


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


# --- where the files are: a folder or a zip --------------------------------------------------

# What a damaged zip member raises while it is read (a bad CRC, broken deflate data, cut short).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)


class _Files:
    """The export's files, from a folder or from a zip (at its root or in one folder)."""

    def __init__(self, path: Path, name: str, stack: ExitStack) -> None:
        self._name = name
        self._dir: Path | None = None
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if path.is_dir():
            self._dir = path
            return
        try:
            self._zip = stack.enter_context(zipfile.ZipFile(path))
        except (OSError, ValueError, NotImplementedError, *_ZIP_ERRORS) as exc:
            raise ImportFormatError(f"{name}: not a readable zip ({exc})") from exc
        for member in self._zip.namelist():
            if (
                member.startswith(("/", "\\"))
                or re.match(r"[A-Za-z]:", member)
                or (".." in re.split(r"[/\\]", member))
            ):
                raise ImportFormatError(
                    f"{name}: member '{_short(member, 80)}' has a path outside the archive; "
                    "an export of this app never has one, so the zip is refused"
                )
        prefix = _manifest_prefix(self._zip)
        if prefix is None:
            raise ImportFormatError(f"{name}: the zip holds no {MANIFEST}")
        self._prefix = prefix

    def size(self, file: str) -> int | None:
        if self._dir is not None:
            path = self._dir / file
            return path.stat().st_size if path.is_file() else None
        assert self._zip is not None
        try:
            return self._zip.getinfo(self._prefix + file).file_size
        except KeyError:
            return None

    def open(self, file: str) -> IO[bytes]:
        if self._dir is not None:
            return open(self._dir / file, "rb")
        assert self._zip is not None
        try:
            return self._zip.open(self._prefix + file)
        except (*_ZIP_ERRORS, RuntimeError, NotImplementedError) as exc:  # encrypted, odd method
            raise ImportFormatError(f"{self._name}, {file}: cannot be read ({exc})") from exc


def _manifest_prefix(archive: zipfile.ZipFile) -> str | None:
    """Where manifest.json sits: the zip's root, or one folder down (a zipped export folder)."""
    for name in archive.namelist():
        parts = name.split("/")
        if parts[-1] == MANIFEST and len(parts) <= 2:
            return name[: -len(MANIFEST)]
    return None


def _manifest_ok(data: bytes) -> bool:
    try:
        manifest = json.loads(data)
    except ValueError:
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT_NAME


def sniff(path: Path, head: bytes) -> bool:
    """A folder or zip whose manifest.json names this format (file names do not count)."""
    if path.is_dir():
        manifest = path / MANIFEST
        if not manifest.is_file() or manifest.stat().st_size > MAX_MANIFEST_BYTES:
            return False
        return _manifest_ok(manifest.read_bytes())
    if not head.startswith(b"PK\x03\x04"):
        return False
    with zipfile.ZipFile(path) as archive:
        prefix = _manifest_prefix(archive)
        if prefix is None:
            return False
        info = archive.getinfo(prefix + MANIFEST)
        if info.file_size > MAX_MANIFEST_BYTES:
            return False
        return _manifest_ok(archive.read(info))


# --- reading ---------------------------------------------------------------------------------


def _read_manifest(files: _Files, name: str) -> dict[str, Any]:
    size = files.size(MANIFEST)
    if size is None:
        raise ImportFormatError(f"{name}: {MANIFEST} is missing; this is not a journal export")
    if size > MAX_MANIFEST_BYTES:
        raise ImportFormatError(f"{name}: {MANIFEST} is larger than 64 KiB; not a journal export")
    try:
        with files.open(MANIFEST) as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
    except _ZIP_ERRORS as exc:
        raise ImportFormatError(f"{name}, {MANIFEST}: the zip is damaged ({exc})") from exc
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        raise ImportFormatError(f"{name}, {MANIFEST}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ImportFormatError(f"{name}, {MANIFEST}: does not describe a journal CSV export")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportFormatError(f"{name}, {MANIFEST}: the format version is missing")
    if version > FORMAT_VERSION:
        raise ImportFormatError(
            f"{name}: written by a newer version of the app (format version {version}; this "
            f"one reads up to {FORMAT_VERSION}). Please update the app."
        )
    if version < 1:
        raise ImportFormatError(f"{name}, {MANIFEST}: format version {version} does not exist")
    return manifest


class _Reader:
    """Reads the files of one export row by row, with bounded memory and exact locations."""

    def __init__(
        self,
        files: _Files,
        log: ParseLog,
        manifest: dict[str, Any],
        not_after: datetime | None,
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> None:
        self.files = files
        self.log = log
        self.not_after = not_after
        self.progress = progress
        self.cancel = cancel
        rows = manifest.get("rows")
        self.expected: dict[str, Any] = rows if isinstance(rows, dict) else {}

    def rows(self, spec: CsvFile) -> Iterator[tuple[str, dict[str, Any]]]:
        """(location, decoded row) for every readable row of one file; the rest rejected."""
        log, file = self.log, spec.name
        size = self.files.size(file)
        if size is None:
            if self.expected.get(file):
                raise ImportFormatError(
                    f"{log.file_name}: {file} is missing (the manifest lists "
                    f"{self.expected[file]:,} rows)"
                )
            return
        if size > MAX_FILE_BYTES:
            raise ImportFormatError(f"{log.file_name}: {file} is larger than 4 GiB; too large")
        with self.files.open(file) as handle:
            guard = LineGuard(cast(BinaryIO, handle), _FileLog(log, file))
            reader = csv.reader(guard, strict=True)
            try:
                header = next(reader, None)
                guard.record_start = guard.line
                if header is None:
                    raise ImportFormatError(f"{log.file_name}, {file}: the file is empty")
                index = self._header(header, spec)
                count = 0
                for row in reader:
                    line = guard.record_start + 1
                    guard.record_start = guard.line
                    count += 1
                    if count % _TICK == 0:
                        self._tick(count, file, guard, size)
                    where = f"{file} line {line}"
                    if len(row) != len(header):
                        log.reject(where, f"has {len(row)} fields, the header {len(header)}")
                        continue
                    try:
                        yield where, self._decode(row, index, spec)
                    except _Bad as exc:
                        log.reject(where, str(exc))
            except csv.Error as exc:
                raise ImportFormatError(
                    f"{log.file_name}, {file} line {guard.line}: not readable as CSV ({exc})"
                ) from exc
            except OSError as exc:
                raise ImportFormatError(
                    f"{log.file_name}, {file}: reading failed ({exc.strerror or exc})"
                ) from exc
            except _ZIP_ERRORS as exc:
                raise ImportFormatError(
                    f"{log.file_name}, {file}: the zip is damaged ({exc})"
                ) from exc
        wanted = self.expected.get(file)
        if isinstance(wanted, int) and wanted != count:
            raise ImportFormatError(
                f"{log.file_name}: {file} holds {count:,} rows but the manifest says "
                f"{wanted:,}; the export is incomplete or was edited"
            )

    def _tick(self, count: int, file: str, guard: LineGuard, size: int) -> None:
        if count > MAX_ROWS:
            raise ImportFormatError(f"{self.log.file_name}: {file} has more than {MAX_ROWS:,} rows")
        if self.cancel is not None and self.cancel():
            raise ImportCancelledError(f"Import of {self.log.file_name} cancelled.")
        if self.progress is not None:
            self.progress(f"reading {file}", guard.chars, size)

    def _header(self, header: list[str], spec: CsvFile) -> dict[str, int]:
        index = {name: i for i, name in enumerate(header)}
        missing = [c.name for c in spec.columns if c.name not in index]
        if missing:
            raise ImportFormatError(
                f"{self.log.file_name}, {spec.name} line 1: the header lacks {', '.join(missing)}"
            )
        unknown = [name for name in header if name not in {c.name for c in spec.columns}]
        if unknown:  # a later version's extra column: say it is left out, read the rest
            self.log.assume(
                f"{spec.name}: columns {', '.join(unknown)} are not read by this version"
            )
        return index

    def _decode(self, row: list[str], index: dict[str, int], spec: CsvFile) -> dict[str, Any]:
        out = {c.name: _decode(c, row[index[c.name]]) for c in spec.columns}
        if self.not_after is not None:
            for c in spec.columns:
                value = out[c.name]
                if c.kind == "time" and value is not None and value > self.not_after:
                    raise _Bad(f"{c.name} {encode('time', value)} is in the future")
        return out


class _FileLog(ParseLog):
    """Names the CSV inside the export in errors raised by the line guard."""

    def __init__(self, log: ParseLog, file: str) -> None:
        super().__init__(log.file_name)
        self._file = file

    def error(self, where: int | str, what: str) -> ImportFormatError:
        at = f"line {where}" if isinstance(where, int) else where
        return ImportFormatError(f"{self.file_name}, {self._file} {at}: {what}")


def _numbered(
    reader: _Reader, spec: CsvFile, key: str, what: str
) -> dict[int, tuple[str, dict[str, Any]]]:
    """Rows of a parent file by their number, refusing a number used twice."""
    out: dict[int, tuple[str, dict[str, Any]]] = {}
    for where, row in reader.rows(spec):
        number = row[key]
        if number in out:
            reader.log.reject(where, f"{what} {number} appears twice (first at {out[number][0]})")
            continue
        out[number] = (where, row)
    return out


def _children(
    reader: _Reader, spec: CsvFile, key: str, parents: dict[int, Any], what: str
) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for where, row in reader.rows(spec):
        number = row[key]
        if number not in parents:
            reader.log.reject(
                where,
                f"{what} {number} is not in {_PARENT_FILE[spec.name]} (or was rejected there)",
            )
            continue
        out.setdefault(number, []).append(row)
    return out


_PARENT_FILE = {LAB_RESULTS.name: LAB_DRAWS.name, WORKOUT_SETS.name: WORKOUTS.name}


def _body(where: str, row: dict[str, Any]) -> BodyMeasurement:
    units = BODY_KINDS.get(row["kind"])
    if units is None:
        raise _Bad(f"kind {_short(row['kind'])!r} is not one of: {', '.join(BODY_KINDS)}")
    if row["unit"] not in units:
        raise _Bad(f"unit {_short(row['unit'])!r} is not one of: {', '.join(units)}")
    return BodyMeasurement(**row)


def parse(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Record]:
    """Yield every record of an export: draws, workouts, walks, body, questions, then glucose.

    Every time carries its offset, so `tz` is not needed. Rows that cannot be read are
    rejected with their file and line; a missing or newer manifest, a missing column or a file
    whose row count disagrees with the manifest refuses the whole export.
    """
    name = log.file_name
    with ExitStack() as stack:
        try:
            files = _Files(path, name, stack)
            manifest = _read_manifest(files, name)
        except OSError as exc:
            raise ImportFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
        reader = _Reader(files, log, manifest, not_after, progress, cancel)

        draws = _numbered(reader, LAB_DRAWS, "draw", "draw")
        results = _children(reader, LAB_RESULTS, "draw", draws, "draw")
        for number, (_where, row) in draws.items():
            row.pop("draw")
            found = tuple(
                LabResult(**{k: v for k, v in r.items() if k != "draw"})
                for r in results.get(number, ())
            )
            yield LabDraw(**row, results=found)

        workouts = _numbered(reader, WORKOUTS, "workout", "workout")
        sets = _children(reader, WORKOUT_SETS, "workout", workouts, "workout")
        for number, (where, row) in workouts.items():
            row.pop("workout")
            found_sets = tuple(
                ResistanceSet(**{k: v for k, v in s.items() if k != "workout"})
                for s in sets.get(number, ())
            )
            if row["duration_min"] <= 0:
                log.reject(where, "duration_min must be more than 0")
                continue
            yield Workout(**row, sets=found_sets)

        for _where, row in reader.rows(WALKS):
            yield PostMealWalk(**row)
        for where, row in reader.rows(BODY_MEASUREMENTS):
            try:
                yield _body(where, row)
            except _Bad as exc:
                log.reject(where, str(exc))
        for _where, row in reader.rows(QUESTIONS):
            yield Question(**row)
        for where, row in reader.rows(GLUCOSE):
            if row["unit"] not in ("mg/dL", "mmol/L") or row["value"] <= 0:
                log.reject(
                    where, f"glucose {row['value']!r} {_short(row['unit'])} is not a reading"
                )
                continue
            yield GlucoseReading(**row)


FORMATS: dict[str, tuple[Callable[[Path, bytes], bool], Callable[..., Iterator[Record]]]] = {
    JOURNAL_CSV: (sniff, parse)
}
