"""Portfolio pages: mapping form, tampered IDs, the grid's query count, submit and versions."""

import html
import io
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.evidence import services
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio, Submission
from portfolio.extensions import db
from portfolio.review import services as review
from portfolio.review.models import Decision
from tests.casework.test_services import GOOD_LETTER
from tests.conftest import PASSWORD, login
from tests.review.conftest import decide, submit_worked, submitted  # noqa: F401  (fixture)


def _portfolio_and_item(world):
    services.sync_case_items(world.case)
    db.session.commit()
    item = db.session.scalar(
        sa.select(EvidenceItem).where(
            EvidenceItem.case_id == world.case.id, EvidenceItem.source == "investigation"
        )
    )
    return item.portfolio, item


def test_learner_confirms_a_proposed_mapping(client, worked):
    portfolio, item = _portfolio_and_item(worked)
    criterion_id = item.mappings[0].criterion_id
    login(client, worked.learner)
    page = client.get(f"/portfolio/{portfolio.id}/items/{item.id}")
    assert "proposed" in page.text and "Simulated evidence" in page.text
    bad = client.post(
        f"/portfolio/{portfolio.id}/items/{item.id}",
        data={f"criterion_{criterion_id}": "on", f"justification_{criterion_id}": "short"},
    )
    assert bad.status_code == 422 and "short" in bad.text
    # A proposed mapping comes ticked: the message says unticking is the other way out.
    ref = db.session.get(Mapping, item.mappings[0].id).criterion.ref
    assert f"or untick {ref} if it does not meet it." in html.unescape(bad.text)
    db.session.refresh(item)
    assert not item.mappings[0].confirmed
    ok = client.post(
        f"/portfolio/{portfolio.id}/items/{item.id}",
        data={
            f"criterion_{criterion_id}": "on",
            f"justification_{criterion_id}": "My findings and timeline gather it all.",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Mapping.confirmed).where(Mapping.item_id == item.id))


# "²" passes str.isdigit but not int(); the long one overflows the databases' integers.
@pytest.mark.parametrize("raw", ["999999", "²", "9" * 30, "abc"])
def test_a_tampered_criterion_id_changes_nothing(client, worked, raw):
    portfolio, item = _portfolio_and_item(worked)
    login(client, worked.learner)
    response = client.post(
        f"/portfolio/{portfolio.id}/items/{item.id}",
        data={f"criterion_{raw}": "on", f"justification_{raw}": "Long enough to pass the check."},
    )
    assert response.status_code == 422 and "does not belong to this unit" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Mapping.id)).where(Mapping.confirmed)) == 0


def test_other_learners_and_centres_see_nothing(client, worked):
    portfolio, item = _portfolio_and_item(worked)
    for outsider in (worked.peer, worked.other_admin, worked.other_assessor):
        login(client, outsider)
        assert client.get(f"/portfolio/{portfolio.id}").status_code == 404
        assert client.get(f"/portfolio/{portfolio.id}/items/{item.id}").status_code == 404
    login(client, worked.assessor)
    assert client.get(f"/portfolio/{portfolio.id}/items/{item.id}").status_code == 200
    assert client.post(f"/portfolio/{portfolio.id}/items/{item.id}", data={}).status_code == 403


def test_item_of_another_portfolio_is_not_found_through_this_one(client, worked, make_user):
    portfolio, item = _portfolio_and_item(worked)
    login(client, worked.learner)
    assert client.get(f"/portfolio/{portfolio.id}/items/{item.id + 1000}").status_code == 404


