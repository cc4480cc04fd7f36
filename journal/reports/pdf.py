"""Lays the summary HTML out in pages with footers, onto a PDF file or a printer (QtGui only)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from journal import APP_NAME
from journal.reports.document import CHART_URLS, TITLE, ChartSize, question_line, summary_html
from journal.reports.summary import SECTION_TITLES, Section, SummaryData

__all__ = [
    "PAGE_SIZES",
    "SummaryDocument",
    "chart_sizes",
    "page_layout",
    "page_size_name",
    "paint_pages",
    "paint_summary",
    "write_pdf",
]

PAGE_SIZES: Final = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
MARGINS_MM: Final = QMarginsF(16, 14, 16, 12)
PDF_DPI: Final = 300
SCREEN_DPI: Final = 96
FOOTER_PX: Final = 34.0  # room below the text for the footer, in 96-dpi pixels
# Chart heights as a share of the text width: trends are a stack of small multiples.
CHART_ASPECT: Final = {Section.TRENDS: 0.8, Section.TRAINING: 0.78, Section.WALKS: 0.5}
FOOTER_NOTE: Final = "For discussion with a clinician; not a diagnosis."


class SummaryDocument(QTextDocument):
    """A QTextDocument that loads nothing from outside: only the chart images it was given.

    Escaping already keeps user text from becoming markup; this is the second lock, so that even
    an `<img src="file:…">` that slipped through would draw nothing.
    """

    def __init__(self, images: Mapping[Section, QImage]) -> None:
        super().__init__()
        for section, image in images.items():
            self.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(CHART_URLS[section]), image
            )

    def loadResource(self, type: int, name: QUrl) -> Any:
        return None


def _LAYOUT_DEVICE() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    dots_per_metre = round(SCREEN_DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


def page_layout(page_size: str) -> QPageLayout:
    size = QPageSize(PAGE_SIZES.get(page_size, QPageSize.PageSizeId.A4))
    return QPageLayout(
        size, QPageLayout.Orientation.Portrait, MARGINS_MM, QPageLayout.Unit.Millimeter
    )


def text_width(page_size: str) -> float:
    """Width of the text column in 96-dpi pixels."""
    return float(page_layout(page_size).paintRectPixels(SCREEN_DPI).width())


def chart_sizes(
    page_size: str, sections: set[Section] | frozenset[Section]
) -> dict[Section, ChartSize]:
    """Where each chart goes on the page, in the document's 96-dpi pixels."""
    width = text_width(page_size)
    return {
        s: ChartSize(width, round(width * aspect))
        for s, aspect in CHART_ASPECT.items()
        if s in sections
    }


def _layout(
    data: SummaryData,
    images: Mapping[Section, QImage],
    page_size: str,
    breaks: frozenset[Section],
    question_breaks: frozenset[int] = frozenset(),
) -> SummaryDocument:
    sizes = {s: size for s, size in chart_sizes(page_size, set(images)).items() if s in images}
    doc = SummaryDocument(images)
    font = QFont()
    font.setFamilies(["DejaVu Sans", "Helvetica", "Arial", "Segoe UI"])
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    # Lay text out for 96 dpi whatever the screen: the painter scales it to the device.
    doc.documentLayout().setPaintDevice(_LAYOUT_DEVICE())
    doc.setHtml(summary_html(data, sizes, breaks, question_breaks))
    rect = page_layout(page_size).paintRectPixels(SCREEN_DPI)
    doc.setPageSize(QSizeF(rect.width(), rect.height() - FOOTER_PX))
    return doc


def build_document(
    data: SummaryData, images: Mapping[Section, QImage], page_size: str
) -> SummaryDocument:
    """The laid-out document, paginated for `page_size`. Any thread with a QGuiApplication.

    QTextDocument has no keep-with-next: a heading left at the foot of a page while its table
    or chart starts on the next reads as a mistake on paper. Such a section is laid out again
    starting on a new page, until no heading is left behind.
    """
    breaks: set[Section] = set()
    while True:
        doc = _layout(data, images, page_size, frozenset(breaks))
        orphan = _orphaned_heading(doc)
        if orphan is None or orphan in breaks:
            break
        breaks.add(orphan)
    # A question with its notes lines reads as one item: one split by a page break moves
    # whole to the next page (unless it is longer than a page).
    question_breaks: set[int] = set()
    for _ in data.questions:
        split = _split_question(doc, data)
        if split is None or split in question_breaks:
            break
        question_breaks.add(split)
        doc = _layout(data, images, page_size, frozenset(breaks), frozenset(question_breaks))
    return doc


