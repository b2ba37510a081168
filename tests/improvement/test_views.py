"""Analysis and recommendation pages: the builder for every bundled scenario, bad choices
refused with a message, saved analyses drawn from their stored figures, stale edits refused
keeping the text, and a list page whose query count does not grow."""

import copy
import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.roles import Role
from tests.improvement.builders import bundled_slugs, open_case
from tests.improvement.conftest import GOOD_FIELDS

SVG = "{http://www.w3.org/2000/svg}"


def svgs(html: str) -> list[ET.Element]:
    """Every inline chart on the page, parsed as XML."""
    return [ET.fromstring(m) for m in re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)]


@pytest.mark.parametrize("slug", bundled_slugs())
def test_the_builder_draws_each_scenarios_pareto(client, login_as, make_user, slug):
    learner = make_user(Role.LEARNER)
    case = open_case(learner, slug)
    login_as(learner)
    response = client.get(f"/cases/{case.id}/analysis")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    pareto, trend = svgs(html)
    assert pareto.find(f"{SVG}title").text == "Pareto chart of complaints by category"
    assert trend.find(f"{SVG}title").text == "Monthly complaints by category"
    assert "Cumulative" in html and 'class="reference-80"' in html
    assert "style=" not in html and "<script>" not in html
    assert "<caption" in html and "Cumulative share" in html  # the table of figures
    assert "Save analysis" in html


def test_choices_change_the_chart(client, login_as, case, learner):
    login_as(learner)
    html = client.get(
        f"/cases/{case.id}/analysis?group_by=category&measure=cost&flag=swiftfit"
    ).get_data(as_text=True)
    pareto = svgs(html)[0]
    assert pareto.find(f"{SVG}title").text.startswith("Pareto chart of complaint cost by category")
    first_row = re.search(r"<tbody>\s*<tr><th scope=\"row\">([^<]+)</th>", html).group(1)
    assert first_row == "Faulty after installation"
    months = client.get(f"/cases/{case.id}/analysis?group_by=month").get_data(as_text=True)
    assert svgs(months)[0].find(f"{SVG}title").text == "Complaints by month"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("group_by=colour", 'Unknown grouping "colour": choose one of "category", "month".'),
        ("measure=weight", 'Unknown measure "weight"'),
        ("flag=nope", 'Unknown flag "nope": choose one of "swiftfit".'),
        ("category=Parking", 'Unknown category "Parking"'),
        (
            "flag=swiftfit&exclude_flag=swiftfit",
            "“Installation carried out by Swiftfit Appliance Services” is chosen both under",
        ),
    ],
)
def test_bad_choices_answer_400_with_a_message_and_no_chart(
    client, login_as, case, learner, query, message
):
    login_as(learner)
    response = client.get(f"/cases/{case.id}/analysis?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The chart could not be built" in html
    assert message.replace('"', "&#34;") in html
    assert "<svg" not in html and "Save analysis" not in html


def test_saving_an_analysis_redirects_to_it(client, login_as, case, learner):
    login_as(learner)
    response = client.post(
        f"/cases/{case.id}/analyses",
        data={"group_by": "category", "measure": "cost", "title": "By cost", "commentary": "Hm"},
    )
    analysis = db.session.scalar(sa.select(SavedAnalysis))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.id}/analyses/{analysis.id}"
    assert analysis.params["measure"] == "cost"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>By cost</h1>" in page and "Analysis saved." in page
    assert "By category (Pareto), weighted by cost." in page


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"group_by": "colour", "title": "T"}, 400, "Unknown grouping"),
        ({"group_by": "category", "title": ""}, 422, "Give the analysis a title."),
    ],
)
def test_a_bad_save_changes_nothing(client, login_as, case, learner, data, status, message):
    login_as(learner)
    response = client.post(f"/cases/{case.id}/analyses", data={**data, "commentary": "Kept"})
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    assert db.session.scalar(sa.select(sa.func.count(SavedAnalysis.id))) == 0
    if status == 422:
        assert "Kept</textarea>" in html


