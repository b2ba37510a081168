"""Control characters (Unicode category Cc: a NUL, a form feed, an escape) in text people type
or upload. They are invisible, often pasted in with text; PostgreSQL refuses a NUL (SQLite
stores it), and the others show as garbage on pages and in exports. Forms refuse them
(accounts.forms.plain_text), services read past the forms check them, search terms drop them,
and a scenario upload names the line that holds one. No Flask here: the scenario loader uses
it too."""

import unicodedata

#: What a multi-line text keeps: its line breaks and tabs.
LINE_BREAKS_AND_TABS = "\n\r\t"


def without_control_characters(text: str, *, keep: str = "") -> str:
    """The text less control characters other than those in `keep`: for search terms, which
    are filtered rather than refused."""
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) != "Cc")


def first_control_character(text: str, *, keep: str = LINE_BREAKS_AND_TABS) -> str | None:
    """The first control character in the text other than those in `keep`, or None."""
    return next((ch for ch in text if ch not in keep and unicodedata.category(ch) == "Cc"), None)


def has_control_character(text: str, *, keep: str = LINE_BREAKS_AND_TABS) -> bool:
    """Whether the text holds a control character other than those in `keep` (by default a
    multi-line text's line breaks and tabs)."""
    return first_control_character(text, keep=keep) is not None
