"""Question rules: each one drafts when its data say so, stays silent otherwise, and cites it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.domain.entities import Fasting, LabDraw, Workout
from journal.domain.question_rules import (
    RULE_HBA1C_CHANGE,
    RULE_IDS,
    RULE_INDEX_NOT_COMPUTABLE,
    RULE_LOW_TRAINING_COVERAGE,
    RULE_NO_FASTING_INSULIN,
    RULE_NO_RECENT_LIPIDS,
    RULE_NORMAL_GLUCOSE_HIGH_MARKER,
    RULE_PREDIABETES_RANGE,
    RULE_RISING_HOMA_IR,
    RULE_RISING_TG_HDL,
    DraftQuestion,
    draft_questions,
)
from tests.factories import NOW, draw, result, workout

TZ = ZoneInfo("America/New_York")
WINDOW = timedelta(hours=48)


def on(year: int, month: int, day: int) -> datetime:
    """A morning draw time in the person's own zone."""
    return datetime(year, month, day, 8, 15, tzinfo=TZ)


def lab(
    when: datetime, *results: tuple[str, float, str], fasting: Fasting = Fasting.YES
) -> LabDraw:
    return draw(when, fasting=fasting, results=tuple(result(a, v, u) for a, v, u in results))


# A fasting draw on which no rule has anything to say: HOMA-IR 1.11, TG:HDL 1.33.
QUIET = (
    ("glucose", 90, "mg/dL"),
    ("insulin", 5, "µIU/mL"),
    ("triglycerides", 80, "mg/dL"),
    ("hdl", 60, "mg/dL"),
)


def drafts(
    draws: list[LabDraw],
    workouts: list[Workout] | None = None,
    *,
    window: timedelta = WINDOW,
    now: datetime = NOW,
) -> dict[str, DraftQuestion]:
    found = draft_questions(draws, workouts or [], now=now, tz=TZ, coverage_window=window)
    assert len({d.rule for d in found}) == len(found), "one draft per rule"
    return {d.rule: d for d in found}


def quiet(when: datetime, *extra: tuple[str, float, str]) -> LabDraw:
    return lab(when, *QUIET, *extra)


def test_quiet_journal_drafts_nothing() -> None:
    assert drafts([quiet(on(2026, 3, 3))]) == {}


def test_empty_journal_drafts_nothing_not_even_the_insulin_question() -> None:
    assert drafts([]) == {}
    # Workouts alone: still no lab data to discuss.
    assert drafts([], [workout(on(2026, 3, 1))]) == {}


def test_every_draft_is_a_question_never_a_diagnosis() -> None:
    journal = [
        lab(on(2025, 1, 10), ("glucose", 5.6, "mmol/L"), ("hba1c", 5.4, "%")),
        lab(on(2025, 3, 3), ("glucose", 94, "mg/dL"), ("triglycerides", 190, "mg/dL"),
            ("hdl", 50, "mg/dL"), ("hba1c", 5.8, "%")),
        lab(on(2025, 6, 3), ("glucose", 97, "mg/dL"), ("insulin", 9, "µIU/mL"),
            fasting=Fasting.UNKNOWN),
    ]  # fmt: skip
    found = drafts(journal, [workout(on(2025, 5, 1))])
    assert len(found) >= 6
    for draft in found.values():
        assert draft.rule in RULE_IDS
        assert draft.text.endswith("?")
        lowered = draft.text.lower()
        for verdict in ("you have", "you are", "diagnos", "you should"):
            assert verdict not in lowered
        assert draft.basis.endswith(".")


# --- (a) no fasting insulin ----------------------------------------------------------------


def test_no_insulin_at_all_asks_about_fasting_insulin() -> None:
    found = drafts(
        [
            lab(on(2025, 9, 1), ("glucose", 92, "mg/dL")),
            lab(on(2026, 3, 3), ("glucose", 95, "mg/dL")),
        ]
    )
    q = found[RULE_NO_FASTING_INSULIN]
    assert "fasting insulin" in q.text and "HOMA-IR" in q.text
    assert q.basis == (
        "No insulin result in 2 draws from 1 Sep 2025 to 3 Mar 2026, so HOMA-IR cannot be "
        "worked out."
    )


def test_insulin_only_on_a_draw_not_marked_fasting_does_not_count() -> None:
    found = drafts(
        [lab(on(2026, 3, 3), ("glucose", 95, "mg/dL"), ("insulin", 12, "µIU/mL"),
             fasting=Fasting.UNKNOWN)]
    )  # fmt: skip
    basis = found[RULE_NO_FASTING_INSULIN].basis
    assert basis.startswith("No insulin result from a fasting draw in the draw of 3 Mar 2026.")
    assert "12.0 µIU/mL on 3 Mar 2026, was on a draw not marked as fasting" in basis


