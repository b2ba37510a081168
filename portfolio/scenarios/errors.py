"""The errors the scenario loader reports, and how pydantic's validation errors become them."""

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from portfolio.scenarios.checks import Loc
from portfolio.scenarios.schema import LOADER_FIELDS


@dataclass(frozen=True)
class ScenarioError:
    """One problem in a scenario source: file (relative), line where known, field path, message."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ScenarioInvalid(Exception):
    """A scenario, criteria file or upload failed validation; ``errors`` holds every problem."""

    def __init__(self, errors: Sequence[ScenarioError]) -> None:
        self.errors: list[ScenarioError] = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def format_loc(loc: Iterable[str | int]) -> str:
    """A field path as the errors show it: ``("a", 2, "b")`` becomes ``a[2].b``. A key that is
    blank or holds unprintable characters is quoted (``a["\\n"]``) so a message stays one line."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part and part.isprintable() and part.strip() == part:
            text += f".{part}" if text else str(part)
        else:
            text += "[" + json.dumps(part) + "]"
    return text


def sort_errors(errors: Iterable[ScenarioError]) -> list[ScenarioError]:
    """Errors ordered by file, then line (errors without a line first), keeping ties in order."""
    return sorted(errors, key=lambda e: (e.file, e.line or 0))


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of the nearest part of ``loc`` present in the file."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _describe(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value[:40]}{"..." if len(value) > 40 else ""}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return type(value).__name__


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that holds the fields at ``loc``, walking field annotations."""
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        found = _model_in(info.annotation) if info else None
        if found is None:
            return None
        model = found
    return model


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


def _suggestion(model: type[BaseModel], loc: Loc) -> str | None:
    """The known field an unknown one at ``loc`` is probably a misspelling of, or None."""
    parent = _model_at(model, loc[:-1])
    names = [n for n in (parent.model_fields if parent else ()) if n not in LOADER_FIELDS]
    close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.8)
    return close[0] if close else None


def _message(error: Mapping[str, Any], model: type[BaseModel], loc: Loc) -> str:
    """A plain-English message for one pydantic error."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    got = _describe(value)
    if kind == "missing":
        return "required field missing"
    if kind == "extra_forbidden":
        close = _suggestion(model, loc)
        return f'unknown field (did you mean "{close}"?)' if close else "unknown field"
    if kind == "string_type":
        hint = f' (put it in quotes: "{value}")' if isinstance(value, int | float) else ""
        return f"expected text, got {got}{hint}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {got}"
    if kind == "bool_type":
        return f"expected true or false, got {got}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a set of fields (key: value lines), got {got}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return f"must be {'one of ' if ' or ' in expected else ''}{expected}, got {got}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} items, has {ctx.get('actual_length')}"
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more, got {got}"
    if kind == "less_than_equal":
        return f"must be {ctx.get('le')} or less, got {got}"
    if kind == "money_type":
        return f"{error['msg']}, got {got}"
    return str(error["msg"]).removeprefix("Value error, ")


def schema_errors(
    exc: ValidationError, model: type[BaseModel], file: str, lines: Mapping[Loc, int]
) -> list[ScenarioError]:
    """Each pydantic error as a ScenarioError with its field path, line and plain message."""
    found = []
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "requirement_field":
            loc = (*loc, ctx["field"])
        found.append((error["type"], loc, _message(error, model, loc)))
    # A misspelt name is both an unknown field and a missing one: say it once, where it is.
    suggested = {
        (*loc[:-1], close)
        for kind, loc, _ in found
        if kind == "extra_forbidden" and (close := _suggestion(model, loc))
    }
    return [
        ScenarioError(file, line_of(lines, loc), format_loc(loc), message)
        for kind, loc, message in found
        if not (kind == "missing" and loc in suggested)
    ]
