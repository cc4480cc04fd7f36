"""Lab results from FHIR (R4 and DSTU2): Bundles, NDJSON bulk files and single resources."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

from journal.domain.analytes import (
    FASTING_LOINC,
    UNLISTED,
    Analyte,
    UnitMismatchError,
    analyte_for_loinc,
    analyte_for_name,
)
from journal.domain.entities import BodyMeasurement, Fasting, LabDraw, LabResult
from journal.domain.plausibility import Verdict, check_value
from journal.services.importers import (
    Cancel,
    ImportCancelledError,
    ImportFormatError,
    ParseLog,
    Progress,
)

__all__ = [
    "FHIR",
    "FORMATS",
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "draws_from_resources",
    "parse",
    "sniff",
]

FHIR = "fhir-json"

# A whole JSON document is parsed in memory (several times its size as Python objects); a
# person's lab history is a few MB, so 200 MB is far beyond any real Bundle yet still bounded.
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
# One NDJSON line holds one resource, a few KB; 16 MiB leaves room for a Bundle on one line.
MAX_LINE_BYTES = 16 * 1024 * 1024
# Resources in one file: a bulk export of one person rarely passes 100,000 Observations.
MAX_RESOURCES = 5_000_000
_TICK = 2_000  # resources between progress reports and cancel checks
_MAX_TEXT = 200  # lab names and reported names are kept up to this many characters
_MAX_UNIT = 32  # the length of the unit column

_LOINC_SYSTEMS = frozenset({"http://loinc.org", "loinc", "urn:oid:2.16.840.1.113883.6.1"})
_LOINC_CODE = re.compile(r"\d{1,7}-\d")
_FLAGS = frozenset({"N", "L", "H", "LL", "HH", "A", "AA"})
# Statuses saying the result does not stand (R4 and DSTU2 use the same codes).
_VOID_STATUS = frozenset({"cancelled", "entered-in-error"})
_RESOURCE_TYPE = re.compile(rb'"resourceType"\s*:\s*"[A-Z][A-Za-z]+"')
_VITAL_GROUPS = frozenset({"vitals", "body"})
_RESOURCE_NAME = re.compile(r"[A-Z][A-Za-z]{1,63}")
_MAX_TYPES = 40  # resource types named one by one in the receipt
_MAX_NESTING = 4  # Bundles inside Bundles (a batch response holding searchsets, say)
# Catalogue keys that the journal keeps as body measurements, and the kind each is stored as.
_BODY_KINDS = {"weight": "body_mass", "waist": "waist"}


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


# --- small typed readers over parsed JSON ----------------------------------------------------


def _obj(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _list(value: object) -> list[Any]:
    """R4 lists (category, interpretation, performer) were single values in DSTU2."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _codings(concept: object) -> list[Mapping[str, Any]]:
    found = _obj(concept)
    if found is None:
        return []
    return [c for c in _list(found.get("coding")) if isinstance(c, Mapping)]


def _codes(concepts: object) -> set[str]:
    return {
        code
        for concept in _list(concepts)
        for c in _codings(concept)
        if (code := _str(c.get("code"))) is not None
    }


# --- times -----------------------------------------------------------------------------------


class _Times:
    """FHIR dateTime strings to aware datetimes; notes the assumptions a partial one forces."""

    def __init__(self, tz: tzinfo, not_after: datetime | None, log: ParseLog) -> None:
        self.tz = tz
        self.not_after = not_after
        self.log = log
        self.date_only = 0
        self.naive = 0
        self.issued = 0

    def parse(self, text: str) -> datetime | str:
        """The instant, or the reason it cannot be one."""
        if len(text) == 10:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                return f"date '{_short(text)}' is not a valid date"
            self.date_only += 1
            at = datetime.combine(day, time(0, 0), self.tz)
        elif len(text) < 10:
            return f"date '{_short(text)}' has no day"
        else:
            try:
                at = datetime.fromisoformat(text)
            except ValueError:
                return f"time '{_short(text)}' is not a FHIR date and time"
            if at.tzinfo is None:
                self.naive += 1
                at = at.replace(tzinfo=self.tz)
        if at.year < 1900:
            return f"time '{_short(text)}' is before 1900"
        if self.not_after is not None and at > self.not_after:
            return f"time '{_short(text)}' is in the future"
        return at

    def finish(self) -> None:
        zone = getattr(self.tz, "key", None) or str(self.tz)
        if self.date_only:
            self.log.assume(
                f"Only a date was given for {_n(self.date_only, 'result')}; it was placed at "
                f"midnight, local time in {zone}."
            )
        if self.naive:
            self.log.assume(
                f"Times without a UTC offset ({_n(self.naive, 'result')}) were read as local "
                f"time in {zone}."
            )
        if self.issued:
            self.log.assume(
                f"No collection time was given for {_n(self.issued, 'result')}; the time the "
                "lab issued it was used instead."
            )


