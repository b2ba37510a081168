"""Case pages: the learner works the case, staff read it, bad input changes nothing, stale saves
keep the learner's text, and the pages' queries do not grow with the trail."""

from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from portfolio.casework import clock as sim_clock
from portfolio.casework import services
from portfolio.casework.checks import CHECK_LABELS
from portfolio.casework.models import Case, CaseRecord, Finding, TimelineEntry, TrailEvent
from portfolio.casework.queries import record_data, trail_events
from portfolio.casework.records import MAX_TEXT
from portfolio.casework.trail import TrailKind
from portfolio.extensions import db
from tests.casework.conftest import import_specs
from tests.casework.test_services import GOOD_LETTER, ROOT_CAUSE, WEAK_LETTER
from tests.conftest import login

K = TrailKind
PAGES = {
    "overview": "",
    "case_file": "/file",
    "document": "/file/crm-history",
    "interviews": "/interviews",
    "timeline": "/timeline",
    "root_cause": "/records/root_cause",
    "summary": "/records/summary",
    "options": "/records/options",
    "remedy": "/records/remedy",
    "letter": "/records/letter",
    "outcome": "/records/outcome",
    "case_log": "/log",
}
STAFF = ("assessor", "iqa", "admin")


class Page(HTMLParser):
    """The parts of a page inside <main> that tests look at: tags with their attributes, and
    the text of textareas, keyed by name."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.textareas: dict[str, str] = {}
        self._in_main = False
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v if v is not None else "" for k, v in attrs}
        if tag == "main":
            self._in_main = True
        if not self._in_main:
            return
        self.tags.append((tag, attrs))
        if tag == "textarea":
            self._textarea = attrs.get("name", "")
            self.textareas[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    def all(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]

    def value(self, name: str) -> str | None:
        found = [a.get("value") for a in self.all("input") if a.get("name") == name]
        return found[0] if found else None


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def w(world, scenario):
    """The world, with the minimal scenario in the library and an open case for its learner."""
    world.scenario = scenario
    world.case = services.start_case(world.learner, scenario)
    db.session.commit()
    return world


def work(case: Case) -> Case:
    """Take a case as far as a first response that was pushed back, touching every record."""
    services.request_document(case, "crm-history")
    services.request_document(case, "billing-log")
    services.ask_question(case, "billing-lead", "what-happened")
    services.pin_finding(case, text="The log shows the price failed", document_id="billing-log")
    services.pin_finding(
        case, text="Says it is right", stakeholder_id="billing-lead", question_id="what-happened"
    )
    services.add_timeline_entry(
        case, occurred_on=date(2026, 3, 14), description="Retention call", document_id="crm-history"
    )
    services.save_record(case, "root_cause", ROOT_CAUSE, expected_version=None)
    services.save_record(case, "summary", {"summary": "Found the cause"}, expected_version=None)
    services.save_record(
        case, "options", {"option_1_description": "Refund", "chosen": "1"}, expected_version=None
    )
    services.save_record(
        case,
        "remedy",
        {"remedy_ids": ["honour-price"], "custom_1_label": "Goodwill", "custom_1_amount": "100"},
        expected_version=None,
    )
    services.request_authorisation(case)
    services.save_record(case, "letter", {"text": WEAK_LETTER}, expected_version=None)
    services.send_response(case)
    db.session.commit()
    return case


def url(case: Case, page: str = "overview") -> str:
    return f"/cases/{case.id}{PAGES.get(page, page)}"


def trail_count(case: Case) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(TrailEvent.id)).where(TrailEvent.case_id == case.id)
    )


def unchanged(case: Case):
    """A snapshot of the case's rows to compare after a refused request."""
    db.session.expire_all()
    return (
        db.session.execute(sa.select(Case.hours, Case.trail_count).where(Case.id == case.id)).one(),
        trail_count(case),
        db.session.execute(
            sa.select(CaseRecord.kind, CaseRecord.version, CaseRecord.data)
            .where(CaseRecord.case_id == case.id)
            .order_by(CaseRecord.kind)
        ).all(),
        db.session.scalar(sa.select(sa.func.count(Finding.id))),
        db.session.scalar(sa.select(sa.func.count(TimelineEntry.id))),
    )


# --- every page, for the learner and read-only for staff -------------------------------------


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_learner_works_every_page(client, w, page):
    case = work(w.case)
    response = login(client, w.learner).get(url(case, page))
    assert response.status_code == 200
    parsed = Page(response.get_data(as_text=True))
    posting = [f for f in parsed.all("form") if f.get("method") == "post"]
    if page not in ("overview", "case_log"):
        assert posting, f"{page} has nothing to do"
    assert all(t.get("readonly") is None for t in parsed.all("textarea"))
    assert "Marking-point checks" not in text(response)
    assert "(assessor view)" not in text(response)


def test_a_case_page_reads_the_case_and_its_version_together(client, w, count_queries):
    """Every case page needs the case's scenario version: it comes with the case in one
    statement (a lazy load was a round trip of its own), and never its data, which the
    process has parsed already."""
    case = work(w.case)
    login(client, w.learner)
    client.get(url(case))
    with count_queries() as queries:
        assert client.get(url(case)).status_code == 200
    versions = [sql for sql in queries if "scenario_versions" in sql]
    assert len(versions) == 1 and "FROM cases" in versions[0]
    assert "scenario_versions.data" not in versions[0]


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", STAFF)
def test_staff_read_every_page_without_a_way_to_change_it(client, w, role, page):
    case = work(w.case)
    response = login(client, getattr(w, role)).get(url(case, page))
    assert response.status_code == 200
    parsed = Page(response.get_data(as_text=True))
    assert parsed.all("form") == [], "staff pages must have no forms"
    assert parsed.all("button") == []
    assert all(t.get("readonly") is not None for t in parsed.all("textarea"))
    for field in parsed.all("input"):
        assert field.get("readonly") is not None or field.get("disabled") is not None, field
    assert "learner " + w.learner.full_name in text(response)


