"""Workouts from GPS and sports-watch files: GPX tracks, TCX activities and FIT activities."""

from __future__ import annotations

import math
import re
import xml.parsers.expat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import fitdecode
import gpxpy
import gpxpy.gpx

from journal.domain.entities import Workout, WorkoutKind
from journal.services.importers import (
    Cancel,
    ImportCancelledError,
    ImportFormatError,
    ParseLog,
    Progress,
)

__all__ = [
    "FIT",
    "FORMATS",
    "GPX",
    "TCX",
    "parse_fit",
    "parse_gpx",
    "parse_tcx",
    "sniff_fit",
    "sniff_gpx",
    "sniff_tcx",
]

GPX = "gpx"
TCX = "tcx"
FIT = "fit"

# A day-long GPX track at one point a second is about 15 MB; gpxpy holds the whole tree in
# memory, so anything past 100 MB is refused rather than read.
MAX_XML_BYTES = 100 * 1024 * 1024
# FIT files are binary and read record by record; a week-long expedition stays under 50 MB.
MAX_FIT_BYTES = 200 * 1024 * 1024
MAX_ACTIVITIES = 10_000  # activities (tracks, sessions) in one file
# Bytes between two '>': one tag with its attributes, or the text between tags. expat scans an
# unfinished tag again with every block it is given, so one endless tag would take time growing
# with the square of its length; the longest tag of a real file is well under a kilobyte.
MAX_TAG_BYTES = 1 << 20
_TICK = 5_000  # trackpoints or FIT messages between cancel checks
_MAX_TEXT = 200

# The journal's own bounds for a workout (TrainingService.validate).
_MIN_MINUTES, _MAX_MINUTES = 1.0, 24 * 60.0
_HR_RANGE = (25, 230)
_MAX_KM = 1000.0
_MAX_KCAL = 20_000.0

# Words in a sport or track type that say what kind of training it was. Strength beats the
# others ("strength circuit on the bike" is still mostly lifting); unknown names stay "other".
_KIND_WORDS: tuple[tuple[WorkoutKind, tuple[str, ...]], ...] = (
    (WorkoutKind.RESISTANCE, ("strength", "weight", "resistance", "lifting", "gym")),
    (WorkoutKind.HIIT, ("hiit", "interval", "tabata")),
    (
        WorkoutKind.AEROBIC,
        (
            "run",
            "jog",
            "walk",
            "hik",
            "bik",
            "cycl",
            "ride",
            "swim",
            "row",
            "elliptical",
            "treadmill",
            "ski",
            "paddl",
            "stair",
            "spin",
        ),
    ),
)


def _kind(name: str | None) -> WorkoutKind:
    low = (name or "").lower()
    for kind, words in _KIND_WORDS:
        if any(word in low for word in words):
            return kind
    return WorkoutKind.OTHER


def _label(name: str) -> str:
    """ "running" → "Running", "strength_training" → "Strength training"."""
    text = " ".join(name.replace("_", " ").split())[:_MAX_TEXT]
    return text[:1].upper() + text[1:]


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


@dataclass(slots=True)
class _Activity:
    """What one activity's file says, before it is checked against the journal's bounds."""

    where: str
    start: datetime | None = None
    seconds: float | None = None
    sport: str | None = None
    name: str | None = None
    metres: float | None = None
    kcal: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    notes: str | None = None
    hr_sum: float = 0.0
    hr_n: int = 0
    first: datetime | None = None
    last: datetime | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def point(self, at: datetime | None, hr: float | None) -> None:
        if at is not None:
            self.first = at if self.first is None or at < self.first else self.first
            self.last = at if self.last is None or at > self.last else self.last
        if hr is not None and math.isfinite(hr) and hr > 0:
            self.hr_sum += hr
            self.hr_n += 1
            self.max_hr = hr if self.max_hr is None else max(self.max_hr, hr)


