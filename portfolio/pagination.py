"""Reading the page number from a request without letting bad input reach the database."""

from flask import request

MAX_PAGE = 100_000


def page_number() -> int:
    """The `page` query argument as a positive whole number; anything else reads as page 1."""
    raw = request.args.get("page", "1")
    try:
        value = int(raw)
    except ValueError:
        return 1
    return min(max(value, 1), MAX_PAGE)