def _split_question(doc: QTextDocument, data: SummaryData) -> int | None:
    """The number of the first question whose block runs over a page break, if any."""
    height = doc.pageSize().height()
    layout = doc.documentLayout()
    starts = {question_line(n, q.text): n for n, q in enumerate(data.questions, start=1)}
    spans: list[list[float]] = []  # [number, top, bottom] of each question's blocks
    block = doc.begin()
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        number = starts.get(block.text())
        if number is not None:
            spans.append([number, rect.top(), rect.bottom()])
        elif spans:  # the question's reasons and notes lines, up to the next question
            spans[-1][2] = max(spans[-1][2], rect.bottom())
        block = block.next()
    for number, top, bottom in spans:
        if bottom - top < height and int(top // height) != int((bottom - 1) // height):
            return int(number)
    return None


def _orphaned_heading(doc: QTextDocument) -> Section | None:
    height = doc.pageSize().height()
    layout = doc.documentLayout()
    by_title = {title: section for section, title in SECTION_TITLES.items()}
    block = doc.begin()
    while block.isValid():
        following = block.next()
        section = by_title.get(block.text())
        if section is not None and block.blockFormat().headingLevel() == 2 and following.isValid():
            heading_page = int(layout.blockBoundingRect(block).top() // height)
            below = layout.blockBoundingRect(following)
            lines = following.layout()
            # A chart is one tall line; the document moves it down to the next page if needed.
            first = lines.lineAt(0) if lines.lineCount() else None
            top = below.top() + (first.y() if first is not None else 0)
            bottom = top + (first.height() if first is not None else below.height())
            if int(top // height) != heading_page or int((bottom - 1) // height) != heading_page:
                return section
        block = following
    return None


def _footer_text(data: SummaryData) -> str:
    name = data.options.name.strip()
    who = f"{name} · " if name else ""
    return f"{who}{TITLE} · {data.options.start:%d %b %Y} – {data.options.end:%d %b %Y}"


def paint_pages(
    device: QPagedPaintDevice, doc: QTextDocument, data: SummaryData, dpi: float
) -> int:
    """Paint every page of `doc` onto `device` (a PDF writer or a printer) with its footer.

    The painter works in 96-dpi units scaled to the device, so the layout is the same on every
    device. Returns the number of pages.
    """
    page = doc.pageSize()
    width, height = page.width(), page.height()
    pages = doc.pageCount()
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("The document could not be started (is the file or printer writable?).")
    try:
        scale = dpi / SCREEN_DPI
        painter.scale(scale, scale)
        small = QFont(doc.defaultFont())
        small.setPixelSize(10)  # in the painter's 96-dpi units, like the document
        footer = _footer_text(data)
        for index in range(pages):
            if index:
                device.newPage()
            painter.save()
            painter.translate(0, -index * height)
            doc.drawContents(painter, QRectF(0, index * height, width, height))
            painter.restore()
            y = height + 8
            painter.setPen(QPen(QColor("#b8c4d0"), 0.6))
            painter.drawLine(QPointF(0, y), QPointF(width, y))
            painter.setPen(QColor("#555555"))
            painter.setFont(small)
            text_rect = QRectF(0, y + 3, width, FOOTER_PX - 8)
            painter.drawText(
                text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), footer
            )
            painter.drawText(
                text_rect,
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                FOOTER_NOTE,
            )
            painter.drawText(
                text_rect,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                f"Page {index + 1} of {pages}",
            )
    finally:
        painter.end()
    return pages


def page_size_name(layout: QPageLayout, fallback: str = "A4") -> str:
    """ "A4" or "Letter" for a device's page layout; `fallback` for any other paper."""
    paper = layout.pageSize().id()
    for name, size_id in PAGE_SIZES.items():
        if size_id == paper:
            return name
    return fallback


def paint_summary(
    device: QPagedPaintDevice,
    data: SummaryData,
    images: Mapping[Section, QImage],
    dpi: float,
    page_size: str | None = None,
) -> int:
    """Lay the summary out and paint it onto any paged device: PDF writer, printer, preview.

    The one layout path for every output. `page_size` is set on the device first; None keeps
    the paper the device already has (one chosen in a print dialog) when it is A4 or Letter.
    Returns the number of pages.
    """
    if page_size is None:
        page_size = page_size_name(device.pageLayout(), data.options.page_size)
    layout = page_layout(page_size)
    if not device.setPageLayout(layout):
        # A printer that refuses these margins keeps its own; the paper size still matters.
        device.setPageSize(layout.pageSize())
    doc = build_document(data, images, page_size)
    return paint_pages(device, doc, data, dpi)


def write_pdf(
    data: SummaryData, images: Mapping[Section, QImage], out: Path, page_size: str = "A4"
) -> int:
    """Write the summary to `out` (0600, replaced only once complete); returns the page count."""
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    old_umask = os.umask(0o077)
    try:
        writer = QPdfWriter(str(partial))
    finally:
        os.umask(old_umask)
    writer.setResolution(PDF_DPI)
    writer.setTitle(TITLE)
    writer.setCreator(APP_NAME)
    try:
        pages = paint_summary(writer, data, images, PDF_DPI, page_size)
        del writer  # flushes and closes the file
        os.chmod(partial, 0o600)
        os.replace(partial, out)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return pages
