"""Questions for the physician: the person's own and those the app drafted, with answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func, select

from journal.domain.entities import Question
from journal.domain.question_rules import draft_questions
from journal.services.base import Checks, Service
from journal.services.changes import Change, Entity
from journal.storage import repositories as repo
from journal.storage.models import QuestionRow


class QuestionService(Service):
    def validate(self, question: Question) -> Checks:
        checks = Checks(self._clock)
        checks.text("text", question.text, max_len=2_000, required=True)
        checks.text("answer", question.answer, max_len=20_000)
        checks.text("origin", question.origin, max_len=40, required=True)
        return checks

    def add_question(self, question: Question) -> Change:
        self.validate(question).raise_if_any()
        with self._write() as session:
            position = question.position
            if question.id is None:
                last = session.scalar(select(func.max(QuestionRow.position)))
                position = (last or 0) + 1
            row = QuestionRow(id=question.id) if question.id is not None else QuestionRow()
            repo.fill_question_row(
                row, replace(question, text=question.text.strip(), position=position), self._clock()
            )
            session.add(row)
            session.flush()
            new_id = row.id
        return Change.of(Entity.QUESTION, added=[new_id])

    def update_question(self, question: Question) -> Change:
        if question.id is None:
            raise ValueError("update_question needs a question with an id")
        self.validate(question).raise_if_any()
        with self._write() as session:
            row = self._get(session, QuestionRow, question.id, "question")
            assert isinstance(row, QuestionRow)
            repo.fill_question_row(
                row, replace(question, text=question.text.strip()), self._clock()
            )
        return Change.of(Entity.QUESTION, updated=[question.id])

    def reorder(self, ids_in_order: Sequence[int]) -> Change:
        with self._write() as session:
            for position, qid in enumerate(ids_in_order, start=1):
                row = self._get(session, QuestionRow, qid, "question")
                assert isinstance(row, QuestionRow)
                row.position = position
        return Change.of(Entity.QUESTION, updated=list(ids_in_order))

    def delete_questions(self, ids: Sequence[int]) -> Change:
        return self._delete(QuestionRow, Entity.QUESTION, ids)

    def list_questions(self) -> list[Question]:
        with self._read() as session:
            rows = session.scalars(
                select(QuestionRow).order_by(QuestionRow.position, QuestionRow.id)
            )
            return [repo.question_from_row(r) for r in rows]

    def answer(self, question_id: int, text: str | None) -> Change:
        """Record the physician's answer now; a blank text clears the answer again."""
        answer = (text or "").strip() or None
        checks = Checks(self._clock)
        checks.text("answer", answer, max_len=20_000)
        checks.raise_if_any()
        with self._write() as session:
            row = self._get(session, QuestionRow, question_id, "question")
            assert isinstance(row, QuestionRow)
            row.answer = answer
            row.answered_at = None if answer is None else self._clock()
        return Change.of(Entity.QUESTION, updated=[question_id])

    def draft_from_journal(
        self, *, now: datetime, tz: tzinfo, coverage_window: timedelta
    ) -> Change:
        """Run the question rules over the whole journal and store what they draft.

        A rule with no question yet gets a new one at the end of the list (included in the
        summary). A rule that already has an unanswered question only gets that question's
        basis refreshed: its text may have been edited by the person. Answered questions and the
        person's own are never touched, and a rule whose question was answered drafts no new one.
        """
        with self._write() as session:
            drafts = draft_questions(
                repo.list_draws(session),
                repo.list_workouts(session),
                now=now,
                tz=tz,
                coverage_window=coverage_window,
            )
            rows = list(session.scalars(select(QuestionRow).order_by(QuestionRow.id)))
            position = max((r.position for r in rows), default=0)
            added: list[QuestionRow] = []
            updated: list[int] = []
            for draft in drafts:
                existing = [r for r in rows if r.origin == draft.rule]
                if not existing:
                    position += 1
                    row = QuestionRow()
                    question = Question(
                        text=draft.text, origin=draft.rule, position=position, basis=draft.basis
                    )
                    repo.fill_question_row(row, question, self._clock())
                    session.add(row)
                    added.append(row)
                    continue
                for row in existing:
                    if row.answered_at is None and not row.answer and row.basis != draft.basis:
                        row.basis = draft.basis
                        updated.append(row.id)
            session.flush()
            added_ids = [row.id for row in added]
        return Change.of(Entity.QUESTION, added=added_ids, updated=updated)
