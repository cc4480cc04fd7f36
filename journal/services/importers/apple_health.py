"""Apple Health exports (export.zip or its export.xml): workouts, glucose, weight, waist and labs.

The export is read as a stream, so a multi-gigabyte export.xml costs a bounded amount of memory:
bytes go from the file (or the zip member, through size and compression-ratio checks) through a
filter that drops the document type declaration and stray control characters, into expat with
one Python callback per element. Nothing is ever extracted to disk, so a zip member's path is
only ever a label; members whose path climbs out of the archive are refused all the same.

Decisions, documented in docs/formats.md:
- A workout's length is Apple's own `duration`, which is active time: paused spans are already
  left out (an exported walk of 10:50–14:25 with a 10.6-minute pause has duration 204.7 min).
  When `duration` is missing, it is end minus start minus the spans between Pause/Resume (and
  MotionPaused/MotionResumed) events.
- Blood glucose is stored as CGM when its source name or device names a sensor maker or a CGM
  app (Dexcom, Libre, Eversense, xDrip …), otherwise as a finger-stick reading: meters and
  manual entries in the Health app carry no such name.
- The document type declaration is removed before parsing, never interpreted: Apple's own
  (iOS 16+) is malformed, and a file that declares entities is refused outright, which rules
  out external-entity reads and entity-expansion bombs.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import stat
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final, Protocol

from journal.domain.analytes import get_analyte
from journal.domain.entities import (
    BodyMeasurement,
    GlucoseReading,
    GlucoseSource,
    LabDraw,
    Workout,
    WorkoutKind,
)
from journal.services.importers import (
    Cancel,
    ImportCancelledError,
    ImportFormatError,
    ParseLog,
    Progress,
    Rejection,
)
from journal.services.importers.fhir import draws_from_resources

__all__ = [
    "APPLE_HEALTH",
    "FORMATS",
    "MAX_RATIO",
    "MAX_TAG_BYTES",
    "MAX_XML_BYTES",
    "parse",
    "sniff",
]

APPLE_HEALTH = "apple-health"
SOURCE = "apple-health"

Entity = LabDraw | Workout | GlucoseReading | BodyMeasurement

# Apple's DTD is about 10 KB; the prolog (XML declaration, comments, DTD) must fit in 1 MiB.
MAX_PROLOG_BYTES = 1 << 20
# Bytes between two '>' characters: one tag with its attributes, or the text between tags.
# Apple's longest tags are a few KB; expat buffers an unfinished tag whole, so this bounds
# the memory a single hostile attribute or line can take.
MAX_TAG_BYTES = 1 << 20
# Six years of an Apple Watch make about 2 GB of XML; 32 GiB is far past any phone's export.
MAX_XML_BYTES = 32 << 30
# Apple's export.xml deflates about 10–25 to 1; a ratio past 200 is a bomb, not health data.
MAX_RATIO = 200
# Checked only once this much has been inflated, so tiny members are not judged on headers.
_RATIO_GRACE = 1 << 20
MAX_MEMBERS = 500_000  # entries in the zip (routes and ECGs included)
MAX_CLINICAL_FILES = 100_000
MAX_CLINICAL_BYTES = 16 << 20  # one clinical-records JSON file (one FHIR resource)
MAX_ENTITIES = 10_000_000  # records taken from one export
MAX_DEVICES = 1000  # distinct glucose sources; the import service packs keys relying on it
MAX_CANDIDATES = 64  # zip members sniffed for the HealthData root

_BLOCK = 1 << 18
_INFLATE_STEP = 1 << 14  # bytes asked of a zip member at a time
_TICK_BYTES = 8 << 20  # progress and cancel every 8 MiB of XML
_MAX_TEXT = 200

# Bytes that are not allowed anywhere in XML 1.0 (C0 controls other than tab, LF, CR).
# In UTF-8 they never occur inside a multi-byte sequence, so they can be replaced bytewise.
_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_CLEAN = bytes.maketrans(_CONTROL, b" " * len(_CONTROL))

# The journal's bounds for a workout (TrainingService.validate) and for heart rates.
_MIN_MINUTES, _MAX_MINUTES = 1.0, 24 * 60.0
_HR_RANGE = (25, 230)
_MAX_KM = 1000.0
_MAX_KCAL = 20_000.0

_PREFIXES = ("HKQuantityTypeIdentifier", "HKCategoryTypeIdentifier", "HKDataTypeIdentifier")
_GLUCOSE = "HKQuantityTypeIdentifierBloodGlucose"
_BODY_MASS = "HKQuantityTypeIdentifierBodyMass"
_WAIST = "HKQuantityTypeIdentifierWaistCircumference"
_WORKOUT_TYPE = "HKWorkoutActivityType"

# Words in a glucose record's source name or device that say a sensor (CGM) wrote it.
_CGM_WORDS = tuple(
    [
        "dexcom",
        "libre",
        "freestyle",
        "abbott",
        "eversense",
        "senseonics",
        "guardian",
        "medtronic",
        "simplera",
        "cgm",
        "xdrip",
        "sugarmate",
        "glimp",
        "diabox",
        "juggluco",
        "spike",
        "lingo",
        "stelo",
    ]
)

_KINDS: Mapping[str, WorkoutKind] = {
    **dict.fromkeys(
        [
            "Running",
            "Cycling",
            "Walking",
            "Swimming",
            "Hiking",
            "Rowing",
            "Elliptical",
            "StairClimbing",
            "Stairs",
            "StepTraining",
            "CrossCountrySkiing",
            "DownhillSkiing",
            "SnowSports",
            "Paddling",
            "PaddleSports",
            "SkatingSports",
            "HandCycling",
            "WheelchairRunPace",
            "WheelchairWalkPace",
            "JumpRope",
            "Dance",
            "CardioDance",
            "SocialDance",
            "WaterFitness",
            "SwimBikeRun",
            "Transition",
        ],
        WorkoutKind.AEROBIC,
    ),
    "TraditionalStrengthTraining": WorkoutKind.RESISTANCE,
    "FunctionalStrengthTraining": WorkoutKind.RESISTANCE,
    "HighIntensityIntervalTraining": WorkoutKind.HIIT,
    "CrossTraining": WorkoutKind.COMBINED,
    "MixedCardio": WorkoutKind.COMBINED,
    "MixedMetabolicCardioTraining": WorkoutKind.COMBINED,
}

_KM_PER: Mapping[str, float] = {
    "km": 1.0,
    "m": 0.001,
    "cm": 0.00001,
    "mi": 1.609344,
    "yd": 0.0009144,
    "ft": 0.0003048,
}
_KCAL_PER: Mapping[str, float] = {
    "kcal": 1.0,
    "Cal": 1.0,
    "cal": 0.001,
    "kJ": 1 / 4.184,
    "J": 1 / 4184,
}
_MINUTES_PER: Mapping[str, float] = {"min": 1.0, "s": 1 / 60, "sec": 1 / 60, "hr": 60.0, "h": 60.0}
# Body units: (the unit stored, factor to it). Stones become pounds, grams kilograms.
_MASS_UNITS: Mapping[str, tuple[str, float]] = {
    "kg": ("kg", 1.0),
    "lb": ("lb", 1.0),
    "g": ("kg", 0.001),
    "st": ("lb", 14.0),
}
_LENGTH_UNITS: Mapping[str, tuple[str, float]] = {
    "cm": ("cm", 1.0),
    "in": ("in", 1.0),
    "m": ("cm", 100.0),
    "mm": ("cm", 0.1),
    "ft": ("in", 12.0),
}
_MMOL = re.compile(r"mmol(?:<[0-9.]+>)?/L")
_PAUSES = frozenset({"HKWorkoutEventTypePause", "HKWorkoutEventTypeMotionPaused"})
_RESUMES = frozenset({"HKWorkoutEventTypeResume", "HKWorkoutEventTypeMotionResumed"})

# Prolog of an XML file: declaration, processing instructions, comments, whitespace.
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_DOCTYPE_HEAD = re.compile(rb"""\s*<!DOCTYPE(?:"[^"]*"|'[^']*'|[^"'\[>])*""", re.S)
# Tokens of a DTD internal subset: comments and quoted literals are skipped whole so that a
# ']' or '<!ENTITY' inside them counts for nothing.
_SUBSET_TOKEN = re.compile(
    rb"""<!--.*?-->|"[^"]*"|'[^']*'|(?P<entity><!ENTITY)|(?P<end>\]\s*>)|[^<"'\]]+|.""", re.S
)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w.:-]*)")


