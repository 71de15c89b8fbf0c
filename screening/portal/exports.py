"""Exports: the queue as CSV, and submissions as FHIR R4 QuestionnaireResponses.

CSV is written row by row from a generator, so memory stays flat however many rows there are.
Columns: a few plain fields and stored scores, then one per linkId of the current definition, with
answers in English (option texts, "yes"/"no"), several answers joined with "; ". Cells that a
spreadsheet would run as a formula are prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from screening.clock import as_utc, utcnow
from screening.models import Submission
from screening.questionnaire.fhir import answers_to_response
from screening.questionnaire.model import Questionnaire
from screening.questionnaire_registry import QuestionnaireRegistry

FIXED_COLUMNS = (
    "public_id",
    "submitted_at",
    "language",
    "category",
    "status",
    "phq9_total",
    "gad7_total",
    # For the clinician (dosing, airway risk), as the portal shows it: the score stored when the
    # answers were triaged, empty without both weight and height.
    "bmi",
    "flags",
)
MULTI_SEPARATOR = "; "
# The triage category travels with an exported response as this extension (our own URL).
TRIAGE_CATEGORY_EXTENSION = "/fhir/StructureDefinition/triage-category"
# Spreadsheets treat these leading characters as the start of a formula (OWASP: CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Rows per chunk handed to the web server: few enough to stream, enough to avoid tiny writes.
ROWS_PER_CHUNK = 100
CSV_COLUMNS_LOADED = (
    "public_id",
    "submitted_at",
    "language",
    "triage_category",
    "status",
    "phq9_total",
    "gad7_total",
    "flags",
    "scores",
    "answers",
    "definition_version",
)


def neutralise(cell: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with a single quote."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def answer_cell(options: dict[str, str], value: Any) -> str:
    """Render one stored answer for a CSV cell, in English (`options`: texts by code)."""
    if value is None:
        return ""
    values = value if isinstance(value, list) else [value]
    shown = []
    for single in values:
        if isinstance(single, bool):
            shown.append("yes" if single else "no")
        else:
            shown.append(options.get(single, single) if isinstance(single, str) else str(single))
    return MULTI_SEPARATOR.join(shown)


def english_options(q: Questionnaire, link_id: str) -> dict[str, str]:
    """The English text of each of an item's options by code (empty if `q` lacks the item)."""
    if not q.has_item(link_id):
        return {}
    return {option.code: option.display.get("en") for option in q.item(link_id).options}


def answer_columns(q: Questionnaire) -> list[str]:
    """Return the linkIds that get a column: every answerable item of the definition."""
    return [item.link_id for item in q.items if item.type != "display"]


def iso(moment: datetime | None) -> str:
    """Format a stored timestamp as ISO 8601 in UTC."""
    return as_utc(moment).isoformat(timespec="seconds") if moment else ""


def csv_row(submission: Submission, columns: list[tuple[str, dict[str, str]]]) -> list[str]:
    """Return one submission's cells, neutralised against formula injection."""
    answers = submission.answers or {}
    bmi = (submission.scores or {}).get("bmi", {}).get("total")
    cells = [
        submission.public_id,
        iso(submission.submitted_at),
        submission.language,
        submission.triage_category or "",
        submission.status,
        "" if submission.phq9_total is None else str(submission.phq9_total),
        "" if submission.gad7_total is None else str(submission.gad7_total),
        "" if bmi is None else str(bmi),
        MULTI_SEPARATOR.join(flag["id"] for flag in submission.flags or []),
    ]
    cells.extend(answer_cell(options, answers.get(link_id)) for link_id, options in columns)
    return [neutralise(cell) for cell in cells]


def csv_lines(submissions: Iterable[Submission], reg: QuestionnaireRegistry) -> Iterator[str]:
    """Yield the CSV text in chunks: the header, then batches of rows."""
    columns = answer_columns(reg.current)
    # Each column's option texts in each definition version met, looked up once per export.
    options: dict[str, list[tuple[str, dict[str, str]]]] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED_COLUMNS, *columns])
    pending = 0
    for submission in submissions:
        version = submission.definition_version
        if version not in options:
            answered_under = reg.for_version(version)
            options[version] = [(c, english_options(answered_under, c)) for c in columns]
        writer.writerow(csv_row(submission, options[version]))
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield _drain(buffer)
            pending = 0
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def identifier_system(base_url: str) -> str:
    """Return the identifier system of our public ids: the clinic's portal address."""
    return base_url.rstrip("/") + "/portal/s"


