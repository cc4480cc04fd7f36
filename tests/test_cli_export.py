"""`metabolic-journal export` and `import` of its output, as a script author uses them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from journal.__main__ import main
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from tests.factories import draw, reading, workout

DATA = Path(__file__).resolve().parent / "data"


def _journal(data_dir: Path) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory)
        services.labs.add_draw(draw())
        services.training.add_workout(workout())
        services.glucose.add_reading(reading())


def test_export_then_import_into_an_empty_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = tmp_path / "source", tmp_path / "export"
    _journal(source)

    assert main(["export", "--format", "csv", "--out", str(out), "--data-dir", str(source)]) == 0
    printed = capsys.readouterr().out
    assert f"Exported the journal to {out} (9 files)" in printed
    assert "lab_results.csv" in printed and "4 rows" in printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}

    target = tmp_path / "target"
    assert main(["import", str(out), "--data-dir", str(target)]) == 0
    receipt = capsys.readouterr().out
    assert "export (journal-csv): added 1 lab draw, 4 lab results, 1 workout," in receipt
    assert main(["import", str(out), "--data-dir", str(target)]) == 0
    assert "already imported" in capsys.readouterr().out

    assert main(["export", "--out", str(out), "--data-dir", str(source)]) == 0  # replaces it


def test_export_refuses_a_folder_with_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = tmp_path / "source", tmp_path / "photos"
    _journal(source)
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8")
    assert main(["export", "--out", str(out), "--data-dir", str(source)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not empty" in err
    assert [p.name for p in out.iterdir()] == ["holiday.jpg"]


def test_export_of_a_missing_journal_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--out", str(tmp_path / "out"), "--data-dir", str(tmp_path / "none")])
    assert code == 1 and "no journal" in capsys.readouterr().err.lower()
    assert not (tmp_path / "out").exists() and not (tmp_path / "none").exists()


def test_export_needs_out_and_knows_only_csv(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["export"], ["export", "--format", "xlsx", "--out", "x"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_import_still_reads_every_kind_of_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [DATA / "cgm" / "dexcom_12col_mmol_plain.csv", DATA / "fhir" / "r4_bundle.json"]
    files += [DATA / "workouts" / "run_gpx11.gpx"]
    assert main(["import", *map(str, files), "--data-dir", str(tmp_path / "j")]) == 0
    out = capsys.readouterr().out
    assert "(dexcom-clarity-csv): added 3 glucose readings" in out
    assert "(fhir-json): added" in out and "lab results" in out
    assert "(gpx): added 1 workout" in out


def test_export_lab_results_as_fhir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    source = tmp_path / "source"
    _journal(source)
    out = tmp_path / "labs.json"
    args = ["export", "--format", "fhir", "--out", str(out), "--data-dir", str(source)]
    assert main(args) == 0
    assert "Exported 4 lab results" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and len(bundle["entry"]) == 4
    # A clinic system reads it back as lab results: the app's own importer does.
    target = tmp_path / "target"
    assert main(["import", str(out), "--data-dir", str(target)]) == 0
    assert "4 lab results" in capsys.readouterr().out


def test_fhir_export_to_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source"
    _journal(source)
    args = ["export", "--format", "fhir", "--out", str(tmp_path), "--data-dir", str(source)]
    assert main(args) != 0
    assert "is a folder" in capsys.readouterr().err
