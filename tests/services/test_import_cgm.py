"""CGM imports: Dexcom and LibreView layouts, receipts, duplicates, all or nothing, undo, fuzz."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from journal.services.changes import Entity
from journal.services.glucose import GlucoseService
from journal.services.importers import (
    DEXCOM,
    LIBREVIEW,
    ImportCancelledError,
    ImportFormatError,
    ParseLog,
    detect_format,
)
from journal.services.importers.cgm import read_dexcom, read_libreview
from journal.services.imports import ImportService
from journal.storage.database import open_journal
from tests.conftest import shared_samples
from tests.factories import NOW

DATA = Path(__file__).resolve().parents[1] / "data" / "cgm"
SAMPLES = shared_samples() / "cgm"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def imports(journal) -> ImportService:
    return ImportService(journal.session_factory, clock=lambda: NOW)


@pytest.fixture
def glucose(journal) -> GlucoseService:
    return GlucoseService(journal.session_factory, clock=lambda: NOW)


def _all(glucose: GlucoseService):
    return glucose.readings_between(datetime(1990, 1, 1, tzinfo=UTC), NOW)


def _raw_rows(journal) -> tuple[int, int]:
    with journal.session_factory() as session:
        readings = session.execute(text("SELECT count(*) FROM glucose_reading")).scalar_one()
        batches = session.execute(text("SELECT count(*) FROM import_batch")).scalar_one()
    return int(readings), int(batches)


# --- formats ---------------------------------------------------------------------------------


def test_detect_format_sniffs_content_not_name(tmp_path: Path) -> None:
    assert detect_format(DATA / "dexcom_14col_quoted_bom_crlf.csv") == DEXCOM
    assert detect_format(DATA / "dexcom_12col_mmol_plain.csv") == DEXCOM
    assert detect_format(DATA / "libreview_us_mgdl_ampm.csv") == LIBREVIEW
    misleading = tmp_path / "dexcom.csv"
    misleading.write_text("a,b,c\n1,2,3\n")
    assert detect_format(misleading) is None
    assert detect_format(tmp_path / "missing.csv") is None


def test_dexcom_14col_quoted_bom_crlf(imports: ImportService, glucose: GlucoseService) -> None:
    receipt, change = imports.import_file(DATA / "dexcom_14col_quoted_bom_crlf.csv", tz=LONDON)
    assert receipt.format == DEXCOM
    assert dict(receipt.added) == {"glucose readings": 4}
    assert receipt.duplicates == 0
    assert [str(r) for r in receipt.rejected] == [
        "line 8: reported as Low (below the sensor's range)",
        "line 9: reported as High (above the sensor's range)",
        "line 10: glucose value 'abc' is not a number",
        "line 13: timestamp 'not a time' is not a date and time",
    ]
    assert receipt.rejected_count == 4
    assert dict(receipt.not_imported) == {"Calibration": 1}
    rows = _all(glucose)
    assert [(r.at, r.value, r.unit) for r in rows] == [
        (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 104, "mg/dL"),  # London is on UTC in March
        (datetime(2026, 3, 2, 8, 5, tzinfo=UTC), 110, "mg/dL"),
        (datetime(2026, 3, 2, 8, 25, tzinfo=UTC), 131, "mg/dL"),
        (datetime(2026, 3, 2, 8, 30, tzinfo=UTC), 142, "mg/dL"),
    ]
    assert {r.device for r in rows} == {"Dexcom (iPhone G7)"}
    assert {r.source.value for r in rows} == {"cgm"}
    assert sorted(change.added[Entity.GLUCOSE]) == sorted(r.id for r in rows)
    assert change.added[Entity.IMPORT_BATCH] == (receipt.batch_id,)


def test_dexcom_12col_mmol_kept_as_reported(
    imports: ImportService, glucose: GlucoseService
) -> None:
    receipt, _ = imports.import_file(DATA / "dexcom_12col_mmol_plain.csv", tz=NEW_YORK)
    assert dict(receipt.added) == {"glucose readings": 3}
    assert [str(r) for r in receipt.rejected] == [
        "line 7: glucose value is missing",
        "line 8: glucose value 99.9 mmol/L is outside any possible glucose (0.555–83.26 mmol/L)",
    ]
    assert dict(receipt.not_imported) == {"Insulin": 1}
    rows = _all(glucose)
    assert [(r.value, r.unit) for r in rows] == [(5.4, "mmol/L"), (5.8, "mmol/L"), (6.1, "mmol/L")]
    assert rows[0].at == datetime(2025, 6, 15, 2, 0, tzinfo=UTC)  # 22:00 EDT
    assert rows[0].device == "Dexcom (Receiver)"


def test_libreview_uk_day_first_out_of_order(
    imports: ImportService, glucose: GlucoseService
) -> None:
    receipt, _ = imports.import_file(DATA / "libreview_uk_mmol_dayfirst.csv", tz=LONDON)
    assert receipt.format == LIBREVIEW
    assert dict(receipt.added) == {"glucose readings": 4}
    assert [str(r) for r in receipt.rejected] == [
        "line 8: historic glucose value 'x.y' is not a number",
        "line 10: timestamp '31-02-2026 09:00' is not a valid date and time",
    ]
    assert dict(receipt.not_imported) == {"insulin": 1, "time change": 1}
    assert not any("day-first" in a for a in receipt.assumptions)  # the file settles it
    rows = _all(glucose)
    assert [(r.at.strftime("%d %H:%M"), r.value) for r in rows] == [
        ("15 08:00", 5.1),
        ("15 08:15", 5.6),
        ("15 08:20", 5.9),
        ("15 08:30", 6.2),
    ]
    assert rows[0].device == "FreeStyle LibreLink SERIAL-1"


def test_libreview_us_month_first_am_pm(imports: ImportService, glucose: GlucoseService) -> None:
    receipt, _ = imports.import_file(DATA / "libreview_us_mgdl_ampm.csv", tz=NEW_YORK)
    assert dict(receipt.added) == {"glucose readings": 4}
    assert receipt.rejected == ()
    local = [(r.at.astimezone(NEW_YORK).strftime("%m-%d %H:%M"), r.value) for r in _all(glucose)]
    assert local == [
        ("03-15 00:15", 95),
        ("03-15 12:00", 140),
        ("03-15 23:45", 112),
        ("03-16 01:05", 101),
    ]


def test_ambiguous_dates_are_an_assumption(imports: ImportService, glucose: GlucoseService) -> None:
    receipt, _ = imports.import_file(DATA / "libreview_ambiguous_dates.csv", tz=LONDON)
    assert any("04-03-2026" in a and "day-first" in a for a in receipt.assumptions)
    assert _all(glucose)[0].at == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    batch = imports.list_batches()[0]
    assert batch.assumptions is not None and "day-first" in batch.assumptions


def test_mixed_date_orders_refuse_the_file(imports: ImportService, journal) -> None:
    with pytest.raises(ImportFormatError, match=r"libreview_mixed_dates.csv, line 4: .*mixes"):
        imports.import_file(DATA / "libreview_mixed_dates.csv", tz=LONDON)
    assert _raw_rows(journal) == (0, 0)


def test_naive_times_assumption_recorded_on_batch(imports: ImportService) -> None:
    receipt, _ = imports.import_file(DATA / "dexcom_12col_mmol_plain.csv", tz=NEW_YORK)
    assert receipt.assumptions == (
        "The file's times carry no UTC offset; they were read as local time in America/New_York.",
    )
    (batch,) = imports.list_batches()
    assert batch.assumptions == receipt.assumptions[0]
    assert batch.counts == {"glucose readings": 3, "duplicates": 0, "rejected": 2}
    assert batch.file_name == "dexcom_12col_mmol_plain.csv"


# --- idempotence, undo -----------------------------------------------------------------------


def test_same_file_twice_is_already_imported(imports: ImportService, journal) -> None:
    first, _ = imports.import_file(DATA / "dexcom_14col_quoted_bom_crlf.csv", tz=LONDON)
    again, change = imports.import_file(DATA / "dexcom_14col_quoted_bom_crlf.csv", tz=LONDON)
    assert again.already_imported and again.batch_id == first.batch_id
    assert change.empty
    assert _raw_rows(journal) == (4, 1)


def test_overlapping_later_export_adds_only_new_rows(
    imports: ImportService, glucose: GlucoseService
) -> None:
    imports.import_file(DATA / "dexcom_14col_quoted_bom_crlf.csv", tz=LONDON)
    later, _ = imports.import_file(DATA / "dexcom_14col_later_export.csv", tz=LONDON)
    assert dict(later.added) == {"glucose readings": 2}
    assert later.duplicates == 2
    assert [r.value for r in _all(glucose)] == [104, 110, 131, 142, 150, 147]


def test_undo_removes_rows_and_allows_reimport(
    imports: ImportService, glucose: GlucoseService, journal
) -> None:
    receipt, added = imports.import_file(DATA / "libreview_uk_mmol_dayfirst.csv", tz=LONDON)
    assert receipt.batch_id is not None
    change = imports.undo_batch(receipt.batch_id)
    assert sorted(change.removed[Entity.GLUCOSE]) == sorted(added.added[Entity.GLUCOSE])
    assert _all(glucose) == []
    assert _raw_rows(journal) == (0, 1)  # rows deleted, the batch listed as undone
    assert imports.list_batches()[0].undone
    assert imports.undo_batch(receipt.batch_id).empty
    again, _ = imports.import_file(DATA / "libreview_uk_mmol_dayfirst.csv", tz=LONDON)
    assert not again.already_imported and dict(again.added) == {"glucose readings": 4}


# --- all or nothing, hostile input -----------------------------------------------------------


def test_huge_line_is_refused_quickly(imports: ImportService, journal, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    header = (DATA / "dexcom_12col_mmol_plain.csv").read_text().splitlines()[:4]
    with open(path, "w") as handle:
        handle.write("\n".join(header) + "\n")
        handle.write("5," + "9" * (50 * 1024 * 1024) + "\n")  # 50 MB on one line
    with pytest.raises(ImportFormatError, match=r"huge.csv, line 5: the line is longer than 64"):
        imports.import_file(path, tz=LONDON)
    assert _raw_rows(journal) == (0, 0)


def test_unclosed_quote_and_binary_are_refused(imports: ImportService, tmp_path: Path) -> None:
    header = (DATA / "dexcom_12col_mmol_plain.csv").read_text().splitlines()[0]
    quoted = tmp_path / "quote.csv"
    quoted.write_text(header + '\n1,"2025-06-14T22:00:00\n' + "x\n" * 100)
    with pytest.raises(ImportFormatError, match="line 2: a quoted field runs over"):
        imports.import_file(quoted, tz=LONDON)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(header.encode() + b"\n\xff\xfe\x00garbage\n")
    with pytest.raises(ImportFormatError, match=r"binary\.csv, line 2: is not UTF-8"):
        imports.import_file(binary, tz=LONDON)


def test_unknown_format_is_refused(imports: ImportService, tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("date,weight\n2026-01-01,80\n")
    with pytest.raises(ImportFormatError, match=r"notes\.csv: not a file this app can import"):
        imports.import_file(path, tz=LONDON)


def test_failure_during_write_leaves_no_visible_rows_and_is_purged_on_reopen(
    imports: ImportService, glucose: GlucoseService, journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    import journal.services.imports as module

    real_chunks = module._chunks

    def failing_chunks(*args: object, **kwargs: object):
        chunks = real_chunks(*args, **kwargs)  # type: ignore[arg-type]
        yield next(chunks)
        raise OSError("disk full")

    imports.chunk_size = 2
    monkeypatch.setattr(module, "_chunks", failing_chunks)
    monkeypatch.setattr(ImportService, "_discard", lambda self, batch_id: None)  # as if killed
    with pytest.raises(OSError, match="disk full"):
        imports.import_file(DATA / "dexcom_14col_quoted_bom_crlf.csv", tz=LONDON)
    assert _raw_rows(journal) == (2, 1)  # one chunk and the pending batch reached the file
    assert _all(glucose) == [] and glucose.count() == 0
    assert imports.list_batches() == []
    journal.close()
    reopened = open_journal(journal.paths.data_dir)
    try:
        assert _raw_rows(reopened) == (0, 0)
    finally:
        reopened.close()


def test_failure_during_write_discards_the_pending_batch_at_once(
    imports: ImportService, journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = iter([False, True])  # not cancelled while parsing ends; cancelled at the 1st chunk
    imports.chunk_size = 2
    with pytest.raises(ImportCancelledError):
        imports.import_file(
            DATA / "dexcom_14col_quoted_bom_crlf.csv",
            tz=LONDON,
            cancel=lambda: next(calls, True),
        )
    assert _raw_rows(journal) == (0, 0)


def test_unreadable_file_names_the_file(imports: ImportService, tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match=r"missing\.csv: cannot be read"):
        imports.import_file(tmp_path / "missing.csv", tz=LONDON)


# --- public samples --------------------------------------------------------------------------


@pytest.mark.skipif(not (SAMPLES / "dexcom_clarity_12col.csv").exists(), reason="no samples")
def test_sample_dexcom_clarity_12col(imports: ImportService, glucose: GlucoseService) -> None:
    receipt, _ = imports.import_file(SAMPLES / "dexcom_clarity_12col.csv", tz=LONDON)
    assert receipt.format == DEXCOM
    assert receipt.added["glucose readings"] == 2148
    assert receipt.rejected_count == 0
    rows = _all(glucose)
    assert rows[0].value == 103 and rows[0].unit == "mg/dL"
    assert rows[0].at == datetime(2016, 10, 24, 10, 24, 17, tzinfo=UTC)  # BST
    assert any("daylight-saving" in a for a in receipt.assumptions)  # 30 Oct 2016, 01:xx


@pytest.mark.skipif(not (SAMPLES / "libreview_uk_mmol.csv").exists(), reason="no samples")
def test_sample_libreview_uk(imports: ImportService, glucose: GlucoseService) -> None:
    receipt, _ = imports.import_file(SAMPLES / "libreview_uk_mmol.csv", tz=LONDON)
    assert receipt.format == LIBREVIEW
    assert receipt.added["glucose readings"] + receipt.duplicates == 2349 + 760  # types 0 and 1
    assert receipt.rejected_count == 0
    assert dict(receipt.not_imported) == {"insulin": 148, "food": 88, "time change": 270}
    first = _all(glucose)[0]
    assert (first.value, first.unit) == (4.3, "mmol/L")
    assert first.at == datetime(2025, 9, 1, 20, 58, tzinfo=UTC)  # 21:58 BST, day-first


# --- fuzzing ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000))
def test_random_bytes_only_raise_import_format_error(data: bytes, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "random.csv"
    path.write_bytes(data)
    for reader in (read_dexcom, read_libreview):
        with contextlib.suppress(ImportFormatError):
            list(reader(path, tz=LONDON, log=ParseLog(path.name)))


_SOURCES = sorted(DATA.glob("*.csv"))
_JUNK = ["", ",", '"', '""', "abc", "Low", "99999999999999999999", "nan", "-5", "\x00", "é", ";"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1), source=st.sampled_from(_SOURCES))
def test_mutated_files_give_a_receipt_or_import_format_error(
    seed: int, source: Path, imports: ImportService, journal, tmp_path_factory
) -> None:
    rng = random.Random(seed)
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        fields = lines[i].split(",")
        j = rng.randrange(len(fields))
        action = rng.randrange(4)
        if action == 0:
            fields[j] = rng.choice(_JUNK)
        elif action == 1:
            del fields[j:]
        elif action == 2:
            lines.insert(rng.randrange(len(lines) + 1), lines[i])
        else:
            fields[j] = fields[j][::-1]
        lines[i] = ",".join(fields)
    path = tmp_path_factory.mktemp("mutated") / source.name
    path.write_text("\n".join(lines) + "\n")
    before = _raw_rows(journal)
    try:
        receipt, _ = imports.import_file(path, tz=LONDON, format=detect_format(source))
    except ImportFormatError as exc:
        assert path.name in str(exc)
        assert _raw_rows(journal) == before
    else:
        readings, batches = _raw_rows(journal)
        if receipt.already_imported:
            assert (readings, batches) == before
        else:
            assert readings == before[0] + receipt.total_added and batches == before[1] + 1
