"""What to analyse: the grouping, the measure and the filters, parsed from a form or query."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, cast

from .errors import AnalysisError
from .log import LogRow

GroupBy: TypeAlias = Literal["category", "month"]
Measure: TypeAlias = Literal["count", "cost"]

GROUPINGS: tuple[GroupBy, ...] = ("category", "month")
MEASURES: tuple[Measure, ...] = ("count", "cost")


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    """The choices behind one analysis.

    - ``group_by``: ``"category"`` (a Pareto, largest first) or ``"month"`` (chronological).
    - ``measure``: ``"count"`` (complaints) or ``"cost"`` (weighted by cost in GBP).
    - ``flag``: keep only rows carrying this flag; ``exclude_flag``: drop rows carrying it.
    - ``categories``: keep only these categories; empty means every category.
    """

    group_by: GroupBy = "category"
    measure: Measure = "count"
    flag: str | None = None
    exclude_flag: str | None = None
    categories: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.group_by not in GROUPINGS:
            raise AnalysisError(_unknown("grouping", self.group_by, GROUPINGS), field="group_by")
        if self.measure not in MEASURES:
            raise AnalysisError(_unknown("measure", self.measure, MEASURES), field="measure")
        if self.flag is not None and self.flag == self.exclude_flag:
            raise AnalysisError(
                f'Flag "{self.flag}" cannot be both required and excluded.', field="exclude_flag"
            )
        if not isinstance(self.categories, frozenset):
            object.__setattr__(self, "categories", frozenset(self.categories))

    @classmethod
    def parse(
        cls, data: Mapping[str, object], *, flags: Set[str], categories: Set[str]
    ) -> AnalysisParams:
        """Build parameters from submitted values, checking them against the scenario's log.

        ``data`` may be flat (``request.args``) or hold lists
        (``request.args.to_dict(flat=False)``). Keys read: ``group_by``, ``measure``, ``flag``,
        ``exclude_flag`` and ``category`` (one name or a list). Missing or empty values take
        the defaults; other keys are ignored.
        ``flags`` and ``categories`` are the ids the log actually uses. Raises ``AnalysisError``
        with a message naming the bad value and the valid choices.
        """
        group_by = _single(data, "group_by") or "category"
        if group_by not in GROUPINGS:
            raise AnalysisError(_unknown("grouping", group_by, GROUPINGS), field="group_by")
        measure = _single(data, "measure") or "count"
        if measure not in MEASURES:
            raise AnalysisError(_unknown("measure", measure, MEASURES), field="measure")
        flag = _flag(data, "flag", flags)
        exclude_flag = _flag(data, "exclude_flag", flags)
        chosen = frozenset(_many(data, "category"))
        unknown = sorted(chosen - set(categories))
        if unknown:
            raise AnalysisError(
                _unknown("category", unknown[0], sorted(categories)), field="category"
            )
        return cls(
            group_by=cast(GroupBy, group_by),
            measure=cast(Measure, measure),
            flag=flag,
            exclude_flag=exclude_flag,
            categories=chosen,
        )

    def to_dict(self) -> dict[str, object]:
        """The parameters as JSON-ready values (categories sorted)."""
        return {
            "group_by": self.group_by,
            "measure": self.measure,
            "flag": self.flag,
            "exclude_flag": self.exclude_flag,
            "categories": sorted(self.categories),
        }


def filter_rows(rows: Iterable[LogRow], params: AnalysisParams) -> list[LogRow]:
    """The rows that pass ``params``' flag, excluded-flag and category filters, in order."""
    return [
        row
        for row in rows
        if (params.flag is None or params.flag in row.flags)
        and (params.exclude_flag is None or params.exclude_flag not in row.flags)
        and (not params.categories or row.category in params.categories)
    ]


def _values(data: Mapping[str, object], key: str) -> list[str]:
    raw = data.get(key)
    if raw is None:
        return []
    items: Iterable[object] = (
        [raw] if isinstance(raw, str) or not isinstance(raw, Sequence) else raw
    )
    values = [str(item).strip() for item in items if item is not None]
    return [value for value in values if value]


def _single(data: Mapping[str, object], key: str) -> str | None:
    values = list(dict.fromkeys(_values(data, key)))
    if len(values) > 1:
        raise AnalysisError(f"Choose one {key.replace('_', ' ')}, not {len(values)}.", field=key)
    return values[0] if values else None


def _many(data: Mapping[str, object], key: str) -> list[str]:
    return _values(data, key)


def _flag(data: Mapping[str, object], key: str, flags: Set[str]) -> str | None:
    value = _single(data, key)
    if value is None or value in flags:
        return value
    if not flags:
        raise AnalysisError(
            f'Unknown flag "{value}": this complaint log has no flags to filter on.', field=key
        )
    raise AnalysisError(_unknown("flag", value, sorted(flags)), field=key)


def _unknown(kind: str, value: object, choices: Iterable[str]) -> str:
    listed = ", ".join(f'"{choice}"' for choice in choices)
    if not listed:
        return f'Unknown {kind} "{value}": this complaint log has none to choose from.'
    return f'Unknown {kind} "{value}": choose one of {listed}.'
