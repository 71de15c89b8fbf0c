"""Shape one submission for the clinician: contact block, flags with evidence, scores, answers.

Everything is shown in English, as the questions were worded in the definition version the
person answered (`registry().for_version`), whatever language they used; the page says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from screening.intake.service import CONSENT_SECTION
from screening.models import Submission
from screening.presenters import AnsweredSection, answered_sections, format_answer
from screening.questionnaire.model import Questionnaire
from screening.questionnaire_registry import registry

CLINICIAN_LANGUAGE = "en"
# Contact preferences by linkId: the definition's own words for how to reach the person.
PREFERRED_NAME_AUTOCOMPLETE = "nickname"
CONTACT_METHOD = "contact-method"
CONTACT_TIMES = "contact-times"
VOICEMAIL_OK = "voicemail-ok"
PRONOUNS = "pronouns"
# Item-level answers are listed for these instruments under their scores.
ITEMISED_INSTRUMENTS = ("phq9", "gad7")
SCORE_LABELS = {
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "auditc": "AUDIT-C",
    "pcptsd5": "PC-PTSD-5",
    "antidepressant_trials": _l("Antidepressant trials"),
    "age": _l("Age"),
}
LANGUAGE_NAMES = {"en": _l("English"), "es": _l("Spanish (español)")}


@dataclass(frozen=True)
class EvidenceView:
    """A question and the answer that raised a flag."""

    question: str
    answer: str


@dataclass(frozen=True)
class FlagView:
    """One triage flag, with the answers behind it."""

    id: str
    severity: str
    reason: str
    evidence: list[EvidenceView]


@dataclass(frozen=True)
class DisclosureView:
    """A risk answer given while answering: when, on which step, and what was answered."""

    at: datetime
    step: str
    answers: list[EvidenceView]


@dataclass(frozen=True)
class ItemScore:
    """One instrument item: the question, the answer and its points."""

    question: str
    answer: str
    points: int | None


@dataclass(frozen=True)
class ScoreView:
    """A score with its band or positive screen, and for PHQ-9/GAD-7 the item answers."""

    key: str
    label: str
    total: int | None
    band: str | None
    positive: bool | None
    complete: bool
    items: list[ItemScore] = field(default_factory=list)


@dataclass(frozen=True)
class ContactView:
    """How to reach the person, and whether a voicemail is safe."""

    name: str
    preferred_name: str | None
    pronouns: str | None
    email: str | None
    phone: str | None
    method: str | None
    times: str | None
    voicemail_ok: bool | None


@dataclass(frozen=True)
class SubmissionView:
    """Everything the submission page and its print view show."""

    submission: Submission
    questionnaire: Questionnaire
    contact: ContactView
    flags: list[FlagView]
    disclosures: list[DisclosureView]
    scores: list[ScoreView]
    sections: list[AnsweredSection]
    language: str
    language_name: str


def _answer_text(q: Questionnaire, link_id: str, value: Any) -> str:
    return format_answer(q.item(link_id), value, CLINICIAN_LANGUAGE) if value is not None else ""


def contact_view(q: Questionnaire, submission: Submission) -> ContactView:
    """Collect the contact block from the stored contact and the answers."""
    answers = submission.answers or {}
    contact = submission.contact or {}

    def answer(link_id: str) -> str | None:
        if q.has_item(link_id) and link_id in answers:
            return _answer_text(q, link_id, answers[link_id]) or None
        return None

    preferred = next(
        (
            answers.get(item.link_id)
            for item in q.items
            if item.autocomplete == PREFERRED_NAME_AUTOCOMPLETE
            and q.section_of(item.link_id).link_id != CONSENT_SECTION
        ),
        None,
    )
    voicemail = answers.get(VOICEMAIL_OK)
    return ContactView(
        name=contact.get("name") or "",
        preferred_name=preferred or None,
        pronouns=answer(PRONOUNS),
        email=contact.get("email"),
        phone=contact.get("phone"),
        method=answer(CONTACT_METHOD),
        times=answer(CONTACT_TIMES),
        voicemail_ok=voicemail if isinstance(voicemail, bool) else None,
    )


def _score_label(name: str) -> str:
    return str(SCORE_LABELS.get(name, name))


def evidence_view(
    q: Questionnaire, link_id: str, value: Any, scores: dict[str, Any]
) -> EvidenceView:
    """Turn one piece of flag evidence into the question text and the answer as given."""
    if link_id.startswith("score:"):
        name = link_id.removeprefix("score:")
        score = scores.get(name) or {}
        shown = value if value is not None else score.get("total")
        if score.get("positive") is not None and name in ("auditc", "pcptsd5"):
            return EvidenceView(
                str(_l("%(score)s total score", score=_score_label(name))),
                f"{shown} ({_l('positive screen') if score['positive'] else _l('negative')})",
            )
        return EvidenceView(str(_l("%(score)s total score", score=_score_label(name))), str(shown))
    if q.has_item(link_id):
        item = q.item(link_id)
        return EvidenceView(item.text.get(CLINICIAN_LANGUAGE), _answer_text(q, link_id, value))
    return EvidenceView(link_id, "" if value is None else str(value))


def flag_views(q: Questionnaire, submission: Submission) -> list[FlagView]:
    """List every flag, most severe first (as triage stored them), with its evidence."""
    scores = submission.scores or {}
    return [
        FlagView(
            id=flag["id"],
            severity=flag["severity"],
            reason=flag["reason"],
            evidence=[
                evidence_view(q, entry["linkId"], entry.get("answer"), scores)
                for entry in flag.get("evidence", [])
            ],
        )
        for flag in submission.flags or []
    ]


def disclosure_views(q: Questionnaire, submission: Submission) -> list[DisclosureView]:
    """List the disclosure timeline, oldest first, with each answer as it was given."""
    scores = submission.scores or {}
    return [
        DisclosureView(
            at=event.disclosed_at,
            step=(
                q.section(event.section).title.get(CLINICIAN_LANGUAGE)
                if event.section in {s.link_id for s in q.sections}
                else event.section
            ),
            answers=[
                evidence_view(q, link_id, answer, scores)
                for link_id, answer in event.answers.items()
            ],
        )
        for event in submission.disclosures
    ]


def score_views(q: Questionnaire, submission: Submission) -> list[ScoreView]:
    """List the stored scores; PHQ-9 and GAD-7 also list each item's answer and points."""
    answers = submission.answers or {}
    views = []
    stored = submission.scores or {}
    # Stored JSON comes back sorted by name; show the instruments first, in a fixed order.
    order = [*SCORE_LABELS, *sorted(set(stored) - set(SCORE_LABELS))]
    for name in (n for n in order if n in stored):
        data = stored[name]
        items: list[ItemScore] = []
        if name in ITEMISED_INSTRUMENTS:
            section = next((s for s in q.sections if s.instrument == name), None)
            for item in section.items if section else ():
                if item.type == "display" or not item.options:
                    continue
                value = answers.get(item.link_id)
                option = item.option(value) if isinstance(value, str) else None
                items.append(
                    ItemScore(
                        question=item.text.get(CLINICIAN_LANGUAGE),
                        answer=_answer_text(q, item.link_id, value) or str(_l("Not answered")),
                        points=option.ordinal if option else None,
                    )
                )
        views.append(
            ScoreView(
                key=name,
                label=_score_label(name),
                total=data.get("total"),
                band=data.get("band"),
                positive=data.get("positive"),
                complete=bool(data.get("complete", True)),
                items=items,
            )
        )
    return views


def submission_view(submission: Submission) -> SubmissionView:
    """Build the clinician's view of a submission, in English."""
    q = registry().for_version(submission.definition_version)
    # The answers are shown in English whatever the interface language ("Yes"/"No" too).
    with force_locale(CLINICIAN_LANGUAGE):
        return SubmissionView(
            submission=submission,
            questionnaire=q,
            contact=contact_view(q, submission),
            flags=flag_views(q, submission),
            disclosures=disclosure_views(q, submission),
            scores=score_views(q, submission),
            sections=answered_sections(q, submission.answers or {}, CLINICIAN_LANGUAGE),
            language=submission.language,
            language_name=str(LANGUAGE_NAMES.get(submission.language, submission.language)),
        )
