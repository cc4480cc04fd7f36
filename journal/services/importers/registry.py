"""Every file format the journal reads, collected from the parser modules' FORMATS tables.

How a parser module plugs in:

- it defines, per format, ``sniff(path: Path, head: bytes) -> bool`` (looks only at the content:
  ``head`` is the file's first SNIFF_BYTES, or b"" for a folder; never the name) and
  ``parse(path, *, tz, log, not_after, progress, cancel) -> Iterator[record]``, where a record is
  a GlucoseReading, LabDraw (with its results), Workout or BodyMeasurement (the journal's own
  CSV also yields PostMealWalk and Question). Ids and batch ids are left None; the import
  service assigns them.
- it exposes ``FORMATS: dict[str, tuple[sniff, parse]]`` (format key -> pair), keys unique
  across modules (they are stored on each import batch).
- its dotted name is listed once in PARSER_MODULES below: that single line is the whole
  registration. The order is the sniffing order; the first sniffer that says yes wins, so
  narrow formats come before broad ones. A listed module that is not in this build is skipped;
  any other error while importing it is raised (a broken parser must not vanish silently).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from journal.services.importers import DEXCOM, LIBREVIEW, SNIFF_BYTES

__all__ = ["PARSER_MODULES", "Format", "Parser", "Sniff", "detect", "formats", "parser_for"]

Sniff = Callable[[Path, bytes], bool]
Parser = Callable[..., Iterator[Any]]
Format = tuple[Sniff, Parser]

PARSER_MODULES: tuple[str, ...] = (
    "journal.services.importers.journal_csv",
    "journal.services.importers.cgm",
    "journal.services.importers.fhir",
    "journal.services.importers.workout_files",
    "journal.services.importers.apple_health",
)

# What the user is told the app reads, by format key (formats not listed here are still read).
DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "journal-csv": "this app's own CSV export",
        DEXCOM: "Dexcom Clarity CSV",
        LIBREVIEW: "LibreView CSV",
        "fhir-json": "FHIR JSON lab results",
        "gpx": "GPX",
        "tcx": "TCX",
        "fit": "FIT workouts",
        "apple-health": "an Apple Health export",
    }
)


def _first_lines(head: bytes) -> list[str]:
    return head.decode("utf-8-sig", errors="replace").lower().splitlines()[:3]


def sniff_dexcom(path: Path, head: bytes) -> bool:
    """Dexcom Clarity: the header row names the timestamp column with its pattern."""
    return any(
        "timestamp (yyyy-mm-ddthh:mm:ss)" in line and "event type" in line
        for line in _first_lines(head)
    )


def sniff_libreview(path: Path, head: bytes) -> bool:
    """LibreView: a header row (after one preamble line) with "Device Timestamp", "Record Type"."""
    return any("device timestamp" in line and "record type" in line for line in _first_lines(head))


def _formats_of(module_name: str) -> Mapping[str, Format]:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # not in this build (yet); anything else is a real error
            return {}
        raise
    if module_name.endswith(".cgm"):  # the CGM readers predate FORMATS; sniffers live here
        parsers = module.PARSERS
        return {
            DEXCOM: (sniff_dexcom, parsers[DEXCOM]),
            LIBREVIEW: (sniff_libreview, parsers[LIBREVIEW]),
        }
    table: Mapping[str, Format] = module.FORMATS
    return table


@cache
def formats() -> Mapping[str, Format]:
    """Format key -> (sniff, parse), in sniffing order."""
    found: dict[str, Format] = {}
    for module_name in PARSER_MODULES:
        for key, pair in _formats_of(module_name).items():
            if key in found:
                raise RuntimeError(f"import format {key!r} is registered twice ({module_name})")
            found[key] = pair
    return MappingProxyType(found)


def parser_for(key: str) -> Parser | None:
    pair = formats().get(key)
    return None if pair is None else pair[1]


def described() -> str:
    """The formats this build reads, for a message to the user."""
    names = [DESCRIPTIONS[key] for key in DESCRIPTIONS if key in formats()]
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


def detect(path: Path) -> str | None:
    try:
        if path.is_dir():
            head = b""
        else:
            with open(path, "rb") as handle:
                head = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    for key, (sniff, _parse) in formats().items():
        # A sniffer that trips over odd content has simply not recognised it.
        with contextlib.suppress(Exception):
            if sniff(path, head):
                return key
    return None
