"""Agreement between assessors: percentage agreement per criterion and Fleiss' kappa.

Pure functions over plain values (no Flask, no database), so they can be checked against
textbook examples and property tests.

Vocabulary: a *subject* is what is rated (in standardisation, one criterion of the shared
submission); a *rater* is an assessor; a *category* is a decision (competent / not yet).

Definitions used throughout:

- **Percentage agreement** for one subject is the share of *pairs of raters* who gave the same
  category: ``sum_j n_j (n_j - 1) / (n (n - 1))``, where ``n_j`` raters chose category ``j``
  out of ``n``. This is exactly Fleiss' ``P_i``, so the percentages on the report and the
  kappa are on the same footing. With two raters it is simply 100% (agree) or 0% (differ);
  with three raters split 2-1 it is 33% (one pair of three agrees). The report also shows the
  *majority share* (2 of 3 chose the majority category), which is easier to read but says less.
- **Fleiss' kappa** (Fleiss 1971) over ``N`` subjects, each rated by the same number ``n`` of
  raters into ``k`` categories: ``(P_bar - P_e) / (1 - P_e)``, where ``P_bar`` is the mean of the
  subjects' ``P_i`` and ``P_e = sum_j p_j^2`` with ``p_j`` the share of all ratings in category
  ``j``. It is at most 1; 0 means no better than chance; negative means worse than chance.

Edge cases (decided here, relied upon by the report):

- Fewer than two raters, or no subject left to compare: there is no agreement to measure,
  so the functions return ``None``.
- A subject on which some rater gave no rating is left out of kappa (Fleiss' formula needs the
  same ``n`` for every subject); its percentage agreement is computed over the ratings given.
- Every rating in one single category (``P_e = 1``): the formula is 0/0. Every rater agreed on
  everything, so kappa is defined as 1.0 (perfect agreement), not as undefined.
"""

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

Ratings = Mapping[Hashable, Hashable | None]  # rater -> category (None: not rated)


def pair_agreement(counts: Sequence[int]) -> float | None:
    """Share of rater pairs agreeing on one subject, from the count of raters per category.
    None when fewer than two raters rated it."""
    n = sum(counts)
    if any(c < 0 for c in counts):
        raise ValueError("Category counts cannot be negative.")
    if n < 2:
        return None
    return sum(c * (c - 1) for c in counts) / (n * (n - 1))


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a count table: one row per subject, one column per category, each
    cell the number of raters who put that subject in that category. Every row must sum to the
    same number of raters. None with fewer than two raters or no subjects; 1.0 when every
    rating falls in one category (see the module docstring)."""
    rows = [list(row) for row in table]
    if not rows:
        return None
    width = len(rows[0])
    if width == 0 or any(len(row) != width for row in rows):
        raise ValueError("Every subject needs a count for every category.")
    if any(c < 0 for row in rows for c in row):
        raise ValueError("Category counts cannot be negative.")
    n = sum(rows[0])
    if any(sum(row) != n for row in rows):
        raise ValueError("Every subject must be rated by the same number of raters.")
    if n < 2:
        return None
    subjects = len(rows)
    total = subjects * n
    p_bar = sum(pair_agreement(row) for row in rows) / subjects
    p_e = sum((sum(row[j] for row in rows) / total) ** 2 for j in range(width))
    if p_e >= 1.0 - 1e-12:
        return 1.0
    return (p_bar - p_e) / (1 - p_e)


def count_table(subjects: Sequence[Ratings], categories: Sequence[Hashable]) -> list[list[int]]:
    """The count table for fleiss_kappa from per-subject ratings, leaving out any subject on
    which a rater gave no rating. A category outside `categories` is an error."""
    raters = {rater for ratings in subjects for rater in ratings}
    index = {category: j for j, category in enumerate(categories)}
    table = []
    for ratings in subjects:
        if len(ratings) != len(raters) or any(v is None for v in ratings.values()):
            continue
        row = [0] * len(categories)
        for category in ratings.values():
            if category not in index:
                raise ValueError(f"Unknown category {category!r}.")
            row[index[category]] += 1
        table.append(row)
    return table


def fleiss_kappa_of(subjects: Sequence[Ratings], categories: Sequence[Hashable]) -> float | None:
    """Fleiss' kappa from per-subject ratings (rater -> category), over the subjects that every
    rater rated. None with fewer than two raters or no complete subject."""
    return fleiss_kappa(count_table(subjects, categories))


@dataclass(frozen=True)
class SubjectAgreement:
    """Agreement on one subject: who rated, the pair agreement, and the majority."""

    rated: int  # raters who gave a rating
    agreement: float | None  # share of agreeing pairs (None with fewer than two ratings)
    majority: Hashable | None  # the most chosen category; None on a tie or with no ratings
    majority_count: int  # raters who chose the most chosen category
    differs: bool  # raters gave more than one category


def subject_agreement(ratings: Ratings) -> SubjectAgreement:
    """Agreement on one subject from rater -> category; unrated raters (None) are ignored."""
    given = Counter(v for v in ratings.values() if v is not None)
    rated = sum(given.values())
    ranked = given.most_common()
    top = ranked[0][1] if ranked else 0
    tied = len(ranked) > 1 and ranked[1][1] == top
    return SubjectAgreement(
        rated=rated,
        agreement=pair_agreement(list(given.values())),
        majority=None if not ranked or tied else ranked[0][0],
        majority_count=top,
        differs=len(given) > 1,
    )


# Landis & Koch (1977): the usual words for ranges of kappa. A guide to reading the number,
# not a standard; the report shows the number beside the words.
KAPPA_BANDS = (
    (0.0, "poor (less than chance)"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)


def kappa_band(kappa: float | None) -> str | None:
    """Landis and Koch's word for a kappa: below 0 poor, up to 0.20 slight, 0.40 fair, 0.60
    moderate, 0.80 substantial, above that almost perfect. None for no kappa."""
    if kappa is None:
        return None
    if kappa < 0:
        return KAPPA_BANDS[0][1]
    for upper, label in KAPPA_BANDS[1:]:
        if kappa <= upper:
            return label
    return KAPPA_BANDS[-1][1]
