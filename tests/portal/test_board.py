"""The callback board: the queue opens on its rows, each with what a clinician needs to call
back; the submission page puts the actions first; "My follow-ups today" lists what is due.

Now is frozen at 2026-11-02 00:30 UTC: 4:30 PM on Sunday 1 November at the clinic.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask

from screening import clock
from tests.factories import (
    URGENT,
    audit_events,
    load_submission,
    make_submission,
    update_submission,
)
from tests.portal.test_take_it import signed_in
from tests.questionnaire.factories import gad7_answers, phq9_answers

NOW = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop the clinic's clock at NOW."""
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's HTML, entities unescaped."""
    return html_lib.unescape(response.get_data(as_text=True))


def row_of(page: str, public_id: str) -> str:
    """The queue row that links to this screening."""
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*/portal/s/{public_id}\".*?</tr>", page, re.S)
    return row.group(0)


def test_rows_say_how_and_when_to_call_how_long_they_waited_and_their_scores(app: Flask) -> None:
    caller = make_submission(
        app,
        submitted_at=datetime(2026, 10, 30, 0, 30, tzinfo=UTC),
        full_name="Pat Caller",
        phone="(408) 555-0199",
        voicemail_ok=False,
        **{"contact-method": "phone", "contact-times": ["morning", "evening"]},
        **phq9_answers(2, 2, 2, 2, 2, 1, 1, 1, 0),
        **gad7_answers(1, 1, 1, 1, 1, 0, 0),
    )
    texter = make_submission(
        app,
        submitted_at=datetime(2026, 11, 1, 19, 30, tzinfo=UTC),
        voicemail_ok=True,
        **{"contact-method": "text"},
    )
    emailer = make_submission(app, **URGENT)  # contact-method "email" in clean_answers
    client, _ = signed_in(app, "casey@example.org", "Casey Clinician")
    page = text(client.get("/portal/"))

    row = row_of(page, caller)
    assert '<a class="reach-link" href="tel:4085550199">Call (408) 555-0199</a>' in row
    assert "No voicemail" in row and "Best time: Morning, Evening" in row
    # Three days since it was sent, in plain clock time (the caption says so).
    assert "3 days" in row and "plain clock hours and days" in page
    assert "PHQ-9 13 (moderate)" in re.sub(r"<[^>]+>", "", row)
    assert "GAD-7 5 (mild)" in re.sub(r"<[^>]+>", "", row)
    assert 'data-label="How to reach"' in row and 'data-label="Waiting"' in row

    texting = row_of(page, texter)
    assert 'href="sms:+14085550142"' in texting and "5 hours" in texting
    assert "No voicemail" not in texting
    assert 'href="mailto:alex.rivera@example.com"' in row_of(page, emailer)
    # Sent moments ago: minutes, not "0 hours".
    assert re.search(r'data-label="Waiting">\d+ minutes? ', row_of(page, emailer))

    # The list comes first: counts are links, filters are folded away and closed.
    assert page.index('class="count-links"') < page.index('class="queue-table"')
    urgent_link = '<a href="/portal/?category=urgent-safety">Urgent: safety <span class="count">1'
    assert urgent_link in page
    assert '<details class="queue-filter">' in page
    assert '<table class="counts-table"' not in page


def test_the_filter_opens_when_a_filter_is_on_or_a_field_is_wrong(app: Flask) -> None:
    make_submission(app)
    client, _ = signed_in(app, "casey@example.org", "Casey Clinician")
    assert '<details class="queue-filter" open>' in text(client.get("/portal/?status=new"))
    wrong = text(client.get("/portal/?from_date=2026-13-45"))
    assert '<details class="queue-filter" open>' in wrong
    assert 'value="2026-13-45"' in wrong  # what was typed is kept, next to its message
    assert '<details class="queue-filter">' in text(client.get("/portal/?sort=newest"))


