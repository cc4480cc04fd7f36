"""FHIR lab import: R4 and DSTU2 Bundles, NDJSON, single resources, unlisted tests, bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from journal.domain.analytes import UNLISTED, get_analyte
from journal.domain.entities import BodyMeasurement, Fasting, LabDraw
from journal.domain.indices import IndexKey, compute_indices
from journal.services.changes import Entity
from journal.services.importers import ImportCancelledError, ImportFormatError, ParseLog, fhir
from journal.services.importers.fhir import draws_from_resources, parse, sniff
from tests.conftest import shared_samples

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
SAMPLES = shared_samples() / "fhir"
CHICAGO = ZoneInfo("America/Chicago")
NOT_AFTER = datetime(2026, 11, 21, tzinfo=UTC)


def _read_all(path: Path, tz: ZoneInfo = CHICAGO) -> tuple[list[object], ParseLog]:
    log = ParseLog(path.name)
    return list(parse(path, tz=tz, log=log, not_after=NOT_AFTER)), log


def _read(path: Path, tz: ZoneInfo = CHICAGO) -> tuple[list[LabDraw], ParseLog]:
    found, log = _read_all(path, tz)
    assert not [x for x in found if not isinstance(x, LabDraw | BodyMeasurement)]
    return [x for x in found if isinstance(x, LabDraw)], log


def _values(draw: LabDraw) -> dict[str, tuple[float, str]]:
    return {r.analyte: (r.value, r.unit) for r in draw.results if r.analyte != UNLISTED}


# --- sniffing --------------------------------------------------------------------------------


def test_sniff_decides_by_content_not_name(tmp_path: Path) -> None:
    for path in DATA.iterdir():
        assert sniff(path, path.read_bytes()[:65536]), path.name
    fake = tmp_path / "bundle.json"
    fake.write_text('{"name": "not FHIR", "entries": []}')
    assert not sniff(fake, fake.read_bytes())
    csv = tmp_path / "labs.csv"
    csv.write_text('resourceType,"Observation"\n')
    assert not sniff(csv, csv.read_bytes())


# --- R4 Bundle -------------------------------------------------------------------------------


def test_r4_bundle_groups_one_visit_into_one_draw() -> None:
    draws, _ = _read(DATA / "r4_bundle.json")
    assert [d.drawn_at for d in draws] == [
        datetime(2023, 9, 12, 7, 45, tzinfo=UTC),
        datetime(2024, 3, 5, 7, 10, tzinfo=UTC),
    ]
    visit = draws[1]
    assert visit.source == "fhir"
    assert visit.lab_name == "Northside Clinical Lab"
    assert visit.fasting is Fasting.YES  # 1558-6 is the fasting glucose code
    assert _values(visit) == {
        "glucose": (104.0, "mg/dL"),
        "insulin": (11.8, "µIU/mL"),  # UCUM u[IU]/mL in the catalogue's spelling
        "hba1c": (5.9, "%"),
        "triglycerides": (1.85, "mmol/L"),
        "hdl": (1.02, "mmol/L"),
    }
    glucose = visit.result("glucose")
    assert glucose is not None
    assert (glucose.ref_low, glucose.ref_high, glucose.flag) == (70.0, 99.0, "H")
    assert glucose.loinc == "1558-6"
    insulin = visit.result("insulin")
    assert insulin is not None and insulin.ref_text == "2.6-24.9"
    # An older draw without performer or category quirks still comes through.
    assert _values(draws[0]) == {"ldl": (131.0, "mg/dL")}
    assert draws[0].fasting is Fasting.UNKNOWN


def test_r4_bundle_keeps_unknown_tests_and_counts_what_is_not_a_lab_result() -> None:
    draws, log = _read(DATA / "r4_bundle.json")
    unlisted = [r for r in draws[1].results if r.analyte == UNLISTED]
    assert len(unlisted) == 1
    creatinine = unlisted[0]
    assert (creatinine.loinc, creatinine.value, creatinine.unit) == ("2160-0", 0.94, "mg/dL")
    assert creatinine.reported_name == "Creatinine [Mass/volume] in Serum or Plasma"
    assert (creatinine.ref_low, creatinine.ref_high) == (0.7, 1.3)
    assert dict(log.not_imported) == {
        "Patient": 1,
        "DiagnosticReport": 1,
        "vital signs and body measurements": 1,  # the BP panel 85354-9
    }
    assert [str(r) for r in log.rejections] == [
        "entry 8 (Observation/bad-1): value 'two hundred' is not a number"
    ]


def test_imported_draw_yields_indices_from_mixed_units() -> None:
    draws, _ = _read(DATA / "r4_bundle.json")
    indices = compute_indices(draws[1])
    homa = indices[IndexKey.HOMA_IR]
    assert homa.computable
    assert homa.value == pytest.approx(104 * 11.8 / 405, rel=1e-3)
    tg_hdl = indices[IndexKey.TG_HDL]
    assert tg_hdl.computable


# --- DSTU2 -----------------------------------------------------------------------------------


def test_dstu2_single_valued_category_and_interpretation() -> None:
    draws, log = _read(DATA / "dstu2_bundle.json")
    assert len(draws) == 2
    visit, crp = draws
    assert visit.drawn_at == datetime(2019, 6, 20, 11, 30, tzinfo=UTC)
    assert visit.lab_name == "Riverside Hospital Laboratory"
    assert visit.fasting is Fasting.YES  # 14771-0: fasting glucose, moles
    assert _values(visit) == {"glucose": (5.4, "mmol/L"), "hba1c": (41.0, "mmol/mol")}
    assert [r.flag for r in visit.results] == ["N", "H"]
    # No effective time: the issued time stands in, and the receipt says so.
    assert crp.drawn_at == datetime(2019, 7, 2, 14, 0, tzinfo=UTC)
    assert _values(crp) == {"hs_crp": (0.21, "mg/dL")}
    assert crp.results[0].ref_text == "below 0.3 mg/dL"
    assert any("issued" in a for a in log.assumptions)
    # The glucose of 540 marked entered-in-error never becomes a result.
    assert dict(log.not_imported) == {"results marked entered-in-error": 1}
    assert log.rejected_count == 0


# --- single resource: insulin in pmol/L ------------------------------------------------------


def test_single_resource_insulin_in_pmol_is_kept_in_its_unit_and_converts_by_6() -> None:
    draws, log = _read(DATA / "insulin_pmol.json")
    assert len(draws) == 1
    insulin = draws[0].result("insulin")
    assert insulin is not None
    assert (insulin.value, insulin.unit, insulin.loinc) == (72.0, "pmol/L", "14796-7")
    assert (insulin.ref_low, insulin.ref_high) == (18.0, 173.0)
    assert get_analyte("insulin").convert(insulin.value, insulin.unit, "µIU/mL") == 12.0
    assert draws[0].lab_name == "St Mary's Pathology"
    assert log.rejected_count == 0 and not log.not_imported


# --- NDJSON ----------------------------------------------------------------------------------


def test_ndjson_line_by_line_with_locations() -> None:
    found, _ = _read_all(DATA / "observations.ndjson")
    assert [x for x in found if isinstance(x, BodyMeasurement)] == [
        BodyMeasurement(
            at=datetime(2022, 11, 3, 14, 5, tzinfo=UTC),
            kind="body_mass",
            value=187.4,
            unit="lb",  # UCUM [lb_av]
            source="fhir",
        )
    ]
    draws, log = _read(DATA / "observations.ndjson")
    assert [str(r) for r in log.rejections] == [
        "line 4: is not valid JSON (Expecting value at column 61)",
        "line 8 (Observation/n-crp-lt): reported only as < 0.2; the exact value is not known",
        "line 9 (Observation/n-future): time '2999-01-01T09:00:00Z' is in the future",
        "line 10 (Observation/n-impossible): Hemoglobin A1c 61% cannot be right in that unit. "
        "It looks like a value in mmol/mol. Please check the unit on the report.",
    ]
    assert dict(log.not_imported) == {"vital signs and body measurements": 1}
    by_time = {d.drawn_at: d for d in draws}
    morning = by_time[datetime(2022, 11, 3, 14, 0, tzinfo=UTC)]
    assert _values(morning) == {"glucose": (97.2, "mg/dL"), "insulin": (9.1, "µIU/mL")}
    assert morning.fasting is Fasting.YES  # 27873-9 carries "--fasting"
    platelets = next(r for r in morning.results if r.analyte == UNLISTED)
    assert (platelets.value, platelets.unit, platelets.loinc) == (251.0, "10*3/uL", "777-3")
    # A date without a time is placed at local midnight, and the receipt says so.
    day_only = by_time[datetime(2022, 11, 3, 0, 0, tzinfo=CHICAGO)]
    assert _values(day_only) == {"uric_acid": (5.6, "mg/dL")}
    assert any("midnight" in a and "America/Chicago" in a for a in log.assumptions)


def test_bulk_ndjson_over_the_document_limit_is_read_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fhir, "MAX_DOCUMENT_BYTES", 1024)
    draws, log = _read(DATA / "observations.ndjson")
    assert len(draws) == 2 and log.rejected_count == 4


def test_a_single_document_over_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fhir, "MAX_DOCUMENT_BYTES", 1024)
    with pytest.raises(
        ImportFormatError, match=r"r4_bundle\.json: a single JSON document .* NDJSON"
    ):
        _read(DATA / "r4_bundle.json")


def test_a_huge_line_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir, "MAX_LINE_BYTES", 2048)
    path = tmp_path / "big.ndjson"
    first = (DATA / "observations.ndjson").read_text().splitlines()[0]
    path.write_text(
        first + "\n" + '{"resourceType": "Observation", "note": "' + "x" * 5000 + '"}\n'
    )
    with pytest.raises(ImportFormatError, match=r"big\.ndjson, line 2: the line is longer"):
        _read(path)


def test_cancel_stops_a_bulk_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir, "_TICK", 2)
    with pytest.raises(ImportCancelledError):
        list(
            parse(
                DATA / "observations.ndjson",
                tz=CHICAGO,
                log=ParseLog("x"),
                not_after=NOT_AFTER,
                cancel=lambda: True,
            )
        )


def test_results_of_several_patients_are_refused(tmp_path: Path) -> None:
    lines = []
    for i, person in enumerate(("Patient/a", "Patient/b")):
        lines.append(
            json.dumps(
                {
                    "resourceType": "Observation",
                    "id": f"o{i}",
                    "status": "final",
                    "subject": {"reference": person},
                    "category": [{"coding": [{"code": "laboratory"}]}],
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
                    "effectiveDateTime": "2024-01-02T08:00:00Z",
                    "valueQuantity": {"value": 90 + i, "unit": "mg/dL"},
                }
            )
        )
    path = tmp_path / "population.ndjson"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFormatError, match="2 different patients"):
        _read(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("{", "line 1 column 2: not valid JSON"),
        ("[1, 2]", "not a FHIR resource"),
        ('{"resourceType": "Observation", "value": NaN}', "not readable as JSON"),
        ("\xff\xfe{}", "not UTF-8"),
    ],
)
def test_unreadable_files_give_one_line_messages(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "labs.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(ImportFormatError, match=message) as caught:
        _read(path)
    assert str(caught.value).startswith("labs.json") and "\n" not in str(caught.value)


@pytest.mark.parametrize("layout", ["one line", "indented"])
def test_a_bundle_whose_entry_is_not_a_list_is_rejected(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "labs.json"
    bundle = {"resourceType": "Bundle", "entry": 3}
    path.write_text(json.dumps(bundle, indent=None if layout == "one line" else 2))
    draws, log = _read(path)
    assert not draws
    assert [r.reason for r in log.rejections] == ["its entry is not a list"]


def test_a_second_different_value_for_the_same_test_and_time_is_rejected() -> None:
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "category": {"coding": [{"code": "laboratory"}]},
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "effectiveDateTime": "2024-01-02T08:00:00+00:00",
        "valueQuantity": {"value": 92, "unit": "mg/dL"},
    }
    second = {
        **obs,
        "id": "g2",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
    }
    repeat = {**obs, "id": "g3"}
    changed = {**obs, "id": "g4", "valueQuantity": {"value": 5.0, "unit": "mmol/L"}}
    log = ParseLog("x")
    draws = list(
        draws_from_resources([obs, second, repeat, changed], where="labs.json", log=log, tz=UTC)
    )
    assert len(draws) == 1 and _values(draws[0]) == {"glucose": (92.0, "mg/dL")}
    assert dict(log.not_imported) == {"results repeated in the file": 2}
    assert [str(r) for r in log.rejections] == [
        "labs.json resource 4 (Observation/g4): a second Glucose result at the same time "
        "(5 mmol/L; kept 92 mg/dL)"
    ]


# --- the entry point for other containers ----------------------------------------------------


def test_draws_from_resources_reads_parsed_resources_and_bundles() -> None:
    bundle = json.loads((DATA / "dstu2_bundle.json").read_text())
    single = json.loads((DATA / "insulin_pmol.json").read_text())
    log = ParseLog("export.zip")
    draws = list(
        draws_from_resources(
            [bundle, single, {"no": "type"}],
            where="clinical-records/a.json",
            log=log,
            tz=timezone(timedelta(hours=-4)),
        )
    )
    assert [sorted(_values(d)) for d in draws] == [
        ["glucose", "hba1c"],
        ["hs_crp"],
        ["insulin"],
    ]
    assert [str(r) for r in log.rejections] == [
        "clinical-records/a.json resource 3: has no resourceType"
    ]


# --- an unlisted result across the app ------------------------------------------------------


def _store_imported_visit(services) -> LabDraw:  # type: ignore[no-untyped-def]
    draws, _ = _read(DATA / "r4_bundle.json")
    change = services.labs.add_draws(draws)
    ids = sorted(change.added[Entity.LAB_DRAW])
    return services.labs.get_draw(ids[-1])


def test_an_unlisted_result_is_stored_listed_and_used_nowhere_it_does_not_belong(
    services,  # type: ignore[no-untyped-def]
) -> None:
    stored = _store_imported_visit(services)
    creatinine = next(r for r in stored.results if r.analyte == UNLISTED)
    assert (creatinine.value, creatinine.unit, creatinine.loinc) == (0.94, "mg/dL", "2160-0")
    assert creatinine.reported_name == "Creatinine [Mass/volume] in Serum or Plasma"
    listed = services.labs.list_draws()
    assert len(listed) == 2
    indices = dict(services.labs.indices())
    assert any(result.computable for result in indices[listed[-1]].values())
    overview = services.overview.overview(
        tz=CHICAGO, window=timedelta(days=14), target_delay_min=30, sex=None
    )
    assert overview.draws == 2
    assert overview.marker("glucose").present
    services.stats  # noqa: B018  (built with the journal; must not choke on the draw)


def test_labs_list_shows_a_draw_with_an_unlisted_result(qtbot, services) -> None:  # type: ignore[no-untyped-def]
    from journal.ui.models.tables import LabDrawTableModel

    stored = _store_imported_visit(services)
    model = LabDrawTableModel()
    model.set_rows(services.labs.list_draws())
    assert model.rowCount() == 2
    row = [r for r in range(2) if "104" in model.index(r, model.column_of("glucose")).data()]
    assert len(row) == 1
    for column in range(model.columnCount()):
        model.index(row[0], column).data()  # every cell renders
        model.index(row[0], column).data(Qt.ItemDataRole.ToolTipRole)
    assert stored.lab_name == model.index(row[0], model.column_of("lab")).data()


def test_editing_an_imported_draw_keeps_its_unlisted_result(qtbot, services) -> None:  # type: ignore[no-untyped-def]
    from journal.ui.dialogs.lab_draw import LabDrawDialog

    stored = _store_imported_visit(services)
    dialog = LabDrawDialog(services, draw=stored)
    qtbot.addWidget(dialog)
    edit = dialog.row("glucose").value
    edit.clear()
    qtbot.keyClicks(edit, "103")
    edit.editingFinished.emit()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    updated = services.labs.get_draw(stored.id)
    assert updated.result("glucose") is not None
    assert updated.result("glucose").value == 103  # type: ignore[union-attr]
    kept = [r for r in updated.results if r.analyte == UNLISTED]
    assert [(r.value, r.unit, r.loinc) for r in kept] == [(0.94, "mg/dL", "2160-0")]


# --- public samples --------------------------------------------------------------------------

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples absent")


@needs_samples
def test_synthea_bulk_ndjson_values() -> None:
    found_all, _ = _read_all(SAMPLES / "synthea_observations.ndjson")
    body = [x for x in found_all if isinstance(x, BodyMeasurement)]
    assert body == [
        BodyMeasurement(
            at=datetime(2022, 4, 1, 15, 46, 59, tzinfo=UTC),
            kind="body_mass",
            value=85.3,
            unit="kg",
            source="fhir",
        )
    ]
    draws, log = _read(SAMPLES / "synthea_observations.ndjson")
    found = {
        (d.drawn_at.astimezone(UTC), r.analyte): (r.value, r.unit, r.loinc)
        for d in draws
        for r in d.results
    }
    at = lambda y, m, d: datetime(y, m, d, 15, 46, 59, tzinfo=UTC)  # noqa: E731  -03:00 offset
    assert found[(at(2022, 4, 1), "hba1c")] == (5.34, "%", "4548-4")
    assert found[(at(2020, 3, 20), "hba1c")] == (5.34, "%", "4548-4")
    assert found[(at(2019, 3, 15), "glucose")] == (149.74, "mg/dL", "2339-0")
    assert found[(at(2018, 3, 9), "glucose")] == (159.53, "mg/dL", "2339-0")
    assert found[(at(2022, 4, 1), "triglycerides")] == (277.12, "mg/dL", "2571-8")
    assert found[(at(2020, 3, 20), "hdl")] == (35.21, "mg/dL", "2085-9")
    assert found[(at(2014, 10, 24), "total_cholesterol")] == (219.76, "mg/dL", "2093-3")
    unlisted = sorted(r.loinc or "" for d in draws for r in d.results if r.analyte == UNLISTED)
    assert unlisted == ["20565-8", "6299-2"]  # CO2 and urea nitrogen: kept, not dropped
    # BP panel, height, heart rate and mean BP are vital signs (weight became a body
    # measurement); smoking status is not a lab result; the culture panel has no number.
    assert dict(log.not_imported) == {
        "vital signs and body measurements": 4,
        "observations that are not lab results": 1,
        "lab results without a number": 1,
    }
    assert log.rejected_count == 0
    assert sum(len(d.results) for d in draws) + len(body) + sum(log.not_imported.values()) == 17


@needs_samples
def test_every_fhir_sample_imports_or_fails_cleanly() -> None:
    for path in sorted(SAMPLES.iterdir()):
        head = path.read_bytes()[:65536]
        assert sniff(path, head), path.name
        try:
            _read(path)
        except ImportFormatError as exc:
            assert str(exc).startswith(path.name)


# --- fuzz ------------------------------------------------------------------------------------

_FIXTURES = [p.read_bytes() for p in sorted(DATA.iterdir())]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.integers(0, len(_FIXTURES) - 1),
    cut=st.floats(0.0, 1.0),
    edits=st.lists(st.tuples(st.floats(0.0, 1.0), st.binary(min_size=0, max_size=4)), max_size=6),
)
def test_mutated_files_raise_only_import_format_errors(
    tmp_path: Path, which: int, cut: float, edits: list[tuple[float, bytes]]
) -> None:
    data = bytearray(_FIXTURES[which])
    for where, chunk in edits:
        at = int(where * len(data))
        data[at : at + len(chunk)] = chunk
    data = data[: max(1, int(cut * len(data)))] if cut < 0.98 else data
    path = tmp_path / "mutated.json"
    path.write_bytes(bytes(data))
    log = ParseLog(path.name)
    try:
        draws = list(parse(path, tz=CHICAGO, log=log, not_after=NOT_AFTER))
    except ImportFormatError as exc:
        assert "\n" not in str(exc)
        return
    for draw in draws:
        if isinstance(draw, BodyMeasurement):
            assert draw.unit in {"kg", "lb", "cm", "in"}
            continue
        assert draw.drawn_at.tzinfo is not None
        for r in draw.results:
            assert r.analyte == UNLISTED or r.unit in get_analyte(r.analyte).units


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "resourceType",
                        "entry",
                        "resource",
                        "category",
                        "code",
                        "coding",
                        "system",
                        "valueQuantity",
                        "value",
                        "unit",
                        "effectiveDateTime",
                        "issued",
                        "referenceRange",
                        "low",
                        "interpretation",
                        "performer",
                        "display",
                        "status",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=25,
    )
)
def test_arbitrary_json_shapes_never_crash_the_resource_reader(shape: object) -> None:
    log = ParseLog("x")
    resources = [shape] if isinstance(shape, dict) else [{"resourceType": "Bundle", "entry": shape}]
    for draw in draws_from_resources(resources, where="x", log=log, tz=UTC):  # type: ignore[arg-type]
        assert draw.results


# --- end to end through the import service ---------------------------------------------------


def test_import_service_writes_a_fhir_bundle_as_one_undoable_batch(services) -> None:  # type: ignore[no-untyped-def]
    path = DATA / "r4_bundle.json"
    receipt, _ = services.imports.import_file(path, tz=CHICAGO)
    assert receipt.format == "fhir-json"
    assert dict(receipt.added) == {"lab draws": 2, "lab results": 7}
    assert [str(r) for r in receipt.rejected] == [
        "entry 8 (Observation/bad-1): value 'two hundred' is not a number"
    ]
    assert receipt.not_imported["vital signs and body measurements"] == 1
    draws = services.labs.list_draws()
    assert [d.source for d in draws] == ["fhir", "fhir"]
    visit = next(d for d in draws if d.lab_name == "Northside Clinical Lab")
    assert visit.batch_id == receipt.batch_id
    assert [r.reported_name for r in visit.results if r.analyte == UNLISTED] == [
        "Creatinine [Mass/volume] in Serum or Plasma"
    ]
    again, _ = services.imports.import_file(path, tz=CHICAGO)
    assert again.already_imported
    services.imports.undo_batch(receipt.batch_id)
    assert services.labs.list_draws() == []


def test_import_service_takes_body_weight_from_a_bulk_file(services) -> None:  # type: ignore[no-untyped-def]
    receipt, _ = services.imports.import_file(DATA / "observations.ndjson", tz=CHICAGO)
    assert dict(receipt.added) == {"lab draws": 2, "lab results": 4, "body measurements": 1}
    assert receipt.rejected_count == 4


@needs_samples
def test_synthea_sample_through_the_import_service(services) -> None:  # type: ignore[no-untyped-def]
    receipt, _ = services.imports.import_file(SAMPLES / "synthea_observations.ndjson", tz=UTC)
    assert dict(receipt.added) == {"lab draws": 7, "lab results": 10, "body measurements": 1}
    a1c = [
        r.value
        for d in services.labs.list_draws()
        for r in d.results
        if r.analyte == "hba1c" and r.loinc == "4548-4"
    ]
    assert a1c == [5.34, 5.34]


def test_deeply_nested_bundles_and_odd_resource_types_stay_bounded() -> None:
    inner: dict[str, object] = {"resourceType": "Patient"}
    for _ in range(8):
        inner = {"resourceType": "Bundle", "entry": [{"resource": inner}]}
    odd = [{"resourceType": f"Thing{chr(65 + i % 26)}{chr(97 + i // 26)}"} for i in range(60)]
    log = ParseLog("x")
    assert (
        list(
            draws_from_resources(
                [inner, *odd, {"resourceType": "x" * 999}], where="f", log=log, tz=UTC
            )
        )
        == []
    )
    assert [r.reason for r in log.rejections] == ["Bundles are nested too deeply"]
    assert len(log.not_imported) == 41 and log.not_imported["other resources"] == 21
