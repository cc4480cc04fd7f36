"""Drafting questions from the journal: stored once, basis kept fresh, the person's edits kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.domain.entities import Fasting, Question
from journal.domain.question_rules import (
    RULE_NO_FASTING_INSULIN,
    RULE_NO_RECENT_LIPIDS,
    RULE_PREDIABETES_RANGE,
)
from journal.services.changes import Entity
from journal.services.errors import ValidationError
from tests.factories import NOW, draw, result

TZ = ZoneInfo("Europe/London")
WINDOW = timedelta(hours=48)


def run(services):
    return services.questions.draft_from_journal(now=NOW, tz=TZ, coverage_window=WINDOW)


def by_origin(services) -> dict[str, Question]:
    return {q.origin: q for q in services.questions.list_questions()}


def glucose_only(days_ago: int, value: float):
    # Fasting glucose, no insulin and no lipids: drafts (a), (f) and, from 100 mg/dL, (d).
    return draw(
        NOW - timedelta(days=days_ago),
        fasting=Fasting.YES,
        results=(result("glucose", value, "mg/dL"),),
    )


def test_drafts_are_stored_after_the_persons_own_questions(services):
    services.questions.add_question(Question("Should I see a dietitian?"))
    services.labs.add_draw(glucose_only(40, 104))

    change = run(services)

    questions = services.questions.list_questions()
    assert [q.origin for q in questions] == [
        "user",
        RULE_NO_FASTING_INSULIN,
        RULE_PREDIABETES_RANGE,
        RULE_NO_RECENT_LIPIDS,
    ]
    assert [q.position for q in questions] == [1, 2, 3, 4]
    assert change.added[Entity.QUESTION] == tuple(q.id for q in questions[1:])
    assert Entity.QUESTION not in change.updated
    drafted = by_origin(services)[RULE_PREDIABETES_RANGE]
    assert drafted.include is True
    assert drafted.answer is None and drafted.answered_at is None
    assert drafted.created_at == NOW
    assert drafted.basis is not None
    assert drafted.basis.startswith("Fasting glucose 104 mg/dL on 11 Oct 2026")


def test_running_twice_adds_nothing_twice(services):
    services.labs.add_draw(glucose_only(40, 104))
    run(services)
    before = services.questions.list_questions()

    again = run(services)

    assert again.empty
    assert services.questions.list_questions() == before


def test_empty_journal_drafts_nothing(services):
    assert run(services).empty
    assert services.questions.list_questions() == []


def test_refresh_updates_the_basis_but_keeps_the_persons_wording(services):
    services.labs.add_draw(glucose_only(400, 104))
    run(services)
    drafted = by_origin(services)[RULE_PREDIABETES_RANGE]
    edited = replace(drafted, text="Are my glucose results something to act on now?")
    services.questions.update_question(edited)

    services.labs.add_draw(glucose_only(20, 110))
    change = run(services)

    refreshed = by_origin(services)[RULE_PREDIABETES_RANGE]
    assert refreshed.id == drafted.id
    assert refreshed.text == "Are my glucose results something to act on now?"
    assert refreshed.basis is not None
    assert "104 mg/dL on 16 Oct 2025" in refreshed.basis
    assert "110 mg/dL on 31 Oct 2026" in refreshed.basis
    assert drafted.id in change.updated[Entity.QUESTION]
    assert Entity.QUESTION not in change.added


def test_user_questions_and_answered_drafts_are_left_alone(services):
    services.labs.add_draw(glucose_only(400, 104))
    run(services)
    mine = services.questions.add_question(Question("Is my thyroid worth checking?"))
    mine_id = mine.first_added(Entity.QUESTION)
    drafted = by_origin(services)[RULE_PREDIABETES_RANGE]
    services.questions.answer(drafted.id, "Repeat in six months.")
    answered = by_origin(services)[RULE_PREDIABETES_RANGE]

    services.labs.add_draw(glucose_only(20, 110))
    change = run(services)

    after = {q.id: q for q in services.questions.list_questions()}
    assert after[mine_id].text == "Is my thyroid worth checking?"
    assert after[mine_id].basis is None and after[mine_id].origin == "user"
    # The answered question keeps the basis it was answered on, and no second copy appears.
    assert after[answered.id] == answered
    assert [q.origin for q in after.values()].count(RULE_PREDIABETES_RANGE) == 1
    assert answered.id not in change.updated.get(Entity.QUESTION, ())
    assert mine_id not in change.updated.get(Entity.QUESTION, ())


def test_a_deleted_draft_comes_back_while_its_rule_still_applies(services):
    services.labs.add_draw(glucose_only(40, 104))
    run(services)
    drafted = by_origin(services)[RULE_NO_FASTING_INSULIN]
    services.questions.delete_questions([drafted.id])

    change = run(services)

    assert len(change.added[Entity.QUESTION]) == 1
    assert by_origin(services)[RULE_NO_FASTING_INSULIN].basis == drafted.basis


def test_answer_sets_and_clears_the_answer(services):
    qid = services.questions.add_question(Question("How often should I test?")).first_added(
        Entity.QUESTION
    )

    change = services.questions.answer(qid, "  Once a year.  ")

    assert change.updated[Entity.QUESTION] == (qid,)
    saved = by_origin(services)["user"]
    assert (saved.answer, saved.answered_at) == ("Once a year.", NOW)
    services.questions.answer(qid, "   ")
    cleared = by_origin(services)["user"]
    assert (cleared.answer, cleared.answered_at) == (None, None)
    with pytest.raises(ValidationError):
        services.questions.answer(qid, "x" * 20_001)
