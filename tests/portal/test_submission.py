"""One submission: what the clinician sees, the workflow changes, notes, print and FHIR."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date
from pathlib import Path

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask
from sqlalchemy import event, select, text

from screening.database import new_session
from screening.models import Submission
from tests.conftest import csrf_token_from, make_app
from tests.factories import (
    INCOMPLETE,
    URGENT,
    audit_events,
    load_submission,
    make_draft,
    make_submission,
    notes_of,
)
from tests.portal_helpers import clinician_client, create_clinician, sign_in, unused_code


def page(client, public_id: str) -> str:  # type: ignore[no-untyped-def]
    """Fetch a submission page and return its text, unescaped."""
    response = client.get(f"/portal/s/{public_id}")
    assert response.status_code == 200
    return html_lib.unescape(response.get_data(as_text=True))


def test_page_lists_every_flag_with_reason_severity_and_the_answers_behind_it(app: Flask) -> None:
    public_id = make_submission(app, sober_driver="no", **URGENT)
    shown = page(clinician_client(app), public_id)
    stored = load_submission(app, public_id)
    assert [flag["id"] for flag in stored.flags] == [
        "phq9-item9-positive",
        "no-sober-driver",
        "phq9-moderate-or-worse",
    ]
    for flag in stored.flags:
        assert flag["reason"] in shown
    assert "Urgent</span> <strong>" in shown and "Caution</span>" in shown
    # Evidence: the question as worded in the definition and the answer given.
    assert "Thoughts that you would be better off dead or of hurting yourself" in shown
    assert "Nearly every day" in shown
    assert "Do you have an adult who can take you home?" in shown
    assert "PHQ-9 total score" in shown


def test_page_warns_not_to_leave_a_voicemail_unless_the_person_said_it_is_safe(
    app: Flask,
) -> None:
    client = clinician_client(app)
    unsafe = page(client, make_submission(app, voicemail_ok=False))
    assert "Do NOT leave a voicemail." in unsafe
    assert "They told us a voicemail is not safe for them." in unsafe
    safe = page(client, make_submission(app, voicemail_ok=True))
    assert "Voicemail: OK to leave a message." in safe
    assert "Do NOT leave a voicemail." not in safe


def test_contact_block_shows_how_to_reach_the_person(app: Flask) -> None:
    # Times to call are asked of those who prefer a call or a text.
    public_id = make_submission(app, contact_method="text", contact_times=["evening"])
    shown = page(clinician_client(app), public_id)
    for expected in (
        "Alex Rivera",
        "alex.rivera@example.com",
        "+1 408 555 0142",
        "Preferred name",
        "Text message",  # preferred method
        "Evening",
        "they/them",
    ):
        assert expected in shown


def test_scores_show_bands_and_each_phq9_and_gad7_item(app: Flask) -> None:
    shown = page(clinician_client(app), make_submission(app))
    assert "PHQ-9 answers, item by item" in shown
    assert "GAD-7 answers, item by item" in shown
    assert "moderate" in shown and "mild" in shown
    assert "Little interest or pleasure in doing things" in shown


def test_spanish_screening_is_shown_with_the_english_questions(app: Flask) -> None:
    public_id = make_submission(app, language="es")
    client = clinician_client(app)
    shown = page(client, public_id)
    assert "Answered in Spanish (español)" in shown
    assert "Questions and choices are shown in English" in shown
    assert "How would you like us to contact you?" in shown
    assert "¿Cómo prefiere que nos comuniquemos con usted?" not in shown
    assert "Sobre usted" not in shown and "About you" in shown
    # Even with a Spanish interface, the answers stay in English.
    client.get("/portal/?lang=es")
    shown_es = page(client, public_id)
    assert "How would you like us to contact you?" in shown_es


def test_drafts_and_unknown_ids_are_not_found(app: Flask) -> None:
    client = clinician_client(app)
    draft = make_draft(app)
    for suffix in ("", "/print", "/fhir"):
        assert client.get(f"/portal/s/{draft}{suffix}").status_code == 404
        assert client.get(f"/portal/s/no-such-screening-00{suffix}").status_code == 404
    submitted = load_submission(app, make_submission(app))
    assert client.get(f"/portal/s/{submitted.id}").status_code == 404


def test_every_view_of_the_page_is_audited(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    page(client, public_id)
    page(client, public_id)
    events = audit_events(app, "submission.viewed")
    assert len(events) == 2
    assert events[0].submission_id == load_submission(app, public_id).id
    assert events[0].actor_id is not None and events[0].detail is None


def transactions_during(app: Flask, fetch) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Run fetch() and return the SQL of each transaction it committed, in order."""
    engine = app.extensions["db_engine"]
    current: list[str] = []
    committed: list[list[str]] = []

    def statement(_conn, _cursor, sql: str, *_args) -> None:  # type: ignore[no-untyped-def]
        current.append(sql)

    def commit(_conn) -> None:  # type: ignore[no-untyped-def]
        committed.append(current.copy())

    def end(_conn) -> None:  # type: ignore[no-untyped-def]
        current.clear()

    listeners = [("before_cursor_execute", statement), ("commit", commit), ("begin", end)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        fetch()
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    return committed


def test_a_page_view_reads_the_screening_and_audits_it_in_one_transaction(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    committed = transactions_during(app, lambda: page(client, public_id))
    [audited] = [sql for sql in committed if any("INSERT INTO audit_events" in s for s in sql)]
    assert any("FROM submissions" in s for s in audited)
    assert any("FROM notes" in s for s in audited)


def test_status_change_is_saved_and_audited_with_from_and_to(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    response = client.post(f"/portal/s/{public_id}/status", data={"status-status": "contacted"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/portal/s/{public_id}#workflow")
    assert load_submission(app, public_id).status == "contacted"
    # Any move is allowed, backwards too, and each one is recorded.
    client.post(f"/portal/s/{public_id}/status", data={"status-status": "new"})
    events = audit_events(app, "submission.status-changed")
    assert [e.detail for e in events] == [
        {"from": "new", "to": "contacted"},
        {"from": "contacted", "to": "new"},
    ]
    assert "Status changed to New." in page(client, public_id)


def test_an_unknown_status_is_refused_with_the_reason_next_to_the_field(app: Flask) -> None:
    public_id = make_submission(app)
    response = clinician_client(app).post(
        f"/portal/s/{public_id}/status", data={"status-status": "approved"}
    )
    assert response.status_code == 400
    assert 'aria-describedby="status-status-error"' in response.get_data(as_text=True)
    assert load_submission(app, public_id).status == "new"
    assert audit_events(app, "submission.status-changed") == []


def test_assignment_to_an_active_clinician_is_saved_and_audited(app: Flask) -> None:
    public_id = make_submission(app)
    colleague, _ = create_clinician(app, email="robin@example.org", name="Robin Reviewer")
    client = clinician_client(app)
    assert "Robin Reviewer" in page(client, public_id)
    client.post(f"/portal/s/{public_id}/assignee", data={"assignee-assignee": str(colleague)})
    assert load_submission(app, public_id).assignee_id == colleague
    client.post(f"/portal/s/{public_id}/assignee", data={"assignee-assignee": ""})
    assert load_submission(app, public_id).assignee_id is None
    events = audit_events(app, "submission.assigned")
    assert [e.detail for e in events] == [
        {"from": None, "to": colleague},
        {"from": colleague, "to": None},
    ]
    assert events[0].target_clinician_id == colleague
    refused = client.post(f"/portal/s/{public_id}/assignee", data={"assignee-assignee": "999"})
    assert refused.status_code == 400


def test_follow_up_date_is_saved_cleared_and_audited(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    url = f"/portal/s/{public_id}/follow-up"
    assert client.post(url, data={"follow-up-follow_up_on": "2026-12-03"}).status_code == 302
    assert load_submission(app, public_id).follow_up_on == date(2026, 12, 3)
    client.post(url, data={"follow-up-follow_up_on": ""})
    assert load_submission(app, public_id).follow_up_on is None
    assert [e.detail for e in audit_events(app, "submission.follow-up-set")] == [
        {"from": None, "to": "2026-12-03"},
        {"from": "2026-12-03", "to": None},
    ]
    bad = client.post(url, data={"follow-up-follow_up_on": "next tuesday"})
    assert bad.status_code == 400


def test_notes_are_added_newest_first_and_audited_without_their_text(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    url = f"/portal/s/{public_id}/notes"
    client.post(url, data={"note-body": "Left a message asking to call back."})
    response = client.post(url, data={"note-body": "Spoke with them; booking evaluation."})
    assert response.headers["Location"].endswith("#notes")
    shown = page(client, public_id)
    assert shown.index("Spoke with them") < shown.index("Left a message")
    assert "Casey Clinician" in shown
    events = audit_events(app, "submission.note-added")
    assert len(events) == 2
    assert "message" not in json.dumps([e.detail for e in events])
    empty = client.post(url, data={"note-body": "   "})
    assert empty.status_code == 400
    assert "Write the note before adding it." in empty.get_data(as_text=True)
    assert len(notes_of(app, public_id)) == 2


def test_notes_are_encrypted_at_rest(app: Flask) -> None:
    public_id = make_submission(app)
    secret_text = "Discussed the hospital stay in 2019"
    clinician_client(app).post(f"/portal/s/{public_id}/notes", data={"note-body": secret_text})
    with app.app_context():
        db = new_session()
        stored = db.execute(text("SELECT body FROM notes")).scalars().all()
        audit_rows = db.execute(text("SELECT detail FROM audit_events")).scalars().all()
        db.close()
    assert len(stored) == 1
    assert "hospital" not in stored[0] and stored[0].startswith("gAAAA")
    assert all("hospital" not in str(detail) for detail in audit_rows)
    assert notes_of(app, public_id)[0].body == secret_text


def hidden_value(html: str, name: str) -> str:
    """Return the value of a hidden input by name (WTForms puts id and name first)."""
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', html)
    assert match, f"no hidden input {name}"
    return match.group(1)


def test_changes_need_a_csrf_token_when_csrf_is_on(tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    try:
        public_id = make_submission(app)
        email, password = "csrf@example.org", "correct horse battery staple"
        _, secret = create_clinician(app, email=email)
        client = app.test_client()
        token = csrf_token_from(client.get("/portal/auth/login").get_data(as_text=True))
        login = {"csrf_token": token, "email": email, "password": password}
        assert client.post("/portal/auth/login", data=login).status_code == 302
        token = csrf_token_from(client.get("/portal/auth/two-factor").get_data(as_text=True))
        code = unused_code(app, email, secret or "")
        client.post("/portal/auth/two-factor", data={"csrf_token": token, "code": code})

        take = f"/portal/s/{public_id}/take"
        assert client.post(take).status_code == 400
        assert load_submission(app, public_id).assignee_id is None
        shown = client.get(f"/portal/s/{public_id}").get_data(as_text=True)
        assert (
            client.post(take, data={"csrf_token": hidden_value(shown, "csrf_token")}).status_code
            == 302
        )
        assert load_submission(app, public_id).assignee_id is not None

        url = f"/portal/s/{public_id}/status"
        without = client.post(url, data={"status-status": "closed"})
        assert without.status_code == 400
        assert load_submission(app, public_id).status == "new"
        shown = client.get(f"/portal/s/{public_id}").get_data(as_text=True)
        token = hidden_value(shown, "status-csrf_token")
        with_token = client.post(url, data={"status-csrf_token": token, "status-status": "closed"})
        assert with_token.status_code == 302
        assert load_submission(app, public_id).status == "closed"
    finally:
        app.extensions["db_engine"].dispose()


def test_print_view_has_the_record_without_navigation_or_forms(app: Flask) -> None:
    public_id = make_submission(app, **URGENT)
    client = clinician_client(app)
    response = client.get(f"/portal/s/{public_id}/print")
    assert response.status_code == 200
    shown = html_lib.unescape(response.get_data(as_text=True))
    assert shown.count("<h1") == 1
    assert "<nav" not in shown and "<form" not in shown and "style=" not in shown
    assert "Alex Rivera" in shown and "Do NOT leave a voicemail." in shown
    assert "PHQ-9 item 9" in shown and "All answers" in shown
    assert response.headers["Cache-Control"] == "no-store"
    assert len(audit_events(app, "submission.printed")) == 1


def test_fhir_download_is_a_valid_completed_questionnaire_response(app: Flask) -> None:
    public_id = make_submission(app, language="es")
    response = clinician_client(app).get(f"/portal/s/{public_id}/fhir")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert (
        f'filename="questionnaire-response-{public_id}.json"'
        in response.headers["Content-Disposition"]
    )
    data = json.loads(response.get_data(as_text=True))
    resource = QuestionnaireResponse.model_validate(data)
    assert resource.status == "completed"
    stored = load_submission(app, public_id)
    assert resource.authored is not None
    assert data["authored"].startswith(stored.submitted_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert data["identifier"]["value"] == public_id
    assert data["questionnaire"].endswith("|2026.11.4")
    assert data["extension"] == [
        {
            "url": "http://localhost/fhir/StructureDefinition/triage-category",
            "valueCode": "likely-eligible",
        }
    ]
    assert len(audit_events(app, "submission.exported-fhir")) == 1


def test_an_incomplete_screening_lists_the_questions_left_unanswered(app: Flask) -> None:
    public_id = make_submission(app, **INCOMPLETE)
    shown = page(clinician_client(app), public_id)
    assert "Incomplete: safety answers missing" in shown
    assert "Required safety or contraindication questions were not answered" in shown
    assert "Has a doctor or mental-health professional ever told you" in shown
    assert "Not answered" in shown


def test_flags_stored_before_evidence_was_typed_still_show_their_scores(app: Flask) -> None:
    public_id = make_submission(app, antidepressant_trials="3-plus")
    with app.app_context():
        db = new_session(write=True)
        submission = db.scalars(select(Submission).where(Submission.public_id == public_id)).one()
        submission.flags = [
            {
                "id": "treatment-resistant-depression",
                "severity": "info",
                "reason": "Treatment-resistant depression (2 or more adequate trials).",
                "evidence": [{"linkId": "score:antidepressant_trials", "answer": 3}],
            }
        ]
        db.commit()
        db.close()
    shown = page(clinician_client(app), public_id)
    assert "Antidepressant trials total score" in shown


def test_page_has_one_heading_and_no_inline_styles_or_scripts(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    for url in ("/portal/", f"/portal/s/{public_id}"):
        shown = client.get(url).get_data(as_text=True)
        assert shown.count("<h1") == 1, url
        assert "style=" not in shown and "<script>" not in shown, url
        assert "<caption>" in shown or url.endswith(public_id)


def test_signed_in_clinician_name_and_person_name_are_not_in_the_title(app: Flask) -> None:
    public_id = make_submission(app)
    client = app.test_client()
    _, secret = create_clinician(app, email="t@example.org", name="Terry Title")
    sign_in(client, "t@example.org", "correct horse battery staple", secret)
    shown = client.get(f"/portal/s/{public_id}").get_data(as_text=True)
    title = shown.split("<title>")[1].split("</title>")[0]
    assert "Alex" not in title and "Rivera" not in title
