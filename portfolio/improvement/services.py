"""Writes for repeated-complaint analysis: saved analyses and SMART recommendations.

Every save goes on the case trail as a ``draft_saved`` entry naming the record
(``{"record": "analysis" | "recommendation", "id": ...}``), so the trail shows when each was
written. Services flush and never commit; a refused save raises ``CaseworkError`` (or
``StaleEdit``) and changes nothing."""

from collections.abc import Mapping

import sqlalchemy as sa

from portfolio.analysis import AnalysisError, AnalysisParams
from portfolio.casework.errors import CaseworkError, StaleEdit
from portfolio.casework.models import Case
from portfolio.casework.queries import spec_for

# The casework trail has exactly one writer (sequence numbers, the simulated clock) and one
# "can this case still change?" rule; reuse them rather than keep copies here.
from portfolio.casework.services import append_trail, require_open
from portfolio.casework.signals import record_deleted, record_saved
from portfolio.casework.trail import TrailKind
from portfolio.extensions import db
from portfolio.improvement.figures import check_params, compute
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.improvement.queries import root_cause_text

MAX_TITLE = 200
MAX_COMMENTARY = 20_000
MAX_FIELD = 5_000

#: Each recommendation field: its label in messages and its length limit.
RECOMMENDATION_FIELDS: dict[str, tuple[str, int]] = {
    "change": ("the change", MAX_FIELD),
    "owner": ("who has authority to make it", 200),
    "benefit": ("the expected benefit", MAX_FIELD),
    "measure": ("how success will be measured", MAX_FIELD),
    "target": ("the target", 200),
    "by_when": ("when it will be done by", 100),
    "root_cause_link": ("how it addresses the root cause", MAX_FIELD),
    "other_customers": ("what happens for other customers affected", MAX_FIELD),
}
#: What makes a recommendation SMART: specific (the change), owned (who has authority to make
#: it), with an expected benefit, measurable (the measure and its target) and time-bound.
REQUIRED_FIELDS = ("change", "owner", "benefit", "measure", "target", "by_when")


def _trail(case: Case, record: str, record_id: int, **extra: object) -> None:
    append_trail(case, TrailKind.DRAFT_SAVED, {"record": record, "id": record_id, **extra})


