"""How evidence content writes its figures."""

from flask import render_template_string


def test_money_has_thousands_separators(app):
    """A resolution item's remedy read 'total £1030.20' where the case's pages say £1,030.20."""
    with app.test_request_context():
        rendered = render_template_string(
            '{% from "evidence/_content.html" import money %}{{ money(v) }}', v="1030.2"
        )
    assert rendered == "£1,030.20"
