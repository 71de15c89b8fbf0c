"""The clinician queue: order, drafts, filters, search, pagination, counts and the urgent banner."""

from __future__ import annotations

import re
from datetime import date
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from flask import Flask

from screening.database import new_session
from screening.portal import queue
from screening.portal.queue import QueueFilter, SearchMatch, classify_search
from screening.security.crypto import FieldCipher
from tests.factories import (
    INCOMPLETE,
    INELIGIBLE,
    NEEDS_REVIEW,
    URGENT,
    at,
    make_draft,
    make_submission,
    update_submission,
)
from tests.portal_helpers import clinician_client, create_clinician, sign_in

TODAY = date(2026, 11, 27)


def page_ids(app: Flask, f: QueueFilter | None = None, page: int = 1, viewer: int | None = None):
    """Return the public ids on one page of the queue, in order."""
    with app.app_context():
        db = new_session()
        try:
            result = queue.load_page(db, f or QueueFilter(), viewer, page, TODAY)
            return [row.public_id for row in result.rows]
        finally:
            db.close()


def listed_ids(html: str) -> list[str]:
    """Return the public ids linked from a rendered queue, in order."""
    return re.findall(r'href="/portal/s/([A-Za-z0-9_-]+)"', html)


def test_urgent_first_then_by_category_and_oldest_first_within_each(app: Flask) -> None:
    eligible_old = make_submission(app, submitted_at=at(1))
    urgent_new = make_submission(app, submitted_at=at(20), **URGENT)
    review_new = make_submission(app, submitted_at=at(19), **NEEDS_REVIEW)
    ineligible = make_submission(app, submitted_at=at(18), **INELIGIBLE)
    urgent_old = make_submission(app, submitted_at=at(2), **URGENT)
    eligible_new = make_submission(app, submitted_at=at(21))
    incomplete = make_submission(app, submitted_at=at(22), **INCOMPLETE)

    expected = [
        urgent_old,
        urgent_new,
        incomplete,
        ineligible,
        review_new,
        eligible_old,
        eligible_new,
    ]
    assert page_ids(app) == expected
    response = clinician_client(app).get("/portal/")
    assert response.status_code == 200
    assert listed_ids(response.get_data(as_text=True)) == expected


def test_drafts_are_never_listed_or_counted(app: Flask) -> None:
    submitted = make_submission(app)
    draft = make_draft(app)
    client = clinician_client(app)
    html = client.get("/portal/").get_data(as_text=True)
    assert listed_ids(html) == [submitted]
    assert draft not in html
    with app.app_context():
        db = new_session()
        summary = queue.queue_summary(db)
        assert sum(summary.by_category.values()) == 1
        assert sum(summary.by_status.values()) == 1
        db.close()


def test_filters_by_category_and_status(app: Flask) -> None:
    urgent = make_submission(app, **URGENT)
    eligible = make_submission(app)
    assert page_ids(app, QueueFilter(category="urgent-safety")) == [urgent]
    assert page_ids(app, QueueFilter(category="likely-eligible")) == [eligible]
    assert page_ids(app, QueueFilter(status="contacted")) == []
    assert set(page_ids(app, QueueFilter(status="open"))) == {urgent, eligible}
    html = clinician_client(app).get("/portal/?category=urgent-safety").get_data(as_text=True)
    assert listed_ids(html) == [urgent]


def test_filters_by_submission_date_range_inclusive(app: Flask) -> None:
    early = make_submission(app, submitted_at=at(3, 23))
    middle = make_submission(app, submitted_at=at(10, 0))
    late = make_submission(app, submitted_at=at(20))
    f = QueueFilter(submitted_from=date(2026, 11, 4), submitted_to=date(2026, 11, 10))
    assert page_ids(app, f) == [middle]
    assert page_ids(app, QueueFilter(submitted_to=date(2026, 11, 3))) == [early]
    assert page_ids(app, QueueFilter(submitted_from=date(2026, 11, 11))) == [late]
    html = (
        clinician_client(app)
        .get("/portal/?from_date=2026-11-04&to_date=2026-11-10")
        .get_data(as_text=True)
    )
    assert listed_ids(html) == [middle]


def test_a_date_range_ending_before_it_starts_is_explained_not_applied(app: Flask) -> None:
    make_submission(app, submitted_at=at(10))
    later = make_submission(app, submitted_at=at(25))
    response = clinician_client(app).get("/portal/?from_date=2026-11-20&to_date=2026-11-01")
    html = response.get_data(as_text=True)
    assert "Choose a date on or after the start date." in html
    assert 'aria-describedby="to_date-error"' in html
    # The valid start date still applies; the impossible end date is left out.
    assert listed_ids(html) == [later]


def test_assigned_to_me_and_unassigned_filters(app: Flask) -> None:
    mine, other_id = make_submission(app), make_submission(app)
    unassigned = make_submission(app)
    me, secret = create_clinician(app, email="me@example.org", name="Morgan Me")
    someone, _ = create_clinician(app, email="other@example.org", name="Sam Other")
    update_submission(app, mine, assignee_id=me)
    update_submission(app, other_id, assignee_id=someone)
    assert page_ids(app, QueueFilter(assigned="me"), viewer=me) == [mine]
    assert page_ids(app, QueueFilter(assigned="unassigned"), viewer=me) == [unassigned]
    client = app.test_client()
    sign_in(client, "me@example.org", "correct horse battery staple", secret)
    html = client.get("/portal/?assigned=me").get_data(as_text=True)
    assert listed_ids(html) == [mine]
    assert "Sam Other" not in html and "Morgan Me" in html