def _reject(log: ParseLog, where: str, reason: str) -> None:
    """Record a rejection located by element ("Record #12 (line 40)"), not by line alone."""
    log.rejected_count += 1
    if len(log.rejections) < 1_000:
        log.rejections.append(Rejection(where, reason))


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _readable(type_name: str) -> str:
    """ "HKQuantityTypeIdentifierStepCount" → "step count"; element names likewise."""
    for prefix in _PREFIXES:
        if type_name.startswith(prefix):
            type_name = type_name[len(prefix) :]
            break
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type_name[:80]).strip()
    return words.lower() or "records without a type"


def _label(activity: str) -> str:
    """ "TraditionalStrengthTraining" → "Traditional strength training"."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", activity[:_MAX_TEXT]).strip()
    return words[:1].upper() + words[1:].lower()


# --- the byte stream: prolog, control characters, tag length ---------------------------------


@dataclass(slots=True)
class _Prolog:
    """Where the document type declaration is in a file's head, and what it declares."""

    start: int = 0
    end: int = 0
    declares_entities: bool = False
    closed: bool = True

    @property
    def present(self) -> bool:
        return self.end > self.start


def _scan_prolog(head: bytes) -> tuple[_Prolog, int]:
    """The DOCTYPE's span in `head` (if any) and the offset where the root element starts."""
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while (item := _PROLOG_ITEM.match(head, pos)) is not None:
        pos = item.end()
    prolog = _Prolog()
    doctype = _DOCTYPE_HEAD.match(head, pos)
    if doctype is not None:
        start = doctype.start() + len(doctype[0]) - len(doctype[0].lstrip())
        cursor = doctype.end()
        if head.startswith(b">", cursor):
            prolog = _Prolog(start, cursor + 1)
        elif head.startswith(b"[", cursor):
            cursor += 1
            prolog = _Prolog(start, start, closed=False)
            while (token := _SUBSET_TOKEN.match(head, cursor)) is not None:
                cursor = token.end()
                if token["entity"] is not None:
                    prolog.declares_entities = True
                elif token["end"] is not None:
                    prolog.end, prolog.closed = cursor, True
                    break
        else:
            prolog = _Prolog(start, start, closed=False)
        pos = prolog.end if prolog.closed else len(head)
        while (item := _PROLOG_ITEM.match(head, pos)) is not None:
            pos = item.end()
    return prolog, pos