class _Checker:
    """Turns activities into workouts within the journal's bounds, noting what it assumed."""

    def __init__(self, log: ParseLog, tz: tzinfo, not_after: datetime | None, source: str):
        self.log = log
        self.tz = tz
        self.not_after = not_after
        self.source = source
        self.naive = 0
        self.dropped_hr = 0

    def aware(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            self.naive += 1
            return at.replace(tzinfo=self.tz)
        return at

    def workout(self, a: _Activity) -> Workout | None:
        start = a.start or a.first
        seconds = a.seconds
        if seconds is None and a.first is not None and a.last is not None:
            seconds = (a.last - a.first).total_seconds()
        if start is None:
            self.log.reject(a.where, "has no start time")
            return None
        if seconds is None or not math.isfinite(seconds):
            self.log.reject(a.where, "has no times, so its duration is unknown")
            return None
        start = self.aware(start)
        minutes = seconds / 60.0
        if start.year < 1900:
            self.log.reject(a.where, f"starts before 1900 ({start:%Y-%m-%d})")
            return None
        if self.not_after is not None and start > self.not_after:
            self.log.reject(a.where, f"starts in the future ({start:%Y-%m-%d %H:%M})")
            return None
        if seconds == 0:
            self.log.reject(a.where, "all its times are the same, so it has no duration")
            return None
        if minutes < _MIN_MINUTES:
            self.log.reject(a.where, f"lasts {seconds:.0f} s; a workout needs at least a minute")
            return None
        if minutes > _MAX_MINUTES:
            self.log.reject(a.where, f"lasts {minutes / 60:.1f} h; longer than a day")
            return None
        km = None if a.metres is None or a.metres <= 0 else a.metres / 1000.0
        if km is not None and (not math.isfinite(km) or km > _MAX_KM):
            self.log.reject(a.where, f"distance {a.metres:g} m is beyond 1,000 km")
            return None
        kcal = None if a.kcal is None or a.kcal <= 0 else a.kcal
        if kcal is not None and (not math.isfinite(kcal) or kcal > _MAX_KCAL):
            self.log.reject(a.where, f"energy {a.kcal:g} kcal is beyond 20,000 kcal")
            return None
        avg = a.avg_hr if a.avg_hr is not None else (a.hr_sum / a.hr_n if a.hr_n else None)
        sport = a.sport or a.name
        kind = _kind(sport)
        activity = _label(sport) if sport else None
        if kind is WorkoutKind.OTHER and a.name and a.name != sport:
            activity = _label(f"{sport}: {a.name}" if sport else a.name)
        return Workout(
            started_at=start.astimezone(UTC),
            duration_min=minutes,
            kind=kind,
            activity=activity,
            avg_hr=self._hr(avg),
            max_hr=self._hr(a.max_hr),
            distance_km=km,
            energy_kcal=kcal,
            notes=a.notes[:20_000] if a.notes else None,
            source=self.source,
        )

    def _hr(self, value: float | None) -> int | None:
        if value is None or not math.isfinite(value) or value <= 0:
            return None
        rounded = round(value)
        if not _HR_RANGE[0] <= rounded <= _HR_RANGE[1]:
            self.dropped_hr += 1
            return None
        return rounded

    def finish(self) -> None:
        if self.naive:
            zone = getattr(self.tz, "key", None) or str(self.tz)
            self.log.assume(
                f"{self.naive:,} activities give times without a UTC offset; they were read as "
                f"local time in {zone}."
            )
        if self.dropped_hr:
            self.log.assume(
                f"{self.dropped_hr:,} heart rates outside 25–230 beats/min were left out as "
                "sensor errors."
            )


def _read_head(path: Path, log: ParseLog, limit: int) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFormatError(f"{log.file_name}: cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise ImportFormatError(f"{log.file_name}: the file is empty")
    if size > limit:
        raise ImportFormatError(
            f"{log.file_name}: {size / 2**20:,.0f} MB is larger than the "
            f"{limit // 2**20} MB this app reads for one workout file"
        )
    return size


def _tick(count: int, log: ParseLog, cancel: Cancel | None) -> None:
    if count % _TICK == 0 and cancel is not None and cancel():
        raise ImportCancelledError(f"Import of {log.file_name} cancelled.")


# --- XML safety ------------------------------------------------------------------------------


def _forbid_dtd(*_: object) -> None:
    raise _DtdError


class _DtdError(Exception):
    pass


def _expat(log: ParseLog, namespaces: bool) -> Any:
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" " if namespaces else None)
    # A workout file never needs a DTD; refusing one rules out entity expansion attacks and any
    # attempt to reach outside the file.
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_dtd
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _feed(parser: Any, path: Path, log: ParseLog, what: str) -> None:
    """Stream a file through an expat parser, turning every failure into ImportFormatError."""
    gap = 0  # bytes since the last '>'
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 16):
                last = block.rfind(b">")
                gap = gap + len(block) if last < 0 else len(block) - 1 - last
                if gap > MAX_TAG_BYTES:
                    raise ImportFormatError(
                        f"{log.file_name}, line {parser.CurrentLineNumber}: a single tag or text "
                        f"runs over {MAX_TAG_BYTES // 2**20} MiB without a '>'; not a {what} file "
                        "(or damaged)"
                    )
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _DtdError:
        raise ImportFormatError(
            f"{log.file_name}, line {parser.CurrentLineNumber}: declares a DTD; "
            f"a {what} file never needs one, so it is refused"
        ) from None
    except xml.parsers.expat.ExpatError as exc:
        raise ImportFormatError(
            f"{log.file_name}, line {exc.lineno} column {exc.offset + 1}: not well-formed XML "
            f"({xml.parsers.expat.ErrorString(exc.code)})"
        ) from None
    except OSError as exc:
        raise ImportFormatError(f"{log.file_name}: reading failed ({exc.strerror or exc})") from exc


