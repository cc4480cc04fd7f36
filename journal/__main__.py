"""Command line: `metabolic-journal` opens the window; sub-commands script the journal."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from journal import APP_NAME
from journal.paths import ENV_DATA_DIR, resolve_data_dir

PROG = "metabolic-journal"


class CliError(Exception):
    """A problem to report in one line, with a non-zero exit."""


class _VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for (it costs time at start)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(
            option_strings,
            dest,
            default=argparse.SUPPRESS,
            nargs=0,
            help="show program's version number and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kw: object) -> None:
        import journal

        print(f"{APP_NAME} {journal.__version__}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (try '{PROG} --help')\n")


def _add_data_dir(parser: argparse.ArgumentParser, *, top: bool) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help=f"folder holding the journal (default: ${ENV_DATA_DIR} or the platform's data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=f"{APP_NAME}: a private journal of labs, training and post-meal walks. "
        "Without a command, opens the app window.",
    )
    parser.add_argument("--version", action=_VersionAction)
    _add_data_dir(parser, top=True)
    parser.add_argument("--screenshot", metavar="PNG", help=argparse.SUPPRESS)
    parser.add_argument("--page", metavar="NAME", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser("demo", help="write a demo journal to explore (never your own)")
    _add_data_dir(demo, top=False)
    demo.add_argument("--years", type=int, default=3, metavar="N", help="years of data (1-15)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed")

    indices = commands.add_parser("indices", help="print the derived indices of every lab draw")
    _add_data_dir(indices, top=False)
    indices.add_argument("--json", action="store_true", help="print JSON instead of a table")

    stats = commands.add_parser("stats", help="print counts and the latest markers")
    _add_data_dir(stats, top=False)

    check = commands.add_parser("check", help="run an integrity check of the journal")
    _add_data_dir(check, top=False)

    imports = commands.add_parser(
        "import",
        help="import files: CGM exports, FHIR lab results, GPX/TCX/FIT workouts, Apple Health, "
        "or this app's CSV export (a folder or zip)",
    )
    _add_data_dir(imports, top=False)
    imports.add_argument("files", nargs="+", metavar="FILE", help="files to import")

    export = commands.add_parser("export", help="write the whole journal to open files")
    _add_data_dir(export, top=False)
    export.add_argument(
        "--format",
        choices=("csv", "fhir"),
        default="csv",
        help="csv: one CSV file per kind of record; fhir: the lab results as one FHIR R4 "
        "Bundle (JSON)",
    )
    export.add_argument(
        "--out",
        required=True,
        metavar="DIR|FILE",
        help="csv: an empty folder, or a previous export; fhir: the .json file to write",
    )

    summary = commands.add_parser(
        "summary", help="write the visit summary (questions for your physician) as a PDF"
    )
    _add_data_dir(summary, top=False)
    summary.add_argument("--pdf", required=True, metavar="OUT", help="the PDF file to write")
    summary.add_argument(
        "--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD (default: a year ago)"
    )
    summary.add_argument("--to", dest="end", metavar="DATE", help="last day (default: today)")
    summary.add_argument(
        "--paper", choices=("A4", "Letter"), help="paper size (default: from your locale)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # everything we write (journal, backups, exports) is the user's alone
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            from journal.app import run_gui

            return run_gui(args.data_dir, screenshot=args.screenshot, page=args.page)
        handler = {
            "demo": cmd_demo,
            "indices": cmd_indices,
            "stats": cmd_stats,
            "check": cmd_check,
            "import": cmd_import,
            "export": cmd_export,
            "summary": cmd_summary,
        }
        return handler[args.command](args)
    except CliError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _open(args: argparse.Namespace, *, create: bool) -> Any:
    from journal.storage.database import StorageError, open_journal
    from journal.storage.instance import JournalInUseError
    from journal.storage.migrate import JournalTooNewError, MigrationFailedError

    data_dir = resolve_data_dir(args.data_dir)
    try:
        return open_journal(data_dir, create=create)
    except (StorageError, JournalInUseError, JournalTooNewError, MigrationFailedError) as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot open the journal in {data_dir}: {exc.strerror or exc}") from exc


def _services(opened: Any) -> Any:
    from journal.services.journal import JournalServices

    return JournalServices(opened.session_factory)


def cmd_demo(args: argparse.Namespace) -> int:
    from journal.services.demo import generate_demo

    if not getattr(args, "data_dir", None):
        raise CliError("demo needs --data-dir DIR, so it never mixes into your own journal")
    if not 1 <= args.years <= 15:
        raise CliError("--years must be between 1 and 15")
    target = Path(args.data_dir)
    started = time.perf_counter()

    def progress(phase: str, fraction: float) -> None:
        if sys.stderr.isatty():
            print(f"\r{phase:>10}: {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    with _open(args, create=True) as opened:
        try:
            summary = generate_demo(
                _services(opened), years=args.years, seed=args.seed, progress=progress
            )
        except ValueError as exc:
            raise CliError(str(exc)) from exc
    if sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in target.glob("journal.sqlite3*")) / 1e6
    print(
        f"Demo journal written to {target.absolute()}: {summary.draws} lab draws, "
        f"{summary.workouts} workouts, {summary.walks} walks, "
        f"{summary.glucose_readings:,} glucose readings ({elapsed:.1f} s, {size:.1f} MB)."
    )
    return 0


JSON_INDICES = ("homa_ir", "homa_b", "quicki", "tg_hdl", "tyg")


def cmd_indices(args: argparse.Namespace) -> int:

    with _open(args, create=False) as opened:
        rows = _services(opened).labs.indices()
    if args.json:
        out = []
        for draw, indices in rows:
            entry: dict[str, Any] = {}
            for key in JSON_INDICES:
                result = next(r for k, r in indices.items() if k.value == key)
                if result.value is not None and math.isfinite(result.value):
                    entry[key] = {"value": result.value}
                else:
                    entry[key] = {"value": None, "reason": result.reason}
            out.append({"drawn_at": draw.drawn_at.isoformat(), "indices": entry})
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if not rows:
        print("No lab draws yet.")
        return 0
    for draw, indices in rows:
        local = draw.drawn_at.astimezone()
        print(f"{local:%Y-%m-%d %H:%M}  fasting: {draw.fasting}  {draw.lab_name or ''}".rstrip())
        for result in indices.values():
            shown = result.display_text if result.computable else f"not computable: {result.reason}"
            print(f"    {result.name:<10} {shown}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from journal.domain.units import format_value

    with _open(args, create=False) as opened:
        stats = _services(opened).stats.stats()
        data_dir = opened.paths.data_dir
    print(f"Journal: {data_dir}")
    print(f"  Lab draws:        {stats.draws:>10,}  ({stats.results:,} results)")
    print(f"  Workouts:         {stats.workouts:>10,}")
    print(f"  Post-meal walks:  {stats.walks:>10,}")
    print(f"  Glucose readings: {stats.glucose_readings:>10,}")
    print(f"  Questions:        {stats.questions:>10,}")
    if stats.first_entry and stats.last_entry:
        first, last = stats.first_entry.astimezone(), stats.last_entry.astimezone()
        print(f"  Lab draws from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    if stats.latest:
        print("Latest results:")
        for m in stats.latest:
            value = f"{format_value(m.value, m.unit)} {m.unit}"
            print(f"  {m.name:<20} {value:>14}   {m.drawn_at.astimezone():%Y-%m-%d}")
    if stats.latest_indices_draw is not None:
        drawn = stats.latest_indices_draw.drawn_at.astimezone()
        print(f"Indices of the latest draw ({drawn:%Y-%m-%d}):")
        for r in stats.latest_indices:
            shown = r.display_text if r.computable else f"not computable: {r.reason}"
            print(f"  {r.name:<20} {shown}")
    else:
        print("No lab results yet.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _open(args, create=False) as opened:
        report = _services(opened).stats.check()
    for item in report.checked:
        print(f"checked: {item}")
    if report.ok:
        print("The journal is in good order: no problems found.")
        return 0
    print(f"{len(report.problems)} problem(s) found:")
    for problem in report.problems:
        print(f"  - {problem}")
    return 1


def cmd_import(args: argparse.Namespace) -> int:
    from journal.localzone import local_zone
    from journal.services.importers import ImportCancelledError, ImportFormatError

    zone = local_zone()
    status = 0
    with _open(args, create=True) as opened:
        services = _services(opened)
        for name in args.files:
            try:
                receipt, _change = services.imports.import_file(Path(name), tz=zone)
            except (ImportFormatError, ImportCancelledError) as exc:
                print(f"{PROG}: {exc}", file=sys.stderr)
                status = 1
                continue
            print("\n".join(receipt.lines()))
    return status


def cmd_export(args: argparse.Namespace) -> int:
    from journal.services.exporters import ExportCancelledError, ExportRefusedError

    out = Path(args.out)
    if args.format == "fhir":
        return _export_fhir(args, out)
    with _open(args, create=False) as opened:
        try:
            written = _services(opened).exports.export_csv(out)
        except ExportRefusedError as exc:
            raise CliError(f"{exc} (nothing was written)") from exc
        except ExportCancelledError as exc:
            raise CliError(str(exc)) from exc
        except OSError as exc:
            raise CliError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    rows = json.loads(written[-1].read_text(encoding="utf-8")).get("rows", {})
    print(f"Exported the journal to {out} ({len(written)} files):")
    for path in written[:-1]:
        print(f"  {path.name:<24} {rows.get(path.name, 0):>10,} rows")
    return 0


def _export_fhir(args: argparse.Namespace, out: Path) -> int:
    from journal.localzone import local_zone
    from journal.services.exporters import ExportRefusedError

    with _open(args, create=False) as opened:
        try:
            _services(opened).exports.export_fhir(out, tz=local_zone())
        except ExportRefusedError as exc:
            raise CliError(f"{exc} (nothing was written)") from exc
        except OSError as exc:
            raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    bundle = json.loads(out.read_text(encoding="utf-8"))
    print(f"Exported {len(bundle['entry'])} lab results to {out} (FHIR R4 Bundle).")
    return 0


def _date_arg(text: str | None, name: str) -> Any:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{name} {text!r} is not a date like 2026-03-31") from None


def cmd_summary(args: argparse.Namespace) -> int:
    from datetime import datetime

    from journal.localzone import local_zone
    from journal.reports.summary import default_period

    zone = local_zone()
    out = Path(args.pdf)
    if out.is_dir():
        raise CliError(f"{out} is a folder; give a file name such as {out / 'summary.pdf'}")
    if not out.parent.exists():
        raise CliError(f"the folder {out.parent} does not exist")
    default_start, default_end = default_period(datetime.now(zone).date())
    end = _date_arg(args.end, "--to") or default_end
    start = _date_arg(args.start, "--from") or (
        default_start if args.end is None else default_period(end)[0]
    )
    if end < start:
        raise CliError(f"--from {start} is after --to {end}")
    # Charts and PDF need Qt's painting, never a screen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from journal.ui.preferences import Preferences
    from journal.ui.summary_print import options_from_preferences, write_summary_pdf

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("MetabolicJournal")
    options = options_from_preferences(Preferences(), start, end, page_size=args.paper)
    with _open(args, create=False) as opened:
        try:
            _data, pages = write_summary_pdf(_services(opened), options, out, tz=zone)
        except OSError as exc:
            raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    print(f"Visit summary for {start} to {end} written to {out} ({pages} pages).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
