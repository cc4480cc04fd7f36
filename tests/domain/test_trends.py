"""Marker trend data: unit conversion, bands, lab changes, omitted index points."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from journal.domain.analytes import UnitMismatchError
from journal.domain.entities import Fasting, Sex
from journal.domain.indices import REASON_NOT_FASTING
from journal.domain.thresholds import TG_HDL_UNIT_MGDL, TG_HDL_UNIT_MMOLL, Level
from journal.domain.trends import (
    NOTE_HOMA_IR_VARIES,
    REASON_FASTING_UNKNOWN,
    BandSpan,
    SeriesCache,
    UnknownMarkerError,
    display_unit,
    marker_series,
    other_unit,
)
from journal.domain.units import UnitSystem
from tests.factories import NOW, draw, result

T0 = NOW - timedelta(days=400)


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def glucose_draws() -> list:
    return [
        # Given out of order on purpose: the series sorts by time.
        draw(
            T0 + timedelta(days=200),
            results=(result("glucose", 5.5, "mmol/L", ref_low=3.9, ref_high=5.5),),
            lab_name="Synlab",
            id=2,
        ),
        draw(
            T0,
            results=(result("glucose", 99, "mg/dL", ref_low=70, ref_high=99),),
            id=1,
        ),
        draw(
            T0 + timedelta(days=300),
            fasting=Fasting.UNKNOWN,
            results=(result("glucose", 140, "mg/dL"),),
            id=3,
        ),
    ]


def test_mixed_unit_glucose_converted_to_mg_dl_with_reference_ranges() -> None:
    series = marker_series(glucose_draws(), "glucose", "mg/dL")

    assert [p.draw_id for p in series.points] == [1, 2, 3]
    first, second, _ = series.points
    assert first.value == 99 and first.ref_low == 70 and first.ref_high == 99
    # 5.5 mmol/L × 18.016 = 99.088 mg/dL; 3.9 × 18.016 = 70.2624
    assert second.value == pytest.approx(99.088)
    assert second.ref_low == pytest.approx(70.2624)
    assert second.ref_high == pytest.approx(99.088)
    assert (second.original_value, second.original_unit) == (5.5, "mmol/L")
    assert second.lab_name == "Synlab" and second.unit == "mg/dL"
    assert series.label == "Glucose (mg/dL)"


def test_mixed_unit_glucose_converted_to_mmol_l() -> None:
    series = marker_series(glucose_draws(), "glucose", "mmol/L")

    # 99 / 18.016 = 5.4951; 5.5 stays as reported.
    assert series.points[0].value == pytest.approx(5.49512, abs=1e-5)
    assert series.points[1].value == 5.5
    assert series.points[0].ref_high == pytest.approx(5.49512, abs=1e-5)


def test_glucose_bands_are_the_published_ones_in_each_unit() -> None:
    mg = marker_series(glucose_draws(), "glucose", "mg/dL")
    mmol = marker_series(glucose_draws(), "glucose", "mmol/L")

    assert [(b.low, b.high) for b in mg.bands] == [(None, 100.0), (100.0, 126.0), (126.0, None)]
    # ADA's own 5.6 and 7.0, not 100 / 18.016 = 5.55.
    assert [(b.low, b.high) for b in mmol.bands] == [(None, 5.6), (5.6, 7.0), (7.0, None)]
    assert mg.bands[1] == BandSpan(100.0, 126.0, "prediabetes", Level.BORDERLINE)
    assert mg.band_source == "ADA Standards of Care"
    assert not any("converted" in n for n in mmol.notes)


def test_glucose_not_confirmed_fasting_is_kept_but_excluded_from_bands() -> None:
    series = marker_series(glucose_draws(), "glucose", "mg/dL")

    assert [p.excluded for p in series.points] == [False, False, True]
    assert series.points[2].excluded_reason == REASON_FASTING_UNKNOWN
    assert any("Hollow points" in n for n in series.notes)


def test_non_fasting_insulin_is_excluded_and_pmol_converted() -> None:
    draws = [
        draw(T0, results=(result("insulin", 60, "pmol/L"),)),
        draw(at(10), fasting=Fasting.NO, results=(result("insulin", 12, "µIU/mL"),)),
    ]
    series = marker_series(draws, "insulin", "µIU/mL")

    assert series.points[0].value == pytest.approx(10.0)  # 60 / 6.0
    assert [p.excluded for p in series.points] == [False, True]
    assert series.bands == ()


def test_triglyceride_bands_converted_to_mmol_l_with_a_note() -> None:
    draws = [draw(T0, results=(result("triglycerides", 177.14, "mg/dL"),))]
    series = marker_series(draws, "triglycerides", "mmol/L")

    assert series.points[0].value == pytest.approx(2.0)  # 177.14 / 88.57
    edges = [b.high for b in series.bands[:-1]]
    # 150, 200, 500 mg/dL ÷ 88.57
    assert edges == pytest.approx([1.69357, 2.25810, 5.64525], abs=1e-5)
    assert any("publishes these cut-offs in mg/dL" in n for n in series.notes)
    in_mg = marker_series(draws, "triglycerides", "mg/dL")
    assert [b.high for b in in_mg.bands] == [150.0, 200.0, 500.0, None]
    assert not any("were converted" in n for n in in_mg.notes)


def test_hdl_bands_follow_sex() -> None:
    draws = [draw(T0, results=(result("hdl", 1.3, "mmol/L"),))]
    women = marker_series(draws, "hdl", "mg/dL", sex=Sex.FEMALE)
    anyone = marker_series(draws, "hdl", "mg/dL")

    assert women.bands[0].high == 50.0 and anyone.bands[0].high == 40.0
    assert women.points[0].value == pytest.approx(50.271)  # 1.3 × 38.67


def test_hba1c_in_mmol_mol_uses_the_published_ifcc_bands() -> None:
    draws = [draw(T0, results=(result("hba1c", 48, "mmol/mol"),))]
    pct = marker_series(draws, "hba1c", "%")
    ifcc = marker_series(draws, "hba1c", "mmol/mol")

    assert pct.points[0].value == pytest.approx(6.54304)  # 0.09148 × 48 + 2.152
    assert [b.high for b in pct.bands] == [5.7, 6.5, None]
    assert [b.high for b in ifcc.bands] == [39.0, 48.0, None]


def tg_hdl_draws() -> list:
    return [
        draw(T0, results=(result("triglycerides", 150, "mg/dL"), result("hdl", 50, "mg/dL"))),
        draw(
            at(90), results=(result("triglycerides", 1.7, "mmol/L"), result("hdl", 1.3, "mmol/L"))
        ),
    ]


def test_tg_hdl_on_the_mg_dl_basis() -> None:
    series = marker_series(tg_hdl_draws(), "tg_hdl", TG_HDL_UNIT_MGDL)

    assert series.points[0].value == pytest.approx(3.0)
    # 1.7 / 1.3 = 1.30769 on the mmol/L basis × 88.57 / 38.67 = 2.99515
    assert series.points[1].value == pytest.approx(2.99515, abs=1e-5)
    assert series.points[1].original_unit == TG_HDL_UNIT_MMOLL
    assert [b.high for b in series.bands] == [2.0, 3.0, None]
    assert series.label == "TG:HDL ratio (mg/dL basis)"


def test_tg_hdl_on_the_mmol_l_basis() -> None:
    series = marker_series(tg_hdl_draws(), "tg_hdl", "mmol/L")

    assert series.unit == TG_HDL_UNIT_MMOLL
    # 3.0 × 38.67 / 88.57 = 1.30981
    assert series.points[0].value == pytest.approx(1.30981, abs=1e-5)
    assert series.points[1].value == pytest.approx(1.30769, abs=1e-5)
    assert [b.high for b in series.bands] == [0.87, 1.3, None]


def test_lab_changes_skip_draws_without_a_lab_name() -> None:
    labs = ["Quest", "Quest", None, "Labcorp", "Labcorp", "Quest"]
    draws = [
        draw(at(30 * i), results=(result("ldl", 100 + i, "mg/dL"),), lab_name=lab)
        for i, lab in enumerate(labs)
    ]
    series = marker_series(draws, "ldl", "mg/dL")

    assert series.lab_changes == (3, 5)


def test_homa_ir_point_not_computable_is_omitted_with_its_reason() -> None:
    draws = [
        draw(T0, id=1),  # fasting, 100 mg/dL and 10 µIU/mL
        draw(at(30), fasting=Fasting.NO, id=2),
        draw(at(60), results=(result("ldl", 120, "mg/dL"),), id=3),  # no inputs at all
    ]
    series = marker_series(draws, "homa_ir", "")

    assert len(series.points) == 1
    assert series.points[0].value == pytest.approx(100 * 10 / 405)  # 2.469
    assert [(o.draw_id, o.reason) for o in series.omitted] == [(2, REASON_NOT_FASTING)]
    assert series.notes[0] == NOTE_HOMA_IR_VARIES
    assert [b.high for b in series.bands] == [1.0, 1.9, 2.9, None]
    assert series.label == "HOMA-IR"


def test_unconvertible_unit_is_omitted_and_bad_requests_raise() -> None:
    draws = [draw(T0, results=(result("glucose", 5.5, "%"),), id=9)]
    series = marker_series(draws, "glucose", "mg/dL")

    assert series.empty and series.omitted[0].draw_id == 9
    with pytest.raises(UnitMismatchError):
        marker_series(draws, "glucose", "%")
    with pytest.raises(UnknownMarkerError):
        marker_series(draws, "not_a_marker", "mg/dL")


def test_display_units_and_toggle() -> None:
    assert display_unit("glucose", UnitSystem.SI) == "mmol/L"
    assert display_unit("tg_hdl", UnitSystem.CONVENTIONAL) == TG_HDL_UNIT_MGDL
    assert display_unit("homa_ir", UnitSystem.SI) == ""
    assert other_unit("glucose", "mg/dL") == "mmol/L"
    assert other_unit("glucose", "mmol/L") == "mg/dL"
    assert other_unit("tg_hdl", TG_HDL_UNIT_MGDL) == TG_HDL_UNIT_MMOLL
    assert other_unit("homa_ir", "") == ""


# --- the per-draw cache -----------------------------------------------------------------------

CACHED_KEYS = ("glucose", "insulin", "homa_ir", "tg_hdl", "tyg")


def cached_draws() -> list:
    return [
        draw(at(0), id=1, lab_name="Quest"),
        draw(at(90), id=2, fasting=Fasting.NO, lab_name="Quest"),
        draw(
            at(180),
            id=3,
            results=(
                result("glucose", 5.9, "mmol/L", ref_low=3.9, ref_high=5.5),
                result("triglycerides", 1.7, "mmol/L"),
                result("hdl", 1.3, "mmol/L"),
            ),
        ),
    ]


def all_series(draws: list, cache: SeriesCache | None) -> list:
    units = {"glucose": "mmol/L", "insulin": "pmol/L", "tg_hdl": TG_HDL_UNIT_MMOLL}
    return [marker_series(draws, k, units.get(k, ""), cache=cache) for k in CACHED_KEYS]


def test_cached_series_equal_a_full_recomputation_after_one_new_draw() -> None:
    cache = SeriesCache()
    first = cached_draws()
    assert all_series(first, cache) == all_series(first, None)
    worked_out = cache.computed
    assert worked_out == len(first) * len(CACHED_KEYS)
    more = [*first, draw(at(270), id=4, results=(result("glucose", 112, "mg/dL"),))]
    assert all_series(more, cache) == all_series(more, None)
    # Only the new draw was worked out, once per marker.
    assert cache.computed - worked_out == len(CACHED_KEYS)
    # HOMA-IR by hand for draw 1: 100 mg/dL × 10 µIU/mL / 405.
    homa = marker_series(more, "homa_ir", "", cache=cache)
    assert [p.value for p in homa.points] == pytest.approx([100 * 10 / 405])
    # Draws 2 (not fasting), 3 and 4 (no insulin) hold some inputs but yield no HOMA-IR.
    assert [o.draw_id for o in homa.omitted] == [2, 3, 4]


def test_cache_works_out_an_edited_draw_again_and_forgets_a_deleted_one() -> None:
    cache = SeriesCache()
    draws = cached_draws()
    all_series(draws, cache)
    before = cache.computed
    # The same record edited: same id, a new object with another glucose and fasting state.
    edited = replace(draws[1], fasting=Fasting.YES, results=(result("glucose", 90, "mg/dL"),))
    changed = [draws[0], edited, draws[2]]
    assert all_series(changed, cache) == all_series(changed, None)
    assert cache.computed - before == len(CACHED_KEYS)
    glucose = marker_series(changed, "glucose", "mg/dL", cache=cache)
    assert [p.value for p in glucose.points][1] == 90 and not glucose.points[1].excluded
    # An equal copy (a list read again) is recognised without working anything out.
    before = cache.computed
    copies = [replace(d) for d in changed[::-1]]
    assert all_series(copies, cache) == all_series(changed, None)
    assert cache.computed == before
    fewer = changed[1:]
    assert all_series(fewer, cache) == all_series(fewer, None)


def test_cache_tells_unsaved_draws_apart() -> None:
    cache = SeriesCache()
    a = draw(at(0), results=(result("glucose", 100, "mg/dL"),))
    b = draw(at(1), results=(result("glucose", 120, "mg/dL"),))
    series = marker_series([a, b], "glucose", "mg/dL", cache=cache)
    assert [p.value for p in series.points] == [100, 120]