def _root_name(head: bytes) -> str | None:
    """The root element's local name, from the first bytes of an XML file."""
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.DOTALL)
    match = re.search(r"<\s*(?:[\w.-]+:)?([\w.-]+)", text)
    return match[1] if match else None


# --- GPX -------------------------------------------------------------------------------------


def sniff_gpx(path: Path, head: bytes) -> bool:
    return _root_name(head) == "gpx"


def _point_hr(point: gpxpy.gpx.GPXTrackPoint) -> float | None:
    for extension in point.extensions:
        for element in extension.iter():
            tag = str(element.tag).rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
            if tag in {"hr", "heartrate"} and element.text:
                try:
                    return float(element.text)
                except ValueError:
                    return None
    return None


def parse_gpx(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Workout]:
    """One workout per GPX track, timed by its points; routes and waypoints are not workouts.

    The file is checked as plain XML first (no DTD, well-formed, with line numbers in the
    message), then read by gpxpy.
    """
    name = log.file_name
    _read_head(path, log, MAX_XML_BYTES)
    _feed(_expat(log, namespaces=False), path, log, "GPX")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{name}: byte {exc.start:,} is not UTF-8 text") from exc
    except OSError as exc:
        raise ImportFormatError(f"{name}: reading failed ({exc.strerror or exc})") from exc
    try:
        document = gpxpy.parse(text)
    # gpxpy raises its own errors and, on odd values, plain ValueError/TypeError and friends;
    # a file from outside must never crash the import, whatever the parser trips on.
    except Exception as exc:
        raise ImportFormatError(
            f"{name}: not a readable GPX file ({_short(str(exc), 120)})"
        ) from exc
    if not document.tracks:
        if document.routes:
            log.skip("planned routes")
        if document.waypoints:
            log.skip("waypoints")
        raise ImportFormatError(
            f"{name}: holds no recorded track (only {len(document.routes)} routes and "
            f"{len(document.waypoints)} waypoints), so there is no workout in it"
        )
    if len(document.tracks) > MAX_ACTIVITIES:
        raise ImportFormatError(f"{name}: more than {MAX_ACTIVITIES:,} tracks")
    checker = _Checker(log, tz, not_after, GPX)
    points = 0
    for i, track in enumerate(document.tracks, 1):
        title = (track.name or "").strip()
        where = f"track {i}" + (f" ({_short(title)})" if title else "")
        activity = _Activity(where=where, sport=(track.type or "").strip() or None)
        activity.name = title[:_MAX_TEXT] or None
        activity.notes = (track.description or track.comment or "").strip() or None
        timed = 0
        for segment in track.segments:
            for point in segment.points:
                points += 1
                _tick(points, log, cancel)
                if point.time is not None:
                    timed += 1
                activity.point(point.time, _point_hr(point))
        if not any(segment.points for segment in track.segments):
            log.reject(where, "has no points")
            continue
        if timed < 2:
            log.reject(where, "has no times on its points, so its duration is unknown")
            continue
        try:
            activity.seconds = track.get_duration()
            activity.metres = track.length_2d()
        except Exception as exc:
            log.reject(where, f"its points cannot be measured ({_short(str(exc), 80)})")
            continue
        workout = checker.workout(activity)
        if workout is not None:
            yield workout
        if progress is not None:
            progress("reading", i, len(document.tracks))
    checker.finish()


