"""Loading and validating scenario folders, criteria files, bundles and uploads.

Every function reports every problem it can find at once, as ScenarioError values (file, line,
field, message) inside a ScenarioInvalid exception. Run ``python -m portfolio.scenarios.loader
[PATH ...]`` to validate folders, bundles, criteria files or zips from the command line.
"""

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from portfolio.scenarios.checks import Loc, check_criteria_data, check_scenario_data
from portfolio.scenarios.errors import (
    ScenarioError,
    ScenarioInvalid,
    format_loc,
    line_of,
    schema_errors,
    sort_errors,
)
from portfolio.scenarios.hashing import files_hash, scenario_hash
from portfolio.scenarios.parsing import (
    SourceProblem,
    check_markdown,
    decode_text,
    parse_log,
    parse_yaml,
)
from portfolio.scenarios.schema import LOADER_FIELDS, MONTH_RE, CriteriaFile, LogRow, Scenario
from portfolio.scenarios.zipfiles import MAX_UPLOAD_BYTES, check_member_name, is_junk, read_zip

__all__ = [
    "LoadResult",
    "ScenarioError",
    "ScenarioInvalid",
    "files_hash",
    "load_bundle",
    "load_criteria",
    "load_paths",
    "load_scenario_dir",
    "load_scenario_from_files",
    "main",
    "scenario_hash",
    "validate_paths",
]

SCENARIO_FILE = "scenario.yaml"
CRITERIA_DIR = "criteria"
MAX_YAML_BYTES = 512 * 1024
MAX_DOCUMENT_BYTES = 200 * 1024
MAX_LOG_BYTES = 1024 * 1024
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "scenarios"

Units = Mapping[str, CriteriaFile]
#: Makes a manifest error at a field path: ``at(("documents", 2, "file"), "message")``.
At = Callable[[Loc, str], ScenarioError]


@dataclass
class LoadResult:
    """What ``load_paths`` found: the valid criteria files and scenarios, and every error."""

    criteria: list[CriteriaFile] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    errors: list[ScenarioError] = field(default_factory=list)


# --- Reading files -------------------------------------------------------------------------------


def _read_text(path: Path, limit: int) -> str:
    """A file's text, or SourceProblem: missing, too large, not UTF-8."""
    if not path.is_file():
        raise SourceProblem("file not found")
    size = path.stat().st_size
    if size > limit:
        raise SourceProblem(f"the file is {size:,} bytes; the limit is {limit:,}")
    return decode_text(path.read_bytes())


def _read_yaml(path: Path, file: str) -> tuple[dict[str, Any], dict[Loc, int], list[ScenarioError]]:
    """A YAML mapping with its line map and duplicate-key errors; ScenarioInvalid if unreadable."""
    try:
        data, lines, problems = parse_yaml(_read_text(path, MAX_YAML_BYTES))
    except SourceProblem as exc:
        raise ScenarioInvalid([ScenarioError(file, exc.line, "", exc.message)]) from None
    if not isinstance(data, dict):
        message = "must be a YAML mapping of fields (key: value lines), not a single value or list"
        raise ScenarioInvalid([ScenarioError(file, 1, "", message)])
    return data, lines, [ScenarioError(file, p.line, p.field, p.message) for p in problems]