def _text(value: object, label: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CaseworkError(f"{label.capitalize()} must be text.")
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise CaseworkError(
            f"{label.capitalize()} is {len(value):,} characters; keep it to {limit:,}."
        )
    return value


def save_analysis(
    case: Case, *, params: AnalysisParams, title: str, commentary: str = ""
) -> SavedAnalysis:
    """Compute the figures for ``params`` from the case's complaint log and save them with the
    learner's title and commentary. The stored figures never change afterwards."""
    require_open(case)
    spec = spec_for(case)
    try:
        params = check_params(spec, params)
    except AnalysisError as exc:
        raise CaseworkError(exc.message) from exc
    title = _text(title, "the title", MAX_TITLE)
    if not title:
        raise CaseworkError("Give the analysis a title, so you can link recommendations to it.")
    # Recommendations choose their analysis by title: two alike could not be told apart.
    taken = db.session.scalar(
        sa.select(SavedAnalysis.id).where(
            SavedAnalysis.case_id == case.id, sa.func.lower(SavedAnalysis.title) == title.lower()
        )
    )
    if taken is not None:
        raise CaseworkError(
            f"You already have an analysis called “{title}”: give this one a title that tells "
            "them apart, as recommendations are linked to an analysis by its title."
        )
    analysis = SavedAnalysis(
        case_id=case.id,
        title=title,
        params=params.to_dict(),
        figures=compute(spec, params).to_dict(),
        commentary=_text(commentary, "the commentary", MAX_COMMENTARY),
    )
    db.session.add(analysis)
    db.session.flush()
    _trail(case, "analysis", analysis.id)
    db.session.flush()
    record_saved.send(case, record="analysis", record_id=analysis.id)
    return analysis


def update_commentary(
    analysis: SavedAnalysis, *, commentary: str, expected_version: int | None
) -> SavedAnalysis:
    """Change a saved analysis's commentary (its figures stay as saved). ``expected_version``
    is the version the learner's page showed; a newer stored one raises ``StaleEdit``."""
    case = analysis.case
    require_open(case)
    if analysis.version != expected_version:
        raise StaleEdit("analysis", analysis.version)
    commentary = _text(commentary, "the commentary", MAX_COMMENTARY)
    if commentary == analysis.commentary:
        return analysis
    analysis.commentary = commentary
    _trail(case, "analysis", analysis.id)
    db.session.flush()
    return analysis


def delete_analysis(analysis: SavedAnalysis) -> None:
    """Delete a saved analysis that no recommendation rests on."""
    case = analysis.case
    require_open(case)
    linked = db.session.scalar(
        sa.select(sa.func.count(Recommendation.id)).where(Recommendation.analysis_id == analysis.id)
    )
    if linked:
        noun = "recommendation rests" if linked == 1 else "recommendations rest"
        raise CaseworkError(
            f"{linked} {noun} on this analysis, so it was not deleted. Link "
            f"{'it' if linked == 1 else 'them'} to another analysis, or delete "
            f"{'it' if linked == 1 else 'them'}, first."
        )
    _trail(case, "analysis", analysis.id, deleted=True)
    record_deleted.send(case, record="analysis", record_id=analysis.id)
    db.session.delete(analysis)
    db.session.flush()


def clean_recommendation(fields: Mapping[str, object]) -> dict[str, str]:
    """The recommendation fields trimmed and checked for length (unknown keys are ignored)."""
    return {
        name: _text(fields.get(name), label, limit)
        for name, (label, limit) in RECOMMENDATION_FIELDS.items()
    }


def save_recommendation(
    case: Case,
    *,
    analysis_id: int | None,
    fields: Mapping[str, object],
    expected_version: int | None = None,
    recommendation: Recommendation | None = None,
) -> Recommendation:
    """Add a recommendation to the case, or change ``recommendation`` (whose page showed
    ``expected_version``). It must be SMART (every field of ``REQUIRED_FIELDS``) and rest on
    one of this case's saved analyses; until a root cause is saved it must also say how it
    addresses the cause. Anything refused raises ``CaseworkError`` and changes nothing."""
    require_open(case)
    if recommendation is not None:
        if recommendation.case_id != case.id:
            raise CaseworkError("That recommendation belongs to another case.")
        if recommendation.version != expected_version:
            raise StaleEdit("recommendation", recommendation.version)
    data = clean_recommendation(fields)
    missing = [RECOMMENDATION_FIELDS[name][0] for name in REQUIRED_FIELDS if not data[name]]
    if missing:
        listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        raise CaseworkError(
            "A SMART recommendation names the change, who has authority to make it, the "
            "expected benefit, how success will be measured, the target and when it will be done "
            f"by. Add {listed}."
        )
    if analysis_id is None:
        raise CaseworkError("Choose the saved analysis this recommendation rests on.")
    analysis = db.session.get(SavedAnalysis, analysis_id)
    if analysis is None or analysis.case_id != case.id:
        raise CaseworkError(
            "That analysis is not one of the analyses saved on this case, so nothing was saved. "
            "Choose one of your own analyses from the list."
        )
    if not data["root_cause_link"] and not root_cause_text(case):
        raise CaseworkError(
            "You have not saved a root cause for this case yet, so say how this change "
            "addresses the cause of the complaint."
        )
    if recommendation is None:
        recommendation = Recommendation(case_id=case.id, analysis_id=analysis.id, **data)
        db.session.add(recommendation)
    elif recommendation.analysis_id != analysis.id or any(
        getattr(recommendation, name) != value for name, value in data.items()
    ):
        recommendation.analysis = analysis
        for name, value in data.items():
            setattr(recommendation, name, value)
    else:
        return recommendation  # nothing changed: no new version, no trail entry
    db.session.flush()
    _trail(case, "recommendation", recommendation.id)
    db.session.flush()
    record_saved.send(case, record="recommendation", record_id=recommendation.id)
    return recommendation


def delete_recommendation(case: Case, recommendation: Recommendation) -> None:
    """Delete one of the case's recommendations."""
    require_open(case)
    if recommendation.case_id != case.id:
        raise CaseworkError("That recommendation belongs to another case.")
    _trail(case, "recommendation", recommendation.id, deleted=True)
    db.session.delete(recommendation)
    db.session.flush()
