"""Lab results as a FHIR R4 Bundle (type collection): one Observation per result, LOINC, UCUM."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from journal.domain.analytes import CATALOGUE, UNLISTED
from journal.domain.entities import LabDraw, LabResult
from journal.domain.units import UnknownUnitError, ucum_code

__all__ = ["FHIR_EXPORT", "fhir_bundle", "write_fhir_bundle"]

FHIR_EXPORT = "fhir-r4-bundle"

_LOINC = "http://loinc.org"
_UCUM = "http://unitsofmeasure.org"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_FLAG_NAMES = {
    "N": "Normal",
    "L": "Low",
    "H": "High",
    "LL": "Critical low",
    "HH": "Critical high",
    "A": "Abnormal",
    "AA": "Critical abnormal",
}
# Ids derived from the journal's own row ids stay the same from one export to the next, so a
# receiving system can tell a re-sent result from a new one.
_NAMESPACE = uuid.UUID("6f1d3c1e-52c4-4f0c-9b8e-0a1f7c2d9e41")
_VITAL_GROUPS = frozenset({"vitals", "body"})


def _stamp(at: datetime, tz: tzinfo | None) -> str:
    local = at.astimezone(tz) if tz is not None else at.astimezone()
    return local.isoformat(timespec="seconds")


def _quantity(value: float, unit: str, analyte_known: bool) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value, "unit": unit}
    if analyte_known:
        with contextlib.suppress(UnknownUnitError):
            quantity.update(system=_UCUM, code=ucum_code(unit))
    return quantity


def _observation(draw: LabDraw, result: LabResult, tz: tzinfo | None) -> dict[str, Any]:
    analyte = CATALOGUE.get(result.analyte) if result.analyte != UNLISTED else None
    loinc = result.loinc or (analyte.loinc if analyte is not None else None)
    name = analyte.name if analyte is not None else (result.reported_name or loinc or "")
    coding = [{"system": _LOINC, "code": loinc, "display": name}] if loinc else []
    vital = analyte is not None and analyte.group in _VITAL_GROUPS
    category = "vital-signs" if vital else "laboratory"
    key = f"{draw.id}/{result.id}" if draw.id is not None and result.id is not None else None
    ident = uuid.uuid5(_NAMESPACE, key) if key else uuid.uuid4()
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(ident),
        "status": "final",
        "category": [
            {"coding": [{"system": _CATEGORY, "code": category, "display": category.capitalize()}]}
        ],
        "code": {"coding": coding, "text": result.reported_name or name},
        "effectiveDateTime": _stamp(draw.drawn_at, tz),
        "valueQuantity": _quantity(result.value, result.unit, analyte is not None),
    }
    if draw.lab_name:
        obs["performer"] = [{"display": draw.lab_name}]
    flag = (result.flag or "").upper()
    if flag in _FLAG_NAMES:
        obs["interpretation"] = [
            {"coding": [{"system": _INTERPRETATION, "code": flag, "display": _FLAG_NAMES[flag]}]}
        ]
    reference: dict[str, Any] = {}
    if result.ref_low is not None:
        reference["low"] = _quantity(result.ref_low, result.unit, analyte is not None)
    if result.ref_high is not None:
        reference["high"] = _quantity(result.ref_high, result.unit, analyte is not None)
    if result.ref_text:
        reference["text"] = result.ref_text
    if reference:
        obs["referenceRange"] = [reference]
    return obs


def fhir_bundle(
    draws: Iterable[LabDraw], *, now: datetime, tz: tzinfo | None = None
) -> dict[str, Any]:
    """A FHIR R4 Bundle (type collection) with one Observation per result of every draw.

    Times carry their UTC offset (in `tz`, else the computer's zone). Values and ranges stay in
    the unit the lab reported, with its UCUM code; results of tests outside the catalogue keep
    their reported name, LOINC code and unit text. No patient details are written.
    """
    entries = []
    for draw in draws:
        for result in draw.results:
            obs = _observation(draw, result, tz)
            entries.append({"fullUrl": f"urn:uuid:{obs['id']}", "resource": obs})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _stamp(now, tz)},
        "type": "collection",
        "timestamp": _stamp(now, tz),
        "entry": entries,
    }


def write_fhir_bundle(
    draws: Iterable[LabDraw], out_file: Path, *, now: datetime, tz: tzinfo | None = None
) -> Path:
    """Write the bundle as UTF-8 JSON, readable only by the user (0600), replacing atomically.

    The file appears complete or not at all: it is written to a temporary file beside the
    target, flushed to disk and renamed over it.
    """
    bundle = fhir_bundle(draws, now=now, tz=tz)
    out_file = Path(out_file)
    fd, temp = tempfile.mkstemp(prefix=f".{out_file.name}.", dir=out_file.parent or Path("."))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(bundle, handle, ensure_ascii=False, indent=1, allow_nan=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, out_file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    os.chmod(out_file, 0o600)
    return out_file
