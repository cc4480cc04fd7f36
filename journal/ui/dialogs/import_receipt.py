"""The receipt after importing files: per file what was added, skipped, rejected and assumed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from journal.services.importers import Receipt
from journal.ui.models.import_batches import count_text, format_name

ERROR_COLOUR = "#b3261e"
UNDO_NOTE = (
    "Each file is a separate import. Edit → Undo does not reach imports: to take one back "
    "out, open File → Import history… and choose Undo this import."
)
CANCELLED_TEXT = "Import cancelled; nothing was added."
_REJECTION_LINES_SHOWN = 8  # the list scrolls beyond this many lines


class Outcome(Enum):
    IMPORTED = "imported"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # not tried, because an earlier file's import was cancelled


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file: its receipt, or why nothing was added from it."""

    path: Path
    outcome: Outcome
    receipt: Receipt | None = None
    error: str = ""

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) pairs shown for the file, also used for the copied text."""
        if self.outcome is Outcome.FAILED:
            return [("Not imported", self.error), ("Added", "nothing")]
        if self.outcome is Outcome.CANCELLED:
            return [("Cancelled", CANCELLED_TEXT)]
        if self.outcome is Outcome.SKIPPED:
            return [("Not imported", "Skipped, because the import was cancelled before it.")]
        receipt = self.receipt
        assert receipt is not None
        if receipt.already_imported:
            return [
                (
                    "Already imported",
                    "This file was imported before (see Import history); nothing was added.",
                )
            ]
        added = [count_text(kind, n) for kind, n in receipt.added.items() if n]
        rows = [
            ("Format", format_name(receipt.format)),
            ("Added", ", ".join(added) or "nothing new"),
            ("Skipped as duplicates", _already_there(receipt)),
            ("Rejected", _rejected(receipt.rejected_count)),
        ]
        if receipt.not_imported:
            kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(receipt.not_imported.items()))
            rows.append(("Not imported", f"{kinds} (kinds of record the journal does not keep)"))
        rows.extend(("Assumed", text) for text in receipt.assumptions)
        return rows

    def rejection_lines(self) -> list[str]:
        receipt = self.receipt
        if receipt is None:
            return []
        lines = [str(r) for r in receipt.rejected]
        if receipt.rejected_count > len(receipt.rejected):
            lines.append(f"… and {receipt.rejected_count - len(receipt.rejected):,} more")
        return lines

    def text(self) -> str:
        lines = [self.name]
        lines.extend(f"  {label}: {value}" for label, value in self.rows())
        lines.extend(f"    {line}" for line in self.rejection_lines())
        return "\n".join(lines)


def _already_there(receipt: Receipt) -> str:
    if receipt.duplicates == 0:
        return "none"
    kinds = [count_text(k, n) for k, n in receipt.duplicates_by_kind.items() if n]
    if not kinds:
        n = receipt.duplicates
        kinds = [f"{n:,} {'entry' if n == 1 else 'entries'}"]
    return f"{', '.join(kinds)} already in the journal"


def _rejected(n: int) -> str:
    if n == 0:
        return "none"
    return f"{n:,} {'record' if n == 1 else 'records'}, listed below with where and why"


def summary_text(outcomes: Sequence[FileOutcome]) -> str:
    """One or two sentences saying what the whole run did."""
    by = Counter(o.outcome for o in outcomes)
    if len(outcomes) == 1 and by[Outcome.CANCELLED]:
        return CANCELLED_TEXT
    added: Counter[str] = Counter()
    for o in outcomes:
        if o.receipt is not None and not o.receipt.already_imported:
            added.update({k: n for k, n in o.receipt.added.items() if n})
    parts = []
    if added:
        parts.append("Added " + ", ".join(count_text(k, n) for k, n in added.items()) + ".")
    elif by[Outcome.IMPORTED]:
        parts.append("Nothing new was added.")
    if by[Outcome.FAILED]:
        n = by[Outcome.FAILED]
        parts.append(f"{n} {'file' if n == 1 else 'files'} could not be imported.")
    if by[Outcome.CANCELLED]:
        name = next(o.name for o in outcomes if o.outcome is Outcome.CANCELLED)
        parts.append(f"The import of {name} was cancelled; nothing was added from it.")
    if by[Outcome.SKIPPED]:
        n = by[Outcome.SKIPPED]
        parts.append(f"{n} later {'file was' if n == 1 else 'files were'} not imported.")
    if not parts:
        parts.append("Nothing was added.")
    return " ".join(parts)


class _FileSection(QGroupBox):
    """One file's part of the receipt."""

    def __init__(self, outcome: FileOutcome, parent: QWidget | None = None) -> None:
        super().__init__(outcome.name, parent)
        self.outcome = outcome
        self.setToolTip(str(outcome.path))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        failed = outcome.outcome is Outcome.FAILED
        for label, value in outcome.rows():
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextFormat(Qt.TextFormat.PlainText)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            if failed and label == "Not imported":
                field.setStyleSheet(f"color: {ERROR_COLOUR};")
                field.setObjectName("importError")
            form.addRow(f"{label}:", field)
        self.rejections: QPlainTextEdit | None = None
        lines = outcome.rejection_lines()
        if lines:
            box = QPlainTextEdit("\n".join(lines))
            box.setObjectName("rejections")
            box.setReadOnly(True)
            box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            box.setAccessibleName(f"Rejected records of {outcome.name}")
            height = QFontMetrics(box.font()).lineSpacing()
            shown = min(len(lines), _REJECTION_LINES_SHOWN)
            box.setFixedHeight(height * shown + 2 * box.frameWidth() + 12)
            form.addRow(box)
            self.rejections = box


class ImportReceiptDialog(QDialog):
    """Shows the outcome of importing one or more files, each its own batch."""

    def __init__(
        self,
        outcomes: Sequence[FileOutcome],
        parent: QWidget | None = None,
        *,
        open_history: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.outcomes = list(outcomes)
        self.setWindowTitle("Import receipt")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        self.summary = QLabel(summary_text(self.outcomes))
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        layout.addWidget(self.summary)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        self.sections = [_FileSection(o) for o in self.outcomes]
        for section in self.sections:
            body_layout.addWidget(section)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

        note = QLabel(UNDO_NOTE)
        note.setWordWrap(True)
        note.setObjectName("undoNote")
        layout.addWidget(note)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy receipt")
        self.copy_button.setToolTip("Copy the whole receipt as text")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.history_button: QPushButton | None = None
        if open_history is not None:
            self.history_button = QPushButton("Import history…")
            buttons.addButton(self.history_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.history_button.clicked.connect(lambda: open_history())
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        layout.addWidget(buttons)
        # Tall enough for a few files without scrolling, never taller than most screens.
        body.adjustSize()
        wanted = body.sizeHint().height() + 170
        self.resize(720, max(320, min(wanted, 640)))

    def text(self) -> str:
        """The whole receipt as plain text, as Copy receipt puts it on the clipboard."""
        parts = [self.summary.text(), *(o.text() for o in self.outcomes)]
        return "\n\n".join(parts) + "\n"

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
