"""The bundled scenarios, parsed once per run, and helpers to open a case on one of them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from portfolio.accounts.models import User
from portfolio.casework import services as casework
from portfolio.casework.models import Case
from portfolio.framework.services import import_unit
from portfolio.library.services import import_scenario
from portfolio.scenarios.loader import load_bundle
from portfolio.scenarios.schema import CriteriaFile, Scenario

BUNDLE_DIR = Path(__file__).resolve().parents[2] / "scenarios"
RETAIL = "retail-faulty-goods"


@cache
def bundle() -> tuple[tuple[CriteriaFile, ...], dict[str, Scenario]]:
    """The bundled criteria and scenarios (by slug); parsing takes about a second, so once."""
    criteria, scenarios = load_bundle(BUNDLE_DIR)
    return tuple(criteria), {spec.slug: spec for spec in scenarios}


def bundled_slugs() -> list[str]:
    """Every bundled scenario's slug, for parametrising."""
    return sorted(bundle()[1])


def open_case(learner: User, slug: str = RETAIL) -> Case:
    """Import the unit and one bundled scenario, and open a case on it for ``learner``."""
    criteria, scenarios = bundle()
    for unit in criteria:
        import_unit(unit)
    scenario = import_scenario(scenarios[slug], centre=None, publish=True).version.scenario
    return casework.start_case(learner, scenario)
