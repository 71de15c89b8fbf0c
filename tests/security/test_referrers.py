"""Referer: full to our own pages (Flask-WTF's HTTPS check needs it), never a resume token."""

from __future__ import annotations

from tests.intake.wizard_driver import location, resume_link_in, section_formdata, start
from tests.questionnaire.factories import clean_answers


def saved_resume_link(app, client) -> str:  # type: ignore[no-untyped-def]
    """Save a screening after its first step and return the link the person is shown."""
    start(client)
    data = section_formdata(app, "concerns", clean_answers())
    data["action"] = "save"
    client.post("/screening/step/concerns", data=data)
    return resume_link_in(client.get("/screening/saved").data.decode())


def test_pages_send_referer_to_our_own_origin_only(client):
    for path in ("/", "/screening/", "/portal/auth/login"):
        assert client.get(path).headers["Referrer-Policy"] == "same-origin", path


def test_resume_link_response_sends_no_referer_at_all(app, client):
    link = saved_resume_link(app, client)
    other = app.test_client()
    opened = other.get(link)
    # The token leaves the address bar at once: the page that asks has none in its URL.
    assert location(opened) == "/screening/resume"
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    asked = other.get("/screening/resume")
    assert asked.headers["Referrer-Policy"] == "same-origin"
    assert link.rsplit("/", 1)[-1].split("?")[0].encode() not in asked.data
    # An unknown or dead token is answered the same way.
    dead = app.test_client().get("/screening/resume/not-a-real-token")
    assert dead.status_code == 302
    assert dead.headers["Referrer-Policy"] == "no-referrer"
    # The step the redirect lands on is an ordinary page again.
    assert client.get("/screening/step/concerns").headers["Referrer-Policy"] == "same-origin"
