"""The main window: sidebar of pages, menus with the platform's shortcuts, quick-add actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

import journal
from journal import APP_NAME

# Only Qt at import: the window's frame is on the screen before the journal, its storage and
# the flows behind the menus are imported (they come with `attach`).
if TYPE_CHECKING:
    from journal.ui.context import UiContext
    from journal.ui.pages.summary import SummaryPage

PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("labs", "Labs"),
    ("training", "Training"),
    ("walks", "Walks"),
    ("glucose", "Glucose"),
    ("summary", "Visit summary"),
)
PREFERENCES_FALLBACK = "Ctrl+,"
QUICK_ADD: tuple[tuple[str, str], ...] = (
    ("add_lab", "Lab draw…"),
    ("add_workout", "Workout…"),
    ("add_walk", "Walk after a meal…"),
)


def build_page(key: str, ctx: UiContext) -> QWidget:
    """One page, its module imported only now: a page nobody opens costs nothing at start."""
    if key == "overview":
        from journal.ui.pages.overview import OverviewPage

        return OverviewPage(ctx)
    if key in ("labs", "training", "walks"):
        from journal.ui.pages import lists

        page_class = {
            "labs": lists.LabsPage,
            "training": lists.TrainingPage,
            "walks": lists.WalksPage,
        }[key]
        return page_class(ctx)
    if key == "glucose":
        from journal.ui.pages.glucose import GlucosePage

        return GlucosePage(ctx)
    if key == "summary":
        from journal.ui.pages.summary import SummaryPage

        return SummaryPage(ctx)
    raise KeyError(key)


class Pages(dict[str, QWidget]):
    """The pages by key, each built the first time it is shown or asked for.

    `pages[key]` builds the page if need be and puts it in the stack in place of its
    placeholder; `get`, `in` and iteration see only the pages built so far. A page built late
    reads the journal then, so the changes it missed while unbuilt need no replaying.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._window = window

    def __missing__(self, key: str) -> QWidget:
        page = self._window._build_page(key)
        self[key] = page
        return page