def _root_name(head: bytes) -> str | None:
    prolog, pos = _scan_prolog(head)
    if not prolog.closed:
        return "HealthData" if b"<!DOCTYPE HealthData" in head[:64] else None
    match = _ROOT.match(head, pos)
    return match[1].decode("ascii", "replace") if match else None


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _CleanStream:
    """Yields a byte stream ready for expat: DTD blanked, control characters replaced.

    The DOCTYPE is replaced by as many newlines as it spanned, so expat's line numbers are the
    file's own. Bytes between two '>' are counted so that one endless tag is refused after
    MAX_TAG_BYTES rather than buffered whole.
    """

    def __init__(self, raw: _Readable, log: ParseLog, what: str) -> None:
        self._raw = raw
        self._log = log
        self._what = what
        self.done = 0  # bytes read from the source
        self.controls = 0  # control characters replaced
        self._gap = 0  # bytes since the last '>'
        self._line = 1  # lines before the current block (only for the error message)

    def blocks(self) -> Iterator[bytes]:
        head = self._read(MAX_PROLOG_BYTES)
        if not head:
            raise ImportFormatError(f"{self._what}: the file is empty")
        prolog, _ = _scan_prolog(head)
        if prolog.declares_entities:
            raise ImportFormatError(
                f"{self._what}: declares XML entities in its DOCTYPE; an Apple Health export "
                "never does, and entities can read other files or expand without end, "
                "so the file is refused"
            )
        if not prolog.closed:
            raise ImportFormatError(
                f"{self._what}: the DOCTYPE declaration does not end within the first "
                f"{MAX_PROLOG_BYTES // 2**20} MiB; not an Apple Health export (or damaged)"
            )
        if prolog.present:
            blank = b"\n" * head.count(b"\n", prolog.start, prolog.end)
            head = head[: prolog.start] + blank + head[prolog.end :]
        yield self._clean(head)
        while block := self._read(_BLOCK):
            yield self._clean(block)

    def _read(self, size: int) -> bytes:
        block = self._raw.read(size)
        self.done += len(block)
        return block

    def _clean(self, block: bytes) -> bytes:
        last = block.rfind(b">")
        if last < 0:
            self._gap += len(block)
        else:
            self._gap = len(block) - 1 - last
        if self._gap > MAX_TAG_BYTES:
            line = self._line + block.count(b"\n", 0, max(0, len(block) - self._gap))
            raise ImportFormatError(
                f"{self._what}, line {line}: a single tag or text runs over "
                f"{MAX_TAG_BYTES // 2**20} MiB without a '>'; not an Apple Health export "
                "(or damaged)"
            )
        self._line += block.count(b"\n")
        cleaned = block.translate(_CLEAN)
        if cleaned != block:
            self.controls += sum(block.count(bytes([c])) for c in _CONTROL)
        return cleaned


# --- zip archives ----------------------------------------------------------------------------


class _CountingFile(io.RawIOBase):
    """A file whose bytes read are counted: the compressed side of the ratio check."""

    def __init__(self, handle: IO[bytes]) -> None:
        super().__init__()
        self._handle = handle
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.consumed += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()


class _MemberReader(io.RawIOBase):
    """Reads one zip member, refusing it the moment it inflates past its limits."""

    def __init__(self, archive: _Archive, info: zipfile.ZipInfo, limit: int, what: str) -> None:
        super().__init__()
        self._archive = archive
        self._what = what
        self._limit = min(limit, info.file_size)
        self._out = 0
        self._start = archive.counter.consumed
        try:
            self._member = archive.zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise ImportFormatError(f"{what}: cannot be read from the zip ({exc})") from exc

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self._limit + 1
        parts: list[bytes] = []
        got = 0
        while got < size:
            chunk = self._inflate(min(_INFLATE_STEP, size - got))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def _inflate(self, size: int) -> bytes:
        # Small steps keep zipfile's read-ahead of compressed bytes small, so the ratio of
        # bytes out to bytes in is measured as it happens, not after a whole buffer.
        try:
            data = self._member.read(size)
        except Exception as exc:  # BadZipFile, zlib.error, EOFError: all a damaged archive
            raise ImportFormatError(f"{self._what}: the zip is damaged ({exc})") from exc
        self._out += len(data)
        if self._out > self._limit:
            raise ImportFormatError(
                f"{self._what}: inflates past its declared or allowed size; refused as a zip bomb"
            )
        compressed = self._archive.counter.consumed - self._start
        if self._out > _RATIO_GRACE and self._out > MAX_RATIO * max(compressed, 1):
            raise ImportFormatError(
                f"{self._what}: inflates more than {MAX_RATIO} to 1; refused as a zip bomb"
            )
        return data

    def close(self) -> None:
        self._member.close()
        super().close()


def _is_junk(name: str) -> bool:
    parts = name.split("/")
    return (
        "__MACOSX" in parts
        or parts[-1].startswith("._")
        or parts[-1] in {".DS_Store", "Thumbs.db", ""}
    )


