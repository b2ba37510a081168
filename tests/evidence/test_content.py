"""How evidence content writes its figures."""

from flask import render_template_string


def test_money_has_thousands_separators(app):
    """A resolution item's remedy read 'total £1030.20' where the case's pages say £1,030.20."""
    with app.test_request_context():
        rendered = render_template_string(
            '{% from "evidence/_content.html" import money %}{{ money(v) }}', v="1030.2"
        )
    assert rendered == "£1,030.20"


def test_a_folded_remedy_label_has_no_gap_before_its_amount(app):
    """A menu label written over several lines in the scenario file ends with a newline, and the
    remedy read 'recalculated from the actual readings (credit £955.20) : £955.20'."""
    components = [{"label": "Rebill (credit £955.20)\n", "amount": "955.20"}]
    content = {"remedy": {"components": components, "total": "955.20", "notes": ""}}
    with app.test_request_context():
        rendered = render_template_string(
            '{% from "evidence/_content.html" import render %}{{ render("resolution", c) }}',
            c=content,
        )
    assert "<li>Rebill (credit £955.20): £955.20</li>" in rendered


def test_a_letters_sign_off_keeps_its_line_break(app):
    """The submitted letter read 'Yours sincerely, Sam Learner' on the bench and in the PDF."""
    sent = {"round": 1, "letter": "Dear Mr Reeves,\n\nYours sincerely,\nSam Learner"}
    content = {"correspondence": [{**sent, "on_time": True, "accepted": True, "reply": "Thanks"}]}
    with app.test_request_context():
        rendered = render_template_string(
            '{% from "evidence/_content.html" import render %}{{ render("resolution", c) }}',
            c=content,
        )
    assert "<p>Yours sincerely,<br>\nSam Learner</p>" in rendered