def test_staff_see_the_marking_checks_and_what_the_learner_wrote(client, w):
    case = work(w.case)
    body = text(login(client, w.assessor).get(url(case)))
    assert "Marking-point checks" in body
    for label in CHECK_LABELS.values():
        assert label in body
    assert "Before you submit" not in body
    page = Page(login(client, w.assessor).get(url(case, "letter")).get_data(as_text=True))
    assert page.textareas["text"].strip() == WEAK_LETTER.strip()


def test_staff_see_what_the_learner_did_not(client, w):
    case = work(w.case)
    client = login(client, w.assessor)
    # Every document, requested or not, and every question, asked or not.
    response = client.get(url(case, "/file/call-transcript"))
    assert response.status_code == 200 and "Key document (assessor view)" in text(response)
    interviews = text(client.get(url(case, "interviews")))
    assert "Misleading (assessor view)" in interviews and "Not asked by the learner." in interviews


def prompts(response) -> str:
    """The text of the learner's formative prompt lists on a page."""
    body = response.get_data(as_text=True)
    found = []
    for chunk in body.split('<ul class="prompts">')[1:]:
        found.append(unescape(chunk.split("</ul>", 1)[0]))
    return "\n".join(found)


@pytest.mark.parametrize("progress", ["fresh", "worked"])
def test_the_formative_list_never_names_a_key_document(client, w, spec, progress):
    case = work(w.case) if progress == "worked" else w.case
    client = login(client, w.learner)
    found = prompts(client.get(url(case))) + prompts(client.get(url(case, "letter")))
    assert "Before you submit" in text(client.get(url(case)))
    assert found.strip(), "the learner should have something to act on"
    for document_id in spec.guidance.key_documents:
        assert spec.document(document_id).title not in found
        assert document_id not in found
    for person, question in spec.misleading_questions():
        assert person.name not in found and question.text not in found
    for required in spec.customer_reply.requirements:
        if required.remedy:
            assert spec.remedy(required.remedy).label not in found


# --- reading documents -----------------------------------------------------------------------


def test_an_unrequested_document_is_not_shown_to_the_learner(client, w):
    response = login(client, w.learner).get(url(w.case, "/file/billing-log"))
    assert response.status_code == 302 and response.location.endswith(url(w.case, "case_file"))
    assert "Request this document" in text(client.get(response.location))


def test_an_unknown_document_is_not_found(client, w):
    assert login(client, w.learner).get(url(w.case, "/file/nope")).status_code == 404
    assert login(client, w.assessor).get(url(w.case, "/file/nope")).status_code == 404


def test_requesting_a_document_opens_it(client, w, spec):
    response = login(client, w.learner).post(url(w.case, "/file/billing-log/request"))
    assert response.location.endswith(url(w.case, "/file/billing-log"))
    body = text(client.get(response.location))
    assert spec.document("billing-log").title in body
    assert "Pin a finding to this document" in body
    assert db.session.get(Case, w.case.id).hours == 3


def test_a_documents_date_reads_as_other_dates_do(client, w, spec):
    """The document page showed the scenario file's ISO string (2026-03-14)."""
    login(client, w.learner).post(url(w.case, "/file/crm-history/request"))
    body = text(client.get(url(w.case, "/file/crm-history")))
    assert spec.document("crm-history").dated == "2026-03-14"
    assert '<span class="tag tag-muted">Dated 14 Mar 2026</span>' in body
    assert '<span class="tag tag-muted">2026-03-14</span>' not in body


# --- bad input: a clear message, nothing changed ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "back_to", "message"),
    [
        ("/file/nope/request", {}, "case_file", "That document is not in this case file."),
        ("/file/retention-call/request", {}, "case_file", "not in this case file"),
        ("/interviews/billing-lead/nope", {}, "interviews", "not in this person's question bank"),
        ("/interviews/nobody/what-happened", {}, "interviews", "not in this person's question"),
        ("/interviews/billing-lead/what-offered", {}, "interviews", "question bank"),
        (
            "/findings",
            {"text": "A fact", "document_id": "billing-log"},
            "timeline",
            "Request that document",
        ),
        (
            "/findings",
            {"text": "A fact", "document_id": "retention-call"},
            "timeline",
            "Request that document",
        ),
        (
            "/findings",
            {"text": "A fact", "stakeholder_id": "billing-lead", "question_id": "when-changed"},
            "timeline",
            "Ask that question",
        ),
        ("/findings", {"text": "", "document_id": "crm-history"}, "timeline", "Write the finding"),
        ("/findings", {"text": "x" * 2_001}, "timeline", "at most 2,000 characters"),
        ("/findings", {"text": "A fact"}, "timeline", "Choose the document or answer"),
        ("/authorisation", {}, "remedy", "Save your remedy"),
        ("/send", {}, "letter", "too short to send"),
    ],
)
def test_bad_ids_get_a_message_and_change_nothing(client, w, path, data, back_to, message):
    services.request_document(w.case, "crm-history")
    db.session.commit()
    before = unchanged(w.case)
    response = login(client, w.learner).post(url(w.case, path), data=data)
    assert response.status_code == 302
    assert response.location.split("#")[0].endswith(url(w.case, back_to))
    assert message in text(client.get(response.location))
    assert unchanged(w.case) == before


