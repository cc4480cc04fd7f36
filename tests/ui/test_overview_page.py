"""The Overview page: cards from a small journal, empty states, and when it refreshes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QPalette, QUndoStack
from PySide6.QtWidgets import QApplication, QLabel

from journal.domain.entities import Fasting, Meal
from journal.domain.thresholds import Level
from journal.services.changes import Change, Entity
from journal.ui.context import UiContext
from journal.ui.events import Events
from journal.ui.pages.overview import (
    LEVEL_COLOURS,
    OverviewPage,
    card_colour,
    contrast,
    muted_colour,
    pill_background,
)
from journal.ui.preferences import Preferences
from tests.factories import NOW, draw, result, walk, workout

# Shown pages change their size hints as cards fill in; the offscreen platform used in tests
# says it cannot pass that on to a window manager. Real platforms can.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def ctx(services, tmp_path):
    prefs = Preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return UiContext(services, Events(), QUndoStack(), prefs, str(tmp_path / "journal"))


@pytest.fixture
def make_page(qtbot, ctx):
    def make(*, show: bool = False) -> OverviewPage:
        page = OverviewPage(ctx)
        qtbot.addWidget(page)
        # Dates on the cards are local; pin the zone so the test reads the same everywhere.
        page.tz = UTC
        page.refresh()
        if show:
            page.resize(1000, 760)
            with qtbot.waitExposed(page):
                page.show()
        return page

    return make


def count_refreshes(page: OverviewPage) -> list[int]:
    calls: list[int] = []
    real = page.service.overview

    def counting(**kw):
        calls.append(1)
        return real(**kw)

    page.service.overview = counting  # type: ignore[method-assign]
    return calls


def shown(label: QLabel) -> str:
    """A label's text as read, without the word joiners that keep units on one line."""
    return label.text().replace("\u2060", "")


def visible_texts(page: OverviewPage) -> list[str]:
    return [
        label.text()
        for label in page.findChildren(QLabel)
        if label.isVisibleTo(page) and label.text()
    ]


def add_small_journal(services) -> None:
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
            datetime(2026, 10, 21, 8, 0, tzinfo=UTC),
            results=(
                result("glucose", 100, "mg/dL"),
                result("insulin", 12, "µIU/mL", ref_low=2.6, ref_high=24.9),
                result("hba1c", 5.9, "%"),
                result("triglycerides", 150, "mg/dL"),
                result("hdl", 50, "mg/dL"),
            ),
        )
    )
    services.training.add_workout(workout(NOW - timedelta(days=5), minutes=60))
    monday = datetime(2026, 11, 16, 19, 0, tzinfo=UTC)
    services.walks.add_walks(
        [
            walk(monday, delay_min=5),
            walk(monday + timedelta(days=1), delay_min=9),
            walk(monday + timedelta(days=3), delay_min=20),
        ]
    )


def test_cards_show_values_units_dates_and_bands(make_page, services):
    add_small_journal(services)
    page = make_page()
    glucose = page.cards["glucose"]
    assert (glucose.value.text(), glucose.unit.text()) == ("100", "mg/dL")
    assert glucose.aside.text() == "21 Oct 2026"
    assert glucose.band.text() == "Prediabetes range"
    assert glucose.level is Level.BORDERLINE
    assert shown(glucose.source) == "ADA Standards of Care · 100 to under 126 mg/dL"
    # 5.2 mmol/L is 94 mg/dL: a rise of 6, and the earlier unit is named.
    assert shown(glucose.change) == "▲ 6 since 21 Sep 2026 (was 5.2 mmol/L)"
    assert "converted" in glucose.change.toolTip()

    insulin = page.cards["insulin"]
    assert (insulin.value.text(), insulin.unit.text()) == ("12.0", "µIU/mL")
    assert insulin.band.text() == "No guideline bands" and insulin.level is None
    assert shown(insulin.source) == "Your lab's range: 2.6–24.9 µIU/mL"

    homa = page.cards["homa_ir"]
    assert homa.value.text() == "2.96" and not homa.unit.isVisibleTo(homa)
    assert homa.band.text() == "More marked insulin resistance range"
    assert homa.aside.text() == "Calculated · 21 Oct 2026"
    assert "vary by population" in homa.source.toolTip()

    ratio = page.cards["tg_hdl"]
    assert (ratio.value.text(), ratio.unit.text()) == ("3.00", "mg/dL basis")
    assert ratio.band.text() == "High range"
    assert shown(ratio.change) == "▲ 0.71 since 21 Sep 2026 (was 1.00 on the mmol/L basis)"

    assert page.cards["hba1c"].change.text() == "▲ 0.3 since 21 Sep 2026"
    assert page.markers_aside.text() == "Most recent result: 21 Oct 2026"


