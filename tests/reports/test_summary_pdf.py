"""The printed visit summary, read back from the PDF as a clinician would read it."""

from __future__ import annotations

import os
import stat

import pytest
from pypdf import PdfReader

from journal.reports.summary import Section, SummaryOptions
from journal.ui.summary_print import write_summary_pdf
from tests.factories import NOW
from tests.reports.conftest import PERIOD, TZ, pdf_image_count, pdf_pages


def _write(services, tmp_path, **kw):
    options = SummaryOptions(start=PERIOD[0], end=PERIOD[1], **kw)
    out = tmp_path / "summary.pdf"
    _data, pages = write_summary_pdf(services, options, out, tz=TZ, now=NOW)
    return out, pages


@pytest.fixture
def printed(qapp, filled, tmp_path):
    out, pages = _write(filled, tmp_path, name="Alex Example", date_of_birth="1978-04-02")
    return out, pages, pdf_pages(out)


def test_every_page_says_which_page_of_how_many(printed):
    _out, pages, texts = printed
    assert len(texts) == pages
    assert 1 <= pages <= 4
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text


def test_header_names_the_person_the_period_and_the_date(printed):
    first = printed[2][0]
    assert "Metabolic health summary" in first
    assert "Alex Example" in first
    assert "born 1978-04-02" in first
    assert "Period 21 Nov 2025 to 20 Nov 2026" in first
    assert "generated 20 Nov 2026" in first
    assert "not a diagnosis" in " ".join(printed[2])


def test_sections_appear_in_order(printed):
    text = " ".join(printed[2])
    titles = [
        "Latest lab results",
        "Calculated indices (not lab results)",
        "Trends",
        "Training",
        "Walks after meals",
        "Sensor glucose",
        "Questions for my physician",
    ]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)


def test_lab_values_are_printed_in_both_unit_systems(printed):
    text = " ".join(printed[2])
    # The September draw was reported in mmol/L: both units appear for its newest glucose.
    assert "5.3 mmol/L" in text
    assert "95 mg/dL" in text  # 5.3 × 18.016 = 95.5 → 95 (glucose shows whole mg/dL)
    # Insulin from March in µIU/mL with its pmol/L equivalent (factor 6.0).
    assert "12 µIU/mL" in text or "12.0 µIU/mL" in text
    assert "72 pmol/L" in text
    assert "5.6% 38 mmol/mol" in text
    assert "2.6–24.9" in text  # the lab's own range
    assert "HOMA-IR" in text and "405" in text  # an index with its formula


def test_training_walks_and_glucose_figures(printed):
    text = " ".join(printed[2])
    assert "sessions" in text and "longest gap" in text
    assert "≥ 150 min" in text
    assert "Dinner" in text and "60 of 365" in text
    assert "Time in range 70–180 mg/dL (3.9–10.0 mmol/L)" in text
    assert "GMI" in text and "not a lab A1C" in text


def test_questions_are_numbered_and_unticked_ones_left_out(printed):
    text = " ".join(printed[2])
    assert "1. Should we check fasting insulin again next year?" in text
    assert "Why I ask: HOMA-IR 2.8" in text
    assert "Not for printing" not in text


def test_user_text_prints_literally_and_loads_nothing(printed):
    out, _pages, texts = printed
    text = " ".join(texts)
    assert '2. Is <img src="file:///etc/hostname"> & "quotes" literal?' in text
    assert "<b>Lab</b>" in text
    # Only the three charts are images: the injected <img> was not loaded.
    assert pdf_image_count(out) == 3


def test_sections_can_be_left_out(qapp, filled, tmp_path):
    sections = frozenset({Section.LABS, Section.QUESTIONS})
    out, _pages = _write(filled, tmp_path, sections=sections)
    text = " ".join(pdf_pages(out))
    assert "Latest lab results" in text
    assert "Questions for my physician" in text
    assert "Walks after meals" not in text
    assert "Training" not in text
    assert pdf_image_count(out) == 0


@pytest.mark.parametrize(("paper", "width_pt"), [("A4", 595), ("Letter", 612)])
def test_paper_size(qapp, filled, tmp_path, paper, width_pt):
    out, _pages = _write(filled, tmp_path, page_size=paper)
    box = PdfReader(out).pages[0].mediabox
    assert round(float(box.width)) == width_pt


def test_the_pdf_is_private_to_the_user(qapp, filled, tmp_path):
    old = os.umask(0o022)
    try:
        out, _pages = _write(filled, tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*partial"))


def test_an_empty_journal_prints_a_short_honest_summary(qapp, services, tmp_path):
    out, pages = _write(services, tmp_path)
    text = " ".join(pdf_pages(out))
    assert pages == 1
    assert "No lab results in this period." in text
    assert "No questions chosen for printing." in text
    assert "Sensor glucose" not in text  # only when readings exist


def test_long_lab_names_print_once_under_the_table(printed):
    text = " ".join(printed[2])
    # Two labs: each row carries a letter, and the names are spelled out once below.
    assert "Labs: A = Lakeshore; B = <b>Lab</b>." in text
    assert "14 Sep 2026 Glucose 5.3 mmol/L 95 mg/dL not given fasting A" in text


def test_a_question_is_never_split_across_pages(qapp, filled):
    from journal.domain.entities import Question
    from journal.reports.pdf import build_document
    from journal.reports.summary import build_summary

    for i in range(14):
        text = f"Long question {i}: " + "could we talk about this at some length? " * (1 + i % 4)
        basis = f"Reason {i}: " + "a result that prompted it. " * (1 + i % 3)
        filled.questions.add_question(Question(text=text, basis=basis))
    options = SummaryOptions(
        start=PERIOD[0], end=PERIOD[1], sections=frozenset({Section.QUESTIONS})
    )
    doc = build_document(build_summary(filled, options, tz=TZ, now=NOW), {}, "A4")
    assert doc.pageCount() >= 2
    height = doc.pageSize().height()
    layout = doc.documentLayout()
    pages_of_question: dict[int, set[int]] = {}
    number = 0
    block = doc.begin()
    while block.isValid():
        if block.text()[:3].rstrip(". ").isdigit() and ". " in block.text()[:4]:
            number += 1
        rect = layout.blockBoundingRect(block)
        if number:  # the question's text, why it is asked and the lines for notes
            pages = pages_of_question.setdefault(number, set())
            pages.update({int(rect.top() // height), int((rect.bottom() - 1) // height)})
        block = block.next()
    assert len(pages_of_question) == 16  # the fixture's two printed questions and these
    assert all(len(pages) == 1 for pages in pages_of_question.values()), pages_of_question