def test_a_finding_pinned_to_an_answer_returns_to_that_answer(client, w):
    """The interviews page is long: after pinning, the learner is back at the answer (its
    anchor), not at the top; a finding pinned to a document goes to the timeline."""
    services.request_document(w.case, "crm-history")
    services.ask_question(w.case, "billing-lead", "what-happened")
    db.session.commit()
    client = login(client, w.learner)
    answer = {"stakeholder_id": "billing-lead", "question_id": "what-happened"}
    response = client.post(
        url(w.case, "/findings"),
        data={"text": "Says it is right", "next_page": "interviews"} | answer,
    )
    assert response.status_code == 302
    assert response.location.endswith(url(w.case, "interviews") + "#q-billing-lead-what-happened")
    page = text(client.get(response.location))
    assert "Finding pinned." in page
    # ...and sees it under the answer it came from, where the page has scrolled to.
    answer_item = page.split('id="q-billing-lead-what-happened"')[1].split('<li id="q-')[0]
    assert "Your findings from this answer" in answer_item
    assert "Says it is right" in answer_item
    # Refused (nothing written): still back at the answer, with the message.
    response = client.post(
        url(w.case, "/findings"), data={"text": "", "next_page": "interviews"} | answer
    )
    assert response.location.endswith("#q-billing-lead-what-happened")
    assert "Write the finding" in text(client.get(response.location))
    response = client.post(
        url(w.case, "/findings"), data={"text": "A fact", "document_id": "crm-history"}
    )
    assert response.location.endswith(url(w.case, "timeline"))


def test_a_bad_timeline_entry_gets_a_message_and_changes_nothing(client, w):
    before = unchanged(w.case)
    client = login(client, w.learner)
    for data, message in (
        ({"occurred_on": "2026-03-01", "description": "Call", "document_id": "nope"}, "not in"),
        ({"occurred_on": "not a date", "description": "Call"}, "Enter a real date."),
        ({"occurred_on": "2026-03-01", "description": ""}, "Describe what happened on that"),
        ({"occurred_on": "2026-03-01", "description": "x" * 2_001}, "to 2,000 characters"),
        # A date input takes any year from 1; the timeline and the PDF showed "1 Jan 1".
        ({"occurred_on": "0001-01-01", "description": "Call"}, "says the year 1: check"),
        ({"occurred_on": "0226-03-14", "description": "Call"}, "says the year 226: check"),
    ):
        response = client.post(url(w.case, "timeline"), data=data)
        assert response.status_code == 200
        assert message in text(response), data
        assert "This field is required." not in text(response)
    assert unchanged(w.case) == before


def test_a_control_character_in_a_finding_or_timeline_entry_is_refused(client, w):
    """PostgreSQL refuses a NUL in a text column: pinning such a finding or timeline entry was
    a server error there (and stored on SQLite). Now the learner is told what to remove."""
    services.request_document(w.case, "crm-history")
    db.session.commit()
    before = unchanged(w.case)
    client = login(client, w.learner)
    response = client.post(
        url(w.case, "/findings"), data={"text": "A\x00 fact", "document_id": "crm-history"}
    )
    assert response.status_code == 302
    assert "Remove the invisible control character" in text(client.get(response.location))
    response = client.post(
        url(w.case, "timeline"), data={"occurred_on": "2026-03-01", "description": "Call\x00"}
    )
    assert response.status_code == 200
    assert "Remove the invisible control character" in text(response)
    assert unchanged(w.case) == before


def test_another_cases_or_a_removed_finding_or_entry_changes_nothing(client, w, make_user):
    """Another case's finding or entry (a guessed id) is not on this case, and neither is one
    removed already in another tab, which answered a bare "Not found" page: each now goes back
    to the timeline saying it is not on this case any more, and nothing changes."""
    other = work(services.start_case(w.peer, w.scenario))
    finding = other.findings[0]
    entry = other.timeline[0]
    before = unchanged(other)
    client = login(client, w.learner)
    for path, what in (
        (f"/findings/{finding.id}/delete", "finding"),
        (f"/timeline/{entry.id}/delete", "timeline entry"),
        ("/findings/999999/delete", "finding"),
        ("/timeline/999999/delete", "timeline entry"),
    ):
        response = client.post(url(w.case, path))
        assert response.status_code == 302, path
        assert f"That {what} is not on this case any more" in text(client.get(response.location))
    assert unchanged(other) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"remedy_ids": "refund-everything"}, 'There is no remedy "refund-everything"'),
        ({"custom_1_label": "Goodwill", "custom_1_amount": "-20"}, "cannot be negative"),
        ({"custom_1_label": "Goodwill", "custom_1_amount": "99999999"}, "far more than any"),
        ({"custom_1_label": "Goodwill", "custom_1_amount": "lots"}, "not an amount in pounds"),
        ({"custom_1_amount": "20"}, "has an amount but no description"),
    ],
)
def test_a_bad_remedy_is_refused_with_the_form_kept(client, w, data, message):
    before = unchanged(w.case)
    response = login(client, w.learner).post(url(w.case, "remedy"), data=data)
    assert response.status_code == 422
    assert message in text(response)
    page = Page(response.get_data(as_text=True))
    for name in ("custom_1_label", "custom_1_amount"):
        if name in data:
            assert page.value(name) == data[name]
    assert unchanged(w.case) == before


def test_a_remedy_keeps_every_ticked_menu_item(client, w):
    response = login(client, w.learner).post(
        url(w.case, "remedy"), data={"remedy_ids": ["honour-price", "refund-overcharge"]}
    )
    assert response.status_code == 302
    assert record_data(w.case, "remedy")["remedy_ids"] == ["honour-price", "refund-overcharge"]
    page = Page(client.get(url(w.case, "remedy")).get_data(as_text=True))
    ticked = [i["value"] for i in page.all("input") if i.get("checked") is not None]
    assert ticked == ["honour-price", "refund-overcharge"]


def test_an_unknown_record_kind_is_not_found(client, w):
    client = login(client, w.learner)
    for kind in ("nope", "correspondence", "authorisation"):
        assert client.get(url(w.case, f"/records/{kind}")).status_code == 404
        assert client.post(url(w.case, f"/records/{kind}"), data={}).status_code == 404
        assert client.post(url(w.case, f"/records/{kind}/autosave"), data={}).status_code == 404


