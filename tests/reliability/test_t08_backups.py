"""T8: backups taken while entries are being written are consistent, private and thinned as set."""

from __future__ import annotations

import stat
import threading
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from journal.domain.entities import Question
from journal.services.journal import JournalServices
from journal.services.maintenance import retention_from
from journal.storage.backup import (
    BackupError,
    Retention,
    backup_file,
    backup_time,
    integrity_ok,
    list_backups,
    thin_backups,
)
from journal.storage.database import open_journal
from journal.ui.preferences import Preferences
from tests.factories import NOW
from tests.reliability.helpers import corrupt_table, raw_rows


def test_T8_backups_under_write_load_are_consistent_private_and_atomic(
    data_dir: Path, umask_022: None
) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        stop = threading.Event()
        written: list[int] = []

        def writer() -> None:
            while not stop.is_set():
                services.questions.add_question(Question(f"question {len(written)}"))
                written.append(1)
                stop.wait(0.002)  # a breath between entries lets the backup take its turn

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        made = []
        try:
            for _ in range(5):
                while len(written) < 20 * (len(made) + 1):
                    stop.wait(0.005)
                before = len(services.questions.list_questions())
                backup = services.maintenance.backup_now(retention=Retention(recent=10))
                after = len(services.questions.list_questions())
                made.append((backup, before, after))
        finally:
            stop.set()
            thread.join(10)
    for backup, before, after in made:
        assert integrity_ok(backup)
        ((count,),) = raw_rows(backup, "SELECT count(*) FROM question")
        assert before <= int(count) <= after  # a committed prefix, taken mid-stream
        texts = [r[0] for r in raw_rows(backup, "SELECT text FROM question ORDER BY id")]
        assert texts == [f"question {i}" for i in range(len(texts))]  # no gaps, no half rows
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert list_backups(data_dir / "backups") == sorted((b for b, _, _ in made), reverse=True)
    assert [
        p.name for p in (data_dir / "backups").iterdir() if not p.name.endswith(".sqlite3")
    ] == []
    assert stat.S_IMODE((data_dir / "backups").stat().st_mode) == 0o700


def _expected(stamps: list[datetime], policy: Retention) -> set[datetime]:
    """The policy, stated independently: group by period, keep each recent group's newest."""
    keep = set(sorted(stamps, reverse=True)[: policy.recent])
    periods = (
        (policy.daily, lambda t: t.date()),
        (policy.weekly, lambda t: t.isocalendar()[:2]),
        (policy.monthly, lambda t: (t.year, t.month)),
    )
    for count, period in periods:
        groups: dict[object, list[datetime]] = defaultdict(list)
        for stamp in stamps:
            groups[period(stamp)].append(stamp)
        for key in sorted(groups, reverse=True)[:count]:  # type: ignore[type-var]
            keep.add(max(groups[key]))
    return keep


def _name(stamp: datetime) -> str:
    return f"journal-{stamp.strftime('%Y%m%dT%H%M%S%fZ')}-on-close.sqlite3"


def test_T8_retention_keeps_exactly_the_configured_days_weeks_and_months(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    prefs = Preferences(settings)
    prefs.set("backups/keep_daily", 5)
    prefs.set("backups/keep_weekly", 3)
    prefs.set("backups/keep_monthly", 4)
    policy = retention_from(prefs.get)
    assert (policy.daily, policy.weekly, policy.monthly) == (5, 3, 4)

    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    # Irregular use: several backups some days, none for a while on others.
    stamps = [
        start + timedelta(hours=h) for h in range(0, 24 * 270, 7) if (h // 24) % 11 not in (3, 4)
    ]
    for stamp in stamps:
        (folder / _name(stamp)).write_bytes(b"")
    (folder / "journal-20260101T000000000000Z-manual.sqlite3.tmp").write_bytes(b"")

    removed = thin_backups(folder, policy)

    kept = {backup_time(p) for p in list_backups(folder)}
    assert kept == _expected(stamps, policy)
    assert len(removed) == len(stamps) - len(kept)
    assert len(kept) <= policy.recent + policy.daily + policy.weekly + policy.monthly
    # By hand: the latest backup of each of the five latest days with backups is among them.
    by_day: dict[date, datetime] = {}
    for stamp in stamps:
        by_day[stamp.date()] = max(stamp, by_day.get(stamp.date(), stamp))
    for day in sorted(by_day, reverse=True)[:5]:
        assert by_day[day] in kept
    assert min(kept) >= datetime(2026, 7, 1, tzinfo=UTC)  # nothing older than four months
    assert (folder / "journal-20260101T000000000000Z-manual.sqlite3.tmp").exists()  # not a backup


def test_T8_no_backup_is_made_of_a_journal_that_fails_its_quick_check(data_dir: Path) -> None:
    with open_journal(data_dir) as opened:
        services = JournalServices(opened.session_factory, clock=lambda: NOW)
        for i in range(50):
            services.questions.add_question(Question(f"question {i} " + "x" * 200))
        good = services.maintenance.backup_now()
    database = data_dir / "journal.sqlite3"
    corrupt_table(database, "question")

    with pytest.raises(BackupError, match="quick check"):
        backup_file(database, data_dir / "backups", reason="manual")
    assert list_backups(data_dir / "backups") == [good]  # the good one stays, nothing added
    assert [p.name for p in (data_dir / "backups").iterdir()] == [good.name]