def test_a_saved_analysis_is_drawn_from_its_stored_figures(
    client, login_as, case, learner, make_analysis
):
    analysis = make_analysis(case)
    figures = copy.deepcopy(analysis.figures)
    bar = figures["summary"]["bars"][0]
    figures["summary"]["bars"][0] = {**bar, "label": "Tampered category", "count": 4242}
    figures["trends"][0] = {**figures["trends"][0], "category": "Tampered trend"}
    analysis.figures = figures
    db.session.commit()
    login_as(learner)
    html = client.get(f"/cases/{case.id}/analyses/{analysis.id}").get_data(as_text=True)
    pareto, trend = svgs(html)
    assert "Tampered category" in ET.tostring(pareto, encoding="unicode")
    assert "Tampered trend" in ET.tostring(trend, encoding="unicode")
    assert '<th scope="row">Tampered category</th><td class="num">4,242</td>' in html


def test_unreadable_stored_figures_show_a_notice(client, login_as, case, learner, make_analysis):
    analysis = make_analysis(case)
    analysis.figures = {"summary": "broken"}
    db.session.commit()
    login_as(learner)
    response = client.get(f"/cases/{case.id}/analyses/{analysis.id}")
    assert response.status_code == 200
    assert "could not be read" in response.get_data(as_text=True)


def test_a_stale_commentary_edit_is_refused_keeping_the_text(
    client, login_as, case, learner, make_analysis
):
    analysis = make_analysis(case)
    db.session.commit()
    login_as(learner)
    url = f"/cases/{case.id}/analyses/{analysis.id}"
    assert client.post(url, data={"commentary": "Tab one", "version": 1}).status_code == 302
    response = client.post(url, data={"commentary": "Tab two words", "version": 1})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed elsewhere" in html and "Tab two words</textarea>" in html
    db.session.expire_all()
    assert db.session.get(SavedAnalysis, analysis.id).commentary == "Tab one"


def test_deleting_a_linked_analysis_explains_why_not(
    client, login_as, case, learner, make_analysis, make_recommendation
):
    analysis = make_analysis(case)
    make_recommendation(case, analysis)
    login_as(learner)
    response = client.post(f"/cases/{case.id}/analyses/{analysis.id}/delete", follow_redirects=True)
    assert "1 recommendation rests on this analysis, so it was not deleted." in response.get_data(
        as_text=True
    )
    assert db.session.get(SavedAnalysis, analysis.id) is not None


