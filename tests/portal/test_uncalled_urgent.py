"""Urgent screenings nobody has tried to call within the escalation window come back to the
top of the queue and of "My follow-ups today", each marked with how long it has gone without
a call attempt.

Now is frozen at 2026-11-02 00:30 UTC; the window is URGENT_ESCALATION_MINUTES (30).
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from screening import clock
from screening.database import new_session
from screening.models import CallAttempt, Submission
from tests.factories import URGENT, audit_events, make_submission, update_submission
from tests.portal.test_take_it import signed_in

NOW = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop the clinic's clock at NOW."""
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)


def urgent(app: Flask, hours_ago: float, **columns: object) -> str:
    """An urgent screening sent `hours_ago` before NOW."""
    public_id = make_submission(app, submitted_at=NOW - timedelta(hours=hours_ago), **URGENT)
    if columns:
        update_submission(app, public_id, **columns)
    return public_id


def attempt(app: Flask, public_id: str, clinician_id: int, hours_ago: float, outcome: str) -> None:
    """Record a call attempt made `hours_ago` before NOW."""
    with app.app_context():
        db = new_session(write=True)
        submission = db.query(Submission).filter_by(public_id=public_id).one()
        db.add(
            CallAttempt(
                submission_id=submission.id,
                clinician_id=clinician_id,
                created_at=NOW - timedelta(hours=hours_ago),
                outcome=outcome,
            )
        )
        db.commit()
        db.close()


def uncalled_section(page: str) -> str:
    """The "no call logged" section of a page ("" when there is none)."""
    found = re.search(r'<section class="uncalled".*?</section>', page, re.S)
    return html_lib.unescape(found.group(0)) if found else ""


def listed(section: str) -> list[str]:
    """The public ids the section's rows link to, in order."""
    return re.findall(r'href="/portal/s/([^"]+)"', section)


def test_urgent_cases_without_a_recent_call_attempt_surface_at_the_top_of_the_queue(
    app: Flask,
) -> None:
    client, me = signed_in(app, "casey@example.org", "Casey Clinician")
    never_tried = urgent(app, 3)
    tried_two_hours_ago = urgent(app, 5)
    attempt(app, tried_two_hours_ago, me, 2, "no-answer")
    just_sent = urgent(app, 0.25)
    tried_just_now = urgent(app, 5)
    attempt(app, tried_just_now, me, 0.2, "left-voicemail")
    reached = urgent(app, 5)
    attempt(app, reached, me, 4, "reached")
    contacted = urgent(app, 5, status="contacted")
    routine = make_submission(app, submitted_at=NOW - timedelta(hours=5))

    page = client.get("/portal/").get_data(as_text=True)
    section = uncalled_section(page)
    assert "2 urgent screenings with no call logged in the last 30 min" in section
    # Longest without a call first; the rest are called lately, reached, contacted or routine.
    assert listed(section) == [never_tried, tried_two_hours_ago]
    assert "Urgent, no call logged for 3 h 0 min" in section
    assert "Urgent, no call logged for 2 h 0 min" in section
    for other in (just_sent, tried_just_now, reached, contacted, routine):
        assert other not in section
    # Above everything else on the page, and not again in the rows below.
    assert page.index('<section class="uncalled"') < page.index('class="urgent-banner"')
    rest = page.split("</section>", 1)[1]
    assert never_tried not in rest and tried_two_hours_ago not in rest
    assert just_sent in rest and routine in rest

    # A filter or sort that hides urgent screenings does not hide these.
    filtered = client.get("/portal/?category=likely-eligible&sort=newest").get_data(as_text=True)
    assert listed(uncalled_section(filtered)) == [never_tried, tried_two_hours_ago]
    viewed = audit_events(app, "queue.viewed")[-1]
    assert viewed.detail["uncalled"] == [never_tried, tried_two_hours_ago]

    # A new attempt takes it off until the window has passed again.
    attempt(app, never_tried, me, 0, "no-answer")
    after = uncalled_section(client.get("/portal/").get_data(as_text=True))
    assert listed(after) == [tried_two_hours_ago]


def test_my_follow_ups_show_the_uncalled_urgent_cases_that_are_mine_or_nobodys(
    app: Flask,
) -> None:
    client, me = signed_in(app, "casey@example.org", "Casey Clinician")
    _, other = signed_in(app, "other@example.org", "Other Clinician")
    mine = urgent(app, 2, assignee_id=me)
    nobodys = urgent(app, 1)
    theirs = urgent(app, 4, assignee_id=other)

    page = client.get("/portal/follow-ups").get_data(as_text=True)
    section = uncalled_section(page)
    assert listed(section) == [mine, nobodys]
    assert theirs not in page
    assert "Urgent, no call logged for 1 h 0 min" in section
    assert audit_events(app, "follow-ups.viewed")[-1].detail == {
        "shown": [],
        "uncalled": [mine, nobodys],
    }


def test_nothing_surfaces_while_every_urgent_case_was_tried_within_the_window(
    app: Flask,
) -> None:
    client, _ = signed_in(app, "casey@example.org", "Casey Clinician")
    recent = urgent(app, 0.4)
    page = client.get("/portal/").get_data(as_text=True)
    assert 'class="uncalled"' not in page and "no call logged" not in page
    assert recent in page
    assert "uncalled" not in audit_events(app, "queue.viewed")[-1].detail
