"""Render resources/icon.svg into every icon file the app and its bundles use.

Run from anywhere with the project's venv (`.venv/bin/python resources/make_icons.py`); the
output is committed, so a build never needs this script. Rendering is deterministic: the same
SVG and Qt version give byte-identical files, and `--check` says whether the committed files are
current.

Writes:
  journal/resources/icons/metabolic-journal-<N>.png  (N = 16 … 512; package data, used by the
                                                       window and installed as the desktop icon)
  journal/resources/icons/metabolic-journal.svg       (the scalable icon for Linux desktops)
  resources/metabolic-journal.ico                     (Windows: exe and installer)
  resources/metabolic-journal.icns                    (macOS: the .app bundle)
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCE = HERE / "icon.svg"
RUNTIME_DIR = ROOT / "journal" / "resources" / "icons"
ICO = HERE / "metabolic-journal.ico"
ICNS = HERE / "metabolic-journal.icns"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# At these sizes the trace inside the drop would be a one-pixel smudge; leave it out.
SMALL_SIZES_WITHOUT = ("trace",)
SMALL_LIMIT = 32
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's PNG-backed icon types, each with the pixel size it holds.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),  # 16 pt at 2x
    (b"ic12", 64),  # 32 pt at 2x
    (b"ic13", 256),  # 128 pt at 2x
    (b"ic14", 512),  # 256 pt at 2x
)


def render_png(size: int) -> bytes:
    """The icon at size × size pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    if size >= SMALL_LIMIT:
        renderer.render(painter)
    else:
        view = renderer.viewBoxF()
        painter.scale(size / view.width(), size / view.height())
        painter.translate(-view.topLeft())
        for element in ("tile", "drop"):
            if element not in SMALL_SIZES_WITHOUT:
                renderer.render(painter, element, renderer.boundsOnElement(element))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG per size (the PNG-in-ICO form Windows reads since Vista)."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    offset = len(header) + 16 * len(ICO_SIZES)
    entries, payload = b"", b""
    for size in ICO_SIZES:
        png = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns made of PNG-backed entries."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def outputs() -> dict[Path, bytes]:
    pngs = {size: render_png(size) for size in SIZES}
    files = {RUNTIME_DIR / f"metabolic-journal-{size}.png": png for size, png in pngs.items()}
    files[RUNTIME_DIR / "metabolic-journal.svg"] = SOURCE.read_bytes()
    files[ICO] = ico_bytes(pngs)
    files[ICNS] = icns_bytes(pngs)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file is stale")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts, images)
    stale = []
    for path, data in outputs().items():
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)
        print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(f"out of date: {names} (run resources/make_icons.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
