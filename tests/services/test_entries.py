"""Workouts, walks, glucose and questions through their services."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.domain.entities import GlucoseSource, Question, ResistanceSet, WorkoutKind
from journal.services.changes import Change, Entity
from journal.services.errors import ValidationError
from tests.factories import NOW, reading, walk, workout


def test_workout_with_sets_round_trips(services):
    sets = (ResistanceSet("Deadlift", 3, 5, 80.0), ResistanceSet("Row", 3, 10, 40.0))
    wid = services.training.add_workout(
        workout(kind=WorkoutKind.RESISTANCE, sets=sets, rpe=7, avg_hr=120)
    ).first_added(Entity.WORKOUT)
    saved = services.training.get_workout(wid)
    assert [(s.exercise, s.sets, s.reps, s.load) for s in saved.sets] == [
        ("Deadlift", 3, 5, 80.0),
        ("Row", 3, 10, 40.0),
    ]
    assert saved.load == 7 * 45
    services.training.update_workout(replace(saved, sets=saved.sets[:1], rpe=8))
    assert len(services.training.get_workout(wid).sets) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_min": 0}, "duration_min"),
        ({"rpe": 11}, "rpe"),
        ({"avg_hr": 400}, "avg_hr"),
        ({"sets": (ResistanceSet("", 3, 5),)}, "sets[0].exercise"),
        ({"sets": (ResistanceSet("Squat", 0, 5),)}, "sets[0].sets"),
    ],
)
def test_workout_validation_names_the_field(services, changes, field):
    with pytest.raises(ValidationError) as caught:
        services.training.add_workout(replace(workout(), **changes))
    assert field in {e.field for e in caught.value.errors}
    assert services.training.count() == 0


def test_walk_minutes_after_eating_and_validation(services):
    wid = services.walks.add_walk(walk(delay_min=9)).first_added(Entity.WALK)
    assert services.walks.get_walk(wid).minutes_after_eating == 9
    with pytest.raises(ValidationError) as caught:
        services.walks.add_walk(walk(delay_min=-5))
    assert caught.value.errors[0].field == "started_at"
    assert "before the meal" in caught.value.errors[0].message


def test_delete_many_walks_at_once(services):
    ids = services.walks.add_walks([walk(NOW - timedelta(days=d)) for d in range(1, 6)])
    change = services.walks.delete_walks(ids.added[Entity.WALK][:3])
    assert len(change.removed[Entity.WALK]) == 3
    assert services.walks.count() == 2


def test_glucose_day_stats_mix_units_and_respect_the_local_day(services):
    tz = ZoneInfo("America/Toronto")
    day = date(2026, 11, 10)
    local = datetime(2026, 11, 10, 8, 0, tzinfo=tz)
    services.glucose.add_reading(reading(local, 90, "mg/dL"))
    services.glucose.add_reading(reading(local + timedelta(hours=2), 6.0, "mmol/L"))
    # 23:30 local on the 10th is already the 11th in UTC; it still belongs to the 10th.
    services.glucose.add_reading(reading(local + timedelta(hours=15, minutes=30), 120, "mg/dL"))
    services.glucose.add_reading(reading(datetime(2026, 11, 11, 1, tzinfo=tz), 200, "mg/dL"))
    stats = services.glucose.day_stats(day, tz, "mg/dL")
    assert stats.count == 3
    assert stats.low == pytest.approx(90)
    assert stats.high == pytest.approx(120)
    assert stats.mean == pytest.approx((90 + 6.0 * 18.016 + 120) / 3, rel=1e-3)
    assert len(services.glucose.readings_for_day(day, tz)) == 3


def test_glucose_bulk_add_and_span(services):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    readings = [
        reading(start + timedelta(minutes=5 * i), 100 + i % 7, source=GlucoseSource.CGM)
        for i in range(2000)
    ]
    assert services.glucose.bulk_add(readings, chunk=500) == 2000
    assert services.glucose.count() == 2000
    assert services.glucose.span() == (start, start + timedelta(minutes=5 * 1999))


def test_glucose_rejects_wrong_unit(services):
    with pytest.raises(ValidationError) as caught:
        services.glucose.add_reading(reading(unit="%"))
    assert caught.value.errors[0].field == "unit"


def test_questions_keep_order_and_answers(services):
    a = services.questions.add_question(Question("Can we check fasting insulin?"))
    b = services.questions.add_question(Question("Is my TG:HDL worth watching?"))
    ids = [a.first_added(Entity.QUESTION), b.first_added(Entity.QUESTION)]
    services.questions.reorder(list(reversed(ids)))
    texts = [q.text for q in services.questions.list_questions()]
    assert texts == ["Is my TG:HDL worth watching?", "Can we check fasting insulin?"]
    first = services.questions.list_questions()[0]
    services.questions.update_question(replace(first, answer="Yes, next draw.", answered_at=NOW))
    assert services.questions.list_questions()[0].answer == "Yes, next draw."
    with pytest.raises(ValidationError):
        services.questions.add_question(Question("   "))


def test_change_merge_and_concerns():
    change = Change.of(Entity.WALK, added=[1]).merge(Change.of(Entity.WORKOUT, removed=[2]))
    assert change.concerns(Entity.WORKOUT)
    assert not change.concerns(Entity.LAB_DRAW)
    assert change.entities == {Entity.WALK, Entity.WORKOUT}
    assert Change().empty


def test_stats_and_check_on_a_small_journal(services):
    from tests.factories import draw

    services.labs.add_draw(draw())
    services.training.add_workout(workout())
    stats = services.stats.stats()
    assert (stats.draws, stats.workouts, stats.walks) == (1, 1, 0)
    assert [m.analyte for m in stats.latest] == ["glucose", "insulin", "triglycerides", "hdl"]
    report = services.stats.check()
    assert report.ok, report.problems


def test_deleted_records_restore_with_their_ids(services):
    walk_ids = services.walks.add_walks([walk(NOW - timedelta(days=d)) for d in (1, 2)])
    saved = [services.walks.get_walk(i) for i in walk_ids.added[Entity.WALK]]
    services.walks.delete_walks([w.id for w in saved])
    restored = services.walks.add_walks(saved)
    assert restored.added[Entity.WALK] == tuple(w.id for w in saved)
    assert [services.walks.get_walk(w.id) for w in saved] == saved
    rid = services.glucose.add_reading(reading()).first_added(Entity.GLUCOSE)
    kept = services.glucose.readings_between(NOW - timedelta(days=1), NOW)
    services.glucose.delete_readings([rid])
    assert services.glucose.add_readings(kept).added[Entity.GLUCOSE] == (rid,)


def test_lists_return_exactly_what_get_returns(services):
    sets = (ResistanceSet("Squat", 3, 8, 60.0), ResistanceSet("Press", 3, 10, 25.0))
    ids = services.training.add_workouts(
        [
            workout(NOW - timedelta(days=3), kind=WorkoutKind.RESISTANCE, sets=sets),
            workout(NOW - timedelta(days=2), notes="Easy ride", distance_km=12.5),
            workout(NOW - timedelta(days=1), kind=WorkoutKind.COMBINED, sets=sets[:1]),
        ]
    ).added[Entity.WORKOUT]
    listed = services.training.list_workouts()
    assert listed == [services.training.get_workout(i) for i in ids]
    window = services.training.list_workouts(NOW - timedelta(days=2, hours=1), NOW)
    assert [w.id for w in window] == list(ids[1:])
    assert window[1].sets == listed[2].sets
    walk_ids = services.walks.add_walks(
        [walk(NOW - timedelta(days=d), notes=f"day {d}", pace_kmh=5.0) for d in (2, 1)]
    ).added[Entity.WALK]
    assert services.walks.list_walks() == [services.walks.get_walk(i) for i in walk_ids]
