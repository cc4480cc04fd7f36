"""The set of services over one open journal, built once by the composition root."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from journal.services.base import Clock, utc_now
from journal.services.glucose import GlucoseService
from journal.services.labs import LabService
from journal.services.maintenance import MaintenanceService
from journal.services.overview import OverviewService
from journal.services.questions import QuestionService
from journal.services.stats import StatsService
from journal.services.training import TrainingService
from journal.services.walks import WalkService

if TYPE_CHECKING:
    from journal.services.exporters import ExportService
    from journal.services.imports import ImportService


class JournalServices:
    """Every use case of one journal, sharing one session factory and one clock.

    Imports and exports (with their file-format modules) are built when first used, so
    opening the window does not wait for code it may never need.
    """

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
        self.maintenance = MaintenanceService(session_factory, clock)

    @cached_property
    def imports(self) -> ImportService:
        from journal.services.imports import ImportService

        return ImportService(self.session_factory, self.clock)

    @cached_property
    def exports(self) -> ExportService:
        from journal.services.exporters import ExportService

        return ExportService(self.session_factory, self.clock)
