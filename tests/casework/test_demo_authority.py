"""The demo generator obeys the sending rule: no generated case sends a remedy beyond the
learner's authority that the manager has not authorised."""

import random
from datetime import datetime

import pytest

from portfolio.casework.services import authorisation_blocker
from portfolio.demo.cases import plan_case, scenario_kit
from tests.casework.builders import bundled, bundled_slugs


@pytest.mark.parametrize("slug", bundled_slugs())
def test_generated_cases_send_only_authorised_remedies(slug):
    spec = bundled()[slug]
    kit = scenario_kit(1, 1, 1, spec)
    declined = [plan for plan in kit.remedies if plan.needs_authorisation and not plan.approved]
    sent = 0
    for seed in range(200):
        plan = plan_case(kit, random.Random(seed), 25, datetime(2026, 9, 1))
        correspondence = plan.records.get("correspondence")
        if correspondence is None:
            continue
        authorisation = plan.records.get("authorisation")
        requests = authorisation[0]["requests"] if authorisation else []
        for round_ in correspondence[0]["rounds"]:
            sent += 1
            assert authorisation_blocker(spec, round_["remedy"], requests) is None, seed
    assert sent
    if declined:  # a learner whose remedy was declined stops before sending
        assert any(
            "authorisation_requested" in [kind for kind, *_ in plan.events]
            and "response_sent" not in [kind for kind, *_ in plan.events]
            for plan in (
                plan_case(kit, random.Random(s), 25, datetime(2026, 9, 1)) for s in range(200)
            )
        )
