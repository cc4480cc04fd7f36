"""T10: a journal folder synced by a cloud service or on a network share is warned about, once."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from journal.paths import APP_DIR_NAME, resolve_data_dir
from journal.services.maintenance import location_warning
from journal.ui.dialogs.check_journal import warn_location_once


@pytest.mark.parametrize(
    ("folder", "service"),
    [
        ("Dropbox/Health", "Dropbox"),
        ("OneDrive - Contoso/Documents", "OneDrive"),
        ("Library/Mobile Documents/com~apple~CloudDocs/Journal", "iCloud Drive"),
        ("Google Drive/My Drive/journal", "Google Drive"),
        ("Library/CloudStorage/GoogleDrive-me@example.org/journal", "a cloud storage service"),
        ("Nextcloud/journal", "Nextcloud"),
    ],
)
def test_T10_a_cloud_synced_folder_is_named_in_the_warning(
    tmp_path: Path, folder: str, service: str
) -> None:
    warning = location_warning(tmp_path / folder, mounts=tmp_path / "no-mounts")
    assert warning is not None
    assert f"that {service} keeps in sync" in warning
    assert "damage" in warning and "backups elsewhere" in warning


def _mounts(tmp_path: Path, fs_type: str) -> Path:
    table = tmp_path / "mounts"
    table.write_text(
        "/dev/sda1 / ext4 rw,relatime 0 0\n"
        f"server:/export {tmp_path / 'share'} {fs_type} rw 0 0\n"
        "tmpfs /run tmpfs rw 0 0\n",
        encoding="utf-8",
    )
    return table


@pytest.mark.parametrize("fs_type", ["nfs4", "cifs", "smb3", "fuse.sshfs", "fuse.rclone", "9p"])
def test_T10_a_network_file_system_is_warned_about(tmp_path: Path, fs_type: str) -> None:
    (tmp_path / "share").mkdir()
    warning = location_warning(tmp_path / "share" / "journal", mounts=_mounts(tmp_path, fs_type))
    assert warning is not None and f"network drive ({fs_type})" in warning


@pytest.mark.parametrize("fs_type", ["ext4", "btrfs", "fuse.encfs", "zfs"])
def test_T10_a_local_folder_gets_no_warning(tmp_path: Path, fs_type: str) -> None:
    (tmp_path / "share").mkdir()
    assert (
        location_warning(tmp_path / "share" / "journal", mounts=_mounts(tmp_path, fs_type)) is None
    )
    assert location_warning(tmp_path / "Dropped-files" / "journal") is None
    assert location_warning(tmp_path / "boxing-club" / "journal") is None


def test_T10_the_default_location_is_the_platform_data_folder() -> None:
    # HOME and XDG_DATA_HOME point into a temp folder (tests/conftest.py).
    expected = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))
    assert resolve_data_dir() == expected
    assert location_warning(expected) is None


def test_T10_the_warning_is_shown_once_per_folder(qtbot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = QWidget()
    qtbot.addWidget(window)
    folder = str(tmp_path / "Dropbox" / "journal")
    warning = location_warning(Path(folder))

    box = warn_location_once(window, warning, folder, settings)
    assert box is not None and box.text() == warning
    box.close()
    assert warn_location_once(window, warning, folder, settings) is None  # not again
    other = str(tmp_path / "OneDrive" / "journal")
    assert warn_location_once(window, location_warning(Path(other)), other, settings) is not None
    assert warn_location_once(window, None, str(tmp_path / "local"), settings) is None
