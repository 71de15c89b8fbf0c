"""Viewing the queue and searching it are audited: who, which filters, which screenings were
listed, and on which field a search was made – never the term typed, nor its keyed hash."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from flask import Flask

from tests.auth.support import audit_events
from tests.factories import URGENT, make_submission
from tests.portal_helpers import clinician_client


def event_text(app: Flask) -> str:
    """Every audit event, every column, as one string to search for what must not be there."""
    return json.dumps(
        [
            [e.action, e.outcome, e.ip, e.detail, e.actor_id, e.submission_id]
            for e in audit_events(app)
        ]
    )


def test_viewing_the_queue_records_the_filters_and_the_screenings_listed(app: Flask) -> None:
    urgent = make_submission(app, **URGENT)
    other = make_submission(app)
    client = clinician_client(app)

    page = client.get("/portal/", query_string={"status": "new", "to_date": "2999-12-31"})

    assert page.status_code == 200
    [event] = audit_events(app, "queue.viewed")
    assert event.actor_id is not None and event.outcome == "success"
    assert event.detail == {
        "filter": {"status": "new", "to_date": "2999-12-31"},
        "page": 1,
        "shown": [urgent, other],
    }


def test_a_search_records_its_field_never_its_term(app: Flask) -> None:
    found = make_submission(app)
    client = clinician_client(app)
    term = "Alex.Rivera@example.com"

    response = client.post("/portal/search", data={"search-q": term})
    target = response.headers["Location"]
    assert client.get(target).status_code == 200

    [searched] = audit_events(app, "queue.searched")
    assert searched.detail == {"field": "email"} and searched.actor_id is not None
    [viewed] = audit_events(app, "queue.viewed")
    assert viewed.detail == {"filter": {"match": "email"}, "page": 1, "shown": [found]}
    digest = parse_qs(urlsplit(target).query)["match"][0].partition(".")[2]
    recorded = event_text(app).lower()
    assert "alex" not in recorded and "rivera" not in recorded and digest not in recorded