def test_a_tampered_version_is_refused(client, w):
    before = unchanged(w.case)
    response = login(client, w.learner).post(
        url(w.case, "letter"), data={"version": "two", "text": "Dear Mrs Nair"}
    )
    assert response.status_code == 400 and "could not be read" in text(response)
    assert Page(response.get_data(as_text=True)).textareas["text"].strip() == "Dear Mrs Nair"
    assert unchanged(w.case) == before


def test_an_oversized_letter_is_refused_and_kept_on_the_page(client, w):
    letter = "Dear Mrs Nair,\n" + "word " * (MAX_TEXT // 5) + "END-OF-MY-LETTER"
    assert len(letter) > MAX_TEXT
    before = unchanged(w.case)
    response = login(client, w.learner).post(url(w.case, "letter"), data={"text": letter})
    assert response.status_code == 422
    body = text(response)
    assert "Your changes were not saved" in body and "keep it to 20,000" in body
    assert Page(response.get_data(as_text=True)).textareas["text"].strip() == letter.strip()
    assert unchanged(w.case) == before


def test_a_stale_save_is_refused_with_the_text_kept(client, w):
    services.save_record(w.case, "letter", {"text": "Opened in both tabs"}, expected_version=None)
    services.save_record(w.case, "letter", {"text": "Saved in the other tab"}, expected_version=1)
    db.session.commit()
    before = unchanged(w.case)
    mine = "My careful rewrite,\nwith <b>markup</b> & two lines"
    response = login(client, w.learner).post(
        url(w.case, "letter"), data={"version": "1", "text": mine}
    )
    assert response.status_code == 409
    body = text(response)
    assert "changed elsewhere (another tab or device)" in body
    assert "Your text is still below" in body
    page = Page(response.get_data(as_text=True))
    assert page.textareas["text"] == mine
    assert page.value("version") == "1"  # a second press is still refused, not an overwrite
    assert unchanged(w.case) == before
    assert record_data(w.case, "letter") == {"text": "Saved in the other tab"}


def test_a_save_then_shows_the_saved_text(client, w):
    client = login(client, w.learner)
    response = client.post(url(w.case, "letter"), data={"version": "", "text": "Dear Mrs Nair"})
    assert response.status_code == 302 and response.location.endswith(url(w.case, "letter"))
    page = Page(client.get(response.location).get_data(as_text=True))
    assert page.textareas["text"].strip() == "Dear Mrs Nair" and page.value("version") == "1"
    assert trail_events(w.case)[-1].kind == K.LETTER_SAVED


# --- autosave --------------------------------------------------------------------------------


def test_autosave_answers_json(client, w):
    client = login(client, w.learner)
    first = client.post(url(w.case, "/records/letter/autosave"), data={"text": "Dear"})
    assert first.status_code == 200 and first.json["version"] == 1
    assert set(first.json) == {"version", "saved_at"}
    second = client.post(
        url(w.case, "/records/letter/autosave"), data={"version": "1", "text": "Dear Mrs Nair"}
    )
    assert second.status_code == 200 and second.json["version"] == 2
    assert record_data(w.case, "letter") == {"text": "Dear Mrs Nair"}
    assert [e.kind for e in trail_events(w.case)] == [K.CASE_STARTED, K.DRAFT_SAVED]

    before = unchanged(w.case)
    stale = client.post(
        url(w.case, "/records/letter/autosave"), data={"version": "1", "text": "Old tab"}
    )
    assert stale.status_code == 409 and stale.json["stale"] is True
    assert "changed elsewhere" in stale.json["error"]
    big = client.post(
        url(w.case, "/records/letter/autosave"), data={"version": "2", "text": "x" * 20_001}
    )
    assert big.status_code == 422 and "keep it to 20,000" in big.json["error"]
    assert "stale" not in big.json
    bad = client.post(url(w.case, "/records/letter/autosave"), data={"version": "x"})
    assert bad.status_code == 400 and bad.json["error"]
    assert unchanged(w.case) == before


def test_an_autosave_after_signing_out_elsewhere_says_so(client, w):
    """Signed out in another tab, the page's next draft was redirected to the sign-in page,
    which its script read as a network failure: 'Offline: your draft will save when the
    connection returns', which it never would. Now it answers 401 in JSON saying what to do;
    the pages themselves still send a signed-out visitor to sign in."""
    login(client, w.learner)
    client.post("/auth/logout")
    before = unchanged(w.case)
    draft = client.post(url(w.case, "/records/letter/autosave"), data={"text": "Dear"})
    assert draft.status_code == 401
    assert draft.json["signed_out"] is True
    assert "You have been signed out" in draft.json["error"]
    assert unchanged(w.case) == before
    page = client.get(url(w.case, "letter"))
    assert page.status_code == 302 and "/auth/login" in page.location


def test_saving_after_autosave_records_the_save(client, w):
    client = login(client, w.learner)
    data = {k: v for k, v in ROOT_CAUSE.items()}
    assert client.post(url(w.case, "/records/root_cause/autosave"), data=data).status_code == 200
    response = client.post(url(w.case, "root_cause"), data=data | {"version": "1"})
    assert response.status_code == 302
    assert [e.kind for e in trail_events(w.case)][-2:] == [K.DRAFT_SAVED, K.ROOT_CAUSE_SAVED]
    assert db.session.scalar(sa.select(CaseRecord.version)) == 1


def test_staff_cannot_save_or_act(client, w):
    case = work(w.case)
    before = unchanged(case)
    client = login(client, w.assessor)
    assert client.post(url(case, "letter"), data={"version": "1", "text": "x"}).status_code == 403
    assert client.post(url(case, "/records/letter/autosave"), data={}).status_code == 403
    assert client.post(url(case, "timeline"), data={}).status_code == 403
    assert client.post(url(case, "/send")).status_code == 403
    assert unchanged(case) == before


# --- another learner's case ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["peer", "other_learner"])
def test_another_learners_case_is_not_found(client, w, who):
    case = work(w.case)
    before = unchanged(case)
    client = login(client, getattr(w, who))
    for page in PAGES:
        assert client.get(url(case, page)).status_code == 404, page
    for path, data in (
        ("/records/letter", {"version": "1", "text": "Mine now"}),
        ("/records/letter/autosave", {"version": "1", "text": "Mine now"}),
        ("/file/price-policy/request", {}),
        ("/interviews/team-lead/why-referred", {}),
        ("/findings", {"text": "x", "document_id": "crm-history"}),
        (f"/findings/{case.findings[0].id}/delete", {}),
        ("/timeline", {"occurred_on": "2026-03-01", "description": "x"}),
        ("/authorisation", {}),
        ("/send", {}),
    ):
        assert client.post(url(case, path), data=data).status_code == 404, path
    assert unchanged(case) == before


# --- a set-aside case ------------------------------------------------------------------------


@pytest.fixture
def set_aside(client, w):
    """The learner's worked case, set aside by starting the scenario again."""
    case = work(w.case)
    client = login(client, w.learner)
    response = client.post(f"/cases/start/{w.scenario.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).status.value == "set_aside"
    return case


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_set_aside_case_is_read_only(client, w, set_aside, page):
    response = client.get(url(set_aside, page))
    assert response.status_code == 200
    body = text(response)
    assert "This case was set aside" in body
    parsed = Page(response.get_data(as_text=True))
    assert parsed.all("form") == [] and parsed.all("button") == []
    assert "Marking-point checks" not in body


def test_a_set_aside_case_does_not_show_unrequested_documents(client, w, set_aside):
    response = client.get(url(set_aside, "/file/call-transcript"))
    assert response.status_code == 302
    assert "was not requested in this case" in text(client.get(response.location))
    file_page = Page(client.get(url(set_aside, "case_file")).get_data(as_text=True))
    links = [a.get("href") for a in file_page.all("a")]
    assert url(set_aside, "/file/crm-history") in links
    assert url(set_aside, "/file/call-transcript") not in links


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/file/price-policy/request", {}),
        ("/interviews/team-lead/why-referred", {}),
        ("/findings", {"text": "x", "document_id": "crm-history"}),
        ("/findings/{finding}/delete", {}),
        ("/timeline/{entry}/delete", {}),
        ("/authorisation", {}),
        ("/send", {}),
    ],
)
def test_a_set_aside_case_refuses_actions_with_a_message(client, w, set_aside, path, data):
    path = path.format(finding=set_aside.findings[0].id, entry=set_aside.timeline[0].id)
    before = unchanged(set_aside)
    response = client.post(url(set_aside, path), data=data)
    assert response.status_code == 302
    assert "set aside" in text(client.get(response.location))
    assert unchanged(set_aside) == before


