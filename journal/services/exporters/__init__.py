"""Exports of the whole journal; ExportService is what the UI and the command line call."""

from __future__ import annotations

from pathlib import Path

from journal.services.base import Service
from journal.services.exporters.csv_export import (
    ExportCancelledError,
    ExportRefusedError,
    check_target,
    write_csv_export,
)
from journal.services.importers import Cancel, Progress

__all__ = ["ExportCancelledError", "ExportRefusedError", "ExportService"]


class ExportService(Service):
    """Writes the journal out in open formats; reading the data never changes it.

    Each export method reads one consistent snapshot, writes files 0600 (folders it creates
    0700), leaves the target as it was on error or cancel, and returns the files written.
    Other formats (FHIR) join as further `export_<format>` methods next to export_csv.
    """

    def export_csv(
        self, out_dir: Path, progress: Progress | None = None, cancel: Cancel | None = None
    ) -> list[Path]:
        """The journal's own CSV export (docs/formats.md) into `out_dir`, read back losslessly
        by the importer. Refuses (ExportRefusedError) a non-empty folder that is not a
        previous export."""
        check_target(out_dir)
        with self._read() as session:
            return write_csv_export(session, out_dir, self._clock(), progress, cancel)