def test_grid_query_count_holds_as_items_grow(client, worked, count_queries):
    portfolio, item = _portfolio_and_item(worked)
    login(client, worked.learner)
    with count_queries() as few:
        assert client.get(f"/portfolio/{portfolio.id}/grid").status_code == 200
    for n in range(12):
        upload = services.upload_evidence(
            portfolio,
            data=b"%PDF-1.4 " + bytes([n]),
            filename=f"f{n}.pdf",
            title=f"File {n}",
            description="d",
            occurred_on=date(2026, 1, 1),
            by=worked.learner,
        )
        services.set_mapping(
            upload, item.mappings[0].criterion, justification="This workplace letter shows it."
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(f"/portfolio/{portfolio.id}/grid")
    assert "File 11" in page.text
    assert len(many) == len(few)


def _learner_confirms_the_investigation(client, world) -> Portfolio:
    """Signed in as the learner, confirm the investigation's proposed mapping."""
    portfolio, item = _portfolio_and_item(world)
    criterion_id = item.mappings[0].criterion_id
    login(client, world.learner)
    client.post(
        f"/portfolio/{portfolio.id}/items/{item.id}",
        data={
            f"criterion_{criterion_id}": "on",
            f"justification_{criterion_id}": "It gathers the facts of the case.",
        },
    )
    return portfolio


def test_submit_flow_and_changes_page(client, worked):
    portfolio = _learner_confirms_the_investigation(client, worked)
    form = client.get(f"/portfolio/{portfolio.id}/submit")
    assert "have no confirmed evidence yet" in form.text
    wrong = client.post(
        f"/portfolio/{portfolio.id}/submit",
        data={"declared_name": "Not Me", "declared_on": date.today().isoformat()},
    )
    assert "full name exactly" in wrong.text
    today = date.today().isoformat()
    first = client.post(
        f"/portfolio/{portfolio.id}/submit",
        data={"declared_name": worked.learner.full_name, "declared_on": today},
    )
    assert first.status_code == 302
    client.post(
        f"/portfolio/{portfolio.id}/upload",
        data={
            "file": (io.BytesIO(b"%PDF-1.4 my letter"), "letter.pdf"),
            "title": "Workplace letter",
            "description": "A response I wrote",
            "occurred_on": "2026-02-01",
        },
        content_type="multipart/form-data",
    )
    second = client.post(
        f"/portfolio/{portfolio.id}/submit",
        data={"declared_name": worked.learner.full_name, "declared_on": today},
    )
    submission = db.session.scalar(sa.select(Submission).where(Submission.number == 2))
    assert second.headers["Location"].endswith(f"/submissions/{submission.id}")
    changes = client.get(f"/portfolio/submissions/{submission.id}/changes")
    assert "Workplace letter" in changes.text
    login(client, worked.assessor)
    page = client.get(f"/portfolio/submissions/{submission.id}").text
    assert "Workplace letter" in page
    # The 18-byte file's size reads as such, not as "0.0 KB" (an empty file, at a glance).
    assert "(application/pdf, 18 bytes, SHA-256" in page and "0.0 KB" not in page


def test_a_declaration_left_empty_or_misdated_says_what_to_do(client, worked):
    """Each problem in the declaration says what to type, not "This field is required.", and
    a wrong date gives today's date beside the one typed. Nothing is submitted."""
    portfolio, item = _portfolio_and_item(worked)
    services.set_mapping(item, item.mappings[0].criterion, justification="My findings gather it.")
    db.session.commit()
    login(client, worked.learner)
    empty = html.unescape(
        client.post(
            f"/portfolio/{portfolio.id}/submit", data={"declared_name": "", "declared_on": ""}
        ).text
    )
    assert "Type your full name to declare that this evidence is your own work." in empty
    assert "Enter today's date." in empty
    assert "This field is required." not in empty
    misdated = html.unescape(
        client.post(
            f"/portfolio/{portfolio.id}/submit",
            data={"declared_name": worked.learner.full_name, "declared_on": "2020-01-01"},
        ).text
    )
    assert f"Date the declaration today, {date.today():%-d %b %Y}: it says 1 Jan 2020." in misdated
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def _ready_to_submit(client, worked):
    """The learner signed in, with a confirmed mapping: (portfolio, the submit form's data)."""
    portfolio, item = _portfolio_and_item(worked)
    services.set_mapping(item, item.mappings[0].criterion, justification="My findings gather it.")
    db.session.commit()
    login(client, worked.learner)
    declaration = {"declared_name": worked.learner.full_name, "declared_on": date.today()}
    return portfolio, {k: str(v) for k, v in declaration.items()}


def test_submitting_again_without_a_change_shows_the_waiting_version(client, worked):
    """A second click on Submit (or a resubmission with nothing changed) while the version
    waits for assessment makes no new version: it leads to that version, saying so."""
    portfolio, data = _ready_to_submit(client, worked)
    first = client.post(f"/portfolio/{portfolio.id}/submit", data=data)
    again = client.post(f"/portfolio/{portfolio.id}/submit", data=data)
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"])
    assert "Nothing has changed since version 1, which is waiting for assessment" in page.text
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1


def test_two_submits_at_the_same_moment_make_one_version(app, worked):
    """Two requests racing to submit (a double click, two tabs): one version, and the other
    request gets a page rather than a server error, whichever order they run in."""
    portfolio, data = _ready_to_submit(app.test_client(), worked)
    clients = [login(app.test_client(), worked.learner) for _ in range(2)]
    url, start, statuses = f"/portfolio/{portfolio.id}/submit", threading.Barrier(2), []

    def submit(client):
        start.wait()
        statuses.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1
    assert sorted(statuses) in ([200, 302], [302, 302])


def test_learner_cannot_withdraw_an_assessor_record(client, worked):
    portfolio, _ = _portfolio_and_item(worked)
    record = services.add_assessor_evidence(
        portfolio,
        source="observation",
        title="Observed call",
        body="Handled the escalation well.",
        occurred_on=date(2026, 2, 2),
        by=worked.assessor,
    )
    db.session.commit()
    login(client, worked.learner)
    response = client.post(f"/portfolio/{portfolio.id}/items/{record.id}/withdraw")
    assert response.status_code == 403
    db.session.refresh(record)
    assert not record.withdrawn
    login(client, worked.assessor)
    assert client.post(f"/portfolio/{portfolio.id}/items/{record.id}/withdraw").status_code == 302
    db.session.refresh(record)
    assert record.withdrawn


def test_the_portfolio_pages_only_read(client, worked, count_queries):
    """Items follow the records as they are saved, so no GET writes (the snapshot is the one
    place that must be complete, and submission brings the items up to date itself)."""
    portfolio = db.session.scalar(sa.select(Portfolio))
    login(client, worked.learner)
    for path in (
        "/portfolio/",
        f"/portfolio/{portfolio.id}",
        f"/portfolio/{portfolio.id}/grid",
        f"/portfolio/{portfolio.id}/submit",
    ):
        with count_queries() as queries:
            response = client.get(path)
        assert response.status_code in (200, 302), path
        writes = [q for q in queries if q.split(None, 1)[0].upper() in WRITES]
        assert not writes, f"{path} wrote: {writes}"
    assert "Investigation" in client.get(f"/portfolio/{portfolio.id}").text


WRITES = {"INSERT", "UPDATE", "DELETE"}


def test_submit_page_lists_items_whose_mappings_are_only_proposed(client, worked):
    """A version keeps only confirmed mappings: the submit page names every item with proposed
    ones, and their criteria, with a link to confirm them, before the learner submits."""
    portfolio, item = _portfolio_and_item(worked)
    proposed = sorted(
        (m.criterion for m in item.mappings if not m.confirmed), key=lambda c: c.position
    )
    assert proposed, "the scenario proposes this item's mappings"
    login(client, worked.learner)
    page = client.get(f"/portfolio/{portfolio.id}/submit")
    assert page.status_code == 200
    assert "only proposed, not confirmed" in page.text
    assert "the proposed criteria below are left out" in page.text
    assert f'href="/portfolio/{portfolio.id}/items/{item.id}"' in page.text
    assert f"proposed for {', '.join(c.ref for c in proposed)}" in page.text

    # Confirming one and submitting: the version has the item, without the others' criteria.
    services.set_mapping(item, proposed[0], justification="My findings gather it all.")
    db.session.commit()
    page = client.get(f"/portfolio/{portfolio.id}/submit")
    rest = ", ".join(c.ref for c in proposed[1:])
    assert (f"proposed for {rest}." in page.text) if rest else ("only proposed" not in page.text)
    client.post(
        f"/portfolio/{portfolio.id}/submit",
        data={"declared_name": worked.learner.full_name, "declared_on": date.today().isoformat()},
    )
    submission = db.session.scalar(sa.select(Submission))
    frozen = next(i for i in submission.snapshot["items"] if i["id"] == item.id)
    assert [m["ref"] for m in frozen["mappings"]] == [proposed[0].ref]


def test_mapping_page_and_grid_say_the_criteria_wording_is_reconstructed(client, worked):
    """As the PDF does: the criteria are not the awarding body's wording, and where they come
    from (the unit's source note)."""
    portfolio, item = _portfolio_and_item(worked)
    unit = portfolio.unit
    assert unit.source_note
    login(client, worked.learner)
    for path in (f"/portfolio/{portfolio.id}/items/{item.id}", f"/portfolio/{portfolio.id}/grid"):
        text = " ".join(html.unescape(client.get(path).text).split())
        assert "The criteria wording is reconstructed" in text
        assert "it is not the awarding body's text" in text
        assert " ".join(unit.source_note.split())[:60] in text


def test_an_upload_error_is_shown_beside_the_field_it_is_about(client, worked):
    """A future date is the date's error (not the file's); missing fields say what to do."""
    portfolio, _ = _portfolio_and_item(worked)
    login(client, worked.learner)
    future = client.post(
        f"/portfolio/{portfolio.id}/upload",
        data={
            "file": (io.BytesIO(b"plain text letter"), "letter.txt"),
            "title": "Workplace letter",
            "description": "A response I wrote",
            "occurred_on": date(date.today().year + 1, 1, 1).isoformat(),
        },
        content_type="multipart/form-data",
    )
    page = html.unescape(future.text)
    assert 'id="occurred_on-error">The date of the evidence cannot be in the future.' in page
    assert 'id="file-error"' not in page
    assert 'href="#occurred_on"' in page
    empty = html.unescape(
        client.post(f"/portfolio/{portfolio.id}/upload", data={"occurred_on": ""}).text
    )
    assert "Give the evidence a title." in empty
    assert "Say what the evidence is and how it came about." in empty
    assert "Enter the date of the work." in empty
    assert "This field is required." not in empty
    assert (
        db.session.scalar(
            sa.select(sa.func.count(EvidenceItem.id)).where(EvidenceItem.source == "upload")
        )
        == 0
    )


def test_mapping_errors_are_tied_to_their_field_and_uploads_claim_no_proposals(client, worked):
    portfolio, item = _portfolio_and_item(worked)
    criterion_id = item.mappings[0].criterion_id
    login(client, worked.learner)
    bad = client.post(
        f"/portfolio/{portfolio.id}/items/{item.id}",
        data={f"criterion_{criterion_id}": "on", f"justification_{criterion_id}": "short"},
    )
    field = bad.text.split(f'<textarea id="justification_{criterion_id}"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="justification_{criterion_id}-error"' in field
    assert "Proposed mappings come from the scenario" in bad.text
    upload = services.upload_evidence(
        portfolio,
        data=b"%PDF-1.4 letter",
        filename="letter.pdf",
        title="Letter",
        description="A letter I wrote",
        occurred_on=date(2026, 1, 1),
        by=worked.learner,
    )
    db.session.commit()
    page = client.get(f"/portfolio/{portfolio.id}/items/{upload.id}").text
    assert "Tick each criterion this item meets" in page
    assert "Proposed mappings come from the scenario" not in page


def test_the_submit_page_names_the_criteria_judged_not_yet_competent(client, submitted):  # noqa: F811
    """After a return the submit page said only 'Every criterion has confirmed evidence.'"""
    w = submitted
    assessment = review.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET)
    review.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    login(client, w.learner)
    page = html.unescape(client.get(f"/portfolio/{w.portfolio.id}/submit").text)
    # 1.1 has evidence that was judged Not yet competent; the rest are listed as without any.
    judged = page.split('id="not-yet-title"', 1)[1].split("</section>", 1)[0]
    assert ">1 criterion was judged Not yet competent on version 1<" in judged
    assert "<strong>1.1</strong>" in judged and "<strong>1.2</strong>" not in judged
    assert f'href="/assess/feedback/{assessment.id}"' in judged
    assert "Every criterion has confirmed evidence" not in page


def test_a_signed_off_unit_says_it_is_complete_before_another_submission(client, worked):
    """After sign-off the portfolio still offered 'Submit a new version' with no word that the
    unit was complete, and the submit page read as if more were needed."""
    w = submit_worked(worked, every_criterion=True)
    assessment = review.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.COMPETENT)
    review.sign_off(assessment, by=w.assessor, signed_name=w.assessor.full_name, password=PASSWORD)
    db.session.commit()
    login(client, w.learner)
    complete = "Version 1 was signed off: this unit is complete."
    assert complete in html.unescape(client.get(f"/portfolio/{w.portfolio.id}").text)
    assert complete in html.unescape(client.get(f"/portfolio/{w.portfolio.id}/submit").text)


