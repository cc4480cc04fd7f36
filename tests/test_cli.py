"""The command line as a script author uses it: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from journal.__main__ import main
from journal.domain.entities import Fasting
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from tests.factories import draw, result


def _journal_with_draws(data_dir: Path) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory)
        services.labs.add_draw(draw())
        services.labs.add_draw(
            draw(
                fasting=Fasting.UNKNOWN,
                results=(result("glucose", 5.2, "mmol/L"), result("insulin", 48, "pmol/L")),
            )
        )


def test_indices_json_matches_the_formulas(data_dir, capsys):
    _journal_with_draws(data_dir)
    assert main(["indices", "--json", "--data-dir", str(data_dir)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2
    first = next(r for r in rows if r["indices"]["homa_ir"]["value"] is not None)
    assert set(first["indices"]) == {"homa_ir", "homa_b", "quicki", "tg_hdl", "tyg"}
    assert first["indices"]["homa_ir"]["value"] == pytest.approx(100 * 10 / 405)
    assert first["indices"]["homa_b"]["value"] == pytest.approx(360 * 10 / (100 - 63))
    assert first["indices"]["quicki"]["value"] == pytest.approx(1 / (math.log10(10) + 2))
    assert first["indices"]["tg_hdl"]["value"] == pytest.approx(3.0)
    assert first["indices"]["tyg"]["value"] == pytest.approx(math.log(150 * 100 / 2))
    other = next(r for r in rows if r is not first)
    assert other["indices"]["homa_ir"] == {
        "value": None,
        "reason": other["indices"]["homa_ir"]["reason"],
    }
    assert other["indices"]["homa_ir"]["reason"]
    assert "T" in first["drawn_at"]


def test_stats_and_check_print_and_exit_zero(data_dir, capsys):
    _journal_with_draws(data_dir)
    assert main(["stats", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "Lab draws:" in out and "2" in out
    assert main(["--data-dir", str(data_dir), "check"]) == 0
    assert "no problems" in capsys.readouterr().out


def test_missing_journal_is_one_line_and_nonzero(tmp_path, capsys):
    code = main(["stats", "--data-dir", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1 and "no journal" in err.lower()
    assert not (tmp_path / "nowhere").exists()


def test_data_dir_that_is_a_file(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["stats", "--data-dir", str(tmp_path / "afile")]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_wrong_argument_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["indices", "--jsn"])
    assert caught.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_demo_needs_an_explicit_data_dir(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("METABOLIC_JOURNAL_DATA_DIR", str(tmp_path / "mine"))
    assert main(["demo"]) == 1
    assert "--data-dir" in capsys.readouterr().err
    assert not (tmp_path / "mine").exists()


def test_gui_without_display_explains_instead_of_aborting(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "journal", "--data-dir", str(tmp_path / "j")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "display" in proc.stderr
    assert "Traceback" not in proc.stderr


def _independent_indices(draw) -> dict[str, float | None]:
    """The clinical reference's formulas, written again from scratch to check the app."""
    fasting = draw.fasting.value == "yes"
    values = {}
    for r in draw.results:
        v, u = r.value, r.unit
        if r.analyte == "glucose":
            values["g"] = v if u == "mg/dL" else v * 18.016
            values["g_unit"] = u
            values["g_raw"] = v
        elif r.analyte == "insulin":
            values["i"] = v if u == "µIU/mL" else v / 6.0
        elif r.analyte == "triglycerides":
            values["tg"] = v if u == "mg/dL" else v * 88.57
            values["tg_si"] = u == "mmol/L"
            values["tg_raw"] = v
        elif r.analyte == "hdl":
            values["hdl"] = v if u == "mg/dL" else v * 38.67
            values["hdl_si"] = u == "mmol/L"
            values["hdl_raw"] = v
    out: dict[str, float | None] = dict.fromkeys(("homa_ir", "homa_b", "quicki", "tyg", "tg_hdl"))
    if fasting and "g" in values and "i" in values:
        if values["g_unit"] == "mmol/L":
            out["homa_ir"] = values["g_raw"] * values["i"] / 22.5
            out["homa_b"] = (
                20 * values["i"] / (values["g_raw"] - 3.5) if values["g_raw"] > 3.5 else None
            )
        else:
            out["homa_ir"] = values["g"] * values["i"] / 405
            out["homa_b"] = 360 * values["i"] / (values["g"] - 63) if values["g"] > 63 else None
        out["quicki"] = 1 / (math.log10(values["i"]) + math.log10(values["g"]))
    if fasting and "g" in values and "tg" in values:
        out["tyg"] = math.log(values["tg"] * values["g"] / 2)
    if "tg" in values and "hdl" in values:
        if values["tg_si"] and values["hdl_si"]:
            out["tg_hdl"] = values["tg_raw"] / values["hdl_raw"]
        else:
            out["tg_hdl"] = values["tg"] / values["hdl"]
    return out


def test_indices_json_matches_the_formulas_for_every_demo_draw(tmp_path, capsys):
    from journal.services.demo import generate_demo

    data_dir = tmp_path / "demo"
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory)
        generate_demo(services, years=4, seed=3, glucose_days=2)
        draws = services.labs.list_draws()
    assert main(["indices", "--json", "--data-dir", str(data_dir)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(draws) >= 14
    computed = 0
    for row, d in zip(rows, draws, strict=True):
        assert row["drawn_at"] == d.drawn_at.isoformat()
        expected = _independent_indices(d)
        for key, value in expected.items():
            got = row["indices"][key]["value"]
            if value is None:
                assert got is None and row["indices"][key]["reason"], (d.drawn_at, key)
            else:
                assert got == pytest.approx(value, rel=1e-9), (d.drawn_at, key)
                computed += 1
    assert computed > 40


def test_import_prints_a_receipt_and_refuses_unknown_files(tmp_path, capsys):
    data = Path(__file__).parent / "data" / "cgm"
    sample = sorted(data.glob("*libre*"))[0]
    stray = tmp_path / "notes.txt"
    stray.write_text("hello\n")
    code = main(["import", "--data-dir", str(tmp_path / "j"), str(sample), str(stray)])
    captured = capsys.readouterr()
    assert code == 1
    assert "added" in captured.out and sample.name in captured.out
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "notes.txt" in err[0]
    assert main(["import", "--data-dir", str(tmp_path / "j"), str(sample)]) == 0
    assert "already imported" in capsys.readouterr().out


def test_summary_writes_a_pdf_of_a_demo_journal(tmp_path, capsys):
    from journal.services.demo import generate_demo
    from tests.reports.conftest import pdf_pages

    data_dir = tmp_path / "demo"
    with open_journal(data_dir) as opened:
        generate_demo(JournalServices(opened.session_factory), years=1, seed=2, glucose_days=3)
    out = tmp_path / "summary.pdf"
    code = main(["summary", "--data-dir", str(data_dir), "--pdf", str(out), "--paper", "A4"])
    assert code == 0
    said = capsys.readouterr().out
    assert said.startswith("Visit summary for ") and str(out) in said
    pages = pdf_pages(out)
    assert f"({len(pages)} pages)" in said
    text = " ".join(pages)
    assert "Metabolic health summary" in text
    assert "Questions for my physician" in text and "1. My fasting glucose" in text
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert main(["summary", "--data-dir", str(data_dir), "--pdf", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err