def test_a_set_aside_case_refuses_saves(client, w, set_aside):
    before = unchanged(set_aside)
    saved = client.post(url(set_aside, "letter"), data={"version": "1", "text": "Keep me"})
    assert saved.status_code == 422 and "set aside" in text(saved)
    drafted = client.post(url(set_aside, "/records/letter/autosave"), data={"version": "1"})
    assert drafted.status_code == 422 and "set aside" in drafted.json["error"]
    entry = client.post(
        url(set_aside, "timeline"), data={"occurred_on": "2026-03-01", "description": "x"}
    )
    assert entry.status_code == 200 and "set aside" in text(entry)
    assert unchanged(set_aside) == before


# --- the response and the reply --------------------------------------------------------------


def test_sending_shows_the_customers_reply(client, w):
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    db.session.commit()
    client = login(client, w.learner)
    response = client.post(url(w.case, "/send"))
    assert response.location.endswith(url(w.case, "outcome"))
    body = text(client.get(response.location))
    assert "Thank you." in body and "Accepted" in body and "Sent by the deadline" in body
    letter_page = text(client.get(url(w.case, "letter")))
    assert "Send the response" not in letter_page
    again = client.post(url(w.case, "/send"))
    assert "accepted your response" in text(client.get(again.location))


def test_a_push_back_offers_one_revision(client, w):
    case = work(w.case)
    client = login(client, w.learner)
    outcome = text(client.get(url(case, "outcome")))
    assert "Not accepted" in outcome and "Revise your letter" in outcome
    letter = text(client.get(url(case, "letter")))
    assert "this is your one revision" in letter and "Send the response" in letter


def test_authorisation_answer_is_flashed(client, w, spec):
    services.save_record(
        w.case,
        "remedy",
        {"remedy_ids": "refund-overcharge", "custom_1_label": "Goodwill", "custom_1_amount": "100"},
        expected_version=None,
    )
    db.session.commit()
    client = login(client, w.learner)
    response = client.post(url(w.case, "/authorisation"))
    body = text(client.get(response.location))
    assert "Authorised: Approved." in body
    assert "has authorised this remedy" in body
    assert "£142.50" in body and "£142.5 " not in body


def test_amounts_of_a_thousand_or_more_read_as_elsewhere(client, w):
    """The remedy page's total, its requests list and the case log wrote '£1200.00' while the
    authorisation reason beside them said '£1,200.00'."""
    services.save_record(
        w.case,
        "remedy",
        {"custom_1_label": "Goodwill", "custom_1_amount": "1200"},
        expected_version=None,
    )
    services.request_authorisation(w.case)
    db.session.commit()
    client = login(client, w.learner)
    remedy = text(client.get(url(w.case, "remedy")))
    assert "Saved remedy total: <strong>£1,200.00</strong>." in remedy
    assert ": £1,200.00 — <strong>not authorised" in remedy
    log = text(client.get(url(w.case, "case_log")))
    assert "Asked for authorisation of £1,200.00" in log
    assert "£1200.00" not in remedy + log


