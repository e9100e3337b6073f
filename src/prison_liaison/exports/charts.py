"""Server-rendered SVG charts of the programme statistics: published aggregates in, SVG bytes out.

No data leaves the server and no script runs in the browser. Each chart is an accessible image (``role="img"``
with ``<title>`` and ``<desc>``); the description lists every value, so a screen reader gets the table the
bars
show. Suppressed values ("<5", "x") are never drawn as bars — they are written out where the bar would be.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from prison_liaison.planning.statistics import (
    OPEN_STAGES,
    PLAN_DOMAINS,
    SMALL,
    Published,
    ReleaseMonth,
    Statistics,
    csv_rows,
)

# Okabe–Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

STAGE_LABELS_DE = {
    "inquiry": "Anfrage",
    "intake": "Aufnahme",
    "in_custody": "In Haft",
    "released": "Entlassen",
    "completed": "Abgeschlossen",
    "withdrawn": "Ausgestiegen",
    "declined": "Nicht aufgenommen",
}
SOURCE_LABELS_DE = {
    "self": "Selbstmelder:in",
    "police": "Polizei",
    "justice": "Justiz",
    "prison": "JVA",
    "other_programme": "Anderes Programm",
    "other": "Sonstige",
}
DOMAIN_LABELS_DE = {"housing": "Wohnen", "identity": "Ausweis", "income": "Einkommen", "health": "Gesundheit"}

WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 72


def _text(value: Published) -> str:
    return "< 5" if value == SMALL else ("x" if isinstance(value, str) else str(value))


def _number(value: Published) -> int:
    return value if isinstance(value, int) else 0


def _svg(
    chart_id: str, title: str, description: str, body: list[str], legend: list[str] | None = None
) -> bytes:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        *body,
        *(legend or []),
        "</svg>",
    ]
    return "\n".join(parts).encode()


def _axis(top_value: int) -> tuple[list[str], float]:
    """Horizontal grid lines with labels; returns them and the pixels per unit."""
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = max(top_value, 5)
    step = max(1, -(-top_value // 5))
    scale = plot_height / (step * 5)
    lines = []
    for i in range(6):
        y = HEIGHT - BOTTOM - i * step * scale
        lines.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dddddd"/>')
        lines.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333333">{i * step}</text>'
        )
    return lines, scale


def bar_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, Published]],
    colour: str = PALETTE[0],
) -> bytes:
    """One bar per category; suppressed values are written instead of drawn."""
    grid, scale = _axis(max((_number(v) for _, v in bars), default=0))
    body = list(grid)
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    for i, (label, value) in enumerate(bars):
        x = LEFT + i * slot + slot * 0.15
        bar_width = slot * 0.7
        base = HEIGHT - BOTTOM
        if isinstance(value, int) and value > 0:
            h = value * scale
            body.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_width:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
            body.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{base - h - 4:.1f}" '
                f'text-anchor="middle">{value}</text>'
            )
        else:
            body.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" '
                f'fill="#555555">{escape(_text(value))}</text>'
            )
        body.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{base + 16:.1f}" text-anchor="middle" fill="#333333">'
            f"{escape(label)}</text>"
        )
    listing = "; ".join(f"{label}: {_text(value)}" for label, value in bars)
    return _svg(chart_id, title, f"{description} {listing}.", body)


def stacked_bar_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Published]]],
) -> bytes:
    """Stacked bars (one per category, one segment per series). Suppressed segments are left out of the stack
    and named in the description."""
    totals = [sum(_number(values[i]) for _, values in series) for i in range(len(categories))]
    grid, scale = _axis(max(totals, default=0))
    body = list(grid)
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    for i, label in enumerate(categories):
        x = LEFT + i * slot + slot * 0.15
        bar_width = slot * 0.7
        y = float(HEIGHT - BOTTOM)
        hidden = 0
        for s, (_, values) in enumerate(series):
            value = values[i]
            if isinstance(value, int) and value > 0:
                h = value * scale
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[s % len(PALETTE)]}" stroke="#ffffff"/>'
                )
            elif isinstance(value, str):
                hidden += 1
        if hidden:
            body.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'fill="#555555">+{hidden}×'
                "&lt; 5</text>"
            )
        body.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{HEIGHT - BOTTOM + 16:.1f}" text-anchor="middle" '
            f'fill="#333333">{escape(label)}</text>'
        )
    legend = []
    for s, (name, _) in enumerate(series):
        lx = LEFT + (s % 4) * 160
        ly = HEIGHT - BOTTOM + 34 + (s // 4) * 16
        legend.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{ly}">{escape(name)}</text>'
        )
    listing = "; ".join(
        f"{label}: " + ", ".join(f"{name} {_text(values[i])}" for name, values in series)
        for i, label in enumerate(categories)
    )
    return _svg(chart_id, title, f"{description} {listing}.", body, legend)


def statistics_charts(stats: Statistics) -> dict[str, bytes]:
    """The charts of the statistics page, by name: stages, referrals, releases, visits."""
    period = f"{stats.from_date.strftime('%d.%m.%Y')} bis {stats.to_date.strftime('%d.%m.%Y')}"
    return {
        "stages": stacked_bar_chart(
            "chart-stages",
            title="Fälle nach Phase (Monatsende)",
            description=f"Anzahl der Fälle je Phase am Monatsende, {period}. Werte unter 5 ausgeblendet.",
            categories=[row.month for row in stats.cases_by_stage],
            series=[
                (STAGE_LABELS_DE[stage], [row.stages.cells[stage] for row in stats.cases_by_stage])
                for stage in OPEN_STAGES
            ],
        ),
        "referrals": bar_chart(
            "chart-referrals",
            title="Zuweisungen nach Quelle",
            description=f"Eingegangene Zuweisungen {period} nach Quelle.",
            bars=[(SOURCE_LABELS_DE[k], v) for k, v in stats.referrals_by_source.cells.items()],
            colour=PALETTE[1],
        ),
        "releases": bar_chart(
            "chart-releases",
            title="Entlassungen je Monat",
            description=f"Entlassungen je Monat, {period}, mit den bis zum Entlassungstag erledigten "
            "Planpunkten "
            "(Monate mit weniger als 5 Entlassungen ohne Aufschlüsselung): "
            + "; ".join(_release_details(r) for r in stats.releases)
            + ".",
            bars=[(r.month, r.releases) for r in stats.releases],
            colour=PALETTE[3],
        ),
        "visits": bar_chart(
            "chart-visits",
            title="Durchgeführte Besuche je Monat",
            description=f"Durchgeführte Besuche je Monat, {period}.",
            bars=[(v.month, v.count) for v in stats.visits],
            colour=PALETTE[2],
        ),
    }


def _release_details(release: ReleaseMonth) -> str:
    if release.domains is None:
        return f"{release.month}: keine Aufschlüsselung"
    return f"{release.month}: " + ", ".join(
        f"{DOMAIN_LABELS_DE[d]} {_text(release.domains[d].cells['done'])} "
        f"von {_text(release.domains[d].total)}"
        for d in PLAN_DOMAINS
    )


def statistics_csv(stats: Statistics) -> bytes:
    """The aggregates as CSV (RFC 4180, UTF-8): table, period, category, value ("<5" and "x" as published)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("table", "period", "category", "value"))
    writer.writerows(csv_rows(stats))
    return out.getvalue().encode()
