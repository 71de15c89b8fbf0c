"""Who has a screening: "Take it" on an unassigned one, and moving on from "New" claims it."""

from __future__ import annotations

import html as html_lib

from flask import Flask

from tests.factories import audit_events, load_submission, make_submission
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, sign_in


def signed_in(app: Flask, email: str, name: str):  # type: ignore[no-untyped-def]
    """Return a client signed in as a new clinician, and the clinician's id."""
    clinician_id, secret = create_clinician(app, email=email, name=name)
    client = app.test_client()
    sign_in(client, email, DEFAULT_PASSWORD, secret)
    return client, clinician_id


def page(client, public_id: str) -> str:  # type: ignore[no-untyped-def]
    """Fetch a submission page, unescaped."""
    return html_lib.unescape(client.get(f"/portal/s/{public_id}").get_data(as_text=True))


def test_take_it_gives_an_unassigned_screening_to_me_and_not_to_a_second_taker(
    app: Flask,
) -> None:
    public_id = make_submission(app)
    casey, casey_id = signed_in(app, "casey@example.org", "Casey Clinician")
    robin, _robin_id = signed_in(app, "robin@example.org", "Robin Reviewer")
    shown = page(casey, public_id)
    assert "Assigned to: Nobody yet" in shown and ">Take it</button>" in shown
    assert f'action="/portal/s/{public_id}/take"' in shown
    # Both had the page open; Casey presses first.
    response = casey.post(f"/portal/s/{public_id}/take")
    assert response.headers["Location"].endswith(f"/portal/s/{public_id}#workflow")
    assert load_submission(app, public_id).assignee_id == casey_id
    assert "It is assigned to you now." in page(casey, public_id)
    robin.post(f"/portal/s/{public_id}/take")
    after = page(robin, public_id)
    assert "Someone else took it a moment ago" in after
    assert "Assigned to: Casey Clinician" in after and "Take it" not in after
    assert load_submission(app, public_id).assignee_id == casey_id
    [taken] = audit_events(app, "submission.assigned")
    assert taken.detail == {"from": None, "to": casey_id, "taken": True}
    assert taken.actor_id == casey_id and taken.target_clinician_id == casey_id


def test_moving_on_from_new_assigns_to_whoever_did_it_unless_someone_has_it(app: Flask) -> None:
    unassigned, chosen = make_submission(app), make_submission(app)
    casey, casey_id = signed_in(app, "casey@example.org", "Casey Clinician")
    _robin, robin_id = signed_in(app, "robin@example.org", "Robin Reviewer")
    casey.post(f"/portal/s/{unassigned}/status", data={"status-status": "in-review"})
    assert load_submission(app, unassigned).assignee_id == casey_id
    shown = page(casey, unassigned)
    assert "Status changed to In review." in shown and "It is assigned to you now." in shown
    assert "Assigned to: Casey Clinician" in shown
    # Someone chose Robin: Casey's status change leaves that choice alone.
    casey.post(f"/portal/s/{chosen}/assignee", data={"assignee-assignee": str(robin_id)})
    casey.post(f"/portal/s/{chosen}/status", data={"status-status": "in-review"})
    assert load_submission(app, chosen).assignee_id == robin_id
    # Only the move on from "New" claims it: later moves of an unassigned one do not.
    casey.post(f"/portal/s/{unassigned}/assignee", data={"assignee-assignee": ""})
    casey.post(f"/portal/s/{unassigned}/status", data={"status-status": "contacted"})
    assert load_submission(app, unassigned).assignee_id is None
    assert [e.detail for e in audit_events(app, "submission.assigned")] == [
        {"from": None, "to": casey_id, "taken": True},
        {"from": None, "to": robin_id},
        {"from": casey_id, "to": None},
    ]
