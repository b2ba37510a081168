"""Importing scenarios as versions (drafts until published), publishing and withdrawing them,
and loading the bundled library."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from portfolio.accounts.models import Centre, User
from portfolio.db import utcnow
from portfolio.extensions import db
from portfolio.framework.services import import_unit
from portfolio.library import queries
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
    the same scope (a centre, or the bundled library). The same content twice changes nothing.
    Changed content becomes the next version: live at once with `publish` (the bundled
    library), otherwise a draft that learners, new cases and new exercises do not get until
    the admin publishes it. Until a scenario's first publication its newest draft is its
    current version, so the library lists what the admin last uploaded."""
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
        if publish and (existing.draft or not scenario.published):
            if existing.number >= scenario.current_number:
                _go_live(scenario, existing, spec)
            scenario.published = True
            db.session.flush()
        return ImportResult(existing, False)
    newest = db.session.scalar(
        sa.select(sa.func.max(ScenarioVersion.number)).where(
            ScenarioVersion.scenario_id == scenario.id
        )
    )
    version = ScenarioVersion(
        scenario=scenario,
        number=(newest or 0) + 1,
        content_hash=spec.content_hash,
        data=spec.model_dump(mode="json"),
        created_by=by,
    )
    db.session.add(version)
    if publish:
        _go_live(scenario, version, spec)
        scenario.published = True
    elif not _ever_published(scenario):
        _mirror(scenario, version, spec)
    db.session.flush()
    return ImportResult(version, True)


def _ever_published(scenario: LibraryScenario) -> bool:
    return (
        db.session.scalar(
            sa.select(ScenarioVersion.id)
            .where(
                ScenarioVersion.scenario_id == scenario.id,
                ScenarioVersion.published_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


def _mirror(scenario: LibraryScenario, version: ScenarioVersion, spec: Scenario) -> None:
    """Make `version` the scenario's current one, its listing fields copied from `spec`."""
    scenario.current_number = version.number
    scenario.title = spec.title
    scenario.sector = spec.sector
    scenario.difficulty = spec.difficulty
    scenario.summary = spec.summary
    scenario.unit_code = spec.unit


def _go_live(scenario: LibraryScenario, version: ScenarioVersion, spec: Scenario) -> None:
    """Make `version` the live one: what learners, new cases and new exercises get."""
    if version.published_at is None:
        version.published_at = utcnow()
    _mirror(scenario, version, spec)


def publish_scenario(scenario: LibraryScenario, *, number: int | None = None) -> ScenarioVersion:
    """Publish a centre's scenario to its learners: its draft, when there is one, becomes the
    live version (cases already started keep the version they began on, and exercises the
    version they were set with). Publishing again with no draft changes nothing. `number` is
    the version the admin's page offered to publish: a newer draft uploaded since (by another
    admin, or in another tab) is refused rather than put live unseen. A withdrawn scenario may
    instead go back live on the version that was live (`number` names it), its draft kept."""
    if scenario.bundled:
        raise LibraryError("Bundled scenarios are always published.")
    draft = queries.draft_version(scenario)
    if number is not None and draft is not None and draft.number != number:
        current = queries.current_version(scenario)
        if not scenario.published and number == current.number and not current.draft:
            # Withdrawn with a draft waiting: back live on the version that was live, the draft
            # left a draft (it may be unfinished).
            scenario.published = True
            db.session.flush()
            return current
        raise LibraryError(
            f"Nothing was published: version {draft.number} of {scenario.title} was uploaded "
            f"after you opened the page that offered version {number}. Preview version "
            f"{draft.number}, then publish it if it is right."
        )
    if draft is not None:
        _go_live(scenario, draft, queries.spec_of(draft))
    scenario.published = True
    db.session.flush()
    return queries.current_version(scenario)


def withdraw_scenario(scenario: LibraryScenario, *, today: date | None = None) -> LibraryScenario:
    """Withdraw a centre's scenario from its learners; it keeps its versions and its drafts.
    Refused while an exercise on it is open or yet to open, naming them: its learners could no
    longer start their cases."""
    if scenario.bundled:
        raise LibraryError("Bundled scenarios are always published.")
    exercises = queries.exercises_using(scenario, today or date.today())
    if exercises:
        names = "; ".join(
            f"“{e.title}” for {e.cohort.name}, open {e.opens_on:%-d %B %Y} to "
            f"{e.closes_on:%-d %B %Y}"
            for e in exercises
        )
        raise LibraryError(
            f"{scenario.title} cannot be withdrawn while exercises use it, as their learners "
            f"could no longer start their cases: {names}. Close those exercises (change their "
            "close date), then withdraw it once they have closed."
        )
    scenario.published = False
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
