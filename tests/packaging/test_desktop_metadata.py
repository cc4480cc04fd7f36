"""Linux desktop entry and AppStream metadata: valid, and agreeing with the app's id and version."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from journal import APP_ID, APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_desktop_entry_passes_desktop_file_validate():
    done = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream is not installed")
def test_metainfo_passes_appstreamcli_validate():
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--pedantic", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_desktop_entry_starts_the_installed_command_with_our_icon():
    entry = _entry()
    scripts = _pyproject()["project"]["gui-scripts"]
    assert entry["Exec"].split()[0] in scripts
    assert entry["Name"] == APP_NAME
    # Desktops find the icon by the application id; make_icons.py renders it.
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"


def test_metainfo_agrees_with_the_app_and_the_changelog():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME
    assert root.findtext("project_license") == _pyproject()["project"]["license"]
    assert root.find("launchable").text == DESKTOP.name
    binaries = {b.text for b in root.iter("binary")}
    project = _pyproject()["project"]
    assert binaries == set(project["scripts"]) | set(project["gui-scripts"])

    releases = [(r.get("version"), r.get("date")) for r in root.iter("release")]
    changelog = re.findall(
        r"^## (\d+\.\d+\.\d+\S*) - (\d{4}-\d\d-\d\d)$",
        (ROOT / "CHANGELOG.md").read_text("utf-8"),
        flags=re.MULTILINE,
    )
    # Newest first in both; the newest is the version everything else reports.
    assert releases == changelog
    assert releases[0][0] == project["version"] == __version__
