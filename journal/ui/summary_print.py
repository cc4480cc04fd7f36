"""Turning the visit summary into paper: options from the preferences, charts, PDF or printer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter

from journal.reports.document import TITLE
from journal.reports.pdf import page_layout, paint_summary, write_pdf
from journal.reports.summary import Section, SummaryData, SummaryOptions, build_summary
from journal.services.journal import JournalServices
from journal.ui.charts.summary_charts import render_summary_charts
from journal.ui.preferences import Preferences

__all__ = [
    "default_page_size",
    "new_printer",
    "options_from_preferences",
    "print_summary",
    "write_summary_pdf",
]

# Territories whose paper is US Letter; everywhere else prints on A4.
_LETTER_TERRITORIES = frozenset(
    {
        QLocale.Country.UnitedStates,
        QLocale.Country.Canada,
        QLocale.Country.Mexico,
        QLocale.Country.Philippines,
        QLocale.Country.Chile,
        QLocale.Country.Colombia,
        QLocale.Country.Venezuela,
        QLocale.Country.Guatemala,
        QLocale.Country.PuertoRico,
    }
)


def default_page_size(locale: QLocale | None = None) -> str:
    """ "Letter" where the locale's paper is Letter, else "A4"."""
    loc = locale or QLocale.system()
    return "Letter" if loc.territory() in _LETTER_TERRITORIES else "A4"


def options_from_preferences(
    prefs: Preferences,
    start: date,
    end: date,
    *,
    sections: frozenset[Section] = frozenset(Section),
    page_size: str | None = None,
) -> SummaryOptions:
    return SummaryOptions(
        start=start,
        end=end,
        sections=sections,
        name=str(prefs.get("profile/name") or ""),
        date_of_birth=str(prefs.get("profile/date_of_birth") or ""),
        sex=prefs.sex,
        coverage_window=prefs.coverage_window,
        walk_target_delay_min=float(prefs.walk_delay_target_min),
        page_size=page_size or default_page_size(),
        unit_system=prefs.unit_system,
    )


def write_summary_pdf(
    services: JournalServices,
    options: SummaryOptions,
    out: Path,
    *,
    tz: tzinfo,
    now: datetime | None = None,
    after_data: Callable[[SummaryData], None] | None = None,
) -> tuple[SummaryData, int]:
    """Gather, chart and write the summary in one go (GUI thread: the charts need it).

    Returns the data and the page count. The window does the same in steps, so that only the
    chart drawing runs on the GUI thread.
    """
    data = build_summary(services, options, tz=tz, now=now)
    if after_data is not None:
        after_data(data)
    images: dict[Section, QImage] = render_summary_charts(data)
    pages = write_pdf(data, images, out, options.page_size)
    return data, pages


def new_printer(page_size: str) -> QPrinter:
    """A printer set up for the summary's paper and margins, ready for a print dialog."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(TITLE)
    printer.setPageLayout(page_layout(page_size))
    return printer


def print_summary(printer: QPrinter, data: SummaryData, images: dict[Section, QImage]) -> int:
    """Paint the summary on `printer` (or a preview's) through the same layout as the PDF.

    Keeps the paper chosen in the print dialog when it is A4 or Letter. GUI thread only.
    Returns the number of pages.
    """
    return paint_summary(printer, data, images, printer.resolution())