def test_fasting_insulin_on_record_silences_the_insulin_question() -> None:
    older = quiet(on(2024, 3, 3))
    newer = lab(on(2026, 3, 3), ("glucose", 95, "mg/dL"), ("triglycerides", 80, "mg/dL"),
                ("hdl", 60, "mg/dL"))  # fmt: skip
    assert RULE_NO_FASTING_INSULIN not in drafts([older, newer])


# --- (b) normal fasting glucose with a marker above its guide value ------------------------


def test_normal_glucose_with_high_tg_hdl_is_queried() -> None:
    found = drafts([lab(on(2026, 3, 3), ("glucose", 94, "mg/dL"), ("insulin", 4, "µIU/mL"),
                        ("triglycerides", 190, "mg/dL"), ("hdl", 50, "mg/dL"))])  # fmt: skip
    q = found[RULE_NORMAL_GLUCOSE_HIGH_MARKER]
    assert "fasting glucose was in the normal range" in q.text
    assert "TG:HDL ratio" in q.text and "HOMA-IR" not in q.text
    assert q.basis == (
        "Fasting glucose 94 mg/dL on 3 Mar 2026 (below 100 mg/dL, the range ADA calls "
        "normal); TG:HDL 3.80 (mg/dL basis) on the same draw, above the guide value 3.0."
    )


def test_normal_glucose_with_high_homa_ir_in_mmol_is_queried() -> None:
    # 5.0 mmol/L × 10 µIU/mL ÷ 22.5 = 2.22, above the guide value 1.9.
    found = drafts([lab(on(2026, 3, 3), ("glucose", 5.0, "mmol/L"), ("insulin", 10, "µIU/mL"),
                        ("triglycerides", 1.0, "mmol/L"), ("hdl", 1.5, "mmol/L"))])  # fmt: skip
    basis = found[RULE_NORMAL_GLUCOSE_HIGH_MARKER].basis
    assert basis.startswith("Fasting glucose 5.0 mmol/L on 3 Mar 2026 (below 5.6 mmol/L")
    assert "HOMA-IR 2.22 on the same draw, above the guide value 1.9" in basis
    assert "TG:HDL" not in basis


def test_tg_hdl_on_the_mmol_basis_is_compared_with_its_own_cut_point() -> None:
    # 1.2 on the mmol/L basis is 2.75 on the mg/dL basis: under either cut-point.
    below = lab(on(2026, 3, 3), ("glucose", 5.0, "mmol/L"), ("insulin", 4, "µIU/mL"),
                ("triglycerides", 1.2, "mmol/L"), ("hdl", 1.0, "mmol/L"))  # fmt: skip
    assert RULE_NORMAL_GLUCOSE_HIGH_MARKER not in drafts([below])
    above = lab(on(2026, 3, 3), ("glucose", 5.0, "mmol/L"), ("insulin", 4, "µIU/mL"),
                ("triglycerides", 1.35, "mmol/L"), ("hdl", 1.0, "mmol/L"))  # fmt: skip
    basis = drafts([above])[RULE_NORMAL_GLUCOSE_HIGH_MARKER].basis
    assert "TG:HDL 1.35 (mmol/L basis) on the same draw, above the guide value 1.3" in basis


def test_glucose_outside_the_normal_range_is_not_this_rule() -> None:
    found = drafts([lab(on(2026, 3, 3), ("glucose", 100, "mg/dL"), ("insulin", 4, "µIU/mL"),
                        ("triglycerides", 190, "mg/dL"), ("hdl", 50, "mg/dL"))])  # fmt: skip
    assert RULE_NORMAL_GLUCOSE_HIGH_MARKER not in found


def test_only_the_latest_fasting_glucose_draw_is_read() -> None:
    old_high = lab(on(2025, 3, 3), ("glucose", 94, "mg/dL"), ("insulin", 4, "µIU/mL"),
                   ("triglycerides", 190, "mg/dL"), ("hdl", 50, "mg/dL"))  # fmt: skip
    # A newer non-fasting draw has no fasting glucose, so the quiet fasting one decides.
    random = lab(on(2026, 5, 1), ("glucose", 130, "mg/dL"), fasting=Fasting.NO)
    assert RULE_NORMAL_GLUCOSE_HIGH_MARKER not in drafts([old_high, quiet(on(2026, 3, 3)), random])
    assert RULE_NORMAL_GLUCOSE_HIGH_MARKER in drafts([quiet(on(2024, 3, 3)), old_high, random])


