"""Bad queue and export filters get a field error or a 400, never a server error."""

from __future__ import annotations

from flask import Flask

from tests.factories import make_submission
from tests.portal_helpers import admin_client

OUT_OF_RANGE = "9999-12-31"


def test_a_date_past_the_range_is_a_field_error_on_the_queue(app: Flask) -> None:
    make_submission(app)
    client = admin_client(app)
    for name in ("to_date", "from_date"):
        response = client.get("/portal/", query_string={name: OUT_OF_RANGE})
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert f'id="{name}-error"' in html and "Enter a date between" in html


def test_an_export_with_a_bad_filter_is_refused_not_widened(app: Flask) -> None:
    make_submission(app)
    client = admin_client(app)
    for query in ({"to_date": OUT_OF_RANGE}, {"from_date": "2026-02-30"}, {"status": "\x00"}):
        response = client.get("/portal/export.csv", query_string=query)
        assert response.status_code == 400, query
        assert b"Something was wrong with that request" in response.data


def test_a_control_character_in_a_search_or_note_is_a_field_error(app: Flask) -> None:
    public_id = make_submission(app)
    client = admin_client(app)
    response = client.post(f"/portal/s/{public_id}/notes", data={"note-body": "a\x00b"})
    assert response.status_code == 400
    assert b"Remove the control characters" in response.data
    kept = client.post(f"/portal/s/{public_id}/notes", data={"note-body": "line one\r\n\tline two"})
    assert kept.status_code == 302
    response = client.post("/portal/search", data={"search-q": "pat\x00@example.org"})
    assert response.status_code == 302 and "match=" not in response.headers["Location"]
