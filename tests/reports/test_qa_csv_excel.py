"""The tracking grid CSV opens in Excel with names as typed: without a byte-order mark Excel
reads UTF-8 as Windows-1252, so 'Zoë Łukasz' opened as 'ZoÃ« Å\x81ukasz'. It now begins with
the UTF-8 mark (which Python's utf-8-sig, LibreOffice and Google Sheets read too)."""

import csv
import io

from portfolio.extensions import db
from tests.conftest import login
from tests.reports.test_reports import _unit

NAME = "Zoë Łukasz"


def test_the_grid_csv_opens_in_excel_with_its_names_intact(client, world):
    _unit()
    world.peer.full_name = NAME
    db.session.commit()
    login(client, world.admin)
    body = client.get(f"/reports/cohorts/{world.cohort.id}.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Learner"
    assert NAME in [r[0] for r in rows[1:]]
