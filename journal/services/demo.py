"""The demo journal: a deterministic, realistic story of drifting markers, then training."""

from __future__ import annotations

import math
import random
import time as _time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from journal.domain.analytes import get_analyte
from journal.domain.entities import (
    Fasting,
    GlucoseReading,
    GlucoseSource,
    LabDraw,
    LabResult,
    Meal,
    PostMealWalk,
    Question,
    ResistanceSet,
    WalkKind,
    Workout,
    WorkoutKind,
)
from journal.services.journal import JournalServices

# The story (Maria in users.md, three to ten years earlier): a woman of 49 at the end of the
# period whose insulin resistance (a latent 0–1 score, `_Story.resistance`) creeps up for 60 % of
# the period while her fasting glucose stays "normal"; then she starts combined training and
# after-meal walks and the score falls back over the following months. Every lab value, the
# size of the CGM meal peaks and the body measures are drawn from that score plus noise.
#
# Volumes. The issue asks for ~40 draws, ~3,000 workouts, ~10,000 walks and ~1 M readings over
# ten years. Draws and readings follow directly (a draw every ~3 months; 14-day sensors worn
# ~95 % of the time: 1.0 M readings). Workouts: 3,000 in ten years is ~5.8 a week on average,
# far above a sparse beginner, so the years before the change alternate *active phases* (a
# session on 90 % of days for 8–16 weeks: a walking challenge, a running plan, a summer of
# cycling, all easy aerobic work) with *lapses* of 2–5 weeks (a few walks or rides a month),
# and holidays and illness with nothing: ~4.8 a week. After the change every cycle commute is
# logged one leg at a time, as a watch does, which with two resistance sessions, a weekend
# ride or hike and occasional HIIT makes ~7 a week. Ten years give 2,900–3,050 workouts.
# Walks: the demo person is the heaviest real user the benchmarks plan for (~10,000 walks in
# ten years, 2.7 a day). She has a dog: before the change it is walked after most breakfasts
# and dinners, but late (a median of 45 minutes after eating, so rarely on target); after the
# change the walks start soon after eating (median ~9 minutes), lunch walks become a habit and
# desk calf raises follow afternoon snacks. Ten years give about 9,500-10,000 walks.

CHANGE_AT = 0.6  # share of the period before the training starts
HEIGHT_M = 1.64
SOURCE = "demo"
DEFAULT_ZONE = "Europe/London"
LIBRE = "FreeStyle Libre 2"
DEXCOM = "Dexcom G7"
FINGERSTICK_METER = "Contour Next One"

# Per-meal probability of a walk on an ordinary day, before and after the change.
WALK_RATES: dict[Meal, tuple[float, float]] = {
    Meal.BREAKFAST: (0.88, 0.93),
    Meal.LUNCH: (0.70, 0.90),
    Meal.DINNER: (0.88, 0.96),
    Meal.SNACK: (0.30, 0.80),
}
PRE_ACTIVE_DAY_P = 0.90  # chance of a session on a day of an active phase
PRE_LAPSE_DAY_P = 0.10  # "a few walks or rides a month"

Progress = Callable[[str, float], None]