def test_the_submission_page_leads_with_its_actions_then_triage_and_contact(app: Flask) -> None:
    public_id = make_submission(app, **{"contact-method": "phone"})
    client, _ = signed_in(app, "casey@example.org", "Casey Clinician")
    page = text(client.get(f"/portal/s/{public_id}"))
    order = [
        'class="action-bar"',
        'href="tel:+14085550142"',
        'href="#log-call"',
        ">Take it</button>",
        'class="triage-banner',
        'class="contact-block"',
        'id="log-call"',
        'id="answers"',
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "No voicemail" in page[: page.index('class="triage-banner')]


def test_my_follow_ups_today_lists_mine_due_by_the_clinic_date_and_is_audited(
    app: Flask,
) -> None:
    client, casey_id = signed_in(app, "casey@example.org", "Casey Clinician")
    robin, robin_id = signed_in(app, "robin@example.org", "Robin Reviewer")
    # The clinic's date is 1 November (UTC is already on the 2nd).
    due = {
        "today": (casey_id, date(2026, 11, 1), "new"),
        "overdue": (casey_id, date(2026, 10, 20), "contacted"),
        "tomorrow": (casey_id, date(2026, 11, 2), "new"),
        "robins": (robin_id, date(2026, 11, 1), "new"),
        "closed": (casey_id, date(2026, 10, 20), "closed"),
    }
    ids = {}
    for name, (assignee, on, status) in due.items():
        ids[name] = make_submission(app, full_name=f"Person {name}")
        update_submission(app, ids[name], assignee_id=assignee, follow_up_on=on, status=status)
    page = text(client.get("/portal/follow-ups"))
    assert 'aria-current="page">My follow-ups today</a>' in page
    assert "2 follow-ups due" in page
    assert page.index(ids["overdue"]) < page.index(ids["today"])
    assert "Overdue" in row_of(page, ids["overdue"])
    for other in ("tomorrow", "robins", "closed"):
        assert ids[other] not in page
    [viewed] = audit_events(app, "follow-ups.viewed")
    assert viewed.actor_id == casey_id
    assert viewed.detail == {"shown": [ids["overdue"], ids["today"]]}
    robins = text(robin.get("/portal/follow-ups"))
    assert "1 follow-up due" in robins and ids["robins"] in robins and ids["today"] not in robins
    update_submission(app, ids["robins"], follow_up_on=None)
    assert "No follow-ups are due today." in text(robin.get("/portal/follow-ups"))


def test_refresh_contact_gives_older_screenings_how_and_when_to_call(app: Flask) -> None:
    public_id = make_submission(app, **{"contact-method": "text", "contact-times": ["morning"]})
    # As stored before the contact details kept the way and times to call.
    update_submission(app, public_id, contact={"name": "Alex Rivera", "email": None, "phone": "1"})
    result = app.test_cli_runner().invoke(args=["submissions", "refresh-contact"])
    assert "Refreshed the contact details of 1 screenings." in result.output
    contact = load_submission(app, public_id).contact
    assert contact["method"] == "text" and contact["times"] == ["morning"]
    assert contact["voicemail_ok"] is False and contact["phone"] == "+1 408 555 0142"
    assert (
        "of 0 screenings"
        in app.test_cli_runner().invoke(args=["submissions", "refresh-contact"]).output
    )
    assert [e.detail for e in audit_events(app, "submissions.contact-refreshed")] == [
        {"rows": 1},
        {"rows": 0},
    ]


def test_refresh_contact_works_in_batches_and_reaches_every_row(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("screening.portal.cli.REFRESH_BATCH", 2)
    ids = [make_submission(app, **{"contact-method": "text"}) for _ in range(5)]
    for public_id in ids:
        update_submission(app, public_id, contact={"name": "Alex Rivera", "phone": "1"})
    result = app.test_cli_runner().invoke(args=["submissions", "refresh-contact"])
    assert "Refreshed the contact details of 5 screenings." in result.output
    assert all(load_submission(app, public_id).contact["method"] == "text" for public_id in ids)
