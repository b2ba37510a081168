"""Reads for repeated-complaint analysis: a case's saved analyses and recommendations, the
knowledge questions with their criteria, and the case's saved root cause."""

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.casework.models import Case
from portfolio.casework.queries import record_data
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.scenarios.schema import Scenario


def analyses_of(case: Case) -> sa.Select:
    """The case's saved analyses, oldest first."""
    return (
        sa.select(SavedAnalysis)
        .where(SavedAnalysis.case_id == case.id)
        .order_by(SavedAnalysis.created_at, SavedAnalysis.id)
    )


def analysis_titles(case: Case) -> list[tuple[int, str]]:
    """(id, title) of each saved analysis of the case, for choosers, in one query."""
    query = analyses_of(case).with_only_columns(SavedAnalysis.id, SavedAnalysis.title)
    return [(row.id, row.title) for row in db.session.execute(query)]


def link_counts(case: Case) -> dict[int, int]:
    """How many recommendations rest on each of the case's analyses (absent means none)."""
    query = (
        sa.select(Recommendation.analysis_id, sa.func.count(Recommendation.id))
        .where(Recommendation.case_id == case.id)
        .group_by(Recommendation.analysis_id)
    )
    return {analysis_id: count for analysis_id, count in db.session.execute(query)}


def recommendations_of(case: Case) -> sa.Select:
    """The case's recommendations, oldest first, with the analysis each rests on loaded."""
    return (
        sa.select(Recommendation)
        .where(Recommendation.case_id == case.id)
        .options(so.joinedload(Recommendation.analysis))
        .order_by(Recommendation.created_at, Recommendation.id)
    )


def recommendations_resting_on(analysis: SavedAnalysis) -> sa.Select:
    """The recommendations that rest on ``analysis``, oldest first."""
    return (
        sa.select(Recommendation)
        .where(Recommendation.analysis_id == analysis.id)
        .order_by(Recommendation.created_at, Recommendation.id)
    )


def root_cause_text(case: Case) -> str:
    """The root cause the learner saved for the case, or ``""`` when there is none yet."""
    data = record_data(case, "root_cause") or {}
    text = data.get("root_cause") or ""
    return text.strip() if isinstance(text, str) else ""


@dataclass(frozen=True)
class KnowledgeItem:
    """A knowledge question with the criterion it evidences."""

    id: str
    text: str
    criterion: str
    criterion_text: str | None  # None when the unit is not in the framework


def knowledge_questions(spec: Scenario) -> list[KnowledgeItem]:
    """The scenario's knowledge questions, each with its criterion's text from the framework
    (looked up by the scenario's unit code, in one query)."""
    refs = {question.criterion for question in spec.knowledge_questions}
    rows = db.session.execute(
        sa.select(Criterion.ref, Criterion.text)
        .join(Unit, Criterion.unit_id == Unit.id)
        .where(Unit.code == spec.unit, Criterion.ref.in_(refs))
    )
    texts = {ref: text for ref, text in rows}
    return [
        KnowledgeItem(
            id=question.id,
            text=question.text,
            criterion=question.criterion,
            criterion_text=texts.get(question.criterion),
        )
        for question in spec.knowledge_questions
    ]
