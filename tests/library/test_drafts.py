"""A new version of a centre's scenario is a draft until the admin publishes it: learners, new
cases and new exercises keep the live version meanwhile."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.casework.services import start_case
from portfolio.exercises.queries import assignable_scenarios
from portfolio.exercises.services import ExerciseError, create_exercise
from portfolio.extensions import db
from portfolio.library import queries, services
from portfolio.library.models import LibraryScenario
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login
from tests.library.conftest import zip_folder


def _spec(bundle, title_word: str):
    """The minimal scenario as the centre's own `ours`, its title changed to tell versions apart."""
    manifest = bundle / "minimal" / "scenario.yaml"
    text = manifest.read_text().replace("slug: minimal", "slug: ours", 1)
    manifest.write_text(text.replace("Minimal Broadband: a bill", f"Ours: {title_word}", 1))
    _, [spec] = load_bundle(bundle)
    manifest.write_text(text)
    return spec


@pytest.fixture
def live_v1(world, loaded, bundle):
    """Centre A's own scenario, version 1 published."""
    result = services.import_scenario(_spec(bundle, "first"), centre=world.centre, by=world.admin)
    services.publish_scenario(result.version.scenario)
    db.session.commit()
    return result.version.scenario


def test_first_upload_is_a_draft_until_published(world, loaded, bundle):
    result = services.import_scenario(_spec(bundle, "first"), centre=world.centre, by=world.admin)
    scenario = result.version.scenario
    assert not scenario.published and result.version.draft
    assert queries.draft_version(scenario) == result.version
    assert queries.current_version(scenario) == result.version  # what the admin previews
    live = services.publish_scenario(scenario)
    assert live == result.version and not live.draft and scenario.published
    assert queries.draft_version(scenario) is None


def test_new_version_of_a_published_scenario_stays_a_draft(world, live_v1, bundle):
    v2 = services.import_scenario(_spec(bundle, "second"), centre=world.centre, by=world.admin)
    db.session.commit()
    assert v2.created and v2.version.number == 2 and v2.version.draft
    assert live_v1.published and live_v1.current_number == 1
    assert live_v1.title.startswith("Ours: first")  # the listing mirrors the live version
    assert queries.draft_version(live_v1) == v2.version

    case = start_case(world.learner, live_v1)
    assert case.version.number == 1
    _, versions = assignable_scenarios(world.admin)
    assert [v.number for v in versions if v.scenario_id == live_v1.id] == [1]

    assert services.publish_scenario(live_v1) == v2.version
    assert live_v1.current_number == 2 and live_v1.title.startswith("Ours: second")
    assert case.version.number == 1  # a case already started keeps its version
    assert start_case(world.peer, live_v1).version.number == 2
    _, versions = assignable_scenarios(world.admin)
    assert [v.number for v in versions if v.scenario_id == live_v1.id] == [2, 1]


def test_a_draft_superseded_by_another_is_never_offered(world, live_v1, bundle):
    services.import_scenario(_spec(bundle, "second"), centre=world.centre, by=world.admin)
    v3 = services.import_scenario(_spec(bundle, "third"), centre=world.centre, by=world.admin)
    assert services.publish_scenario(live_v1) == v3.version
    _, versions = assignable_scenarios(world.admin)
    assert [v.number for v in versions if v.scenario_id == live_v1.id] == [3, 1]


def test_withdrawn_and_published_again_keeps_its_live_version(world, live_v1):
    services.withdraw_scenario(live_v1)
    assert not live_v1.published
    assert services.publish_scenario(live_v1).number == 1 and live_v1.published


