"""Dialogs that add or edit one record at a time."""