def _climbs_out(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


class _Archive:
    """An opened zip: its member list checked, the export found by content."""

    def __init__(self, path: Path, log: ParseLog) -> None:
        self.name = log.file_name
        try:
            self._handle = open(path, "rb")  # noqa: SIM115 (closed in close())
        except OSError as exc:
            raise ImportFormatError(f"{self.name}: cannot be read ({exc.strerror or exc})") from exc
        self.counter = _CountingFile(self._handle)
        try:
            self.zip = zipfile.ZipFile(self.counter)
            self.members = self.zip.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,  # a zip version or feature the reader does not know
        ) as exc:
            self._handle.close()
            raise ImportFormatError(f"{self.name}: not a readable zip archive ({exc})") from exc
        except Exception:
            self._handle.close()
            raise
        try:
            self._check_members()
        except BaseException:
            self.close()
            raise

    def _check_members(self) -> None:
        if len(self.members) > MAX_MEMBERS:
            raise ImportFormatError(
                f"{self.name}: holds {len(self.members):,} files; more than any Health export"
            )
        for info in self.members:
            if _climbs_out(info.filename):
                raise ImportFormatError(
                    f"{self.name}: member '{_short(info.filename, 80)}' has a path outside the "
                    "archive; a Health export never has one, so the zip is refused "
                    "(nothing is ever extracted to disk)"
                )
        # Members whose data overlap let a small zip list one compressed block any number of
        # times (each copy passing the ratio check); a zip that was written never has them.
        end = 0
        for info in sorted(self.members, key=lambda i: i.header_offset):
            if info.header_offset < end:
                raise ImportFormatError(
                    f"{self.name}: member '{_short(info.filename, 80)}' overlaps another; "
                    "refused as a zip bomb"
                )
            end = info.header_offset + max(info.compress_size, 1)

    def close(self) -> None:
        self.zip.close()
        self._handle.close()

    def open(self, info: zipfile.ZipInfo, limit: int, what: str) -> _MemberReader:
        if info.flag_bits & 0x1:
            raise ImportFormatError(f"{what}: is encrypted")
        if info.file_size > limit:
            raise ImportFormatError(
                f"{what}: declares {info.file_size / 2**20:,.0f} MB uncompressed, more than "
                f"the {limit / 2**20:,.0f} MB allowed; refused"
            )
        if info.file_size > _RATIO_GRACE and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ImportFormatError(
                f"{what}: declares a compression ratio above {MAX_RATIO} to 1; "
                "refused as a zip bomb"
            )
        return _MemberReader(self, info, limit, what)

    def export_member(self) -> tuple[zipfile.ZipInfo | None, ImportFormatError | None]:
        """The first member whose XML root is HealthData, whatever its (translated) name.

        Without one, the error that stopped a candidate from being read (a bomb, encryption)
        comes back instead, so the user hears why rather than "no export found".
        """
        candidates = [
            info
            for info in self.members
            if not info.is_dir()
            and not _is_junk(info.filename)
            and not {"workout-routes", "clinical-records", "electrocardiograms"}
            & set(info.filename.split("/")[:-1])
        ]
        # Names only order the search (export.xml is usually first); the content decides.
        candidates.sort(key=lambda i: (not i.filename.lower().endswith(".xml"), i.filename))
        refused: ImportFormatError | None = None
        for info in candidates[:MAX_CANDIDATES]:
            try:
                with self.open(info, MAX_XML_BYTES, f"{self.name}: {info.filename}") as member:
                    head = member.read(MAX_PROLOG_BYTES)
            except ImportFormatError as exc:
                refused = refused or exc
                continue
            if _root_name(head) == "HealthData":
                return info, None
        return None, refused

    def clinical_records(self) -> list[zipfile.ZipInfo]:
        return [
            info
            for info in self.members
            if not info.is_dir()
            and not _is_junk(info.filename)
            and info.filename.lower().endswith(".json")
            and "clinical-records" in info.filename.split("/")[:-1]
        ]


# --- reading the XML -------------------------------------------------------------------------


@dataclass(slots=True)
class _Stats:
    """What a workout's WorkoutStatistics children say (at one level: workout or activity)."""

    kcal: float | None = None
    km: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    seen: bool = False


@dataclass(slots=True)
class _WorkoutDraft:
    number: int
    line: int
    attrs: dict[str, str]
    own: _Stats = field(default_factory=_Stats)
    activities: _Stats = field(default_factory=_Stats)
    events: list[tuple[str, str]] = field(default_factory=list)
    in_activity: bool = False
    problem: str | None = None

    @property
    def where(self) -> str:
        return f"Workout #{self.number} (line {self.line})"


class _Refused(Exception):
    """Raised from an expat callback; turned into ImportFormatError with the parser's line."""


def _refuse_entities(*_: object) -> None:
    raise _Refused("declares XML entities; refused")