# --- (c) rising markers --------------------------------------------------------------------


def homa(when: datetime, insulin: float, fasting: Fasting = Fasting.YES) -> LabDraw:
    # 90 mg/dL × insulin ÷ 405.
    return lab(when, ("glucose", 90, "mg/dL"), ("insulin", insulin, "µIU/mL"), fasting=fasting)


def test_homa_ir_rising_over_three_computable_draws_is_queried() -> None:
    journal = [
        homa(on(2024, 3, 3), 7),  # 1.56
        homa(on(2024, 9, 3), 5),  # 1.11
        homa(on(2025, 3, 3), 6),  # 1.33
        homa(on(2025, 6, 3), 20, Fasting.UNKNOWN),  # not computable: skipped
        homa(on(2025, 9, 3), 7),  # 1.56
        homa(on(2026, 3, 3), 8),  # 1.78
    ]
    q = drafts(journal)[RULE_RISING_HOMA_IR]
    assert "HOMA-IR has gone up on each of my last three blood tests" in q.text
    assert q.basis == (
        "HOMA-IR 1.33 on 3 Mar 2025, 1.56 on 3 Sep 2025, 1.78 on 3 Mar 2026: each higher "
        "than the one before."
    )


def test_homa_ir_that_dipped_or_has_two_points_is_not_rising() -> None:
    dipped = [homa(on(2024, 3, 3), 5), homa(on(2025, 3, 3), 8), homa(on(2026, 3, 3), 7)]
    assert RULE_RISING_HOMA_IR not in drafts(dipped)
    flat = [homa(on(2024, 3, 3), 5), homa(on(2025, 3, 3), 7), homa(on(2026, 3, 3), 7)]
    assert RULE_RISING_HOMA_IR not in drafts(flat)
    two = [homa(on(2025, 3, 3), 5), homa(on(2026, 3, 3), 7)]
    assert RULE_RISING_HOMA_IR not in drafts(two)


def test_tg_hdl_rising_across_unit_bases_is_compared_on_one_basis() -> None:
    journal = [
        lab(on(2024, 3, 3), ("triglycerides", 1.0, "mmol/L"), ("hdl", 1.2, "mmol/L")),  # 1.91
        lab(on(2025, 3, 3), ("triglycerides", 110, "mg/dL"), ("hdl", 50, "mg/dL")),  # 2.20
        lab(on(2026, 3, 3), ("triglycerides", 130, "mg/dL"), ("hdl", 50, "mg/dL")),  # 2.60
    ]
    q = drafts(journal)[RULE_RISING_TG_HDL]
    assert "TG:HDL ratio has gone up" in q.text
    assert q.basis.startswith(
        "TG:HDL 1.91 on 3 Mar 2024, 2.20 on 3 Mar 2025, 2.60 on 3 Mar 2026 (all on the mg/dL basis"
    )
    # 1.0 on the mmol/L basis is 2.29 on the mg/dL basis, above the 2.20 after it: no rise,
    # although the bare numbers 1.0 < 2.20 < 2.60 would look like one.
    falling = [
        lab(on(2024, 3, 3), ("triglycerides", 1.2, "mmol/L"), ("hdl", 1.2, "mmol/L")),
        *journal[1:],
    ]
    assert RULE_RISING_TG_HDL not in drafts(falling)


# --- (d) fasting glucose or HbA1c in the prediabetes range ---------------------------------


def test_fasting_glucose_of_5_6_mmol_is_in_the_prediabetes_range() -> None:
    q = drafts([lab(on(2026, 3, 3), ("glucose", 5.6, "mmol/L"))])[RULE_PREDIABETES_RANGE]
    assert "range ADA calls prediabetes" in q.text
    assert q.basis == (
        "Fasting glucose 5.6 mmol/L (101 mg/dL) on 3 Mar 2026, in the range ADA calls "
        "prediabetes (5.6 to under 7 mmol/L)."
    )


