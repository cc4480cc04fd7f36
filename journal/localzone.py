"""The computer's local time zone with its daylight-saving rules, for grouping by local day."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone(
    *,
    environ: Mapping[str, str] | None = None,
    etc: Path = Path("/etc"),
    system_zone_id: Callable[[], str] | None = None,
    reference: datetime | None = None,
) -> tzinfo:
    """This computer's time zone with its daylight-saving rules.

    `datetime.now().astimezone().tzinfo` is a fixed offset: a day that crosses a DST change
    would be cut an hour off. So look for the named zone: TZ, the /etc/localtime symlink,
    /etc/timezone, the /etc/localtime file itself, then Qt's system zone. A candidate counts
    only if it agrees with the system's offset now (`reference`), which catches a stale
    /etc/timezone; if none does, fall back to the fixed offset.
    """
    env = os.environ if environ is None else environ
    now = reference if reference is not None else datetime.now().astimezone()
    for candidate in _zone_candidates(env, etc, system_zone_id or _no_zone_id):
        if candidate is not None and now.astimezone(candidate).utcoffset() == now.utcoffset():
            return candidate
    return now.tzinfo or timezone(now.utcoffset() or timedelta(0))


def _zone_candidates(
    env: Mapping[str, str], etc: Path, system_zone_id: Callable[[], str]
) -> list[tzinfo | None]:
    tz = env.get("TZ")
    if tz is not None:
        # When TZ is set, the C library follows it alone; /etc no longer describes this process.
        spec = tz.removeprefix(":")
        if spec.startswith("/"):
            return [_zone_from_path(Path(spec)), _zone_from_file(Path(spec))]
        return [_zone_named(spec)]
    localtime = etc / "localtime"
    return [
        _zone_from_path(localtime),
        _zone_named(_first_line(etc / "timezone")),
        _zone_from_file(localtime),
        _zone_named(system_zone_id()),
    ]


def _zone_named(key: str | None) -> ZoneInfo | None:
    if not key:
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _zone_from_path(path: Path) -> ZoneInfo | None:
    """The zone a link such as /etc/localtime -> /usr/share/zoneinfo/Europe/Berlin names."""
    try:
        target = os.readlink(path) if path.is_symlink() else str(path)
    except OSError:
        return None
    match = re.search(r"zoneinfo/(?:posix/)?(.+)$", target)
    return _zone_named(match.group(1)) if match else None


def _zone_from_file(path: Path) -> ZoneInfo | None:
    try:
        with path.open("rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        return None


def _first_line(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip().splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError):
        return None


def _no_zone_id() -> str:
    return ""
