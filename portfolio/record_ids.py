"""Record IDs in URLs: `<int:…>` segments are bounded to what the databases store."""

from werkzeug.routing import IntegerConverter, Map

#: The largest ID SQLite and PostgreSQL (BIGINT) hold; a larger one matches no route.
LARGEST_ID = 2**63 - 1


class RecordIdConverter(IntegerConverter):
    """Werkzeug's `int` with an upper bound: a guessed ID of 30 digits is a 404, not a driver
    overflow (a 500) when the query binds it."""

    # At most 19 digits in the pattern itself: an ID that fails only in `to_python` still
    # matches the path, so where a GET rule and a POST rule share it (a confirmation page and
    # its action) the other method was answered 405 instead of 404.
    regex = r"\d{1,19}"

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None
    ) -> None:
        super().__init__(
            map, fixed_digits=fixed_digits, min=min, max=LARGEST_ID if max is None else max
        )


def record_id(text: object) -> int | None:
    """A record ID typed or posted as text, or None when it is not one: ASCII digits only
    (str.isdigit also accepts "²", which int() refuses), at most 19 of them (int() refuses
    thousands) and within the stored range."""
    if not isinstance(text, str) or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= LARGEST_ID else None
