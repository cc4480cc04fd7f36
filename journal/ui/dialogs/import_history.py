"""Import history: every import with what it added, and undoing one of them."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from journal.domain.entities import ImportBatch
from journal.services.changes import Change, Entity
from journal.services.errors import NotFoundError
from journal.ui.context import UiContext
from journal.ui.localzone import local_zone
from journal.ui.models.import_batches import (
    SORT_ROLE,
    ImportBatchTableModel,
    added_counts,
    added_text,
    format_name,
    local_time_text,
)

EXPLANATION = (
    "Each imported file is listed here. Undoing an import removes every entry it added; "
    "the file itself is not touched and can be imported again later."
)
EMPTY_TEXT = "Nothing has been imported yet. Use File → Import… or drop files on the window."


def confirm_undo(parent: QWidget | None, text: str, detail: str) -> bool:
    """Ask before removing an import's entries; tests replace this."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Undo import")
    box.setText(text)
    box.setInformativeText(detail)
    remove = box.addButton("Undo import", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Edit → Undo cannot bring it back
    box.exec()
    return box.clickedButton() is remove


def inform(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, "Import history", text)


def undo_question(batch: ImportBatch) -> tuple[str, str]:
    """The confirmation's question and detail, naming how many entries go."""
    n = sum(added_counts(batch.counts).values())
    text = f"Undo the import of {batch.file_name}?"
    if n:
        detail = f"This removes {added_text(batch.counts)} from the journal. "
    else:
        detail = "This import added no entries; it will only be marked as undone. "
    detail += "Edit → Undo cannot bring them back, but you can import the file again."
    return text, detail


class ImportHistoryDialog(QDialog):
    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, zone: tzinfo | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._zone = zone if zone is not None else local_zone()
        self.setWindowTitle("Import history")
        layout = QVBoxLayout(self)
        intro = QLabel(EXPLANATION)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.model = ImportBatchTableModel(self._zone, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ImportBatchTableModel.ADDED, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(ImportBatchTableModel.IMPORTED, Qt.SortOrder.DescendingOrder)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setObjectName("details")
        layout.addWidget(self.details)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.undo_button = QPushButton("Undo this import…")
        self.undo_button.setToolTip("Remove every entry the selected import added")
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button.clicked.connect(self.undo_selected)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.table.selectionModel().selectionChanged.connect(self._update)
        ctx.events.entries_changed.connect(self._on_change)
        self._listening = True
        self.resize(860, 460)
        self.reload()

    # --- data --------------------------------------------------------------------------------

    def reload(self) -> None:
        selected = self.selected_batch()
        self.model.set_rows(self.ctx.services.imports.list_batches())
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            if column != ImportBatchTableModel.ADDED:
                self.table.resizeColumnToContents(column)
                header.resizeSection(column, min(header.sectionSize(column) + 16, 320))
        has_rows = self.model.rowCount() > 0
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        if selected is not None and selected.id is not None:
            self.select_batch(selected.id)
        elif has_rows:
            self.table.selectRow(0)
        self._update()

    def done(self, result: int) -> None:
        # The bus outlives the dialog; a deleted dialog must not be called on the next change.
        if self._listening:
            self._listening = False
            self.ctx.events.entries_changed.disconnect(self._on_change)
        super().done(result)

    def _on_change(self, change: Change) -> None:
        if change.concerns(Entity.IMPORT_BATCH):
            self.reload()

    def selected_batch(self) -> ImportBatch | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.batch_at(self.proxy.mapToSource(rows[0]).row())

    def select_batch(self, batch_id: int) -> None:
        row = self.model.row_of(batch_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _update(self) -> None:
        batch = self.selected_batch()
        self.undo_button.setEnabled(batch is not None and not batch.undone)
        if batch is None:
            self.details.setText("")
            return
        lines = [
            f"{batch.file_name} ({format_name(batch.format)}), imported "
            f"{local_time_text(batch, self._zone)}: added {added_text(batch.counts)}; "
            f"{batch.counts.get('duplicates', 0):,} skipped as duplicates; "
            f"{batch.counts.get('rejected', 0):,} rejected."
        ]
        if batch.assumptions:
            lines.extend(f"Assumed: {a}" for a in batch.assumptions.splitlines())
        if batch.undone:
            lines.append("This import was undone; its entries are no longer in the journal.")
        self.details.setText("\n".join(lines))

    # --- undo --------------------------------------------------------------------------------

    def undo_selected(self) -> bool:
        batch = self.selected_batch()
        if batch is None or batch.undone or batch.id is None:
            return False
        text, detail = undo_question(batch)
        if not confirm_undo(self, text, detail):
            return False
        try:
            change = self.ctx.services.imports.undo_batch(batch.id)
        except NotFoundError as error:
            inform(self, str(error))
            self.reload()
            return False
        self.ctx.events.publish(change)
        if change.empty:  # already undone elsewhere: nothing was published to reload us
            self.reload()
        return True
