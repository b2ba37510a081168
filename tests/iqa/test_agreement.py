"""Percentage agreement and Fleiss' kappa: a textbook example, the edge cases, and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.review.agreement import (
    count_table,
    fleiss_kappa,
    fleiss_kappa_of,
    pair_agreement,
    subject_agreement,
)

# Fleiss (1971) as worked on Wikipedia ("Fleiss' kappa"): 14 raters put 10 subjects into 5
# categories. P_bar = 0.378, P_e = 0.213, kappa = 0.210.
WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
CATEGORIES = ("competent", "not_yet")


def test_the_textbook_example():
    assert fleiss_kappa(WIKIPEDIA) == pytest.approx(0.210, abs=5e-4)
    # Its per-subject P_i, as printed: 1.000, 0.253, 0.308, ...
    assert pair_agreement(WIKIPEDIA[0]) == 1.0
    assert pair_agreement(WIKIPEDIA[1]) == pytest.approx(0.253, abs=5e-4)
    assert pair_agreement(WIKIPEDIA[2]) == pytest.approx(0.308, abs=5e-4)


def test_a_hand_computed_two_category_example():
    # 3 assessors, 4 criteria. Rows (competent, not yet): (3,0) (2,1) (3,0) (1,2).
    # P_i = 1, 1/3, 1, 1/3 -> P_bar = 2/3. p = 9/12, 3/12 -> P_e = 0.625.
    # kappa = (2/3 - 0.625) / 0.375 = 1/9.
    assert fleiss_kappa([[3, 0], [2, 1], [3, 0], [1, 2]]) == pytest.approx(1 / 9)


def test_percentage_agreement_is_the_share_of_agreeing_pairs():
    assert pair_agreement([2, 0]) == 1.0
    assert pair_agreement([1, 1]) == 0.0
    assert pair_agreement([2, 1]) == pytest.approx(1 / 3)
    assert pair_agreement([1, 0]) is None
    assert pair_agreement([]) is None


def test_edge_cases():
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([[1, 0], [0, 1]]) is None  # one rater
    # Everyone says competent to everything: P_e = 1, defined as perfect agreement.
    assert fleiss_kappa([[3, 0], [3, 0]]) == 1.0
    # Perfect agreement across both categories is 1 by the formula itself.
    assert fleiss_kappa([[3, 0], [0, 3]]) == pytest.approx(1.0)
    # Systematic disagreement between two raters is below chance.
    assert fleiss_kappa([[1, 1], [1, 1]]) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([[2, 0], [1, 0]])
    with pytest.raises(ValueError, match="every category"):
        fleiss_kappa([[2, 0], [2]])


def test_a_subject_someone_did_not_rate_is_left_out():
    subjects = [
        {"ann": "competent", "bob": "competent"},
        {"ann": "competent", "bob": None},
        {"ann": "not_yet"},
        {"ann": "not_yet", "bob": "not_yet"},
    ]
    assert count_table(subjects, CATEGORIES) == [[2, 0], [0, 2]]
    assert fleiss_kappa_of(subjects, CATEGORIES) == pytest.approx(1.0)
    assert fleiss_kappa_of([{"ann": "competent"}], CATEGORIES) is None
    with pytest.raises(ValueError, match="Unknown category"):
        count_table([{"ann": "maybe", "bob": "competent"}], CATEGORIES)


def test_subject_agreement():
    split = subject_agreement({"a": "competent", "b": "competent", "c": "not_yet", "d": None})
    assert split.rated == 3 and split.differs and split.majority == "competent"
    assert split.majority_count == 2 and split.agreement == pytest.approx(1 / 3)
    tie = subject_agreement({"a": "competent", "b": "not_yet"})
    assert tie.majority is None and tie.agreement == 0.0
    alone = subject_agreement({"a": "competent"})
    assert alone.agreement is None and not alone.differs
    assert subject_agreement({}).majority is None


# --- properties -------------------------------------------------------------------------

raters = st.integers(min_value=2, max_value=7)


@st.composite
def rating_grids(draw):
    """ratings[subject][rater] in {0, 1}: at least two raters and one subject."""
    n = draw(raters)
    subjects = draw(st.integers(min_value=1, max_value=12))
    return [
        draw(st.lists(st.sampled_from(CATEGORIES), min_size=n, max_size=n)) for _ in range(subjects)
    ]


def as_subjects(grid, order=None):
    order = order or list(range(len(grid[0])))
    return [{f"rater{r}": row[r] for r in order} for row in grid]


@given(rating_grids())
def test_kappa_is_at_most_one(grid):
    kappa = fleiss_kappa_of(as_subjects(grid), CATEGORIES)
    assert kappa is not None and kappa <= 1.0 + 1e-9
    n = len(grid[0])
    assert kappa >= -1.0 / (n - 1) - 1e-9  # Fleiss' lower bound


@given(rating_grids())
def test_agreement_is_a_share(grid):
    for subject in as_subjects(grid):
        value = subject_agreement(subject).agreement
        assert 0.0 <= value <= 1.0


@given(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=10), raters)
def test_perfect_agreement_is_one(truth, n):
    subjects = [{f"rater{r}": category for r in range(n)} for category in truth]
    assert fleiss_kappa_of(subjects, CATEGORIES) == pytest.approx(1.0)
    assert all(subject_agreement(s).agreement == 1.0 for s in subjects)


@given(rating_grids(), st.randoms(use_true_random=False))
def test_symmetric_under_permuting_raters_and_subjects(grid, rnd):
    before = fleiss_kappa_of(as_subjects(grid), CATEGORIES)
    # Rename the raters consistently across subjects (a permutation of the columns).
    columns = list(range(len(grid[0])))
    rnd.shuffle(columns)
    permuted = [[row[c] for c in columns] for row in grid]
    rnd.shuffle(permuted)  # and reorder the subjects
    assert fleiss_kappa_of(as_subjects(permuted), CATEGORIES) == pytest.approx(before)


@given(rating_grids())
def test_swapping_the_category_labels_changes_nothing(grid):
    swap = {"competent": "not_yet", "not_yet": "competent"}
    swapped = [[swap[v] for v in row] for row in grid]
    assert fleiss_kappa_of(as_subjects(swapped), CATEGORIES) == pytest.approx(
        fleiss_kappa_of(as_subjects(grid), CATEGORIES)
    )