def _refuse_external(
    context: str, base: str | None, system_id: str | None, public_id: str | None
) -> int:
    raise _Refused("refers to an external entity; refused (it is never read)")


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _Reader:
    """expat callbacks turning an export's elements into the journal's records."""

    def __init__(self, log: ParseLog, tz: tzinfo, not_after: datetime | None, what: str) -> None:
        self.log = log
        self.tz = tz
        self.not_after = not_after
        self.what = what
        self.out: list[Entity] = []
        self.taken = 0
        self.depth = 0
        self.records = 0
        self.workouts = 0
        self.clinical_elements = 0
        self.skipped: dict[str, int] = {}
        self.workout: _WorkoutDraft | None = None
        self.glucose_sources: dict[tuple[str, str], tuple[GlucoseSource, str]] = {}
        self.cgm = 0
        self.fingerstick = 0
        self.dropped_hr = 0
        self.from_events = 0
        self.root_seen = False
        parser = xml.parsers.expat.ParserCreate()
        parser.buffer_text = False
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        # The DTD was removed before expat sees the bytes; these are a second wall.
        parser.EntityDeclHandler = _refuse_entities
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.ExternalEntityRefHandler = _refuse_external
        self.parser = parser
        self._takers: dict[str, Callable[[dict[str, str], str], None]] = {
            _GLUCOSE: self._glucose,
            _BODY_MASS: self._body_mass,
            _WAIST: self._waist,
        }

    # -- element events --

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        depth = self.depth
        if depth == 2:
            if name == "Record":
                self.records += 1
                kind = attrs.get("type", "")
                take = self._takers.get(kind)
                if take is None:
                    self.skipped[kind] = self.skipped.get(kind, 0) + 1
                else:
                    line = self.parser.CurrentLineNumber
                    take(attrs, f"Record #{self.records} (line {line})")
            elif name == "Workout":
                self.workouts += 1
                self.workout = _WorkoutDraft(self.workouts, self.parser.CurrentLineNumber, attrs)
            elif name == "ClinicalRecord":
                self.clinical_elements += 1
            elif name not in ("ExportDate", "Me"):
                self.skipped[name] = self.skipped.get(name, 0) + 1
        elif self.workout is not None and depth > 2:
            self._workout_child(self.workout, name, attrs, depth)
        elif depth == 1:
            if name != "HealthData":
                raise _Refused(f"the root element is <{_short(name)}>, not <HealthData>")
            self.root_seen = True

    def _end(self, name: str) -> None:
        if self.depth == 2 and self.workout is not None:
            draft, self.workout = self.workout, None
            workout = self._finish_workout(draft)
            if workout is not None:
                self._emit(workout)
        elif self.depth == 3 and name == "WorkoutActivity" and self.workout is not None:
            self.workout.in_activity = False
        self.depth -= 1

    def _emit(self, entity: Entity) -> None:
        self.taken += 1
        if self.taken > MAX_ENTITIES:
            raise _Refused(f"holds more than {MAX_ENTITIES:,} records to import; too large")
        self.out.append(entity)

    # -- times and numbers --

    def _time(self, raw: str | None, what: str, where: str) -> datetime | None:
        if not raw:
            _reject(self.log, where, f"has no {what}")
            return None
        try:
            at = datetime.fromisoformat(raw.strip())
        except ValueError:
            _reject(self.log, where, f"{what} '{_short(raw)}' is not a date and time")
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.tz)
        if at.year < 1900:
            _reject(self.log, where, f"{what} {_short(raw)} is before 1900")
            return None
        if self.not_after is not None and at > self.not_after:
            _reject(self.log, where, f"{what} {_short(raw)} is in the future")
            return None
        return at

    def _value(self, attrs: dict[str, str], where: str) -> float | None:
        raw = attrs.get("value")
        value = _number(raw)
        if value is None:
            _reject(
                self.log,
                where,
                "has no value" if raw is None else f"value '{_short(raw)}' is not a number",
            )
        return value

    # -- records --

    def _glucose(self, attrs: dict[str, str], where: str) -> None:
        raw_unit = attrs.get("unit", "")
        unit = "mg/dL" if raw_unit == "mg/dL" else "mmol/L" if _MMOL.fullmatch(raw_unit) else None
        if unit is None:
            _reject(self.log, where, f"glucose unit '{_short(raw_unit)}' is not mg/dL or mmol/L")
            return
        value = self._value(attrs, where)
        if value is None:
            return
        low, high = _GLUCOSE_LIMITS[unit]
        if not low <= value <= high:
            _reject(
                self.log,
                where,
                f"glucose {value:g} {unit} is outside any possible reading "
                f"({low:.3g}–{high:.4g} {unit})",
            )
            return
        at = self._time(attrs.get("startDate"), "startDate", where)
        if at is None:
            return
        source, device = self._glucose_source(attrs.get("sourceName", ""), attrs.get("device", ""))
        self._emit(GlucoseReading(at=at, value=value, unit=unit, source=source, device=device))

    def _glucose_source(self, name: str, device: str) -> tuple[GlucoseSource, str]:
        key = (name, device)
        found = self.glucose_sources.get(key)
        if found is None:
            if len(self.glucose_sources) >= MAX_DEVICES:
                raise _Refused(f"names more than {MAX_DEVICES} glucose sources")
            evidence = f"{name} {device}".lower()
            cgm = any(word in evidence for word in _CGM_WORDS)
            source = GlucoseSource.CGM if cgm else GlucoseSource.FINGERSTICK
            found = self.glucose_sources[key] = (source, name.strip()[:_MAX_TEXT] or "Apple Health")
        if found[0] is GlucoseSource.CGM:
            self.cgm += 1
        else:
            self.fingerstick += 1
        return found

    def _body(
        self,
        attrs: dict[str, str],
        where: str,
        kind: str,
        units: Mapping[str, tuple[str, float]],
        analyte: str,
    ) -> None:
        raw_unit = attrs.get("unit", "")
        known = units.get(raw_unit)
        if known is None:
            accepted = ", ".join(units)
            _reject(self.log, where, f"unit '{_short(raw_unit)}' is not one of {accepted}")
            return
        value = self._value(attrs, where)
        if value is None:
            return
        unit, factor = known
        value *= factor
        catalogue = get_analyte(analyte)
        low, high = catalogue.hard_limits
        conventional = catalogue.to_conventional(value, unit)
        if not low <= conventional <= high:
            shown_low = catalogue.from_conventional(low, unit)
            shown_high = catalogue.from_conventional(high, unit)
            _reject(
                self.log,
                where,
                f"{catalogue.name.lower()} {value:g} {unit} is outside any possible "
                f"measurement ({shown_low:.3g}–{shown_high:.4g} {unit})",
            )
            return
        at = self._time(attrs.get("startDate"), "startDate", where)
        if at is None:
            return
        self._emit(BodyMeasurement(at=at, kind=kind, value=value, unit=unit, source=SOURCE))

    def _body_mass(self, attrs: dict[str, str], where: str) -> None:
        self._body(attrs, where, "body_mass", _MASS_UNITS, "weight")

    def _waist(self, attrs: dict[str, str], where: str) -> None:
        self._body(attrs, where, "waist", _LENGTH_UNITS, "waist")

    # -- workouts --

    def _workout_child(
        self, draft: _WorkoutDraft, name: str, attrs: dict[str, str], depth: int
    ) -> None:
        if name == "WorkoutStatistics":
            self._statistic(draft, draft.activities if draft.in_activity else draft.own, attrs)
        elif name == "WorkoutEvent":
            kind = attrs.get("type", "")
            if (kind in _PAUSES or kind in _RESUMES) and len(draft.events) < 10_000:
                draft.events.append((kind, attrs.get("date", "")))
        elif name == "WorkoutActivity" and depth == 3:
            draft.in_activity = True

    def _statistic(self, draft: _WorkoutDraft, stats: _Stats, attrs: dict[str, str]) -> None:
        kind = attrs.get("type", "")
        unit = attrs.get("unit", "")
        if kind == "HKQuantityTypeIdentifierActiveEnergyBurned":
            total = _number(attrs.get("sum"))
            factor = _KCAL_PER.get(unit)
            if total is not None and factor is not None:
                stats.kcal = (stats.kcal or 0.0) + total * factor
                stats.seen = True
            elif total is not None:
                draft.problem = f"energy unit '{_short(unit)}' is not known"
        elif kind.startswith("HKQuantityTypeIdentifierDistance"):
            total = _number(attrs.get("sum"))
            factor = _KM_PER.get(unit)
            if total is not None and factor is not None:
                stats.km = (stats.km or 0.0) + total * factor
                stats.seen = True
            elif total is not None:
                draft.problem = f"distance unit '{_short(unit)}' is not known"
        elif kind == "HKQuantityTypeIdentifierHeartRate" and unit == "count/min":
            average = _number(attrs.get("average"))
            maximum = _number(attrs.get("maximum"))
            if average is not None:
                # Several activities: the last average stands (a per-activity mean of means
                # would need each one's beat count, which the export does not give).
                stats.avg_hr = average
                stats.seen = True
            if maximum is not None:
                stats.max_hr = maximum if stats.max_hr is None else max(stats.max_hr, maximum)
                stats.seen = True

    def _legacy(
        self, draft: _WorkoutDraft, value: str, unit: str, table: Mapping[str, float]
    ) -> float | None:
        raw = draft.attrs.get(value)
        if raw is None:
            return None
        amount = _number(raw)
        if amount is None:
            draft.problem = f"{value} '{_short(raw)}' is not a number"
            return None
        unit_name = draft.attrs.get(unit, "")
        factor = table.get(unit_name)
        if factor is None:
            draft.problem = f"{unit} '{_short(unit_name)}' is not known"
            return None
        return amount * factor

    def _finish_workout(self, draft: _WorkoutDraft) -> Workout | None:
        log, where, attrs = self.log, draft.where, draft.attrs
        start = self._time(attrs.get("startDate"), "startDate", where)
        if start is None:
            return None
        minutes = self._minutes(draft, start)
        if minutes is None:
            return None
        if draft.problem is not None:
            _reject(log, where, draft.problem)
            return None
        if minutes < _MIN_MINUTES:
            _reject(log, where, f"lasts {minutes * 60:.0f} s; a workout needs at least a minute")
            return None
        if minutes > _MAX_MINUTES:
            _reject(log, where, f"lasts {minutes / 60:.1f} h; longer than a day")
            return None
        stats = draft.own if draft.own.seen else draft.activities
        km = stats.km
        if km is None:
            km = self._legacy(draft, "totalDistance", "totalDistanceUnit", _KM_PER)
        kcal = stats.kcal
        if kcal is None:
            kcal = self._legacy(draft, "totalEnergyBurned", "totalEnergyBurnedUnit", _KCAL_PER)
        if draft.problem is not None:
            _reject(log, where, draft.problem)
            return None
        km = None if km is None or km <= 0 else km
        kcal = None if kcal is None or kcal <= 0 else kcal
        if km is not None and km > _MAX_KM:
            _reject(log, where, f"distance {km:,.0f} km is beyond 1,000 km")
            return None
        if kcal is not None and kcal > _MAX_KCAL:
            _reject(log, where, f"energy {kcal:,.0f} kcal is beyond 20,000 kcal")
            return None
        activity_type = attrs.get("workoutActivityType", "")
        short = activity_type.removeprefix(_WORKOUT_TYPE)
        kind = _KINDS.get(short, WorkoutKind.OTHER)
        return Workout(
            started_at=start.astimezone(UTC),
            duration_min=minutes,
            kind=kind,
            activity=_label(short) if short else None,
            avg_hr=self._hr(stats.avg_hr),
            max_hr=self._hr(stats.max_hr),
            distance_km=km,
            energy_kcal=kcal,
            source=SOURCE,
        )

    def _minutes(self, draft: _WorkoutDraft, start: datetime) -> float | None:
        attrs, where = draft.attrs, draft.where
        raw = attrs.get("duration")
        if raw is not None:
            amount = _number(raw)
            factor = _MINUTES_PER.get(attrs.get("durationUnit", "min"))
            if amount is None or factor is None:
                _reject(
                    self.log,
                    where,
                    f"duration '{_short(raw)} {_short(attrs.get('durationUnit', ''))}' "
                    "is not a length of time",
                )
                return None
            return amount * factor
        end = self._time(attrs.get("endDate"), "endDate", where)
        if end is None:
            return None
        paused = timedelta()
        since: datetime | None = None
        for kind, raw_date in sorted(draft.events, key=lambda e: e[1]):
            try:
                at = datetime.fromisoformat(raw_date)
            except ValueError:
                continue
            if at.tzinfo is None:
                at = at.replace(tzinfo=self.tz)
            if kind in _PAUSES and since is None:
                since = at
            elif kind in _RESUMES and since is not None:
                paused += at - since
                since = None
        if since is not None:
            paused += max(end - since, timedelta())
        self.from_events += 1
        return (end - start - paused).total_seconds() / 60.0

    def _hr(self, value: float | None) -> int | None:
        if value is None or value <= 0:
            return None
        rounded = round(value)
        if not _HR_RANGE[0] <= rounded <= _HR_RANGE[1]:
            self.dropped_hr += 1
            return None
        return rounded

    def finish(self) -> None:
        for kind, count in self.skipped.items():
            self.log.not_imported[_readable(kind)] += count
        if self.cgm:
            self.log.assume(
                f"{_n(self.cgm, 'glucose reading')} came from a source naming a sensor "
                "(Dexcom, Libre …) and were stored as CGM readings."
            )
        if self.fingerstick:
            self.log.assume(
                f"{_n(self.fingerstick, 'glucose reading')} came from a meter, an app or manual "
                "entry and were stored as finger-stick readings."
            )
        if self.from_events:
            self.log.assume(
                f"{_n(self.from_events, 'workout')} gave no duration; their length is end minus "
                "start, less any paused time."
            )
        if self.dropped_hr:
            self.log.assume(
                f"{_n(self.dropped_hr, 'heart rate')} outside 25–230 beats/min were left out as "
                "sensor errors."
            )