def test_the_submit_page_warns_when_nothing_changed_since_a_returned_version(client, submitted):  # noqa: F811
    """Version 2 could go in identical to the returned version 1 with no word of it."""
    w = submitted
    assessment = review.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET)
    review.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    login(client, w.learner)
    page = client.get(f"/portfolio/{w.portfolio.id}/submit").text
    assert "Nothing has changed since version 1." in page
    services.set_mapping(
        w.item, w.item.mappings[0].criterion, justification="Rewritten after the feedback I had."
    )
    db.session.commit()
    assert "Nothing has changed" not in client.get(f"/portfolio/{w.portfolio.id}/submit").text


def test_the_resolution_evidence_says_when_the_response_was_sent(client, worked):
    """The evidence (and the PDF built from it) said only '(before the deadline)': a reader
    without the case's clock could not see the day, nor which deadline."""
    case = worked.case
    casework.save_record(
        case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    casework.save_record(case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    casework.send_response(case)
    services.sync_case_items(case)
    db.session.commit()
    item = db.session.scalar(
        sa.select(EvidenceItem).where(
            EvidenceItem.case_id == case.id, EvidenceItem.source == "resolution"
        )
    )
    login(client, worked.learner)
    page = client.get(f"/portfolio/{item.portfolio_id}/items/{item.id}").text
    assert "Final response (sent day 10, by the day 56 deadline)" in page


def test_items_of_two_cases_on_one_scenario_are_told_apart(client, worked):
    """Starting a scenario again left two 'Case log: ...' items with nothing to tell them apart
    on the portfolio page and the grid."""
    old = worked.case
    services.sync_case_items(old)
    new = casework.start_case(worked.learner, old.scenario)
    services.sync_case_items(new)
    db.session.commit()
    portfolio = db.session.scalar(
        sa.select(Portfolio).where(Portfolio.learner_id == worked.learner.id)
    )
    login(client, worked.learner)
    page = client.get(f"/portfolio/{portfolio.id}").text
    assert f"case {old.id}, set aside</span>" in page
    assert f"case {new.id}</span>" in page
    grid = client.get(f"/portfolio/{portfolio.id}/grid").text
    assert f"case {old.id} (set aside)" in grid


def test_the_timeline_reads_dates_as_the_app_prints_them(client, worked):
    """The investigation item's timeline printed '2026-03-01' where every other date reads
    '1 Mar 2026'."""
    portfolio, item = _portfolio_and_item(worked)
    login(client, worked.learner)
    page = client.get(f"/portfolio/{portfolio.id}/items/{item.id}").text
    assert "<td>1 Mar 2026</td><td>First call</td>" in page and "2026-03-01" not in page


CONTROL = "Remove the invisible control character"


def test_a_control_character_in_evidence_text_is_refused_with_a_message(client, worked):
    """PostgreSQL refuses a NUL in a text column: an upload's title or description, a mapping's
    sentence or a declared name holding one was a server error there (and stored on SQLite).
    Now the learner is told what to remove, beside the field, and nothing is saved."""
    portfolio, item = _portfolio_and_item(worked)
    criterion_id = item.mappings[0].criterion_id
    login(client, worked.learner)
    for field in ("title", "description"):
        data = {"title": "Workplace letter", "description": "A response I wrote"}
        data[field] += "\x00"
        response = client.post(
            f"/portfolio/{portfolio.id}/upload",
            data={
                "file": (io.BytesIO(b"plain text letter"), "letter.txt"),
                "occurred_on": "2026-01-01",
                **data,
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, field
        assert f'id="{field}-error">{CONTROL}' in html.unescape(response.text)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(EvidenceItem.id)).where(EvidenceItem.source == "upload")
        )
        == 0
    )
    response = client.post(
        f"/portfolio/{portfolio.id}/items/{item.id}",
        data={
            f"criterion_{criterion_id}": "on",
            f"justification_{criterion_id}": "My findings gather it\x00 all.",
        },
    )
    assert response.status_code == 422 and CONTROL in response.text
    db.session.expire_all()
    assert not db.session.scalar(sa.select(Mapping.confirmed).where(Mapping.item_id == item.id))
    response = client.post(
        f"/portfolio/{portfolio.id}/submit",
        data={"declared_name": "Casey\x00 Jones", "declared_on": date.today().isoformat()},
    )
    assert CONTROL in response.text
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def test_a_mapping_save_from_an_older_page_is_refused_keeping_its_text(client, worked):
    """Two tabs on one item: the second tab's save (every row at once) used to put back the
    justification the first tab had just changed. Now it is refused (409) with its text kept,
    and the first tab's save stands."""
    portfolio, item = _portfolio_and_item(worked)
    criterion_id = item.mappings[0].criterion_id
    services.set_mapping(item, item.mappings[0].criterion, justification="My findings gather it.")
    db.session.commit()
    login(client, worked.learner)
    url = f"/portfolio/{portfolio.id}/items/{item.id}"

    def seen_now() -> str:
        return client.get(url).text.split('name="seen" value="', 1)[1].split('"', 1)[0]

    def save(seen: str, sentence: str):
        return client.post(
            url,
            data={
                "seen": seen,
                f"criterion_{criterion_id}": "on",
                f"justification_{criterion_id}": sentence,
            },
        )

    seen = seen_now()
    assert save(seen, "First tab: the newer, better sentence.").status_code == 302
    second = save(seen, "Second tab: typed on the older page.")
    assert second.status_code == 409
    assert "changed elsewhere" in second.text
    assert "Second tab: typed on the older page.</textarea>" in html.unescape(second.text)
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(Mapping.justification).where(
                Mapping.item_id == item.id, Mapping.criterion_id == criterion_id
            )
        )
        == "First tab: the newer, better sentence."
    )
    # Reloaded, the page carries the newer fingerprint and saves.
    assert save(seen_now(), "Second tab, after reloading the page.").status_code == 302
    # A page opened before the item was withdrawn (in another tab) saves nothing either: with
    # every box unticked it would have removed the mappings of a withdrawn item.
    seen = seen_now()
    services.withdraw_item(item)
    db.session.commit()
    assert client.post(url, data={"seen": seen}).status_code == 409
    db.session.expire_all()
    assert db.session.scalar(
        sa.select(sa.func.count(Mapping.id)).where(Mapping.item_id == item.id, Mapping.confirmed)
    )


