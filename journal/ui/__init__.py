"""The PySide6 desktop interface; it talks only to services."""