_GLUCOSE_LIMITS: Final = {
    "mg/dL": get_analyte("glucose").hard_limits,
    "mmol/L": tuple(
        get_analyte("glucose").convert(x, "mg/dL", "mmol/L")
        for x in get_analyte("glucose").hard_limits
    ),
}


def _read_xml(
    raw: _Readable,
    total: int,
    reader: _Reader,
    what: str,
    progress: Progress | None,
    cancel: Cancel | None,
) -> Iterator[Entity]:
    stream = _CleanStream(raw, reader.log, what)
    parser = reader.parser
    next_tick = _TICK_BYTES
    try:
        for block in stream.blocks():
            parser.Parse(block, False)
            if reader.out:
                yield from reader.out
                reader.out.clear()
            if stream.done >= next_tick:
                next_tick = stream.done + _TICK_BYTES
                if cancel is not None and cancel():
                    raise ImportCancelledError(f"Import of {reader.log.file_name} cancelled.")
                if progress is not None:
                    progress("reading", stream.done, total)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.ErrorString(exc.code)
        hint = ""
        if (
            exc.code
            == xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNDEFINED_ENTITY]
        ):
            hint = "; entity references other than the five XML ones are not read"
        raise ImportFormatError(
            f"{what}, line {exc.lineno} column {exc.offset + 1}: not well-formed XML "
            f"({reason}{hint})"
        ) from None
    except _Refused as exc:
        raise ImportFormatError(f"{what}, line {parser.CurrentLineNumber}: {exc}") from None
    except OSError as exc:
        raise ImportFormatError(f"{what}: reading failed ({exc.strerror or exc})") from exc
    if not reader.root_seen:
        raise ImportFormatError(f"{what}: holds no <HealthData> element")
    yield from reader.out
    reader.out.clear()
    if stream.controls:
        reader.log.assume(
            f"{_n(stream.controls, 'stray control character')} (such as vertical tabs) in the "
            "export were read as spaces."
        )
    if progress is not None:
        progress("reading", stream.done, total)


