"""Importing files of every registered format: parse fully, drop what the journal already holds,
write everything as one undoable batch."""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select, text, update
from sqlalchemy.orm import Session

from journal.domain.entities import (
    BodyMeasurement,
    GlucoseReading,
    ImportBatch,
    LabDraw,
    PostMealWalk,
    Question,
    Workout,
)
from journal.services.base import Service
from journal.services.changes import Change, Entity
from journal.services.errors import NotFoundError
from journal.services.importers import (
    Cancel,
    ImportCancelledError,
    ImportFormatError,
    ParseLog,
    Progress,
    Receipt,
    detect_format,
    registry,
)
from journal.storage import repositories as repo
from journal.storage.models import (
    BodyMeasurementRow,
    GlucoseReadingRow,
    ImportBatchRow,
    LabDrawRow,
    PostMealWalkRow,
    QuestionRow,
    WorkoutRow,
)

__all__ = ["KINDS", "ImportService"]

T = TypeVar("T")

# The receipt's names for what an import adds, in the order they are listed.
LAB_DRAWS = "lab draws"
LAB_RESULTS = "lab results"
WORKOUTS = "workouts"
WALKS = "walks"
GLUCOSE = "glucose readings"
BODY = "body measurements"
QUESTIONS = "questions"
KINDS = (LAB_DRAWS, LAB_RESULTS, WORKOUTS, WALKS, GLUCOSE, BODY, QUESTIONS)

# Every table whose rows carry the batch they came with (lab results and sets go with their
# draw or workout), and the Change entity each is announced as.
_BATCH_TABLES: tuple[tuple[type[Any], Entity], ...] = (
    (LabDrawRow, Entity.LAB_DRAW),
    (WorkoutRow, Entity.WORKOUT),
    (PostMealWalkRow, Entity.WALK),
    (GlucoseReadingRow, Entity.GLUCOSE),
    (BodyMeasurementRow, Entity.BODY_MEASUREMENT),
    (QuestionRow, Entity.QUESTION),
)

