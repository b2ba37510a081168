"""The password policy: length, the obvious passwords, and padding them with digits."""

import pytest

from portfolio.auth.passwords import password_problem

TOO_EASY = "That password is too easy to guess. Try a phrase of three or four words."


@pytest.mark.parametrize(
    "password",
    ["password12", "Password!!12", "Welcome2026!", "qwerty12345", "admin_2026!!", "password123"],
)
def test_a_common_word_padded_to_length_is_too_easy(password):
    """A new centre admin could choose "password12": the list held "password123" only."""
    assert password_problem(password) == TOO_EASY


@pytest.mark.parametrize(
    "password", ["portfolio-demo", "correct horse battery", "8302917465", "trustno1trustno1"]
)
def test_phrases_and_long_random_strings_pass(password):
    assert password_problem(password) is None
