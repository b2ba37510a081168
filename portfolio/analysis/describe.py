"""Plain-English descriptions of the figures, for each chart's ``<desc>`` and for screen readers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .formatting import format_change, format_month, format_pct, format_rate, format_value
from .pareto import Summary
from .trends import CategoryTrend


def describe_summary(summary: Summary, flags: Mapping[str, str] | None = None) -> str:
    """A few sentences saying what a Pareto (or month) chart shows, with its key figures.
    ``flags`` maps flag ids to the scenario's labels for them; an id without one is shown."""
    params = summary.params
    measure = params.measure
    scope = _filters_text(summary, flags or {})
    if summary.is_empty:
        return f"No complaints match the chosen filters.{scope}"
    what = (
        f"{format_value(summary.total, 'count')} complaints"
        if measure == "count"
        else f"{format_value(summary.total, 'cost')} of complaint costs"
    )
    if params.group_by == "month":
        return _describe_months(summary, what) + scope
    bars = summary.bars
    top = bars[0]
    parts = [
        f"Pareto chart of {what} across {_plural(len(bars), 'category', 'categories')}, "
        "largest first, with the cumulative percentage on the right-hand axis and a line at 80%.",
        f"{top.label} is the {'largest' if len(bars) > 1 else 'only category'}: "
        f"{format_value(top.value, measure)} ({format_pct(top.share_pct)}).",
    ]
    if len(bars) >= 3:
        parts.append(f"The top three together make up {format_pct(bars[2].cumulative_pct)}.")
    if summary.vital_few and summary.vital_few_pct is not None:
        names = _join(summary.vital_few)
        count = len(summary.vital_few)
        # Said as the largest categories together: "4 categories reach 80%" read as if each
        # of the four did.
        pct = format_pct(summary.vital_few_pct)
        parts.append(
            f"{names} alone reaches 80% ({pct})."
            if count == 1
            else f"The largest {count} categories together reach 80% ({pct}): {names}."
        )
    return " ".join(parts) + scope


def describe_trends(trends: Sequence[CategoryTrend]) -> str:
    """A sentence per category: first and last month, the trend per month, any step change."""
    if not trends:
        return "No complaints match the chosen filters."
    first = trends[0]
    noun = "complaints" if first.measure == "count" else "complaint costs"
    months = first.months
    span = f"{format_month(months[0])} to {format_month(months[-1])}" if months else ""
    parts = [
        f"Line chart of monthly {noun} for "
        f"{_plural(len(trends), 'category', 'categories')}, {span}."
    ]
    for item in trends:
        if not item.values:
            continue
        start = format_value(item.values[0], item.measure)
        end = format_value(item.values[-1], item.measure)
        sentence = f"{item.category}: {start} to {end}"
        if item.first_to_last_pct is not None:
            sentence += f" ({format_pct(item.first_to_last_pct, signed=True)})"
        sentence += f", trend {format_rate(item.slope, item.measure)} a month"
        if item.step is not None:
            step = item.step
            pct = "" if step.change_pct is None else f", {format_pct(step.change_pct, signed=True)}"
            sentence += (
                f", step change in {format_month(step.month)} "
                f"({format_change(step.size, item.measure)}{pct})"
            )
        parts.append(sentence + ".")
    return " ".join(parts)


def _describe_months(summary: Summary, what: str) -> str:
    bars = summary.bars
    measure = summary.params.measure
    highest = max(bars, key=lambda bar: bar.value)
    lowest = min(bars, key=lambda bar: bar.value)
    return (
        f"Bar chart of {what} by month, {format_month(bars[0].label)} to "
        f"{format_month(bars[-1].label)}. Highest: {format_month(highest.label)}, "
        f"{format_value(highest.value, measure)} ({format_pct(highest.share_pct)}). "
        f"Lowest: {format_month(lowest.label)}, {format_value(lowest.value, measure)} "
        f"({format_pct(lowest.share_pct)})."
    )


def _filters_text(summary: Summary, flags: Mapping[str, str]) -> str:
    params = summary.params
    notes = []
    if params.flag:
        notes.append(f'Only complaints flagged "{flags.get(params.flag, params.flag)}".')
    if params.exclude_flag:
        label = flags.get(params.exclude_flag, params.exclude_flag)
        notes.append(f'Complaints flagged "{label}" are left out.')
    if params.categories:
        notes.append(f"Categories shown: {_join(sorted(params.categories))}.")
    return "".join(f" {note}" for note in notes)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