def test_recommendations_offer_only_this_cases_analyses(
    client, login_as, case, learner, make_user, make_analysis
):
    mine = make_analysis(case, title="Mine by cost")
    other_case = open_case(make_user(Role.LEARNER))
    theirs = make_analysis(other_case, title="Theirs by cost")
    db.session.commit()
    login_as(learner)
    html = client.get(f"/cases/{case.id}/recommendations").get_data(as_text=True)
    assert f'<option value="{mine.id}">Mine by cost</option>' in html
    assert "Theirs by cost" not in html

    response = client.post(
        f"/cases/{case.id}/recommendations", data={**GOOD_FIELDS, "analysis_id": theirs.id}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "not one of the analyses saved on this case" in html
    assert GOOD_FIELDS["owner"] in html  # the learner's text is kept
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 0


@pytest.mark.parametrize("slug", ["energy-back-bill", "telecoms-billing"])
def test_the_recommendation_hints_fit_every_scenario(
    client, login_as, learner, make_analysis, slug
):
    """The hints' examples name no one scenario's roles or complaints: an energy or telecoms
    learner was told "for example Head of Installations", a retail role."""
    case = open_case(learner, slug)
    make_analysis(case)
    db.session.commit()
    login_as(learner)
    html = client.get(f"/cases/{case.id}/recommendations").get_data(as_text=True)
    assert "the head of the team that owns the process or system" in html
    assert "Installations" not in html and "installation complaints" not in html


def test_an_empty_recommendation_gets_clear_messages(
    client, login_as, case, learner, make_analysis
):
    analysis = make_analysis(case)
    login_as(learner)
    response = client.post(
        f"/cases/{case.id}/recommendations", data={"analysis_id": analysis.id, "change": " "}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in (
        "Describe the change.",
        "Say who can make the change.",
        "Say what the change is expected to bring.",
        "Say how success",
        "Give a target for the measure",
        "Say by when the change will be made.",
    ):
        assert message in html
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 0


def test_a_recommendation_is_added_and_edited(client, login_as, case, learner, make_analysis):
    analysis = make_analysis(case)
    login_as(learner)
    url = f"/cases/{case.id}/recommendations"
    response = client.post(url, data={**GOOD_FIELDS, "analysis_id": analysis.id})
    assert response.status_code == 302
    recommendation = db.session.scalar(sa.select(Recommendation))
    edit = f"{url}/{recommendation.id}"
    page = client.get(edit).get_data(as_text=True)
    assert f'<option selected value="{analysis.id}">' in page or (
        f'<option value="{analysis.id}" selected>' in page
    )
    changed = {**GOOD_FIELDS, "analysis_id": analysis.id, "target": "Under 10", "version": 1}
    assert client.post(edit, data=changed).status_code == 302
    stale = {**changed, "target": "Old tab target"}
    response = client.post(edit, data=stale)
    assert response.status_code == 409
    assert "Old tab target" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Recommendation, recommendation.id).target == "Under 10"
    assert client.post(f"{edit}/delete").status_code == 302
    assert db.session.get(Recommendation, recommendation.id) is None


def test_staff_read_without_forms(client, login_as, make_user, make_analysis, make_recommendation):
    assessor = make_user(Role.ASSESSOR)
    learner = make_user(Role.LEARNER, assessor.centre, assessor=assessor)
    case = open_case(learner)
    analysis = make_analysis(case)
    recommendation = make_recommendation(case, analysis)
    login_as(assessor)
    for path in (
        "/analysis",
        f"/analyses/{analysis.id}",
        "/recommendations",
        f"/recommendations/{recommendation.id}",
    ):
        response = client.get(f"/cases/{case.id}{path}")
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'method="post"' not in html.split('class="case-main"')[1], path
    assert client.post(f"/cases/{case.id}/analyses", data={"title": "x"}).status_code == 403


def test_the_recommendations_list_does_not_grow_its_queries(
    client, login_as, case, learner, make_analysis, make_recommendation, count_queries
):
    analyses = [make_analysis(case, title=f"Analysis {i}") for i in range(3)]
    make_recommendation(case, analyses[0])
    login_as(learner)
    url = f"/cases/{case.id}/recommendations"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(6):
        make_recommendation(case, analyses[i % 3], change=f"Change {i}")
    login_as(learner)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert "Recommendation 7" in html
    assert len(many) == len(few)


def test_the_knowledge_page_shows_questions_with_their_criteria(client, login_as, case, learner):
    login_as(learner)
    url = f"/cases/{case.id}/records/knowledge"
    html = client.get(url).get_data(as_text=True)
    assert "Criterion 4.1</span> Explain the stages of the organisation" in html
    assert 'name="answer_cra-rules"' in html
    response = client.post(url, data={"answer_cra-rules": "Thirty days to reject."})
    assert response.status_code == 302
    assert "Thirty days to reject." in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"answer_invented": "x", "version": 1})
    assert response.status_code == 422
    assert "is not one of this case" in response.get_data(as_text=True)


def test_the_case_nav_leads_to_the_new_sections(client, login_as, case, learner):
    login_as(learner)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    order = [
        "Reply and outcome",
        "Complaint analysis",
        "Recommendations",
        "Knowledge",
        "Reflection",
    ]
    positions = [html.index(f">{label}</a>") for label in order]
    assert positions == sorted(positions)
    reflection = client.get(f"/cases/{case.id}/records/reflection")
    assert reflection.status_code == 200
    assert "Your reflective account" in reflection.get_data(as_text=True)


def test_each_landmark_on_the_builder_has_its_own_name(client, login_as, case, learner):
    """A chart's section and the scrolling region of its figures are both landmarks; the trend
    table's caption is the chart's title, so naming the region by its caption gave two
    landmarks one name (axe: landmark-unique)."""
    login_as(learner)
    html = client.get(f"/cases/{case.id}/analysis").get_data(as_text=True)
    names = []
    for heading_id in re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', html):
        names.append(re.search(rf'id="{heading_id}"[^>]*>([^<]+)<', html).group(1).strip())
    for label in re.findall(r'role="region"[^>]*aria-label="([^"]+)"', html):
        names.append(label)
    for caption_id in re.findall(r'role="region"[^>]*aria-labelledby="([^"]+)"', html):
        names.append(re.search(rf'id="{caption_id}"[^>]*>([^<]+)<', html).group(1).strip())
    assert "Monthly complaints by category" in names
    assert len(names) == len(set(names)), names


