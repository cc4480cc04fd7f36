"""Lab draws through the service: validation names the field, and nothing half-written."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from journal.domain.entities import Fasting
from journal.domain.indices import IndexKey
from journal.services.changes import Entity
from journal.services.errors import NotFoundError, ValidationError
from tests.factories import NOW, draw, result


def test_add_then_read_back_keeps_reported_units(services):
    change = services.labs.add_draw(
        draw(results=(result("glucose", 5.4, "mmol/l"), result("insulin", 60, "pmol/L")))
    )
    assert change.concerns(Entity.LAB_DRAW)
    saved = services.labs.get_draw(change.first_added(Entity.LAB_DRAW))
    assert [(r.analyte, r.value, r.unit) for r in saved.results] == [
        ("glucose", 5.4, "mmol/L"),
        ("insulin", 60, "pmol/L"),
    ]
    assert saved.drawn_at == NOW - timedelta(days=30)
    assert saved.results[0].loinc == "2345-7"


def test_invalid_draw_names_each_field_and_writes_nothing(services):
    bad = draw(
        results=(
            result("glucose", 94, "%"),
            result("hba1c", float("nan"), "%"),
            result("unobtainium", 1, "mg/dL"),
        ),
        hours_fasted=100,
    )
    with pytest.raises(ValidationError) as caught:
        services.labs.add_draw(bad)
    fields = {e.field for e in caught.value.errors}
    assert {"results[0].unit", "results[1].value", "results[2].analyte", "hours_fasted"} <= fields
    assert "mg/dL" in caught.value.for_field("results[0].unit")[0]
    assert services.labs.list_draws() == []


def test_same_analyte_twice_is_rejected(services):
    with pytest.raises(ValidationError) as caught:
        services.labs.add_draw(
            draw(results=(result("hdl", 50, "mg/dL"), result("hdl", 1.3, "mmol/L")))
        )
    assert caught.value.errors[0].field == "results[1].analyte"


def test_future_draw_is_rejected(services):
    with pytest.raises(ValidationError) as caught:
        services.labs.add_draw(draw(NOW + timedelta(days=3)))
    assert caught.value.errors[0].field == "drawn_at"


def test_impossible_value_is_rejected_but_a_merely_unusual_one_is_kept(services):
    with pytest.raises(ValidationError):
        services.labs.add_draw(draw(results=(result("glucose", -5, "mg/dL"),)))
    change = services.labs.add_draw(draw(results=(result("glucose", 450, "mg/dL"),)))
    assert change.added[Entity.LAB_DRAW]


def test_update_replaces_results_and_delete_removes(services):
    draw_id = services.labs.add_draw(draw()).first_added(Entity.LAB_DRAW)
    original = services.labs.get_draw(draw_id)
    edited = replace(
        original, fasting=Fasting.NO, results=(replace(original.results[0], value=97),)
    )
    change = services.labs.update_draw(edited)
    assert change.updated[Entity.LAB_DRAW] == (draw_id,)
    again = services.labs.get_draw(draw_id)
    assert again.fasting is Fasting.NO
    assert [(r.analyte, r.value) for r in again.results] == [("glucose", 97)]
    removed = services.labs.delete_draws([draw_id, 9999])
    assert removed.removed[Entity.LAB_DRAW] == (draw_id,)
    with pytest.raises(NotFoundError):
        services.labs.get_draw(draw_id)


def test_add_with_id_restores_a_deleted_draw(services):
    draw_id = services.labs.add_draw(draw()).first_added(Entity.LAB_DRAW)
    saved = services.labs.get_draw(draw_id)
    services.labs.delete_draws([draw_id])
    services.labs.add_draw(saved)
    assert services.labs.get_draw(draw_id).results == saved.results


def test_add_draws_is_all_or_nothing(services):
    good = draw()
    bad = draw(results=(result("glucose", 94, "kg"),))
    with pytest.raises(ValidationError) as caught:
        services.labs.add_draws([good, bad])
    assert caught.value.errors[0].field == "draws[1].results[0].unit"
    assert services.labs.count() == 0
    change = services.labs.add_draws([good, draw(NOW - timedelta(days=60))])
    assert len(change.added[Entity.LAB_DRAW]) == 2


def test_indices_per_draw_match_the_worked_example(services):
    services.labs.add_draw(draw())
    services.labs.add_draw(draw(NOW - timedelta(days=10), fasting=Fasting.UNKNOWN))
    rows = services.labs.indices()
    first, second = rows
    assert first[1][IndexKey.HOMA_IR].value == pytest.approx(100 * 10 / 405)
    assert first[1][IndexKey.TG_HDL].value == pytest.approx(3.0)
    assert second[1][IndexKey.HOMA_IR].value is None
    assert second[1][IndexKey.HOMA_IR].reason


def test_latest_draw_with_an_analyte(services):
    services.labs.add_draw(draw(NOW - timedelta(days=100)))
    services.labs.add_draw(draw(NOW - timedelta(days=5), results=(result("hba1c", 5.6, "%"),)))
    latest = services.labs.latest_draw_with("insulin")
    assert latest is not None and latest.drawn_at == NOW - timedelta(days=100)
    assert services.labs.latest_draw_with("c_peptide") is None