# --- clinical records (FHIR JSON files next to export.xml) -----------------------------------


def _refuse_constant(constant: str) -> object:
    raise ValueError(f"{constant} is not a JSON number")


def _clinical_resources(
    files: Iterable[tuple[str, Callable[[], bytes]]], log: ParseLog, cancel: Cancel | None
) -> Iterator[Mapping[str, object]]:
    for count, (label, read) in enumerate(files, 1):
        if count % 500 == 0 and cancel is not None and cancel():
            raise ImportCancelledError(f"Import of {log.file_name} cancelled.")
        data = read()
        try:
            resource = json.loads(data.decode("utf-8-sig"), parse_constant=_refuse_constant)
        except UnicodeDecodeError:
            _reject(log, label, "is not UTF-8 text")
            continue
        except (ValueError, RecursionError) as exc:
            _reject(log, label, f"is not valid JSON ({_short(str(exc), 80)})")
            continue
        if not isinstance(resource, dict):
            _reject(log, label, "is not a JSON object")
            continue
        yield resource


def _zip_clinical(
    archive: _Archive, export: zipfile.ZipInfo
) -> list[tuple[str, Callable[[], bytes]]]:
    root = str(PurePosixPath(export.filename).parent)
    found = archive.clinical_records()
    if len(found) > MAX_CLINICAL_FILES:
        raise ImportFormatError(
            f"{archive.name}: holds {len(found):,} clinical records; more than "
            f"{MAX_CLINICAL_FILES:,}"
        )

    def reader(info: zipfile.ZipInfo, label: str) -> Callable[[], bytes]:
        def read() -> bytes:
            with archive.open(info, MAX_CLINICAL_BYTES, f"{archive.name}: {label}") as member:
                return member.read(MAX_CLINICAL_BYTES + 1)

        return read

    files = []
    for info in found:
        label = info.filename
        if root not in ("", ".") and label.startswith(root + "/"):
            label = label[len(root) + 1 :]
        files.append((label, reader(info, label)))
    return files