class MainWindow(QMainWindow):
    """The main window, built in two steps so that it is on the screen before the journal opens.

    `MainWindow(settings=..., data_dir=...)` is the frame: the remembered size and place, the
    title, the menu bar, the sidebar with the page names, and "Opening your journal…" where the
    pages go. `attach(ctx)`, once the journal is open, fills the same window in: the actions
    behind the menus and the toolbar, and the page shown. `MainWindow(ctx)` does both at once.
    """

    def __init__(
        self,
        ctx: UiContext | None = None,
        *,
        demo: bool = False,
        settings: QSettings | None = None,
        data_dir: str = "",
    ) -> None:
        super().__init__()
        self._ctx: UiContext | None = None
        if ctx is not None:
            settings = ctx.prefs.qsettings
        self._settings = settings if settings is not None else QSettings()
        self.demo = demo
        self.setWindowTitle(f"{APP_NAME} — demo journal" if demo else APP_NAME)
        self.setMinimumSize(QSize(960, 620))
        self.resize(1240, 800)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Pages")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setSpacing(2)
        self.stack = QStackedWidget()
        # Only the page shown at start is built now (by attach); each of the others waits
        # behind an empty placeholder until it is first shown or asked for.
        self.pages = Pages(self)
        for key, title in PAGES:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(170, 36))
            self.sidebar.addItem(item)
            self.stack.addWidget(QWidget())
        # Shown in the frame until the journal is open; after the placeholders, so that each
        # page keeps its sidebar row as its index in the stack.
        self._opening: QLabel | None = QLabel("Opening your journal…")
        self._opening.setObjectName("footnote")
        self._opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self._opening)
        self.stack.setCurrentWidget(self._opening)
        self.sidebar.currentRowChanged.connect(self._on_page_changed)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.actions_by_name: dict[str, QAction] = {}
        # The menu bar, toolbar and status bar are in the frame already, so that nothing moves
        # when the journal is open and their entries are added.
        self._menus = {
            name: self.menuBar().addMenu(title)
            for name, title in (
                ("file", "&File"),
                ("edit", "&Edit"),
                ("view", "&View"),
                ("help", "&Help"),
            )
        }
        self._toolbar = self._build_toolbar()
        self._location = QLabel(f"Journal: {ctx.data_dir if ctx is not None else data_dir}")
        self._location.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self._location)
        if demo:
            banner = QLabel("This is a demo journal, separate from your own.")
            self.statusBar().addPermanentWidget(banner)
        self._restore_state()
        if ctx is not None:
            self.attach(ctx)

    @property
    def ctx(self) -> UiContext:
        if self._ctx is None:
            raise RuntimeError("the journal is not open in this window yet")
        return self._ctx

    @property
    def attached(self) -> bool:
        """Whether the journal is open in this window (False while it shows only its frame)."""
        return self._ctx is not None

    def attach(self, ctx: UiContext) -> None:
        """Fill the frame in with the open journal: actions, menus, toolbar and the page shown."""
        if self._ctx is not None:
            raise RuntimeError("a journal is already open in this window")
        self._ctx = ctx
        self._settings = ctx.prefs.qsettings
        self._location.setText(f"Journal: {ctx.data_dir}")
        self._build_actions()
        self._fill_menus()
        self._fill_toolbar()
        if self.sidebar.currentRow() < 0:
            self.sidebar.setCurrentRow(0)  # builds the Overview, through _on_page_changed
        else:
            self._on_page_changed(self.sidebar.currentRow())
        if self._opening is not None:
            self.stack.removeWidget(self._opening)
            self._opening.deleteLater()
            self._opening = None
        self.setAcceptDrops(True)  # files dropped on the window are imported

    # --- pages ---------------------------------------------------------------------------

    @property
    def summary_page(self) -> SummaryPage:
        return cast("SummaryPage", self.pages["summary"])

    def _build_page(self, key: str) -> QWidget:
        keys = [k for k, _ in PAGES]
        if key not in keys:
            raise KeyError(key)
        row = keys.index(key)
        page = build_page(key, self.ctx)
        placeholder = self.stack.widget(row)
        self.stack.insertWidget(row, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        selection_changed = getattr(page, "selection_changed", None)
        if selection_changed is not None:  # Edit menu follows the visible page's selection
            selection_changed.connect(self._update_edit_actions)
        return page

    def page_key(self) -> str:
        return PAGES[max(self.sidebar.currentRow(), 0)][0]

    def show_page(self, key: str) -> None:
        keys = [k for k, _ in PAGES]
        self.sidebar.setCurrentRow(keys.index(key) if key in keys else 0)

    def _on_page_changed(self, row: int) -> None:
        if row < 0 or self._ctx is None:  # the frame keeps "Opening your journal…" shown
            return
        self.stack.setCurrentWidget(self.pages[PAGES[row][0]])
        self._update_edit_actions()

    # --- actions -------------------------------------------------------------------------

    def _action(
        self,
        name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(shortcut)
        elif shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(
                f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        action.triggered.connect(lambda _checked=False: slot())
        self.actions_by_name[name] = action
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        from journal.services.changes import Entity
        from journal.ui import entry_actions, import_actions
        from journal.ui.entry_actions import QUICK_ADD_KEYS

        ctx = self.ctx
        quick_add = dict(QUICK_ADD)
        self._action(
            "new",
            "&New entry…",
            self.new_entry,
            QKeySequence.StandardKey.New,
            "Add an entry of the kind shown on this page",
        )
        self._action(
            "add_lab",
            quick_add["add_lab"],
            lambda: entry_actions.new_lab_draw(ctx, self),
            QUICK_ADD_KEYS[Entity.LAB_DRAW],
            "Add the results of a blood test",
        )
        self._action(
            "add_workout",
            quick_add["add_workout"],
            lambda: entry_actions.new_workout(ctx, self),
            QUICK_ADD_KEYS[Entity.WORKOUT],
            "Log a workout",
        )
        self._action(
            "add_walk",
            quick_add["add_walk"],
            lambda: entry_actions.new_walk(ctx, self),
            QUICK_ADD_KEYS[Entity.WALK],
            "Log a walk after a meal",
        )
        self._action(
            "import",
            "&Import…",
            lambda: import_actions.import_from_dialog(ctx, self),
            import_actions.IMPORT_KEY,
            "Import sensor, lab, workout or health exports",
        )
        self._action(
            "import_history",
            "Import &history…",
            lambda: import_actions.open_import_history(ctx, self),
            tip="See past imports and undo one",
        )
        self._action(
            "export",
            "&Export…",
            lambda: import_actions.open_export(ctx, self),
            import_actions.EXPORT_KEY,
            "Save the journal as CSV or the lab results as FHIR",
        )
        self._action(
            "print",
            "&Print…",
            lambda: self._summary_flow(self.summary_page.print_summary),
            QKeySequence.StandardKey.Print,
            "Print the visit summary for your physician",
        )
        self._action(
            "print_preview",
            "Print pre&view…",
            lambda: self._summary_flow(self.summary_page.print_preview),
            tip="See the visit summary page by page before printing it",
        )
        self._action(
            "save_pdf",
            "Save summary as P&DF…",
            lambda: self._summary_flow(self.summary_page.save_pdf),
            tip="Save the visit summary as a PDF file",
        )
        self._action("quit", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self._action("close", "&Close window", self.close, QKeySequence.StandardKey.Close)
        undo = ctx.undo.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = ctx.undo.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.StandardKey.Redo)
        self.actions_by_name["undo"] = undo
        self.actions_by_name["redo"] = redo
        self._action("edit", "&Edit…", self.edit_selected)
        # The tables handle Delete themselves; here the key is only shown in the menu, so that
        # Delete typed into a search box never deletes rows.
        self._action("delete", "&Delete", self.delete_selected, QKeySequence.StandardKey.Delete)
        self.actions_by_name["delete"].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        prefs_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        self._action(
            "preferences",
            "&Preferences…",
            self.open_preferences,
            QKeySequence.StandardKey.Preferences if prefs_keys else PREFERENCES_FALLBACK,
        )
        self.actions_by_name["preferences"].setMenuRole(QAction.MenuRole.PreferencesRole)
        for i, (key, title) in enumerate(PAGES):
            self._action(f"page_{key}", title, lambda k=key: self.show_page(k), f"Ctrl+{i + 1}")
        self._action("check_journal", "&Check journal…", self.open_check_journal)
        self._action("about", f"&About {APP_NAME}", self.open_about)
        self.actions_by_name["about"].setMenuRole(QAction.MenuRole.AboutRole)

    def _fill_menus(self) -> None:
        a = self.actions_by_name
        file_menu = self._menus["file"]
        file_menu.addAction(a["new"])
        add_menu = file_menu.addMenu("&Add")
        for name in ("add_lab", "add_workout", "add_walk"):
            add_menu.addAction(a[name])
        file_menu.addSeparator()
        for name in ("import", "import_history", "export"):
            file_menu.addAction(a[name])
        file_menu.addSeparator()
        for name in ("print_preview", "print", "save_pdf"):
            file_menu.addAction(a[name])
        file_menu.addSeparator()
        file_menu.addAction(a["close"])
        file_menu.addAction(a["quit"])
        edit_menu = self._menus["edit"]
        edit_menu.addAction(a["undo"])
        edit_menu.addAction(a["redo"])
        edit_menu.addSeparator()
        edit_menu.addAction(a["edit"])
        edit_menu.addAction(a["delete"])
        edit_menu.addSeparator()
        edit_menu.addAction(a["preferences"])
        view_menu = self._menus["view"]
        for key, _ in PAGES:
            view_menu.addAction(a[f"page_{key}"])
        help_menu = self._menus["help"]
        help_menu.addAction(a["check_journal"])
        help_menu.addAction(a["about"])

    def _build_toolbar(self) -> QToolBar:
        toolbar = QToolBar("Quick add")
        toolbar.setObjectName("quickAdd")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addWidget(QLabel("  Add: "))
        # Stand-ins until the journal is open, so that the toolbar has its height already.
        self._stand_ins = [toolbar.addAction(title) for _name, title in QUICK_ADD]
        for stand_in in self._stand_ins:
            stand_in.setEnabled(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        return toolbar

    def _fill_toolbar(self) -> None:
        for stand_in in self._stand_ins:
            self._toolbar.removeAction(stand_in)
            stand_in.deleteLater()
        self._stand_ins = []
        for name, _title in QUICK_ADD:
            self._toolbar.addAction(self.actions_by_name[name])

    def _update_edit_actions(self) -> None:
        page = self.stack.currentWidget()
        has = getattr(page, "has_selection", None)
        selected = bool(has()) if callable(has) else False
        self.actions_by_name["delete"].setEnabled(selected)
        self.actions_by_name["edit"].setEnabled(selected)

    # --- slots ---------------------------------------------------------------------------

    def new_entry(self) -> None:
        key = self.page_key()
        page = self.pages[key]
        add = getattr(page, "add_new", None)
        if callable(add):
            add()
        else:
            from journal.ui import entry_actions

            entry_actions.new_lab_draw(self.ctx, self)

    def edit_selected(self) -> None:
        edit = getattr(self.stack.currentWidget(), "edit_selected", None)
        if callable(edit):
            edit()

    def delete_selected(self) -> None:
        delete = getattr(self.stack.currentWidget(), "delete_selected", None)
        if callable(delete):
            delete()

    def _summary_flow(self, flow: Callable[[], object]) -> None:
        """Print actions work from any page: show the summary page, whose settings they use."""
        self.show_page("summary")
        flow()

    def open_preferences(self) -> None:
        from journal.ui.dialogs.preferences import PreferencesDialog

        PreferencesDialog(self.ctx.prefs, self, maintenance=self.ctx.services.maintenance).exec()

    def open_check_journal(self) -> None:
        from journal.ui.dialogs.check_journal import CheckJournalDialog

        CheckJournalDialog(self.ctx.services.maintenance, self).exec()

    def open_about(self) -> None:
        from journal.ui.dialogs.welcome import AboutDialog

        AboutDialog(journal.__version__, self.ctx.data_dir, self).exec()

    # --- drag and drop -------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._consider_drop(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._consider_drop(event)

    def _consider_drop(self, event: QDragMoveEvent) -> None:
        from journal.ui import import_actions

        if import_actions.dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        from journal.ui import import_actions

        paths = import_actions.dropped_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # Imported after the drop returns, so the application the files came from is not
        # kept waiting while the import runs.
        QTimer.singleShot(0, lambda: import_actions.import_paths(self.ctx, paths, self))

    # --- state ---------------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = self._settings
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        page = settings.value("window/page", "overview")
        self.show_page(str(page))

    def save_state(self) -> None:
        settings = self._settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/page", self.page_key())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
