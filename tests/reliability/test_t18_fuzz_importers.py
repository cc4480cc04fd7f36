"""T18: every registered import format, fed mutated copies of real files, fails only clearly.

The formats come from the registry (journal/services/importers/registry.py), and the seed files
from tests/data, recognised by content with the app's own sniffers, so a new importer with a
fixture is fuzzed without touching this file (and a format with no fixture fails the first
test). Each mutated file goes through the whole import service: the only error allowed out is
ImportFormatError, a failed import leaves the journal exactly as it was, and what does get in
holds no NaN or infinity.

The parser-level fuzz tests in tests/services (Apple Health, GPX/TCX/FIT, FHIR, CGM) stay; this
adds the journal's own CSV export (fuzzed nowhere else), the import service around every parser,
and the journal-unchanged check.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.services.importers import ImportFormatError, detect_format, registry
from journal.services.journal import JournalServices
from journal.storage.database import OpenJournal, open_journal
from tests import factories
from tests.factories import NOW
from tests.reliability.helpers import journal_content

DATA = Path(__file__).resolve().parents[1] / "data"
FORMATS = list(registry.formats())
EXAMPLES = 200

# Bytes that have broken parsers before: numbers JSON and floats accept but a journal must not
# (NaN, infinities, huge exponents, Python's int-digit limit), nesting, stray markup, NUL.
TOKENS = [
    b"NaN",
    b"nan",
    b"Infinity",
    b"-inf",
    b"1e999",
    b"-0",
    b"9" * 5000,
    b"[" * 5000,
    b"{" * 5000,
    b"<a>" * 500,
    b"&lol;",
    b"]]>",
    b'"',
    b",",
    b"\x00",
    b"\r\n",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    "é\u202e".encode(),
]


def _file_seeds() -> Iterator[tuple[str, bytes]]:
    """Every fixture file under tests/data that a sniffer recognises, with its format."""
    for path in sorted(DATA.rglob("*")):
        if path.is_file() and "golden" not in path.parts:
            key = detect_format(path)
            if key is not None:
                yield key, path.read_bytes()


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class _Seeds(dict[str, list[bytes]]):
    """Kept short in Hypothesis's report of a failing example."""

    def __repr__(self) -> str:
        return f"<seeds: {', '.join(f'{k} x{len(v)}' for k, v in self.items())}>"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[bytes]]:
    """Format key -> valid files of that format: the fixtures, an Apple export.zip, and the
    journal's own CSV export (zipped) of a small journal."""
    found = _Seeds()
    for key, data in _file_seeds():
        found.setdefault(key, []).append(data)
    unzipped = DATA / "apple_health" / "unzipped"
    found.setdefault("apple-health", []).append(
        _zipped({str(p.relative_to(unzipped)): p.read_bytes() for p in unzipped.rglob("*.*")})
    )
    folder = tmp_path_factory.mktemp("t18-export")
    with open_journal(folder / "data") as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        services.labs.add_draw(factories.draw())
        services.training.add_workout(factories.workout())
        services.walks.add_walk(factories.walk())
        services.glucose.add_readings(
            [factories.reading(NOW - timedelta(minutes=5 * i), 80 + i % 60) for i in range(40)]
        )
        out = folder / "export"
        services.exports.export_csv(out)
    export = {f"export/{p.name}": p.read_bytes() for p in sorted(out.iterdir())}
    found.setdefault("journal-csv", []).append(_zipped(export))
    return found


def test_T18_every_registered_format_has_a_seed_to_fuzz(seeds: dict[str, list[bytes]]) -> None:
    assert FORMATS  # the registry loaded
    assert sorted(seeds) == sorted(FORMATS)


def _non_finite(content: dict[str, list[tuple[object, ...]]]) -> list[str]:
    return [
        f"{table}: {row}"
        for table, rows in content.items()
        for row in rows
        if any(isinstance(v, float) and not math.isfinite(v) for v in row)
    ]


@pytest.fixture
def opened(data_dir: Path) -> Iterator[OpenJournal]:
    with open_journal(data_dir) as journal:
        yield journal


@pytest.mark.parametrize("key", FORMATS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    which=st.integers(0, 99),
    cut=st.floats(0.0, 1.0),
    edits=st.lists(
        st.tuples(
            st.floats(0.0, 1.0),
            st.one_of(st.binary(min_size=1, max_size=4), st.integers(0, len(TOKENS) - 1)),
            st.booleans(),  # insert, or overwrite
        ),
        max_size=5,
    ),
    sniffed=st.booleans(),
)
def test_T18_mutated_files_fail_only_with_a_clear_error_and_leave_the_journal_alone(
    key: str,
    seeds: dict[str, list[bytes]],
    opened: OpenJournal,
    tmp_path: Path,
    which: int,
    cut: float,
    edits: list[tuple[float, bytes | int, bool]],
    sniffed: bool,
) -> None:
    buffer = bytearray(seeds[key][which % len(seeds[key])])
    for where, edit, insert in edits:
        chunk = TOKENS[edit] if isinstance(edit, int) else edit  # tokens by index: a short repr
        at = int(where * len(buffer))
        buffer[at : at if insert else at + len(chunk)] = chunk
    if cut < 0.9:
        buffer = buffer[: int(cut * len(buffer))]
    path = tmp_path / f"mutated-{key}"
    path.write_bytes(bytes(buffer))
    services = JournalServices(opened.session_factory, clock=lambda: NOW)
    before = journal_content(opened)
    try:
        services.imports.import_file(path, tz=UTC, format=None if sniffed else key)
    except ImportFormatError as exc:
        message = str(exc)
        assert message.startswith(path.name), message
        assert "\n" not in message
        assert journal_content(opened) == before
    else:
        assert _non_finite(journal_content(opened)) == []