_INSERT = (
    "INSERT INTO glucose_reading (at, value, unit, source, device, batch_id) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_VALUE_BITS = 22  # value × 1000 as an int: 1500 mg/dL fits with room to spare
_STREAM_BITS = 11  # (source, device) pairs in one file: the CGM parsers allow 1,000 devices


def _key(at: int, stream: int, value: float) -> int:
    """A reading's natural key packed into one int: compact in a set of a million."""
    return (((at << _STREAM_BITS) | stream) << _VALUE_BITS) | round(value * 1000)


def _second(when: datetime) -> int:
    return round(when.timestamp())


class _Glucose:
    """A file's readings held compactly (about 20 bytes each) between parse and write.

    A "stream" is one (source, device) pair; the key treats a missing device and "" alike.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.at = array("q")
        self.value = array("d")
        self.stream = array("H")
        self.unit = array("B")
        self.streams: list[tuple[str, str | None]] = []
        self.units: list[str] = []
        self._stream_ix: dict[tuple[str, str], int] = {}
        self._unit_ix: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.at)

    def add(self, reading: GlucoseReading) -> None:
        source, device = str(reading.source.value), reading.device or None
        s = self._stream_ix.get((source, device or ""))
        if s is None:
            if len(self.streams) >= 1 << _STREAM_BITS:
                raise ImportFormatError(
                    f"{self.name}: names more than {1 << _STREAM_BITS:,} glucose devices"
                )
            s = self._stream_ix[(source, device or "")] = len(self.streams)
            self.streams.append((source, device))
        u = self._unit_ix.get(reading.unit)
        if u is None:
            u = self._unit_ix[reading.unit] = len(self.units)
            self.units.append(reading.unit)
        self.at.append(_second(reading.at))
        self.value.append(reading.value)
        self.stream.append(s)
        self.unit.append(u)

    def stream_index(self, source: str, device: str | None) -> int | None:
        return self._stream_ix.get((source, device or ""))


@dataclass
class _Parsed:
    """Everything one file holds, by kind; only glucose can be large."""

    glucose: _Glucose
    draws: list[LabDraw] = field(default_factory=list)
    workouts: list[Workout] = field(default_factory=list)
    walks: list[PostMealWalk] = field(default_factory=list)
    body: list[BodyMeasurement] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    def add(self, record: object) -> None:
        if isinstance(record, GlucoseReading):
            self.glucose.add(record)
        elif isinstance(record, LabDraw):
            self.draws.append(record)
        elif isinstance(record, Workout):
            self.workouts.append(record)
        elif isinstance(record, PostMealWalk):
            self.walks.append(record)
        elif isinstance(record, BodyMeasurement):
            self.body.append(record)
        elif isinstance(record, Question):
            self.questions.append(record)
        else:  # a parser bug, not the user's file
            raise TypeError(f"an import parser yielded {type(record).__name__}")

    def seen(self) -> set[str]:
        """The kinds the file held, whether or not they turn out to be new."""
        held = {
            LAB_DRAWS: self.draws,
            WORKOUTS: self.workouts,
            WALKS: self.walks,
            BODY: self.body,
            QUESTIONS: self.questions,
        }
        out = {kind for kind, items in held.items() if items}
        if self.draws:
            out.add(LAB_RESULTS)
        if len(self.glucose):
            out.add(GLUCOSE)
        return out


@dataclass
class _New:
    """What survives deduplication, and how many of each kind were dropped."""

    draws: list[LabDraw] = field(default_factory=list)
    workouts: list[Workout] = field(default_factory=list)
    walks: list[PostMealWalk] = field(default_factory=list)
    body: list[BodyMeasurement] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    glucose: array[int] = field(default_factory=lambda: array("L"))
    duplicates: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            LAB_DRAWS: len(self.draws),
            LAB_RESULTS: sum(len(d.results) for d in self.draws),
            WORKOUTS: len(self.workouts),
            WALKS: len(self.walks),
            GLUCOSE: len(self.glucose),
            BODY: len(self.body),
            QUESTIONS: len(self.questions),
        }

    @property
    def small_rows(self) -> int:
        return (
            len(self.draws)
            + len(self.workouts)
            + len(self.walks)
            + len(self.body)
            + len(self.questions)
        )


def _draw_keys(draw: LabDraw) -> list[Hashable]:
    at = _second(draw.drawn_at)
    return [(at, r.analyte, r.value, r.unit) for r in draw.results]


def _draw_only_key(draw: LabDraw) -> Hashable:
    """A draw without results is matched on its time, lab and notes."""
    return ("draw", _second(draw.drawn_at), draw.lab_name or "", draw.notes or "")


def _workout_key(w: Workout) -> Hashable:
    return (_second(w.started_at), round(w.duration_min), w.kind.value, w.activity or "")


def _walk_key(w: PostMealWalk) -> Hashable:
    return (_second(w.started_at), w.meal.value, round(w.duration_min))


def _body_key(m: BodyMeasurement) -> Hashable:
    return (_second(m.at), m.kind, m.value)


def _question_key(q: Question) -> Hashable:
    return (q.text, None if q.created_at is None else _second(q.created_at))


class ImportService(Service):
    """Imports files of every registered format as undoable batches; see import_file.

    `import_file` returns `(Receipt, Change)`: the receipt for the user, the change for the
    event bus (added ids per entity and the new batch id; empty when nothing was written).
    """

    chunk_size = 50_000  # glucose rows per write transaction; tests lower it

    def import_file(
        self,
        path: Path,
        *,
        tz: tzinfo,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        format: str | None = None,
    ) -> tuple[Receipt, Change]:
        """Import one file (or export folder), all or nothing, and say what happened.

        1. Hash it. A complete, not undone batch with the same SHA-256 → a receipt with
           already_imported=True, nothing written.
        2. Parse it completely (format sniffed from content unless given). A file-level problem
           raises ImportFormatError; bad records become rejections. Nothing is written yet.
        3. Drop records the journal already holds or that came earlier in the file, per kind
           on its natural key: glucose (UTC second, source, device, value), lab results (draw
           second, analyte, value, unit; a draw left with no new result is dropped), workouts
           (start second, whole minutes, kind, activity), walks (start second, meal, minutes),
           body measurements (second, kind, value), questions (text, creation second). One
           query per kind over the file's time span, not one per record.
        4. Write a "pending" batch row, glucose in chunks of `chunk_size` (one transaction
           each), then the other kinds and the flip of the batch to "complete" in one last
           transaction. Pending batches are invisible and deleted by open_journal, so a crash at
           any point leaves the journal as it was; any error or a cancel here deletes the
           pending batch at once and re-raises.

        The glucose key includes the value so that a LibreView scan and a historic reading that
        fall on the same minute are both kept; an overlapping export repeats both exactly.
        """
        name = path.name
        digest = _sha256(path, name)
        with self._read() as session:
            previous = session.scalars(
                select(ImportBatchRow.id)
                .where(
                    ImportBatchRow.sha256 == digest,
                    ImportBatchRow.status == "complete",
                    ImportBatchRow.undone.is_(False),
                )
                .order_by(ImportBatchRow.id)
                .limit(1)
            ).first()
        kind = format or detect_format(path)
        if previous is not None:
            return Receipt(name, kind or "", batch_id=previous, already_imported=True), Change()
        parse = None if kind is None else registry.parser_for(kind)
        if kind is None or parse is None:
            raise ImportFormatError(
                f"{name}: not a file this app can import (it reads {registry.described()})"
            )
        log = ParseLog(name)
        parsed = _Parsed(_Glucose(name))
        not_after = self._clock() + timedelta(days=1)
        for record in parse(
            path, tz=tz, log=log, not_after=not_after, progress=progress, cancel=cancel
        ):
            parsed.add(record)
        new = self._new_only(parsed)
        assumptions = tuple(log.assumptions)
        held = parsed.seen()
        added = {k: n for k, n in new.counts().items() if k in held}
        duplicates = {k: n for k, n in new.duplicates.items() if n}
        counts = {
            **added,
            "duplicates": sum(duplicates.values()),
            "rejected": log.rejected_count,
        }
        batch_id, ids = self._write_batch(
            kind, name, digest, assumptions, counts, parsed, new, progress, cancel
        )
        receipt = Receipt(
            file_name=name,
            format=kind,
            added=MappingProxyType(added),
            duplicates=sum(duplicates.values()),
            rejected=tuple(log.rejections),
            assumptions=assumptions,
            batch_id=batch_id,
            rejected_count=log.rejected_count,
            not_imported=MappingProxyType(dict(log.not_imported)),
            duplicates_by_kind=MappingProxyType(duplicates),
        )
        change = Change.of(Entity.IMPORT_BATCH, added=[batch_id])
        for entity, entity_ids in ids.items():
            change = change.merge(Change.of(entity, added=entity_ids))
        return receipt, change

    # --- step 3: what is new ---------------------------------------------------------------

    def _new_only(self, parsed: _Parsed) -> _New:
        new = _New()
        with self._read() as session:
            new.draws, new.duplicates[LAB_RESULTS], new.duplicates[LAB_DRAWS] = self._new_draws(
                session, parsed.draws
            )
            new.workouts, new.duplicates[WORKOUTS] = _fresh(
                parsed.workouts,
                _workout_key,
                _existing(
                    session,
                    WorkoutRow,
                    WorkoutRow.started_at,
                    parsed.workouts,
                    lambda w: w.started_at,
                    lambda rows: [_workout_key(repo.workout_from_row(r)) for r in rows],
                ),
            )
            new.walks, new.duplicates[WALKS] = _fresh(
                parsed.walks,
                _walk_key,
                _existing(
                    session,
                    PostMealWalkRow,
                    PostMealWalkRow.started_at,
                    parsed.walks,
                    lambda w: w.started_at,
                    lambda rows: [_walk_key(repo.walk_from_row(r)) for r in rows],
                ),
            )
            new.body, new.duplicates[BODY] = _fresh(
                parsed.body,
                _body_key,
                _existing(
                    session,
                    BodyMeasurementRow,
                    BodyMeasurementRow.at,
                    parsed.body,
                    lambda m: m.at,
                    lambda rows: [_body_key(repo.body_measurement_from_row(r)) for r in rows],
                ),
            )
            known_questions = (
                {
                    _question_key(repo.question_from_row(r))
                    for r in session.scalars(
                        select(QuestionRow).where(repo.visible(QuestionRow.batch_id))
                    )
                }
                if parsed.questions
                else set()
            )
            new.questions, new.duplicates[QUESTIONS] = _fresh(
                parsed.questions, _question_key, known_questions
            )
            new.glucose, new.duplicates[GLUCOSE] = self._new_glucose(session, parsed.glucose)
        return new

    def _new_draws(self, session: Session, draws: list[LabDraw]) -> tuple[list[LabDraw], int, int]:
        """Draws keeping only results not yet in the journal; (draws, results dropped, draws
        dropped). A partly known draw comes in as a new draw holding the new results, so that
        undoing this import never touches a draw written before it."""
        if not draws:
            return [], 0, 0
        times = [d.drawn_at for d in draws]
        rows = session.scalars(
            repo.visible_draws().where(
                LabDrawRow.drawn_at >= min(times), LabDrawRow.drawn_at <= max(times)
            )
        )
        seen: set[Hashable] = set()
        for row in rows:
            draw = repo.draw_from_row(row)
            seen.update(_draw_keys(draw) if draw.results else [_draw_only_key(draw)])
        out: list[LabDraw] = []
        results_dropped = draws_dropped = 0
        for draw in draws:
            if not draw.results:
                key = _draw_only_key(draw)
                if key in seen:
                    draws_dropped += 1
                else:
                    seen.add(key)
                    out.append(draw)
                continue
            kept = []
            for result, key in zip(draw.results, _draw_keys(draw), strict=True):
                if key in seen:
                    results_dropped += 1
                else:
                    seen.add(key)
                    kept.append(result)
            if kept:
                out.append(replace(draw, results=tuple(kept)))
            else:
                draws_dropped += 1
        return out, results_dropped, draws_dropped

    def _new_glucose(self, session: Session, parsed: _Glucose) -> tuple[array[int], int]:
        """Indexes of readings not already in the journal nor earlier in the file."""
        seen: set[int] = set()
        if len(parsed):
            r = GlucoseReadingRow
            sources = sorted({source for source, _ in parsed.streams})
            devices = sorted({device for _, device in parsed.streams if device})
            device_match: list[ColumnElement[bool]] = [r.device.in_(devices)] if devices else []
            if any(not device for _, device in parsed.streams):
                device_match += [r.device.is_(None), r.device == ""]
            stmt = select(r.at, r.source, r.device, r.value).where(
                r.source.in_(sources),
                or_(*device_match),
                r.at >= _utc(min(parsed.at)),
                r.at <= _utc(max(parsed.at)),
                repo.visible(r.batch_id),
            )
            for when, source, device, value in session.execute(stmt):
                s = parsed.stream_index(source, device)
                if s is not None:
                    seen.add(_key(_second(when), s, value))
        keep = array("L")
        duplicates = 0
        for i, (at, s, value) in enumerate(
            zip(parsed.at, parsed.stream, parsed.value, strict=True)
        ):
            key = _key(at, s, value)
            if key in seen:
                duplicates += 1
            else:
                seen.add(key)
                keep.append(i)
        return keep, duplicates

    # --- step 4: writing -------------------------------------------------------------------

    def _write_batch(
        self,
        kind: str,
        name: str,
        digest: str,
        assumptions: tuple[str, ...],
        counts: dict[str, int],
        parsed: _Parsed,
        new: _New,
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> tuple[int, dict[Entity, list[int]]]:
        with self._write() as session:
            row = ImportBatchRow(
                format=kind,
                file_name=name,
                sha256=digest,
                imported_at=self._clock(),
                status="pending",
                counts_json=json.dumps(counts),
                assumptions="\n".join(assumptions) or None,
                undone=False,
            )
            session.add(row)
            session.flush()
            batch_id = int(row.id)
        total = new.small_rows + len(new.glucose)

        def check_cancel() -> None:
            if cancel is not None and cancel():
                raise ImportCancelledError(f"Import of {name} cancelled.")

        try:
            done = 0
            for chunk in _chunks(parsed.glucose, new.glucose, batch_id, self.chunk_size):
                check_cancel()
                with self._write() as session:
                    session.connection().exec_driver_sql(_INSERT, chunk)
                done += len(chunk)
                if progress is not None:
                    progress("writing", done, total)
            check_cancel()
            # The few other rows go in with the flip to "complete": they appear at once, even
            # to queries that do not look at batches (the question list does not).
            with self._write() as session:
                session.add_all(self._small_rows(new, batch_id))
                session.flush()
                session.execute(
                    update(ImportBatchRow)
                    .where(ImportBatchRow.id == batch_id)
                    .values(status="complete")
                )
                ids = _batch_ids(session, batch_id)
            if progress is not None:
                progress("writing", total, total)
        except BaseException:
            self._discard(batch_id)
            raise
        return batch_id, ids

    def _small_rows(self, new: _New, batch_id: int) -> Iterator[object]:
        now = self._clock()
        pairs: list[tuple[Iterable[Any], type[Any], Callable[[Any, Any], None]]] = [
            (new.draws, LabDrawRow, repo.fill_draw_row),
            (new.workouts, WorkoutRow, repo.fill_workout_row),
            (new.walks, PostMealWalkRow, repo.fill_walk_row),
            (new.body, BodyMeasurementRow, repo.fill_body_measurement_row),
            (new.questions, QuestionRow, lambda row, q: repo.fill_question_row(row, q, now)),
        ]
        for items, model, fill in pairs:
            for item in items:
                row = model()
                fill(row, replace(item, id=None, batch_id=batch_id))
                yield row

    def _discard(self, batch_id: int) -> None:
        """Delete a pending batch and its rows; if even that fails, the next start purges it."""
        try:
            with self._write() as session:
                session.execute(
                    text("DELETE FROM import_batch WHERE id = :id AND status = 'pending'"),
                    {"id": batch_id},
                )
        except Exception:  # the original error matters more than this one
            pass

    def list_batches(self) -> list[ImportBatch]:
        """Every import, newest first, undone ones included (pending ones are never listed)."""
        with self._read() as session:
            rows = session.scalars(
                select(ImportBatchRow)
                .where(ImportBatchRow.status == "complete")
                .order_by(ImportBatchRow.imported_at.desc(), ImportBatchRow.id.desc())
            )
            return [repo.batch_from_row(r) for r in rows]

    def undo_batch(self, batch_id: int) -> Change:
        """Undo an import: delete its rows in every table (privacy: nothing lingers; lab results
        and sets go with their draw or workout) and mark the batch undone.

        The batch stays listed as undone; its SHA-256 no longer counts, so the same file can be
        imported again.
        """
        with self._write() as session:
            row = session.get(ImportBatchRow, batch_id)
            if row is None or row.status != "complete":
                raise NotFoundError("That import no longer exists.")
            if row.undone:
                return Change()
            ids = _batch_ids(session, batch_id)
            for model, _entity in _BATCH_TABLES:
                session.execute(
                    text(f"DELETE FROM {model.__tablename__} WHERE batch_id = :id"),
                    {"id": batch_id},
                )
            row.undone = True
        change = Change.of(Entity.IMPORT_BATCH, updated=[batch_id])
        for entity, entity_ids in ids.items():
            change = change.merge(Change.of(entity, removed=entity_ids))
        return change


def _batch_ids(session: Session, batch_id: int) -> dict[Entity, list[int]]:
    out: dict[Entity, list[int]] = {}
    for model, entity in _BATCH_TABLES:
        ids = list(session.scalars(select(model.id).where(model.batch_id == batch_id)))
        if ids:
            out[entity] = ids
    return out


def _existing(
    session: Session,
    model: type[Any],
    time_column: Any,
    items: list[Any],
    when: Callable[[Any], datetime],
    keys: Callable[[Iterable[Any]], list[Hashable]],
) -> set[Hashable]:
    """Keys of the visible rows of one table within the time span of `items`."""
    if not items:
        return set()
    times = [when(i) for i in items]
    rows = session.scalars(
        select(model).where(
            repo.visible(model.batch_id), time_column >= min(times), time_column <= max(times)
        )
    )
    return set(keys(rows))


def _fresh(
    items: list[T], key: Callable[[T], Hashable], seen: set[Hashable]
) -> tuple[list[T], int]:
    """Items whose key is neither in `seen` nor earlier in `items`; and how many were dropped."""
    out: list[T] = []
    for item in items:
        k = key(item)
        if k in seen:
            continue
        seen.add(k)
        out.append(item)
    return out, len(items) - len(out)


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _chunks(
    parsed: _Glucose, keep: array[int], batch_id: int, size: int
) -> Iterator[list[tuple[object, ...]]]:
    for start in range(0, len(keep), size):
        chunk: list[tuple[object, ...]] = []
        for i in keep[start : start + size]:
            source, device = parsed.streams[parsed.stream[i]]
            chunk.append(
                (
                    parsed.at[i],
                    parsed.value[i],
                    parsed.units[parsed.unit[i]],
                    source,
                    device,
                    batch_id,
                )
            )
        yield chunk


def _sha256(path: Path, name: str) -> str:
    """The content's digest; for an export folder, over its files' names and contents."""
    digest = hashlib.sha256()
    try:
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if path.is_dir():
                digest.update(f"{file.name}\0{file.stat().st_size}\0".encode())
            with open(file, "rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    return digest.hexdigest()
