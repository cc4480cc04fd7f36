"""Imports of every kind through one batch: receipts, dedup per kind, undo, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from journal.domain.entities import (
    BodyMeasurement,
    GlucoseSource,
    Question,
    Workout,
    WorkoutKind,
)
from journal.services.changes import Entity
from journal.services.importers import (
    ImportCancelledError,
    ImportFormatError,
    ParseLog,
    detect_format,
    registry,
)
from journal.services.journal import JournalServices
from journal.storage import repositories as repo
from tests.factories import NOW, draw, reading, result, walk, workout

UTC_TZ = UTC
FAKE = "fake-multi"
MARK = b"FAKE-MULTI-TEST\n"
DAY = datetime(2026, 10, 1, 7, 30, tzinfo=UTC)

# What the fake parser yields for a file, by the file's second line (its "batch name").
SCRIPTS: dict[str, list[Any]] = {}


def _sniff(path: Path, head: bytes) -> bool:
    return head.startswith(MARK)


def _parse(
    path: Path,
    *,
    tz: object,
    log: ParseLog,
    not_after: datetime,
    progress: object = None,
    cancel: object = None,
) -> Iterator[Any]:
    name = path.read_text().splitlines()[1]
    for i, item in enumerate(SCRIPTS[name], start=1):
        if isinstance(item, Exception):
            raise item
        if item is None:
            log.reject(f"element Workout #{i}", "has no start time")
            continue
        yield item


@pytest.fixture(autouse=True)
def fake_format(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A tiny parser registered next to the real ones, as a new parser module would be."""
    real = dict(registry.formats())
    monkeypatch.setattr(registry, "formats", lambda: {**real, FAKE: (_sniff, _parse)})
    yield
    SCRIPTS.clear()


def _file(tmp_path: Path, name: str, records: list[Any]) -> Path:
    SCRIPTS[name] = records
    path = tmp_path / f"{name}.dat"
    path.write_bytes(MARK + name.encode() + b"\n")
    return path


def _counts(services: JournalServices) -> dict[str, int]:
    with services.session_factory() as session:
        return {
            table: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in (
                "lab_draw",
                "lab_result",
                "workout",
                "resistance_set",
                "post_meal_walk",
                "glucose_reading",
                "body_measurement",
                "question",
                "import_batch",
            )
        }


def _bodies(services: JournalServices) -> list[BodyMeasurement]:
    with services.session_factory() as session:
        return repo.list_body_measurements(session)


EMPTY = dict.fromkeys(
    (
        "lab_draw",
        "lab_result",
        "workout",
        "resistance_set",
        "post_meal_walk",
        "glucose_reading",
        "body_measurement",
        "question",
    ),
    0,
)


def _everything() -> list[Any]:
    return [
        draw(DAY, source="fhir-json"),
        workout(DAY + timedelta(hours=3), kind=WorkoutKind.RESISTANCE, source="fit"),
        None,  # a record the parser rejects, by element
        walk(DAY + timedelta(hours=12)),
        reading(DAY, 97, source=GlucoseSource.FINGERSTICK),
        reading(DAY + timedelta(minutes=5), 5.4, "mmol/L", source=GlucoseSource.CGM, device="G7"),
        BodyMeasurement(DAY, "body_mass", 84.2, "kg", source="apple-health"),
        BodyMeasurement(DAY, "waist", 37.5, "in", source="apple-health"),
        Question("Is my waist shrinking?", created_at=DAY, basis="waist 38 → 37.5 in"),
    ]


