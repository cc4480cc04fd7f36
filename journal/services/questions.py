"""Questions for the physician: the person's own and those the app drafted, with answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import func, select

from journal.domain.entities import Question
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
