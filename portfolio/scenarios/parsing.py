"""Reading scenario source files: UTF-8 text, YAML with line numbers, the complaint log CSV and
the Markdown documents. Nothing here knows about folders; the loader hands over text.
"""

import codecs
import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from portfolio.control_characters import first_control_character
from portfolio.scenarios.checks import Loc
from portfolio.scenarios.errors import format_loc
from portfolio.scenarios.schema import LogRow

LOG_COLUMNS = ("month", "category", "count", "cost", "flags")
#: The largest count and cost a log row may hold. Far beyond any real month's complaints, and
#: small enough that the analysis's totals round to pence (a few digits too many, pasted, made
#: the learner's analysis page fail).
MAX_LOG_COUNT = 1_000_000
MAX_LOG_COST = Decimal("10000000")

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}


class SourceProblem(Exception):
    """A file that cannot be read at all (encoding, YAML syntax, anchors), with the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Problem:
    """A problem at a line of a file that was otherwise read: ``field`` is a path or a column."""

    line: int | None
    field: str
    message: str


def decode_text(data: bytes) -> str:
    """UTF-8 bytes as text (a UTF-8 byte-order mark is dropped); anything else is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceProblem("not UTF-8 text: it is UTF-16; save it as UTF-8", 1)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceProblem(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); save it as UTF-8", line
        ) from None


def control_problem(text: str) -> str | None:
    """What is wrong with text holding an invisible control character (a NUL, a form feed), or
    None (portfolio.control_characters: the app's forms refuse them too)."""
    found = first_control_character(text)
    if found is None:
        return None
    return (
        f"holds an invisible control character (U+{ord(found):04X}), often pasted in with "
        "text: remove it"
    )


