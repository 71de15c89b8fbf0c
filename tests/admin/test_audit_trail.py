"""The audit trail viewer: newest first, 50 a page, filters, read-only, and itself audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask

from screening.database import new_session
from screening.models import AuditEvent, Submission
from screening.security import audit
from tests.auth.support import audit_events
from tests.portal_helpers import admin_client, create_clinician

AUDIT = "/portal/admin/audit"


def add_submission(app: Flask, public_id: str) -> int:
    with app.app_context():
        db = new_session(write=True)
        submission = Submission(public_id=public_id, definition_version="test")
        db.add(submission)
        db.commit()
        submission_id = submission.id
        db.close()
    return submission_id


def add_events(app: Flask, action: str, count: int, public_id: str | None = None) -> None:
    with app.app_context():
        db = new_session(write=True)
        submission = (
            db.query(Submission).filter_by(public_id=public_id).one() if public_id else None
        )
        for _ in range(count):
            audit.record(db, action, submission=submission, ip="10.0.0.9", detail={"n": 1})
        db.commit()
        db.close()


def set_time(app: Flask, action: str, moment: datetime) -> None:
    """Move events in time (test set-up only: the app itself has no way to do this)."""
    with app.app_context():
        db = new_session(write=True)
        for event in db.query(AuditEvent).filter_by(action=action):
            event.at = moment
        db.commit()
        db.close()


def listed_actions(html: str) -> list[str]:
    return re.findall(r'<code class="audit-action">([^<]+)</code>', html)


def test_audit_trail_lists_events_newest_first(app: Flask) -> None:
    client = admin_client(app)
    add_events(app, "test.first", 1)
    add_events(app, "test.second", 1)
    html = client.get(AUDIT).get_data(as_text=True)
    actions = listed_actions(html)
    assert actions[:2] == ["test.second", "test.first"]
    assert {"auth.login", "auth.2fa", "account.created"} <= set(actions)
    assert "10.0.0.9" in html and '<th scope="col">Time</th>' in html
    assert html.count("<h1") == 1


def test_audit_trail_shows_actor_name_and_submission_public_id(app: Flask) -> None:
    client = admin_client(app)
    add_submission(app, "pub-abc123")
    add_events(app, "portal.viewed", 1, public_id="pub-abc123")
    html = client.get(AUDIT).get_data(as_text=True)
    assert "<code>pub-abc123</code>" in html
    assert "Ada Admin" in html


def test_audit_trail_is_paginated_by_50(app: Flask) -> None:
    client = admin_client(app)
    add_events(app, "test.bulk", 120)
    first = client.get(f"{AUDIT}?action=test.bulk").get_data(as_text=True)
    assert len(listed_actions(first)) == 50
    assert "Page 1 of 3" in first and "Events 1–50 of 120" in first
    assert 'href="/portal/admin/audit?page=2&amp;action=test.bulk"' in first
    last = client.get(f"{AUDIT}?action=test.bulk&page=3").get_data(as_text=True)
    assert len(listed_actions(last)) == 20
    beyond = client.get(f"{AUDIT}?action=test.bulk&page=99").get_data(as_text=True)
    assert "Page 3 of 3" in beyond


def test_filter_by_action_prefix(app: Flask) -> None:
    client = admin_client(app)
    add_events(app, "test.one", 2)
    html = client.get(f"{AUDIT}?action=auth.").get_data(as_text=True)
    actions = listed_actions(html)
    assert actions and all(action.startswith("auth.") for action in actions)
    # The prefix is literal: SQL wildcards match nothing special.
    assert listed_actions(client.get(f"{AUDIT}?action=%25").get_data(as_text=True)) == []


def test_filter_by_actor(app: Flask) -> None:
    client = admin_client(app)
    casey_id, _ = create_clinician(app, email="casey@example.org", name="Casey Clinician")
    with app.app_context():
        db = new_session(write=True)
        from screening.models import Clinician

        audit.record(db, "test.by-casey", actor=db.get(Clinician, casey_id))
        db.commit()
        db.close()
    html = client.get(f"{AUDIT}?actor={casey_id}").get_data(as_text=True)
    assert listed_actions(html) == ["test.by-casey"]
    nobody = listed_actions(client.get(f"{AUDIT}?actor=none").get_data(as_text=True))
    assert "account.created" in nobody and "test.by-casey" not in nobody
    # An actor that is not offered is an error on the field, not a crash.
    html = client.get(f"{AUDIT}?actor=99999").get_data(as_text=True)
    assert 'id="actor-error"' in html


def test_filter_by_date_range(app: Flask) -> None:
    client = admin_client(app)
    add_events(app, "test.old", 1)
    add_events(app, "test.new", 1)
    set_time(app, "test.old", datetime(2020, 1, 15, 23, 30, tzinfo=UTC))
    set_time(app, "test.new", datetime.now(UTC) + timedelta(days=400))
    html = client.get(f"{AUDIT}?date_from=2020-01-15&date_to=2020-01-15").get_data(as_text=True)
    assert listed_actions(html) == ["test.old"]
    html = client.get(f"{AUDIT}?date_from=2020-01-16&date_to=2020-12-31").get_data(as_text=True)
    assert listed_actions(html) == []
    html = client.get(f"{AUDIT}?date_to=2020-01-01&date_from=2020-02-01").get_data(as_text=True)
    assert "The end date is before the start date." in html


def test_filter_by_submission_public_id(app: Flask) -> None:
    client = admin_client(app)
    add_submission(app, "pub-one")
    add_submission(app, "pub-two")
    add_events(app, "test.one", 1, public_id="pub-one")
    add_events(app, "test.two", 1, public_id="pub-two")
    html = client.get(f"{AUDIT}?submission=pub-two").get_data(as_text=True)
    assert listed_actions(html) == ["test.two"]
    html = client.get(f"{AUDIT}?submission=no-such-id").get_data(as_text=True)
    assert listed_actions(html) == [] and "No events match these filters." in html


def test_viewing_the_audit_trail_is_audited(app: Flask) -> None:
    client = admin_client(app)
    add_submission(app, "pub-one")
    client.get(f"{AUDIT}?action=auth.&submission=pub-one&page=1")
    [viewed] = audit_events(app, "audit.viewed")
    assert viewed.actor_id is not None
    assert viewed.submission_id is not None
    assert viewed.detail == {"page": 1, "filters": {"action": "auth.", "submission": "pub-one"}}
    client.get(AUDIT)
    assert audit_events(app, "audit.viewed")[-1].detail == {"page": 1}
    assert viewed.ip == "127.0.0.1"


def test_audit_chain_stays_intact(app: Flask) -> None:
    client = admin_client(app)
    client.get(AUDIT)
    client.post("/portal/auth/logout")
    with app.app_context():
        db = new_session()
        assert audit.verify_chain(db) == []
        db.close()


def test_no_route_edits_or_deletes_audit_events(app: Flask) -> None:
    read_only = {"GET", "HEAD", "OPTIONS"}
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert any(rule.rule.startswith("/portal/admin/audit") for rule in audit_rules)
    for rule in audit_rules:
        assert set(rule.methods or ()) <= read_only, (rule.rule, rule.methods)
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            assert "audit" not in rule.endpoint or set(rule.methods or ()) <= read_only


def test_audit_trail_methods_other_than_get_are_not_allowed(app: Flask) -> None:
    client = admin_client(app)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(AUDIT).status_code == 405


def test_bad_filters_are_field_errors_not_server_errors(app: Flask) -> None:
    client = admin_client(app)
    for query, field in (
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "9999-12-31"}, "date_from"),
        ({"action": "auth\x00"}, "action"),
        ({"submission": "abc\x00def"}, "submission"),
    ):
        response = client.get("/portal/admin/audit", query_string=query)
        assert response.status_code == 200, query
        assert f'id="{field}-error"' in response.get_data(as_text=True), query
