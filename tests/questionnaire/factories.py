"""Answer factories for the shipped questionnaire, shared with other test suites.

`clean_answers()` is a complete, eligible answer set: every required question that applies is
answered, the person is an adult in California with a moderate PHQ-9, and no triage rule above
"info" fires. Override answers by linkId; underscores stand for hyphens (linkIds never contain
underscores), and None removes an answer:

    clean_answers(state="other-state", sober_driver="no", pronouns=None)
    clean_answers(**{"phq9-9": "LA6569-3"})
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from screening.questionnaire import DEFINITION_PATH

# The date the factory's answers are meant to be triaged on (age, "past year" wording).
TODAY = date(2026, 11, 27)
# LOINC answer codes shared by PHQ-9 and GAD-7, indexed by their points (0-3).
FREQUENCY_CODES = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")
NOT_AT_ALL, SEVERAL_DAYS, MORE_THAN_HALF, NEARLY_EVERY_DAY = FREQUENCY_CODES


def phq9_answers(*points: int) -> dict[str, str]:
    """Return PHQ-9 answers phq9-1.. from points 0-3 (nine values for a complete PHQ-9)."""
    return {f"phq9-{n}": FREQUENCY_CODES[p] for n, p in enumerate(points, start=1)}


def gad7_answers(*points: int) -> dict[str, str]:
    """Return GAD-7 answers gad7-1.. from points 0-3 (seven values for a complete GAD-7)."""
    return {f"gad7-{n}": FREQUENCY_CODES[p] for n, p in enumerate(points, start=1)}


def _base() -> dict[str, Any]:
    return {
        # about-you
        "full-name": "Alex Rivera",
        "preferred-name": "Alex",
        "date-of-birth": "1988-04-12",
        "email": "alex.rivera@example.com",
        "phone": "+1 408 555 0142",
        "contact-method": "email",
        "voicemail-ok": False,
        "state": "california",
        "pronouns": "they/them",
        # concerns
        "reasons": ["depression", "anxiety"],
        "concern-duration": "2-5-years",
        "goals": "To feel like myself again and enjoy time with my kids.",
        "has-therapist": True,
        "psychotherapy-openness": "open",
        # treatment-history
        "antidepressant-trials": "1",
        "prior-ketamine": "none",
        "hospitalized": False,
        "suicidal-behavior": "never",
        "lethal-means": ["none"],
        # phq9: 2+2+2+2+1+1+1+1+0 = 12, moderate; item 9 "not at all"
        **phq9_answers(2, 2, 2, 2, 1, 1, 1, 1, 0),
        "phq9-difficulty": "LA6573-5",
        # gad7: 7, mild
        **gad7_answers(1, 1, 1, 1, 1, 1, 1),
        # pcptsd5: no trauma of that kind, score 0
        "pcptsd5-event": "no",
        # medical
        "sex-at-birth": "female",
        "diagnoses-any": "no",
        "psychotic-symptoms": False,
        "dissociation-experience": "never",
        "mania-past-year": False,
        "family-psychosis": "no",
        "heart-brain-any": "no",
        "bp-systolic": 118,
        "bp-diastolic": 76,
        # 5 ft 7 in, 150 lb: BMI 23
        "weight": 150,
        "height-feet": 5,
        "height-inches": 7,
        "other-conditions-any": "no",
        "has-allergies": "no",
        "pregnancy": "no",
        # substance-use: AUDIT-C 1 (monthly or less, 1-2 drinks, never 6+)
        "auditc-1": "LA18926-8",
        "auditc-2": "LA15694-5",
        "auditc-3": "LA6270-8",
        "substances-any": "no",
        "substance-concern": "no",
        # medications
        "current-medications": "Sertraline 100 mg each morning",
        "prescriber": "Dr. Lee, Gilroy Family Medicine",
        "prescriber-contact-ok": "yes",
        "medication-classes": ["ssri-snri"],
        # practicalities
        "sober-driver": "yes",
        "support-person": "yes",
        "visit-preference": "in-person",
        "payment": "self-pay",
        "session-time": True,
        # consent
        "consent-accuracy": True,
        "consent-privacy": True,
        "signature": "Alex Rivera",
    }


# Questions behind a gate (intake.yaml), and the gate that opens them. The base answers every
# gate "no"; overriding a question behind one opens its gate ("yes") unless the override sets
# the gate itself, so `clean_answers(medical_conditions=["stroke"])` stays the person it says.
GATED = {
    "diagnoses": "diagnoses-any",
    "substances-past-year": "substances-any",
    "medical-conditions": "heart-brain-any",
    "seizures": "heart-brain-any",
    "high-blood-pressure": "heart-brain-any",
    "other-conditions": "other-conditions-any",
    "allergy-details": "has-allergies",
    "ketamine-reaction": "has-allergies",
    "anesthesia-reaction": "has-allergies",
}


def clean_answers(**overrides: Any) -> dict[str, Any]:
    """Return a complete, eligible answer set with `overrides` applied (None removes)."""
    answers = _base()
    given = {key.replace("_", "-"): value for key, value in overrides.items()}
    for link_id, value in given.items():
        gate = GATED.get(link_id)
        if value is not None and gate is not None and gate not in given:
            answers[gate] = "yes"
    for link_id, value in given.items():
        if value is None:
            answers.pop(link_id, None)
        else:
            answers[link_id] = value
    return answers


def contact_first_definition(folder: Path) -> Path:
    """Write the shipped definition with its contact details (name, email, phone...) moved
    from just before consent to the front, as a clinic may order it; return the file's path.

    The person then gives contact details before reaching the PHQ-9.
    """
    text = DEFINITION_PATH.read_text("utf-8")
    sections = re.split(r"(?m)^(?=  # -{20,}\n  - linkId: )", text)
    head, *middle, contact, consent = sections
    assert contact.split("\n")[1].startswith("  - linkId: about-you"), contact[:200]
    assert "role: consent" in consent
    path = folder / DEFINITION_PATH.name
    path.write_text("".join([head, contact, *middle, consent]), "utf-8")
    return path
