"""Exports: the queue as streamed CSV (admins only) and the command-line CSV/FHIR export."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask

from screening.intake.service import new_public_id
from screening.portal.exports import FIXED_COLUMNS, answer_columns, neutralise
from screening.questionnaire_registry import registry
from tests.factories import URGENT, at, audit_events, make_draft, make_submission
from tests.portal_helpers import admin_client, clinician_client


def read_csv(text: str) -> list[dict[str, str]]:
    """Parse CSV text into rows keyed by header."""
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_is_streamed_with_one_column_per_link_id(app: Flask) -> None:
    urgent = make_submission(app, **URGENT)
    # No weight given: no BMI (the scoring code's rule), an empty cell.
    make_submission(app, language="es", reasons=["depression", "anxiety"], weight=None)
    make_draft(app)
    response = admin_client(app).get("/portal/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    # The stream's database session is closed once the last row is sent.
    assert app.extensions["db_engine"].pool.checkedout() == 0
    header = next(csv.reader(io.StringIO(text)))
    with app.app_context():
        link_ids = answer_columns(registry().current)
    assert header == [*FIXED_COLUMNS, *link_ids]
    assert "phq9-9" in header and "consent-privacy" in header
    rows = read_csv(text)
    assert len(rows) == 2  # drafts are never exported
    first = rows[0]
    assert first["public_id"] == neutralise(urgent)
    assert first["category"] == "urgent-safety"
    assert first["phq9-9"] == "Nearly every day"
    assert "phq9-item9-positive" in first["flags"]
    assert (first["weight"], first["bmi"], rows[1]["bmi"]) == ("150", "23", "")
    assert rows[1]["language"] == "es"
    assert rows[1]["reasons"] == "Depression; Anxiety"
    assert rows[1]["voicemail-ok"] == "no"


def test_csv_follows_the_queue_filters(app: Flask) -> None:
    make_submission(app, submitted_at=at(2), **URGENT)
    late = make_submission(app, submitted_at=at(20))
    rows = read_csv(
        admin_client(app).get("/portal/export.csv?from_date=2026-11-10").get_data(as_text=True)
    )
    assert [row["public_id"] for row in rows] == [neutralise(late)]


def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(app: Flask) -> None:
    make_submission(
        app,
        goals='=HYPERLINK("http://evil.example","click")',
        pronouns="+they",
        preferred_name="@me",
        current_medications="-2+3",
    )
    rows = read_csv(admin_client(app).get("/portal/export.csv").get_data(as_text=True))
    row = rows[0]
    assert row["goals"].startswith("'=HYPERLINK(")
    assert row["pronouns"] == "'+they"
    assert row["preferred-name"] == "'@me"
    assert row["current-medications"] == "'-2+3"
    assert neutralise("\tcmd") == "'\tcmd" and neutralise("plain") == "plain"
    # Every cell, ids too: a public id may start with "-", which Excel would evaluate.
    assert neutralise("-OPOqofhM354ri8vY0esJw") == "'-OPOqofhM354ri8vY0esJw"


def test_csv_export_is_for_admins_and_audited_once_with_filter_codes_only(app: Flask) -> None:
    make_submission(app)
    assert clinician_client(app).get("/portal/export.csv").status_code == 403
    client = admin_client(app)
    target = client.post("/portal/search", data={"search-q": "alex.rivera@example.com"})
    url = target.headers["Location"].replace("/portal/?", "/portal/export.csv?")
    response = client.get(url + "&status=new")
    assert len(read_csv(response.get_data(as_text=True))) == 1
    events = audit_events(app, "queue.exported-csv")
    assert len(events) == 1
    assert events[0].detail == {"filter": {"status": "new", "match": "email"}}
    assert "alex" not in json.dumps(events[0].detail)


def test_cli_exports_csv_to_an_owner_only_file(app: Flask, tmp_path: Path) -> None:
    make_submission(app, submitted_at=at(1))
    recent = make_submission(app, submitted_at=at(15), **URGENT)
    output = tmp_path / "export.csv"
    result = app.test_cli_runner().invoke(
        args=[
            "submissions",
            "export",
            "--format",
            "csv",
            "--since",
            "2026-11-10",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    assert os.stat(output).st_mode & 0o777 == 0o600
    rows = read_csv(output.read_text(encoding="utf-8"))
    assert [row["public_id"] for row in rows] == [neutralise(recent)]
    events = audit_events(app, "submissions.exported-cli")
    assert len(events) == 1
    assert events[0].actor_id is None
    assert events[0].detail == {"format": "csv", "since": "2026-11-10", "rows": 1, "to": "file"}


def test_cli_exports_a_valid_fhir_bundle_of_questionnaire_responses(app: Flask) -> None:
    first = make_submission(app, **URGENT)
    second = make_submission(app, language="es")
    result = app.test_cli_runner().invoke(args=["submissions", "export", "--format", "fhir"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    assert len(bundle.entry) == 2
    for entry in data["entry"]:
        resource = QuestionnaireResponse.model_validate(entry["resource"])
        assert resource.status == "completed"
        assert entry["fullUrl"].startswith("urn:uuid:")
    assert [e["resource"]["identifier"]["value"] for e in data["entry"]] == [first, second]
    assert audit_events(app, "submissions.exported-cli")[0].detail["format"] == "fhir"


def test_cli_fhir_export_of_nothing_is_still_a_valid_bundle(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["submissions", "export", "--format", "fhir"])
    assert result.exit_code == 0, result.output
    bundle = Bundle.model_validate(json.loads(result.output))
    assert bundle.entry is None


def test_new_public_ids_are_exported_as_they_are() -> None:
    """Ids copied from the export are the ids the portal finds (1 in 64 once began with "-")."""
    ids = {new_public_id() for _ in range(5_000)}
    assert len(ids) == 5_000
    assert all(neutralise(public_id) == public_id for public_id in ids)
