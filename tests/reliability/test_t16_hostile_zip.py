"""T16: hostile zip archives are refused clearly, nothing is written anywhere, the journal stays.

Both importers that read zips are attacked through the import service: Apple Health
(export.zip) and the journal's own CSV export (a zip of its folder). Nothing is ever extracted
to disk by either, so a hostile member name can only be refused, never written; the test checks
that no file appears anywhere near the archive, that a symbolic link entry is never followed,
that inflating stops at the limits, and that the journal holds exactly what it held before.

Parser-level cases already in tests/services/test_import_apple_health.py (a declared ratio bomb,
a bomb with understated sizes, member paths climbing out) are not repeated here for Apple
Health alone; here every case runs for both zip formats, with time, memory and the journal.
"""

from __future__ import annotations

import random
import stat
import struct
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.storage.database import open_journal
from tests import factories
from tests.factories import NOW
from tests.reliability.helpers import import_each_in_child

APPLE_XML = (
    Path(__file__).resolve().parents[1]
    / "data/apple_health/unzipped/apple_health_export/export.xml"
)
MAX_SECONDS = 5.0
MAX_RSS_MB = 200
BOMB = 256 << 20  # zeros inflated from about 256 KB

Members = list[tuple[str | zipfile.ZipInfo, bytes]]


def _zip(path: Path, members: Members) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def _symlink(name: str, target: Path) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, (2024, 3, 10, 9, 0, 0))
    info.create_system = 3  # Unix: the mode bits below are read by unzip tools
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, str(target).encode()


def _bomb(path: Path, name: str, prefix: Members) -> Path:
    """A member of BOMB zeros, written as a stream (never held in memory whole)."""
    _zip(path, prefix)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, (2024, 3, 10, 9, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(BOMB >> 20):
                member.write(block)
    return path


def _patch(path: Path, old: bytes, new: bytes, count: int) -> Path:
    raw = path.read_bytes()
    assert raw.count(old) == count
    path.write_bytes(raw.replace(old, new))
    return path


def _entries(raw: bytes, name: str) -> tuple[int, int]:
    """Offsets of `name`'s local header and of its central directory entry."""
    central = raw.find(b"PK\x01\x02")
    while central >= 0:
        size = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + size] == name.encode():
            return struct.unpack_from("<I", raw, central + 42)[0], central
        central = raw.find(b"PK\x01\x02", central + 46)
    raise AssertionError(f"{name} is not in the zip")


def _declare_size(path: Path, name: str, size: int) -> Path:
    """Make both headers of `name` claim `size` bytes once inflated."""
    raw = bytearray(path.read_bytes())
    local, central = _entries(bytes(raw), name)
    struct.pack_into("<I", raw, local + 22, size)
    struct.pack_into("<I", raw, central + 24, size)
    path.write_bytes(bytes(raw))
    return path


def _understated(path: Path, name: str, prefix: Members, data: bytes) -> Path:
    """A member whose headers claim it inflates 150 to 1, while it really inflates far more."""
    _zip(path, [*prefix, (name, data)])
    with zipfile.ZipFile(path) as archive:
        packed = archive.getinfo(name).compress_size
    return _declare_size(path, name, 150 * packed)


def _encrypted(path: Path, members: Members, which: str) -> Path:
    """Members as written, with the "encrypted" flag set on `which` (data left as it is)."""
    _zip(path, members)
    raw = bytearray(path.read_bytes())
    local, central = _entries(bytes(raw), which)
    struct.pack_into("<H", raw, local + 6, struct.unpack_from("<H", raw, local + 6)[0] | 1)
    struct.pack_into("<H", raw, central + 8, struct.unpack_from("<H", raw, central + 8)[0] | 1)
    path.write_bytes(bytes(raw))
    return path


def _overlapping(path: Path, members: Members, copies: int) -> Path:
    """The last member listed `copies` times in the directory, all at the same offset: the
    overlap that turns a small file into an endless amount of reading (a "quoted" zip bomb)."""
    _zip(path, members)
    raw = path.read_bytes()
    start = raw.rfind(b"PK\x01\x02")
    end = raw.rfind(b"PK\x05\x06")
    first = raw.find(b"PK\x01\x02")
    directory = raw[first:start] + raw[start:end] * copies
    total = len(members) - 1 + copies
    eocd = bytearray(raw[end:])
    struct.pack_into("<HHII", eocd, 8, total, total, len(directory), first)
    path.write_bytes(raw[:first] + directory + bytes(eocd))
    return path


def _many(path: Path, count: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"junk/{i}.txt", b"")
    return path


@pytest.fixture(scope="module")
def csv_export(tmp_path_factory: pytest.TempPathFactory) -> Members:
    """The journal's own export of a small journal, as the members of its zip."""
    folder = tmp_path_factory.mktemp("export-source")
    with open_journal(folder / "data") as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        services.labs.add_draw(factories.draw())
        services.glucose.add_readings(
            [factories.reading(NOW - timedelta(minutes=5 * i), 80 + i % 60) for i in range(500)]
        )
        out = folder / "export"
        services.exports.export_csv(out)
    return [(f"export/{p.name}", p.read_bytes()) for p in sorted(out.iterdir())]


