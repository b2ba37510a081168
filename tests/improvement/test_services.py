"""Saving analyses and recommendations: figures stored as computed, stale edits refused, other
cases' analyses refused, linked analyses kept, and every save on the trail."""

import pytest
import sqlalchemy as sa

from portfolio.analysis import AnalysisParams
from portfolio.casework import services as casework
from portfolio.casework.errors import CaseworkError, StaleEdit
from portfolio.casework.models import CaseStatus, TrailEvent
from portfolio.casework.queries import spec_for
from portfolio.casework.trail import TrailKind
from portfolio.extensions import db
from portfolio.improvement import services
from portfolio.improvement.figures import compute
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.roles import Role
from tests.improvement.builders import open_case
from tests.improvement.conftest import GOOD_FIELDS


def trail(case) -> list[TrailEvent]:
    return list(
        db.session.scalars(
            sa.select(TrailEvent).where(TrailEvent.case_id == case.id).order_by(TrailEvent.seq)
        )
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- analyses ----------------------------------------------------------------------------------


def test_save_analysis_stores_params_and_the_computed_figures(case):
    params = AnalysisParams(measure="cost", flag="swiftfit")
    analysis = services.save_analysis(
        case, params=params, title="  Swiftfit by cost ", commentary="Costly.\r\nVery."
    )
    db.session.commit()
    db.session.expire_all()
    assert analysis.title == "Swiftfit by cost"
    assert analysis.commentary == "Costly.\nVery."
    assert analysis.params == params.to_dict()
    assert analysis.figures == compute(spec_for(case), params).to_dict()
    assert analysis.figures["summary"]["bars"][0]["label"] == "Faulty after installation"
    assert analysis.version == 1
    last = trail(case)[-1]
    assert last.kind == TrailKind.DRAFT_SAVED
    assert last.payload == {"record": "analysis", "id": analysis.id}


@pytest.mark.parametrize(
    ("params", "title", "message"),
    [
        (AnalysisParams(flag="retention-call"), "T", 'Unknown flag "retention-call"'),
        (AnalysisParams(categories=frozenset({"Parking"})), "T", 'Unknown category "Parking"'),
        (AnalysisParams(), "   ", "Give the analysis a title"),
        (AnalysisParams(), "x" * 201, "keep it to 200"),
    ],
)
def test_save_analysis_refuses_bad_input_and_changes_nothing(case, params, title, message):
    before = len(trail(case))
    with pytest.raises(CaseworkError, match=message):
        services.save_analysis(case, params=params, title=title)
    db.session.rollback()
    assert count(SavedAnalysis) == 0
    assert len(trail(case)) == before


def test_update_commentary_bumps_the_version_and_goes_on_the_trail(case, make_analysis):
    analysis = make_analysis(case)
    services.update_commentary(analysis, commentary="New view.", expected_version=1)
    db.session.commit()
    assert (analysis.commentary, analysis.version) == ("New view.", 2)
    assert trail(case)[-1].payload == {"record": "analysis", "id": analysis.id}
    figures = dict(analysis.figures)
    services.update_commentary(analysis, commentary="New view.", expected_version=2)
    assert analysis.version == 2  # unchanged text: no new version
    assert analysis.figures == figures


def test_a_stale_commentary_edit_is_refused(case, make_analysis):
    analysis = make_analysis(case)
    services.update_commentary(analysis, commentary="From the other tab.", expected_version=1)
    db.session.commit()
    with pytest.raises(StaleEdit) as refused:
        services.update_commentary(analysis, commentary="From this tab.", expected_version=1)
    assert refused.value.stored_version == 2
    db.session.rollback()
    assert db.session.get(SavedAnalysis, analysis.id).commentary == "From the other tab."


def test_delete_is_refused_while_a_recommendation_rests_on_the_analysis(
    case, make_analysis, make_recommendation
):
    analysis = make_analysis(case)
    make_recommendation(case, analysis)
    db.session.commit()
    with pytest.raises(CaseworkError, match="1 recommendation rests on this analysis"):
        services.delete_analysis(analysis)
    db.session.rollback()
    assert count(SavedAnalysis) == 1


def test_an_unlinked_analysis_can_be_deleted(case, make_analysis):
    analysis = make_analysis(case)
    analysis_id = analysis.id
    services.delete_analysis(analysis)
    db.session.commit()
    assert count(SavedAnalysis) == 0
    assert trail(case)[-1].payload == {"record": "analysis", "id": analysis_id, "deleted": True}


def test_a_set_aside_case_cannot_change(case, make_analysis):
    analysis = make_analysis(case)
    case.status = CaseStatus.SET_ASIDE
    with pytest.raises(CaseworkError, match="set aside"):
        services.update_commentary(analysis, commentary="Late", expected_version=1)
    with pytest.raises(CaseworkError, match="set aside"):
        services.save_analysis(case, params=AnalysisParams(), title="Late")


# --- recommendations ---------------------------------------------------------------------------


def test_save_recommendation_stores_every_field_and_goes_on_the_trail(case, make_analysis):
    analysis = make_analysis(case)
    recommendation = services.save_recommendation(
        case, analysis_id=analysis.id, fields={**GOOD_FIELDS, "owner": "  Head of Installations "}
    )
    db.session.commit()
    assert recommendation.analysis == analysis
    assert recommendation.owner == "Head of Installations"
    for name, value in GOOD_FIELDS.items():
        assert getattr(recommendation, name) == value.strip()
    assert trail(case)[-1].payload == {"record": "recommendation", "id": recommendation.id}


@pytest.mark.parametrize(
    ("blank", "message"),
    [
        (("change",), "Add the change."),
        (("owner", "measure"), "Add who has authority to make it and how success"),
        (("change", "owner", "measure"), "Add the change, who has authority"),
        (("by_when",), "Add when it will be done by."),
        (("benefit", "target"), "Add the expected benefit and the target."),
        (
            ("change", "owner", "benefit", "measure", "target", "by_when"),
            "Add the change, who has authority to make it, the expected benefit, how success "
            "will be measured, the target and when it will be done by.",
        ),
    ],
)
def test_an_empty_recommendation_is_refused(case, make_analysis, blank, message):
    analysis = make_analysis(case)
    fields = {**GOOD_FIELDS, **dict.fromkeys(blank, "   ")}
    with pytest.raises(CaseworkError, match=message):
        services.save_recommendation(case, analysis_id=analysis.id, fields=fields)
    db.session.rollback()
    assert count(Recommendation) == 0


def test_another_learners_analysis_is_refused(case, make_user, make_analysis):
    other_case = open_case(make_user(Role.LEARNER))
    theirs = make_analysis(other_case)
    db.session.commit()
    before = len(trail(case))
    with pytest.raises(CaseworkError, match="not one of the analyses saved on this case"):
        services.save_recommendation(case, analysis_id=theirs.id, fields=GOOD_FIELDS)
    with pytest.raises(CaseworkError, match="not one of the analyses saved on this case"):
        services.save_recommendation(case, analysis_id=10_000, fields=GOOD_FIELDS)
    with pytest.raises(CaseworkError, match="Choose the saved analysis"):
        services.save_recommendation(case, analysis_id=None, fields=GOOD_FIELDS)
    db.session.rollback()
    assert count(Recommendation) == 0
    assert len(trail(case)) == before


def test_without_a_saved_root_cause_the_link_to_the_cause_is_required(case, make_analysis):
    analysis = make_analysis(case)
    fields = {**GOOD_FIELDS, "root_cause_link": ""}
    with pytest.raises(CaseworkError, match="not saved a root cause"):
        services.save_recommendation(case, analysis_id=analysis.id, fields=fields)
    casework.save_record(
        case, "root_cause", {"root_cause": "Contractor reuses old hoses."}, expected_version=None
    )
    saved = services.save_recommendation(case, analysis_id=analysis.id, fields=fields)
    assert saved.root_cause_link == ""


def test_editing_a_recommendation_checks_its_version(case, make_analysis, make_recommendation):
    first, second = make_analysis(case), make_analysis(case, title="By month", group_by="month")
    recommendation = make_recommendation(case, first)
    db.session.commit()
    services.save_recommendation(
        case,
        analysis_id=second.id,
        fields={**GOOD_FIELDS, "target": "Under 15 a month"},
        expected_version=1,
        recommendation=recommendation,
    )
    db.session.commit()
    assert (recommendation.version, recommendation.analysis_id) == (2, second.id)
    with pytest.raises(StaleEdit):
        services.save_recommendation(
            case,
            analysis_id=first.id,
            fields={**GOOD_FIELDS, "target": "Old tab"},
            expected_version=1,
            recommendation=recommendation,
        )
    db.session.rollback()
    assert db.session.get(Recommendation, recommendation.id).target == "Under 15 a month"


def test_an_unchanged_save_makes_no_new_version(case, make_analysis, make_recommendation):
    recommendation = make_recommendation(case, make_analysis(case))
    before = len(trail(case))
    services.save_recommendation(
        case,
        analysis_id=recommendation.analysis_id,
        fields=GOOD_FIELDS,
        expected_version=1,
        recommendation=recommendation,
    )
    assert recommendation.version == 1
    assert len(trail(case)) == before


def test_another_cases_recommendation_cannot_be_changed_or_deleted(
    case, make_user, make_analysis, make_recommendation
):
    other_case = open_case(make_user(Role.LEARNER))
    theirs = make_recommendation(other_case, make_analysis(other_case))
    with pytest.raises(CaseworkError, match="belongs to another case"):
        services.save_recommendation(
            case,
            analysis_id=theirs.analysis_id,
            fields=GOOD_FIELDS,
            expected_version=1,
            recommendation=theirs,
        )
    with pytest.raises(CaseworkError, match="belongs to another case"):
        services.delete_recommendation(case, theirs)


def test_delete_recommendation_frees_the_analysis(case, make_analysis, make_recommendation):
    analysis = make_analysis(case)
    recommendation = make_recommendation(case, analysis)
    recommendation_id = recommendation.id
    services.delete_recommendation(case, recommendation)
    assert trail(case)[-1].payload == {
        "record": "recommendation",
        "id": recommendation_id,
        "deleted": True,
    }
    services.delete_analysis(analysis)
    db.session.commit()
    assert count(Recommendation) == count(SavedAnalysis) == 0


def test_a_second_analysis_with_the_same_title_is_refused(case):
    """Recommendations choose their analysis by title; two analyses both called "Cost Pareto"
    (a learner saving twice) could not be told apart in that list."""
    services.save_analysis(case, params=AnalysisParams(measure="cost"), title="Cost Pareto")
    with pytest.raises(CaseworkError, match="You already have an analysis called “cost pareto”"):
        services.save_analysis(case, params=AnalysisParams(), title="cost pareto")
    assert count(SavedAnalysis) == 1
