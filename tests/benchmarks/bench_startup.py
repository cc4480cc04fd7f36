"""Benchmark: start-up to first paint and to a filled-in Overview, and peak memory, per process.

Run (needs a display; `make bench` runs it under Xvfb):
    .venv/bin/python tests/benchmarks/bench_startup.py --data-dir DEMO --empty-dir EMPTY [--runs 5]

Every figure is one fresh process, timed from just before it is spawned (time.monotonic in this
process) to the moment the child prints (time.monotonic in the child: the same clock). Kinds:

- bare:    a QApplication and a QMainWindow, until the window's first paint is over;
- imports: the same after importing PySide6, pyqtgraph and SQLAlchemy (ORM), as the app must;
- app:     `python -m journal --data-dir DEMO` with METABOLIC_JOURNAL_BENCH=1, which prints
           the first paint, the Overview shown filled in, and its peak resident memory (VmHWM);
- empty:   the same on an empty journal (the memory floor);
- welcome: the same on a first start (no journal yet), until the welcome's first paint.

Runs are interleaved (bare, imports, app, empty, welcome, bare, ...) so that a busy moment on
a shared machine does not fall on one kind only. Prints medians, or one JSON object with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TIMEOUT_S = 60  # a message box (say, the journal is in use) waits for ever

# The floors: the child prints the moment its first paint is over, like the app's hook.
_FLOOR = """
import sys, time
t_imports = time.monotonic()
{imports}
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1240, 800)
done = []
def report():
    if not done:
        done.append(1)
        print(f"bench first_paint {{time.monotonic():.6f}}", flush=True)
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                print(f"bench vmhwm_kb {{line.split()[1]}}", flush=True)
        QTimer.singleShot(0, app.quit)
class Watcher(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.window() is window:
            QTimer.singleShot(0, report)
        return False
watcher = Watcher()
app.installEventFilter(watcher)
window.show()
app.exec()
"""
_FLOOR_IMPORTS = {
    "bare": "",
    "imports": "import PySide6.QtWidgets, pyqtgraph, sqlalchemy, sqlalchemy.orm",
}


def _command(kind: str, demo: Path, empty: Path, fresh: Path) -> list[str]:
    if kind in _FLOOR_IMPORTS:
        return [sys.executable, "-c", _FLOOR.format(imports=_FLOOR_IMPORTS[kind])]
    folder = {"app": demo, "empty": empty, "welcome": fresh}[kind]
    return [sys.executable, "-m", "journal", "--data-dir", str(folder)]


def run_once(kind: str, demo: Path, empty: Path) -> dict[str, float]:
    """Seconds from spawn to each printed moment, and the child's peak memory in MB."""
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as config:
        # A fresh settings folder: no remembered page or window size, the same start each time.
        env = {**os.environ, "XDG_CONFIG_HOME": config, "METABOLIC_JOURNAL_BENCH": "1"}
        command = _command(kind, demo, empty, Path(config) / "journal")
        started = time.monotonic()
        child = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        killer = threading.Timer(TIMEOUT_S, child.kill)
        killer.start()
        try:
            assert child.stdout is not None
            for line in child.stdout:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "bench":
                    value = float(parts[2])
                    if parts[1] == "vmhwm_kb":
                        result["peak_mb"] = value / 1024
                    else:
                        result[parts[1]] = value - started
                if kind == "welcome" and "first_paint" in result:
                    child.kill()  # the welcome waits for an answer
                    break
        finally:
            killer.cancel()
            child.kill()
            child.wait()
    if "first_paint" not in result:
        raise SystemExit(f"the {kind} run printed no first paint ({' '.join(command)})")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the ten-year demo journal")
    parser.add_argument("--empty-dir", type=Path, required=True, help="an empty journal")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    kinds = ("bare", "imports", "app", "empty", "welcome")
    samples: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    run_once("bare", args.data_dir, args.empty_dir)  # warm the disk cache, not counted
    for _ in range(args.runs):
        for kind in kinds:
            samples[kind].append(run_once(kind, args.data_dir, args.empty_dir))
    medians = {
        kind: {
            key: statistics.median(s[key] for s in runs)
            for key in runs[0]
            if all(key in s for s in runs)
        }
        for kind, runs in samples.items()
    }
    if args.json:
        print(json.dumps({"runs": args.runs, "median": medians, "samples": samples}))
        return 0
    print(f"{'process':<10}{'first paint':>14}{'overview':>12}{'peak MB':>10}")
    for kind, m in medians.items():
        overview = f"{m['overview']:>10.3f} s" if "overview" in m else f"{'':>12}"
        print(f"{kind:<10}{m['first_paint']:>12.3f} s{overview}{m.get('peak_mb', 0):>10.0f}")
    print(f"median of {args.runs} runs each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
