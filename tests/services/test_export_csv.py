"""The journal's own CSV export: lossless round trip, every field, private files, refusals."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import stat
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from journal.domain.entities import (
    BodyMeasurement,
    Fasting,
    GlucoseReading,
    LabDraw,
    LabResult,
    PostMealWalk,
    Question,
    ResistanceSet,
    Workout,
)
from journal.services.demo import generate_demo
from journal.services.exporters import ExportCancelledError, ExportRefusedError
from journal.services.importers import ImportFormatError, detect_format
from journal.services.importers.journal_csv import FILES, JOURNAL_CSV, MANIFEST
from journal.services.journal import JournalServices
from journal.storage import repositories as repo
from journal.storage.database import open_journal
from journal.storage.models import BodyMeasurementRow
from tests.factories import NOW, draw, reading, result

DAY = datetime(2026, 9, 14, 6, 45, tzinfo=UTC)

# Which file holds each entity, and the fields that are not data of the user's: row ids and
# batch ids are the journal's own bookkeeping (an imported export is one new batch); results
# and sets are their own files, tied to their draw or workout by its number in the export.
FILE_OF: dict[type[Any], str] = {
    LabDraw: "lab_draws.csv",
    LabResult: "lab_results.csv",
    Workout: "workouts.csv",
    ResistanceSet: "workout_sets.csv",
    PostMealWalk: "walks.csv",
    GlucoseReading: "glucose.csv",
    BodyMeasurement: "body_measurements.csv",
    Question: "questions.csv",
}
NOT_EXPORTED = {"id", "batch_id", "results", "sets"}


@pytest.fixture
def journals(tmp_path: Path) -> Iterator[Callable[[str], JournalServices]]:
    opened: list[Any] = []

    def make(name: str) -> JournalServices:
        journal = open_journal(tmp_path / name)
        opened.append(journal)
        return JournalServices(journal.session_factory, clock=lambda: NOW)

    yield make
    for journal in opened:
        journal.close()


def _add_body(services: JournalServices, *items: BodyMeasurement) -> None:
    with services.session_factory() as session, session.begin():
        for item in items:
            row = BodyMeasurementRow()
            repo.fill_body_measurement_row(row, item)
            session.add(row)


def _awkward_records(services: JournalServices) -> None:
    """What the demo does not hold: text that CSV must quote, empty optionals, body data."""
    services.labs.add_draw(
        draw(
            DAY,
            fasting=Fasting.UNKNOWN,
            lab_name='Labor "Süd", Zimmer 3',
            notes="Arm hurt,\nbruise — großer Bluterguss 🩸",
            results=(
                result("insulin", 87.5, "pmol/L", loinc="20448-7", ref_text="<174", flag="H"),
                result("triglycerides", 1.69, "mmol/L", ref_low=0.0, ref_high=1.7),
            ),
        )
    )
    services.glucose.add_reading(reading(DAY + timedelta(minutes=1), 5.7 * 1.1, "mmol/L"))
    _add_body(
        services,
        BodyMeasurement(DAY, "body_mass", 181.2, "lb", source="apple-health"),
        BodyMeasurement(DAY, "waist", 92.5, "cm"),
    )
    services.questions.add_question(
        Question("Why did TG:HDL rise?", origin="rule:tg_hdl", basis="TG:HDL 1.9 → 3.2")
    )


def _export(services: JournalServices, out: Path) -> dict[str, bytes]:
    written = services.exports.export_csv(out)
    return {path.name: path.read_bytes() for path in written}


@pytest.fixture(scope="module")
def demo_export(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """A year of demo journal with the awkward records, exported once."""
    root = tmp_path_factory.mktemp("demo-export")
    journal = open_journal(root / "journal")
    try:
        services = JournalServices(journal.session_factory, clock=lambda: NOW)
        generate_demo(services, years=1, seed=3, end=date(2026, 11, 19), glucose_days=3)
        _awkward_records(services)
        out = root / "export"
        yield out, _export(services, out)
    finally:
        journal.close()


def _rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"), newline="")))


def test_export_import_export_is_identical(
    demo_export: tuple[Path, dict[str, bytes]], journals: Callable[[str], JournalServices]
) -> None:
    out, first = demo_export
    assert set(first) == {f.name for f in FILES} | {MANIFEST}
    assert all(len(_rows(first, f.name)) > 0 for f in FILES)  # the test covers every file

    empty = journals("empty")
    receipt, _change = empty.imports.import_file(out, tz=UTC)
    assert receipt.format == JOURNAL_CSV
    assert receipt.rejected_count == 0 and receipt.duplicates == 0

    again = _export(empty, out.parent / "again")
    assert again == first


def test_a_zip_of_the_export_reads_back_the_same(
    demo_export: tuple[Path, dict[str, bytes]],
    journals: Callable[[str], JournalServices],
    tmp_path: Path,
) -> None:
    out, first = demo_export
    archive = tmp_path / "journal-export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in first:  # inside a folder, as "compress folder" makes it
            zipped.write(out / name, f"export/{name}")
    assert detect_format(archive) == JOURNAL_CSV
    target = journals("from-zip")
    target.imports.import_file(archive, tz=UTC)
    assert _export(target, tmp_path / "again") == first


def test_times_are_utc_with_offset_and_units_explicit(
    demo_export: tuple[Path, dict[str, bytes]],
) -> None:
    _out, files = demo_export
    (body_mass, waist) = _rows(files, "body_measurements.csv")
    assert body_mass == {
        "at": "2026-09-14T06:45:00+00:00",
        "kind": "body_mass",
        "value": "181.2",
        "unit": "lb",
        "source": "apple-health",
    }
    assert waist["unit"] == "cm"
    awkward = next(r for r in _rows(files, "lab_draws.csv") if r["lab_name"].startswith("Labor"))
    assert awkward["notes"] == "Arm hurt,\nbruise — großer Bluterguss 🩸"
    assert awkward["hours_fasted"] == ""  # absent, not zero
    (question,) = [r for r in _rows(files, "questions.csv") if r["origin"] == "rule:tg_hdl"]
    assert question["basis"] == "TG:HDL 1.9 → 3.2" and question["include"] == "true"
    assert "6.2700000000000005" in files["glucose.csv"].decode()  # floats exact, not rounded
    manifest = json.loads(files[MANIFEST])
    assert manifest["format"] == "metabolic-journal-csv" and manifest["version"] == 1
    assert manifest["rows"]["body_measurements.csv"] == 2


def test_every_entity_field_is_exported(demo_export: tuple[Path, dict[str, bytes]]) -> None:
    """Adding a field to an entity without exporting it fails here."""
    _out, files = demo_export
    for entity, name in FILE_OF.items():
        header = files[name].decode("utf-8").splitlines()[0].split(",")
        wanted = {f.name for f in dataclasses.fields(entity)} - NOT_EXPORTED
        assert wanted <= set(header), f"{name} lacks {sorted(wanted - set(header))}"


def test_files_are_private_and_a_foreign_folder_is_refused(
    services: JournalServices, tmp_path: Path
) -> None:
    out = tmp_path / "new" / "export"
    written = services.exports.export_csv(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o600}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)

    services.exports.export_csv(out)  # a previous export may be replaced

    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "taxes.pdf").write_bytes(b"%PDF")
    with pytest.raises(ExportRefusedError, match="not empty"):
        services.exports.export_csv(foreign)
    assert [p.name for p in foreign.iterdir()] == ["taxes.pdf"]


def test_cancel_leaves_a_previous_export_as_it_was(
    services: JournalServices, tmp_path: Path
) -> None:
    services.labs.add_draw(draw(DAY))
    out = tmp_path / "export"
    before = {p.name: p.read_bytes() for p in services.exports.export_csv(out)}
    services.labs.add_draw(draw(DAY + timedelta(days=1)))
    with pytest.raises(ExportCancelledError):
        services.exports.export_csv(out, cancel=lambda: True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --- reading damaged or foreign exports ------------------------------------------------------


@pytest.fixture
def small_export(services: JournalServices, tmp_path: Path) -> Path:
    services.labs.add_draw(draw(DAY))
    for minutes in range(3):
        services.glucose.add_reading(reading(DAY + timedelta(minutes=minutes), 100 + minutes))
    out = tmp_path / "export"
    services.exports.export_csv(out)
    return out


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_bad_rows_are_rejected_with_file_and_line(
    small_export: Path, journals: Callable[[str], JournalServices]
) -> None:
    _edit(small_export / "glucose.csv", "101.0", "lots")
    _edit(small_export / "lab_results.csv", "\n1,insulin", "\n7,insulin")
    receipt, _ = journals("target").imports.import_file(small_export, tz=UTC)
    assert [str(r) for r in receipt.rejected] == [
        "lab_results.csv line 3: draw 7 is not in lab_draws.csv (or was rejected there)",
        "glucose.csv line 3: value 'lots' is not a number",
    ]
    assert receipt.added["glucose readings"] == 2 and receipt.added["lab results"] == 3


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (MANIFEST, '"version": 1', '"version": 2', "newer version of the app"),
        (MANIFEST, '"glucose.csv": 3', '"glucose.csv": 4', "glucose.csv holds 3 rows but"),
        ("workouts.csv", "started_at,", "start,", "workouts.csv line 1: the header lacks"),
        ("glucose.csv", "+00:00", "", None),  # a time without offset: a rejection, not a refusal
    ],
)
def test_a_damaged_export_is_refused_whole(
    small_export: Path,
    journals: Callable[[str], JournalServices],
    file: str,
    old: str,
    new: str,
    message: str | None,
) -> None:
    _edit(small_export / file, old, new)
    target = journals("target")
    if message is None:
        receipt, _ = target.imports.import_file(small_export, tz=UTC)
        assert [str(r) for r in receipt.rejected] == [
            "glucose.csv line 2: at '2026-09-14T06:45:00' has no UTC offset"
        ]
        return
    with pytest.raises(ImportFormatError, match=message):
        target.imports.import_file(small_export, tz=UTC)
    assert target.labs.list_draws() == []


def test_a_folder_without_manifest_is_not_an_export(tmp_path: Path) -> None:
    folder = tmp_path / "looks-like-one"
    folder.mkdir()
    (folder / "glucose.csv").write_text("at,value,unit,source,device\n")
    assert detect_format(folder) is None
