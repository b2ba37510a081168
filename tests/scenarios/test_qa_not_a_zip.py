"""A .rar, a .7z or a document renamed .zip: the upload said only 'Not a zip file', not what
to do instead."""

from portfolio.scenarios.errors import ScenarioInvalid
from portfolio.scenarios.zipfiles import read_zip


def test_a_file_that_is_not_a_zip_says_how_to_make_one():
    try:
        read_zip(b"Rar!\x1a\x07\x00" + b"x" * 100, label="scenario.rar")
    except ScenarioInvalid as exc:
        (error,) = exc.errors
    assert error.file == "scenario.rar"
    assert error.message.startswith("not a zip file")
    assert "renamed" in error.message and "Compressed (zipped) folder" in error.message
