"""Streaming readers for Dexcom Clarity and LibreView CGM exports (CSV) into glucose readings."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from pathlib import Path

from journal.domain.analytes import get_analyte
from journal.domain.entities import GlucoseReading, GlucoseSource
from journal.services.importers import (
    DEXCOM,
    LIBREVIEW,
    MAX_ROWS,
    Cancel,
    ImportCancelledError,
    ImportFormatError,
    LineGuard,
    ParseLog,
    Progress,
)

__all__ = ["PARSERS", "Parser", "read_dexcom", "read_libreview"]

Parser = Callable[..., Iterator[GlucoseReading]]

MAX_DEVICES = 1000  # distinct devices in one file; keys in the import service rely on it
_TICK = 10_000  # rows between progress reports and cancel checks

_MGDL_LIMITS = get_analyte("glucose").hard_limits
_LIMITS = {
    "mg/dL": _MGDL_LIMITS,
    "mmol/L": tuple(get_analyte("glucose").convert(x, "mg/dL", "mmol/L") for x in _MGDL_LIMITS),
}


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _unit_of(column: str) -> str | None:
    low = column.lower()
    if "mmol/l" in low:
        return "mmol/L"
    if "mg/dl" in low:
        return "mg/dL"
    return None


def _records(
    path: Path, log: ParseLog, stage: str, progress: Progress | None, cancel: Cancel | None
) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on; every way the file can fail is translated."""
    try:
        total = path.stat().st_size
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise ImportFormatError(f"{log.file_name}: cannot be read ({exc.strerror or exc})") from exc
    with handle:
        guard = LineGuard(handle, log)
        rows = 0
        try:
            for row in csv.reader(guard, strict=False):
                start = guard.record_start + 1
                guard.record_start = guard.line
                rows += 1
                if rows % _TICK == 0:
                    if rows > MAX_ROWS:
                        raise log.error(start, f"more than {MAX_ROWS:,} records; too large")
                    if cancel is not None and cancel():
                        raise ImportCancelledError(f"Import of {log.file_name} cancelled.")
                    if progress is not None:
                        progress(stage, guard.chars, total)
                yield start, row
        except csv.Error as exc:
            raise log.error(guard.line, f"not readable as CSV ({exc})") from exc
        except OSError as exc:
            raise ImportFormatError(
                f"{log.file_name}: reading failed ({exc.strerror or exc})"
            ) from exc


class _Times:
    """Turns file times into aware datetimes, noting offset-free and DST-ambiguous ones."""

    def __init__(self, tz: tzinfo, not_after: datetime | None) -> None:
        self.tz = tz
        self.not_after = not_after
        self.naive = 0
        self.shifted = 0

    def aware(self, stamp: datetime) -> datetime:
        if stamp.tzinfo is not None:
            return stamp
        self.naive += 1
        aware = stamp.replace(tzinfo=self.tz)
        if aware.utcoffset() != aware.replace(fold=1).utcoffset():
            self.shifted += 1
        return aware

    def problem(self, at: datetime, stamp: str) -> str | None:
        if at.year < 1900:
            return f"time {_short(stamp)} is before 1900"
        if self.not_after is not None and at > self.not_after:
            return f"time {_short(stamp)} is in the future"
        return None

    def finish(self, log: ParseLog) -> None:
        if self.naive:
            zone = getattr(self.tz, "key", None) or str(self.tz)
            log.assume(
                f"The file's times carry no UTC offset; they were read as local time in {zone}."
            )
        if self.shifted:
            log.assume(
                f"{self.shifted:,} readings fall in an hour that a daylight-saving change skips "
                "or repeats; they were read with the UTC offset in force before the change."
            )


class _Devices:
    """One shared string per device name, and a bound on how many a file may name."""

    def __init__(self, log: ParseLog) -> None:
        self._names: dict[str, str] = {}
        self._log = log

    def get(self, raw: str, make: Callable[[str], str], line: int) -> str:
        name = self._names.get(raw)
        if name is None:
            if len(self._names) >= MAX_DEVICES:
                raise self._log.error(line, f"names more than {MAX_DEVICES} devices")
            name = self._names[raw] = make(raw)[:200]
        return name


def _value(raw: str, unit: str, what: str, line: int, log: ParseLog) -> float | None:
    text = raw.strip()
    if not text:
        log.reject(line, f"{what} is missing")
        return None
    low = text.lower()
    if low == "low":
        log.reject(line, "reported as Low (below the sensor's range)")
        return None
    if low == "high":
        log.reject(line, "reported as High (above the sensor's range)")
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".", 1)  # a decimal comma, quoted in the CSV
    try:
        value = float(text)
    except ValueError:
        log.reject(line, f"{what} '{_short(raw)}' is not a number")
        return None
    lo, hi = _LIMITS[unit]
    if not math.isfinite(value):
        log.reject(line, f"{what} '{_short(raw)}' is not a number")
        return None
    if not lo <= value <= hi:
        log.reject(
            line,
            f"{what} {_short(raw)} {unit} is outside any possible glucose "
            f"({lo:.3g}–{hi:.4g} {unit})",
        )
        return None
    return value


