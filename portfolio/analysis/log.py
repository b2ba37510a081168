"""The complaint log as the analysis sees it: one ``LogRow`` per CSV row.

The app validates ``complaint_log.csv`` properly when it loads a scenario and converts its own
records to ``LogRow``; ``parse_log_csv`` is a small, forgiving reader for tests and scripts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .errors import AnalysisError

REQUIRED_COLUMNS = ("month", "category", "count", "cost")


@dataclass(frozen=True, slots=True)
class LogRow:
    """A group of complaints sharing a month, a category and a set of flags.

    ``count`` is how many complaints the row stands for and ``cost`` their total cost in GBP.
    """

    month: str
    category: str
    count: int
    cost: Decimal
    flags: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise AnalysisError(f"A row's count must be a whole number ≥ 0, not {self.count!r}.")
        if not isinstance(self.cost, Decimal) or not self.cost.is_finite() or self.cost < 0:
            raise AnalysisError(f"A row's cost must be a Decimal ≥ 0, not {self.cost!r}.")
        if not isinstance(self.flags, frozenset):
            object.__setattr__(self, "flags", frozenset(self.flags))


def parse_log_csv(text: str) -> list[LogRow]:
    """Read ``complaint_log.csv`` text (header ``month,category,count,cost,flags``) into rows.

    Cells are stripped; ``flags`` is optional and semicolon-separated. Raises ``AnalysisError``
    naming the line for a missing column, a bad count or a bad cost.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise AnalysisError(
            f"The complaint log has no {', '.join(missing)} column; the header must be "
            "month,category,count,cost,flags.",
            field="log",
        )
    reader.fieldnames = header
    rows: list[LogRow] = []
    for record in reader:
        line = reader.line_num
        cells = {key: (value or "").strip() for key, value in record.items() if key is not None}
        try:
            count = int(cells["count"])
        except ValueError:
            raise AnalysisError(
                f"Line {line}: count {cells['count']!r} is not a whole number.", field="log"
            ) from None
        try:
            cost = Decimal(cells["cost"] or "0")
        except InvalidOperation:
            raise AnalysisError(
                f"Line {line}: cost {cells['cost']!r} is not a number.", field="log"
            ) from None
        flags = frozenset(
            part.strip() for part in cells.get("flags", "").split(";") if part.strip()
        )
        try:
            rows.append(LogRow(cells["month"], cells["category"], count, cost, flags))
        except AnalysisError as error:
            raise AnalysisError(f"Line {line}: {error.message}", field="log") from None
    return rows