def _upload(client, data: bytes, name="ours.zip"):
    return client.post(
        "/library/upload",
        data={"archive": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_pages_say_which_version_is_live_and_which_is_a_draft(client, world, live_v1, bundle):
    manifest = bundle / "minimal" / "scenario.yaml"
    text = manifest.read_text().replace("slug: minimal", "slug: ours", 1)
    manifest.write_text(text.replace("Minimal Broadband: a bill", "Ours: second", 1))
    login(client, world.admin)
    page = _upload(client, zip_folder(bundle / "minimal", prefix="ours/"))
    assert "as version 2, a draft" in page.text
    assert "keep version 1 until you publish it" in page.text
    assert "Live: version 1" in page.text and "Draft: version 2" in page.text
    assert "Publish version 2 to learners" in page.text

    preview = client.get(f"/library/{live_v1.id}/preview")
    assert "Version 2 has not been published" in preview.text and "Ours: second" in preview.text
    live = client.get(f"/library/{live_v1.id}/preview?version=1")
    assert "Ours: first" in live.text and "has not been published" not in live.text
    assert client.get(f"/library/{live_v1.id}/preview?version=9").status_code == 404
    huge = client.get(f"/library/{live_v1.id}/preview?version={2**70}")
    assert huge.status_code == 404
    assert "Draft version 2 waiting" in client.get("/library/").text

    login(client, world.learner)
    learner_page = client.get(f"/library/{live_v1.id}")
    assert "Ours: first" in learner_page.text and "Ours: second" not in learner_page.text

    login(client, world.admin)
    published = client.post(
        f"/library/{live_v1.id}/publish", data={"action": "publish"}, follow_redirects=True
    )
    assert "version 2 is live" in published.text
    again = client.post(
        f"/library/{live_v1.id}/publish", data={"action": "publish"}, follow_redirects=True
    )
    assert "version 2 is live" in again.text  # a repeated click does not withdraw it
    scenario = db.session.scalar(sa.select(LibraryScenario).where(LibraryScenario.slug == "ours"))
    assert scenario.published and scenario.current_number == 2


def test_an_exercise_cannot_be_set_on_a_draft(world, live_v1, bundle):
    v2 = services.import_scenario(_spec(bundle, "second"), centre=world.centre, by=world.admin)
    setting = {
        "cohort": world.cohort,
        "scenario": live_v1,
        "title": "",
        "by": world.admin,
        "opens_on": date.today(),
        "closes_on": date.today() + timedelta(days=7),
    }
    with pytest.raises(ExerciseError, match="is a draft"):
        create_exercise(**setting, version=v2.version)
    assert create_exercise(**setting).version.number == 1


def test_earlier_versions_stay_reachable_from_the_scenario_page(client, world, live_v1, bundle):
    """Once version 2 is live, the scenario page links to version 1's preview (cases begun on
    it keep it); before, the page showed only the live version and any draft, and version 1
    could be read only by typing ?version=1 into the address."""
    services.import_scenario(_spec(bundle, "second"), centre=world.centre, by=world.admin)
    services.publish_scenario(live_v1)
    db.session.commit()
    for user in (world.admin, world.assessor):
        login(client, user)
        page = client.get(f"/library/{live_v1.id}").text
        assert "Earlier versions" in page
        assert f'href="/library/{live_v1.id}/preview?version=1">Preview version 1</a>' in page
    login(client, world.learner)
    assert "Earlier versions" not in client.get(f"/library/{live_v1.id}").text


def test_publishing_refuses_a_draft_uploaded_after_the_page_was_opened(
    client, world, live_v1, bundle
):
    """The page offered "Publish version 2"; meanwhile version 3 was uploaded (another admin, or
    another tab). The click must not put version 3, never previewed, in front of learners."""
    services.import_scenario(_spec(bundle, "second"), centre=world.centre, by=world.admin)
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/library/{live_v1.id}").text
    assert 'name="version" value="2"' in page
    services.import_scenario(_spec(bundle, "third"), centre=world.centre, by=world.admin)
    db.session.commit()
    refused = client.post(
        f"/library/{live_v1.id}/publish",
        data={"action": "publish", "version": "2"},
        follow_redirects=True,
    )
    assert "Nothing was published: version 3" in refused.text
    assert "Preview version 3" in refused.text
    db.session.refresh(live_v1)
    assert live_v1.current_number == 1
    published = client.post(
        f"/library/{live_v1.id}/publish",
        data={"action": "publish", "version": "3"},
        follow_redirects=True,
    )
    assert "version 3 is live" in published.text
