"""The bundled app (make dist) runs without Python: demo, window, screenshot, only its own files.

The bundle is built once per test session (about 30 s on CI's two cores) into dist/, or reused
when it is newer than every file that goes into it. METABOLIC_JOURNAL_BUNDLE=DIR tests a bundle
built elsewhere instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the bundle is built and checked on Linux"),
]

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
NAME = "metabolic-journal"
# What goes into the bundle: a change to any of these makes dist/ stale.
INPUTS = ("journal", "packaging", "pyproject.toml")
# The same command as `make dist`.
BUILD = [
    "-m",
    "PyInstaller",
    "--noconfirm",
    "--clean",
    "--log-level",
    "WARN",
    "--distpath",
    str(DIST),
    "--workpath",
    str(ROOT / "build" / "pyinstaller"),
    str(ROOT / "packaging" / f"{NAME}.spec"),
]


def _newest_input() -> float:
    newest = 0.0
    for name in INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files if "__pycache__" not in p.parts)])
    return newest


@pytest.fixture(scope="session")
def bundle() -> Iterator[Path]:
    """The bundle's folder, built now if dist/ is missing or older than its sources."""
    if os.environ.get("METABOLIC_JOURNAL_BUNDLE"):
        yield Path(os.environ["METABOLIC_JOURNAL_BUNDLE"]).resolve()
        return
    folder = DIST / NAME
    pytest.importorskip(
        "PyInstaller", reason="PyInstaller is not installed (pip install -e .[dist])"
    )
    import fcntl

    (ROOT / "build").mkdir(exist_ok=True)
    # Others may run the suite in the same tree at once: one builds (exclusive lock) while
    # nobody uses dist/, and a rebuild waits until every session using it (shared) is done.
    with open(ROOT / "build" / "bundle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        executable = folder / NAME
        if not executable.exists() or executable.stat().st_mtime < _newest_input():
            subprocess.run([sys.executable, *BUILD], cwd=ROOT, check=True, timeout=900)
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield folder


@pytest.fixture
def demo_dir(bundle: Path, tmp_path: Path) -> Path:
    """A one-year demo journal written by the bundle's own command line (and its migrations)."""
    target = tmp_path / "demo"
    done = _run(bundle, "cli", "demo", "--data-dir", str(target), "--years", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Demo journal written" in done.stdout
    return target


def _env() -> dict[str, str]:
    # HOME and the XDG folders point into the test's temporary home (tests/conftest.py).
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for leak in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(leak, None)
    return env


def _run(
    bundle: Path, kind: str, *args: str, cwd: Path, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    executable = bundle / (f"{NAME}-cli" if kind == "cli" else NAME)
    return subprocess.run(
        [*prefix, str(executable), *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_bundle_reports_the_project_version(bundle, tmp_path):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    done = _run(bundle, "cli", "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Metabolic Journal {version}"


def test_bundle_opens_a_demo_journal_and_saves_a_screenshot(bundle, demo_dir, tmp_path, qapp):
    from PySide6.QtGui import QImage

    stats = _run(bundle, "cli", "stats", "--data-dir", str(demo_dir), cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert re.search(r"Lab draws:\s+[1-9]", stats.stdout)

    shot = tmp_path / "overview.png"
    done = _run(bundle, "gui", "--data-dir", str(demo_dir), "--screenshot", str(shot), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 500
    # A real window, not a blank grab: many distinct colours across a coarse grid.
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 16) for y in range(0, image.height(), 16)
    }
    assert len(colours) > 20


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run(["strace", "-qq", "-o", "/dev/null", "true"], capture_output=True)
    return probe.returncode == 0  # ptrace may be forbidden in a container


# System files a Qt program rightly reads: the C library and the graphics stack, fonts and
# their configuration, time zones, locales, OpenSSL's configuration, the machine id Qt asks
# for, and the kernel's views. Each entry ends in "/" and also matches the folder itself.
SYSTEM = (
    "/etc/",
    "/lib/",
    "/lib64/",
    "/usr/lib/x86_64-linux-gnu/",
    "/usr/lib/aarch64-linux-gnu/",
    "/usr/lib/locale/",
    "/usr/lib/ssl/",
    "/usr/share/fonts/",
    "/usr/local/share/fonts/",
    "/usr/share/fontconfig/",
    "/usr/share/zoneinfo/",
    "/usr/share/locale/",
    "/usr/share/X11/",
    "/var/cache/fontconfig/",
    "/var/lib/dbus/machine-id/",
    "/proc/",
    "/sys/",
    "/dev/",
)
CALL = re.compile(r'^\s*(?:\[pid\s+\d+\]\s*)?(\w+)\((?:AT_FDCWD|-?\d+)?,?\s*"([^"]*)"')


def _accessed(trace_dir: Path, cwd: Path) -> dict[str, set[str]]:
    """Every path a successful file call named, by call, from strace's per-thread logs."""
    seen: dict[str, set[str]] = {}
    for log in trace_dir.iterdir():
        for line in log.read_text(errors="replace").splitlines():
            match = CALL.match(line)
            if match and match.group(2):
                path = os.path.normpath(cwd / match.group(2))
                seen.setdefault(path, set()).add(match.group(1))
    return seen


@pytest.mark.skipif(not _strace_works(), reason="strace is missing or cannot trace here")
def test_bundle_reads_only_its_own_files_and_never_connects(bundle, demo_dir, tmp_path):
    """Traced with strace: what the bundled app opens while it starts, draws and quits.

    Every file it opens or executes is inside the bundle, the journal's folder, the screenshot's
    folder, the (temporary) home folder, or a system location listed in SYSTEM. Nothing at all,
    not even a stat, touches this source tree outside dist/, the venv, or the build Python's
    standard library, so the bundle does not lean on the machine it was built on. And it opens
    no internet socket.
    """
    trace_dir = tmp_path / "trace"
    trace_dir.mkdir()
    shot_dir = tmp_path / "shots"
    shot = shot_dir / "overview.png"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    strace = ("strace", "-f", "-ff", "-qq", "-z", "-e", "trace=%file,%network")
    done = _run(
        bundle,
        "gui",
        "--data-dir",
        str(demo_dir),
        "--screenshot",
        str(shot),
        cwd=cwd,
        prefix=(*strace, "-o", str(trace_dir / "t")),
    )
    assert done.returncode == 0, done.stderr
    assert shot.exists()
    accessed = _accessed(trace_dir, cwd)
    assert any(p.startswith(str(bundle)) for p in accessed), "the trace saw nothing"

    home = Path(os.environ["HOME"])
    own = [bundle, demo_dir, shot_dir, home]
    build_python = (
        Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    )
    forbidden = [ROOT, Path(sys.prefix), build_python]

    def inside(path: str, roots: list[Path]) -> bool:
        return any(path == str(r) or path.startswith(str(r) + os.sep) for r in roots)

    def ancestor(path: str) -> bool:  # resolving its own location walks up from the bundle
        return any(str(r).startswith(path.rstrip(os.sep) + os.sep) for r in own)

    leaks = sorted(
        p for p in accessed if inside(p, forbidden) and not inside(p, own) and not ancestor(p)
    )
    assert not leaks, f"the bundle reached into the build machine: {leaks[:10]}"

    opened = {
        path
        for path, calls in accessed.items()
        if calls & {"open", "openat", "openat2", "creat", "execve"}
    }
    # What the app needs from the bundle comes from the bundle: the window icon's every size.
    # (A journal already at the newest schema opens without reading the migration scripts.)
    icons = [p for p in opened if p.startswith(str(bundle)) and "/resources/icons/" in p]
    assert len(icons) == 8, icons
    strays = sorted(p for p in opened if not inside(p, own) and not (p + os.sep).startswith(SYSTEM))
    assert not strays, f"opened outside the bundle, the journal and system files: {strays[:10]}"

    connects = [
        line
        for log in trace_dir.iterdir()
        for line in log.read_text(errors="replace").splitlines()
        if re.match(r"^\s*connect\(", line) and ("AF_INET" in line or "AF_INET6" in line)
    ]
    assert not connects, f"the app opened a network connection: {connects[:3]}"
    assert list(cwd.iterdir()) == [], "the app wrote into the folder it was started from"


@pytest.mark.skipif(not _strace_works(), reason="strace is missing or cannot trace here")
def test_bundle_creates_a_journal_with_its_own_migrations(bundle: Path, tmp_path: Path) -> None:
    """A new journal's schema comes from the migration scripts inside the bundle."""
    trace_dir = tmp_path / "trace"
    trace_dir.mkdir()
    strace = ("strace", "-f", "-ff", "-qq", "-z", "-e", "trace=%file")
    target = tmp_path / "new"
    done = _run(
        bundle,
        "cli",
        "demo",
        "--data-dir",
        str(target),
        "--years",
        "1",
        cwd=tmp_path,
        prefix=(*strace, "-o", str(trace_dir / "t")),
    )
    assert done.returncode == 0, done.stderr
    opened = _accessed(trace_dir, tmp_path)
    scripts = [p for p in opened if "/storage/migrations/versions/" in p]
    assert scripts, "no migration script was read"
    assert all(p.startswith(str(bundle)) for p in scripts), scripts