def test_search_kind_is_decided_by_shape() -> None:
    assert classify_search("Alex.Rivera@Example.com") == "email"
    assert classify_search("+1 (408) 555-0142") == "phone"
    assert classify_search("408.555.0142") == "phone"
    assert classify_search("Alex Rivera") == "name"
    assert classify_search("Room 101") == "name"


def search(client, term: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Search from the queue; return the address searched to and the page shown."""
    response = client.post("/portal/search", data={"search-q": term})
    assert response.status_code == 302
    target = response.headers["Location"]
    return target, client.get(target).get_data(as_text=True)


def test_search_by_email_phone_and_full_name_finds_exact_matches(app: Flask) -> None:
    alex = make_submission(app)
    sam = make_submission(
        app,
        full_name="Sam Lee",
        email="sam.lee@example.net",
        phone="(831) 555-0199",
        signature="Sam Lee",
    )
    client = clinician_client(app)
    for term, expected in (
        ("ALEX.RIVERA@example.com ", alex),
        ("408-555-0142", alex),
        ("alex   rivera", alex),
        ("sam.lee@example.net", sam),
        ("+1 831 555 0199", sam),
        ("Sam Lee", sam),
    ):
        target, html = search(client, term)
        assert listed_ids(html) == [expected], term
        # The typed text never reaches an address (or the access logs that keep them).
        assert term.strip().lower() not in target.lower()
        assert "@" not in target and "555" not in target
    _, html = search(client, "Alex")  # not the full name: no partial matches
    assert listed_ids(html) == []


def test_search_is_carried_as_a_keyed_hash_and_can_be_cleared(app: Flask) -> None:
    make_submission(app)
    client = clinician_client(app)
    target, html = search(client, "alex.rivera@example.com")
    token = parse_qs(urlsplit(target).query)["match"][0]
    match = SearchMatch.parse(token)
    assert match is not None and match.kind == "email"
    assert "whose email address matches your search exactly" in html
    assert SearchMatch.parse("email.not-a-hash") is None
    assert SearchMatch.parse("address." + "0" * 64) is None


def test_pages_hold_25_rows_and_link_to_the_next(app: Flask) -> None:
    created = [make_submission(app, submitted_at=at(1 + n // 24, n % 24)) for n in range(27)]
    assert page_ids(app) == created[:25]
    assert page_ids(app, page=2) == created[25:]
    assert page_ids(app, page=99) == created[25:]  # clamped to the last page
    client = clinician_client(app)
    html = client.get("/portal/").get_data(as_text=True)
    assert "Page 1 of 2" in html and 'rel="next"' in html
    assert "Screenings 1 to 25 of 27" in html
    second = client.get("/portal/?page=2").get_data(as_text=True)
    assert listed_ids(second) == created[25:]
    assert client.get("/portal/?page=abc").status_code == 200


def test_newest_first_and_follow_up_sorts(app: Flask) -> None:
    old = make_submission(app, submitted_at=at(1))
    new = make_submission(app, submitted_at=at(5), **URGENT)
    assert page_ids(app, QueueFilter(sort="newest")) == [new, old]
    assert page_ids(app, QueueFilter(sort="follow-up")) == []


def test_counts_per_category_and_per_status(app: Flask) -> None:
    make_submission(app, **URGENT)
    make_submission(app, **URGENT)
    make_submission(app, **INELIGIBLE)
    make_submission(app, **INCOMPLETE)
    make_submission(app)
    with app.app_context():
        db = new_session()
        summary = queue.queue_summary(db)
        assert summary.by_category == {
            "urgent-safety": 2,
            "incomplete": 1,
            "likely-ineligible": 1,
            "needs-review": 0,
            "likely-eligible": 1,
        }
        assert summary.by_status["new"] == 5
        assert summary.urgent_open == 2
        assert summary.total == 5
        db.close()


def test_the_incomplete_category_filters_and_is_labelled_in_english_and_spanish(
    app: Flask,
) -> None:
    incomplete = make_submission(app, **INCOMPLETE)
    make_submission(app)
    client = clinician_client(app)
    html = client.get("/portal/?category=incomplete").get_data(as_text=True)
    assert listed_ids(html) == [incomplete]
    assert "Incomplete: safety answers missing" in html
    spanish = client.get("/portal/?category=incomplete&lang=es").get_data(as_text=True)
    assert "Incompleto: faltan respuestas de seguridad" in spanish


def test_urgent_banner_says_how_many_urgent_screenings_need_review(app: Flask) -> None:
    client = clinician_client(app)
    assert "urgent screening" not in client.get("/portal/").get_data(as_text=True)
    make_submission(app, **URGENT)
    make_submission(app, **URGENT)
    make_submission(app)
    html = client.get("/portal/").get_data(as_text=True)
    assert 'class="urgent-banner" role="alert"' in html
    assert "2 urgent screenings need review" in html


def test_only_the_rows_on_the_page_are_decrypted(app: Flask) -> None:
    for n in range(30):
        make_submission(app, submitted_at=at(1 + n // 24, n % 24))
    with app.app_context():
        db = new_session()
        with mock.patch.object(
            FieldCipher, "decrypt_json", autospec=True, side_effect=FieldCipher.decrypt_json
        ) as decrypt:
            result = queue.load_page(db, QueueFilter(), None, 1, TODAY)
        db.close()
    assert len(result.rows) == 25
    # One contact per row; never answers, flags or scores.
    assert decrypt.call_count == 25


def test_overdue_follow_up_is_said_in_words(app: Flask) -> None:
    public_id = make_submission(app)
    update_submission(app, public_id, follow_up_on=date(2020, 1, 1))
    html = clinician_client(app).get("/portal/").get_data(as_text=True)
    assert "2020-01-01" in html
    assert '<strong class="overdue">Overdue</strong>' in html
