"""A scenario whose fair remedies add up to more than any remedy may come to (£100,000): each
amount passed the upload, but a learner choosing the fair remedy was refused it as 'far more
than any remedy in this case could be', so the case could not be resolved fairly."""


def test_fair_remedies_adding_up_past_the_ceiling_are_refused(scenario):
    scenario.edit("scenario.yaml", "amount: 0", "amount: 60000")
    scenario.edit("scenario.yaml", "amount: 42.50", "amount: 50000")
    (error,) = scenario.errors()
    remedies_line = scenario.line("scenario.yaml", "honour-price") - 1
    assert (error.field, error.line) == ("remedies", remedies_line)
    assert error.message == (
        "the fair remedies (fair: true) add up to £110,000.00, more than the £100,000 a "
        "learner's remedy may come to: lower their amounts"
    )


def test_fair_remedies_up_to_the_ceiling_load(scenario):
    scenario.edit("scenario.yaml", "amount: 0", "amount: 60000")
    scenario.edit("scenario.yaml", "amount: 42.50", "amount: 40000")
    assert scenario.load()