# --- observations into draws -----------------------------------------------------------------


@dataclass(slots=True)
class _Draw:
    at: datetime
    lab: str | None
    fasting: bool = False
    results: list[LabResult] = field(default_factory=list)
    seen: dict[tuple[str, str], LabResult] = field(default_factory=dict)


class _Collector:
    """Turns Observations into results and groups them by effective time (and performer)."""

    def __init__(
        self, log: ParseLog, tz: tzinfo, not_after: datetime | None, take_body: bool = False
    ) -> None:
        self.log = log
        self.take_body = take_body
        self.body: dict[tuple[datetime, str], BodyMeasurement] = {}
        self.times = _Times(tz, not_after, log)
        self.draws: dict[tuple[datetime, str | None], _Draw] = {}
        self.subjects: set[str] = set()
        self.types: set[str] = set()
        self.unconvertible = 0

    def take(self, resource: Mapping[str, Any], where: str, depth: int = 0) -> None:
        kind = _str(resource.get("resourceType"))
        if kind == "Bundle":
            if depth >= _MAX_NESTING:
                self.log.reject(where or "Bundle", "Bundles are nested too deeply")
                return
            entries = resource.get("entry")
            if entries is not None and not isinstance(entries, list):
                self.log.reject(where or "Bundle", "its entry is not a list")
                return
            for i, entry in enumerate(_list(entries), 1):
                inner = _obj(_obj(entry) and entry.get("resource"))
                if inner is None:
                    self.log.reject(f"{where} entry {i}", "the entry holds no resource")
                    continue
                self.take(inner, f"{where} entry {i}".strip(), depth + 1)
            return
        label = f"{kind}/{_short(_str(resource.get('id')) or '?', 64)}"
        at = f"{where} ({label})" if where else label
        if kind is None:
            self.log.reject(where or "resource", "has no resourceType")
            return
        if kind != "Observation":
            self._skip_type(kind)
            return
        try:
            self._observation(resource, at)
        except RecursionError:
            self.log.reject(at, "is nested too deeply to read")

    def _skip_type(self, kind: str) -> None:
        """Count another resource type, keeping the receipt bounded against odd files."""
        known = kind in self.log.not_imported or len(self.types) < _MAX_TYPES
        if _RESOURCE_NAME.fullmatch(kind) and known:
            self.types.add(kind)
            self.log.skip(kind)
        else:
            self.log.skip("other resources")

    def _observation(self, obs: Mapping[str, Any], where: str) -> None:
        log = self.log
        subject = _str((_obj(obs.get("subject")) or {}).get("reference"))
        if subject is not None and len(self.subjects) < 10:
            self.subjects.add(subject[:_MAX_TEXT])
        status = _str(obs.get("status"))
        if status in _VOID_STATUS:
            log.skip(f"results marked {status}")
            return
        loinc = next(
            (
                code
                for c in _codings(obs.get("code"))
                if (_str(c.get("system")) or "").lower() in _LOINC_SYSTEMS
                and (code := _str(c.get("code"))) is not None
                and _LOINC_CODE.fullmatch(code)
            ),
            None,
        )
        name = _reported_name(obs.get("code"))
        analyte = analyte_for_loinc(loinc) if loinc else None
        if analyte is None and loinc is None and name is not None:
            analyte = analyte_for_name(name)
        categories = {c.lower() for c in _codes(obs.get("category"))}
        if analyte is not None and analyte.group in _VITAL_GROUPS:
            if self.take_body and analyte.key in _BODY_KINDS:
                self._body(obs, analyte, where)
            else:
                log.skip("vital signs and body measurements")
            return
        if "laboratory" not in categories:
            if "vital-signs" in categories or "vital-sign" in categories:
                log.skip("vital signs and body measurements")
                return
            if categories or analyte is None:
                log.skip("observations that are not lab results")
                return
        if "component" in obs and "valueQuantity" not in obs:
            log.skip("panels with several values")
            return
        quantity = _obj(obs.get("valueQuantity"))
        if quantity is None:
            log.skip("lab results without a number")
            return
        raw_value = quantity.get("value")
        value = _number(raw_value)
        if value is None:
            log.reject(where, f"value {_short(str(raw_value))!r} is not a number")
            return
        comparator = _str(quantity.get("comparator"))
        if comparator is not None:
            log.reject(
                where,
                f"reported only as {comparator} {value:g}; the exact value is not known",
            )
            return
        when = self._when(obs, where)
        if when is None:
            return
        result = self._result(obs, analyte, loinc, name, value, quantity, where)
        if result is None:
            return
        lab = _performer(obs.get("performer"))
        draw = self.draws.get((when, lab))
        if draw is None:
            draw = self.draws[(when, lab)] = _Draw(when, lab)
        # A listed test appears once per draw; unlisted ones are told apart by code, name, unit.
        key = (result.analyte, "")
        if result.analyte == UNLISTED:
            key = (f"{result.loinc}|{result.reported_name}", result.unit)
        earlier = draw.seen.get(key)
        if earlier is not None:
            if earlier.value == result.value and earlier.unit == result.unit:
                log.skip("results repeated in the file")
            else:
                log.reject(
                    where,
                    f"a second {result.reported_name or result.analyte} result at the same "
                    f"time ({result.value:g} {result.unit}; kept {earlier.value:g} "
                    f"{earlier.unit})",
                )
            return
        draw.seen[key] = result
        draw.results.append(result)
        draw.fasting = draw.fasting or (loinc in FASTING_LOINC)

    def _body(self, obs: Mapping[str, Any], analyte: Analyte, where: str) -> None:
        quantity = _obj(obs.get("valueQuantity"))
        value = _number(quantity.get("value")) if quantity is not None else None
        if quantity is None or value is None:
            self.log.reject(where, f"{analyte.name.lower()} without a number")
            return
        unit = None
        for candidate in (_str(quantity.get("code")), _str(quantity.get("unit"))):
            if candidate is not None and unit is None:
                try:
                    unit = analyte.canonical_unit(candidate)
                except UnitMismatchError:
                    continue
        if unit is None:
            self.log.reject(where, f"{analyte.name.lower()} in a unit the journal does not read")
            return
        verdict = check_value(analyte.key, value, unit)
        if verdict.verdict is Verdict.IMPOSSIBLE:
            self.log.reject(where, verdict.message or f"{value:g} {unit} is impossible")
            return
        when = self._when(obs, where)
        if when is None:
            return
        kind = _BODY_KINDS[analyte.key]
        if (when, kind) in self.body:
            self.log.skip("results repeated in the file")
            return
        self.body[(when, kind)] = BodyMeasurement(
            at=when, kind=kind, value=value, unit=unit, source="fhir"
        )

    def _when(self, obs: Mapping[str, Any], where: str) -> datetime | None:
        text = _str(obs.get("effectiveDateTime")) or _str(obs.get("effectiveInstant"))
        if text is None:
            period = _obj(obs.get("effectivePeriod"))
            text = _str(period.get("start")) if period is not None else None
        if text is None:
            text = _str(obs.get("issued"))
            if text is None:
                self.log.reject(where, "has no effective time and no issued time")
                return None
            self.times.issued += 1
        at = self.times.parse(text)
        if isinstance(at, str):
            self.log.reject(where, at)
            return None
        return at

    def _result(
        self,
        obs: Mapping[str, Any],
        analyte: Analyte | None,
        loinc: str | None,
        name: str | None,
        value: float,
        quantity: Mapping[str, Any],
        where: str,
    ) -> LabResult | None:
        code = _str(quantity.get("code"))
        shown = _str(quantity.get("unit"))
        key = UNLISTED
        unit: str | None = None
        if analyte is not None:
            for candidate in (code, shown):
                if candidate is None:
                    continue
                try:
                    unit = analyte.canonical_unit(candidate)
                    break
                except UnitMismatchError:
                    continue
            if unit is None:
                self.unconvertible += 1
            else:
                key = analyte.key
                verdict = check_value(analyte.key, value, unit)
                if verdict.verdict is Verdict.IMPOSSIBLE:
                    self.log.reject(where, verdict.message or f"{value:g} {unit} is impossible")
                    return None
        if unit is None:
            unit = shown or code or ""
            if len(unit) > _MAX_UNIT:
                self.log.reject(where, f"unit '{_short(unit)}' is too long")
                return None
        low, high, text = _reference_range(obs.get("referenceRange"))
        flags = _codes(obs.get("interpretation"))
        flag = next((f.upper() for f in sorted(flags) if f.upper() in _FLAGS), None)
        return LabResult(
            analyte=key,
            value=value,
            unit=unit,
            loinc=loinc,
            ref_low=low,
            ref_high=high,
            ref_text=text,
            flag=flag,
            reported_name=name or (analyte.name if analyte is not None else loinc),
        )

    def finish(self) -> Iterator[LabDraw]:
        self.times.finish()
        if self.unconvertible:
            self.log.assume(
                f"{_n(self.unconvertible, 'result')} of tests the journal knows came in a unit "
                "it does not convert; kept as other results, with the name and unit reported."
            )
        for draw in sorted(self.draws.values(), key=lambda d: (d.at, d.lab or "")):
            yield LabDraw(
                drawn_at=draw.at,
                fasting=Fasting.YES if draw.fasting else Fasting.UNKNOWN,
                lab_name=draw.lab,
                source="fhir",
                results=tuple(draw.results),
            )


