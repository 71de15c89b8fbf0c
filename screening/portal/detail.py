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

from screening.models import Submission
from screening.portal.contact_links import contact_link, dial_string
from screening.presenters import AnsweredSection, answered_sections, format_answer
from screening.questionnaire.flags import AnswerEvidence, Evidence, Flag
from screening.questionnaire.instruments import INSTRUMENTS
from screening.questionnaire.model import Questionnaire
from screening.questionnaire_registry import registry

CLINICIAN_LANGUAGE = "en"
# Instruments keep their own names; the derived numbers are translated.
SCORE_LABELS = {
    **{name: instrument.label for name, instrument in INSTRUMENTS.items()},
    "antidepressant_trials": _l("Antidepressant trials"),
    "age": _l("Age"),
    "bmi": _l("BMI (from the weight and height given)"),
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
    method_code: str | None = None

    @property
    def link(self) -> str | None:
        """A tappable link for their preferred way: tel:, sms: or mailto:."""
        return contact_link(self.method_code, self.phone, self.email)

    @property
    def call_link(self) -> str | None:
        """A tel: link when they gave a phone number."""
        dial = dial_string(self.phone)
        return f"tel:{dial}" if dial else None


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
    """Collect the contact block from the stored contact and the answers, found by role."""
    answers = submission.answers or {}
    contact = submission.contact or {}

    def answer(role: str) -> str | None:
        item, value = q.role_item(role), q.role_answer(role, answers)
        return format_answer(item, value, CLINICIAN_LANGUAGE) or None if item else None

    voicemail = q.role_answer("voicemail-ok", answers)
    method = q.role_answer("contact-method", answers)
    return ContactView(
        name=contact.get("name") or "",
        preferred_name=answer("preferred-name"),
        pronouns=answer("pronouns"),
        email=contact.get("email"),
        phone=contact.get("phone"),
        method=answer("contact-method"),
        times=answer("contact-times"),
        voicemail_ok=voicemail if isinstance(voicemail, bool) else None,
        method_code=method if isinstance(method, str) else None,
    )


def _score_label(name: str) -> str:
    return str(SCORE_LABELS.get(name, name))


def evidence_view(q: Questionnaire, evidence: Evidence, scores: dict[str, Any]) -> EvidenceView:
    """Turn one piece of flag evidence into the question (or score) and the answer given."""
    if isinstance(evidence, AnswerEvidence):
        if not q.has_item(evidence.link_id):
            return EvidenceView(
                evidence.link_id, "" if evidence.answer is None else str(evidence.answer)
            )
        shown = _answer_text(q, evidence.link_id, evidence.answer) or str(_l("Not answered"))
        return EvidenceView(q.item(evidence.link_id).text.get(CLINICIAN_LANGUAGE), shown)
    label = str(_l("%(score)s total score", score=_score_label(evidence.score)))
    positive = (scores.get(evidence.score) or {}).get("positive")
    if positive is None:
        return EvidenceView(label, str(evidence.total))
    screen = _l("positive screen") if positive else _l("negative")
    return EvidenceView(label, f"{evidence.total} ({screen})")


def flag_views(q: Questionnaire, submission: Submission) -> list[FlagView]:
    """List every flag, most severe first (as triage stored them), with its evidence."""
    scores = submission.scores or {}
    flags = [Flag.from_json(data) for data in submission.flags or []]
    return [
        FlagView(f.id, f.severity, f.reason, [evidence_view(q, e, scores) for e in f.evidence])
        for f in flags
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
                evidence_view(q, AnswerEvidence(link_id, answer), scores)
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
        if name in INSTRUMENTS and INSTRUMENTS[name].itemised:
            for item in INSTRUMENTS[name].items(q):
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
