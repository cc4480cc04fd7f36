"""Lab draws and their results: add, edit, delete, list, and the indices each draw yields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from journal.domain.analytes import CATALOGUE, UNLISTED, UnitMismatchError, get_analyte
from journal.domain.entities import Fasting, LabDraw, LabResult
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.domain.plausibility import Verdict, check_value
from journal.domain.units import UnknownUnitError, normalize_unit
from journal.services.base import Checks, Service
from journal.services.changes import Change, Entity
from journal.storage import repositories as repo
from journal.storage.models import LabDrawRow

HL7_FLAGS = frozenset({"N", "L", "H", "LL", "HH", "A", "AA"})


class LabService(Service):
    def validate(self, draw: LabDraw) -> Checks:
        checks = Checks(self._clock)
        checks.time("drawn_at", draw.drawn_at)
        if not isinstance(draw.fasting, Fasting):
            checks.add("fasting", "must be yes, no or unknown")
        checks.number("hours_fasted", draw.hours_fasted, 0, 72, unit="hours")
        checks.text("lab_name", draw.lab_name, max_len=200)
        checks.text("notes", draw.notes, max_len=20_000)
        seen: set[str] = set()
        for i, result in enumerate(draw.results):
            where = f"results[{i}]"
            if result.analyte == UNLISTED:
                _check_unlisted(checks, where, result)
                continue
            if result.analyte not in CATALOGUE:
                checks.add(f"{where}.analyte", f"unknown test '{result.analyte}'")
                continue
            analyte = get_analyte(result.analyte)
            if result.analyte in seen:
                checks.add(f"{where}.analyte", f"{analyte.name} is listed twice on this draw")
            seen.add(result.analyte)
            try:
                unit = normalize_unit(result.unit)
                if unit not in analyte.units:
                    raise UnitMismatchError(unit)
            except (UnknownUnitError, UnitMismatchError):
                allowed = ", ".join(analyte.units)
                checks.add(
                    f"{where}.unit",
                    f"'{result.unit}' is not a unit for {analyte.name} (use {allowed})",
                )
                continue
            checks.number(f"{where}.value", result.value, -1e12, 1e12, required=True)
            if any(e.field == f"{where}.value" for e in checks.errors):
                continue
            verdict = check_value(result.analyte, result.value, unit)
            if verdict.verdict is Verdict.IMPOSSIBLE:
                checks.add(f"{where}.value", verdict.message or "is not a possible value")
            for bound in ("ref_low", "ref_high"):
                checks.number(f"{where}.{bound}", getattr(result, bound), 0, 1e9)
            if (
                result.ref_low is not None
                and result.ref_high is not None
                and result.ref_low > result.ref_high
            ):
                checks.add(f"{where}.ref_high", "the range's upper end is below its lower end")
            if result.flag is not None and result.flag.upper() not in HL7_FLAGS:
                checks.add(f"{where}.flag", "use N, L, H, LL, HH, A or AA")
            checks.text(f"{where}.ref_text", result.ref_text, max_len=200)
        return checks

    def add_draw(self, draw: LabDraw) -> Change:
        self.validate(draw).raise_if_any()
        with self._write() as session:
            row = LabDrawRow(id=draw.id) if draw.id is not None else LabDrawRow()
            repo.fill_draw_row(row, _normalized(draw))
            session.add(row)
            session.flush()
            new_id = row.id
        return Change.of(Entity.LAB_DRAW, added=[new_id])

    def add_draws(self, items: Sequence[LabDraw]) -> Change:
        """Add many records in one transaction: all of them, or none if any is invalid."""

        def to_row(item: LabDraw) -> LabDrawRow:
            row = LabDrawRow(id=item.id)
            repo.fill_draw_row(row, _normalized(item))
            return row

        return self._add_many(items, Entity.LAB_DRAW, self.validate, to_row, "draws")

    def update_draw(self, draw: LabDraw) -> Change:
        if draw.id is None:
            raise ValueError("update_draw needs a draw with an id")
        self.validate(draw).raise_if_any()
        with self._write() as session:
            row = self._get(session, LabDrawRow, draw.id, "lab draw")
            assert isinstance(row, LabDrawRow)
            repo.fill_draw_row(row, _normalized(draw))
        return Change.of(Entity.LAB_DRAW, updated=[draw.id])

    def delete_draws(self, ids: Sequence[int]) -> Change:
        return self._delete(LabDrawRow, Entity.LAB_DRAW, ids)

    def get_draw(self, draw_id: int) -> LabDraw:
        with self._read() as session:
            row = self._get(session, LabDrawRow, draw_id, "lab draw")
            assert isinstance(row, LabDrawRow)
            return repo.draw_from_row(row)

    def list_draws(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[LabDraw]:
        with self._read() as session:
            return repo.list_draws(session, start, end)

    def latest_draw_with(self, analyte: str) -> LabDraw | None:
        with self._read() as session:
            stmt = (
                repo.visible_draws()
                .where(LabDrawRow.results.any(analyte=analyte))
                .order_by(LabDrawRow.drawn_at.desc(), LabDrawRow.id.desc())
                .limit(1)
            )
            row = session.scalars(stmt).first()
            return None if row is None else repo.draw_from_row(row)

    def indices(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[tuple[LabDraw, dict[IndexKey, IndexResult]]]:
        """Every draw in the period with the derived indices it yields (or why not)."""
        return [(draw, compute_indices(draw)) for draw in self.list_draws(start, end)]

    def count(self) -> int:
        with self._read() as session:
            return repo.count(session, repo.visible_draws())


def _check_unlisted(checks: Checks, where: str, result: LabResult) -> None:
    """A test the catalogue does not list (from an import): kept as reported, never converted."""
    if not (result.reported_name or result.loinc):
        checks.add(f"{where}.analyte", "an unlisted test needs its name or LOINC code")
    checks.text(f"{where}.unit", result.unit, max_len=32)
    checks.number(f"{where}.value", result.value, -1e12, 1e12, required=True)
    for bound in ("ref_low", "ref_high"):
        checks.number(f"{where}.{bound}", getattr(result, bound), -1e12, 1e12)
    if result.flag is not None and result.flag.upper() not in HL7_FLAGS:
        checks.add(f"{where}.flag", "use N, L, H, LL, HH, A or AA")
    checks.text(f"{where}.ref_text", result.ref_text, max_len=200)


def _unit(result: LabResult) -> str:
    return result.unit.strip() if result.analyte == UNLISTED else normalize_unit(result.unit)


def _normalized(draw: LabDraw) -> LabDraw:
    """Store canonical unit spellings and upper-case flags; blank text becomes None."""
    return replace(
        draw,
        lab_name=(draw.lab_name or "").strip() or None,
        notes=(draw.notes or "").strip() or None,
        results=tuple(
            replace(
                r,
                unit=_unit(r),
                flag=r.flag.upper() if r.flag else None,
                loinc=r.loinc or (None if r.analyte == UNLISTED else get_analyte(r.analyte).loinc),
            )
            for r in draw.results
        ),
    )