def _reported_name(concept: object) -> str | None:
    found = _obj(concept)
    if found is None:
        return None
    text = _str(found.get("text")) or next(
        (d for c in _codings(found) if (d := _str(c.get("display"))) is not None), None
    )
    return text[:_MAX_TEXT] if text else None


def _performer(performers: object) -> str | None:
    for ref in _list(performers):
        found = _obj(ref)
        name = _str(found.get("display")) if found is not None else None
        if name is not None:
            return name[:_MAX_TEXT]
    return None


def _reference_range(ranges: object) -> tuple[float | None, float | None, str | None]:
    for item in _list(ranges):
        found = _obj(item)
        if found is None:
            continue
        low = _number((_obj(found.get("low")) or {}).get("value"))
        high = _number((_obj(found.get("high")) or {}).get("value"))
        text = _str(found.get("text"))
        if low is not None and low < 0:
            low = None
        if high is not None and high < 0:
            high = None
        if low is not None and high is not None and low > high:
            low = high = None
        if low is not None or high is not None or text is not None:
            return low, high, text[:_MAX_TEXT] if text else None
    return None, None, None


# --- public entry points ---------------------------------------------------------------------


def draws_from_resources(
    resources: Iterable[Mapping[str, object]],
    *,
    where: str,
    log: ParseLog,
    tz: tzinfo,
    not_after: datetime | None = None,
) -> Iterator[LabDraw]:
    """Lab draws from already-parsed FHIR resources (Observations, or Bundles holding them).

    For readers of other containers (Apple Health's clinical-records/*.json): `where` names the
    source in rejections, e.g. "clinical-records/Observation-12.json". Results are grouped into
    one draw per effective time and performer; non-lab observations are counted in
    log.not_imported, broken ones rejected. Draws are yielded once every resource was read.
    """
    collector = _Collector(log, tz, not_after)
    for i, resource in enumerate(resources, 1):
        found = _obj(resource)
        if found is None:
            log.reject(f"{where} resource {i}", "is not a JSON object")
            continue
        collector.take(found, where if i == 1 else f"{where} resource {i}")
    yield from collector.finish()