def submission_to_fhir(
    submission: Submission, reg: QuestionnaireRegistry, base_url: str
) -> dict[str, Any]:
    """Return a submission as a completed FHIR R4 QuestionnaireResponse (texts in English)."""
    q = reg.for_version(submission.definition_version)
    authored = as_utc(submission.submitted_at) if submission.submitted_at else None
    resource = answers_to_response(
        q, submission.answers or {}, status="completed", authored=authored, lang="en"
    )
    # Public ids may contain "_", which a FHIR id may not: carry it as an identifier.
    resource["identifier"] = {
        "system": identifier_system(base_url),
        "value": submission.public_id,
    }
    if submission.triage_category:
        url = base_url.rstrip("/") + TRIAGE_CATEGORY_EXTENSION
        resource["extension"] = [{"url": url, "valueCode": submission.triage_category}]
    return resource


# The QuestionnaireResponse points at each contained disclosure (FHIR: a contained resource
# must be referenced from its container).
DISCLOSURE_EXTENSION = "https://threshold.example/fhir/StructureDefinition/risk-disclosure"


def with_disclosures(
    resource: dict[str, Any], q: Questionnaire, submission: Submission
) -> dict[str, Any]:
    """Add the disclosure timeline as contained Observations, one per event, oldest first."""
    observations = [
        {
            "resourceType": "Observation",
            "id": f"disclosure-{number}",
            "status": "final",
            "code": {"text": "Risk answer given while answering (kept if later changed)"},
            "effectiveDateTime": as_utc(event.disclosed_at).isoformat(),
            "component": [
                disclosure_component(q, link_id, answer)
                for link_id, answer in event.answers.items()
            ],
        }
        for number, event in enumerate(submission.disclosures, start=1)
    ]
    if observations:
        resource["contained"] = observations
        resource["extension"] = [
            {"url": DISCLOSURE_EXTENSION, "valueReference": {"reference": f"#{o['id']}"}}
            for o in observations
        ]
    return resource


def disclosure_component(q: Questionnaire, link_id: str, answer: Any) -> dict[str, Any]:
    """One risk answer as an Observation component: the question's code and the answer."""
    if not q.has_item(link_id):
        return {"code": {"text": link_id}, "valueString": json.dumps(answer)}
    item = q.item(link_id)
    code = {
        "coding": [{"system": c.system, "code": c.code} for c in item.codes if c.system],
        "text": item.text.get("en"),
    }
    if not code["coding"]:
        del code["coding"]  # FHIR JSON forbids empty arrays
    option = item.option(answer) if isinstance(answer, str) else None
    if isinstance(answer, bool):
        return {"code": code, "valueBoolean": answer}
    if option is not None:
        coding = {"code": option.code, "display": option.display.get("en")}
        if option.system:
            coding["system"] = option.system
        return {
            "code": code,
            "valueCodeableConcept": {"coding": [coding], "text": coding["display"]},
        }
    return {"code": code, "valueString": str(answer)}


def entry_url(submission: Submission, base_url: str) -> str:
    """Return a stable urn:uuid for a submission's Bundle entry."""
    name = f"{identifier_system(base_url)}/{submission.public_id}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def fhir_bundle_chunks(
    submissions: Iterable[Submission], reg: QuestionnaireRegistry, base_url: str
) -> Iterator[str]:
    """Yield a FHIR Bundle (type collection) of QuestionnaireResponses, one entry at a time."""
    timestamp = utcnow().isoformat(timespec="seconds")
    # "entry" appears only once there is one: FHIR JSON forbids empty arrays.
    yield f'{{"resourceType":"Bundle","type":"collection","timestamp":"{timestamp}"'
    first = True
    for submission in submissions:
        entry = {
            "fullUrl": entry_url(submission, base_url),
            "resource": submission_to_fhir(submission, reg, base_url),
        }
        yield (',"entry":[' if first else ",") + json.dumps(entry, ensure_ascii=False)
        first = False
    yield "}\n" if first else "]}\n"