def test_an_upload_dated_year_1_or_with_a_long_name_is_handled(client, worked, app):
    """A date input takes any year from 1: '1 Jan 1' was accepted as the date of workplace
    evidence. A file name longer than the 200 characters stored was a server error on
    PostgreSQL; it is now shortened, keeping its extension."""
    portfolio, _ = _portfolio_and_item(worked)
    login(client, worked.learner)

    def upload(name: str, occurred_on: str):
        return client.post(
            f"/portfolio/{portfolio.id}/upload",
            data={
                "file": (io.BytesIO(b"plain text letter"), name),
                "title": "Workplace letter",
                "description": "A response I wrote",
                "occurred_on": occurred_on,
            },
            content_type="multipart/form-data",
        )

    old = html.unescape(upload("letter.txt", "0001-01-01").text)
    assert 'id="occurred_on-error">The date of the evidence says the year 1: check the' in old
    assert (
        db.session.scalar(
            sa.select(sa.func.count(EvidenceItem.id)).where(EvidenceItem.source == "upload")
        )
        == 0
    )
    assert upload("a" * 240 + ".txt", "2026-01-01").status_code == 302
    name = db.session.scalar(
        sa.select(EvidenceItem.original_name).where(EvidenceItem.source == "upload")
    )
    assert len(name) == 200 and name.endswith("aaa.txt")