def test_a_refused_choice_keeps_the_learners_other_choices(client, login_as, case, learner):
    """Choosing one flag in both lists is refused; the form came back with every choice reset
    to the defaults (count, by category, all complaints), so the learner had to make them all
    again. Now only the choice at fault is cleared."""
    login_as(learner)
    response = client.get(
        f"/cases/{case.id}/analysis?group_by=month&measure=cost&flag=swiftfit"
        "&exclude_flag=swiftfit&category=Delivery+delays"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="group_by-month" name="group_by" value="month" checked' in html
    assert 'id="measure-cost" name="measure" value="cost" checked' in html
    assert '<option value="swiftfit" selected>' in html.split('id="exclude_flag"')[0]
    assert 'value="swiftfit" selected' not in html.split('id="exclude_flag"')[1]
    assert 'value="Delivery delays" checked' in html


CONTROL = "Remove the invisible control character"


@pytest.mark.parametrize("field", ["title", "commentary"])
def test_a_nul_in_an_analysis_is_refused_with_a_message(client, login_as, case, learner, field):
    """PostgreSQL refuses a NUL in a text column: it was a server error there (and stored on
    SQLite); now the learner is told what to remove and nothing is saved."""
    login_as(learner)
    data = {"group_by": "category", "title": "By cost", "commentary": "Kept"}
    data[field] += "\x00"
    response = client.post(f"/cases/{case.id}/analyses", data=data)
    assert response.status_code == 422
    assert CONTROL in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SavedAnalysis.id))) == 0


def test_a_nul_in_saved_commentary_or_a_recommendation_is_refused(
    client, login_as, case, learner, make_analysis
):
    analysis = make_analysis(case)
    db.session.commit()
    login_as(learner)
    url = f"/cases/{case.id}/analyses/{analysis.id}"
    response = client.post(url, data={"commentary": "New\x00 text", "version": 1})
    assert response.status_code == 422
    assert CONTROL in response.get_data(as_text=True)
    for field in ("change", "owner", "target", "other_customers"):
        data = {**GOOD_FIELDS, "analysis_id": analysis.id}
        data[field] += "\x00"
        response = client.post(f"/cases/{case.id}/recommendations", data=data)
        assert response.status_code == 422, field
        assert CONTROL in response.get_data(as_text=True)
    db.session.expire_all()
    assert (
        db.session.get(SavedAnalysis, analysis.id).commentary == "Installation dominates by cost."
    )
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 0


def test_a_change_to_a_recommendation_deleted_elsewhere_keeps_the_text(
    client, login_as, case, learner, make_analysis, make_recommendation
):
    """Changing a recommendation deleted meanwhile in another tab answered a 'Not found' page
    and the learner's text was gone. Now the text comes back on the add form (409) with the
    reason, and nothing is saved."""
    analysis = make_analysis(case)
    recommendation = make_recommendation(case, analysis)
    db.session.commit()
    login_as(learner)
    edit = f"/cases/{case.id}/recommendations/{recommendation.id}"
    assert client.post(f"{edit}/delete").status_code == 302
    data = {
        **GOOD_FIELDS,
        "analysis_id": analysis.id,
        "target": "Typed in the old tab",
        "version": 1,
    }
    response = client.post(edit, data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "was deleted (in another tab)" in page
    assert 'value="Typed in the old tab"' in page
    assert f'action="/cases/{case.id}/recommendations"' in page
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 0
    # A page for it is still not found.
    assert client.get(edit).status_code == 404


def test_commentary_on_an_analysis_deleted_elsewhere_keeps_the_text(
    client, login_as, case, learner, make_analysis
):
    """Commentary posted to an analysis deleted meanwhile in another tab answered a 'Not
    found' page and the text was gone. Now it comes back in the builder's save form (409)
    with the reason, and nothing is saved."""
    analysis = make_analysis(case)
    db.session.commit()
    login_as(learner)
    url = f"/cases/{case.id}/analyses/{analysis.id}"
    assert client.post(f"{url}/delete").status_code == 302
    response = client.post(
        url, data={"commentary": "Billing errors are the vital few", "version": 1}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "That analysis was deleted (in another tab)" in page
    assert "Billing errors are the vital few</textarea>" in page
    assert f'action="/cases/{case.id}/analyses"' in page
    assert db.session.scalar(sa.select(sa.func.count(SavedAnalysis.id))) == 0
    assert client.get(url).status_code == 404