def _control_lines(text: str) -> list[Problem]:
    """A problem for each line (counted by line feeds) holding a control character."""
    return [
        Problem(number, "", problem)
        for number, line in enumerate(text.split("\n"), start=1)
        if (problem := control_problem(line))
    ]


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and keeps dates as text."""

    # Dates stay strings ("2026-03-14"), so the schema decides what a date is.
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != f"{_TAG}timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        """Refuse aliases and anchors before PyYAML can expand them (billion laughs)."""
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise SourceProblem(
                f"YAML aliases (*{event.anchor}) are not allowed; write the value out in full", line
            )
        if getattr(event, "anchor", None) is not None:
            raise SourceProblem(
                f"YAML anchors (&{event.anchor}) are not allowed; write each value out in full",
                line,
            )
        return super().compose_node(parent, index)


#: Plain words for the parser's commonest complaints, matched on its context and problem
#: text: authors are told what to look for, not only what the parser expected.
_PLAIN_YAML = (
    ("flow sequence", "a [ list is not closed with ] (or an item is missing its comma) "),
    ("flow mapping", "a { mapping is not closed with } (or an entry is missing its comma) "),
    ("quoted scalar", "a quote is not closed "),
    ("mapping values are not allowed", "a colon inside text: put text containing ': ' in quotes "),
    ("cannot start any token", "a tab or a stray character: indent with spaces only "),
    ("could not find expected ':'", "a line without 'field: value' (check the indentation) "),
    ("block mapping", "the indentation does not line up with the lines above "),
)


def _plain(exc: yaml.MarkedYAMLError) -> str:
    said = f"{exc.context or ''} {exc.problem or ''}"
    return next((words for cue, words in _PLAIN_YAML if cue in said), "")


def parse_yaml(text: str) -> tuple[Any, dict[Loc, int], list[Problem]]:
    """Parse one YAML document into plain data.

    Returns the data, the line (1-based) of every mapping key and list item by its path, and the
    duplicate keys found. Raises SourceProblem for anything that stops parsing.
    """
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise SourceProblem("the file is empty")
        lines: dict[Loc, int] = {}
        problems: list[Problem] = []
        data = _build(loader, node, (), lines, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "cannot be parsed"
        message = f"invalid YAML: {_plain(exc)}(the parser says: {detail})"
        raise SourceProblem(message, mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        message = f"invalid YAML: character U+{exc.character:04X} is not allowed in YAML text"
        raise SourceProblem(message, line) from None
    except yaml.YAMLError as exc:
        raise SourceProblem("invalid YAML: " + " ".join(str(exc).split())) from None
    except RecursionError:
        raise SourceProblem("invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines, problems


def _build(
    loader: _Loader, node: Node, path: Loc, lines: dict[Loc, int], problems: list[Problem]
) -> Any:
    """Plain data from a node, recording lines; refuses tags other than the plain YAML ones."""
    line = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        if node.tag != f"{_TAG}map":
            raise SourceProblem(f"YAML tag {_short(node.tag)} is not allowed", line)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == f"{_TAG}merge":
                raise SourceProblem("YAML merge keys (<<) are not allowed", key_line)
            key = _build(loader, key_node, path, {}, problems)
            if not isinstance(key, str):
                raise SourceProblem(f"keys must be text, not {key!r}", key_line)
            if key in result:
                first = lines.get((*path, key))
                problems.append(
                    Problem(
                        key_line, format_loc((*path, key)), f"duplicate key (first on line {first})"
                    )
                )
                continue
            lines[(*path, key)] = key_line
            result[key] = _build(loader, value_node, (*path, key), lines, problems)
        return result
    if isinstance(node, SequenceNode):
        if node.tag != f"{_TAG}seq":
            raise SourceProblem(f"YAML tag {_short(node.tag)} is not allowed", line)
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_build(loader, item, (*path, i), lines, problems))
        return items
    assert isinstance(node, ScalarNode)
    if node.tag not in _SCALAR_TAGS:
        raise SourceProblem(f"YAML tag {_short(node.tag)} is not allowed", line)
    value = loader.construct_object(node)
    # A double-quoted string can escape one in ("\0", "\x07"); the YAML reader refuses raw ones.
    if isinstance(value, str) and (problem := control_problem(value)):
        problems.append(Problem(line, format_loc(path), problem))
    return value


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def parse_log(
    text: str, *, months: Collection[str] | None, flags: Collection[str] | None
) -> tuple[list[LogRow], list[Problem]]:
    """Parse complaint_log.csv; ``months`` and ``flags`` are the manifest's (None: unknown).

    Returns the rows that parsed and a problem per bad row or cell.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = _control_lines(text)
    rows: list[LogRow] = []
    try:
        records = [(reader.line_num, record) for record in reader if record]
    except csv.Error as exc:
        return [], [Problem(reader.line_num, "", f"not valid CSV: {exc}")]
    if not records:
        return [], [Problem(None, "", "the file is empty")]
    header_line, header = records[0]
    if tuple(cell.strip() for cell in header) != LOG_COLUMNS:
        found = ",".join(header)
        expected = ",".join(LOG_COLUMNS)
        return [], [Problem(header_line, "", f'the header must be "{expected}", not "{found}"')]
    spellings: dict[str, tuple[str, int]] = {}
    groups: dict[tuple[str, str, frozenset[str]], int] = {}
    seen_months: set[str] = set()
    for line, record in records[1:]:
        seen_months.add(record[0].strip())
        if len(record) != len(LOG_COLUMNS):
            problems.append(Problem(line, "", f"expected 5 columns, found {len(record)}"))
            continue
        row = _parse_row(line, [cell.strip() for cell in record], months, flags, problems)
        if row is None:
            continue
        key = " ".join(row.category.casefold().split())
        first, first_line = spellings.setdefault(key, (row.category, line))
        if first != row.category:
            problems.append(
                Problem(
                    line, "category", f'"{row.category}" is spelled "{first}" on line {first_line}'
                )
            )
        group = (row.month, row.category, frozenset(row.flags))
        if group in groups:
            problems.append(
                Problem(line, "", f"repeats the month, category and flags of line {groups[group]}")
            )
        groups.setdefault(group, line)
        rows.append(row)
    if len(records) == 1:
        problems.append(Problem(None, "", "the file has a header but no rows"))
    for month in months or ():
        if len(records) > 1 and month not in seen_months:
            problems.append(
                Problem(None, "month", f"no rows for {month}, one of complaint_log.months")
            )
    return rows, problems


_EXCEL_DATE = re.compile(
    r"\d{1,2}/\d{1,2}/\d{2,4}|[A-Za-z]{3}[- ]\d{2,4}|\d{1,2}[- ][A-Za-z]{3}|\d{4}-\d{2}-\d{2}.*"
)