# --- TCX -------------------------------------------------------------------------------------

_TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def sniff_tcx(path: Path, head: bytes) -> bool:
    return _root_name(head) == "TrainingCenterDatabase"


class _TcxReader:
    """Streams a TCX file with expat, keeping only the current activity's running sums."""

    def __init__(self, log: ParseLog, cancel: Cancel | None) -> None:
        self.log = log
        self.cancel = cancel
        self.stack: list[str] = []
        self.text: list[str] = []
        self.done: list[_Activity] = []
        self.current: _Activity | None = None
        self.count = 0
        self.points = 0
        self.lap_seconds: float | None = None
        self.lap_avg: float | None = None
        self.hr_weighted = 0.0
        self.hr_seconds = 0.0
        self.point_time: datetime | None = None
        self.point_hr: float | None = None
        self.bad_time = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(" ", 1)[-1]
        self.stack.append(local)
        self.text = []
        if local == "Activity" and self._parent() == "Activities":
            self.count += 1
            if self.count > MAX_ACTIVITIES:
                raise ImportFormatError(
                    f"{self.log.file_name}: more than {MAX_ACTIVITIES:,} activities"
                )
            self.current = _Activity(
                where=f"activity {self.count}", sport=(attrs.get("Sport") or "").strip() or None
            )
            self.hr_weighted = self.hr_seconds = 0.0
        elif local == "Lap" and self.current is not None:
            self.lap_seconds = self.lap_avg = None
            stamp = self._time(attrs.get("StartTime"))
            if stamp is not None and self.current.start is None:
                self.current.start = stamp
        elif local == "Trackpoint":
            self.point_time = self.point_hr = None

    def _parent(self) -> str | None:
        return self.stack[-2] if len(self.stack) > 1 else None

    def _time(self, text: str | None) -> datetime | None:
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            self.bad_time += 1
            return None

    def chars(self, data: str) -> None:
        if sum(map(len, self.text)) < 100_000:
            self.text.append(data)

    def end(self, tag: str) -> None:
        local = self.stack.pop()
        text = "".join(self.text).strip()
        self.text = []
        a = self.current
        if a is None:
            return
        parent = self.stack[-1] if self.stack else None
        grand = self.stack[-2] if len(self.stack) > 1 else None
        if local == "Id" and parent == "Activity":
            a.start = self._time(text) or a.start
        elif local == "Notes" and parent == "Activity" and text:
            a.notes = text[:20_000]
        elif parent == "Lap":
            number = _float(text)
            if local == "TotalTimeSeconds" and number is not None:
                self.lap_seconds = number
                a.seconds = (a.seconds or 0.0) + number
            elif local == "DistanceMeters" and number is not None:
                a.metres = (a.metres or 0.0) + number
            elif local == "Calories" and number is not None:
                a.kcal = (a.kcal or 0.0) + number
        elif local == "Value" and grand == "Lap":
            number = _float(text)
            if number is not None and parent == "AverageHeartRateBpm":
                self.lap_avg = number
            elif number is not None and parent == "MaximumHeartRateBpm":
                a.max_hr = number if a.max_hr is None else max(a.max_hr, number)
        elif local == "Lap":
            if self.lap_avg is not None and self.lap_seconds:
                self.hr_weighted += self.lap_avg * self.lap_seconds
                self.hr_seconds += self.lap_seconds
        elif local == "Time" and parent == "Trackpoint":
            self.point_time = self._time(text)
        elif local == "Value" and parent == "HeartRateBpm" and grand == "Trackpoint":
            self.point_hr = _float(text)
        elif local == "Trackpoint":
            self.points += 1
            _tick(self.points, self.log, self.cancel)
            a.point(self.point_time, self.point_hr)
        elif local == "Activity" and parent == "Activities":
            if self.hr_seconds:
                a.avg_hr = self.hr_weighted / self.hr_seconds
            self.done.append(a)
            self.current = None


