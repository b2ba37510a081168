"""The learner's letter keeps its line breaks wherever it is shown."""

from portfolio.casework import services
from portfolio.casework.letter import letter_html
from portfolio.extensions import db
from tests.conftest import login

from .test_services import GOOD_LETTER
from .test_views import text, url, w  # noqa: F401  (fixture)

LETTER = (
    "Dear Mr Patel,\r\n\r\nI am sorry.\r\n\r\n- one\r\n- two\r\n\r\nYours sincerely,\r\nSam Learner"
)


def test_a_sign_off_stays_on_two_lines():
    """Markdown joined 'Yours sincerely,' and the name into one line."""
    html = str(letter_html(LETTER))
    assert "<p>Yours sincerely,<br>\nSam Learner</p>" in html
    assert "<li>one</li>\n<li>two</li>" in html  # a list is unchanged
    assert "<p>Dear Mr Patel,</p>\n<p>I am sorry.</p>" in html
    assert "<script" not in str(letter_html("Hi\n<script>alert(1)</script>"))


def test_the_preview_and_the_letter_as_sent_keep_the_sign_off(client, w):  # noqa: F811
    letter = GOOD_LETTER + "\r\n\r\nYours sincerely,\r\nSam Learner"
    services.save_record(w.case, "remedy", {"remedy_ids": ["honour-price"]}, expected_version=None)
    services.save_record(w.case, "letter", {"text": letter}, expected_version=None)
    db.session.commit()
    client = login(client, w.learner)
    assert "Yours sincerely,<br>\nSam Learner" in text(client.get(url(w.case, "letter")))
    services.send_response(w.case)
    db.session.commit()
    assert "Yours sincerely,<br>\nSam Learner" in text(client.get(url(w.case, "outcome")))