def _parse_row(
    line: int,
    cells: list[str],
    months: Collection[str] | None,
    flags: Collection[str] | None,
    problems: list[Problem],
) -> LogRow | None:
    month, category, count_text, cost_text, flags_text = cells
    before = len(problems)
    # Excel turns a typed 2026-03 into a date and saves it as one (Mar-26, 01/03/2026).
    excel = (
        ": Excel may have made it a date: format the column as Text and type each month as "
        "YYYY-MM, e.g. 2026-03"
        if _EXCEL_DATE.fullmatch(month)
        else ""
    )
    if months is not None and month not in months:
        problems.append(
            Problem(line, "month", f'"{month}" is not one of complaint_log.months{excel}')
        )
    elif months is None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        problems.append(Problem(line, "month", f'"{month}" is not a month (YYYY-MM){excel}'))
    if not category:
        problems.append(Problem(line, "category", "must not be empty"))
    if not re.fullmatch(r"\d+", count_text):
        problems.append(
            Problem(line, "count", f'"{count_text}" is not a whole number of 0 or more')
        )
    elif len(count_text) > 12 or int(count_text) > MAX_LOG_COUNT:  # int() refuses 4,300 digits
        shown = count_text if len(count_text) <= 20 else f"{count_text[:20]}…"
        problems.append(
            Problem(line, "count", f"{shown} is more than {MAX_LOG_COUNT:,}: check the number")
        )
    cost = _cost(cost_text)
    if cost is None:
        # A cell formatted as currency is saved as "£1,960.00".
        plain = (
            ": write it as a plain number such as 1960.00, without £ or commas"
            if re.search(r"[£$,]", cost_text)
            else ""
        )
        problems.append(
            Problem(line, "cost", f'"{cost_text}" is not an amount of 0 or more{plain}')
        )
    elif cost > MAX_LOG_COST:
        shown = cost_text if len(cost_text) <= 20 else f"{cost_text[:20]}…"
        problems.append(
            Problem(line, "cost", f"{shown} is more than {MAX_LOG_COST:,}: check the amount")
        )
        cost = None
    row_flags = tuple(flag.strip() for flag in flags_text.split(";")) if flags_text else ()
    for flag in row_flags:
        if not flag:
            problems.append(Problem(line, "flags", "empty flag between semicolons"))
        elif flags is not None and flag not in flags:
            problems.append(Problem(line, "flags", f'no flag "{flag}" in complaint_log.flags'))
    if len(problems) > before or cost is None:
        return None
    return LogRow(month=month, category=category, count=int(count_text), cost=cost, flags=row_flags)


def _cost(text: str) -> Decimal | None:
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None


# Raw HTML tags that Markdown would pass through (the app disables HTML; this says so early).
_HTML = re.compile(
    r"<!--|</?(a|abbr|b|big|blockquote|br|center|code|del|details|div|em|embed|font|form|h[1-6]|"
    r"hr|i|iframe|img|input|ins|kbd|li|link|mark|meta|object|ol|p|pre|s|script|small|span|strike|"
    r"strong|style|sub|summary|sup|table|tbody|td|th|thead|tr|tt|u|ul|video|audio|svg)\b[^>]*>",
    re.IGNORECASE,
)
_IMAGE = re.compile(r"!\[[^\]]*\][(\[]")  # inline ![a](b) or reference ![a][b]
_EXTERNAL = re.compile(
    # inline [a](http://...), autolink <http://...>, reference definition [a]: http://...
    r"\]\(\s*<?(https?:|//|mailto:|ftp:)|<(https?|mailto|ftp):"
    r"|^ {0,3}\[[^\]]+\]:\s*<?(https?:|//|mailto:|ftp:)",
    re.IGNORECASE,
)


def check_markdown(text: str) -> list[Problem]:
    """A document must have content and no raw HTML, images or links to other hosts."""
    if not text.strip():
        return [Problem(None, "", "the document is empty")]
    problems: list[Problem] = _control_lines(text)
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _HTML.search(line):
            problems.append(Problem(number, "", f"raw HTML is not allowed ({match.group(0)})"))
        if _IMAGE.search(line):
            problems.append(Problem(number, "", "images are not allowed; describe the picture"))
        if _EXTERNAL.search(line):
            problems.append(Problem(number, "", "links to other sites are not allowed"))
    return problems