def _member(root: Path, rel: str, suffix: str) -> Path:
    """The file ``rel`` names inside root, or SourceProblem saying why it cannot be used."""
    problem = check_member_name(rel)
    if problem:
        raise SourceProblem(f'"{rel}": {problem}')
    if not rel.lower().endswith(suffix):
        raise SourceProblem(f'"{rel}" must be a {suffix} file')
    path = root.joinpath(*PurePosixPath(rel).parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise SourceProblem(f'"{rel}" points outside the scenario folder')
    if not path.is_file():
        message = f'no file "{rel}" in the scenario folder'
        if near := _near_name(root, rel):
            message += f'; found "{near}": names must match exactly, capitals and folder included'
        raise SourceProblem(message)
    return path


def _near_name(root: Path, rel: str) -> str | None:
    """The file the author probably meant by ``rel``: the same path in other capitals, else the
    same file name in another folder. Their own computer may ignore capitals; the app does not."""
    wanted = PurePosixPath(rel)
    found = (p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    files = sorted(p.relative_to(root).as_posix() for p in found)
    same_path = [f for f in files if f.lower() == wanted.as_posix().lower()]
    same_name = [f for f in files if PurePosixPath(f).name.lower() == wanted.name.lower()]
    return next(iter(same_path + same_name), None)


# --- Criteria files ------------------------------------------------------------------------------


def load_criteria(path: str | Path, *, label: str | None = None) -> CriteriaFile:
    """Load and validate a criteria file; ``label`` names it in errors (default folder/name)."""
    path = Path(path)
    file = label or f"{path.parent.name}/{path.name}"
    data, lines, errors = _read_yaml(path, file)
    errors += [
        ScenarioError(file, line_of(lines, i.loc), format_loc(i.loc), i.message)
        for i in check_criteria_data(data)
    ]
    try:
        criteria = CriteriaFile.model_validate(data)
    except ValidationError as exc:
        errors += schema_errors(exc, CriteriaFile, file, lines)
    if errors:
        raise ScenarioInvalid(sort_errors(errors))
    return criteria


def _load_units(
    paths: Iterable[tuple[Path, str]],
) -> tuple[dict[str, CriteriaFile], list[ScenarioError]]:
    """Criteria files by unit code, and the errors of those that failed or clash."""
    units: dict[str, CriteriaFile] = {}
    labels: dict[str, str] = {}
    errors: list[ScenarioError] = []
    for path, label in paths:
        try:
            criteria = load_criteria(path, label=label)
        except ScenarioInvalid as exc:
            errors += exc.errors
            continue
        code = criteria.unit.code
        if code in units:
            message = f'unit "{code}" is also defined in {labels[code]}'
            errors.append(ScenarioError(label, None, "unit.code", message))
            continue
        units[code] = criteria
        labels[code] = label
    return units, errors


def _criteria_paths(bundle: Path) -> list[tuple[Path, str]]:
    folder = bundle / CRITERIA_DIR
    if not folder.is_dir():
        return []
    found = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [(p, f"{CRITERIA_DIR}/{p.name}") for p in found]


# --- Scenarios -----------------------------------------------------------------------------------


def load_scenario_dir(
    path: str | Path, *, units: Units | None = None, label: str | None = None
) -> Scenario:
    """Load and validate one scenario folder, reporting every error at once.

    ``units`` maps unit codes to criteria files; None reads ``../criteria/*.yaml`` beside the
    folder. ``label`` names the folder in errors (default: its name; empty for files named by
    their path inside the folder alone). Raises ScenarioInvalid.
    """
    root = Path(path)
    label = root.name if label is None else label
    manifest = _named(label, SCENARIO_FILE)
    if not root.is_dir():
        raise ScenarioInvalid([ScenarioError(label, None, "", "not a folder")])
    errors = [
        ScenarioError(
            _named(label, p.relative_to(root).as_posix()),
            None,
            "",
            "symbolic links are not allowed",
        )
        for p in sorted(root.rglob("*"))
        if p.is_symlink()
    ]
    if units is None:
        units, unit_errors = _load_units(_criteria_paths(root.parent))
        errors += unit_errors
    if not (root / SCENARIO_FILE).is_file():
        message = f"file not found: every scenario folder needs a {SCENARIO_FILE}"
        # Saved as scenario.yml, Scenario.YAML, or under another name: say which to rename.
        others = sorted(
            p.name for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")
        )
        if len(others) == 1:
            message += f"; found {others[0]}: rename it to {SCENARIO_FILE}"
        elif others:
            message += f"; found {', '.join(others)}: rename the manifest to {SCENARIO_FILE}"
        raise ScenarioInvalid(sort_errors([*errors, ScenarioError(manifest, None, "", message)]))
    try:
        data, lines, yaml_errors = _read_yaml(root / SCENARIO_FILE, manifest)
    except ScenarioInvalid as exc:
        raise ScenarioInvalid(sort_errors(errors + exc.errors)) from None
    errors += yaml_errors

    def at(loc: Loc, message: str) -> ScenarioError:
        return ScenarioError(manifest, line_of(lines, loc), format_loc(loc), message)

    for key in sorted(LOADER_FIELDS & data.keys()):
        errors.append(at((key,), "unknown field"))
        del data[key]
    refs = None
    unit_code = data.get("unit") if isinstance(data.get("unit"), str) else ""
    if unit_code:
        criteria = units.get(unit_code)
        if criteria is None:
            known = f" (known units: {', '.join(sorted(units))})" if units else ""
            errors.append(
                at(("unit",), f'"{unit_code}" is not a unit this app has criteria for{known}')
            )
        else:
            refs = criteria.criterion_refs
    errors += [at(i.loc, i.message) for i in check_scenario_data(data, refs, unit_code)]
    _attach_documents(root, label, data, at, errors)
    rows = _read_log(root, label, data, at, errors)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors += schema_errors(exc, Scenario, manifest, lines)
    if errors:
        # An amount too long to round is refused by the checks and the schema in the same words.
        raise ScenarioInvalid(sort_errors(dict.fromkeys(errors)))
    return scenario.model_copy(
        update={"log_rows": tuple(rows), "content_hash": scenario_hash(root)}
    )


def _named(label: str, rel: str) -> str:
    """A file's name in errors: its path inside the scenario, after the label if there is one."""
    return f"{label}/{rel}" if label else rel


def _attach_documents(
    root: Path, label: str, data: dict[str, Any], at: At, errors: list[ScenarioError]
) -> None:
    """Read each document's Markdown file into its ``content`` (in ``data``), checking it."""
    documents = data.get("documents")
    if not isinstance(documents, list):
        return
    loaded = []
    for i, document in enumerate(documents):
        if isinstance(document, dict):
            if "content" in document:
                errors.append(at(("documents", i, "content"), "unknown field"))
                document = {k: v for k, v in document.items() if k != "content"}
            text = _read_document(
                root, label, document.get("file"), ("documents", i, "file"), at, errors
            )
            if text is not None:
                document = {**document, "content": text}
        loaded.append(document)
    data["documents"] = loaded


def _read_document(
    root: Path, label: str, rel: object, loc: Loc, at: At, errors: list[ScenarioError]
) -> str | None:
    """A document's checked Markdown text, or None after adding its errors."""
    if not isinstance(rel, str) or not rel.strip():
        return None  # the schema reports it
    try:
        path = _member(root, rel, ".md")
    except SourceProblem as exc:
        errors.append(at(loc, exc.message))
        return None
    file = _named(label, PurePosixPath(rel).as_posix())
    try:
        text = _read_text(path, MAX_DOCUMENT_BYTES)
    except SourceProblem as exc:
        errors.append(ScenarioError(file, exc.line, "", exc.message))
        return None
    problems = check_markdown(text)
    errors += [ScenarioError(file, p.line, p.field, p.message) for p in problems]
    return None if problems else text


def _read_log(
    root: Path, label: str, data: dict[str, Any], at: At, errors: list[ScenarioError]
) -> list[LogRow]:
    """Parse the complaint log CSV named by ``complaint_log.file`` against the manifest."""
    spec = data.get("complaint_log")
    if not isinstance(spec, dict) or not isinstance(spec.get("file"), str):
        return []
    rel = spec["file"]
    try:
        path = _member(root, rel, ".csv")
    except SourceProblem as exc:
        errors.append(at(("complaint_log", "file"), exc.message))
        return []
    file = _named(label, PurePosixPath(rel).as_posix())
    try:
        text = _read_text(path, MAX_LOG_BYTES)
    except SourceProblem as exc:
        message = exc.message
        if message.startswith("not UTF-8"):
            # Excel's plain "CSV" is Windows-1252, its "Unicode Text" UTF-16.
            message += " (in Excel, File > Save As and choose 'CSV UTF-8 (Comma delimited)')"
        errors.append(ScenarioError(file, exc.line, "", message))
        return []
    months = spec.get("months")
    if isinstance(months, list):
        months = [m for m in months if isinstance(m, str) and MONTH_RE.fullmatch(m)]
    else:
        months = None
    flags = spec.get("flags", [])
    flags = [f.get("id") for f in flags if isinstance(f, dict)] if isinstance(flags, list) else None
    rows, problems = parse_log(text, months=months, flags=flags)
    errors += [ScenarioError(file, p.line, p.field, p.message) for p in problems]
    return rows


def load_scenario_from_files(
    files: Mapping[str, bytes], *, units: Units, label: str = "upload"
) -> Scenario:
    """Validate a scenario given as {relative path: bytes} (e.g. from ``read_zip``).

    The files go to a temporary folder that is removed afterwards; ``label`` names the upload in
    errors (empty: each file is named by its path alone, as in a zip with no top folder). The
    result's ``content_hash`` equals ``files_hash(files)``.
    """
    errors = [
        ScenarioError(_named(label, name), None, "", problem)
        for name in files
        if (problem := check_member_name(name))
    ]
    if errors:
        raise ScenarioInvalid(errors)
    with tempfile.TemporaryDirectory(prefix="scenario-") as tmp:
        root = Path(tmp) / "scenario"
        root.mkdir()
        for name, content in files.items():
            if is_junk(name):
                continue
            target = root.joinpath(*PurePosixPath(name).parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            except OSError:
                errors.append(ScenarioError(_named(label, name), None, "", "cannot be stored"))
        if errors:
            raise ScenarioInvalid(errors)
        return load_scenario_dir(root, units=units, label=label)


# --- Bundles and paths ---------------------------------------------------------------------------


def load_paths(paths: Sequence[str | Path]) -> LoadResult:
    """Load every scenario folder, bundle, criteria file or zip named, collecting all errors.

    A bundle is a folder holding ``criteria/*.yaml`` and scenario folders: every other subfolder
    (hidden ones aside) must be a scenario, so a folder missing its ``scenario.yaml`` is an error,
    not silently left out. Scenarios are checked against every criteria file found.
    """
    result = LoadResult()
    criteria: dict[Path, str] = {}
    scenarios: list[tuple[Path, str]] = []
    zips: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and (path / SCENARIO_FILE).is_file():
            scenarios.append((path, path.name))
            criteria.update({p.resolve(): lbl for p, lbl in _criteria_paths(path.parent)})
        elif path.is_dir():
            found = _criteria_paths(path)
            criteria.update({p.resolve(): lbl for p, lbl in found})
            subfolders = sorted(p for p in path.iterdir() if p.is_dir() and not is_junk(p.name))
            inside = [(p, p.name) for p in subfolders if p.name != CRITERIA_DIR]
            scenarios += inside
            if not found and not inside:
                result.errors.append(ScenarioError(str(path), None, "", "no scenarios found"))
        elif path.is_file() and path.name == SCENARIO_FILE:
            scenarios.append((path.parent, path.parent.name))
            criteria.update({p.resolve(): lbl for p, lbl in _criteria_paths(path.parent.parent)})
        elif path.is_file() and path.suffix == ".zip":
            zips.append(path)
        elif path.is_file() and path.suffix in (".yaml", ".yml"):
            criteria[path.resolve()] = f"{path.parent.name}/{path.name}"
        else:
            message = "not a scenario folder, bundle, criteria file or zip"
            result.errors.append(ScenarioError(str(path), None, "", message))
    units, errors = _load_units(criteria.items())
    result.criteria = list(units.values())
    result.errors += errors
    loaded: list[tuple[str, Scenario]] = []
    for folder, label in scenarios:
        _collect(
            result,
            loaded,
            label,
            lambda f=folder, n=label: load_scenario_dir(f, units=units, label=n),
        )
    for path in zips:
        _collect(result, loaded, path.name, lambda p=path: _load_zip(p, units))
    slugs: dict[str, str] = {}
    for label, scenario in loaded:
        if scenario.slug in slugs:
            message = f'"{scenario.slug}" is also the slug of {slugs[scenario.slug]}'
            result.errors.append(ScenarioError(f"{label}/{SCENARIO_FILE}", None, "slug", message))
        slugs.setdefault(scenario.slug, label)
    result.scenarios = [scenario for _, scenario in loaded]
    return result


def _collect(
    result: LoadResult, loaded: list[tuple[str, Scenario]], label: str, load: Callable[[], Scenario]
) -> None:
    try:
        loaded.append((label, load()))
    except ScenarioInvalid as exc:
        result.errors += exc.errors


def _load_zip(path: Path, units: Units) -> Scenario:
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        message = f"the zip is {path.stat().st_size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}"
        raise ScenarioInvalid([ScenarioError(path.name, None, "", message)])
    files = read_zip(path.read_bytes(), label=path.name)
    # Each file named as the zip holds it, after the zip's own name.
    label = f"{path.name}/{files.folder}" if files.folder else path.name
    return load_scenario_from_files(files, units=units, label=label)


def load_bundle(root: str | Path) -> tuple[list[CriteriaFile], list[Scenario]]:
    """The criteria files and scenarios of a bundle folder; ScenarioInvalid if anything fails."""
    result = load_paths([root])
    if result.errors:
        raise ScenarioInvalid(result.errors)
    return result.criteria, result.scenarios


def validate_paths(paths: Sequence[str | Path]) -> list[ScenarioError]:
    """Every error in the folders, bundles, criteria files or zips named (empty when valid)."""
    return load_paths(paths).errors


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print each error on its own line and return 1, or a summary and 0."""
    parser = argparse.ArgumentParser(
        prog="python -m portfolio.scenarios.loader", description="Validate scenario files."
    )
    parser.add_argument("paths", nargs="*", type=Path, help=f"default: {DEFAULT_DIR}")
    args = parser.parse_args(argv)
    result = load_paths(args.paths or [DEFAULT_DIR])
    for error in result.errors:
        print(error)
    if result.errors:
        print(f"{len(result.errors)} errors", file=sys.stderr)
        return 1
    count = len(result.scenarios)
    print(f"{count} scenario{'' if count == 1 else 's'} valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
