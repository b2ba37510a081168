"""Analysis of a scenario's complaint log: pure functions, no Flask and no database.

Convert the log to ``LogRow`` values (or read CSV text with ``parse_log_csv``), parse the
learner's choices with ``AnalysisParams.parse``, then:

- ``summarise(rows, params)`` gives a ``Summary``: totals by category (a Pareto, largest first)
  or by month, by count or weighted by cost, with shares, cumulative percentages, the vital few
  and average cost per complaint;
- ``trend(rows, params)`` gives a ``CategoryTrend`` per category: the monthly series, changes,
  least-squares slope, first-to-last change and any step change (rule in ``trends``);
- ``pareto_svg`` and ``trend_svg`` draw them as accessible SVG, ``describe_summary`` and
  ``describe_trends`` write their text descriptions, and ``summary_table`` and ``trend_table``
  give the table of figures to show beside them.

Every result has ``to_dict()`` for storing the figures as JSON (decimals as strings). Bad
choices raise ``AnalysisError`` with a message fit to show the learner.
"""

from .charts import pareto_svg, trend_svg
from .describe import describe_summary, describe_trends
from .errors import AnalysisError
from .log import LogRow, parse_log_csv
from .params import GROUPINGS, MEASURES, AnalysisParams, GroupBy, Measure, filter_rows
from .pareto import Bar, Summary, summarise
from .table import FigureTable, summary_table, trend_table
from .trends import CategoryTrend, StepChange, detect_step, trend

__all__ = [
    "GROUPINGS",
    "MEASURES",
    "AnalysisError",
    "AnalysisParams",
    "Bar",
    "CategoryTrend",
    "FigureTable",
    "GroupBy",
    "LogRow",
    "Measure",
    "StepChange",
    "Summary",
    "describe_summary",
    "describe_trends",
    "detect_step",
    "filter_rows",
    "parse_log_csv",
    "pareto_svg",
    "summarise",
    "summary_table",
    "trend",
    "trend_svg",
    "trend_table",
]
