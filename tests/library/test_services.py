"""Loading units and scenarios: idempotent, versioned by content hash, all-or-nothing."""

import pytest
import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit
from portfolio.library import queries, services
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.scenarios.errors import ScenarioInvalid


def test_load_creates_unit_and_published_version(loaded):
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "MINI"))
    refs = [c.ref for c in db.session.scalars(sa.select(Criterion).order_by(Criterion.position))]
    assert unit is not None and "1.1" in refs
    scenario = db.session.scalar(
        sa.select(LibraryScenario).where(LibraryScenario.slug == "minimal")
    )
    assert scenario.bundled and scenario.published and scenario.current_number == 1
    assert loaded.scenarios == [("minimal", 1, True)]


def test_loading_twice_changes_nothing(loaded, bundle):
    again = services.load_bundled(bundle)
    assert again.scenarios == [("minimal", 1, False)]
    assert again.units == [("MINI", False)]
    assert db.session.scalar(sa.select(sa.func.count(ScenarioVersion.id))) == 1


def test_a_changed_file_makes_a_new_version_and_keeps_the_old(loaded, bundle):
    scenario = db.session.scalar(sa.select(LibraryScenario))
    first = queries.current_version(scenario)
    manifest = bundle / "minimal" / "scenario.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("Minimal Broadband: a bill", "Minimal Broadband: the bill", 1))
    report = services.load_bundled(bundle)
    db.session.commit()
    assert report.scenarios == [("minimal", 2, True)]
    second = queries.current_version(scenario)
    assert second.number == 2 and second.content_hash != first.content_hash
    assert queries.spec_of(first).title.startswith("Minimal Broadband: a bill")
    assert queries.spec_of(second).title.startswith("Minimal Broadband: the bill")
    assert scenario.title.startswith("Minimal Broadband: the bill")


def test_invalid_bundle_loads_nothing(app, bundle):
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("slug: minimal", "slug: Not A Slug", 1))
    with pytest.raises(ScenarioInvalid) as exc:
        services.load_bundled(bundle)
    assert any(e.field == "slug" for e in exc.value.errors)
    assert db.session.scalar(sa.select(sa.func.count(LibraryScenario.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0


def test_stored_version_round_trips_to_the_same_scenario(loaded, bundle):
    from portfolio.scenarios.loader import load_bundle

    _, [spec] = load_bundle(bundle)
    version = db.session.scalar(sa.select(ScenarioVersion))
    assert queries.spec_of(version) == spec


def test_cli_validate_and_load(app, runner, bundle):
    ok = runner.invoke(args=["scenarios", "validate", str(bundle)])
    assert ok.exit_code == 0 and "valid" in ok.output
    (bundle / "minimal" / "complaint_log.csv").write_text("month,category\n2026-03,x\n")
    bad = runner.invoke(args=["scenarios", "validate", str(bundle)])
    assert bad.exit_code == 1 and "complaint_log.csv" in bad.output
    refused = runner.invoke(args=["scenarios", "load", str(bundle)])
    assert refused.exit_code != 0 and "Nothing was loaded" in refused.output


def test_bundled_scenarios_all_validate(app, runner):
    result = runner.invoke(args=["scenarios", "validate"])
    assert result.exit_code == 0, result.output
