"""Exports of the whole journal; ExportService is what the UI and the command line call."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from journal.services.base import Service
from journal.services.exporters.csv_export import (
    ExportCancelledError,
    ExportRefusedError,
    check_target,
    write_csv_export,
)
from journal.services.exporters.fhir_export import write_fhir_bundle
from journal.services.importers import Cancel, Progress
from journal.storage import repositories as repo

__all__ = ["ExportCancelledError", "ExportRefusedError", "ExportService", "check_target"]


class ExportService(Service):
    """Writes the journal out in open formats; reading the data never changes it.

    Each export method reads one consistent snapshot, writes files 0600 (folders it creates
    0700), leaves the target as it was on error or cancel, and returns the files written.
    Further formats join as `export_<format>` methods.
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

    def export_fhir(self, out_file: Path, tz: tzinfo | None = None) -> Path:
        """Every lab result as one FHIR R4 Bundle (LOINC, UCUM) in `out_file`, replaced whole.

        Times carry the offset of `tz` (else the computer's zone); no patient details go out.
        """
        if out_file.is_dir():
            raise ExportRefusedError(f"{out_file} is a folder; give a file name ending in .json")
        if not out_file.parent.is_dir():
            raise ExportRefusedError(f"the folder {out_file.parent} does not exist")
        with self._read() as session:
            draws = repo.list_draws(session)
        return write_fhir_bundle(draws, out_file, now=self._clock(), tz=tz)
