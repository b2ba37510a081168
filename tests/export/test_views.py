"""Downloading a version's PDF: who may, and the cache (render once, serve the stored file,
render again only when what the PDF shows has changed)."""

import pytest

from portfolio.export import cache, pdf
from portfolio.extensions import db
from tests.conftest import login
from tests.export import builders


@pytest.fixture
def renders(monkeypatch):
    """Counts calls to the renderer (which still runs)."""
    calls: list[int] = []
    original = pdf.render_portfolio_pdf

    def spy(submission, **kwargs):
        calls.append(submission.id)
        return original(submission, **kwargs)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", spy)
    return calls


@pytest.fixture
def light(app, world, pdf_cache):
    """A small submitted portfolio (one case, no analysis, no upload)."""
    world.submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    db.session.commit()
    return world


def _get(client, user, submission_id: int):
    login(client, user)
    response = client.get(f"/export/submissions/{submission_id}.pdf")
    body = response.get_data()
    response.close()
    return response, body


def test_second_download_serves_the_stored_file(client, light, renders, pdf_cache):
    world = light
    first, body = _get(client, world.learner, world.submission.id)
    assert first.status_code == 200 and renders == [world.submission.id]
    stored = list(pdf_cache.glob("submissions/*/*.pdf"))
    assert len(stored) == 1 and stored[0].read_bytes() == body
    assert not list(pdf_cache.rglob(".tmp-*"))  # written atomically, nothing left over

    second, again = _get(client, world.assessor, world.submission.id)
    assert second.status_code == 200
    assert renders == [world.submission.id]  # not rendered again
    assert again == body
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "private" in second.headers["Cache-Control"]


def test_signing_off_renders_the_version_again(client, light, renders):
    world = light
    _get(client, world.learner, world.submission.id)
    builders.sign_off(world.submission, world.assessor)
    db.session.commit()
    response, _ = _get(client, world.learner, world.submission.id)
    assert response.status_code == 200
    assert renders == [world.submission.id] * 2


def test_new_template_version_renders_again(client, light, renders, monkeypatch):
    world = light
    _get(client, world.learner, world.submission.id)
    monkeypatch.setattr(pdf, "TEMPLATE_VERSION", pdf.TEMPLATE_VERSION + "-next")
    _get(client, world.learner, world.submission.id)
    assert len(renders) == 2


def test_key_ignores_the_log_head_but_not_this_versions_entries(app, light):
    """Decisions on other learners move the log's head; they must not re-render every PDF."""
    from portfolio.export.context import review_state
    from portfolio.review import log

    world = light
    submission = world.submission
    before = cache.cache_key(submission, review_state(submission))
    log.append("unrelated", actor=world.assessor, payload={}, submission_id=None)
    assert cache.cache_key(submission, review_state(submission)) == before
    log.append("note", actor=world.assessor, payload={}, submission_id=submission.id)
    assert cache.cache_key(submission, review_state(submission)) != before


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("learner", 200),
        ("assessor", 200),
        ("iqa", 200),
        ("admin", 200),
        ("peer", 404),
        ("other_admin", 404),
        ("other_assessor", 404),
        ("site_admin", 404),
    ],
)
def test_who_may_download(client, light, actor, status):
    world = light
    response, body = _get(client, world.by_role(actor), world.submission.id)
    assert response.status_code == status
    if status == 200:
        assert body.startswith(b"%PDF-")
        assert response.headers["Content-Disposition"].startswith("attachment;")


def test_anonymous_is_sent_to_sign_in(client, light):
    response = client.get(f"/export/submissions/{light.submission.id}.pdf")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unknown_version_is_not_found(client, world):
    login(client, world.learner)
    assert client.get("/export/submissions/999999.pdf").status_code == 404


def test_submission_and_portfolio_pages_link_to_the_pdf(client, light):
    world = light
    login(client, world.learner)
    link = f"/export/submissions/{world.submission.id}.pdf"
    page = client.get(f"/portfolio/submissions/{world.submission.id}").get_data(as_text=True)
    assert link in page and "Download PDF" in page
    page = client.get(f"/portfolio/{world.submission.portfolio_id}").get_data(as_text=True)
    assert link in page


def test_a_corrected_decision_is_shown_as_corrected(client, light, renders, tmp_path):
    """A correction (a log entry; the stored decision never changes) re-renders the PDF, which
    shows the decision as it stands and what it replaced."""
    from portfolio.framework.models import Criterion
    from portfolio.review import services as review
    from tests.export.conftest import pdftotext

    world = light
    assessment = builders.sign_off(world.submission, world.assessor)
    db.session.commit()
    _get(client, world.learner, world.submission.id)
    criterion = db.session.scalar(db.select(Criterion).where(Criterion.ref == "2.4"))
    review.correct_decision(
        assessment,
        criterion,
        decision="not_yet",
        feedback="Say what the customer can do next.",
        reason="Missed that the ombudsman was not named.",
        by=world.assessor,
    )
    db.session.commit()
    _, body = _get(client, world.learner, world.submission.id)
    assert len(renders) == 2
    text = " ".join(pdftotext(body, tmp_path).split())
    assert "Say what the customer can do next." in text
    assert "from Competent: Missed that the ombudsman was not named." in text
    assert "Decision corrected (2.4: Not yet competent)" in text