def test_hba1c_in_mmol_per_mol_is_converted_for_the_reader() -> None:
    q = drafts([lab(on(2026, 3, 3), ("hba1c", 44, "mmol/mol"))])[RULE_PREDIABETES_RANGE]
    assert q.basis == (
        "HbA1c 44 mmol/mol (6.2%) on 3 Mar 2026, in the range ADA calls prediabetes "
        "(39 to under 48 mmol/mol)."
    )


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "fasting"),
    [
        ("glucose", 99, "mg/dL", Fasting.YES),
        ("glucose", 5.5, "mmol/L", Fasting.YES),
        ("glucose", 126, "mg/dL", Fasting.YES),  # the diabetes range, not this rule's
        ("glucose", 110, "mg/dL", Fasting.NO),  # no bands for a non-fasting glucose
        ("glucose", 110, "mg/dL", Fasting.UNKNOWN),
        ("hba1c", 5.6, "%", Fasting.NO),
        ("hba1c", 6.5, "%", Fasting.NO),
        ("hba1c", 38, "mmol/mol", Fasting.NO),
    ],
)
def test_values_outside_the_prediabetes_range_stay_silent(
    analyte: str, value: float, unit: str, fasting: Fasting
) -> None:
    found = drafts([lab(on(2026, 3, 3), (analyte, value, unit), fasting=fasting)])
    assert RULE_PREDIABETES_RANGE not in found


def test_every_draw_in_the_range_is_cited_with_its_date() -> None:
    journal = [
        lab(on(2024, 3, 3), ("glucose", 125, "mg/dL"), ("hba1c", 5.5, "%")),
        quiet(on(2025, 3, 3)),
        lab(on(2026, 3, 3), ("glucose", 96, "mg/dL"), ("hba1c", 6.4, "%"), fasting=Fasting.NO),
    ]
    basis = drafts(journal)[RULE_PREDIABETES_RANGE].basis
    assert basis == (
        "Fasting glucose 125 mg/dL on 3 Mar 2024, in the range ADA calls prediabetes "
        "(100 to under 126 mg/dL); HbA1c 6.4% on 3 Mar 2026, in the range ADA calls "
        "prediabetes (5.7 to under 6.5 %)."
    )


# --- (e) HbA1c change ----------------------------------------------------------------------


def a1c(when: datetime, value: float, unit: str = "%") -> LabDraw:
    return lab(when, ("hba1c", value, unit), fasting=Fasting.NO)


def test_hba1c_rise_of_0_3_points_is_queried() -> None:
    q = drafts([a1c(on(2025, 3, 3), 5.2), a1c(on(2026, 3, 3), 5.5)])[RULE_HBA1C_CHANGE]
    assert "HbA1c moved by 0.3 percentage points or more" in q.text
    assert q.basis == "HbA1c 5.2% on 3 Mar 2025, then 5.5% on 3 Mar 2026: up 0.3 percentage points."


def test_hba1c_fall_counts_too_despite_float_rounding() -> None:
    # 6.0 − 5.7 is 0.2999… in binary floating point.
    basis = drafts([a1c(on(2025, 3, 3), 6.0), a1c(on(2026, 3, 3), 5.7)])[RULE_HBA1C_CHANGE].basis
    assert basis.endswith("down 0.3 percentage points.")


def test_hba1c_in_mmol_per_mol_is_compared_in_percent() -> None:
    # 38 mmol/mol is 5.63 %: 5.63 → 6.0 is a rise of 0.37 points.
    basis = drafts([a1c(on(2025, 3, 3), 38, "mmol/mol"), a1c(on(2026, 3, 3), 6.0)])[
        RULE_HBA1C_CHANGE
    ].basis
    assert basis == (
        "HbA1c 38 mmol/mol (5.6%) on 3 Mar 2025, then 6.0% on 3 Mar 2026: up 0.37 percentage "
        "points."
    )


def test_small_or_older_hba1c_changes_stay_silent() -> None:
    assert RULE_HBA1C_CHANGE not in drafts([a1c(on(2025, 3, 3), 5.5), a1c(on(2026, 3, 3), 5.7)])
    # Only the latest two count: the big jump was earlier.
    journal = [a1c(on(2024, 3, 3), 5.0), a1c(on(2025, 3, 3), 5.8), a1c(on(2026, 3, 3), 5.9)]
    assert RULE_HBA1C_CHANGE not in drafts(journal)
    assert RULE_HBA1C_CHANGE not in drafts([a1c(on(2026, 3, 3), 6.1)])


# --- (f) no lipid panel in the last 12 months ----------------------------------------------


def test_lipid_panel_older_than_a_year_is_queried() -> None:
    old = lab(on(2025, 10, 1), ("triglycerides", 120, "mg/dL"), ("hdl", 55, "mg/dL"))
    # LDL and total cholesterol without triglycerides and HDL do not count as a panel.
    recent = lab(on(2026, 6, 1), ("ldl", 110, "mg/dL"), ("total_cholesterol", 190, "mg/dL"))
    q = drafts([old, recent])[RULE_NO_RECENT_LIPIDS]
    assert "lipid panel" in q.text and "past year" in q.text
    assert q.basis == (
        "The latest draw with both triglycerides and HDL cholesterol was on 1 Oct 2025 "
        "(triglycerides 120 mg/dL, HDL cholesterol 55 mg/dL), more than 12 months before "
        "20 Nov 2026."
    )


