"""The Overview's data, checked against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.domain.entities import Fasting, Meal, Sex
from journal.domain.thresholds import Level
from journal.services.overview import OverviewData, OverviewService
from tests.factories import NOW, draw, result, walk, workout

WINDOW = timedelta(hours=48)


def overview(services, **kw) -> OverviewData:
    service = OverviewService(services.session_factory, services.clock)
    args = {"tz": UTC, "window": WINDOW, "target_delay_min": 15, "sex": None, **kw}
    return service.overview(**args)


@pytest.fixture
def two_draws(services):
    """An SI draw two months ago, then a US-unit draw one month ago (NOW is Fri 20 Nov 2026)."""
    services.labs.add_draw(
        draw(
            NOW - timedelta(days=60),
            results=(
                result("glucose", 5.2, "mmol/L"),
                result("insulin", 60, "pmol/L"),
                result("hba1c", 5.6, "%"),
                result("triglycerides", 1.5, "mmol/L"),
                result("hdl", 1.5, "mmol/L"),
            ),
        )
    )
    services.labs.add_draw(
        draw(
            NOW - timedelta(days=30),
            results=(
                result("glucose", 100, "mg/dL", ref_low=70, ref_high=99),
                result("insulin", 12, "µIU/mL"),
                result("hba1c", 5.9, "%"),
                result("triglycerides", 150, "mg/dL"),
                result("hdl", 50, "mg/dL"),
            ),
        )
    )


def test_empty_journal_has_empty_parts(services):
    data = overview(services)
    assert data.empty and data.draws == 0
    assert [m.key for m in data.markers] == ["glucose", "insulin", "hba1c", "homa_ir", "tg_hdl"]
    for marker in data.markers:
        assert not marker.present
        assert marker.value is None and marker.text is None and marker.band is None
        assert marker.previous is None and marker.newer_unclassified is None
    assert data.training is None
    assert data.walks is None
    assert data.now == NOW


def test_latest_values_with_their_bands(services, two_draws):
    data = overview(services)
    glucose = data.marker("glucose")
    assert (glucose.text, glucose.unit) == ("100", "mg/dL")
    assert glucose.at == NOW - timedelta(days=30)
    assert glucose.band is not None
    # ADA's prediabetes band is [100, 126) mg/dL, compared in mg/dL as published.
    assert glucose.band.label == "prediabetes"
    assert glucose.band.level is Level.BORDERLINE
    assert glucose.band.guideline == "ADA Standards of Care"
    assert "[S21]" in glucose.band.source
    assert glucose.band.phrase == "in the range ADA calls prediabetes"
    assert glucose.band.range_text == "100 to under 126 mg/dL"
    assert not glucose.band.converted
    assert glucose.lab_range == "70–99 mg/dL"

    insulin = data.marker("insulin")
    assert (insulin.text, insulin.unit) == ("12.0", "µIU/mL")
    assert insulin.band is None  # no guideline publishes bands for insulin

    hba1c = data.marker("hba1c")
    assert (hba1c.text, hba1c.band and hba1c.band.label) == ("5.9", "prediabetes")

    # HOMA-IR = 100 × 12 / 405 = 2.963: the guide's top band starts at 2.9.
    homa = data.marker("homa_ir")
    assert homa.calculated and homa.text == "2.96"
    assert homa.band is not None and homa.band.label == "more marked insulin resistance"
    assert homa.band.level is Level.HIGH
    assert any("vary by population" in note for note in homa.notes)
    assert any("not from a clinical standard" in note for note in homa.notes)

    # TG:HDL = 150 / 50 = 3.00 on the mg/dL basis: "high" starts at 3.0 on that basis.
    ratio = data.marker("tg_hdl")
    assert ratio.text == "3.00" and ratio.unit == "ratio (mg/dL basis)"
    assert ratio.band is not None and ratio.band.label == "high"
    assert ratio.band.range_text == "3 and above (mg/dL basis)"


def test_change_since_previous_draw_converts_the_earlier_unit(services, two_draws):
    data = overview(services)

    # 5.2 mmol/L × 18.016 = 93.68 mg/dL, shown as 94; 100 − 94 = 6.
    glucose = data.marker("glucose").previous
    assert glucose is not None
    assert glucose.at == NOW - timedelta(days=60)
    assert (glucose.value, glucose.unit, glucose.text) == (5.2, "mmol/L", "5.2 mmol/L")
    assert glucose.value_in_latest_unit == pytest.approx(93.683, abs=1e-3)
    assert glucose.text_in_latest_unit == "94"
    assert (glucose.delta, glucose.delta_text, glucose.direction) == (6.0, "6", 1)
    assert glucose.converted
    assert glucose.note is not None and "5.2 mmol/L" in glucose.note and "94 mg/dL" in glucose.note

    # 60 pmol/L ÷ 6.0 = 10.0 µIU/mL; 12.0 − 10.0 = 2.0.
    insulin = data.marker("insulin").previous
    assert insulin is not None and insulin.converted
    assert (insulin.text_in_latest_unit, insulin.delta_text, insulin.direction) == (
        "10.0",
        "2.0",
        1,
    )

    # Same unit: no conversion, no note.
    hba1c = data.marker("hba1c").previous
    assert hba1c is not None and not hba1c.converted and hba1c.note is None
    assert (hba1c.delta_text, hba1c.direction) == ("0.3", 1)

    # HOMA-IR before: 5.2 mmol/L × 10 µIU/mL / 22.5 = 2.31; 2.96 − 2.31 = 0.65.
    homa = data.marker("homa_ir").previous
    assert homa is not None and not homa.converted
    assert (homa.text, homa.delta_text, homa.direction) == ("2.31", "0.65", 1)

    # TG:HDL before: 1.5 / 1.5 = 1.00 on the mmol/L basis = 2.29 on the mg/dL basis.
    ratio = data.marker("tg_hdl").previous
    assert ratio is not None and ratio.converted
    assert ratio.text_in_latest_unit == "2.29"
    assert (ratio.delta_text, ratio.direction) == ("0.71", 1)
    assert ratio.note is not None and "mmol/L basis" in ratio.note and "2.29" in ratio.note


def test_a_fall_and_no_change(services):
    for days, value in ((90, 5.8), (60, 6.1), (30, 5.8)):
        services.labs.add_draw(
            draw(NOW - timedelta(days=days), results=(result("hba1c", value, "%"),))
        )
    services.labs.add_draw(
        draw(NOW - timedelta(days=20), results=(result("glucose", 5.0, "mmol/L"),))
    )
    # 5.0 mmol/L is 90.08 mg/dL, shown as 90: no change, rather than a rise of "0.08".
    services.labs.add_draw(
        draw(NOW - timedelta(days=10), results=(result("glucose", 90, "mg/dL"),))
    )
    data = overview(services)
    hba1c = data.marker("hba1c").previous
    assert hba1c is not None
    assert (hba1c.delta, hba1c.delta_text, hba1c.direction) == (-0.3, "0.3", -1)
    glucose = data.marker("glucose")
    assert glucose.text == "90" and glucose.previous is not None
    assert glucose.previous.text_in_latest_unit == "90"
    assert glucose.previous.direction == 0


def test_only_one_draw_has_no_previous(services):
    services.labs.add_draw(draw())
    data = overview(services)
    assert all(m.previous is None for m in data.markers)
    assert data.marker("homa_ir").text == "2.47"  # 100 × 10 / 405


def test_non_fasting_glucose_is_not_classified(services, two_draws):
    services.labs.add_draw(
        draw(
            NOW - timedelta(days=10),
            fasting=Fasting.NO,
            results=(
                result("glucose", 140, "mg/dL"),
                result("insulin", 40, "µIU/mL"),
                result("hba1c", 6.0, "%"),
            ),
        )
    )
    data = overview(services)
    glucose = data.marker("glucose")
    # The card keeps the latest fasting value; the newer one is named, not banded.
    assert glucose.text == "100" and glucose.at == NOW - timedelta(days=30)
    newer = glucose.newer_unclassified
    assert newer is not None
    assert (newer.text, newer.fasting, newer.at) == (
        "140 mg/dL",
        Fasting.NO,
        NOW - timedelta(days=10),
    )
    assert data.marker("insulin").newer_unclassified is not None
    # HbA1c needs no fasting: the newer draw's value is the latest.
    assert data.marker("hba1c").text == "6.0"
    assert data.marker("hba1c").newer_unclassified is None
    # HOMA-IR needs a fasting draw, so it still comes from the older one.
    assert data.marker("homa_ir").at == NOW - timedelta(days=30)


def test_only_non_fasting_glucose_gives_no_band(services):
    services.labs.add_draw(
        draw(
            fasting=Fasting.UNKNOWN,
            results=(result("glucose", 131, "mg/dL"), result("insulin", 15, "µIU/mL")),
        )
    )
    data = overview(services)
    glucose = data.marker("glucose")
    assert not glucose.present and glucose.band is None
    assert glucose.newer_unclassified is not None
    assert glucose.newer_unclassified.fasting is Fasting.UNKNOWN
    homa = data.marker("homa_ir")
    assert not homa.present
    assert homa.reason == "Fasting state not recorded for this draw."
    assert data.draws == 1


def test_tg_hdl_on_the_mmol_basis_uses_that_basis_cut_offs(services):
    # 1.2 / 1.0 = 1.20 on the mmol/L basis: intermediate there (0.87 to under 1.3), though
    # 1.20 would be "favourable" if it were read against the mg/dL cut-offs.
    services.labs.add_draw(
        draw(results=(result("triglycerides", 1.2, "mmol/L"), result("hdl", 1.0, "mmol/L")))
    )
    ratio = overview(services).marker("tg_hdl")
    assert ratio.text == "1.20" and ratio.unit == "ratio (mmol/L basis)"
    assert ratio.band is not None and ratio.band.label == "intermediate"


def test_sex_is_passed_on_without_changing_these_cards(services, two_draws):
    a = overview(services, sex=Sex.FEMALE)
    b = overview(services, sex=None)
    assert [m.band for m in a.markers] == [m.band for m in b.markers]


def test_training_coverage_of_the_last_14_days(services):
    services.training.add_workout(workout(NOW - timedelta(days=5), minutes=60))
    data = overview(services)
    assert data.training is not None
    report = data.training.coverage
    # One 60-minute session covers 1 h + 48 h = 49 h of the 336 h.
    assert report.share == pytest.approx(49 / 336)
    assert report.sessions == 1
    # Its end was 5 days − 1 h ago.
    assert report.days_since_last == pytest.approx(5 - 1 / 24)
    # The 9 days before it are the longest uncovered stretch.
    assert report.longest_gap == timedelta(days=9)
    assert not report.streak.active

    services.training.add_workout(workout(NOW - timedelta(days=1), minutes=30))
    data = overview(services)
    assert data.training is not None
    report = data.training.coverage
    # The second covers the last 24 h (its effect runs on past now).
    assert report.share == pytest.approx((49 + 24) / 336)
    assert report.days_since_last == pytest.approx(23.5 / 24)
    assert report.streak.active and report.streak.sessions == 1
    days = data.training.days
    assert len(days) == 14
    assert days[0].day == date(2026, 11, 7) and days[-1].day == date(2026, 11, 20)
    assert days[-1].covered_fraction == pytest.approx(1.0)  # covered all of today
    assert days[0].covered_fraction == 0.0


def test_the_window_is_the_one_passed_in(services):
    services.training.add_workout(workout(NOW - timedelta(days=5), minutes=60))
    data = overview(services, window=timedelta(hours=24))
    assert data.training is not None
    assert data.training.coverage.share == pytest.approx(25 / 336)
    assert data.training.window == timedelta(hours=24)


def test_days_since_last_session_long_ago(services):
    services.training.add_workout(workout(NOW - timedelta(days=40), minutes=60))
    data = overview(services)
    assert data.training is not None
    report = data.training.coverage
    assert report.share == 0.0 and report.sessions == 0
    assert report.days_since_last == pytest.approx(40 - 1 / 24)
    assert report.longest_gap == timedelta(days=14)


def test_a_long_streak_is_followed_back_to_its_start(services):
    services.training.add_workouts(
        [workout(NOW - timedelta(days=d, hours=2), minutes=30) for d in range(1, 91)]
    )
    data = overview(services)
    assert data.training is not None
    streak = data.training.coverage.streak
    assert streak.active and streak.sessions == 90
    assert streak.start == NOW - timedelta(days=90, hours=2)
    assert data.training.coverage.share == 1.0


def test_walks_this_week(services):
    monday = datetime(2026, 11, 16, 19, 0, tzinfo=UTC)
    services.walks.add_walks(
        [
            walk(monday, delay_min=5),
            walk(monday + timedelta(days=1), delay_min=9),
            walk(monday + timedelta(days=3), delay_min=20),
            walk(monday + timedelta(days=3, hours=-6), meal=Meal.LUNCH, delay_min=12),
            walk(monday - timedelta(days=1), delay_min=3),  # last week's Sunday
        ]
    )
    data = overview(services)
    walks = data.walks
    assert walks is not None
    assert (walks.first_day, walks.last_day, walks.days) == (
        date(2026, 11, 16),
        date(2026, 11, 20),
        5,
    )
    dinner = walks.meal(Meal.DINNER)
    assert (dinner.days_with_walk, dinner.days, dinner.days_on_target) == (3, 5, 2)
    assert dinner.median_delay_min == 9
    lunch = walks.meal(Meal.LUNCH)
    assert (lunch.days_with_walk, lunch.median_delay_min) == (1, 12)
    assert walks.meal(Meal.BREAKFAST).walks == 0
    assert walks.walks == 4
    # A target of 5 minutes leaves only Monday's dinner walk on target.
    strict = overview(services, target_delay_min=5).walks
    assert strict is not None and strict.meal(Meal.DINNER).days_on_target == 1


def test_walks_this_week_in_the_local_zone(services):
    # 02:00 UTC on Tuesday is 21:00 on Monday in New York: Monday's dinner there.
    services.walks.add_walk(walk(datetime(2026, 11, 17, 2, 0, tzinfo=UTC)))
    data = overview(services, tz=ZoneInfo("America/New_York"))
    assert data.walks is not None
    assert data.walks.first_day == date(2026, 11, 16)
    assert data.walks.meal(Meal.DINNER).days_with_walk == 1


def test_walks_recorded_but_none_this_week(services):
    services.walks.add_walk(walk(NOW - timedelta(days=30)))
    data = overview(services)
    assert data.walks is not None
    assert data.walks.walks == 0
    assert data.walks.last_walk_at == NOW - timedelta(days=30) + timedelta(minutes=8)