def test_the_remedy_menu_does_not_repeat_an_amount_its_label_gives(client, bundled_specs, world):
    """Energy's menu read 'recalculated from the actual readings (credit £955.20) (£955.20)' and
    '£20 account credit for the inconvenience (£20.00)'; a label without its amount keeps it."""
    criteria, specs = bundled_specs
    [scenario] = import_specs(criteria, [specs["energy-back-bill"]])
    case = services.start_case(world.learner, scenario)
    db.session.commit()
    body = " ".join(text(login(client, world.learner).get(url(case, "remedy"))).split())
    assert "(credit £955.20) (£955.20)" not in body and "(credit £955.20) <span" in body
    assert "£20 account credit for the inconvenience (£20.00)" not in body
    assert "Write off half of the catch-up bill as a gesture of goodwill (£920.00)" in body


def test_the_case_log_lists_the_trail(client, w, spec):
    case = work(w.case)
    body = text(login(client, w.assessor).get(url(case, "case_log")))
    assert "Requested and read: " + spec.document("billing-log").title in body
    assert 'Asked Marcus Doyle: "What does the billing system show?"' in body
    assert "Asked for authorisation of £100.00: authorised" in body
    assert "Customer replied: not accepted" in body


# --- query counts ----------------------------------------------------------------------------


def more_actions(case: Case, spec, n: int = 30) -> None:
    """n more trail entries of several kinds."""
    done = 0
    for person in spec.stakeholders:
        for question in person.questions:
            if services.ask_question(case, person.id, question.id):
                done += 1
    for document in spec.documents:
        if services.request_document(case, document.id):
            done += 1
    while done < n:
        services.pin_finding(case, text=f"Fact {done}", document_id="crm-history")
        done += 1
    db.session.commit()


@pytest.mark.parametrize("page", ["case_log", "interviews", "timeline", "overview", "letter"])
@pytest.mark.parametrize("role", ["learner", "assessor"])
def test_queries_do_not_grow_with_the_trail(client, w, spec, count_queries, page, role):
    case = work(w.case)
    client = login(client, getattr(w, role))
    client.get(url(case, page))  # warm up: the scenario spec is parsed once per version
    with count_queries() as short:
        assert client.get(url(case, page)).status_code == 200
    before = trail_count(case)
    more_actions(case, spec)
    assert trail_count(case) == before + 30
    with count_queries() as long:
        assert client.get(url(case, page)).status_code == 200
    assert len(long) == len(short), "\n".join(long)


def test_the_checks_weigh_the_response_as_sent(client, w):
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    services.send_response(w.case)
    # Edits after sending do not change what the customer was sent.
    services.save_record(w.case, "letter", {"text": WEAK_LETTER}, expected_version=1)
    services.save_record(w.case, "remedy", {"remedy_ids": []}, expected_version=1)
    db.session.commit()
    body = login(client, w.assessor).get(url(w.case)).get_data(as_text=True)
    rows = {
        unescape(label): unescape(row)
        for label, row in (chunk.split("</th>", 1) for chunk in body.split('<th scope="row">')[1:])
    }
    assert "Met" in rows[CHECK_LABELS["adr-rights"]].split("</td>", 1)[0]
    assert "Met" in rows[CHECK_LABELS["remedy-covers"]].split("</td>", 1)[0]
    assert "Not met" not in rows[CHECK_LABELS["adr-rights"]].split("</td>", 1)[0]


def test_an_on_time_response_settles_the_deadline_on_every_page(client, w, spec):
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    # Send on day 55; the customer's reply then moves the clock past the deadline day 56.
    w.case.hours = (55 - spec.clock.start_day) * spec.clock.hours_per_day
    services.send_response(w.case)
    db.session.commit()
    assert sim_clock.day_of(spec.clock, w.case.hours) > 56
    client = login(client, w.learner)
    for page in ("overview", "letter", "outcome"):
        body = " ".join(text(client.get(url(w.case, page))).split())
        final = body.split("Final response or ADR letter (8 weeks):", 1)[1].split("</li>")[0]
        assert final.strip() == "day 56 (sent day 55, on time)"
        assert "Internal reminder: day 28 <strong>(passed)</strong>" in body  # not settled
    dashboard = text(client.get("/dashboard"))
    assert "final response sent day 55, on time" in dashboard
    assert "deadline passed" not in dashboard


def test_a_late_response_shows_how_late(client, w, spec):
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    w.case.hours = (58 - spec.clock.start_day) * spec.clock.hours_per_day
    services.send_response(w.case)
    db.session.commit()
    client = login(client, w.learner)
    body = " ".join(text(client.get(url(w.case))).split())
    assert "day 56 <strong>(sent day 58, 2 days late)</strong>" in body
    assert "final response sent day 58, 2 days late" in text(client.get("/dashboard"))


def before_you_send(body: str) -> list[str]:
    """The "Before you send" prompts on a page."""
    panel = body.split('<ul class="prompts">', 1)[1].split("</ul>", 1)[0]
    return [" ".join(item.split("</li>")[0].split()) for item in panel.split("<li>")[1:]]


