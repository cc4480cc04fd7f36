"""The visit summary as HTML for QTextDocument: user text escaped, nothing loaded from outside."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from journal import APP_NAME
from journal.domain.glucose_metrics import (
    MIN_DAYS,
    TAR_TARGET_PCT,
    TBR_TARGET_PCT,
    TIR_TARGET_PCT,
    GlucoseMetrics,
)
from journal.domain.indices import REFERENCE_VARIES
from journal.reports.summary import (
    AEROBIC_GUIDE_MIN,
    SECTION_TITLES,
    STRENGTH_GUIDE_DAYS,
    Section,
    SummaryData,
    TrainingSummary,
    WalkSummary,
)

__all__ = ["CHART_URLS", "TITLE", "ChartSize", "esc", "question_line", "summary_html"]

TITLE: Final = "Metabolic health summary"
# Charts travel as images the caller renders; the document refers to them by these names only.
CHART_URLS: Final = {
    Section.TRENDS: "chart:trends",
    Section.TRAINING: "chart:training",
    Section.WALKS: "chart:walks",
}
NOTICE: Final = (
    "Kept by the patient with {app}. Lab values are as the lab reported them (converted values are "
    "marked); calculated indices show their inputs and formula. This summary is meant to support "
    "a conversation with a clinician. It does not make or exclude any diagnosis."
)
_STYLE: Final = """
body { font-size: 9pt; color: #1d1d1f; }
h1 { font-size: 17pt; font-weight: 600; margin: 0; color: #12355b; }
h2 { font-size: 11.5pt; font-weight: 600; color: #12355b; margin-top: 14px; margin-bottom: 4px; }
.sub { color: #555; font-size: 9pt; }
.notice { color: #444; font-size: 8pt; }
.small { font-size: 7.5pt; color: #555; }
.muted { color: #666; }
th { background-color: #e8eef5; font-weight: 600; text-align: left; font-size: 8pt; }
td { font-size: 8pt; }
td.num, th.num { text-align: right; }
.q { font-size: 10pt; font-weight: 600; }
.why { font-size: 8pt; color: #555; }
.answer { font-size: 9pt; color: #1d1d1f; }
"""


@dataclass(frozen=True, slots=True)
class ChartSize:
    """A chart image's size on the page, in 96-dpi pixels (the document's own unit)."""

    width: float
    height: float


def esc(text: object) -> str:
    """Text as HTML that shows literally: `<img src=…>` in a note prints as those characters."""
    return html.escape(str(text), quote=True).replace("\n", "<br>")


_NOWRAP = ' style="white-space: nowrap"'


def _unbreakable(text: str) -> str:
    """Keep "38 mmol/mol" on one line (the cell is also styled nowrap, for the slash)."""
    return text.replace(" ", "\u00a0")


def _date(when: datetime | None, tz: tzinfo) -> str:
    return "—" if when is None else when.astimezone(tz).strftime("%d %b %Y")


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: frozenset[int] = frozenset(),
    widths: Sequence[int] = (),
    nowrap: frozenset[int] = frozenset(),
) -> str:
    """A ruled table; cells are escaped here, so callers pass plain text. Widths in percent."""

    def width(i: int) -> str:
        return f' width="{widths[i]}%"' if i < len(widths) else ""

    head = "".join(
        f'<th class="{"num" if i in numeric else ""}"{width(i)}>{esc(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"num" if i in numeric else ""}"{_NOWRAP if i in nowrap else ""}>'
            f"{_unbreakable(esc(c)) if i in nowrap else esc(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        '<table width="100%" cellspacing="0" cellpadding="3" border="0.5" '
        'style="border-color:#b8c4d0; border-style:solid;">'
        f"<thead><tr>{head}</tr></thead>{''.join(body)}</table>"
    )


def _header(data: SummaryData) -> str:
    o = data.options
    tz = data.tz
    who = []
    if o.name.strip():
        who.append(f"<b>{esc(o.name.strip())}</b>")
    if o.date_of_birth.strip():
        who.append(f"born {esc(o.date_of_birth.strip())}")
    period = f"{o.start:%d %b %Y} to {o.end:%d %b %Y}"
    generated = data.generated_at.astimezone(tz).strftime("%d %b %Y, %H:%M")
    lines = [f"<h1>{esc(TITLE)}</h1>"]
    if who:
        lines.append(f'<p class="sub" style="margin:2px 0 0 0;">{" · ".join(who)}</p>')
    lines.append(
        f'<p class="sub" style="margin:2px 0 6px 0;">Period {esc(period)} · '
        f"generated {esc(generated)} · {data.draws_in_period} lab draw"
        f"{'' if data.draws_in_period == 1 else 's'} in the period</p>"
    )
    lines.append(f'<p class="notice">{esc(NOTICE.format(app=APP_NAME))}</p>')
    return "".join(lines)


def _lab_keys(names: Iterable[str | None]) -> dict[str, str]:
    """A short key per lab (A, B, …) in order of first appearance, so long names print once."""
    keys: dict[str, str] = {}
    for name in names:
        if name and name not in keys:
            n = len(keys)
            keys[name] = chr(ord("A") + n) if n < 26 else str(n + 1)
    return keys


def _labs(data: SummaryData) -> str:
    if not data.labs:
        return '<p class="muted">No lab results in this period.</p>'
    keys = _lab_keys(r.lab for r in data.labs)
    several = len(keys) > 1
    headers = ["Drawn", "Test", "Result", "Other units", "Lab's range", "Flag", "Fasting"]
    widths = [12, 26, 13, 13, 14, 7, 9]
    if several:
        headers.append("Lab")
        widths = [12, 24, 13, 13, 13, 7, 9, 5]
    rows = []
    for r in data.labs:
        row = [
            _date(r.drawn, data.tz),
            r.name,
            r.value,
            r.other,
            r.reference,
            r.flag or "",
            r.fasting,
        ]
        if several:
            row.append(keys.get(r.lab or "", "—"))
        rows.append(row)
    if several:
        labs = "; ".join(f"{key} = {esc(name)}" for name, key in keys.items())
        where = f"Labs: {labs}. "
    elif keys:
        where = f"Lab: {esc(next(iter(keys)))}. "
    else:
        where = ""
    return _table(headers, rows, widths=widths, nowrap=frozenset({0, 2, 3})) + (
        f'<p class="small">{where}The newest result of each test in the period. "Other units" '
        "is converted by the app with the factors in its clinical reference; the lab reported "
        "the value in the Result column. Fasting “?” means it was not recorded.</p>"
    )


def _indices(data: SummaryData) -> str:
    if not data.indices:
        return (
            '<p class="muted">No index could be calculated from this period\'s draws (they need '
            "fasting glucose with insulin, or triglycerides with HDL).</p>"
        )
    parts = []
    for row in data.indices:
        notes = " ".join(esc(n) for n in row.notes if n)
        parts.append(
            "<tr>"
            f"<td><b>{esc(row.name)}</b></td>"
            f'<td class="num"><b>{esc(row.value)}</b></td>'
            f"<td>{esc(_date(row.drawn, data.tz))}</td>"
            f'<td>{esc(row.inputs)}<br><span class="small">{esc(row.formula)}'
            f"{'<br>' + notes if notes else ''}</span></td>"
            "</tr>"
        )
    head = "".join(
        f"<th{cls}>{h}</th>"
        for h, cls in (
            ("Index", ""),
            ("Value", ' class="num"'),
            ("Draw", ""),
            ("Inputs and formula", ""),
        )
    )
    sources = sorted({row.source for row in data.indices if row.source})
    return (
        '<table width="100%" cellspacing="0" cellpadding="3" border="0.5" '
        'style="border-color:#b8c4d0; border-style:solid;">'
        f"<thead><tr>{head}</tr></thead>{''.join(parts)}</table>"
        f'<p class="small">Calculated by the app, not measured by a lab. '
        f"{esc(REFERENCE_VARIES)} Cut-offs for these indices are not agreed between "
        f"guidelines. Sources: {esc('; '.join(sources))}.</p>"
    )


def _image(section: Section, sizes: Mapping[Section, ChartSize]) -> str:
    size = sizes.get(section)
    if size is None:
        return ""
    return (
        f'<p style="margin:4px 0;"><img src="{CHART_URLS[section]}" '
        f'width="{size.width:.0f}" height="{size.height:.0f}"></p>'
    )


def _trends(data: SummaryData, sizes: Mapping[Section, ChartSize]) -> str:
    if not data.trend_keys:
        return '<p class="muted">No markers to chart yet.</p>'
    return _image(Section.TRENDS, sizes) + (
        '<p class="small">Every draw on record up to the end of the period. Shaded bands are '
        "guideline ranges; grey ticks are each lab's own range. A hollow point was not a "
        "confirmed fasting draw.</p>"
    )


def _training(t: TrainingSummary, sizes: Mapping[Section, ChartSize], tz: tzinfo) -> str:
    gap = f"{t.longest_gap_days:.1f} days"
    if t.longest_gap_from is not None and t.longest_gap_to is not None:
        gap += f" ({_date(t.longest_gap_from, tz)} – {_date(t.longest_gap_to, tz)})"
    facts = (
        f"<p>{t.sessions} sessions, {t.minutes_per_week:.0f} minutes a week on average. "
        f"Covered by a session's {t.window_hours:.0f}-hour window: "
        f"<b>{t.coverage_pct:.0f} %</b> of the time; longest gap {esc(gap)}. "
        f"Weeks with {AEROBIC_GUIDE_MIN} minutes or more: {t.weeks_aerobic_met} of {t.weeks}; "
        f"weeks with resistance training on {STRENGTH_GUIDE_DAYS} or more days: "
        f"{t.weeks_strength_met} of {t.weeks}.</p>"
    )
    rows = [
        (
            r.label,
            str(r.sessions),
            *(f"{m:.0f}" for m in r.minutes_per_week),
            f"{r.total_per_week:.0f}",
            f"{r.weeks_aerobic_met}/{r.weeks}",
            f"{r.weeks_strength_met}/{r.weeks}",
            f"{r.coverage_pct:.0f} %",
        )
        for r in t.rows
    ]
    headers = (
        t.span.capitalize(),
        "Sessions",
        *t.kind_columns,
        "Total",
        f"≥ {AEROBIC_GUIDE_MIN} min",
        f"≥ {STRENGTH_GUIDE_DAYS} strength days",
        "Covered",
    )
    n = len(headers)
    table = _table(headers, rows, numeric=frozenset(range(1, n)))
    note = (
        f'<p class="small">Minutes a week by kind, averaged over the weeks of each {t.span}; the '
        "two guideline columns count weeks that met 150 minutes of activity and two days of "
        "muscle-strengthening.</p>"
    )
    return facts + table + note + _image(Section.TRAINING, sizes)


def _walks(w: WalkSummary, sizes: Mapping[Section, ChartSize]) -> str:
    if w.walks == 0:
        return '<p class="muted">No walks after meals recorded in this period.</p>'
    rows = [
        (
            r.meal,
            f"{r.days_with_walk} of {r.days}",
            f"{r.share_pct:.0f} %",
            f"{r.on_target_pct:.0f} %",
            r.median_delay,
            r.median_length,
        )
        for r in w.rows
    ]
    table = _table(
        ("Meal", "Days with a walk", "Share", "On target", "Median start", "Median length"),
        rows,
        numeric=frozenset({1, 2, 3, 4, 5}),
    )
    note = (
        f'<p class="small">On target: started within {w.target_delay_min:.0f} minutes after the '
        f"meal and lasted at least {w.min_length_min:.0f} minutes. Median start is minutes after "
        "the meal ended.</p>"
    )
    return table + note + _image(Section.WALKS, sizes)


def _glucose(g: GlucoseMetrics | None) -> str:
    if g is None:
        return '<p class="muted">No sensor readings in this period.</p>'
    rows = [
        (
            "Time in range 70–180 mg/dL (3.9–10.0 mmol/L)",
            f"{g.tir_pct:.1f} %",
            f"> {TIR_TARGET_PCT:.0f} %",
        ),
        ("Below 70 mg/dL (3.9 mmol/L)", f"{g.tbr_pct:.1f} %", f"< {TBR_TARGET_PCT:.0f} %"),
        ("of which below 54 mg/dL (3.0 mmol/L)", f"{g.tbr2_pct:.1f} %", "< 1 %"),
        ("Above 180 mg/dL (10.0 mmol/L)", f"{g.tar_pct:.1f} %", f"< {TAR_TARGET_PCT:.0f} %"),
        ("of which above 250 mg/dL (13.9 mmol/L)", f"{g.tar2_pct:.1f} %", "< 5 %"),
        ("Mean glucose", f"{g.mean_mgdl:.0f} mg/dL ({g.mean_mmoll:.1f} mmol/L)", ""),
        (
            "GMI (estimated from the mean, not a lab A1C)",
            f"{g.gmi_pct:.1f} % ({g.gmi_mmolmol:.0f} mmol/mol)",
            "",
        ),
        ("Coefficient of variation", f"{g.cv_pct:.0f} %", "≤ 36 %"),
    ]
    table = _table(("Measure", "This period", "Consensus target"), rows, numeric=frozenset({1, 2}))
    info = (
        f"<p>{g.readings:,} sensor readings on {g.days} days; the sensor was recording about "
        f"{g.active_pct:.0f} % of the time on those days.</p>"
    )
    warn = ""
    if g.insufficient:
        warn = f'<p class="small"><b>Read with care:</b> {esc(g.insufficient)}</p>'
    note = (
        '<p class="small">Targets are the international consensus values for most adults with '
        f"diabetes (Battelino 2019), shown for orientation; at least {MIN_DAYS} days of data "
        "are needed for these figures to mean much.</p>"
    )
    return info + warn + table + note


def question_line(number: int, text: str) -> str:
    """The printed first line of a question, as the layout finds it again."""
    return f"{number}. {text}"


def _questions(data: SummaryData, break_before: frozenset[int]) -> str:
    if not data.questions:
        return '<p class="muted">No questions chosen for printing.</p>'
    parts = []
    for number, q in enumerate(data.questions, start=1):
        page = " page-break-before: always;" if number in break_before else ""
        block = [
            f'<p class="q" style="margin:10px 0 2px 0;{page}">'
            f"{esc(question_line(number, q.text))}</p>"
        ]
        if q.basis:
            block.append(
                f'<p class="why" style="margin:0 0 2px 14px;">Why I ask: {esc(q.basis)}</p>'
            )
        if q.answer:
            when = f" ({_date(q.answered_at, data.tz)})" if q.answered_at else ""
            block.append(
                f'<p class="answer" style="margin:2px 0 0 14px;"><i>Answer{esc(when)}:</i> '
                f"{esc(q.answer)}</p>"
            )
        else:
            block.append('<p style="margin:0 0 0 14px;" class="small">Notes:</p><hr><hr>')
        parts.append("".join(block))
    return "".join(parts)


def summary_html(
    data: SummaryData,
    chart_sizes: Mapping[Section, ChartSize],
    break_before: frozenset[Section] = frozenset(),
    questions_on_new_page: frozenset[int] = frozenset(),
) -> str:
    """The whole document. `chart_sizes` names the charts the caller will supply as images;
    sections in `break_before`, and the questions numbered in `questions_on_new_page`, start
    on a new page."""
    body = [_header(data)]
    order: list[tuple[Section, str]] = []
    if data.has(Section.LABS):
        order.append((Section.LABS, _labs(data)))
    if data.has(Section.INDICES):
        order.append((Section.INDICES, _indices(data)))
    if data.has(Section.TRENDS):
        order.append((Section.TRENDS, _trends(data, chart_sizes)))
    if data.training is not None:
        order.append((Section.TRAINING, _training(data.training, chart_sizes, data.tz)))
    if data.walks is not None:
        order.append((Section.WALKS, _walks(data.walks, chart_sizes)))
    if data.has(Section.GLUCOSE) and data.glucose is not None:
        order.append((Section.GLUCOSE, _glucose(data.glucose)))
    if data.has(Section.QUESTIONS):
        order.append((Section.QUESTIONS, _questions(data, questions_on_new_page)))
    for section, content in order:
        style = ' style="page-break-before: always;"' if section in break_before else ""
        body.append(f"<h2{style}>{esc(SECTION_TITLES[section])}</h2>{content}")
    return f"<html><head><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>"