def _column(names: list[str], test: Callable[[str], bool]) -> int | None:
    return next((i for i, n in enumerate(names) if test(n)), None)


# --- Dexcom Clarity --------------------------------------------------------------------------


def read_dexcom(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[GlucoseReading]:
    """Yield the EGV (sensor) readings of a Dexcom Clarity export, 12- or 14-column layout.

    Columns are found by header name, so either layout, quoted or not, reads the same. Untimed
    preamble rows (patient name, birth date, device, alert settings) are read past and never
    stored; timed rows other than EGV (calibration, insulin, carbs, …) are counted as not
    imported. "Low"/"High" readings are rejected into the receipt: Dexcom reports only that
    the value was outside 40–400 mg/dL, and storing 40 or 400 would invent a number.
    """
    records = _records(path, log, "reading", progress, cancel)
    first = next(records, None)
    if first is None:
        raise ImportFormatError(f"{log.file_name}: the file is empty")
    line, header = first
    names = [c.strip().lower() for c in header]
    ts = _column(names, lambda n: n.startswith("timestamp"))
    et = _column(names, lambda n: n == "event type")
    gv = _column(names, lambda n: n.startswith("glucose value"))
    src = _column(names, lambda n: n == "source device id")
    if ts is None or et is None or gv is None:
        raise log.error(
            line,
            "not a Dexcom Clarity export (the header lacks Timestamp, Event Type or Glucose Value)",
        )
    unit = _unit_of(names[gv])
    if unit is None:
        raise log.error(line, f"the glucose column '{_short(header[gv])}' names no unit")
    need = max(ts, et, gv)
    times = _Times(tz, not_after)
    devices = _Devices(log)

    def device_name(raw: str) -> str:
        raw = raw.strip()
        return f"Dexcom ({raw})" if raw else "Dexcom"

    for line, row in records:
        if len(row) <= need:
            if any(c.strip() for c in row):
                log.reject(line, f"has {len(row)} fields; the header has {len(header)}")
            continue
        kind = row[et].strip()
        stamp = row[ts].strip()
        if kind.upper() != "EGV":
            if stamp:
                log.skip(kind or "rows without an event type")
            continue
        if not stamp:
            log.reject(line, "sensor reading without a timestamp")
            continue
        try:
            parsed = datetime.fromisoformat(stamp)
        except ValueError:
            log.reject(line, f"timestamp '{_short(stamp)}' is not a date and time")
            continue
        value = _value(row[gv], unit, "glucose value", line, log)
        if value is None:
            continue
        at = times.aware(parsed)
        problem = times.problem(at, stamp)
        if problem is not None:
            log.reject(line, problem)
            continue
        device = devices.get(
            row[src] if src is not None and src < len(row) else "", device_name, line
        )
        yield GlucoseReading(at=at, value=value, unit=unit, source=GlucoseSource.CGM, device=device)
    times.finish(log)


# --- LibreView -------------------------------------------------------------------------------

_LIBRE_TIME = re.compile(
    r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:([AaPp])\.?\s*[Mm]\.?)?"
)
_GLUCOSE_TYPES = {"0": "historic", "1": "scan"}
_OTHER_TYPES = {
    "2": "strip glucose",
    "3": "ketone",
    "4": "insulin",
    "5": "food",
    "6": "time change",
    "7": "notes",
}


class _LibreHeader:
    def __init__(self, line: int, header: list[str], log: ParseLog) -> None:
        names = [c.strip().lower() for c in header]
        self.line = line
        self.width = len(header)
        ts = _column(names, lambda n: n == "device timestamp")
        rt = _column(names, lambda n: n == "record type")
        hist = _column(names, lambda n: n.startswith("historic glucose"))
        scan = _column(names, lambda n: n.startswith("scan glucose"))
        if ts is None or rt is None or hist is None or scan is None:
            raise log.error(line, "not a LibreView export (no Device Timestamp or Record Type)")
        self.ts, self.rt, self.hist, self.scan = ts, rt, hist, scan
        self.device = _column(names, lambda n: n == "device")
        self.serial = _column(names, lambda n: n == "serial number")
        units = {_unit_of(names[hist]), _unit_of(names[scan])}
        if len(units) != 1 or None in units:
            raise log.error(line, "the glucose columns do not name one unit (mg/dL or mmol/L)")
        self.unit = str(units.pop())
        self.need = max(ts, rt, hist, scan)


def _libre_records(
    path: Path, log: ParseLog, stage: str, progress: Progress | None, cancel: Cancel | None
) -> tuple[_LibreHeader, Iterator[tuple[int, list[str]]]]:
    records = _records(path, log, stage, progress, cancel)
    for _ in range(3):  # a title row ("Glucose Data, Generated on, …"), then the header
        first = next(records, None)
        if first is None:
            break
        line, row = first
        lowered = {c.strip().lower() for c in row}
        if "device timestamp" in lowered and "record type" in lowered:
            return _LibreHeader(line, row, log), records
    raise ImportFormatError(
        f"{log.file_name}: not a LibreView export (no header with Device Timestamp "
        "and Record Type in its first lines)"
    )


