"""Importing CGM files: parse fully, drop what the journal already holds, write as one batch."""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType

from sqlalchemy import select, text, update

from journal.domain.entities import GlucoseSource, ImportBatch
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
)
from journal.services.importers.cgm import PARSERS
from journal.storage import repositories as repo
from journal.storage.models import GlucoseReadingRow, ImportBatchRow

__all__ = ["ImportService"]

_INSERT = (
    "INSERT INTO glucose_reading (at, value, unit, source, device, batch_id) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_VALUE_BITS = 22  # value × 1000 as an int: 1500 mg/dL fits with room to spare
_DEVICE_BITS = 10  # the parsers refuse files naming more than 1,000 devices


def _key(at: int, device: int, value: float) -> int:
    """A reading's natural key packed into one int: compact in a set of a million."""
    return (((at << _DEVICE_BITS) | device) << _VALUE_BITS) | round(value * 1000)


class _Parsed:
    """A file's new readings held compactly (about 20 bytes each) between parse and write."""

    def __init__(self) -> None:
        self.at = array("q")
        self.value = array("d")
        self.device = array("H")
        self.unit = array("B")
        self.devices: list[str] = []
        self.units: list[str] = []
        self._device_ix: dict[str, int] = {}
        self._unit_ix: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.at)

    def add(self, at: int, value: float, unit: str, device: str) -> None:
        d = self._device_ix.get(device)
        if d is None:
            d = self._device_ix[device] = len(self.devices)
            self.devices.append(device)
        u = self._unit_ix.get(unit)
        if u is None:
            u = self._unit_ix[unit] = len(self.units)
            self.units.append(unit)
        self.at.append(at)
        self.value.append(value)
        self.device.append(d)
        self.unit.append(u)

    def device_index(self, name: str) -> int | None:
        return self._device_ix.get(name)


