"""A scenario title longer than the library's title column (200 characters): SQLite stored it,
PostgreSQL refuses it (a server error at upload, and again when an exercise takes the title).
It is refused at its line, saying how long it is."""

OLD = 'title: "Minimal Broadband: a bill that went wrong"'


def test_a_title_over_200_characters_is_refused_at_its_field(scenario):
    scenario.edit("scenario.yaml", OLD, f'title: "{"T" * 201}"')
    (error,) = scenario.errors()
    assert (error.field, error.line) == ("title", 3)
    assert error.message == "must be at most 200 characters (it has 201): shorten it"


def test_a_title_of_200_characters_loads(scenario):
    scenario.edit("scenario.yaml", OLD, f'title: "{"T" * 200}"')
    assert len(scenario.load().title) == 200