def test_no_lipid_panel_ever_is_queried() -> None:
    q = drafts([lab(on(2026, 6, 1), ("glucose", 92, "mg/dL"))])[RULE_NO_RECENT_LIPIDS]
    assert q.basis.startswith(
        "None of the 1 draw in the journal has both triglycerides and HDL cholesterol"
    )


def test_lipid_panel_within_the_year_stays_silent() -> None:
    panel = lab(on(2025, 12, 1), ("triglycerides", 120, "mg/dL"), ("hdl", 55, "mg/dL"))
    assert RULE_NO_RECENT_LIPIDS not in drafts([panel])


# --- (g) training coverage before the latest draw ------------------------------------------


def every(days: int, until: datetime) -> list[Workout]:
    """45-minute sessions every `days` days for the ten weeks before `until`."""
    return [workout(until - timedelta(days=k)) for k in range(days, 70, days)]


def test_low_coverage_before_the_draw_is_queried() -> None:
    drawn = on(2026, 3, 3)
    # One session a week, each counting 48 h: about 2/7 of the time.
    q = drafts([quiet(drawn)], every(7, drawn))[RULE_LOW_TRAINING_COVERAGE]
    assert "less than half of the eight weeks before my last blood test" in q.text
    assert q.basis.startswith(
        "Training covered 29% of the eight weeks from 6 Jan 2026 to the draw on 3 Mar 2026 "
        "(each session counted for 48 h; 8 sessions in those weeks; longest stretch without "
        "cover"
    )


def test_coverage_window_is_the_persons_setting() -> None:
    drawn = on(2026, 3, 3)
    sessions = every(3, drawn)
    # Every third day covers two thirds of the time at 48 h, a third at 24 h.
    assert RULE_LOW_TRAINING_COVERAGE not in drafts([quiet(drawn)], sessions)
    short = drafts([quiet(drawn)], sessions, window=timedelta(hours=24))
    assert "each session counted for 24 h" in short[RULE_LOW_TRAINING_COVERAGE].basis


def test_no_workouts_on_record_says_nothing_about_training() -> None:
    # We cannot tell an untrained person from one who does not log training here.
    assert RULE_LOW_TRAINING_COVERAGE not in drafts([quiet(on(2026, 3, 3))], [])


# --- (h) an index not computable although its results are there ----------------------------


def test_unknown_fasting_state_blocks_homa_ir_and_the_latest_such_draw_is_cited() -> None:
    older = lab(on(2025, 3, 3), ("glucose", 91, "mg/dL"), ("insulin", 6, "µIU/mL"),
                fasting=Fasting.UNKNOWN)  # fmt: skip
    latest = lab(on(2026, 3, 3), ("glucose", 95, "mg/dL"), ("insulin", 8, "µIU/mL"),
                 fasting=Fasting.UNKNOWN)  # fmt: skip
    q = drafts([older, latest, quiet(on(2024, 3, 3))])[RULE_INDEX_NOT_COMPUTABLE]
    assert "whether I had fasted" in q.text
    assert q.basis == (
        "Draw of 3 Mar 2026 with glucose 95 mg/dL and insulin 8.0 µIU/mL. HOMA-IR, HOMA-%B "
        "and QUICKI could not be worked out: Fasting state not recorded for this draw."
    )


def test_non_fasting_draw_blocks_tyg_with_its_reason() -> None:
    found = drafts([lab(on(2026, 3, 3), ("glucose", 120, "mg/dL"),
                        ("triglycerides", 150, "mg/dL"), fasting=Fasting.NO)])  # fmt: skip
    assert found[RULE_INDEX_NOT_COMPUTABLE].basis == (
        "Draw of 3 Mar 2026 with glucose 120 mg/dL and triglycerides 150 mg/dL. TyG index "
        "could not be worked out: Not a fasting draw."
    )


def test_missing_results_are_not_this_rule() -> None:
    # TG:HDL needs no fasting; METS-IR without a BMI is missing an input, not blocked.
    lipids_only = lab(on(2026, 3, 3), ("triglycerides", 150, "mg/dL"), ("hdl", 50, "mg/dL"),
                      fasting=Fasting.UNKNOWN)  # fmt: skip
    assert RULE_INDEX_NOT_COMPUTABLE not in drafts([lipids_only])
    assert RULE_INDEX_NOT_COMPUTABLE not in drafts([quiet(on(2026, 3, 3))])