def _with_nul(path: Path, members: Members, main: str, data: bytes) -> Path:
    """`main`'s bytes under the name "<main>\\0.txt" (Python's zipfile cuts it at the NUL)."""
    _zip(path, [*members, (main + "Q.txt", data)])
    return _patch(path, main[-4:].encode() + b"Q.txt", main[-4:].encode() + b"\x00.txt", 2)


def _overstated(path: Path, members: Members, main: str) -> Path:
    return _declare_size(_zip(path, members), main, 3 << 30)


def _nested(path: Path, members: Members) -> Path:
    return _zip(path, [("inner.zip", _zip(path, members).read_bytes())])


def _cases(folder: Path, csv: Members, outside: Path) -> Iterator[tuple[str, Path]]:
    """(case, archive) for every attack, once per zip format."""
    apple: Members = [("apple_health_export/export.xml", APPLE_XML.read_bytes())]
    for fmt, members, main in (
        ("apple", apple, "apple_health_export/export.xml"),
        ("csv", csv, "export/glucose.csv"),
    ):
        plain = {name: data for name, data in members if isinstance(name, str)}
        rest = [(n, d) for n, d in members if n != main]
        builds: list[tuple[str, Callable[..., Path], tuple[object, ...]]] = [
            *(
                (f"member {evil}", _zip, ([*members, (evil, b"evil")],))
                for evil in (
                    "../../evil.txt",
                    "/tmp/evil.txt",
                    "C:\\evil.txt",
                    "a/../../../evil.txt",
                )
            ),
            ("symlink as the main file", _zip, ([*rest, _symlink(main, outside)],)),
            ("nul in the main file's name", _with_nul, (rest, main, plain[main])),
            ("ratio bomb declared", _bomb, (main, rest)),
            (
                "ratio bomb with understated size",
                _understated,
                (main, rest, plain[main] + b"\n" * (13 << 20)),
            ),
            ("overstated size", _overstated, (members, main)),
            ("nested zip", _nested, (members,)),
            ("encrypted main file", _encrypted, (members, main)),
            ("missing main file", _zip, (rest,)),
        ]
        for name, build, args in builds:
            safe = "".join(c if c.isalnum() else "-" for c in name)
            yield f"{fmt}: {name}", build(folder / f"{fmt}-{safe}.zip", *args)
    noise = random.Random(16).randbytes(3 << 19).hex().encode()  # 3 MiB that hardly deflates
    record = ("apple_health_export/clinical-records/r.json", b'{"x": "' + noise + b'"}')
    yield "apple: overlapping entries", _overlapping(folder / "ao.zip", [*apple, record], 50_000)
    manifest = ("export/manifest.json", dict(csv)["export/manifest.json"])
    yield "csv: overlapping entries", _overlapping(folder / "co.zip", [manifest], 50_000)
    yield "both: 100 000 tiny entries", _many(folder / "many.zip", 100_000)


# Odd members that are harmless because nothing is ever extracted: a name cut at its NUL byte by
# Python's zipfile is only a label for the bytes the member really holds; a size claimed larger
# than the data (and within the ratio limit) reads no more than the data. These may import.
HARMLESS = {
    "apple: nul in the main file's name",
    "csv: nul in the main file's name",
    "csv: overstated size",
}


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_T16_hostile_zips_are_refused_and_nothing_is_written_anywhere(
    tmp_path: Path, csv_export: Members
) -> None:
    cases_dir = tmp_path / "a" / "b" / "cases"  # "../../evil.txt" would land in tmp_path / "a"
    cases_dir.mkdir(parents=True)
    # What a followed link would bring in: an Apple export worth importing.
    outside = tmp_path / "outside-target.xml"
    outside.write_bytes(APPLE_XML.read_bytes())
    cases = dict(_cases(cases_dir, csv_export, outside))
    tmp_evil = Path("/tmp/evil.txt").exists()
    data_dir = tmp_path / "journal-data"
    with open_journal(data_dir) as opened:
        JournalServices(opened.session_factory, clock=lambda: NOW).questions.add_question(
            Question("Kept through every hostile zip")
        )
    before_tree = _tree(tmp_path)

    results, summary = import_each_in_child(data_dir, list(cases.values()), watch=outside)

    by_archive = {r["name"]: r for r in results}
    failures = []
    for case, archive in cases.items():
        result = by_archive[archive.name]
        text = str(result["text"])
        if result["outcome"] == "refused":
            if not text.startswith(archive.name) or "\n" in text:
                failures.append(f"{case}: unclear message {text!r}")
            if not result["unchanged"]:
                failures.append(f"{case}: refused, yet the journal changed")
        elif result["outcome"] != "imported" or case not in HARMLESS:
            failures.append(f"{case}: {result['outcome']} {text}")
        if float(result["seconds"]) > MAX_SECONDS:  # type: ignore[arg-type]
            failures.append(f"{case}: took {result['seconds']:.1f} s")
    after_tree = _tree(tmp_path) - _tree(data_dir) - {"journal-data"}

    assert failures == [], "\n".join(failures)
    assert summary["peak_mb"] < MAX_RSS_MB  # type: ignore[operator]
    assert summary["opened_sentinel"] == []  # the symbolic link's target was never opened
    assert after_tree == before_tree - _tree(data_dir) - {"journal-data"}  # nothing extracted
    assert not any(Path(p).name.startswith("evil") for p in after_tree)
    assert Path("/tmp/evil.txt").exists() == tmp_evil  # the absolute name wrote nothing either