def _date_order(
    path: Path, log: ParseLog, progress: Progress | None, cancel: Cancel | None
) -> bool:
    """True for day-first dates: decided by the file's own dates, else by its locale hints."""
    head, records = _libre_records(path, log, "checking dates", progress, cancel)
    day_first_at = month_first_at = None
    sample: str | None = None
    ampm = dots = False
    for line, row in records:
        if len(row) <= head.ts:
            continue
        match = _LIBRE_TIME.fullmatch(row[head.ts].strip())
        if match is None or len(match[1]) == 4:
            continue
        sample = sample or match[0]
        ampm = ampm or match[7] is not None
        dots = dots or "." in match[0][:6]
        if day_first_at is None and int(match[1]) > 12:
            day_first_at = line
        if month_first_at is None and int(match[2]) > 12:
            month_first_at = line
    if day_first_at is not None and month_first_at is not None:
        raise log.error(
            max(day_first_at, month_first_at),
            f"dates are day-first on line {day_first_at} but month-first on line "
            f"{month_first_at}; the file mixes date formats",
        )
    if day_first_at is not None or month_first_at is not None:
        return day_first_at is not None
    if sample is None:
        return True  # no ambiguous date at all: the order never matters
    if head.unit == "mmol/L" or dots:
        order, reason = True, "as mmol/L accounts (UK, EU, …) write dates"
    elif ampm:
        order, reason = False, "as US accounts (mg/dL, AM/PM times) write dates"
    else:
        order, reason = True, "the usual order outside the US"
    log.assume(
        f"No date in the file has a day above 12, so dates such as {sample} could be read "
        f"either way; they were read {'day-first' if order else 'month-first (US)'}, {reason}."
    )
    return order


def read_libreview(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[GlucoseReading]:
    """Yield the historic (record type 0) and scan (type 1) readings of a LibreView export.

    Two passes over the file: the first settles the date order from the file's own evidence
    (a first field above 12 means day-first, a second field above 12 month-first; both is an
    error; neither is an assumption written to the receipt), the second reads the readings.
    Other record types (strip glucose, ketones, insulin, food, notes) are counted, not imported.
    """
    day_first = _date_order(path, log, progress, cancel)
    head, records = _libre_records(path, log, "reading", progress, cancel)
    times = _Times(tz, not_after)
    devices = _Devices(log)
    unit = head.unit

    for line, row in records:
        if len(row) <= head.need:
            if any(c.strip() for c in row):
                log.reject(line, f"has {len(row)} fields; the header has {head.width}")
            continue
        kind = row[head.rt].strip()
        if kind not in _GLUCOSE_TYPES:
            if kind in _OTHER_TYPES:
                log.skip(_OTHER_TYPES[kind])
            else:
                log.reject(line, f"record type '{_short(kind)}' is unknown")
            continue
        stamp = row[head.ts].strip()
        at = _libre_time(stamp, day_first, line, log)
        if at is None:
            continue
        column = head.hist if kind == "0" else head.scan
        value = _value(row[column], unit, f"{_GLUCOSE_TYPES[kind]} glucose value", line, log)
        if value is None:
            continue
        aware = times.aware(at)
        problem = times.problem(aware, stamp)
        if problem is not None:
            log.reject(line, problem)
            continue
        name = " ".join(
            row[i].strip() for i in (head.device, head.serial) if i is not None and i < len(row)
        )
        device = devices.get(name, lambda raw: raw.strip() or "FreeStyle Libre", line)
        yield GlucoseReading(
            at=aware, value=value, unit=unit, source=GlucoseSource.CGM, device=device
        )
    times.finish(log)


def _libre_time(stamp: str, day_first: bool, line: int, log: ParseLog) -> datetime | None:
    match = _LIBRE_TIME.fullmatch(stamp)
    if match is None:
        if not stamp:
            log.reject(line, "reading without a timestamp")
        else:
            log.reject(line, f"timestamp '{_short(stamp)}' is not a date and time")
        return None
    a, b, c, hour, minute = (int(match[i]) for i in range(1, 6))
    second = int(match[6] or 0)
    if len(match[1]) == 4:
        year, month, day = a, b, c
    elif len(match[3]) != 4:
        log.reject(line, f"timestamp '{_short(stamp)}' has no four-digit year")
        return None
    else:
        year = c
        day, month = (a, b) if day_first else (b, a)
    if match[7] is not None:
        if not 1 <= hour <= 12:
            log.reject(line, f"timestamp '{_short(stamp)}' has hour {hour} with AM/PM")
            return None
        hour = hour % 12 + (12 if match[7] in "Pp" else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        log.reject(line, f"timestamp '{_short(stamp)}' is not a valid date and time")
        return None


PARSERS: dict[str, Parser] = {DEXCOM: read_dexcom, LIBREVIEW: read_libreview}