_SLOT = 300  # seconds between CGM readings


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What generate_demo wrote: counts, the period it covers and how long it took."""

    start: date
    end: date
    change_on: date
    draws: int
    workouts: int
    walks: int
    glucose_readings: int
    questions: int
    elapsed_s: float


def generate_demo(
    services: JournalServices,
    *,
    years: int = 3,
    seed: int = 1,
    end: date | None = None,
    tz: tzinfo | None = None,
    progress: Progress | None = None,
    glucose_days: int | None = None,
) -> DemoSummary:
    """Write a demo journal of `years` years ending on `end` (default: today) into `services`.

    The same arguments always give the same values. Refuses (ValueError) a journal that already
    holds entries, so demo data is never mixed into someone's own. `glucose_days` limits the
    sensor and finger-stick readings to the last that many days (None: the whole period).
    Each kind of record goes in through its service's validating bulk method, one transaction
    each; if a later phase fails, the earlier ones stay, so use a fresh data folder.
    """
    started = _time.perf_counter()
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 50:
        raise ValueError("years must be a whole number from 1 to 50")
    if glucose_days is not None and glucose_days < 0:
        raise ValueError("glucose_days must be zero or more")
    _require_empty(services)
    zone = tz if tz is not None else ZoneInfo(DEFAULT_ZONE)
    now = services.clock()
    last = end if end is not None else now.astimezone(zone).date()
    first = _years_before(last, years) + timedelta(days=1)
    story = _Story(first, last, zone, now, seed)
    report = progress or _no_progress

    report("labs", 0.0)
    draws = _lab_draws(story, random.Random(f"{seed}:labs"))
    services.labs.add_draws(draws)
    report("labs", 1.0)

    report("workouts", 0.0)
    workouts = _workouts(story, random.Random(f"{seed}:workouts"))
    services.training.add_workouts(workouts)
    report("workouts", 1.0)

    report("walks", 0.0)
    walks = _meals_and_walks(story, random.Random(f"{seed}:meals"))
    services.walks.add_walks(walks)
    report("walks", 1.0)

    report("glucose", 0.0)
    days = story.n_days if glucose_days is None else min(glucose_days, story.n_days)
    cgm = _Glucose(story, random.Random(f"{seed}:glucose"), story.n_days - days)
    readings = services.glucose.bulk_add(cgm.readings(report))
    report("glucose", 1.0)

    questions = _questions()
    for question in questions:
        services.questions.add_question(question)

    return DemoSummary(
        start=first,
        end=last,
        change_on=story.change_on,
        draws=len(draws),
        workouts=len(workouts),
        walks=len(walks),
        glucose_readings=readings,
        questions=len(questions),
        elapsed_s=_time.perf_counter() - started,
    )


def _no_progress(_phase: str, _fraction: float) -> None:
    return None


def _require_empty(services: JournalServices) -> None:
    counts = {
        "lab draws": services.labs.count(),
        "workouts": services.training.count(),
        "walks": services.walks.count(),
        "glucose readings": services.glucose.count(),
        "questions": len(services.questions.list_questions()),
    }
    held = [f"{n:,} {what}" for what, n in counts.items() if n]
    if held:
        raise ValueError(
            "This journal already holds entries ("
            + ", ".join(held)
            + "). Demo data is only written into an empty journal, so that it can never be "
            "mixed with your own; choose a new, empty data folder for the demo."
        )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- the story -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Day:
    """One local day of the story: what kind of day it was and what happened on it."""

    day: date
    index: int
    post: bool
    holiday: bool = False
    ill: bool = False
    sessions: list[tuple[datetime, datetime, WorkoutKind]] = field(default_factory=list)
    meals: list[tuple[Meal, datetime, float]] = field(default_factory=list)  # end, walk effect


class _Story:
    """The period, the calendar of holidays and illness, and the latent insulin resistance."""

    def __init__(self, first: date, last: date, zone: tzinfo, now: datetime, seed: int) -> None:
        self.first = first
        self.last = last
        self.zone = zone
        self.now = now
        self.n_days = (last - first).days + 1
        self.change_index = round(CHANGE_AT * self.n_days)
        self.change_on = first + timedelta(days=self.change_index)
        self.horizon = min(self.local(last + timedelta(days=1), 0), now)
        rng = random.Random(f"{seed}:calendar")
        self.days = [
            _Day(first + timedelta(days=i), i, post=i >= self.change_index)
            for i in range(self.n_days)
        ]
        self._mark_breaks(rng)
        self.fasting_noise = [rng.gauss(0.0, 1.6) for _ in range(self.n_days)]

    def _mark_breaks(self, rng: random.Random) -> None:
        """Two holidays a year (a long summer one and a shorter one) and one or two illnesses."""
        year_starts = range(0, self.n_days, 365)
        for y in year_starts:
            summer = y + rng.randint(170, 220)
            self._mark(summer, rng.randint(10, 21), holiday=True)
            other = y + rng.choice((rng.randint(80, 120), rng.randint(340, 358)))
            self._mark(other, rng.randint(7, 10), holiday=True)
            for _ in range(rng.choice((1, 1, 2))):
                self._mark(y + rng.randint(0, 364), rng.randint(4, 11), holiday=False)

    def _mark(self, start: int, length: int, *, holiday: bool) -> None:
        for i in range(max(0, start), min(self.n_days, start + length)):
            if holiday:
                self.days[i].holiday = True
            else:
                self.days[i].ill = True

    def resistance(self, t: float) -> float:
        """The latent insulin-resistance score on day t: 0.05 → 0.9 before the change, then down."""
        tc = float(self.change_index)
        if t <= tc:
            return 0.05 + 0.85 * math.pow(max(t, 0.0) / tc, 1.6)
        return 0.28 + 0.62 * math.exp(-(t - tc) / 150.0)

    def local(self, day: date, minutes: int) -> datetime:
        """A local time of day on `day`, as an aware UTC datetime."""
        hour, minute = divmod(minutes, 60)
        extra = timedelta(days=hour // 24)
        wall = datetime.combine(day + extra, time(hour % 24, minute), tzinfo=self.zone)
        return wall.astimezone(UTC)

    def midnight_ts(self, day: date) -> int:
        return int(datetime.combine(day, time.min, tzinfo=self.zone).timestamp())

    def weeks_since_change(self, index: int) -> float:
        return max(0.0, (index - self.change_index) / 7.0)


def _clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def _round(value: float, decimals: int) -> float:
    """Round half up, as a lab report does (Python's round() rounds half to even)."""
    scale = math.pow(10.0, decimals)
    return math.floor(value * scale + 0.5) / scale


# --- lab draws -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lab:
    name: str
    si: bool
    ifcc: bool  # HbA1c in mmol/mol
    flags: bool  # prints H/L beside out-of-range results


_BRIGHTWATER = _Lab("Brightwater Clinical Laboratories", si=False, ifcc=False, flags=True)
_MERIDIAN = _Lab("Meridian Diagnostics", si=False, ifcc=False, flags=False)
_LAKESHORE = _Lab("Lakeshore Medical Laboratories, Toronto", si=True, ifcc=False, flags=True)
_KINGSBRIDGE = _Lab("Kingsbridge Hospital Pathology", si=True, ifcc=True, flags=True)


@dataclass(frozen=True, slots=True)
class _Spec:
    """How a lab reports one analyte: unit, decimals, reference range and printed name."""

    unit: str
    decimals: int
    low: float | None
    high: float | None
    text: str | None
    name: str


_CONVENTIONAL: dict[str, _Spec] = {
    "glucose": _Spec("mg/dL", 0, 70, 99, "70-99", "Glucose, Fasting"),
    "insulin": _Spec("µIU/mL", 1, 2.6, 24.9, "2.6-24.9", "Insulin"),
    "hba1c": _Spec("%", 1, 4.0, 5.6, "<5.7", "Hemoglobin A1c"),
    "triglycerides": _Spec("mg/dL", 0, None, 149, "<150", "Triglycerides"),
    "hdl": _Spec("mg/dL", 0, 50, None, ">=50", "HDL Cholesterol"),
    "ldl": _Spec("mg/dL", 0, None, 99, "<100", "LDL Cholesterol (calc)"),
    "total_cholesterol": _Spec("mg/dL", 0, None, 199, "<200", "Cholesterol, Total"),
    "hs_crp": _Spec("mg/L", 1, None, 3.0, "<3.0", "hs-CRP"),
    "alt": _Spec("U/L", 0, 7, 35, "7-35", "ALT (SGPT)"),
    "weight": _Spec("lb", 1, None, None, None, "Weight"),
    "bmi": _Spec("kg/m²", 1, None, None, None, "BMI"),
    "waist": _Spec("in", 1, None, None, None, "Waist circumference"),
}
_SI: dict[str, _Spec] = {
    "glucose": _Spec("mmol/L", 1, 3.6, 5.5, "3.6-5.5", "Glucose Fasting"),
    "insulin": _Spec("pmol/L", 0, 16, 150, "16-150", "Insulin, fasting"),
    "hba1c": _Spec("%", 1, 4.0, 5.6, "<=5.6", "Hemoglobin A1C"),
    "triglycerides": _Spec("mmol/L", 2, None, 1.69, "<1.70", "Triglyceride"),
    "hdl": _Spec("mmol/L", 2, 1.30, None, ">=1.30", "HDL-Cholesterol"),
    "ldl": _Spec("mmol/L", 2, None, 3.49, "<3.50", "LDL-Cholesterol (calculated)"),
    "total_cholesterol": _Spec("mmol/L", 2, None, 5.19, "<5.20", "Cholesterol"),
    "hs_crp": _Spec("mg/L", 1, None, 3.0, "<3.0", "C-Reactive Protein, High Sensitivity"),
    "alt": _Spec("U/L", 0, 7, 35, "7-35", "Alanine Aminotransferase"),
    "weight": _Spec("kg", 1, None, None, None, "Weight"),
    "bmi": _Spec("kg/m²", 1, None, None, None, "BMI"),
    "waist": _Spec("cm", 0, None, None, None, "Waist circumference"),
}
_IFCC_HBA1C = _Spec("mmol/mol", 0, 20, 41, "20-41", "HbA1c (IFCC)")

_DRAW_NOTES = (
    "Annual physical.",
    "Follow-up lipids, as the doctor asked.",
    "Last meal 20:00 the evening before.",
    "Asked for fasting insulin this time.",
    "Results from the patient portal PDF.",
)


def _lab_for(index: int, when: date, story: _Story) -> _Lab:
    """A third of the draws at the Toronto lab (SI), a few at a hospital lab with IFCC HbA1c."""
    if index % 3 == 1:
        return _LAKESHORE
    if index % 10 == 8:
        return _KINGSBRIDGE
    return _BRIGHTWATER if (when - story.first).days < story.n_days // 2 else _MERIDIAN


def _lab_draws(story: _Story, rng: random.Random) -> list[LabDraw]:
    """About four draws a year; insulin only from roughly the second year on."""
    dates: list[date] = []
    offset = rng.randint(7, 40)
    while offset < story.n_days:
        dates.append(story.first + timedelta(days=offset))
        offset += 91 + rng.randint(-21, 21)
    insulin_from = min(365, round(0.25 * story.n_days))
    first_insulin = next(
        (i for i, d in enumerate(dates) if (d - story.first).days >= insulin_from), None
    )
    last_fasting_before = max(
        (
            i
            for i, d in enumerate(dates)
            if d < story.change_on and _fasting_for(i, first_insulin) is Fasting.YES
        ),
        default=None,
    )
    draws: list[LabDraw] = []
    for i, day in enumerate(dates):
        fasting = _fasting_for(i, first_insulin)
        draw = _draw(
            story,
            rng,
            i,
            day,
            fasting,
            with_insulin=first_insulin is not None and i >= first_insulin,
            peak=i == last_fasting_before,
        )
        if draw.drawn_at <= story.horizon:
            draws.append(draw)
    return draws


def _fasting_for(index: int, first_insulin: int | None) -> Fasting:
    """Mostly fasting: the second draw with insulin went unrecorded, and a few later ones too."""
    if (first_insulin is not None and index == first_insulin + 1) or index % 13 == 12:
        return Fasting.UNKNOWN
    if index % 11 == 10:
        return Fasting.NO
    return Fasting.YES


def _draw(
    story: _Story,
    rng: random.Random,
    index: int,
    day: date,
    fasting: Fasting,
    *,
    with_insulin: bool,
    peak: bool,
) -> LabDraw:
    t = float((day - story.first).days)
    r = story.resistance(t)
    lab = _lab_for(index, day, story)

    # "True" values, conventional units; fasting unless the draw says otherwise.
    glucose = 87.0 + 9.0 * r + rng.gauss(0.0, 1.8)
    glucose = min(glucose, 99.0) if not peak else _clamp(glucose + 5.0, 100.6, 102.4)
    insulin = (5.5 + 12.0 * r) * math.exp(rng.gauss(0.0, 0.08))
    hba1c = 5.15 + 0.35 * r + rng.gauss(0.0, 0.04)
    tg = (85.0 + 95.0 * r) * math.exp(rng.gauss(0.0, 0.07))
    hdl = (60.0 - 14.0 * r) * math.exp(rng.gauss(0.0, 0.03))
    ldl = (110.0 + 20.0 * r) * math.exp(rng.gauss(0.0, 0.05))
    if fasting is Fasting.NO:  # an afternoon draw after lunch
        glucose = rng.uniform(108.0, 132.0)
        insulin = rng.uniform(32.0, 58.0)
        tg *= 1.3
    weight_kg = (66.0 + 10.0 * r) + rng.gauss(0.0, 0.6)
    waist_cm = 80.0 + 14.0 * r + rng.gauss(0.0, 1.0)

    results: list[LabResult] = []

    def add(analyte: str, conventional_value: float) -> float:
        spec = _spec(lab, analyte)
        base = get_analyte(analyte).conventional_unit
        value = _round(
            get_analyte(analyte).convert(conventional_value, base, spec.unit), spec.decimals
        )
        results.append(_result(lab, analyte, spec, value))
        return value

    add("glucose", glucose)
    if with_insulin:
        add("insulin", insulin)
    if index % 6 != 4:
        add("hba1c", hba1c)
    tg_r = add("triglycerides", tg)
    hdl_r = add("hdl", hdl)
    # The lab measures TC, TG and HDL and calculates LDL (Friedewald) from what it reports.
    tc_spec = _spec(lab, "total_cholesterol")
    tc_true = ldl + hdl + tg / 5.0
    tc_r = _round(
        get_analyte("total_cholesterol").convert(tc_true, "mg/dL", tc_spec.unit), tc_spec.decimals
    )
    ldl_r = tc_r - hdl_r - (tg_r / 2.2 if lab.si else tg_r / 5.0)
    results.append(
        _result(lab, "ldl", _spec(lab, "ldl"), _round(ldl_r, _spec(lab, "ldl").decimals))
    )
    results.append(_result(lab, "total_cholesterol", tc_spec, tc_r))
    if rng.random() < 0.35:
        crp = (0.8 + 2.4 * r) * math.exp(rng.gauss(0.0, 0.35))
        add("hs_crp", max(crp, 0.2))
    if rng.random() < 0.4:
        add("alt", (16.0 + 14.0 * r) * math.exp(rng.gauss(0.0, 0.1)))
    if index % 2 == 0:
        weight = add("weight", get_analyte("weight").convert(weight_kg, "kg", "lb"))
        kg = get_analyte("weight").convert(weight, _spec(lab, "weight").unit, "kg")
        add("bmi", kg / HEIGHT_M**2)
        add("waist", get_analyte("waist").convert(waist_cm, "cm", "in"))

    if fasting is Fasting.YES:
        minutes = rng.randint(7 * 60 + 40, 9 * 60 + 30)
        hours_fasted: float | None = _round(rng.uniform(10.0, 14.0) * 2, 0) / 2
        notes = rng.choice(_DRAW_NOTES) if rng.random() < 0.3 else None
    elif fasting is Fasting.UNKNOWN:
        minutes = rng.randint(9 * 60, 11 * 60)
        hours_fasted = None
        notes = "Not sure whether I had breakfast before this one."
    else:
        minutes = rng.randint(13 * 60 + 30, 16 * 60)
        hours_fasted = _round(rng.uniform(2.0, 4.0) * 2, 0) / 2
        notes = "Afternoon draw after lunch, not fasting."
    return LabDraw(
        drawn_at=story.local(day, minutes),
        fasting=fasting,
        hours_fasted=hours_fasted,
        lab_name=lab.name,
        notes=notes,
        source=SOURCE,
        results=tuple(results),
    )


def _spec(lab: _Lab, analyte: str) -> _Spec:
    if analyte == "hba1c" and lab.ifcc:
        return _IFCC_HBA1C
    return (_SI if lab.si else _CONVENTIONAL)[analyte]


def _result(lab: _Lab, analyte: str, spec: _Spec, value: float) -> LabResult:
    flag: str | None = None
    if lab.flags:
        if spec.high is not None and value > spec.high:
            flag = "H"
        elif spec.low is not None and value < spec.low:
            flag = "L"
    return LabResult(
        analyte=analyte,
        value=value,
        unit=spec.unit,
        ref_low=spec.low,
        ref_high=spec.high,
        ref_text=spec.text,
        flag=flag,
        reported_name=spec.name,
    )


# --- workouts ------------------------------------------------------------------------------

_WORKOUT_NOTES = (
    "Legs heavy today.",
    "Felt strong.",
    "Headwind all the way home.",
    "Short on time, kept it brief.",
    "Knee a bit sore, went easy.",
    "Lovely morning for it.",
    "Rain the whole way.",
)

# (exercise, starting load kg, load after a year, step kg); None load = body weight.
_PROGRAMME: tuple[tuple[str, float | None, float | None, float], ...] = (
    ("Goblet squat", 8.0, 20.0, 2.0),
    ("Romanian deadlift", 20.0, 45.0, 2.5),
    ("Dumbbell bench press", 6.0, 14.0, 1.0),
    ("Seated cable row", 20.0, 40.0, 2.5),
    ("Lat pulldown", 25.0, 40.0, 2.5),
    ("Leg press", 60.0, 110.0, 5.0),
    ("Dumbbell shoulder press", 5.0, 10.0, 1.0),
    ("Glute bridge", None, None, 0.0),
    ("Split squat", None, None, 0.0),
)


def _workouts(story: _Story, rng: random.Random) -> list[Workout]:
    out: list[Workout] = []
    active = rng.random() < 0.5
    left = 0
    theme = "walking"
    for d in story.days:
        if not d.post:
            if left <= 0:
                active = not active
                left = rng.randint(56, 112) if active else rng.randint(14, 35)
                theme = rng.choice(("walking", "running", "cycling", "classes"))
            left -= 1
        if d.holiday or d.ill:
            continue
        planned = _post_day(story, d, rng) if d.post else _pre_day(story, d, rng, active, theme)
        for workout in planned:
            if workout.started_at > story.horizon:
                continue
            out.append(workout)
            d.sessions.append((workout.started_at, workout.ended_at, workout.kind))
    return out


def _pre_day(story: _Story, d: _Day, rng: random.Random, active: bool, theme: str) -> list[Workout]:
    if rng.random() >= (PRE_ACTIVE_DAY_P if active else PRE_LAPSE_DAY_P):
        return []
    weekend = d.day.weekday() >= 5
    if not active:
        activity = rng.choice(("Walk", "Walk", "Easy bike ride"))
    elif theme == "running":
        activity = rng.choice(("Run", "Run", "Run/walk intervals", "Brisk walk"))
    elif theme == "cycling":
        activity = rng.choice(("Bike ride", "Bike ride", "Brisk walk"))
    elif theme == "classes":
        activity = rng.choice(("Spin class", "Swim", "Brisk walk", "Aqua aerobics"))
    else:
        activity = rng.choice(("Brisk walk", "Brisk walk", "Walk", "Hike"))
    morning = rng.random() < 0.4
    minutes = (
        rng.randint(9 * 60 + 30, 11 * 60)
        if weekend
        else rng.randint(6 * 60 + 30, 7 * 60)
        if morning
        else rng.randint(17 * 60 + 15, 18 * 60)
    )
    workouts = [_aerobic(story.local(d.day, minutes), activity, rng, weekend)]
    if active and rng.random() < 0.08:  # the odd second session: an evening walk
        start = story.local(d.day, rng.randint(17 * 60 + 30, 18 * 60 + 10))
        if start > workouts[0].ended_at:
            workouts.append(_aerobic(start, "Walk", rng, False))
    return workouts


def _post_day(story: _Story, d: _Day, rng: random.Random) -> list[Workout]:
    """The weekly plan after the change: strength Mon/Thu, bike commutes, weekend ride or hike."""
    weekday = d.day.weekday()
    weeks = story.weeks_since_change(d.index)
    commute_ok = weeks >= 3  # the bike arrived three weeks in
    evening = story.local(d.day, rng.randint(17 * 60 + 15, 17 * 60 + 50))
    out: list[Workout] = []
    roll = rng.random()
    if weekday in (0, 3):
        if roll < 0.9:
            combined = weekday == 3 and rng.random() < 0.3
            out.append(_strength(evening, rng, weeks, combined=combined))
    elif weekday in (1, 2, 4):
        p = (0.8, 0.6, 0.7)[(1, 2, 4).index(weekday)]
        if commute_ok and roll < p:
            out.append(_commute(story.local(d.day, rng.randint(7 * 60 + 30, 8 * 60)), rng))
            out.append(_commute(story.local(d.day, rng.randint(17 * 60 + 20, 17 * 60 + 50)), rng))
        elif weekday == 4 and roll < p + 0.2:
            out.append(_hiit(evening, rng))
        elif weekday == 2 and roll < p + 0.3:
            out.append(_aerobic(evening, rng.choice(("Swim", "Brisk walk")), rng, False))
    elif weekday == 5:
        if roll < 0.6:
            out.append(_aerobic(story.local(d.day, rng.randint(570, 630)), "Long ride", rng, True))
        elif roll < 0.85:
            out.append(_aerobic(story.local(d.day, rng.randint(570, 630)), "Hike", rng, True))
    elif roll < 0.5:
        out.append(_aerobic(story.local(d.day, rng.randint(600, 660)), "Brisk walk", rng, True))
    return out


_AEROBIC: dict[str, tuple[int, int, int, int, int, int, float | None]] = {
    # activity: minutes low/high, RPE low/high, HR low/high, speed km/h (None: no distance)
    "Walk": (25, 45, 2, 3, 92, 108, 4.8),
    "Brisk walk": (30, 60, 3, 4, 100, 118, 5.6),
    "Hike": (90, 180, 3, 5, 105, 125, 4.2),
    "Run": (20, 40, 5, 7, 140, 160, 9.0),
    "Run/walk intervals": (25, 35, 4, 6, 125, 150, 7.0),
    "Bike ride": (40, 80, 3, 5, 112, 135, 19.0),
    "Easy bike ride": (30, 50, 2, 3, 100, 118, 16.0),
    "Long ride": (70, 130, 4, 6, 115, 140, 21.0),
    "Spin class": (45, 45, 6, 7, 135, 155, None),
    "Swim": (30, 45, 4, 5, 0, 0, 2.2),
    "Aqua aerobics": (45, 45, 3, 4, 0, 0, None),
    "Cycle commute": (22, 32, 3, 4, 110, 130, 18.0),
}


def _aerobic(start: datetime, activity: str, rng: random.Random, weekend: bool) -> Workout:
    lo, hi, rpe_lo, rpe_hi, hr_lo, hr_hi, speed = _AEROBIC[activity]
    minutes = rng.randint(lo, hi)
    if weekend and activity in ("Walk", "Brisk walk", "Bike ride"):
        minutes = min(hi + 30, minutes + 20)
    watch = hr_hi > 0 and rng.random() < 0.75
    avg_hr = rng.randint(hr_lo, hr_hi) if watch else None
    distance = None
    if speed is not None and (watch or rng.random() < 0.5):
        distance = _round(speed * rng.uniform(0.9, 1.1) * minutes / 60.0, 2)
    return Workout(
        started_at=start,
        duration_min=float(minutes),
        kind=WorkoutKind.AEROBIC,
        activity=activity,
        rpe=rng.randint(rpe_lo, rpe_hi),
        avg_hr=avg_hr,
        max_hr=avg_hr + rng.randint(12, 25) if avg_hr is not None else None,
        distance_km=distance,
        energy_kcal=float(round(minutes * rng.uniform(4.5, 7.5))) if watch else None,
        notes=rng.choice(_WORKOUT_NOTES) if rng.random() < 0.06 else None,
        source=SOURCE,
    )


def _commute(start: datetime, rng: random.Random) -> Workout:
    return _aerobic(start, "Cycle commute", rng, False)


def _hiit(start: datetime, rng: random.Random) -> Workout:
    minutes = rng.randint(20, 30)
    avg_hr = rng.randint(148, 162)
    return Workout(
        started_at=start,
        duration_min=float(minutes),
        kind=WorkoutKind.HIIT,
        activity=rng.choice(("Bike intervals 8x30s", "HIIT circuit", "Hill repeats")),
        rpe=rng.randint(8, 9),
        avg_hr=avg_hr,
        max_hr=min(avg_hr + rng.randint(12, 20), 185),
        energy_kcal=float(round(minutes * rng.uniform(8.0, 10.0))),
        notes=rng.choice(_WORKOUT_NOTES) if rng.random() < 0.06 else None,
        source=SOURCE,
    )


def _strength(start: datetime, rng: random.Random, weeks: float, *, combined: bool) -> Workout:
    """A full-body session whose loads climb over the first year, in the gym's plate steps."""
    progress = min(1.0, weeks / 52.0)
    count = 3 if combined else rng.randint(4, 6)
    chosen = rng.sample(range(len(_PROGRAMME)), count)
    sets: list[ResistanceSet] = []
    for i in sorted(chosen):
        exercise, low, high, step = _PROGRAMME[i]
        load = None
        if low is not None and high is not None:
            raw = low + (high - low) * progress * rng.uniform(0.9, 1.05)
            load = max(low, round(raw / step) * step)
        sets.append(
            ResistanceSet(exercise, rng.choice((2, 3, 3, 3)), rng.choice((8, 10, 12)), load)
        )
    if combined:
        minutes = rng.randint(50, 70)
        avg_hr: int | None = rng.randint(118, 135)
        activity = "Circuit: weights and bike"
        kind = WorkoutKind.COMBINED
    else:
        minutes = rng.randint(40, 60)
        avg_hr = rng.randint(98, 115) if rng.random() < 0.6 else None
        activity = rng.choice(("Full-body strength", "Gym: strength", "Strength (home, dumbbells)"))
        kind = WorkoutKind.RESISTANCE
    return Workout(
        started_at=start,
        duration_min=float(minutes),
        kind=kind,
        activity=activity,
        rpe=rng.randint(6, 8),
        avg_hr=avg_hr,
        notes=rng.choice(_WORKOUT_NOTES[:5]) if rng.random() < 0.08 else None,
        source=SOURCE,
        sets=tuple(sets),
    )


# --- meals and walks -----------------------------------------------------------------------

_WALK_NOTES = (
    "Around the block.",
    "Rain, short loop.",
    "With a neighbour.",
    "Along the canal.",
    "Windy.",
    "Slow, chatting the whole way.",
    "Round the park twice.",
)


def _meals_and_walks(story: _Story, rng: random.Random) -> list[PostMealWalk]:
    """Meal times for every day (the CGM follows them) and the walks taken after some meals."""
    walks: list[PostMealWalk] = []
    for d in story.days:
        weekend = d.day.weekday() >= 5
        morning_end = max(
            (e for s, e, _ in d.sessions if s.astimezone(story.zone).hour < 12), default=None
        )
        evening_end = max(
            (e for s, e, _ in d.sessions if s.astimezone(story.zone).hour >= 15), default=None
        )
        breakfast = story.local(d.day, _normal_minutes(rng, 540 if weekend else 460, 20, 410, 615))
        if morning_end is not None and breakfast < morning_end + timedelta(minutes=20):
            breakfast = morning_end + timedelta(minutes=rng.randint(20, 40))
        lunch = story.local(d.day, _normal_minutes(rng, 795 if weekend else 780, 15, 735, 840))
        if morning_end is not None and lunch < morning_end + timedelta(minutes=30):
            lunch = morning_end + timedelta(minutes=rng.randint(30, 60))
        dinner = story.local(d.day, _normal_minutes(rng, 1180, 22, 1135, 1245))
        if evening_end is not None and dinner < evening_end + timedelta(minutes=40):
            dinner = evening_end + timedelta(minutes=rng.randint(40, 60))
        meals = [(Meal.BREAKFAST, breakfast), (Meal.LUNCH, lunch)]
        if rng.random() < 0.35:
            meals.append((Meal.SNACK, story.local(d.day, rng.randint(930, 1005))))
        meals.append((Meal.DINNER, dinner))
        for meal, ended in meals:
            effect = 1.0
            if rng.random() < _walk_chance(story, d, meal):
                walk = _walk(meal, ended, rng, weekend, late=not d.post)
                if walk.started_at <= story.horizon:
                    walks.append(walk)
                    # An early walk blunts the meal's glucose peak more than a late one.
                    delay = walk.minutes_after_eating
                    calf = walk.kind is not WalkKind.WALK
                    effect = 0.85 if calf else min(0.9, 0.55 + 0.015 * delay)
            d.meals.append((meal, ended, effect))
    return walks


def _normal_minutes(rng: random.Random, mean: float, sd: float, low: int, high: int) -> int:
    return int(_clamp(round(rng.gauss(mean, sd)), low, high))


def _walk_chance(story: _Story, d: _Day, meal: Meal) -> float:
    before, after = WALK_RATES[meal]
    if d.post:  # the habit takes three weeks to settle
        ramp = min(1.0, story.weeks_since_change(d.index) / 3.0)
        chance = before + (after - before) * ramp
    else:
        chance = before
    if d.ill:
        chance *= 0.2
    elif d.holiday:
        chance *= 0.7
    return chance


def _walk(
    meal: Meal, ended: datetime, rng: random.Random, weekend: bool, *, late: bool = False
) -> PostMealWalk:
    calf_raises = (meal is Meal.SNACK and rng.random() < 0.6) or rng.random() < 0.02
    if late:  # the dog's walk before the change: whenever it suited, not soon after eating
        calf_raises = False
        delay = int(_clamp(round(math.exp(rng.gauss(math.log(45.0), 0.4))), 20, 150))
    else:
        delay = int(_clamp(round(math.exp(rng.gauss(math.log(9.0), 0.45))), 2, 45))
    if calf_raises:
        minutes = rng.randint(10, 15)
        pace = None
        distance = None
        notes: str | None = "At my desk." if rng.random() < 0.3 else None
        kind = WalkKind.CALF_RAISES
    else:
        minutes = int(_clamp(round(rng.triangular(10, 25, 15 if not weekend else 20)), 10, 25))
        pace = _round(rng.uniform(4.5, 5.8), 1)
        distance = _round(pace * minutes / 60.0, 2) if rng.random() < 0.5 else None
        notes = rng.choice(_WALK_NOTES) if rng.random() < 0.05 else None
        kind = WalkKind.WALK
    return PostMealWalk(
        meal=meal,
        meal_ended_at=ended,
        started_at=ended + timedelta(minutes=delay),
        duration_min=float(minutes),
        kind=kind,
        pace_kmh=pace,
        distance_km=distance,
        notes=notes,
        source=SOURCE,
    )


# --- glucose -------------------------------------------------------------------------------

# Meal response, one value per 5 minutes from 20 minutes before the meal ended: a squared gamma
# bump peaking ~25 min after the meal and back near baseline by ~2.5 h.
_MEAL_LEAD = 4
_MEAL_KERNEL: tuple[float, ...] = tuple(
    (x * math.exp(1.0 - x)) ** 2 for x in ((-20 + 5 * k + 20) / 45.0 for k in range(48))
)
_MEAL_PEAK = {Meal.BREAKFAST: 36.0, Meal.LUNCH: 30.0, Meal.DINNER: 40.0, Meal.SNACK: 14.0}


@dataclass(frozen=True, slots=True)
class _Sensor:
    first: int  # slot index (inclusive) of the first reading after warm-up
    stop: int  # slot index (exclusive)
    device: str
    phase: int  # seconds after the slot grid at which this sensor reads
    bias: float  # a sensor reads a few per cent high or low all its life
    gaps: tuple[tuple[int, int], ...]  # lost-signal stretches, slot ranges


class _Glucose:
    """The day-by-day glucose curve of the story, and the sensors that read it."""

    def __init__(self, story: _Story, rng: random.Random, from_index: int) -> None:
        self.story = story
        self.rng = rng
        self.from_index = from_index
        first_day = story.first + timedelta(days=from_index)
        self.t0 = story.midnight_ts(first_day)
        self.n = max(0, (int(story.horizon.timestamp()) - self.t0) // _SLOT)
        self.days = story.days[max(0, from_index - 1) :] if from_index < story.n_days else []
        self.values: list[float] = []
        self.sensors: list[_Sensor] = []
        self.sticks: list[tuple[int, float]] = []
        if self.n > 0:
            self._curve()
            self._sensors()
            self._fingersticks()

    def _slot(self, moment: datetime) -> int:
        return (int(moment.timestamp()) - self.t0) // _SLOT

    def _curve(self) -> None:
        story, rng, n = self.story, self.rng, self.n
        values = [0.0] * n
        # A baseline that moves smoothly from one day's fasting level to the next.
        previous: float | None = None
        for d in self.days:
            r = story.resistance(float(d.index))
            base = 87.0 + 9.0 * r - 4.0 + story.fasting_noise[d.index] + rng.gauss(0.0, 1.5)
            a = (story.midnight_ts(d.day) - self.t0) // _SLOT
            b = (story.midnight_ts(d.day + timedelta(days=1)) - self.t0) // _SLOT
            start = base if previous is None else previous
            span = max(1, b - a)
            for j in range(max(a, 0), min(b, n)):
                values[j] = start + (base - start) * (j - a) / span
            previous = base
            self._day_shape(values, d, r, a)
        # Physiological wander and sensor noise: an AR(1) process, sd about 5 mg/dL.
        e = 0.0
        gauss = rng.gauss
        for j in range(n):
            e = 0.93 * e + gauss(0.0, 1.9)
            values[j] += e
        self.values = values

    def _day_shape(self, values: list[float], d: _Day, r: float, a: int) -> None:
        rng, n = self.rng, len(values)

        def bump(at: int, kernel: Sequence[float], scale: float) -> None:
            for k, v in enumerate(kernel):
                j = at + k
                if 0 <= j < n:
                    values[j] += scale * v

        # A slight overnight dip, then the dawn rise peaking about 06:30.
        bump(a, _NIGHT, 1.0)
        for meal, ended, effect in d.meals:
            scale = _MEAL_PEAK[meal] * (0.75 + 0.6 * r) * math.exp(rng.gauss(0.0, 0.25)) * effect
            bump(self._slot(ended) - _MEAL_LEAD, _MEAL_KERNEL, scale)
        for start, end, kind in d.sessions:
            s, e = self._slot(start), self._slot(end)
            length = max(1, e - s)
            if kind is WorkoutKind.HIIT:
                bump(s, [min(k, length) / length for k in range(length)] + _RECOVER, 15.0)
            elif kind is WorkoutKind.AEROBIC:
                bump(s, [min(k, 4) / 4 for k in range(length)] + _RECOVER, -9.0)
            else:
                bump(s, [1.0] * length + _RECOVER, 4.0)
        if rng.random() < 0.03:  # lying on the sensor: a false low in the small hours
            bump(a + rng.randint(30, 54), _COMPRESSION, -rng.uniform(18.0, 28.0))

    def _sensors(self) -> None:
        """14-day sensors (10½ for the G7) back to back, with warm-ups and a few gaps."""
        story, rng, n = self.story, self.rng, self.n
        holidays = {d.index for d in story.days if d.holiday}
        switch = self._slot(story.local(story.change_on, 0)) + 180 * 288
        t = -rng.randint(0, 13 * 288)  # the first sensor was already running
        skipped_until = -1
        while t < n:
            device = LIBRE if t < switch else DEXCOM
            life = 14 * 288 if device == LIBRE else 10 * 288 + 144
            warm = 12 if device == LIBRE else 6
            if rng.random() < 0.05:
                life = rng.randint(3 * 288, life)  # came off or failed early
            first, stop = max(t + warm, 0), min(t + life, n)
            gaps: list[tuple[int, int]] = []
            for _ in range(rng.randint(0, 3)):
                g = rng.randint(t + warm, t + life - 30)
                gaps.append((g, g + rng.randint(3, 24)))
            phase = rng.randrange(_SLOT)
            bias = math.exp(rng.gauss(0.0, 0.04))
            if stop > first:
                self.sensors.append(_Sensor(first, stop, device, phase, bias, tuple(gaps)))
            # Usually the next sensor goes on within hours; sometimes the box is empty for days.
            t += life + (rng.randint(0, 36) if rng.random() < 0.9 else rng.randint(288, 4 * 288))
            day = self.from_index + max(t, 0) // 288
            if day in holidays and day > skipped_until and rng.random() < 0.35:
                # No sensor packed for this holiday: the next one goes on the day after it.
                while day + 1 in holidays:
                    day += 1
                skipped_until = day
                t = max(t, (day + 1 - self.from_index) * 288 + rng.randint(96, 180))

    def _fingersticks(self) -> None:
        """A finger-stick now and then: mostly a fasting check before breakfast."""
        story, rng = self.story, self.rng
        for d in self.days:
            if rng.random() >= 0.08:
                continue
            if d.meals and rng.random() < 0.7:
                moment = d.meals[0][1] - timedelta(minutes=rng.randint(20, 45))
            else:
                moment = story.local(d.day, rng.randint(1230, 1290))
            j = self._slot(moment)
            if 0 <= j < self.n:
                self.sticks.append((j, self.values[j] + 5.0 + rng.gauss(0.0, 4.0)))

    @staticmethod
    def _lost(sensor: _Sensor) -> set[int]:
        lost: set[int] = set()
        for a, b in sensor.gaps:
            lost.update(range(max(a, sensor.first), min(b, sensor.stop)))
        return lost

    def expected(self) -> int:
        """How many readings readings() will yield."""
        worn = sum(s.stop - s.first - len(self._lost(s)) for s in self.sensors)
        return worn + len(self.sticks)

    def readings(self, report: Progress) -> Iterator[GlucoseReading]:
        total = max(1, self.expected())
        emitted = 0
        cgm = GlucoseSource.CGM
        values, t0 = self.values, self.t0
        for s in self.sensors:
            lost = self._lost(s)
            base = t0 + s.phase
            for j in range(s.first, s.stop):
                if j in lost:
                    continue
                v = values[j] * s.bias
                value = 40.0 if v < 40.0 else 400.0 if v > 400.0 else float(int(v + 0.5))
                at = datetime.fromtimestamp(base + j * _SLOT, UTC)
                yield GlucoseReading(at, value, "mg/dL", cgm, s.device)
                emitted += 1
                if emitted % 20_000 == 0:
                    report("glucose", min(1.0, emitted / total))
        for j, v in self.sticks:
            at = datetime.fromtimestamp(t0 + j * _SLOT + 120, UTC)
            value = float(int(_clamp(v, 40.0, 400.0) + 0.5))
            yield GlucoseReading(at, value, "mg/dL", GlucoseSource.FINGERSTICK, FINGERSTICK_METER)


_RECOVER = [1.0 - k / 8 for k in range(1, 8)]
_COMPRESSION = [math.sin(math.pi * k / 10) for k in range(11)]
_NIGHT = [
    # 00:00–04:00 drift down 4 mg/dL; 04:00–09:00 the dawn rise of ~6 mg/dL and back.
    (-4.0 * k / 48 if k < 48 else -4.0 + 10.0 * math.sin(math.pi * (k - 48) / 60))
    for k in range(108)
]


# --- questions -----------------------------------------------------------------------------


def _questions() -> list[Question]:
    return [
        Question(
            "My fasting glucose has always been called normal. Is it worth repeating fasting "
            "insulin once a year, now that I can compare it with earlier results?"
        ),
        Question(
            "Should I keep wearing a glucose sensor most of the time, or would a couple of "
            "weeks a year tell us enough?"
        ),
    ]