def _float(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_tcx(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Workout]:
    """One workout per TCX Activity: laps summed (time, distance, energy), heart rate from the
    laps (time-weighted) or else from the trackpoints. Read as a stream, without a DTD."""
    _read_head(path, log, MAX_XML_BYTES)
    reader = _TcxReader(log, cancel)
    parser = _expat(log, namespaces=True)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars
    _feed(parser, path, log, "TCX")
    if not reader.done:
        raise ImportFormatError(f"{log.file_name}: holds no Activity, so there is no workout in it")
    checker = _Checker(log, tz, not_after, TCX)
    for i, activity in enumerate(reader.done, 1):
        if activity.seconds is None and activity.first is None:
            log.reject(activity.where, "has no lap times and no timed trackpoints")
            continue
        workout = checker.workout(activity)
        if workout is not None:
            yield workout
        if progress is not None:
            progress("reading", i, len(reader.done))
    if reader.bad_time:
        log.assume(f"{reader.bad_time:,} times in the file were not readable and were ignored.")
    checker.finish()


# --- FIT -------------------------------------------------------------------------------------


def sniff_fit(path: Path, head: bytes) -> bool:
    return len(head) >= 12 and head[0] in (12, 14) and head[8:12] == b".FIT"


@dataclass(slots=True)
class _FitState:
    sessions: list[_Activity] = field(default_factory=list)
    sport: str | None = None
    sport_name: str | None = None
    records: _Activity = field(default_factory=lambda: _Activity(where="the records"))
    file_type: str | None = None
    record_metres: float | None = None


def _fit_value(message: fitdecode.FitDataMessage, name: str) -> Any:
    try:
        return message.get_value(name, fallback=None)
    except Exception:
        return None


def _fit_number(message: fitdecode.FitDataMessage, name: str) -> float | None:
    value = _fit_value(message, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _fit_time(message: fitdecode.FitDataMessage, name: str) -> datetime | None:
    value = _fit_value(message, name)
    return value if isinstance(value, datetime) else None


def _fit_sport(message: fitdecode.FitDataMessage) -> str | None:
    sport = _fit_value(message, "sport")
    sub = _fit_value(message, "sub_sport")
    names = [str(v) for v in (sport, sub) if isinstance(v, str) and v not in {"generic", "all"}]
    if isinstance(sport, str) and isinstance(sub, str) and sub not in {"generic", "all"}:
        # "training" + "strength_training" says more as the sub-sport alone.
        return sub if sport in {"training", "fitness_equipment"} else f"{sport} ({sub})"
    return names[0] if names else None


def _fit_message(state: _FitState, message: fitdecode.FitDataMessage, index: int) -> None:
    if message.name == "file_id":
        kind = _fit_value(message, "type")
        state.file_type = str(kind) if kind is not None else state.file_type
    elif message.name == "sport":
        state.sport = _fit_sport(message) or state.sport
        title = _fit_value(message, "name")
        state.sport_name = title.strip() if isinstance(title, str) and title.strip() else None
    elif message.name == "session":
        if len(state.sessions) >= MAX_ACTIVITIES:
            raise ImportFormatError(f"more than {MAX_ACTIVITIES:,} sessions")
        session = _Activity(where=f"session {len(state.sessions) + 1}")
        session.start = _fit_time(message, "start_time")
        session.seconds = _fit_number(message, "total_timer_time") or _fit_number(
            message, "total_elapsed_time"
        )
        session.metres = _fit_number(message, "total_distance")
        session.kcal = _fit_number(message, "total_calories")
        session.avg_hr = _fit_number(message, "avg_heart_rate")
        session.max_hr = _fit_number(message, "max_heart_rate")
        session.sport = _fit_sport(message)
        state.sessions.append(session)
    elif message.name == "record":
        metres = _fit_number(message, "distance")
        if metres is not None:
            state.record_metres = max(state.record_metres or 0.0, metres)
        state.records.point(_fit_time(message, "timestamp"), _fit_number(message, "heart_rate"))


def parse_fit(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Workout]:
    """One workout per FIT session (a multisport file has several); a file without session
    messages becomes one workout from its records. GPS is never needed: time, heart rate and
    energy come from the session. Checksums are verified; a damaged file is refused whole."""
    name = log.file_name
    size = _read_head(path, log, MAX_FIT_BYTES)
    state = _FitState()
    count = 0
    try:
        with (
            open(path, "rb") as handle,
            fitdecode.FitReader(
                handle, check_crc=fitdecode.CrcCheck.RAISE, keep_raw_chunks=False
            ) as reader,
        ):
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                count += 1
                _tick(count, log, cancel)
                if progress is not None and count % _TICK == 0:
                    progress("reading", handle.tell(), size)
                _fit_message(state, frame, count)
    except ImportFormatError as exc:
        raise ImportFormatError(f"{name}: {exc}") from None
    except ImportCancelledError:
        raise
    except OSError as exc:
        raise ImportFormatError(f"{name}: reading failed ({exc.strerror or exc})") from None
    except fitdecode.FitCRCError:
        raise ImportFormatError(
            f"{name}: the FIT file is damaged (its checksum does not match); nothing was imported"
        ) from None
    except fitdecode.FitEOFError:
        raise ImportFormatError(
            f"{name}: the FIT file ends early (cut off while copying?); nothing was imported"
        ) from None
    except fitdecode.FitHeaderError as exc:
        raise ImportFormatError(
            f"{name}: the FIT file is damaged (bad header: {_short(str(exc), 80)})"
        ) from None
    # fitdecode raises its own FitError for most damage, and plain Python errors for some
    # malformed definitions; none of them may reach the user as a traceback.
    except Exception as exc:
        raise ImportFormatError(
            f"{name}: the FIT file is damaged ({_short(str(exc) or type(exc).__name__, 80)})"
        ) from None
    if state.file_type is not None and state.file_type != "activity":
        raise ImportFormatError(
            f"{name}: a FIT '{_short(state.file_type)}' file, not a recorded activity"
        )
    checker = _Checker(log, tz, not_after, FIT)
    sessions = state.sessions
    if not sessions:
        if state.records.first is None:
            raise ImportFormatError(f"{name}: holds no session and no timed records")
        records = state.records
        records.where = "the activity"
        records.avg_hr = records.hr_sum / records.hr_n if records.hr_n else None
        records.metres = state.record_metres
        sessions = [records]
        log.assume("The file has no session summary; the workout was built from its records.")
    for session in sessions:
        session.sport = session.sport or state.sport
        session.name = state.sport_name
        workout = checker.workout(session)
        if workout is not None:
            yield workout
    checker.finish()


_Sniff = Callable[[Path, bytes], bool]
FORMATS: dict[str, tuple[_Sniff, Callable[..., Iterator[Workout]]]] = {
    GPX: (sniff_gpx, parse_gpx),
    TCX: (sniff_tcx, parse_tcx),
    FIT: (sniff_fit, parse_fit),
}