def test_one_file_of_every_kind_lands_in_one_batch(
    services: JournalServices, tmp_path: Path
) -> None:
    path = _file(tmp_path, "all", _everything())
    assert detect_format(path) == FAKE

    receipt, change = services.imports.import_file(path, tz=UTC_TZ)

    assert dict(receipt.added) == {
        "lab draws": 1,
        "lab results": 4,
        "workouts": 1,
        "walks": 1,
        "glucose readings": 2,
        "body measurements": 2,
        "questions": 1,
    }
    assert [str(r) for r in receipt.rejected] == ["element Workout #3: has no start time"]
    assert receipt.lines()[1] == "  rejected element Workout #3: has no start time"
    assert _counts(services) == {
        "lab_draw": 1,
        "lab_result": 4,
        "workout": 1,
        "resistance_set": 1,
        "post_meal_walk": 1,
        "glucose_reading": 2,
        "body_measurement": 2,
        "question": 1,
        "import_batch": 1,
    }
    assert {e for e in change.added} == {
        Entity.LAB_DRAW,
        Entity.WORKOUT,
        Entity.WALK,
        Entity.GLUCOSE,
        Entity.BODY_MEASUREMENT,
        Entity.QUESTION,
        Entity.IMPORT_BATCH,
    }
    (stored,) = services.labs.list_draws()
    assert change.added[Entity.LAB_DRAW] == (stored.id,)
    assert stored.batch_id == receipt.batch_id and stored.source == "fhir-json"
    assert [(m.kind, m.value, m.unit) for m in _bodies(services)] == [
        ("body_mass", 84.2, "kg"),
        ("waist", 37.5, "in"),
    ]
    glucose = services.glucose.readings_between(DAY - timedelta(days=1), NOW)
    assert [(g.source, g.device) for g in glucose] == [
        (GlucoseSource.FINGERSTICK, None),  # no device stays no device
        (GlucoseSource.CGM, "G7"),
    ]
    (question,) = services.questions.list_questions()
    assert question.basis == "waist 38 → 37.5 in"
    (batch,) = services.imports.list_batches()
    assert batch.format == FAKE
    assert batch.counts["lab results"] == 4 and batch.counts["rejected"] == 1


def test_overlapping_file_adds_only_what_is_new_per_kind(
    services: JournalServices, tmp_path: Path
) -> None:
    services.imports.import_file(_file(tmp_path, "first", _everything()), tz=UTC_TZ)
    more_results = (
        result("glucose", 100, "mg/dL"),  # already there
        result("hdl", 50, "mg/dL"),  # already there
        result("hba1c", 5.6, "%"),  # new on the same draw
    )
    later = [
        draw(DAY, results=more_results, source="fhir-json"),
        draw(DAY + timedelta(days=1), source="fhir-json"),  # a new draw
        workout(DAY + timedelta(hours=3), minutes=45.2, kind=WorkoutKind.RESISTANCE),  # same
        workout(DAY + timedelta(hours=3), minutes=20, kind=WorkoutKind.AEROBIC),  # other
        walk(DAY + timedelta(hours=12)),
        reading(DAY, 97, source=GlucoseSource.FINGERSTICK),
        reading(DAY, 97, source=GlucoseSource.FINGERSTICK),  # twice in the file, too
        reading(DAY, 98, source=GlucoseSource.FINGERSTICK),  # another value: kept
        BodyMeasurement(DAY, "body_mass", 84.2, "kg"),
        BodyMeasurement(DAY + timedelta(days=7), "body_mass", 83.9, "kg"),
        Question("Is my waist shrinking?", created_at=DAY),
    ]

    receipt, change = services.imports.import_file(_file(tmp_path, "later", later), tz=UTC_TZ)

    assert dict(receipt.added) == {
        "lab draws": 2,
        "lab results": 5,
        "workouts": 1,
        "walks": 0,
        "glucose readings": 1,
        "body measurements": 1,
        "questions": 0,
    }
    assert dict(receipt.duplicates_by_kind) == {
        "lab results": 2,
        "workouts": 1,
        "walks": 1,
        "glucose readings": 2,
        "body measurements": 1,
        "questions": 1,
    }
    assert receipt.duplicates == 8
    assert "8 skipped as duplicates (2 lab results, 1 workout," in receipt.lines()[0]
    draws = services.labs.list_draws()
    assert [[r.analyte for r in d.results] for d in draws] == [
        ["glucose", "insulin", "triglycerides", "hdl"],
        ["hba1c"],  # the new result comes as a draw of this import, at the same time
        ["glucose", "insulin", "triglycerides", "hdl"],
    ]
    assert len(change.added[Entity.LAB_DRAW]) == 2

    again, nothing = services.imports.import_file(_file(tmp_path, "third", later), tz=UTC_TZ)
    assert again.total_added == 0 and nothing.added.keys() == {Entity.IMPORT_BATCH}


def test_undo_removes_every_kind_of_its_batch_only(
    services: JournalServices, tmp_path: Path
) -> None:
    services.labs.add_draw(draw(DAY - timedelta(days=40)))
    services.training.add_workout(workout(DAY - timedelta(days=3)))
    before = _counts(services)
    receipt, added = services.imports.import_file(_file(tmp_path, "all", _everything()), tz=UTC_TZ)
    assert receipt.batch_id is not None

    change = services.imports.undo_batch(receipt.batch_id)

    assert _counts(services) == {**before, "import_batch": 1}
    for entity in (Entity.LAB_DRAW, Entity.WORKOUT, Entity.GLUCOSE, Entity.BODY_MEASUREMENT):
        assert sorted(change.removed[entity]) == sorted(added.added[entity])
    assert change.updated[Entity.IMPORT_BATCH] == (receipt.batch_id,)
    assert services.imports.list_batches()[0].undone
    again, _ = services.imports.import_file(_file(tmp_path, "all", _everything()), tz=UTC_TZ)
    assert not again.already_imported and again.added["body measurements"] == 2


