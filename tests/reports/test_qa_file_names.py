"""A cohort whose name has no Latin letters (二班) gave downloads named as if for a learner:
'learner-tracking-grid-<date>.csv' and 'learner-portfolios-<date>.zip'. They now read
'cohort-...'."""

from datetime import date

from portfolio.accounts.services import create_cohort
from portfolio.extensions import db
from tests.conftest import login


def test_a_cohort_named_in_another_script_downloads_as_a_cohort(client, world):
    cohort = create_cohort(centre=world.centre, name="二班")
    db.session.commit()
    login(client, world.admin)
    today = date.today().isoformat()
    for ext in ("csv", "xlsx"):
        response = client.get(f"/reports/cohorts/{cohort.id}.{ext}")
        assert response.status_code == 200
        assert (
            f'filename="cohort-tracking-grid-{today}.{ext}"'
            in (response.headers["Content-Disposition"])
        )


def test_the_slug_of_a_cohort_says_cohort():
    from portfolio.export.bulk import slug

    assert slug("二班", fallback="cohort") == "cohort"
    assert slug("李伟") == "learner"
    assert slug("Spring 2027", fallback="cohort") == "spring-2027"


def test_the_decision_log_download_is_dated(client, world):
    """Every download was 'decision-log.csv', so a month's downloads read 'decision-log (3).csv'
    in the downloads folder, where the grid's downloads carry their date."""
    login(client, world.admin)
    response = client.get("/reports/decision-log.csv")
    response.get_data()
    assert response.status_code == 200
    expected = f'filename="decision-log-{date.today().isoformat()}.csv"'
    assert expected in response.headers["Content-Disposition"]
