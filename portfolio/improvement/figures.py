"""An analysis's figures: computed from the case's complaint log, stored as JSON, read back
exactly, and presented as charts (SVG), tables of figures and text descriptions.

No database and no Flask here: the views and services pass in the scenario and the stored data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup

from portfolio.analysis import (
    AnalysisError,
    AnalysisParams,
    Bar,
    CategoryTrend,
    FigureTable,
    LogRow,
    StepChange,
    Summary,
    describe_summary,
    describe_trends,
    pareto_svg,
    summarise,
    summary_table,
    trend,
    trend_svg,
    trend_table,
)
from portfolio.scenarios.schema import Scenario


class FiguresUnreadable(ValueError):
    """Stored figures that cannot be read back (hand-edited or from an older format)."""


@dataclass(frozen=True, slots=True)
class Figures:
    """What an analysis computed: the Pareto (or month) summary and the trend per category."""

    summary: Summary
    trends: tuple[CategoryTrend, ...]

    def to_dict(self) -> dict[str, Any]:
        """The figures as stored in ``SavedAnalysis.figures``."""
        return {
            "summary": self.summary.to_dict(),
            "trends": [item.to_dict() for item in self.trends],
        }


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart ready for a page: its title, the SVG markup, its description and its table."""

    title: str
    svg: Markup
    description: str
    table: FigureTable


@dataclass(frozen=True, slots=True)
class Presentation:
    """Both charts of an analysis."""

    summary: Chart
    trends: Chart
    first_label: str | None  # the largest category (or first month), for headings and tests


# --- the scenario's log ------------------------------------------------------------------------


def log_rows(spec: Scenario) -> list[LogRow]:
    """The scenario's complaint log as the analysis package reads it."""
    return [
        LogRow(row.month, row.category, row.count, Decimal(row.cost), frozenset(row.flags))
        for row in spec.log_rows
    ]


def flag_labels(spec: Scenario) -> dict[str, str]:
    """The log's flags, id to label, in the scenario's order."""
    return {flag.id: flag.label for flag in spec.complaint_log.flags}


def categories(spec: Scenario) -> list[str]:
    """The categories the log uses, in the order they first appear."""
    return list(dict.fromkeys(row.category for row in spec.log_rows))


def parse_params(spec: Scenario, data: Mapping[str, object]) -> AnalysisParams:
    """The learner's choices checked against this scenario's log; ``AnalysisError`` if bad."""
    labels = flag_labels(spec)
    flag = _first(data, "flag")
    if flag and flag == _first(data, "exclude_flag") and flag in labels:
        # Said with the flag's label, as the two lists show it (the id means nothing to them).
        raise AnalysisError(
            f"“{labels[flag]}” is chosen both under “Only complaints flagged” and under “Leave "
            "out complaints flagged”: choose it in one of them.",
            field="exclude_flag",
        )
    return AnalysisParams.parse(data, flags=set(labels), categories=set(categories(spec)))


def kept_choices(spec: Scenario, data: Mapping[str, object]) -> AnalysisParams:
    """The learner's choices less the ones at fault, for the form to show again beside the
    message (rather than every choice reset to the defaults)."""
    data = dict(data)
    for _ in range(len(data) + 1):
        try:
            return parse_params(spec, data)
        except AnalysisError as exc:
            if exc.field not in data:
                break
            data.pop(exc.field)
    return AnalysisParams()


def _first(data: Mapping[str, object], key: str) -> str | None:
    """The first value of ``key`` in flat (``request.args``) or list-valued data."""
    value = data.get(key)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value).strip() if value is not None else None


def compute(spec: Scenario, params: AnalysisParams) -> Figures:
    """Summarise and trend the scenario's log as ``params`` asks."""
    rows = log_rows(spec)
    months = tuple(spec.complaint_log.months)
    return Figures(
        summary=summarise(rows, params, months=months),
        trends=tuple(trend(rows, params, months=months)),
    )


# --- reading stored figures back ---------------------------------------------------------------


def params_from_dict(data: Mapping[str, Any]) -> AnalysisParams:
    """``AnalysisParams.to_dict()`` read back (``AnalysisError`` for an unknown choice)."""
    return AnalysisParams(
        group_by=data["group_by"],
        measure=data["measure"],
        flag=data.get("flag"),
        exclude_flag=data.get("exclude_flag"),
        categories=frozenset(data.get("categories") or ()),
    )


