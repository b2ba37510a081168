"""What the improvement templates need, computed once per request, so the views stay thin and
the templates only format."""

from collections.abc import Mapping

from portfolio.accounts.models import User
from portfolio.analysis import AnalysisError, AnalysisParams
from portfolio.casework.context import case_page
from portfolio.casework.models import Case
from portfolio.extensions import db
from portfolio.improvement import queries
from portfolio.improvement.figures import (
    FiguresUnreadable,
    categories,
    compute,
    describe_params,
    figures_from_dict,
    flag_labels,
    kept_choices,
    params_from_dict,
    parse_params,
    present,
)
from portfolio.improvement.models import Recommendation, SavedAnalysis


def builder_page(case: Case, user: User, data: Mapping[str, object]) -> tuple[dict, int]:
    """The analysis builder for the choices in ``data`` (query or form values), and the HTTP
    status: 400, with the message and no chart, when a choice is unknown."""
    page = case_page(case, user)
    spec = page["spec"]
    flags = flag_labels(spec)
    params, presentation, error = AnalysisParams(), None, None
    try:
        params = parse_params(spec, data)
        presentation = present(compute(spec, params), flags, chart_id="builder")
    except AnalysisError as exc:
        error = exc
        params = kept_choices(spec, data)
    context = page | {
        "params": params,
        "params_text": describe_params(params, flags),
        "flags": flags,
        "categories": categories(spec),
        "presentation": presentation,
        "analysis_error": error,
        "analyses": db.session.scalars(queries.analyses_of(case)).all(),
        "link_counts": queries.link_counts(case),
    }
    return context, 400 if error else 200


def saved_analysis_page(case: Case, user: User, analysis: SavedAnalysis) -> dict:
    """A saved analysis drawn from its stored figures, never recomputed, so it never changes."""
    page = case_page(case, user)
    flags = flag_labels(page["spec"])
    presentation, params_text, rebuild = None, None, None
    try:
        figures = figures_from_dict(analysis.figures)
        presentation = present(figures, flags, chart_id=f"analysis-{analysis.id}")
        params_text = describe_params(figures.summary.params, flags)
    except FiguresUnreadable:
        pass
    try:
        params = params_from_dict(analysis.params)
        rebuild = {key: value for key, value in params.to_dict().items() if value}
        rebuild["category"] = rebuild.pop("categories", [])
    except (AnalysisError, KeyError, TypeError):
        pass
    return page | {
        "analysis": analysis,
        "presentation": presentation,
        "params_text": params_text,
        "rebuild": rebuild,
        "resting": db.session.scalars(queries.recommendations_resting_on(analysis)).all(),
    }


def recommendations_page(case: Case, user: User) -> dict:
    """The case's recommendations with their analyses, and what the add form needs."""
    page = case_page(case, user)
    return page | {
        "recommendations": db.session.scalars(queries.recommendations_of(case)).unique().all(),
        "root_cause": queries.root_cause_text(case),
    }


def recommendation_page(case: Case, user: User, recommendation: Recommendation) -> dict:
    """One recommendation for editing."""
    page = case_page(case, user)
    return page | {
        "recommendation": recommendation,
        "root_cause": queries.root_cause_text(case),
    }
