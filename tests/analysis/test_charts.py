"""The SVG charts: well-formed, accessible, self-contained, and carrying the figures."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from portfolio.analysis import (
    AnalysisParams,
    LogRow,
    describe_summary,
    describe_trends,
    pareto_svg,
    summarise,
    trend,
    trend_svg,
)
from portfolio.analysis.svg import BAR, CUMULATIVE, INK, MUTED, REFERENCE, SERIES_STYLES

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>&alert('x')"

ROWS = [
    LogRow(month, category, count, Decimal(count) * Decimal("12.50"))
    for month, base in (("2026-03", 0), ("2026-04", 3), ("2026-05", 9))
    for category, count in (
        ("Price not as agreed", 40 + base),
        ("Fault-repair delay", 20 + base),
        (NASTY, 9),
        ("Payments", 6),
    )
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def pareto(**params: object) -> tuple[ET.Element, str]:
    summary = summarise(ROWS, AnalysisParams(**params))  # type: ignore[arg-type]
    svg = pareto_svg(summary, title="Complaints <by> category & cost", description="Desc & more")
    return parse(svg), svg


def check_accessible(root: ET.Element, title: str, description: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("font-family") == "DejaVu Sans, sans-serif"
    title_el, desc_el = root[0], root[1]
    assert (title_el.tag, title_el.text) == (f"{SVG}title", title)
    assert (desc_el.tag, desc_el.text) == (f"{SVG}desc", description)
    assert root.get("aria-labelledby") == f"{title_el.get('id')} {desc_el.get('id')}"


def check_self_contained(svg: str, root: ET.Element) -> None:
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"script", "style", "image", "use", "foreignObject", "a"}
    assert all("style" not in element.attrib for element in root.iter())
    assert not any(name.endswith("href") for element in root.iter() for name in element.attrib)
    assert "url(" not in svg
    assert re.search(r"\son\w+=", svg) is None


def test_pareto_parses_and_carries_title_and_description() -> None:
    root, svg = pareto()

    check_accessible(root, "Complaints <by> category & cost", "Desc & more")
    check_self_contained(svg, root)


def test_pareto_has_one_bar_per_category_tallest_first() -> None:
    root, _ = pareto()

    bars = root.findall(".//svg:rect[@class='bar']", NS)
    assert len(bars) == 4
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert heights == sorted(heights, reverse=True)
    assert bars[0].find("svg:title", NS).text.startswith("Price not as agreed: 132, 53.01%")


def test_pareto_has_cumulative_line_and_80_percent_reference() -> None:
    root, _ = pareto()

    reference = root.findall(".//svg:line[@class='reference-80']", NS)
    assert len(reference) == 1
    assert reference[0].get("stroke-dasharray")
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "80% line" in texts
    assert "100%" in texts
    cumulative = root.find(".//svg:g[@class='cumulative']", NS)
    assert cumulative is not None
    points = cumulative.find("svg:polyline", NS).get("points").split()
    assert len(points) == 4
    assert len(cumulative.findall("svg:circle", NS)) == 4
    # The last point is at 100%: the top of the plot, level with the 100% tick.
    last_y = float(points[-1].split(",")[1])
    assert last_y < float(reference[0].get("y1"))


def test_escaped_category_survives_as_text() -> None:
    root, svg = pareto()

    assert "<script>" not in svg
    labels = ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]
    assert any(NASTY in label or label.startswith("<script>&") for label in labels)
    tooltips = [element.text or "" for element in root.iter(f"{SVG}title")]
    assert any(tip.startswith(NASTY) for tip in tooltips)


def test_control_characters_do_not_break_the_svg() -> None:
    rows = [LogRow("2026-03", "Bad\x00\x07 name\x1f", 3, Decimal("1"))]
    summary = summarise(rows, AnalysisParams())

    root = parse(pareto_svg(summary, title="T\x0b", description="D"))
    assert root[0].text == "T"


def test_month_grouping_draws_bars_without_cumulative_line() -> None:
    root, _ = pareto(group_by="month")

    assert len(root.findall(".//svg:rect[@class='bar']", NS)) == 3
    assert root.find(".//svg:g[@class='cumulative']", NS) is None
    assert root.find(".//svg:line[@class='reference-80']", NS) is None
    assert "Mar 2026" in ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_empty_summary_says_so() -> None:
    summary = summarise(ROWS, AnalysisParams(categories=frozenset({"Payments"}), flag="none"))
    root = parse(pareto_svg(summary, title="Empty", description=describe_summary(summary)))

    assert root.findall(".//svg:rect[@class='bar']", NS) == []
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "No complaints match the chosen filters." in texts


def test_many_long_categories_get_rotated_truncated_labels() -> None:
    rows = [
        LogRow(
            "2026-03", f"Category number {i} with a very long descriptive name", 50 - i, Decimal(1)
        )
        for i in range(14)
    ]
    summary = summarise(rows, AnalysisParams())
    root = parse(pareto_svg(summary, title="Many", description="Many"))

    rotated = [
        el for el in root.iter(f"{SVG}text") if (el.get("transform") or "").startswith("rotate(-40")
    ]
    assert len(rotated) == 14
    assert all(el.text.endswith("…") for el in rotated)
    assert len(root.findall(".//svg:rect[@class='bar']", NS)) == 14


def test_each_chart_on_a_page_can_have_its_own_ids() -> None:
    summary = summarise(ROWS, AnalysisParams())
    root = parse(pareto_svg(summary, title="T", description="D", chart_id="fig-1"))

    assert root.get("aria-labelledby") == "fig-1-title fig-1-desc"
    with pytest.raises(ValueError):
        pareto_svg(summary, title="T", description="D", chart_id='x" onload="alert(1)')


def test_trend_chart_has_a_styled_line_and_legend_entry_per_category() -> None:
    trends = trend(ROWS, AnalysisParams())
    svg = trend_svg(trends, title="Monthly complaints", description=describe_trends(trends))
    root = parse(svg)

    check_accessible(root, "Monthly complaints", describe_trends(trends))
    check_self_contained(svg, root)
    series = root.findall(".//svg:g[@class='series']", NS)
    legend = root.findall(".//svg:g[@class='legend-item']", NS)
    assert len(series) == len(legend) == 4
    assert [s.find("svg:title", NS).text for s in series] == [t.category for t in trends]
    lines = [s.find("svg:polyline", NS) for s in series]
    assert all(len(line.get("points").split()) == 3 for line in lines)
    # Each line differs from every other in colour AND in dash pattern AND in marker.
    looks = [
        (line.get("stroke"), line.get("stroke-dasharray"), s[2].tag, s[2].get("fill"))
        for line, s in zip(lines, series, strict=True)
    ]
    assert len({look[0] for look in looks}) == 4
    assert len({look[1] for look in looks}) == 4
    assert len({(look[2], look[3]) for look in looks}) == 4


def test_trend_chart_without_data_still_parses() -> None:
    root = parse(trend_svg([], title="None", description="Nothing"))

    assert root.findall(".//svg:g[@class='series']", NS) == []


def test_series_styles_are_all_distinct() -> None:
    assert len({style.colour for style in SERIES_STYLES}) == len(SERIES_STYLES)
    assert len({style.dash for style in SERIES_STYLES}) == len(SERIES_STYLES)
    assert len({(style.marker, style.hollow) for style in SERIES_STYLES}) == len(SERIES_STYLES)


def contrast_on_white(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize(
    "colour", [BAR, CUMULATIVE, INK, MUTED, REFERENCE, *(s.colour for s in SERIES_STYLES)]
)
def test_colours_have_at_least_4_5_to_1_contrast_on_white(colour: str) -> None:
    assert contrast_on_white(colour) >= 4.5
