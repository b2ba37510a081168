"""The autosave's "Draft saved at" time is on the app's clock (TIMEZONE), as every other time
the learner reads, not in UTC."""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from portfolio import _use_timezone
from portfolio.casework.models import CaseRecord
from portfolio.config import default_config
from portfolio.extensions import db
from tests.casework.test_views import url, w  # noqa: F401  (fixture)
from tests.conftest import login


@pytest.fixture
def app_config() -> Iterator[dict]:
    # Five and a half hours from UTC all year, so the test tells the clocks apart in any season.
    yield {"TIMEZONE": "Asia/Kolkata"}
    _use_timezone(default_config()["TIMEZONE"])  # the process's zone, for the tests after


def test_draft_saved_time_is_on_the_apps_clock(client, w):  # noqa: F811
    client = login(client, w.learner)
    saved = client.post(url(w.case, "/records/letter/autosave"), data={"text": "Dear"})
    assert saved.status_code == 200
    record = db.session.query(CaseRecord).filter_by(case_id=w.case.id).one()
    expected = record.updated_at.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M:%S")
    assert saved.json["saved_at"] == expected