def test_training_and_walks_cards(make_page, services):
    add_small_journal(services)
    page = make_page()
    training = page.training
    # One 60-minute session with a 48 h window covers 49 of the last 336 hours: 15 %.
    assert training.share.text() == "15%"
    assert training.since.value.text() == "5 days ago"
    assert training.gap.value.text() == "9 days"
    assert training.streak.value.text() == "Not running"
    assert training.sessions.value.text() == "1"
    assert len(training.strip.days) == 14
    assert "48 h" in training.explain.text()

    walks = page.walks
    assert walks.aside.text() == "This week · Mon 16 Nov – today"
    _, walked, on_target, start = walks.cells[Meal.DINNER]
    assert (walked.text(), on_target.text(), start.text()) == (
        "3 of 5 days",
        "2 of 5",
        "9 min after eating",
    )
    assert not walks.cells[Meal.BREAKFAST][0].isVisibleTo(walks)
    assert "Dinner: 3 of 5 days · median start 9 min after eating" in walks.accessibleDescription()


def test_empty_journal_says_what_to_do_and_shows_no_zeros(make_page):
    page = make_page()
    for card in page.cards.values():
        assert card.empty.isVisibleTo(card)
        assert not card.value_row.isVisibleTo(card)
        assert not card.band.isVisibleTo(card)
    assert page.cards["insulin"].empty.text().startswith("No fasting insulin on record yet.")
    assert "worth asking about" in page.cards["insulin"].empty.text()
    assert page.training.empty.isVisibleTo(page.training)
    assert not page.training.strip.isVisibleTo(page.training)
    assert page.walks.message.text().startswith("No walks after meals yet.")
    assert page.context_line.text().startswith("Your journal is empty.")
    assert page.markers_aside.text() == ""
    zero = re.compile(r"(^|\s)0(\.0+)?\s*(%|h|days?|min|of)?(\s|$)")
    assert not [t for t in visible_texts(page) if zero.search(t)]
    assert "does not diagnose" in page.note.text.text()


def test_non_fasting_glucose_is_named_not_classified(make_page, services):
    services.labs.add_draw(draw(fasting=Fasting.NO, results=(result("glucose", 140, "mg/dL"),)))
    page = make_page()
    card = page.cards["glucose"]
    assert card.empty.isVisibleTo(card) and card.level is None
    text = card.empty.text()
    assert "140 mg/dL" in text and "was not fasting" in text
    assert "not compared with the fasting bands" in text


def test_newer_non_fasting_glucose_is_mentioned_below_the_fasting_one(make_page, services):
    add_small_journal(services)
    services.labs.add_draw(
        draw(
            NOW - timedelta(days=2), fasting=Fasting.NO, results=(result("glucose", 7.9, "mmol/L"),)
        )
    )
    page = make_page()
    card = page.cards["glucose"]
    assert card.value.text() == "100"
    assert card.detail.isVisibleTo(card)
    assert shown(card.detail).startswith("Newer: 7.9 mmol/L on 18 Nov 2026, non-fasting")


def test_refreshes_on_a_lab_change_but_not_on_a_glucose_change(qtbot, make_page, ctx, services):
    page = make_page(show=True)
    calls = count_refreshes(page)
    ctx.events.publish(Change.of(Entity.GLUCOSE, added=[1]))
    qtbot.wait(20)
    assert calls == []
    ctx.events.publish(services.labs.add_draw(draw()))
    qtbot.waitUntil(lambda: len(calls) == 1)
    assert page.cards["glucose"].value.text() == "100"
    # A burst of changes is one refresh.
    for _ in range(3):
        ctx.events.publish(Change.of(Entity.WORKOUT, added=[1]))
    qtbot.waitUntil(lambda: len(calls) == 2)
    qtbot.wait(20)
    assert len(calls) == 2