def _folder_clinical(path: Path, log: ParseLog) -> list[tuple[str, Callable[[], bytes]]]:
    """clinical-records/*.json beside a bare export.xml (as the unzipped export lays them out)."""
    folder = path.parent / "clinical-records"
    files: list[tuple[str, Callable[[], bytes]]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return files

    def reader(entry: os.DirEntry[str], label: str) -> Callable[[], bytes]:
        def read() -> bytes:
            try:
                with open(entry.path, "rb") as handle:
                    if os.fstat(handle.fileno()).st_size > MAX_CLINICAL_BYTES:
                        raise ImportFormatError(f"{log.file_name}: {label} is too large")
                    return handle.read(MAX_CLINICAL_BYTES + 1)
            except OSError as exc:
                raise ImportFormatError(
                    f"{log.file_name}: {label} cannot be read ({exc.strerror or exc})"
                ) from exc

        return read

    for entry in entries:
        # Symbolic links are not followed: the folder's own files only.
        if not entry.name.lower().endswith(".json") or entry.name.startswith("._"):
            continue
        if not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
            continue
        if len(files) >= MAX_CLINICAL_FILES:
            raise ImportFormatError(
                f"{log.file_name}: more than {MAX_CLINICAL_FILES:,} clinical records"
            )
        label = f"clinical-records/{entry.name}"
        files.append((label, reader(entry, label)))
    return files


# --- public entry points ---------------------------------------------------------------------


def _is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def sniff(path: Path, head: bytes) -> bool:
    """An export.xml (root HealthData) or a zip holding one, judged by content alone."""
    if _is_zip(head):
        try:
            archive = _Archive(path, ParseLog(path.name))
        except ImportFormatError:
            return False
        try:
            found, refused = archive.export_member()
            return found is not None or refused is not None
        finally:
            archive.close()
    return _root_name(head[:MAX_PROLOG_BYTES]) == "HealthData"


def parse(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Entity]:
    """Yield the workouts, glucose readings, body measurements and lab draws of an export.

    `path` is export.zip (the export.xml inside found by content, its clinical-records/*.json
    read as FHIR) or a bare export.xml under any name (clinical-records/ beside it is read when
    the XML lists clinical records). Record types the journal does not keep are counted in
    log.not_imported by readable type name; broken records are rejections located as
    "Record #n (line L)" or "Workout #n (line L)".
    """
    name = log.file_name
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if not head:
        raise ImportFormatError(f"{name}: the file is empty")
    reader = _Reader(log, tz, not_after, name)
    clinical: list[tuple[str, Callable[[], bytes]]] = []
    if _is_zip(head):
        archive = _Archive(path, log)
        try:
            export, refused = archive.export_member()
            if export is None and refused is not None:
                raise refused
            if export is None:
                raise ImportFormatError(
                    f"{name}: a zip without an Apple Health export.xml (no XML file whose "
                    "root is <HealthData>)"
                )
            what = f"{name}: {export.filename}"
            with archive.open(export, MAX_XML_BYTES, what) as member:
                yield from _read_xml(member, export.file_size, reader, what, progress, cancel)
            clinical = _zip_clinical(archive, export)
            reader.finish()
            yield from _clinical_draws(clinical, reader, tz, not_after, cancel)
        finally:
            archive.close()
    else:
        try:
            handle = open(path, "rb")  # noqa: SIM115 (closed below)
            size = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            raise ImportFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
        with handle:
            if size > MAX_XML_BYTES:
                raise ImportFormatError(f"{name}: larger than {MAX_XML_BYTES >> 30} GiB")
            first = handle.read(MAX_PROLOG_BYTES)
            handle.seek(0)
            if _root_name(first) is None:
                raise ImportFormatError(
                    f"{name}: neither a zip archive nor an XML file; not an Apple Health export"
                )
            yield from _read_xml(handle, size, reader, name, progress, cancel)
        if reader.clinical_elements:
            clinical = _folder_clinical(path, log)
            if not clinical:
                log.not_imported["clinical records (their files are not beside the XML)"] += (
                    reader.clinical_elements
                )
        reader.finish()
        yield from _clinical_draws(clinical, reader, tz, not_after, cancel)


def _clinical_draws(
    files: list[tuple[str, Callable[[], bytes]]],
    reader: _Reader,
    tz: tzinfo,
    not_after: datetime | None,
    cancel: Cancel | None,
) -> Iterator[LabDraw]:
    if not files:
        return
    resources = _clinical_resources(files, reader.log, cancel)
    yield from draws_from_resources(
        resources, where="clinical-records", log=reader.log, tz=tz, not_after=not_after
    )


_Sniff = Callable[[Path, bytes], bool]
FORMATS: dict[str, tuple[_Sniff, Callable[..., Iterator[Entity]]]] = {APPLE_HEALTH: (sniff, parse)}
