"""Reads over the library, scoped to what a user may see, and the parsed-scenario cache."""

import functools
from collections import OrderedDict
from datetime import date
from threading import Lock

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.reads import rows as read_rows
from portfolio.roles import Role
from portfolio.scenarios.schema import Scenario

_CACHE: OrderedDict[tuple[int, str], Scenario] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = Lock()


def spec_of(version: ScenarioVersion) -> Scenario:
    """The validated scenario of a version. Versions never change, so parsing once per process
    is safe: the cache holds immutable data, never state."""
    return _spec(version.id, version.content_hash, lambda: version.data)


def spec_by_key(version_id: int, content_hash: str) -> Scenario:
    """The validated scenario of the version with this ID and hash, reading its (large) data
    only when this process has not parsed it yet: for pages that list rows, not versions."""

    def data() -> dict:
        statement = sa.select(ScenarioVersion.data).where(ScenarioVersion.id == version_id)
        return db.session.execute(statement).scalar_one()

    return _spec(version_id, content_hash, data)


def _spec(version_id: int, content_hash: str, data) -> Scenario:
    key = (version_id, content_hash)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    # Stored data passed the strict checks on import; JSON turns tuples into lists, hence lax.
    spec = Scenario.model_validate(data(), strict=False)
    with _LOCK:
        _CACHE[key] = spec
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return spec


def scenarios_visible_to(user: User) -> sa.Select:
    """Bundled scenarios and the user's own centre's; learners see published ones only."""
    return library_page(user.role == Role.LEARNER).params(centre_id=user.centre_id)


@functools.cache
def library_page(published_only: bool) -> sa.Select:
    """Bundled scenarios and those of the centre bound as :centre_id (None for a site admin,
    whose centre matches nothing, leaving the bundled ones), by title, the centre's first;
    `published_only` for learners. Built once (the library page binds the centre)."""
    scope = sa.or_(
        LibraryScenario.centre_id.is_(None),
        LibraryScenario.centre_id == sa.bindparam("centre_id", type_=sa.Integer),
    )
    query = sa.select(LibraryScenario).where(scope)
    if published_only:
        query = query.where(LibraryScenario.published.is_(True))
    return query.order_by(LibraryScenario.centre_id.is_(None), LibraryScenario.title)


@functools.cache
def _draft_numbers_statement() -> sa.Select:
    """`draft_numbers` built once: bind :scenario_ids (expanding)."""
    ids = sa.bindparam("scenario_ids", expanding=True)
    newest = (
        sa.select(ScenarioVersion.scenario_id, sa.func.max(ScenarioVersion.number).label("number"))
        .where(ScenarioVersion.scenario_id.in_(ids))
        .group_by(ScenarioVersion.scenario_id)
        .subquery()
    )
    return (
        sa.select(ScenarioVersion.scenario_id, ScenarioVersion.number)
        .join(
            newest,
            sa.and_(
                newest.c.scenario_id == ScenarioVersion.scenario_id,
                newest.c.number == ScenarioVersion.number,
            ),
        )
        .where(ScenarioVersion.published_at.is_(None))
    )


def current_version(scenario: LibraryScenario) -> ScenarioVersion:
    """The scenario's current version: the live one that learners read and new cases and
    exercises get (before the first publication, the newest draft)."""
    return db.session.scalar(
        sa.select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario.id,
            ScenarioVersion.number == scenario.current_number,
        )
    )


def draft_version(scenario: LibraryScenario) -> ScenarioVersion | None:
    """The newest version when it has never been published (a draft waiting to go live),
    else None."""
    newest = db.session.scalar(
        sa.select(ScenarioVersion)
        .where(ScenarioVersion.scenario_id == scenario.id)
        .order_by(ScenarioVersion.number.desc())
        .limit(1)
    )
    return newest if newest is not None and newest.draft else None


def version_numbered(scenario: LibraryScenario, number: int) -> ScenarioVersion | None:
    """The scenario's version with this number, or None."""
    return db.session.scalar(
        sa.select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.number == number
        )
    )


def earlier_versions(scenario: LibraryScenario) -> list[ScenarioVersion]:
    """The versions before the current one, newest first (their data not loaded): cases and
    exercises that began on one keep it, so staff preview it to see what those learners had."""
    return list(
        db.session.scalars(
            sa.select(ScenarioVersion)
            .where(
                ScenarioVersion.scenario_id == scenario.id,
                ScenarioVersion.number < scenario.current_number,
            )
            .order_by(ScenarioVersion.number.desc())
        )
    )


def draft_numbers(scenario_ids: list[int]) -> dict[int, int]:
    """For a page of scenarios, one query: scenario ID -> the number of its draft, for those
    whose newest version has never been published."""
    if not scenario_ids:
        return {}
    return dict(read_rows(_draft_numbers_statement(), {"scenario_ids": scenario_ids}).all())


def exercises_using(scenario: LibraryScenario, today: date) -> list:
    """The exercises set on this scenario that are open today or yet to open, by close date:
    withdrawing the scenario would stop their learners starting."""
    from portfolio.exercises.models import Exercise

    return list(
        db.session.scalars(
            sa.select(Exercise)
            .where(Exercise.scenario_id == scenario.id, Exercise.closes_on >= today)
            .options(so.joinedload(Exercise.cohort))
            .order_by(Exercise.closes_on, Exercise.id)
        )
    )


def unit_specs() -> list:
    """Every unit in the framework as a criteria spec, for validating uploads against it."""
    from portfolio.framework.models import Unit
    from portfolio.scenarios.schema import CriteriaFile

    units = db.session.scalars(sa.select(Unit)).all()
    return [
        CriteriaFile.model_validate(
            {
                "format": 1,
                "unit": {
                    "code": u.code,
                    "title": u.title,
                    "level": u.level,
                    "source_note": u.source_note,
                    "outcomes": [
                        {
                            "ref": o.ref,
                            "title": o.title,
                            "kind": o.kind,
                            "criteria": [
                                {"ref": c.ref, "text": c.text, "reconstructed": c.reconstructed}
                                for c in o.criteria
                            ],
                        }
                        for o in u.outcomes
                    ],
                },
            }
        )
        for u in units
    ]
