"""FHIR R4 export of lab results: Bundle shape, file safety, a round trip through the importer."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journal.domain.analytes import UNLISTED
from journal.domain.entities import Fasting, LabDraw
from journal.services.exporters.fhir_export import fhir_bundle, write_fhir_bundle
from journal.services.importers import ParseLog
from journal.services.importers.fhir import parse
from tests.factories import NOW, draw, result

BERLIN = ZoneInfo("Europe/Berlin")


def _journal_draws() -> list[LabDraw]:
    return [
        draw(
            datetime(2025, 1, 14, 7, 55, tzinfo=UTC),
            lab_name="St Mary's Pathology",
            results=(
                result(
                    "glucose", 5.6, "mmol/L", ref_low=3.9, ref_high=5.5, flag="H", loinc="14771-0"
                ),
                result("insulin", 72, "pmol/L", ref_low=18, ref_high=173),
                result("hba1c", 39, "mmol/mol"),
                result("triglycerides", 1.4, "mmol/L"),
                result("hdl", 1.3, "mmol/L", ref_text="above 1.0"),
                result(
                    UNLISTED,
                    0.94,
                    "mg/dL",
                    loinc="2160-0",
                    reported_name="Creatinine [Mass/volume] in Serum or Plasma",
                ),
            ),
        ),
        draw(
            datetime(2025, 6, 30, 6, 40, tzinfo=UTC),
            fasting=Fasting.UNKNOWN,
            results=(
                result("glucose", 97, "mg/dL"),
                result("insulin", 9.4, "µIU/mL"),
                result("hs_crp", 1.8, "mg/L", flag="N"),
            ),
        ),
    ]


@pytest.fixture
def stored(services) -> list[LabDraw]:  # type: ignore[no-untyped-def]
    services.labs.add_draws(_journal_draws())
    return services.labs.list_draws()


def test_bundle_is_an_r4_collection_of_lab_observations(stored: list[LabDraw]) -> None:
    bundle = fhir_bundle(stored, now=NOW, tz=BERLIN)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert bundle["timestamp"] == "2026-11-20T19:00:00+01:00"
    observations = [e["resource"] for e in bundle["entry"]]
    assert len(observations) == 9
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])
    for obs in observations:
        assert obs["resourceType"] == "Observation" and obs["status"] == "final"
        assert obs["category"][0]["coding"][0]["code"] == "laboratory"
        assert "+" in obs["effectiveDateTime"][19:]  # an offset, not a naive time
    glucose = observations[0]
    assert glucose["code"]["coding"] == [
        {"system": "http://loinc.org", "code": "14771-0", "display": "Glucose"}
    ]
    assert glucose["effectiveDateTime"] == "2025-01-14T08:55:00+01:00"
    assert glucose["valueQuantity"] == {
        "value": 5.6,
        "unit": "mmol/L",
        "system": "http://unitsofmeasure.org",
        "code": "mmol/L",
    }
    assert glucose["referenceRange"][0]["low"]["value"] == 3.9
    assert glucose["referenceRange"][0]["high"]["code"] == "mmol/L"
    assert glucose["interpretation"][0]["coding"][0]["code"] == "H"
    assert glucose["performer"] == [{"display": "St Mary's Pathology"}]
    insulin_units = {
        o["valueQuantity"]["code"] for o in observations if "Insulin" in o["code"]["text"]
    }
    assert insulin_units == {"pmol/L", "u[IU]/mL"}
    creatinine = next(o for o in observations if o["code"]["coding"][0]["code"] == "2160-0")
    assert creatinine["valueQuantity"] == {"value": 0.94, "unit": "mg/dL"}
    assert creatinine["code"]["text"] == "Creatinine [Mass/volume] in Serum or Plasma"
    # Nothing about the person is written.
    assert "Patient" not in json.dumps(bundle) and "subject" not in json.dumps(bundle)


def test_ids_stay_the_same_between_exports(stored: list[LabDraw]) -> None:
    first = [e["resource"]["id"] for e in fhir_bundle(stored, now=NOW)["entry"]]
    again = [e["resource"]["id"] for e in fhir_bundle(stored, now=NOW)["entry"]]
    assert first == again and len(set(first)) == len(first)


def test_written_file_is_private_json(tmp_path: Path, stored: list[LabDraw]) -> None:
    out = tmp_path / "exports" / "labs.json"
    out.parent.mkdir()
    out.write_text("an older export")
    out.chmod(0o644)
    written = write_fhir_bundle(stored, out, now=NOW, tz=BERLIN)
    assert written == out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "collection"
    assert "µIU/mL" in out.read_text(encoding="utf-8")
    assert [p.name for p in out.parent.iterdir()] == ["labs.json"]  # no temporary file left


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path, stored: list[LabDraw]) -> None:
    out = tmp_path / "exports" / "labs.json"
    out.parent.mkdir()
    out.write_text("previous")
    broken = [*stored, draw(results=(result("glucose", float("nan"), "mg/dL"),))]
    with pytest.raises(ValueError):
        write_fhir_bundle(broken, out, now=NOW)
    assert out.read_text() == "previous"
    assert [p.name for p in out.parent.iterdir()] == ["labs.json"]


@pytest.mark.parametrize("tz", [BERLIN, timezone(timedelta(hours=-7)), UTC])
def test_round_trip_through_the_importer_gives_the_same_values(
    tmp_path: Path, stored: list[LabDraw], tz
) -> None:  # type: ignore[no-untyped-def]
    out = write_fhir_bundle(stored, tmp_path / "export.json", now=NOW, tz=tz)
    log = ParseLog(out.name)
    back = list(parse(out, tz=UTC, log=log, not_after=NOW))
    assert log.rejected_count == 0 and not log.not_imported and not log.assumptions

    def key(d: LabDraw) -> tuple[object, ...]:
        return (
            d.drawn_at.astimezone(UTC),
            d.lab_name,
            sorted(
                (r.analyte, r.value, r.unit, r.ref_low, r.ref_high, r.ref_text, r.flag)
                for r in d.results
            ),
        )

    assert [key(d) for d in back] == [key(d) for d in stored]
    unlisted = [r for d in back for r in d.results if r.analyte == UNLISTED]
    assert [(r.loinc, r.reported_name) for r in unlisted] == [
        ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma")
    ]