def test_a_hidden_page_refreshes_when_shown(qtbot, make_page, ctx, services):
    page = make_page()
    calls = count_refreshes(page)
    ctx.events.publish(services.walks.add_walk(walk(NOW - timedelta(hours=3))))
    qtbot.wait(20)
    assert calls == []
    with qtbot.waitExposed(page):
        page.show()
    assert len(calls) == 1
    assert page.walks.table.isVisibleTo(page.walks)


def test_a_new_coverage_window_changes_the_coverage_figure(qtbot, make_page, ctx, services):
    services.training.add_workout(workout(NOW - timedelta(days=5), minutes=60))
    page = make_page(show=True)
    assert page.training.share.text() == "15%"  # 49 of 336 h
    ctx.prefs.set("training/coverage_window_h", 24)
    qtbot.waitUntil(lambda: page.training.share.text() == "7%")  # 25 of 336 h
    assert "24 h" in page.training.explain.text()


def test_cards_have_accessible_names_and_summaries(make_page, services):
    add_small_journal(services)
    page = make_page()
    glucose = page.cards["glucose"]
    assert glucose.accessibleName() == "Fasting glucose"
    assert glucose.focusPolicy() & Qt.FocusPolicy.TabFocus
    description = glucose.accessibleDescription()
    assert "100 mg/dL" in description and "in the range ADA calls prediabetes" in description
    assert page.training.accessibleName() == "Training"
    assert "15% of the last 14 days covered" in page.training.accessibleDescription()
    assert page.cards["insulin"].accessibleName() == "Fasting insulin"


def test_every_label_is_plain_text(make_page, services):
    add_small_journal(services)
    page = make_page()
    labels = page.findChildren(QLabel)
    assert labels
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_strip_tooltips_name_the_day(make_page, services):
    add_small_journal(services)
    page = make_page()
    strip = page.training.strip
    strip.resize(strip.sizeHint())
    last = strip._rect(len(strip.days) - 1).center().toPoint()
    assert strip.tip_at(last).startswith("Fri 20 Nov (today):")
    assert strip.tip_at(QPoint(-50, -50)) == ""


def test_grid_drops_columns_as_the_page_narrows(qtbot, make_page):
    page = make_page(show=True)
    grid = page.marker_grid
    assert grid.fit(1000) == 3 and grid.fit(600) == 2 and grid.fit(300) == 1
    page.resize(620, 700)
    qtbot.waitUntil(lambda: grid.columns == 2)
    page.resize(1000, 700)
    qtbot.waitUntil(lambda: grid.columns == 3)


def _palette(window: str, base: str, text: str) -> QPalette:
    palette = QPalette(QApplication.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    return palette


@pytest.mark.parametrize(
    ("window", "base", "text"),
    [
        ("#efefef", "#ffffff", "#000000"),  # Fusion light
        ("#f6f5f4", "#ffffff", "#2e3436"),  # Adwaita-like light
        ("#2b2b2b", "#1f1f1f", "#e8e8e8"),  # a dark theme
        ("#353535", "#2a2a2a", "#ffffff"),  # Fusion-style dark
    ],
)
def test_band_and_muted_colours_keep_4_5_to_1(qapp, window, base, text):
    palette = _palette(window, base, text)
    dark = QColor(window).lightness() < 128
    card = card_colour(palette)
    for level in Level:
        colour = QColor(LEVEL_COLOURS[level][1 if dark else 0])
        assert contrast(colour, card) >= 4.5, level
        assert contrast(colour, pill_background(colour, card, dark)) >= 4.5, level
    assert contrast(muted_colour(palette), card) >= 4.5


def test_walks_on_record_but_none_this_week(make_page, services):
    services.walks.add_walk(walk(datetime(2026, 10, 20, 19, 0, tzinfo=UTC)))
    page = make_page()
    assert not page.walks.table.isVisibleTo(page.walks)
    assert page.walks.message.text() == (
        "No walks after meals logged since Monday. Your last one was on 20 Oct 2026."
    )


def test_homa_ir_says_why_the_latest_draw_gives_none(make_page, services):
    services.labs.add_draw(draw(fasting=Fasting.UNKNOWN))
    page = make_page()
    text = page.cards["homa_ir"].empty.text()
    assert text.endswith("About your latest draw: Fasting state not recorded for this draw.")
    # TG:HDL needs no fasting, so it is shown from the same draw: 150 / 50.
    assert page.cards["tg_hdl"].value.text() == "3.00"
