"""A small journal with something in every section, and a reader for the PDFs it prints."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journal.domain.entities import Fasting, GlucoseSource, Meal, Question, WorkoutKind
from tests.factories import NOW, draw, reading, result, walk, workout

TZ = ZoneInfo("Europe/Berlin")
PERIOD = (date(2025, 11, 21), date(2026, 11, 20))


def pdf_pages(path: Path) -> list[str]:
    """Each page's text with whitespace normalised (Qt's PDFs put tabs between words)."""
    from pypdf import PdfReader

    pages = PdfReader(path).pages
    return [re.sub(r"\s+", " ", _unligature(p.extract_text() or "")).strip() for p in pages]


_LIGATURES = str.maketrans(
    {"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "\u2060": None, "\u00a0": " "}
)


def _unligature(text: str) -> str:
    """Ligatures (ﬁ) back into letters, no-break marks dropped; µ and the rest untouched."""
    return text.translate(_LIGATURES)


@pytest.fixture
def filled(services):
    """Two draws (one in mmol/L), training, walks, a week of sensor readings, three questions."""
    services.labs.add_draw(
        draw(
            datetime(2026, 3, 2, 7, 30, tzinfo=UTC),
            results=(
                result("glucose", 94, "mg/dL", ref_low=70, ref_high=99),
                result("insulin", 12.0, "µIU/mL", ref_low=2.6, ref_high=24.9),
                result("hba1c", 5.6, "%", ref_high=5.7, flag="N"),
                result("triglycerides", 160, "mg/dL"),
                result("hdl", 42, "mg/dL", flag="L"),
            ),
            lab_name="<b>Lab</b>",
        )
    )
    services.labs.add_draw(
        draw(
            datetime(2026, 9, 14, 7, 0, tzinfo=UTC),
            results=(
                result("glucose", 5.3, "mmol/L"),
                result("triglycerides", 1.9, "mmol/L"),
                result("hdl", 1.05, "mmol/L"),
            ),
            fasting=Fasting.YES,
            lab_name="Lakeshore",
        )
    )
    for day in range(0, 120, 2):
        kind = WorkoutKind.RESISTANCE if day % 6 == 0 else WorkoutKind.AEROBIC
        services.training.add_workout(workout(NOW - timedelta(days=day, hours=3), kind=kind))
    for day in range(0, 60):
        services.walks.add_walk(walk(NOW - timedelta(days=day, hours=4), meal=Meal.DINNER))
    start = NOW - timedelta(days=20)
    services.glucose.bulk_add(
        reading(start + timedelta(minutes=5 * i), 100 + (i % 30), source=GlucoseSource.CGM)
        for i in range(20 * 288)
    )
    services.questions.add_question(
        Question(text="Should we check fasting insulin again next year?", basis="HOMA-IR 2.8")
    )
    services.questions.add_question(
        Question(text='Is <img src="file:///etc/hostname"> & "quotes" literal?')
    )
    services.questions.add_question(Question(text="Not for printing", include=False))
    return services


def pdf_image_count(path: Path) -> int:
    """Distinct images in the document (one drawn across a page break is listed on both)."""
    from pypdf import PdfReader

    seen = set()
    for page in PdfReader(path).pages:
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            if ref.get_object().get("/Subtype") == "/Image":
                seen.add(ref.idnum)
    return len(seen)
