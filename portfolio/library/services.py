"""Importing scenarios as versions, publishing them, and loading the bundled library."""

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from portfolio.accounts.models import Centre, User
from portfolio.extensions import db
from portfolio.framework.services import import_unit
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.scenarios.loader import load_bundle
from portfolio.scenarios.schema import Scenario


class LibraryError(Exception):
    """A library rule was broken; the message is shown as it is."""


@dataclass
class ImportResult:
    version: ScenarioVersion
    created: bool


def import_scenario(
    spec: Scenario, *, centre: Centre | None, by: User | None = None, publish: bool = False
) -> ImportResult:
    """Store a validated scenario as a version of the library scenario with the same slug in
    the same scope (a centre, or the bundled library). The same content twice changes nothing;
    changed content becomes the next version and the scenario's current one."""
    centre_id = centre.id if centre else None
    scope = (
        LibraryScenario.centre_id.is_(None)
        if centre_id is None
        else LibraryScenario.centre_id == centre_id
    )
    scenario = db.session.scalar(
        sa.select(LibraryScenario).where(scope, LibraryScenario.slug == spec.slug)
    )
    if scenario is None:
        scenario = LibraryScenario(
            centre_id=centre_id,
            slug=spec.slug,
            current_number=0,
            title=spec.title,
            sector=spec.sector,
            difficulty=spec.difficulty,
            summary=spec.summary,
            unit_code=spec.unit,
        )
        db.session.add(scenario)
        db.session.flush()
    existing = db.session.scalar(
        sa.select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario.id,
            ScenarioVersion.content_hash == spec.content_hash,
        )
    )
    if existing is not None:
        if publish and not scenario.published:
            scenario.published = True
            db.session.flush()
        return ImportResult(existing, False)
    version = ScenarioVersion(
        scenario=scenario,
        number=scenario.current_number + 1,
        content_hash=spec.content_hash,
        data=spec.model_dump(mode="json"),
        created_by=by,
    )
    db.session.add(version)
    scenario.current_number = version.number
    scenario.title = spec.title
    scenario.sector = spec.sector
    scenario.difficulty = spec.difficulty
    scenario.summary = spec.summary
    scenario.unit_code = spec.unit
    scenario.published = scenario.published or publish
    db.session.flush()
    return ImportResult(version, True)


def set_published(scenario: LibraryScenario, *, published: bool) -> LibraryScenario:
    """Publish a centre's scenario to its learners, or withdraw it. Bundled ones stay published."""
    if scenario.bundled:
        raise LibraryError("Bundled scenarios are always published.")
    scenario.published = published
    db.session.flush()
    return scenario


@dataclass
class BundleReport:
    units: list[tuple[str, bool]]
    scenarios: list[tuple[str, int, bool]]


def load_bundled(root: str | Path) -> BundleReport:
    """Validate the bundled folder and import its units and scenarios (site-wide, published).
    Raises ScenarioInvalid listing every problem, before anything is written."""
    criteria, scenarios = load_bundle(root)
    report = BundleReport([], [])
    for spec in criteria:
        unit, changed = import_unit(spec)
        report.units.append((unit.code, changed))
    for spec in scenarios:
        result = import_scenario(spec, centre=None, publish=True)
        report.scenarios.append((spec.slug, result.version.number, result.created))
    return report
