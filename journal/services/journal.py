"""The set of services over one open journal, built once by the composition root."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from journal.services.base import Clock, utc_now
from journal.services.exporters import ExportService
from journal.services.glucose import GlucoseService
from journal.services.imports import ImportService
from journal.services.labs import LabService
from journal.services.maintenance import MaintenanceService
from journal.services.overview import OverviewService
from journal.services.questions import QuestionService
from journal.services.stats import StatsService
from journal.services.training import TrainingService
from journal.services.walks import WalkService


class JournalServices:
    """Every use case of one journal, sharing one session factory and one clock."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.labs = LabService(session_factory, clock)
        self.training = TrainingService(session_factory, clock)
        self.walks = WalkService(session_factory, clock)
        self.glucose = GlucoseService(session_factory, clock)
        self.questions = QuestionService(session_factory, clock)
        self.stats = StatsService(session_factory, clock)
        self.overview = OverviewService(session_factory, clock)
        self.imports = ImportService(session_factory, clock)
        self.exports = ExportService(session_factory, clock)
        self.maintenance = MaintenanceService(session_factory, clock)