def sniff(path: Path, head: bytes) -> bool:
    """A JSON object naming a FHIR resourceType near its start (Bundle, NDJSON or single)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and _RESOURCE_TYPE.search(text[:8192]) is not None


def _loads(text: str | bytes) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not a JSON number")

    return json.loads(text, parse_constant=refuse)


def parse(
    path: Path,
    *,
    tz: tzinfo,
    log: ParseLog,
    not_after: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[LabDraw | BodyMeasurement]:
    """Yield the lab draws in a FHIR JSON file: a Bundle, an NDJSON bulk file or one resource.

    Body weight and waist observations come out as body measurements, after the draws.

    A file whose first line is a whole JSON object is read as NDJSON, one line at a time (so a
    bulk export of any size costs one line of memory); otherwise it is one JSON document, read
    whole, and refused above MAX_DOCUMENT_BYTES.
    """
    name = log.file_name
    try:
        size = path.stat().st_size
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    collector = _Collector(log, tz, not_after, take_body=True)
    with handle:
        try:
            first = handle.readline(MAX_LINE_BYTES + 1)
            ndjson = _is_json_object(first)
            handle.seek(0)
            if ndjson:
                _read_ndjson(handle, size, collector, log, progress, cancel)
            else:
                _read_document(handle, size, collector, log, progress, cancel)
        except OSError as exc:
            raise ImportFormatError(f"{name}: reading failed ({exc.strerror or exc})") from exc
    if len(collector.subjects) > 1:
        people = ", ".join(sorted(collector.subjects)[:3])
        more = "+" if len(collector.subjects) >= 10 else ""
        raise ImportFormatError(
            f"{name}: holds results of {len(collector.subjects)}{more} different patients "
            f"({people} …); a journal keeps one person's results, so "
            "export only your own records"
        )
    draws = list(collector.finish())
    body = sorted(collector.body.values(), key=lambda m: (m.at, m.kind))
    if not draws and not body and not log.rejected_count and not log.not_imported:
        raise ImportFormatError(f"{name}: holds no FHIR resources")
    yield from draws
    yield from body


def _is_json_object(line: bytes) -> bool:
    if len(line) > MAX_LINE_BYTES:
        return False
    try:
        return isinstance(_loads(line.lstrip(b"\xef\xbb\xbf")), dict)
    except (ValueError, RecursionError):
        return False


def _tick(count: int, log: ParseLog, cancel: Cancel | None) -> None:
    if count > MAX_RESOURCES:
        raise ImportFormatError(f"{log.file_name}: more than {MAX_RESOURCES:,} resources")
    if cancel is not None and cancel():
        raise ImportCancelledError(f"Import of {log.file_name} cancelled.")


def _read_ndjson(
    handle: Any,
    size: int,
    collector: _Collector,
    log: ParseLog,
    progress: Progress | None,
    cancel: Cancel | None,
) -> None:
    line = done = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        line += 1
        done += len(raw)
        if len(raw) > MAX_LINE_BYTES:
            raise log.error(
                line, f"the line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; too large"
            )
        if line == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise log.error(line, "is not UTF-8 text (is this a FHIR JSON file?)") from exc
        try:
            resource = _loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            log.reject(f"line {line}", f"is not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except (ValueError, RecursionError) as exc:
            log.reject(f"line {line}", f"is not valid JSON ({_short(str(exc), 80)})")
            continue
        found = _obj(resource)
        if found is None:
            log.reject(f"line {line}", "is not a JSON object")
            continue
        collector.take(found, f"line {line}")
        if line % _TICK == 0:
            _tick(line, log, cancel)
            if progress is not None:
                progress("reading", done, size)


def _read_document(
    handle: Any,
    size: int,
    collector: _Collector,
    log: ParseLog,
    progress: Progress | None,
    cancel: Cancel | None,
) -> None:
    name = log.file_name
    if size > MAX_DOCUMENT_BYTES:
        raise ImportFormatError(
            f"{name}: a single JSON document of {size / 2**20:,.0f} MB is larger than the "
            f"{MAX_DOCUMENT_BYTES // 2**20} MB this app reads at once; export it as NDJSON "
            "(one resource per line) instead"
        )
    data = handle.read(MAX_DOCUMENT_BYTES + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"{name}: byte {exc.start:,} is not UTF-8 text (is this a FHIR JSON file?)"
        ) from exc
    if not text.strip():
        raise ImportFormatError(f"{name}: the file is empty")
    try:
        document = _loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{name}, line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise ImportFormatError(f"{name}: not readable as JSON ({_short(str(exc), 80)})") from exc
    found = _obj(document)
    if found is None or _str(found.get("resourceType")) is None:
        raise ImportFormatError(f"{name}: not a FHIR resource (no resourceType at the top)")
    entries = found.get("entry")
    if _str(found.get("resourceType")) == "Bundle" and isinstance(entries, list):
        for i, entry in enumerate(entries, 1):
            inner = _obj(_obj(entry) and entry.get("resource"))
            if inner is None:
                log.reject(f"entry {i}", "the entry holds no resource")
            else:
                collector.take(inner, f"entry {i}")
            if i % _TICK == 0:
                _tick(i, log, cancel)
                if progress is not None:
                    progress("reading", i, len(entries))
    else:
        collector.take(found, "")


_Sniff = Callable[[Path, bytes], bool]
FORMATS: dict[str, tuple[_Sniff, Callable[..., Iterator[LabDraw | BodyMeasurement]]]] = {
    FHIR: (sniff, parse)
}