def test_before_you_send_weighs_the_revised_draft(client, w):
    case = work(w.case)  # the weak letter was sent and pushed back; one revision is left
    client = login(client, w.learner)
    before = before_you_send(text(client.get(url(case, "letter"))))
    assert any(p.startswith("Your letter does not yet") for p in before)
    services.save_record(case, "letter", {"text": GOOD_LETTER}, expected_version=1)
    db.session.commit()
    after = before_you_send(text(client.get(url(case, "letter"))))
    assert not any(p.startswith("Your letter") for p in after), after
    # A revised remedy authorised after the first send is authorised for the revision.
    services.save_record(
        case,
        "remedy",
        {
            "remedy_ids": ["refund-overcharge"],
            "custom_1_label": "Goodwill",
            "custom_1_amount": "90",
        },
        expected_version=1,
    )
    assert services.request_authorisation(case)["approved"] is True
    db.session.commit()
    after = before_you_send(text(client.get(url(case, "letter"))))
    assert not any("authority" in p for p in after), after


def test_before_you_send_weighs_the_sent_response_once_sending_is_over(client, w):
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    services.send_response(w.case)
    services.save_record(w.case, "letter", {"text": WEAK_LETTER}, expected_version=1)
    db.session.commit()
    body = text(login(client, w.learner).get(url(w.case, "letter")))
    assert '<ul class="prompts">' not in body or not any(
        p.startswith("Your letter") for p in before_you_send(body)
    )


def test_sending_beyond_authority_is_refused_with_the_way_to_ask(client, w):
    services.save_record(
        w.case,
        "remedy",
        {
            "remedy_ids": ["refund-overcharge"],
            "custom_1_label": "Goodwill",
            "custom_1_amount": "100",
        },
        expected_version=None,
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    db.session.commit()
    client = login(client, w.learner)
    letter = text(client.get(url(w.case, "letter")))
    assert "cannot be sent until Helen Marsh authorises it" in letter
    assert "Send the response" not in letter and url(w.case, "remedy") in letter
    before = unchanged(w.case)
    response = client.post(url(w.case, "/send"))
    assert response.location.endswith(url(w.case, "remedy"))
    page = text(client.get(response.location))
    assert "cannot be sent until Helen Marsh authorises it" in page
    assert "Ask Helen Marsh to authorise" in page
    assert unchanged(w.case) == before


def test_the_revision_is_confirmed_as_the_last_send_and_then_sending_closes(client, w):
    case = work(w.case)  # pushed back: one revision left
    client = login(client, w.learner)
    page = Page(text(client.get(url(case, "letter"))))
    [send] = [b for b in page.all("button") if "data-confirm" in b]
    assert "This is your last send" in send["data-confirm"]
    assert "revise once" not in send["data-confirm"]
    services.save_record(case, "letter", {"text": WEAK_LETTER + " Sorry."}, expected_version=1)
    services.send_response(case)
    db.session.commit()
    body = text(client.get(url(case, "letter")))
    assert "Sending is closed." in body and "You have sent your one revision" in body
    assert "Send the response" not in body and "Save letter" not in body
    assert "Save draft (not sent)" in body and "never sent" in body
    assert "<h3>Looking back</h3>" in body and "<h3>Before you send</h3>" not in body
    assert not any("does not yet" in prompt for prompt in before_you_send(body))


def test_the_first_send_offers_one_revision_and_acceptance_closes_sending(client, w):
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    db.session.commit()
    client = login(client, w.learner)
    [send] = [
        b
        for b in Page(text(client.get(url(w.case, "letter")))).all("button")
        if "data-confirm" in b
    ]
    assert "you can revise it once" in send["data-confirm"]
    client.post(url(w.case, "/send"))
    body = text(client.get(url(w.case, "letter")))
    assert "Sending is closed." in body and "Priya Nair accepted your response" in body
    assert "Save draft (not sent)" in body


def test_root_cause_fields_are_grouped_by_method(client, w):
    body = text(login(client, w.learner).get(url(w.case, "root_cause")))
    page = Page(body)
    methods = [f["data-method-fields"] for f in page.all("fieldset") if "data-method-fields" in f]
    assert methods == ["five_whys", "fishbone"]  # both without JavaScript, each headed
    assert "If you chose 5 Whys" in body and "If you chose a fishbone" in body


def test_read_only_root_cause_shows_only_the_chosen_method(client, w):
    services.save_record(
        w.case,
        "root_cause",
        {"method": "fishbone", "symptom": "Wrong bill", "bone_systems": "Codes expire silently"},
        expected_version=None,
    )
    db.session.commit()
    body = text(login(client, w.assessor).get(url(w.case, "root_cause")))
    page = Page(body)
    methods = [f["data-method-fields"] for f in page.all("fieldset") if "data-method-fields" in f]
    assert methods == ["fishbone"]
    assert "Codes expire silently" in body and 'name="why_1"' not in body


def test_a_deadline_before_the_referral_is_history_on_the_case_page(
    client, app, bundled_specs, world
):
    """The insurance acknowledgement (day 5) was sent on day 1, long before the referral on
    day 50: the learner's case pages say so rather than showing it as passed against them."""
    criteria, specs = bundled_specs
    scenarios = import_specs(criteria, [specs["insurance-claim-delay"]])
    case = services.start_case(world.learner, scenarios[0])
    db.session.commit()
    client = login(client, world.learner)
    for page in ("overview", "letter"):
        body = " ".join(text(client.get(url(case, page))).split())
        ack = body.split("Written acknowledgement of the complaint (sent on day 1):", 1)[1]
        assert ack.split("</li>")[0].strip() == "day 5 (fell before the referral)"
        assert "(passed)" not in body


def _dd_deadline(body: str) -> str:
    """Where the energy case's Direct Debit deadline stands on a case page."""
    label = "unless a dispute hold is placed:"
    return " ".join(body.split(label, 1)[1].split("</li>")[0].split())


def test_a_deadline_a_remedy_meets_is_settled_by_the_response_that_offers_it(
    client, app, bundled_specs, world
):
    """Energy's Direct Debit increase (day 53) is stopped by a dispute hold, not by any
    response: sent without the hold it keeps counting down, and once no more responses can go
    it reads as missed; a response offering the hold settles it."""
    criteria, specs = bundled_specs
    [scenario] = import_specs(criteria, [specs["energy-back-bill"]])
    client = login(client, world.learner)
    case = services.start_case(world.learner, scenario)
    overview = text(client.get(url(case)))
    assert _dd_deadline(overview) == "day 53 (3 days left)"
    # Day 0 is 13 July 2026: the header gives today's date as the documents speak in dates.
    assert "<strong>Day 50</strong> (1 Sep 2026), 09:00" in overview
    services.save_record(case, "remedy", {"remedy_ids": ["meter-repair"]}, expected_version=None)
    services.save_record(case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    services.send_response(case)
    db.session.commit()
    assert _dd_deadline(text(client.get(url(case, "outcome")))) == "day 53 (1 day left)"
    services.save_record(case, "letter", {"text": GOOD_LETTER + " Sorry."}, expected_version=1)
    services.send_response(case)  # the one revision, still without the hold
    db.session.commit()
    assert _dd_deadline(text(client.get(url(case)))) == (
        "day 53 <strong>(not offered in the response)</strong>"
    )

    other = services.start_case(world.peer, scenario)
    services.save_record(
        other, "remedy", {"remedy_ids": ["collections-hold", "meter-repair"]}, expected_version=None
    )
    services.save_record(other, "letter", {"text": GOOD_LETTER}, expected_version=None)
    services.send_response(other)
    db.session.commit()
    body = text(login(client, world.peer).get(url(other)))
    # The hold is what meets it: "sent day 50" alone read as if something else went that day.
    assert _dd_deadline(body) == "day 53 (offered in the response sent day 50, on time)"


def test_staff_read_the_closed_letter_page_in_the_third_person(client, w):
    case = work(w.case)  # pushed back: one revision left
    staff = login(client, w.assessor)
    pending = text(staff.get(url(case, "letter")))
    assert "replied to the learner's first letter" in pending and "your one revision" not in pending
    services.save_record(case, "letter", {"text": WEAK_LETTER + " Sorry."}, expected_version=1)
    services.send_response(case)
    db.session.commit()
    body = text(staff.get(url(case, "letter")))
    assert "Sending is closed." in body and "The learner has sent their one revision" in body
    assert "You have sent" not in body and "where you record" not in body
    assert "The learner's draft letter to" in body and "Your letter to" not in body
    remedy = text(staff.get(url(case, "remedy")))
    assert "your own authority" not in remedy and "before you can send" not in remedy
    outcome = text(staff.get(url(case, "outcome")))
    assert "Follow-up: what the learner will do next" in outcome and "what you will" not in outcome
    assert "The outcome the learner recorded" in outcome and "Record the outcome" not in outcome
    assert "The learner's authority limit is" in remedy and "Your authority limit" not in remedy


def test_staff_see_an_unsent_response_in_the_third_person(client, w):
    referral = text(login(client, w.assessor).get(url(w.case)))
    assert "Referred to the learner" in referral and "Referred to you" not in referral
    assert "The learner's role" in referral and "; they may commit remedies" in referral
    body = text(client.get(url(w.case, "outcome")))
    assert "The learner has not sent a final response yet" in body
    assert "You have not sent" not in body


def test_staff_read_the_remedy_status_in_the_third_person(client, w):
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    db.session.commit()
    body = text(login(client, w.assessor).get(url(w.case, "remedy")))
    assert "within the learner's own authority" in body or "before the learner can send" in body


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (55, "1 simulated day to the deadline"),
        (56, "deadline today (simulated)"),
        (54, "2 simulated days to the deadline"),
    ],
)
def test_the_dashboard_counts_down_to_the_deadline_in_words(client, w, spec, day, shown):
    w.case.hours = (day - spec.clock.start_day) * spec.clock.hours_per_day
    db.session.commit()
    dashboard = " ".join(text(login(client, w.learner).get("/dashboard")).split())
    assert shown in dashboard
    assert "1 simulated days" not in dashboard and "0 simulated days" not in dashboard


