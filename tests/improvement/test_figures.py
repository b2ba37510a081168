"""Figures computed from each bundled log, stored as JSON and read back exactly; the charts are
well-formed, titled SVG that a strict Content Security Policy allows."""

import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.analysis import AnalysisParams
from portfolio.improvement.figures import (
    FiguresUnreadable,
    compute,
    describe_params,
    figures_from_dict,
    flag_labels,
    present,
)
from tests.improvement.builders import RETAIL, bundle, bundled_slugs

SVG = "{http://www.w3.org/2000/svg}"


def spec(slug: str = RETAIL):
    return bundle()[1][slug]


@st.composite
def params_for(draw, slug: str) -> AnalysisParams:
    scenario = spec(slug)
    flags = [None, *flag_labels(scenario)]
    flag = draw(st.sampled_from(flags))
    exclude = draw(st.sampled_from([f for f in flags if f is None or f != flag]))
    names = sorted({row.category for row in scenario.log_rows})
    return AnalysisParams(
        group_by=draw(st.sampled_from(("category", "month"))),
        measure=draw(st.sampled_from(("count", "cost"))),
        flag=flag,
        exclude_flag=exclude,
        categories=frozenset(draw(st.lists(st.sampled_from(names), max_size=2))),
    )


@pytest.mark.parametrize("slug", bundled_slugs())
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_stored_figures_read_back_exactly(slug, data):
    params = data.draw(params_for(slug))
    figures = compute(spec(slug), params)
    stored = json.loads(json.dumps(figures.to_dict()))
    assert figures_from_dict(stored) == figures
    assert figures_from_dict(stored).to_dict() == stored


@pytest.mark.parametrize("slug", bundled_slugs())
@pytest.mark.parametrize("measure", ["count", "cost"])
def test_pareto_svg_parses_and_carries_its_title(slug, measure):
    scenario = spec(slug)
    figures = compute(scenario, AnalysisParams(measure=measure))
    shown = present(figures, flag_labels(scenario), chart_id="test")
    for chart in (shown.summary, shown.trends):
        root = ET.fromstring(str(chart.svg))
        assert root.tag == f"{SVG}svg"
        assert root.get("class") == "chart"
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text == chart.title
        assert root.find(f"{SVG}desc").text == chart.description
        markup = str(chart.svg)
        assert "style" not in markup and "<script" not in markup and "href" not in markup
    assert "Cumulative" in str(shown.summary.svg)
    assert 'class="reference-80"' in str(shown.summary.svg)
    assert shown.summary.table.rows[0][0] == shown.first_label


def test_cost_weighting_puts_installation_first_on_the_retail_log():
    scenario = spec(RETAIL)
    by_count = compute(scenario, AnalysisParams(measure="count")).summary
    by_cost = compute(scenario, AnalysisParams(measure="cost")).summary
    assert by_count.bars[0].label == "Delivery delays"
    assert by_cost.bars[0].label == "Faulty after installation"


def test_titles_and_choices_name_the_filters():
    scenario = spec(RETAIL)
    flags = flag_labels(scenario)
    params = AnalysisParams(measure="cost", flag="swiftfit")
    shown = present(compute(scenario, params), flags, chart_id="x")
    assert shown.summary.title == (
        "Pareto chart of complaint cost by category "
        "(Installation carried out by Swiftfit Appliance Services only)"
    )
    assert describe_params(params, flags).startswith("By category (Pareto), weighted by cost;")


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("summary"),
        lambda d: d["summary"]["bars"][0].update(value="lots"),
        lambda d: d["summary"]["params"].update(group_by="colour"),
        lambda d: d["trends"][0].update(measure="weight"),
        lambda d: d["trends"].append(None),
    ],
)
def test_damaged_figures_are_refused(damage):
    stored = compute(spec(), AnalysisParams()).to_dict()
    damage(stored)
    with pytest.raises(FiguresUnreadable):
        figures_from_dict(stored)


@pytest.mark.parametrize(
    ("key", "note"),
    [
        ("flag", 'Only complaints flagged "{label}".'),
        ("exclude_flag", 'Complaints flagged "{label}" are left out.'),
    ],
)
def test_chart_descriptions_name_a_flag_by_its_label_not_its_id(key, note):
    scenario = spec(RETAIL)
    flags = flag_labels(scenario)
    label = flags["swiftfit"]
    assert label != "swiftfit"
    shown = present(compute(scenario, AnalysisParams(**{key: "swiftfit"})), flags, chart_id="x")
    assert note.format(label=label) in shown.summary.description
    assert '"swiftfit"' not in shown.summary.description
    assert '"swiftfit"' not in shown.summary.svg
