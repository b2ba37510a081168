"""Form pages with CSRF protection on, as in production (TEST_CONFIG turns it off elsewhere).

Until the macro was fixed, every page with an error summary failed with a 500 on GET when CSRF
was on: the token field's errors are a tuple until the form is validated."""

import pytest

from tests.conftest import PASSWORD, login

FORM_PAGES = {
    "sign-in": ("anonymous", lambda w: "/auth/login"),
    "change-password": ("learner", lambda w: "/auth/password"),
    "new-user": ("admin", lambda w: "/centre/users/new"),
    "edit-user": ("admin", lambda w: f"/centre/users/{w.learner.id}/edit"),
    "users": ("admin", lambda w: "/centre/users"),
    "new-cohort": ("admin", lambda w: "/centre/cohorts/new"),
    "edit-cohort": ("admin", lambda w: f"/centre/cohorts/{w.cohort.id}"),
    "new-centre": ("site_admin", lambda w: "/site/centres/new"),
}


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.mark.parametrize("name", sorted(FORM_PAGES))
def test_form_pages_render_with_a_token(client, world, name):
    actor, url = FORM_PAGES[name]
    if user := world.by_role(actor):
        login(client, user)
    response = client.get(url(world))
    assert response.status_code == 200
    assert b'name="csrf_token"' in response.data


def test_a_post_without_the_token_changes_nothing(client, world):
    login(client, world.learner)
    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "amber otter lantern kettle",
            "confirm": "amber otter lantern kettle",
        },
    )
    assert response.status_code == 400
    assert b"security token was missing or out of date" in response.data
    assert client.post("/auth/login", data={"email": world.learner.email}).status_code == 400
