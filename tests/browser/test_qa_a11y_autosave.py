"""The autosave's message sits beside the button it is about (WCAG 4.1.3, and lost work): on a
case record it was at the top of the form, so a learner typing in the last box of a long page
(the options, with fifteen boxes) never saw "you have been signed out ... copy your text
somewhere safe", pressed Save, and lost what they had typed to the sign-in page. The marking
bench and the IQA's sample page already put it just above their buttons."""

import re

from playwright.sync_api import Page, expect

from portfolio.casework import services
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import (  # noqa: F401  (fixtures)
    bundle_specs,
    learner,
    publish,
    sign_in,
)

IN_VIEW = """el => {
  const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
}"""


def test_a_failed_autosave_is_said_beside_the_save_button(
    page: Page,
    live_server: str,
    learner,  # noqa: F811
    bundle_specs,  # noqa: F811
):
    scenario = publish(bundle_specs, "telecoms-billing")["telecoms-billing"]
    case = services.start_case(learner, scenario)
    db.session.commit()
    sign_in(page, live_server)
    page.goto(f"{live_server}/cases/{case.id}/records/options")
    expect(page.get_by_role("heading", level=1)).to_have_text("Options for resolving the complaint")
    assert_accessible(page)
    page.context.clear_cookies()  # signed out elsewhere
    page.get_by_label("Why you chose it").fill("It puts right what the adviser promised.")
    status = page.get_by_role("status").filter(has_text=re.compile("signed out"))
    expect(status).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Save options").focus()
    # The button is in view; so is what the page says about the text it would send.
    assert page.get_by_role("button", name="Save options").evaluate(IN_VIEW)
    assert status.evaluate(IN_VIEW), "the autosave's message is out of sight of Save"


def test_save_pressed_while_signed_out_keeps_the_text_on_the_page(
    page: Page,
    live_server: str,
    learner,  # noqa: F811
    bundle_specs,  # noqa: F811
):
    """After an autosave said the learner was signed out, pressing Save sent the form anyway:
    the page answered was an error page, and the text was gone. Now the draft is tried again
    first and, still signed out, the text stays on the page with the message beside Save."""
    scenario = publish(bundle_specs, "telecoms-billing")["telecoms-billing"]
    case = services.start_case(learner, scenario)
    db.session.commit()
    sign_in(page, live_server)
    url = f"{live_server}/cases/{case.id}/records/options"
    page.goto(url)
    assert_accessible(page)
    page.context.clear_cookies()  # signed out elsewhere
    why = page.get_by_label("Why you chose it")
    why.fill("It puts right what the adviser promised.")
    status = page.get_by_role("status").filter(has_text=re.compile("signed out"))
    expect(status).to_be_visible(timeout=10_000)
    with page.expect_response(re.compile(r"/autosave$")):
        page.get_by_role("button", name="Save options").click()
    expect(status).to_be_visible()
    assert page.url == url
    expect(why).to_have_value("It puts right what the adviser promised.")


def test_a_workplace_upload_sent_back_says_to_choose_the_file_again(
    page: Page,
    live_server: str,
    learner,  # noqa: F811
    bundle_specs,  # noqa: F811
):
    """A learner chose a file, forgot the title and pressed Upload: the page came back asking
    for the title, with the file silently dropped (a browser never keeps it), so the next press
    failed again, now for want of the file (WCAG 3.3.7). The file field now says to choose it
    again, in its description."""
    scenario = publish(bundle_specs, "telecoms-billing")["telecoms-billing"]
    services.start_case(learner, scenario)
    db.session.commit()
    sign_in(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My portfolio").click()
    expect(page.get_by_role("link", name="Add workplace evidence")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add workplace evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add workplace evidence")
    assert_accessible(page)
    page.get_by_label("File").set_input_files(
        files=[{"name": "letter.txt", "mimeType": "text/plain", "buffer": b"A letter I wrote."}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the evidence a title")
    assert_accessible(page)
    expect(page.get_by_label("File")).to_have_accessible_description(
        re.compile("Choose the file again")
    )


def test_a_server_error_on_a_draft_does_not_hold_back_save(
    page: Page,
    live_server: str,
    learner,  # noqa: F811
    bundle_specs,  # noqa: F811
):
    """A draft refused by a server error (not a sign-out) leaves Save to send the form as it
    always did: only a sign-out makes Save try the draft first."""
    scenario = publish(bundle_specs, "telecoms-billing")["telecoms-billing"]
    case = services.start_case(learner, scenario)
    db.session.commit()
    sign_in(page, live_server)
    page.goto(f"{live_server}/cases/{case.id}/records/options")
    assert_accessible(page)
    page.route(
        re.compile(r"/autosave$"),
        lambda route: route.fulfill(status=500, content_type="text/html", body="<h1>Error</h1>"),
    )
    page.get_by_label("Why you chose it").fill("It puts right what the adviser promised.")
    expect(page.get_by_role("status").filter(has_text="could not be saved")).to_be_visible(
        timeout=10_000
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save options").click()
    assert_accessible(page)
