"""The main window: a sidebar of pages beside a stack that shows one page at a time."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from journal import APP_NAME, __version__
from journal.services.journal import JournalServices
from journal.ui.events import Events
from journal.ui.pages.overview import OverviewPage
from journal.ui.pages.simple import GlucosePage, LabsPage, SummaryPage, TrainingPage, WalksPage

PAGES = ("overview", "labs", "training", "walks", "glucose", "summary")


class MainWindow(QMainWindow):
    def __init__(self, services: JournalServices, events: Events, data_dir: str) -> None:
        super().__init__()
        self.services = services
        self.events = events
        self.data_dir = data_dir
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(QSize(900, 600))
        self.resize(1200, 780)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Pages")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setSpacing(2)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {
            "overview": OverviewPage(services, events),
            "labs": LabsPage(services, events),
            "training": TrainingPage(services, events),
            "walks": WalksPage(services, events),
            "glucose": GlucosePage(services, events),
            "summary": SummaryPage(services, events),
        }
        titles = {
            "overview": "Overview",
            "labs": "Labs",
            "training": "Training",
            "walks": "Walks",
            "glucose": "Glucose",
            "summary": "Visit summary",
        }
        for key in PAGES:
            item = QListWidgetItem(titles[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(170, 36))
            self.sidebar.addItem(item)
            self.stack.addWidget(self.pages[key])
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self.statusBar().addWidget(QLabel(f"Journal: {data_dir}"))
        self.show_page("overview")

    def show_page(self, key: str) -> None:
        self.sidebar.setCurrentRow(PAGES.index(key) if key in PAGES else 0)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        for i, key in enumerate(PAGES):
            item = self.sidebar.item(i)
            action = QAction(item.text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, k=key: self.show_page(k))
            view_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction(f"&About {APP_NAME}", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"{APP_NAME} {__version__}\n\n"
            f"Your journal is stored in:\n{self.data_dir}\n\n"
            "Everything stays on this computer; the app never connects to the internet.\n\n"
            "This journal is for learning about your own numbers. It shows values, ranges "
            "and their sources; it does not diagnose anything. Talk with your physician "
            "about what your results mean for you."
        )
        box.exec()
