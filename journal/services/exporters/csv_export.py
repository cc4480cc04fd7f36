"""Writing the whole journal as the journal's own CSV export: one file per kind, a manifest."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journal.domain.entities import GlucoseReading, GlucoseSource
from journal.services.importers import Cancel, Progress
from journal.services.importers.journal_csv import (
    BODY_MEASUREMENTS,
    FILES,
    FORMAT_NAME,
    FORMAT_VERSION,
    GLUCOSE,
    LAB_DRAWS,
    LAB_RESULTS,
    MANIFEST,
    QUESTIONS,
    WALKS,
    WORKOUT_SETS,
    WORKOUTS,
    CsvFile,
    encode,
)
from journal.storage import repositories as repo
from journal.storage.database import ensure_private_dir
from journal.storage.models import GlucoseReadingRow, QuestionRow

__all__ = ["ExportCancelledError", "ExportRefusedError", "write_csv_export"]

_STAGING = ".export-in-progress"
_TICK = 10_000


class ExportRefusedError(Exception):
    """The target folder cannot take an export; nothing was written. The message says why."""


class ExportCancelledError(Exception):
    """The user cancelled an export; the target folder is as it was."""


def _is_previous_export(folder: Path) -> bool:
    """Only our own files, with a manifest naming our format: safe to overwrite."""
    ours = {f.name for f in FILES} | {MANIFEST, _STAGING}
    names = {p.name for p in folder.iterdir()}
    if not names <= ours or MANIFEST not in names:
        return False
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes()[: 64 * 1024])
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT_NAME


def check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportRefusedError(f"{out_dir} is a file, not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not _is_previous_export(out_dir):
        raise ExportRefusedError(
            f"{out_dir} is not empty and does not hold a previous export; choose an empty folder"
        )


class _Writer:
    """One CSV file being written privately (0600) in the staging folder."""

    def __init__(self, folder: Path, spec: CsvFile) -> None:
        self.path = folder / spec.name
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._handle = open(descriptor, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        self._csv = csv.writer(self._handle, lineterminator="\n")
        self._csv.writerow(spec.header)
        self.spec = spec
        self.rows = 0

    def write(self, values: Iterable[str]) -> None:
        self._csv.writerow(values)
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


def _row(spec: CsvFile, obj: object, link: dict[str, int] | None = None) -> Iterator[str]:
    for column in spec.columns:
        linked = link is not None and column.name in link
        value: Any = link[column.name] if link and linked else getattr(obj, column.name)
        yield encode(column.kind, value)


def write_csv_export(
    session: Session,
    out_dir: Path,
    exported_at: datetime,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> list[Path]:
    """Write every visible record into `out_dir`; returns the files written, manifest last.

    Files are staged in a private sub-folder and moved into place only once all of them are
    complete, so a failure or a cancel leaves `out_dir` as it was.
    """
    check_target(out_dir)
    created = not out_dir.exists()
    if created:
        ensure_private_dir(out_dir)
    staging = out_dir / _STAGING
    shutil.rmtree(staging, ignore_errors=True)  # left by an export that was killed
    staging.mkdir(mode=0o700)
    writers: list[_Writer] = []
    try:

        def check(stage: str, done: int, total: int) -> None:
            if cancel is not None and cancel():
                raise ExportCancelledError("Export cancelled; nothing was written.")
            if progress is not None:
                progress(stage, done, total)

        def open_file(spec: CsvFile) -> _Writer:
            writer = _Writer(staging, spec)
            writers.append(writer)
            return writer

        check("lab draws", 0, 1)
        draws, results = open_file(LAB_DRAWS), open_file(LAB_RESULTS)
        for number, draw in enumerate(repo.list_draws(session), start=1):
            draws.write(_row(LAB_DRAWS, draw, {"draw": number}))
            for result in draw.results:
                results.write(_row(LAB_RESULTS, result, {"draw": number}))

        check("workouts", 0, 1)
        workouts, sets = open_file(WORKOUTS), open_file(WORKOUT_SETS)
        for number, workout in enumerate(repo.list_workouts(session), start=1):
            workouts.write(_row(WORKOUTS, workout, {"workout": number}))
            for item in workout.sets:
                sets.write(_row(WORKOUT_SETS, item, {"workout": number}))

        check("walks", 0, 1)
        walks = open_file(WALKS)
        for walk in repo.list_walks(session):
            walks.write(_row(WALKS, walk))

        check("body measurements", 0, 1)
        body = open_file(BODY_MEASUREMENTS)
        for measurement in repo.list_body_measurements(session):
            body.write(_row(BODY_MEASUREMENTS, measurement))

        check("questions", 0, 1)
        questions = open_file(QUESTIONS)
        stmt = (
            select(QuestionRow)
            .where(repo.visible(QuestionRow.batch_id))
            .order_by(QuestionRow.position, QuestionRow.id)
        )
        for row in session.scalars(stmt):
            questions.write(_row(QUESTIONS, repo.question_from_row(row)))

        glucose = open_file(GLUCOSE)
        _write_glucose(session, glucose, check)

        for writer in writers:
            writer.close()
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "exported_at": encode("time", exported_at),
            "rows": {w.spec.name: w.rows for w in sorted(writers, key=_order)},
        }
        descriptor = os.open(staging / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            json.dump(manifest, handle, indent=2)
            handle.write("\n")
        check("finishing", 1, 1)
        # The manifest moves last: if the moves are interrupted while replacing a previous
        # export, the old manifest's row counts no longer match and the importer refuses it.
        written = []
        for name in [*(w.spec.name for w in sorted(writers, key=_order)), MANIFEST]:
            os.replace(staging / name, out_dir / name)
            written.append(out_dir / name)
        staging.rmdir()
        return written
    except BaseException:
        for writer in writers:
            writer.close()
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise


def _order(writer: _Writer) -> int:
    return FILES.index(writer.spec)


def _write_glucose(
    session: Session, writer: _Writer, check: Callable[[str, int, int], None]
) -> None:
    """Streamed in chunks: a million readings never sit in memory at once."""
    g = GlucoseReadingRow
    visible = repo.visible(g.batch_id)
    total = repo.count(session, select(g.id).where(visible))
    stmt = (
        select(g.at, g.value, g.unit, g.source, g.device)
        .where(visible)
        .order_by(g.at, g.id)
        .execution_options(yield_per=_TICK)
    )
    sources = {s.value: s for s in GlucoseSource}
    check("glucose readings", 0, total)
    for at, value, unit, source, device in session.execute(stmt):
        reading = GlucoseReading(at, value, unit, sources[source], device)
        writer.write(_row(GLUCOSE, reading))
        if writer.rows % _TICK == 0:
            check("glucose readings", writer.rows, total)
