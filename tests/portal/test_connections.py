"""A staff request holds one database connection at a time.

Every view of a screening writes an audit event in its own short transaction. If the page
kept its own connection meanwhile, each request would need two, and a busy process could have
every thread holding one and waiting for another that none gives back. With a pool of one
connection these pages can only work if that never happens.
"""

from __future__ import annotations

from screening.portal import counts
from tests.conftest import one_connection_app
from tests.factories import make_submission
from tests.portal_helpers import admin_client


def test_audited_pages_work_with_one_connection(tmp_path, database_url) -> None:
    app = one_connection_app(tmp_path, database_url)
    public_id = make_submission(app, full_name="Pat Pool")
    client = admin_client(app)
    for path in (f"/portal/s/{public_id}", f"/portal/s/{public_id}/print"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Pat Pool" in page.data.decode()
    assert client.get(f"/portal/s/{public_id}/fhir").status_code == 200
    export = client.get("/portal/export.csv")
    assert export.status_code == 200 and "Pat Pool" in export.data.decode()
    queue_page = client.get("/portal/")
    assert queue_page.status_code == 200 and "Pat Pool" in queue_page.data.decode()
    searched = client.post("/portal/search", data={"search-q": "Pat Pool"})
    assert searched.status_code == 302
    assert client.get(searched.headers["Location"]).status_code == 200
    trail = client.get("/portal/admin/audit")  # audits its own viewing
    html = trail.data.decode()
    assert trail.status_code == 200
    for action in ("submission.viewed", "queue.viewed", "queue.searched"):
        assert action in html, action


def test_queue_folds_its_counts_with_one_connection(tmp_path, database_url, monkeypatch) -> None:
    app = one_connection_app(tmp_path, database_url)
    make_submission(app)
    make_submission(app)
    monkeypatch.setattr(counts, "FOLD_AFTER_ROWS", 0)  # fold on this view
    page = admin_client(app).get("/portal/")
    assert page.status_code == 200
    assert "Screenings 1 to 2 of 2" in page.data.decode()
