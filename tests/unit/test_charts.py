"""SVG charts: well-formed, accessible, and never drawing a suppressed value."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from prison_liaison.exports.charts import bar_chart, statistics_charts, statistics_csv
from prison_liaison.planning.statistics import Facts, build_statistics

NS = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_accessible_and_writes_suppressed_values() -> None:
    svg = bar_chart(
        "c", title="Zuweisungen <Quelle>", description="Test.", bars=[("A", 7), ("B", "<5"), ("C", 0)]
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{NS}title").text == "Zuweisungen <Quelle>"
    assert root.find(f"{NS}desc").text == "Test. A: 7; B: < 5; C: 0."
    bars = [r for r in root.iter(f"{NS}rect") if r.get("fill") not in ("#ffffff",)]
    assert len(bars) == 1  # only the 7 is drawn
    assert "< 5" in [t.text for t in root.iter(f"{NS}text")]


def test_statistics_charts_and_csv_render_for_an_empty_programme() -> None:
    stats = build_statistics(Facts(), date(2026, 1, 1), date(2026, 3, 10))
    for name, svg in statistics_charts(stats).items():
        root = ET.fromstring(svg)
        assert root.find(f"{NS}title").text, name
    lines = statistics_csv(stats).decode().splitlines()
    assert lines[0] == "table,period,category,value"
    assert "inquiry_to_first_visit,2026-01-01/2026-03-10,median_days,x" in lines
