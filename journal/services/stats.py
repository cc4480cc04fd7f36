"""Journal-wide summaries for the CLI and the first window: counts and latest markers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text

from journal.domain.analytes import USUAL_PANEL, get_analyte
from journal.domain.entities import LabDraw
from journal.domain.indices import IndexKey, IndexResult, compute_indices
from journal.services.base import Service
from journal.services.labs import LabService
from journal.services.training import TrainingService
from journal.services.walks import WalkService
from journal.storage import repositories as repo
from journal.storage.models import ImportBatchRow, LabDrawRow, LabResultRow, QuestionRow


@dataclass(frozen=True, slots=True)
class LatestMarker:
    analyte: str
    name: str
    value: float
    unit: str
    drawn_at: datetime
    fasting: str


@dataclass(frozen=True, slots=True)
class JournalStats:
    draws: int
    results: int
    workouts: int
    walks: int
    glucose_readings: int
    questions: int
    imports: int
    first_entry: datetime | None
    last_entry: datetime | None
    latest: tuple[LatestMarker, ...]
    latest_indices: tuple[IndexResult, ...]
    latest_indices_draw: LabDraw | None


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of an integrity check, in plain words."""

    problems: tuple[str, ...]
    checked: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class StatsService(Service):
    def stats(self) -> JournalStats:
        with self._read() as session:
            draws = repo.count(session, repo.visible_draws())
            workouts = repo.count(session, repo.visible_workouts())
            walks = repo.count(session, repo.visible_walks())
            glucose = repo.count(session, repo.visible_glucose())
            results = int(session.scalar(select(func.count()).select_from(LabResultRow)) or 0)
            questions = int(session.scalar(select(func.count()).select_from(QuestionRow)) or 0)
            imports = int(session.scalar(select(func.count()).select_from(ImportBatchRow)) or 0)
            span = session.execute(
                select(func.min(LabDrawRow.drawn_at), func.max(LabDrawRow.drawn_at))
            ).one()
            latest: list[LatestMarker] = []
            for key in USUAL_PANEL:
                stmt = (
                    select(LabResultRow, LabDrawRow)
                    .join(LabDrawRow)
                    .where(
                        LabResultRow.analyte == key,
                        LabDrawRow.id.in_(repo.visible_draws().with_only_columns(LabDrawRow.id)),
                    )
                    .order_by(LabDrawRow.drawn_at.desc())
                    .limit(1)
                )
                found = session.execute(stmt).first()
                if found is not None:
                    result_row, draw_row = found
                    latest.append(
                        LatestMarker(
                            key,
                            get_analyte(key).name,
                            result_row.value,
                            result_row.unit,
                            draw_row.drawn_at,
                            draw_row.fasting,
                        )
                    )
            newest = session.scalars(
                repo.visible_draws().order_by(LabDrawRow.drawn_at.desc()).limit(1)
            ).first()
            newest_draw = None if newest is None else repo.draw_from_row(newest)
        indices: tuple[IndexResult, ...] = ()
        if newest_draw is not None:
            computed = compute_indices(newest_draw)
            indices = tuple(computed[key] for key in IndexKey)
        return JournalStats(
            draws=draws,
            results=results,
            workouts=workouts,
            walks=walks,
            glucose_readings=glucose,
            questions=questions,
            imports=imports,
            first_entry=span[0],
            last_entry=span[1],
            latest=tuple(latest),
            latest_indices=indices,
            latest_indices_draw=newest_draw,
        )

    def check(self) -> CheckReport:
        """SQLite's own checks plus the journal's rules, re-applied to every stored record."""
        problems: list[str] = []
        checked: list[str] = []
        with self._read() as session:
            integrity = [str(r[0]) for r in session.execute(text("PRAGMA integrity_check"))]
            checked.append("database structure (SQLite integrity check)")
            if integrity != ["ok"]:
                problems.extend(f"Database structure: {m}" for m in integrity[:10])
            orphans = list(session.execute(text("PRAGMA foreign_key_check")))
            checked.append("links between records")
            if orphans:
                problems.append(f"{len(orphans)} records point at records that no longer exist.")
            pending = session.scalar(select(func.count()).where(ImportBatchRow.status == "pending"))
            checked.append("unfinished imports")
            if pending:
                problems.append(f"{pending} unfinished import(s) are waiting to be cleaned up.")
        labs = LabService(self._factory, self._clock)
        for draw in labs.list_draws():
            for error in labs.validate(draw).errors:
                problems.append(f"Lab draw of {draw.drawn_at:%Y-%m-%d}: {error}")
        checked.append("lab draws and results")
        training = TrainingService(self._factory, self._clock)
        for workout in training.list_workouts():
            for error in training.validate(workout).errors:
                problems.append(f"Workout of {workout.started_at:%Y-%m-%d}: {error}")
        checked.append("workouts")
        walks = WalkService(self._factory, self._clock)
        for walk in walks.list_walks():
            for error in walks.validate(walk).errors:
                problems.append(f"Walk of {walk.started_at:%Y-%m-%d}: {error}")
        checked.append("post-meal walks")
        return CheckReport(tuple(problems), tuple(checked))
