"""The three ways to keep a resume link: copy it (JavaScript), email it, or see it again."""

from __future__ import annotations

import email
from email import policy
from email.message import Message
from pathlib import Path

from flask import Flask

from tests.conftest import make_app
from tests.intake.test_draft_holder import save_for_later, stored_draft
from tests.intake.wizard_driver import location, resume_from, resume_link_in, start, start_at
from tests.questionnaire.factories import clean_answers

GIVEN_EMAIL = "alex.rivera@example.com"
TYPED_EMAIL = "someone.else+kap@example.net"


def sent_messages(app: Flask) -> list[Message]:
    """Return the emails written to the development outbox, oldest first."""
    folder = Path(app.instance_path) / "outbox"
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]


def body_of(message: Message) -> str:
    """Return an email's plain-text body."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def test_saved_page_offers_copy_email_and_the_link_as_selectable_text(app, client):
    # Contact details come last: the person has given their email by the last step.
    start_at(app, client, clean_answers())
    link = save_for_later(app, client, "about-you", clean_answers())
    page = client.get("/screening/saved").data.decode()
    assert link.startswith("http://localhost/screening/resume/") and link.endswith("?lang=en")
    # The copy button waits for copy-link.js; without it the link is in a read-only box.
    assert '<p class="copy-link" hidden>' in page and "js/copy-link.js" in page
    assert 'action="/screening/saved/email"' in page
    # The address the person already gave is offered; nothing else they answered is shown.
    assert f'value="{GIVEN_EMAIL}"' in page
    assert "Alex Rivera" not in page


def test_link_is_shown_again_until_it_is_used(app, client):
    start(client)
    link = save_for_later(app, client, "concerns", clean_answers())
    assert resume_link_in(client.get("/screening/saved").data.decode()) == link
    intro = client.get("/screening/").data.decode()
    assert 'href="/screening/saved"' in intro and "Show my link again" in intro
    assert resume_link_in(client.get("/screening/saved").data.decode()) == link

    resume_from(app.test_client(), link)  # used up on another device
    assert location(client.get("/screening/saved")) == "/screening/"
    assert b"Show my link again" not in client.get("/screening/", follow_redirects=True).data


def test_emailed_link_carries_only_the_link_and_the_clinic_name(app, client):
    # Contact details come last: the person has given their email by the last step.
    start_at(app, client, clean_answers())
    link = save_for_later(app, client, "about-you", clean_answers())
    sent = client.post("/screening/saved/email", data={"email": TYPED_EMAIL})
    assert location(sent) == "/screening/saved"
    assert b"We sent the link" in client.get("/screening/saved").data
    (message,) = sent_messages(app)
    assert message["To"] == TYPED_EMAIL
    body = body_of(message)
    assert link in body
    assert app.config["CLINIC_NAME"] in body and app.config["CLINIC_NAME"] in message["Subject"]
    for private in ("Alex Rivera", GIVEN_EMAIL, "555 0142", "Rivera"):
        assert private not in body and private not in message["Subject"]
    # The typed address is not kept: the answers still hold the one the person gave.
    assert stored_draft(app).answers["email"] == GIVEN_EMAIL
    assert TYPED_EMAIL.encode() not in client.get("/screening/saved").data


def test_emailed_link_is_in_the_persons_language(app, client):
    client.get("/screening/?lang=es")
    start(client)
    save_for_later(app, client, "concerns", clean_answers())
    client.post("/screening/saved/email", data={"email": TYPED_EMAIL})
    (message,) = sent_messages(app)
    assert message["Subject"].startswith("Su enlace para terminar")
    assert "?lang=es" in body_of(message)
    assert b"Le enviamos el enlace" in client.get("/screening/saved").data


def test_a_wrong_address_is_explained_next_to_the_field(app, client):
    start(client)
    save_for_later(app, client, "concerns", clean_answers())
    page = client.post("/screening/saved/email", data={"email": "not-an-address"})
    assert page.status_code == 200
    html = page.data.decode()
    assert 'id="email-error"' in html and "name@example.com" in html
    assert 'aria-describedby="email-hint email-error"' in html
    assert sent_messages(app) == []


def test_no_link_to_email_without_a_saved_draft(client):
    start(client)
    assert location(client.post("/screening/saved/email", data={"email": TYPED_EMAIL})) == (
        "/screening/"
    )


def test_emailing_the_link_is_rate_limited(tmp_path, database_url):
    app = make_app(
        tmp_path, database_url, RATELIMIT_ENABLED=True, RATELIMIT_RESUME_EMAIL="2 per hour"
    )
    client = app.test_client()
    start(client)
    save_for_later(app, client, "concerns", clean_answers())
    codes = [
        client.post("/screening/saved/email", data={"email": TYPED_EMAIL}).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert len(sent_messages(app)) == 2
