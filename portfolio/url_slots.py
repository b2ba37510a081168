"""Row links for long lists: build an endpoint's URL once per page with one ID left as "{}",
then fill it per row with str.format (url_for on every row of a 50-row table cost more than
the rest of the row)."""

from flask import url_for

# An ID no record has, so the placeholder cannot collide with a real value in the URL.
_SLOT = 918273645


def url_slot(endpoint: str, name: str, **values) -> str:
    """The URL of `endpoint` with the argument `name` left as "{}" (IDs are integers, so
    filling it needs no escaping)."""
    return url_for(endpoint, **{name: _SLOT}, **values).replace(str(_SLOT), "{}")