def test_a_parser_failing_half_way_writes_nothing(
    services: JournalServices, tmp_path: Path
) -> None:
    broken = [*_everything()[:4], ImportFormatError("bad.dat, element Workout #5: truncated")]
    with pytest.raises(ImportFormatError, match="element Workout #5: truncated"):
        services.imports.import_file(_file(tmp_path, "broken", broken), tz=UTC_TZ)
    assert _counts(services) == {**EMPTY, "import_batch": 0}


def test_a_write_failing_half_way_leaves_nothing(
    services: JournalServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Glucose chunks already written go with the batch when a later row cannot be written."""
    services.imports.chunk_size = 1
    written: list[int] = []
    real_fill = repo.fill_workout_row

    def failing_fill(row: Any, item: Workout) -> None:
        written.append(_counts(services)["glucose_reading"])
        real_fill(row, item)
        raise OSError("disk full")

    monkeypatch.setattr(repo, "fill_workout_row", failing_fill)
    with pytest.raises(OSError, match="disk full"):
        services.imports.import_file(_file(tmp_path, "all", _everything()), tz=UTC_TZ)
    assert written == [2]  # both glucose chunks had reached the file
    assert _counts(services) == {**EMPTY, "import_batch": 0}
    assert services.labs.list_draws() == []


def test_cancel_before_writing_leaves_nothing(services: JournalServices, tmp_path: Path) -> None:
    with pytest.raises(ImportCancelledError):
        services.imports.import_file(
            _file(tmp_path, "all", _everything()), tz=UTC_TZ, cancel=lambda: True
        )
    assert _counts(services) == {**EMPTY, "import_batch": 0}


def test_pending_rows_of_every_kind_are_invisible(
    services: JournalServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While glucose is being written, nothing of the import shows, questions included."""
    import journal.services.imports as module

    seen: dict[str, int] = {}
    real_chunks = module._chunks

    def spying_chunks(*args: Any, **kwargs: Any) -> Iterator[list[tuple[object, ...]]]:
        seen["draws"] = len(services.labs.list_draws())
        seen["workouts"] = len(services.training.list_workouts())
        seen["body"] = len(_bodies(services))
        seen["questions"] = len(services.questions.list_questions())
        yield from real_chunks(*args, **kwargs)

    monkeypatch.setattr(module, "_chunks", spying_chunks)
    services.imports.import_file(_file(tmp_path, "all", _everything()), tz=UTC_TZ)
    assert seen == {"draws": 0, "workouts": 0, "body": 0, "questions": 0}
    assert len(services.labs.list_draws()) == 1


def test_registry_lists_every_format_once_and_detects_real_files() -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    keys = list(registry.formats())
    assert len(keys) == len(set(keys))
    assert detect_format(data / "cgm" / "dexcom_12col_mmol_plain.csv") == "dexcom-clarity-csv"
    assert detect_format(data / "cgm" / "libreview_uk_mmol_dayfirst.csv") == "libreview-csv"
    if "fhir-json" in keys:
        assert detect_format(data / "fhir" / "r4_bundle.json") == "fhir-json"
    if "gpx" in keys:
        assert detect_format(data / "workouts" / "run_gpx11.gpx") == "gpx"
        assert detect_format(data / "workouts" / "strength_no_gps.fit") == "fit"


def test_unknown_file_names_what_the_app_reads(services: JournalServices, tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"weight": 80}))
    with pytest.raises(ImportFormatError, match=r"weights\.json: not a file .* Dexcom Clarity CSV"):
        services.imports.import_file(path, tz=UTC_TZ)


def test_parse_log_takes_lines_and_locations() -> None:
    log = ParseLog("x.xml")
    log.reject(57, "value is missing")
    log.reject("entry 3 (Observation/abc)", "no unit")
    assert [str(r) for r in log.rejections] == [
        "line 57: value is missing",
        "entry 3 (Observation/abc): no unit",
    ]
    assert str(log.error("element Workout #12", "no end")) == "x.xml, element Workout #12: no end"