class ImportService(Service):
    """Imports CGM exports as undoable batches; see import_file for the guarantees.

    `import_file` returns `(Receipt, Change)`: the receipt for the user, the change for the
    event bus (added glucose ids and the new batch id; empty when nothing was written).
    """

    chunk_size = 50_000  # rows per write transaction; tests lower it to exercise the chunking

    def import_file(
        self,
        path: Path,
        *,
        tz: tzinfo,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        format: str | None = None,
    ) -> tuple[Receipt, Change]:
        """Import one file, all or nothing, and say what happened.

        1. Hash the file. A complete, not undone batch with the same SHA-256 → a receipt with
           already_imported=True, nothing written.
        2. Parse it completely (format sniffed from content unless given). A file-level problem
           raises ImportFormatError; bad rows become rejections. Nothing is written yet.
        3. Drop readings whose natural key (UTC second, device, value) is already in the journal
           or earlier in the file: one query over the file's time span, not one per row.
        4. Write a "pending" batch row, the readings in chunks of `chunk_size` (one transaction
           each), then flip the batch to "complete". Pending batches are invisible and are
           deleted by open_journal, so a crash at any point leaves the journal as it was; any
           error here deletes the pending batch at once and re-raises.

        The key includes the value so that a LibreView scan and a historic reading that fall on
        the same minute are both kept; an overlapping export repeats both exactly.
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
        if kind is None or kind not in PARSERS:
            raise ImportFormatError(
                f"{name}: not a file this app can import (expected a Dexcom Clarity or "
                "LibreView CSV export)"
            )
        log = ParseLog(name)
        parsed = _Parsed()
        not_after = self._clock() + timedelta(days=1)
        for reading in PARSERS[kind](
            path, tz=tz, log=log, not_after=not_after, progress=progress, cancel=cancel
        ):
            parsed.add(
                round(reading.at.timestamp()), reading.value, reading.unit, reading.device or ""
            )
        keep, duplicates = self._new_only(parsed)
        assumptions = tuple(log.assumptions)
        counts = {"glucose": len(keep), "duplicates": duplicates, "rejected": log.rejected_count}
        batch_id, ids = self._write_batch(
            kind, name, digest, assumptions, counts, parsed, keep, progress, cancel
        )
        receipt = Receipt(
            file_name=name,
            format=kind,
            added=MappingProxyType({"glucose": len(keep)}),
            duplicates=duplicates,
            rejected=tuple(log.rejections),
            assumptions=assumptions,
            batch_id=batch_id,
            rejected_count=log.rejected_count,
            not_imported=MappingProxyType(dict(log.not_imported)),
        )
        change = Change.of(Entity.GLUCOSE, added=ids).merge(
            Change.of(Entity.IMPORT_BATCH, added=[batch_id])
        )
        return receipt, change

    def _new_only(self, parsed: _Parsed) -> tuple[array[int], int]:
        """Indexes of readings not already in the journal nor earlier in the file."""
        seen: set[int] = set()
        if len(parsed):
            r = GlucoseReadingRow
            stmt = select(r.at, r.device, r.value).where(
                r.source == GlucoseSource.CGM.value,
                r.device.in_(parsed.devices),
                r.at >= _utc(min(parsed.at)),
                r.at <= _utc(max(parsed.at)),
                repo.visible(r.batch_id),
            )
            with self._read() as session:
                for when, device, value in session.execute(stmt):
                    d = parsed.device_index(device or "")
                    if d is not None:
                        seen.add(_key(round(when.timestamp()), d, value))
        keep = array("L")
        duplicates = 0
        for i, (at, d, value) in enumerate(
            zip(parsed.at, parsed.device, parsed.value, strict=True)
        ):
            key = _key(at, d, value)
            if key in seen:
                duplicates += 1
            else:
                seen.add(key)
                keep.append(i)
        return keep, duplicates

    def _write_batch(
        self,
        kind: str,
        name: str,
        digest: str,
        assumptions: tuple[str, ...],
        counts: dict[str, int],
        parsed: _Parsed,
        keep: array[int],
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> tuple[int, list[int]]:
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
        try:
            done = 0
            for chunk in _chunks(parsed, keep, batch_id, self.chunk_size):
                if cancel is not None and cancel():
                    raise ImportCancelledError(f"Import of {name} cancelled.")
                with self._write() as session:
                    session.connection().exec_driver_sql(_INSERT, chunk)
                done += len(chunk)
                if progress is not None:
                    progress("writing", done, len(keep))
            with self._write() as session:
                session.execute(
                    update(ImportBatchRow)
                    .where(ImportBatchRow.id == batch_id)
                    .values(status="complete")
                )
                ids = list(
                    session.scalars(
                        select(GlucoseReadingRow.id).where(GlucoseReadingRow.batch_id == batch_id)
                    )
                )
        except BaseException:
            self._discard(batch_id)
            raise
        return batch_id, ids

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
        """Undo an import: delete its rows (privacy: nothing lingers) and mark the batch undone.

        The batch stays listed as undone; its SHA-256 no longer counts, so the same file can be
        imported again.
        """
        with self._write() as session:
            row = session.get(ImportBatchRow, batch_id)
            if row is None or row.status != "complete":
                raise NotFoundError("That import no longer exists.")
            if row.undone:
                return Change()
            ids = list(
                session.scalars(
                    select(GlucoseReadingRow.id).where(GlucoseReadingRow.batch_id == batch_id)
                )
            )
            session.execute(
                text("DELETE FROM glucose_reading WHERE batch_id = :id"), {"id": batch_id}
            )
            row.undone = True
        return Change.of(Entity.GLUCOSE, removed=ids).merge(
            Change.of(Entity.IMPORT_BATCH, updated=[batch_id])
        )


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _chunks(
    parsed: _Parsed, keep: array[int], batch_id: int, size: int
) -> Iterator[list[tuple[object, ...]]]:
    cgm = GlucoseSource.CGM.value
    for start in range(0, len(keep), size):
        yield [
            (
                parsed.at[i],
                parsed.value[i],
                parsed.units[parsed.unit[i]],
                cgm,
                parsed.devices[parsed.device[i]],
                batch_id,
            )
            for i in keep[start : start + size]
        ]


def _sha256(path: Path, name: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    return digest.hexdigest()
