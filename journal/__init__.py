"""Metabolic Journal: a private journal of labs, training and post-meal walks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("metabolic-journal")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

APP_NAME = "Metabolic Journal"
APP_ID = "org.metabolicjournal.MetabolicJournal"
