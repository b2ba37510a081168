"""Counts read as people write them: a large centre's 2,937 learners, not 2937."""

from types import SimpleNamespace

from flask import render_template_string

from portfolio.templating import format_count


def test_counts_group_thousands_by_commas():
    assert [format_count(n) for n in (0, 7, 999, 1000, 2937, 1234567)] == [
        "0",
        "7",
        "999",
        "1,000",
        "2,937",
        "1,234,567",
    ]
    assert format_count(None) == ""


def test_the_pager_groups_a_large_total(app):
    page = SimpleNamespace(
        page=2, pages=60, total=2937, has_prev=True, has_next=True, prev_num=1, next_num=3
    )
    template = '{% from "macros/pagination.html" import pager %}{{ pager(page, "accounts.users") }}'
    with app.test_request_context("/centre/users?page=2"):
        html = render_template_string(template, page=page)
    assert "Page 2 of 60 (2,937 in all)" in html
