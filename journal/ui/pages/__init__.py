"""Pages shown in the main window, one per sidebar entry."""