def figures_from_dict(data: Mapping[str, Any]) -> Figures:
    """Stored figures read back exactly as they were computed; ``FiguresUnreadable`` if the
    data is not what ``Figures.to_dict()`` wrote."""
    try:
        return Figures(
            summary=_summary(data["summary"]),
            trends=tuple(_trend(item) for item in data["trends"]),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
        raise FiguresUnreadable(f"The stored figures could not be read ({exc!r}).") from exc


def _dec(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TypeError(f"expected a decimal string, not {value!r}")
    return Decimal(str(value))


def _opt_dec(value: object) -> Decimal | None:
    return None if value is None else _dec(value)


def _summary(data: Mapping[str, Any]) -> Summary:
    return Summary(
        params=params_from_dict(data["params"]),
        bars=tuple(
            Bar(
                label=str(bar["label"]),
                value=_dec(bar["value"]),
                share_pct=_dec(bar["share_pct"]),
                cumulative_pct=_dec(bar["cumulative_pct"]),
                count=int(bar["count"]),
                cost=_dec(bar["cost"]),
                avg_cost=_opt_dec(bar["avg_cost"]),
            )
            for bar in data["bars"]
        ),
        total=_dec(data["total"]),
        total_count=int(data["total_count"]),
        total_cost=_dec(data["total_cost"]),
        months=tuple(str(month) for month in data["months"]),
        vital_few=tuple(str(label) for label in data["vital_few"]),
        vital_few_pct=_opt_dec(data["vital_few_pct"]),
    )


def _trend(data: Mapping[str, Any]) -> CategoryTrend:
    if data["measure"] not in ("count", "cost"):
        raise ValueError(f"unknown measure {data['measure']!r}")
    step = data["step"]
    return CategoryTrend(
        category=str(data["category"]),
        measure=data["measure"],
        months=tuple(str(month) for month in data["months"]),
        values=tuple(_dec(value) for value in data["values"]),
        changes=tuple(_dec(value) for value in data["changes"]),
        change_pcts=tuple(_opt_dec(value) for value in data["change_pcts"]),
        slope=_dec(data["slope"]),
        first_to_last_pct=_opt_dec(data["first_to_last_pct"]),
        total=_dec(data["total"]),
        step=None
        if step is None
        else StepChange(
            month=str(step["month"]),
            previous_month=str(step["previous_month"]),
            direction="down" if step["direction"] == "down" else "up",
            size=_dec(step["size"]),
            change_pct=_opt_dec(step["change_pct"]),
            level_before=_dec(step["level_before"]),
            level_after=_dec(step["level_after"]),
        ),
    )


# --- presenting --------------------------------------------------------------------------------


def describe_params(params: AnalysisParams, flags: Mapping[str, str]) -> str:
    """The choices in words: ``By category, weighted by cost; only complaints flagged …``."""
    grouping = "By category (Pareto)" if params.group_by == "category" else "By month"
    weighting = "counting complaints" if params.measure == "count" else "weighted by cost"
    parts = [f"{grouping}, {weighting}"]
    if params.flag:
        parts.append(f"only complaints flagged “{flags.get(params.flag, params.flag)}”")
    if params.exclude_flag:
        label = flags.get(params.exclude_flag, params.exclude_flag)
        parts.append(f"leaving out complaints flagged “{label}”")
    if params.categories:
        parts.append("only " + ", ".join(sorted(params.categories)))
    return "; ".join(parts) + "."


def chart_titles(params: AnalysisParams, flags: Mapping[str, str]) -> tuple[str, str]:
    """The titles of the summary chart and the trend chart for these choices."""
    noun = "complaints" if params.measure == "count" else "complaint cost"
    if params.group_by == "category":
        summary = f"Pareto chart of {noun} by category"
    else:
        summary = f"{noun.capitalize()} by month"
    trends = f"Monthly {noun} by category"
    scope = _scope(params, flags)
    return summary + scope, trends + scope


def _scope(params: AnalysisParams, flags: Mapping[str, str]) -> str:
    if params.flag:
        return f" ({flags.get(params.flag, params.flag)} only)"
    if params.exclude_flag:
        return f" (excluding {flags.get(params.exclude_flag, params.exclude_flag)})"
    return ""


def present(figures: Figures, flags: Mapping[str, str], *, chart_id: str) -> Presentation:
    """Charts, descriptions and tables for ``figures``. ``chart_id`` prefixes the SVG ids, so
    give each analysis on a page its own."""
    summary = figures.summary
    summary_title, trend_title = chart_titles(summary.params, flags)
    summary_text = describe_summary(summary, flags)
    trend_text = describe_trends(figures.trends)
    return Presentation(
        summary=Chart(
            title=summary_title,
            svg=_chart_markup(
                pareto_svg(
                    summary,
                    title=summary_title,
                    description=summary_text,
                    chart_id=f"{chart_id}-summary",
                    show_title=False,
                )
            ),
            description=summary_text,
            table=summary_table(summary),
        ),
        trends=Chart(
            title=trend_title,
            svg=_chart_markup(
                trend_svg(
                    figures.trends,
                    title=trend_title,
                    description=trend_text,
                    chart_id=f"{chart_id}-trend",
                    show_title=False,
                )
            ),
            description=trend_text,
            table=trend_table(figures.trends),
        ),
        first_label=summary.bars[0].label if summary.bars else None,
    )


def _chart_markup(svg: str) -> Markup:
    """The chart for inline use: our own escaped SVG, with the class the stylesheet scales."""
    if not svg.startswith("<svg "):
        raise ValueError("expected an <svg> document")
    return Markup('<svg class="chart" ' + svg.removeprefix("<svg "))


def check_params(spec: Scenario, params: AnalysisParams) -> AnalysisParams:
    """``params`` checked against this scenario's log (a flag or category it does not use
    raises ``AnalysisError``)."""
    data = params.to_dict()
    data["category"] = data.pop("categories")  # the form's name for the categories
    return parse_params(spec, data)