def test_my_cases_says_where_each_open_case_stands_against_its_deadline(client, w, spec):
    """The list said only 'Open' for every case, while the dashboard and case pages showed the
    deadline: now the same settled or counting-down deadline is in the list."""
    client = login(client, w.learner)
    row = " ".join(text(client.get("/cases/")).split())
    assert "Day 56: 46 days left" in row
    # The case number, as the case pages and the portfolio's items name it.
    assert f'<span class="hint">case {w.case.id}, version 1</span>' in row
    services.save_record(
        w.case, "remedy", {"remedy_ids": ["refund-overcharge"]}, expected_version=None
    )
    services.save_record(w.case, "letter", {"text": GOOD_LETTER}, expected_version=None)
    w.case.hours = (55 - spec.clock.start_day) * spec.clock.hours_per_day
    services.send_response(w.case)
    db.session.commit()
    row = " ".join(text(client.get("/cases/")).split())
    assert "Day 56: response sent day 55, on time" in row


def test_a_dashboard_with_no_open_case_says_how_to_start_one(client, world):
    dashboard = " ".join(text(login(client, world.learner).get("/dashboard")).split())
    assert "No open cases. Start one from an exercise" in dashboard
    assert 'href="/library/"' in dashboard


@pytest.mark.parametrize("typed", ["1e3", "2E2", "1e-2"])
def test_an_amount_not_written_as_money_is_refused_with_a_message(client, w, typed):
    """'1e3' was taken as £1,000 (and shown back as '1e3'): it is refused, saying how to
    write an amount."""
    before = unchanged(w.case)
    response = login(client, w.learner).post(
        url(w.case, "remedy"), data={"custom_1_label": "Goodwill", "custom_1_amount": typed}
    )
    assert response.status_code == 422
    assert "write it as 60 or 12.50" in text(response)
    assert unchanged(w.case) == before
