"""What every importer shares: its error, the receipt, bounded line reading and format sniffing.

The formats themselves are listed in `journal.services.importers.registry`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

__all__ = [
    "DEXCOM",
    "LIBREVIEW",
    "MAX_LINE_CHARS",
    "MAX_ROWS",
    "SNIFF_BYTES",
    "ImportCancelledError",
    "ImportFormatError",
    "LineGuard",
    "ParseLog",
    "Receipt",
    "Rejection",
    "detect_format",
]

DEXCOM = "dexcom-clarity-csv"
LIBREVIEW = "libreview-csv"

# A real CGM export line is under 300 characters; 64 KiB leaves room for long notes and still
# bounds the memory one hostile line can take.
MAX_LINE_CHARS = 64 * 1024
# Physical lines one CSV record may span (quoted notes with line breaks); an unclosed quote
# would otherwise swallow the rest of the file as one field.
MAX_LINES_PER_RECORD = 16
# A decade of 5-minute readings is about 1.05 million rows; five times that is not an export.
MAX_ROWS = 5_000_000
# Rejections listed one by one in a receipt; the count beyond stays exact.
MAX_LISTED_REJECTIONS = 1_000
# What a sniffer sees of a file.
SNIFF_BYTES = 64 * 1024

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Cancel = Callable[[], bool]


class ImportFormatError(ValueError):
    """The file cannot be imported at all; nothing was written. The message names file and line."""


class ImportCancelledError(Exception):
    """The user cancelled an import; nothing was written."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """One record left out of an import, where it was and why."""

    location: str  # "line 57", "element Workout #12", "entry 3 (Observation/abc)"
    reason: str  # "glucose value 'abc' is not a number"

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


def _empty_counts() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Receipt:
    """What one import did: added per kind, duplicates skipped, rejections, assumptions made.

    `added` maps each kind the file held ("glucose readings", "lab draws", "lab results",
    "workouts", "walks", "body measurements", "questions") to how many were written (0 when all
    were duplicates). `duplicates` is the total skipped, `duplicates_by_kind` its breakdown.
    `rejected` lists at most MAX_LISTED_REJECTIONS entries; `rejected_count` is the exact total.
    `not_imported` counts records of kinds the importer does not take (insulin, food, alerts).
    """

    file_name: str
    format: str
    added: Mapping[str, int] = field(default_factory=_empty_counts)
    duplicates: int = 0
    rejected: tuple[Rejection, ...] = ()
    assumptions: tuple[str, ...] = ()
    batch_id: int | None = None
    already_imported: bool = False
    rejected_count: int = 0
    not_imported: Mapping[str, int] = field(default_factory=_empty_counts)
    duplicates_by_kind: Mapping[str, int] = field(default_factory=_empty_counts)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    def lines(self) -> list[str]:
        """The receipt as plain text lines, for the CLI and the import dialog."""
        if self.already_imported:
            return [f"{self.file_name}: already imported (batch {self.batch_id}); nothing added."]
        added = ", ".join(_count(n, kind) for kind, n in self.added.items()) or "nothing"
        skipped = f"{self.duplicates:,} skipped as duplicates"
        if len([n for n in self.duplicates_by_kind.values() if n]) > 1:
            parts = ", ".join(_count(n, k) for k, n in self.duplicates_by_kind.items() if n)
            skipped += f" ({parts})"
        out = [
            f"{self.file_name} ({self.format}): added {added}; "
            f"{skipped}; {self.rejected_count:,} rejected."
        ]
        out.extend(f"  rejected {r}" for r in self.rejected)
        if self.rejected_count > len(self.rejected):
            out.append(f"  … and {self.rejected_count - len(self.rejected):,} more rejected")
        if self.not_imported:
            kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(self.not_imported.items()))
            out.append(f"  not imported (records the journal does not keep): {kinds}")
        out.extend(f"  assumed: {a}" for a in self.assumptions)
        return out


def _count(n: int, kind: str) -> str:
    """ "1 workout", "2 workouts": the kinds are named in the plural."""
    return f"{n:,} {kind[:-1] if n == 1 and kind.endswith('s') else kind}"


class ParseLog:
    """Collects what a parser left out and assumed, while its readings are being streamed."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.rejections: list[Rejection] = []
        self.rejected_count = 0
        self.not_imported: Counter[str] = Counter()
        self.assumptions: list[str] = []

    def reject(self, where: int | str, reason: str) -> None:
        """Leave one record out: `where` is a line number or a location ("element Workout #12")."""
        self.rejected_count += 1
        if len(self.rejections) < MAX_LISTED_REJECTIONS:
            self.rejections.append(Rejection(_location(where), reason))

    def skip(self, kind: str) -> None:
        self.not_imported[kind] += 1

    def assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def error(self, where: int | str, what: str) -> ImportFormatError:
        return ImportFormatError(f"{self.file_name}, {_location(where)}: {what}")


def _location(where: int | str) -> str:
    return f"line {where}" if isinstance(where, int) else where


class LineGuard:
    """Feeds a csv.reader physical lines, refusing overlong lines, runaway records and huge files.

    Reads bytes with readline(limit), so a file with no line breaks costs at most MAX_LINE_CHARS
    of memory before it is refused, and decodes each line itself (UTF-8, a leading BOM dropped)
    so that a decoding error names its line. `record_start` is set by the caller after each
    record.
    """

    def __init__(self, handle: BinaryIO, log: ParseLog, max_lines: int = 2 * MAX_ROWS) -> None:
        self._handle = handle
        self._log = log
        self._max_lines = max_lines
        self.line = 0
        self.chars = 0
        self.record_start = 0

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self._handle.readline(MAX_LINE_CHARS + 1)
            if not raw:
                return
            self.line += 1
            self.chars += len(raw)
            if len(raw) > MAX_LINE_CHARS:
                raise self._log.error(
                    self.line,
                    f"the line is longer than {MAX_LINE_CHARS // 1024} KiB; "
                    "this is not a file the app reads (or it is damaged)",
                )
            if self.line - self.record_start > MAX_LINES_PER_RECORD:
                raise self._log.error(
                    self.record_start + 1,
                    f"a quoted field runs over more than {MAX_LINES_PER_RECORD} lines "
                    "(an unclosed quote?)",
                )
            if self.line > self._max_lines:
                raise self._log.error(
                    self.line, f"the file has more than {self._max_lines:,} lines; too large"
                )
            if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise self._log.error(
                    self.line, "is not UTF-8 text (is this a CSV export?)"
                ) from exc
            yield text


def detect_format(path: Path) -> str | None:
    """The format key of a file (or folder) by its content, never its name; None if unknown.

    Each registered sniffer sees the first SNIFF_BYTES of a file (b"" for a folder), in the
    order of `registry.PARSER_MODULES`; the first that recognises it wins.
    """
    from journal.services.importers.registry import detect

    return detect(path)
