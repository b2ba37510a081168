"""File names keep Latin letters that Unicode does not split into a letter and an accent:
'Łukasz' read 'ukasz' ('portfolio-zoe-ukasz-hrcc-v3.pdf'), 'Søren' read 's-ren'; they now
read 'lukasz' and 'soren', as 'Zoë' reads 'zoe'."""

import pytest

from portfolio.export import bulk


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zoë Łukasz", "zoe-lukasz"),
        ("Łucja Wójcik-Żak", "lucja-wojcik-zak"),
        ("Søren Ødegård", "soren-odegard"),
        ("Ngô Thị Đặng", "ngo-thi-dang"),
        ("Jürgen Straße", "jurgen-strasse"),
        ("Æthelred Œuvre", "aethelred-oeuvre"),
        ("Þóra Ólafsdóttir", "thora-olafsdottir"),
        ("李伟", "learner"),
    ],
)
def test_letters_without_a_separate_accent_are_kept(name, expected):
    assert bulk.slug(name) == expected
