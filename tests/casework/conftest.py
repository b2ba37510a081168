"""Fixtures for the casework service and view tests: the minimal fixture scenario and the five
bundled scenarios, each parsed once per run and imported into each test's empty database."""

import shutil
from pathlib import Path

import pytest

from portfolio.casework import services
from portfolio.casework.models import Case
from portfolio.extensions import db
from portfolio.framework.services import import_unit
from portfolio.library.models import LibraryScenario
from portfolio.library.services import import_scenario
from portfolio.roles import Role
from portfolio.scenarios.loader import load_bundle
from portfolio.scenarios.schema import CriteriaFile, Scenario
from tests.library.conftest import FIXTURES

BUNDLE_DIR = Path(__file__).resolve().parents[2] / "scenarios"


def import_specs(criteria: list[CriteriaFile], specs: list[Scenario]) -> list[LibraryScenario]:
    """What load_bundled does, from specs already parsed: units, then published scenarios."""
    for unit in criteria:
        import_unit(unit)
    return [import_scenario(spec, centre=None, publish=True).version.scenario for spec in specs]


@pytest.fixture(scope="session")
def minimal_bundle() -> tuple[list[CriteriaFile], list[Scenario]]:
    """The minimal fixture bundle, parsed once for the whole run."""
    return load_bundle(FIXTURES)


@pytest.fixture(scope="session")
def bundled_specs() -> tuple[list[CriteriaFile], dict[str, Scenario]]:
    """The five bundled scenarios (and the unit), parsed once for the whole run."""
    criteria, specs = load_bundle(BUNDLE_DIR)
    return criteria, {spec.slug: spec for spec in specs}


@pytest.fixture
def spec(minimal_bundle) -> Scenario:
    return minimal_bundle[1][0]


@pytest.fixture
def scenario(app, minimal_bundle) -> LibraryScenario:
    """The minimal scenario, published in the bundled library."""
    [scenario] = import_specs(*minimal_bundle)
    return scenario


@pytest.fixture
def learner(make_user):
    return make_user(Role.LEARNER)


@pytest.fixture
def case(scenario, learner) -> Case:
    """An open case on the minimal scenario, nothing done yet."""
    case = services.start_case(learner, scenario)
    db.session.flush()
    return case


@pytest.fixture
def bundle(tmp_path) -> Path:
    """A copy of the minimal bundle that a test may edit and load with load_bundled."""
    root = tmp_path / "bundle"
    shutil.copytree(FIXTURES, root)
    return root
