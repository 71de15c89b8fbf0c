"""The bench's peer app serves its three pages (wizard step, queue, record) with CSRF on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from bench import peer

STAFF_EMAIL = "peer.staff@example.org"
PASSWORD = "a long enough password"
ABOUT_YOU = {
    "full-name": "Alex Rivera",
    "date-of-birth": "1980-04-02",
    "email": "alex.rivera@example.org",
    "phone": "(408) 555-0142",
    "contact-method": "email",
    "contact-times": ["morning", "evening"],
    "voicemail-ok": "no",
    "postal-code": "95014",
    "state": "california",
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    """The peer on a fresh SQLite database with 30 submissions and one clinician."""
    peer.use_database(f"sqlite:///{tmp_path / 'peer.sqlite3'}")
    peer.seed(30, STAFF_EMAIL, generate_password_hash(PASSWORD), batch_size=12)
    yield peer.app.test_client()
    peer.app.extensions["peer_engine"].dispose()


def token(html: str) -> str:
    """The CSRF token of the page's form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, html
    return match.group(1)


def test_wizard_step_validates_saves_and_redirects(client: FlaskClient) -> None:
    start = token(client.get("/").get_data(as_text=True))
    assert client.post("/start").status_code == 400  # CSRF on
    response = client.post("/start", data={"csrf_token": start})
    assert response.headers["Location"] == "/step/concerns"  # the definition's first step

    page = client.get("/step/about-you").get_data(as_text=True)
    assert 'name="full-name"' in page and 'type="checkbox"' in page
    csrf = token(page)
    assert client.post("/step/about-you", data=ABOUT_YOU).status_code == 400
    missing = client.post("/step/about-you", data={"csrf_token": csrf, "full-name": "Alex"})
    assert missing.status_code == 200 and "This field is required." in missing.get_data(True)

    saved = client.post("/step/about-you", data={**ABOUT_YOU, "csrf_token": csrf})
    # Contact details are the last step before consent.
    assert saved.status_code == 302 and saved.headers["Location"] == "/step/consent"
    with peer.database() as db:
        answers = db.scalars(select(peer.Draft.answers)).one()
    assert answers["date-of-birth"] == "1980-04-02"
    assert answers["contact-times"] == ["morning", "evening"]
    again = client.get("/step/about-you").get_data(as_text=True)
    assert 'value="Alex Rivera"' in again and 'value="1980-04-02"' in again
    assert client.get("/step/concerns").status_code == 200
    assert client.get("/step/no-such-step").status_code == 404


def test_queue_and_record_need_a_sign_in_and_show_the_rows(client: FlaskClient) -> None:
    assert client.get("/queue").status_code == 302
    login = token(client.get("/login").get_data(as_text=True))
    wrong = client.post(
        "/login", data={"csrf_token": login, "email": STAFF_EMAIL, "password": "wrong"}
    )
    assert wrong.status_code == 200
    signed_in = client.post(
        "/login", data={"csrf_token": login, "email": STAFF_EMAIL, "password": PASSWORD}
    )
    assert signed_in.headers["Location"] == "/queue"

    queue = client.get("/queue").get_data(as_text=True)
    with peer.database() as db:
        first = db.scalars(
            select(peer.Submission).order_by(
                peer.Submission.category_rank, peer.Submission.submitted_at, peer.Submission.id
            )
        ).all()
    links = re.findall(r'href="/record/([^"]+)"', queue)
    assert links == [row.public_id for row in first[: peer.PAGE_SIZE]]

    record = client.get(f"/record/{links[0]}").get_data(as_text=True)
    questions = [question for link_id, question, _ in peer.QUESTIONS if link_id in first[0].answers]
    positions = [record.index(question.replace("'", "&#39;")) for question in questions]
    assert len(questions) > 50 and positions == sorted(positions)
    assert client.get("/record/unknown").status_code == 404
