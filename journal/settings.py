"""Every user preference, declared once: key, type, default, label and allowed values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str
    help: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)  # stored value -> label
    minimum: float | None = None
    maximum: float | None = None
    suffix: str = ""
    optional: bool = False
    section: str = "General"

    def coerce(self, raw: object) -> Any:
        """Turn a stored value back into this setting's type, falling back to the default."""
        if raw is None or raw == "":
            return None if self.optional else self.default
        try:
            if self.type is bool:
                value: Any = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true")
            else:
                value = self.type(raw)
        except (TypeError, ValueError):
            return self.default
        if self.choices and value not in self.choices:
            return self.default
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return self.default
            if self.maximum is not None and value > self.maximum:
                return self.default
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "units/system",
        str,
        "conventional",
        "Units for new results",
        "How new lab values are entered and shown. Stored values keep the unit the lab used.",
        choices={"conventional": "US conventional (mg/dL, µIU/mL)", "si": "SI (mmol/L, pmol/L)"},
        section="Units",
    ),
    Setting(
        "profile/sex",
        str,
        "",
        "Sex (optional)",
        "Used only to pick the HDL cut-off (below 40 mg/dL for men, 50 for women).",
        choices={"": "Not set", "female": "Female", "male": "Male"},
        section="Profile",
    ),
    Setting(
        "profile/birth_year",
        int,
        None,
        "Year of birth (optional)",
        "Used to estimate heart-rate zones.",
        minimum=1900,
        maximum=2100,
        optional=True,
        section="Profile",
    ),
    Setting(
        "profile/name",
        str,
        "",
        "Name on the printed summary (optional)",
        section="Profile",
    ),
    Setting(
        "profile/date_of_birth",
        str,
        "",
        "Date of birth on the printed summary (optional)",
        "As YYYY-MM-DD.",
        section="Profile",
    ),
    Setting(
        "training/coverage_window_h",
        int,
        48,
        "How long one session counts",
        "A session's effect on insulin sensitivity lasts roughly one to three days.",
        minimum=24,
        maximum=72,
        suffix=" h",
        section="Training",
    ),
    Setting(
        "walks/target_delay_min",
        int,
        15,
        "Start a walk within",
        "A walk counts as on target when it starts within this many minutes of the meal ending.",
        minimum=0,
        maximum=120,
        suffix=" min after eating",
        section="Walks",
    ),
    Setting(
        "backups/keep_daily",
        int,
        7,
        "Daily backups to keep",
        "The newest backup of each of this many recent days is kept.",
        minimum=1,
        maximum=90,
        suffix=" days",
        section="Backups",
    ),
    Setting(
        "backups/keep_weekly",
        int,
        4,
        "Weekly backups to keep",
        "Beyond that, the newest backup of each of this many recent weeks.",
        minimum=0,
        maximum=104,
        suffix=" weeks",
        section="Backups",
    ),
    Setting(
        "backups/keep_monthly",
        int,
        12,
        "Monthly backups to keep",
        "And the newest backup of each of this many recent months.",
        minimum=0,
        maximum=120,
        suffix=" months",
        section="Backups",
    ),
)

BY_KEY: Mapping[str, Setting] = {s.key: s for s in SETTINGS}


def setting(key: str) -> Setting:
    return BY_KEY[key]