def test_a_returned_version_links_to_its_feedback(client, submitted):  # noqa: F811
    """The page of a returned version said "Returned" with no way to the feedback: the
    learner had to go back to the portfolio to find it."""
    w = submitted
    login(client, w.learner)
    url = f"/portfolio/submissions/{w.submission.id}"
    assert "Read the feedback" not in client.get(url).text
    assessment = review.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET)
    review.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    page = client.get(url).text
    assert f'<a href="/assess/feedback/{assessment.id}">Read the feedback on version 1</a>' in page


def test_a_withdrawn_item_can_be_found_and_restored(client, worked):
    """Withdrawing hid the item from the portfolio's list, and its page offered no way back: an
    item withdrawn by mistake was lost to every future version. Now the portfolio lists it
    under 'Withdrawn from future submissions', and its page restores it. A second click on
    Withdraw (or an older tab) repeats the withdrawal instead of undoing it."""
    portfolio, item = _portfolio_and_item(worked)
    login(client, worked.learner)
    withdraw = f"/portfolio/{portfolio.id}/items/{item.id}/withdraw"
    assert client.post(withdraw, data={"withdrawn": "1"}).status_code == 302
    assert client.post(withdraw, data={"withdrawn": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(EvidenceItem, item.id).withdrawn
    listing = client.get(f"/portfolio/{portfolio.id}").text
    withdrawn = listing.split("Withdrawn from future submissions</h3>", 1)[1].split("</ul>")[0]
    assert f'/portfolio/{portfolio.id}/items/{item.id}"' in withdrawn
    page = html.unescape(client.get(f"/portfolio/{portfolio.id}/items/{item.id}").text)
    assert "This item is withdrawn: future submissions leave it out, until you restore it." in page
    assert '<input type="hidden" name="withdrawn" value="0">' in page
    response = client.post(withdraw, data={"withdrawn": "0"}, follow_redirects=True)
    assert "Restored to future submissions." in response.text
    db.session.expire_all()
    assert not db.session.get(EvidenceItem, item.id).withdrawn
    assert (
        "Withdrawn from future submissions</h3>"
        not in client.get(f"/portfolio/{portfolio.id}").text
    )


def test_the_changes_page_shows_what_changed_in_an_items_content(client, worked):
    """A resubmission's changes name the parts of an item that changed and show the words
    removed and added, not just "Changed"."""
    portfolio = _learner_confirms_the_investigation(client, worked)
    declaration = {"declared_name": worked.learner.full_name, "declared_on": date.today()}
    assert client.post(f"/portfolio/{portfolio.id}/submit", data=declaration).status_code == 302
    casework.save_record(
        worked.case,
        "root_cause",
        {
            "method": "five_whys",
            "symptom": "Wrong bill",
            "root_cause": "The code was never renewed",
        },
        expected_version=1,
    )
    db.session.commit()
    assert client.post(f"/portfolio/{portfolio.id}/submit", data=declaration).status_code == 302
    second = db.session.scalar(sa.select(Submission).where(Submission.number == 2))
    page = client.get(f"/portfolio/submissions/{second.id}/changes").text
    # The case log gained the save's entry, listed first; the investigation its root cause.
    assert '<a href="#changed-2">Root cause</a>' in page
    assert '<h2 id="changed-2" tabindex="-1">Investigation: ' in page
    assert '<del><span class="visually-hidden">[removed] </span>Expired code</del>' in page
    assert (
        '<ins><span class="visually-hidden">[added] </span>The code was never renewed</ins>' in page
    )
    assert "Wrong bill" not in page  # unchanged lines are left out
    # The assessor's bench names the part and links to its changes.
    login(client, worked.assessor)
    bench = client.post(f"/assess/submissions/{second.id}/start", follow_redirects=True).text
    assert (
        f'<a href="/portfolio/submissions/{second.id}/changes#changed-2">Root cause'
        '<span class="visually-hidden">: what changed in Investigation: ' in bench
    )
    assert client.get(f"/portfolio/submissions/{second.id}/changes").status_code == 200
