"""Files the app reads at run time (the app icon), found beside the package wherever it runs."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_paths() -> dict[int, Path]:
    """The app icon's PNG for each pixel size, from the installed package or the bundle."""
    # Installed packages, editable installs and the bundle all keep these as plain files.
    icons = Path(str(files(__name__).joinpath("icons")))
    return {size: icons / f"metabolic-journal-{size}.png" for size in ICON_SIZES}
