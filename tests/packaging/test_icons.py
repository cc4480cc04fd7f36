"""The app icon: every size a desktop asks for is there, sharp, and the bundles' files hold them."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from journal.resources import ICON_SIZES, icon_paths

ROOT = Path(__file__).resolve().parents[2]


def test_every_icon_size_is_a_square_png_of_that_size(qapp):
    from PySide6.QtGui import QImage

    paths = icon_paths()
    assert sorted(paths) == [16, 24, 32, 48, 64, 128, 256, 512]
    for size, path in paths.items():
        image = QImage(str(path))
        assert not image.isNull(), f"{path} does not load"
        assert (image.width(), image.height()) == (size, size), path
        assert image.hasAlphaChannel()
        # Transparent corners (the rounded tile), an opaque centre (the drop).
        assert image.pixelColor(0, 0).alpha() == 0
        assert image.pixelColor(size // 2, size // 2).alpha() == 255


def test_window_icon_offers_every_size(qapp):
    from journal.app import _app_icon

    icon = _app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == list(ICON_SIZES)


def test_ico_holds_png_entries_up_to_256():
    data = (ROOT / "resources" / "metabolic-journal.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, _h, _c, _r, _p, _bpp, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_icns_holds_the_retina_sizes_as_png():
    data = (ROOT / "resources" / "metabolic-journal.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack_from(">I", data, 4)[0] == len(data)
    kinds, offset = [], 8
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack_from(">I", data, offset + 4)[0]
        assert data[offset + 8 : offset + 16] == b"\x89PNG\r\n\x1a\n", kind
        kinds.append(kind)
        offset += length
    assert offset == len(data)
    # 16 to 512 px, and the 2x entries a retina screen uses (ic14: 256 pt as 512 px).
    assert set(kinds) >= {b"icp4", b"icp5", b"icp6", b"ic07", b"ic08", b"ic09", b"ic14"}


@pytest.mark.parametrize("size", [16, 512])
def test_icons_are_current_with_the_svg(size, qapp):
    """The committed PNGs are what make_icons.py renders from icon.svg today."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_icons", ROOT / "resources" / "make_icons.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from PySide6.QtGui import QImage

    fresh, committed = QImage(), QImage(str(icon_paths()[size]))
    assert fresh.loadFromData(module.render_png(size), "PNG")
    assert fresh.size() == committed.size()
    # Compare pixels, not bytes: another Qt release may encode the same image differently.
    differing = sum(
        1
        for y in range(size)
        for x in range(size)
        if abs(fresh.pixelColor(x, y).alpha() - committed.pixelColor(x, y).alpha()) > 8
    )
    assert differing <= size * size // 100
