"""Triage flags and their one JSON form: what a rule found, and the answers and scores behind it.

Submissions store flags in this form, the CLI prints it and the portal reads it back with
`Flag.from_json`, the one place that also reads the shape stored before evidence was typed
(a score then travelled as the linkId "score:<name>").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Most severe first. "incomplete" is the core's own (required answers are missing): a rules
# file may not use it.
SEVERITIES = ("urgent", "incomplete", "exclusion", "caution", "info")
RULE_SEVERITIES = tuple(s for s in SEVERITIES if s != "incomplete")
CATEGORIES = ("urgent-safety", "incomplete", "likely-ineligible", "needs-review", "likely-eligible")
URGENT = CATEGORIES[0]
_CATEGORY_FOR_SEVERITY = dict(zip(SEVERITIES[:4], CATEGORIES[:4], strict=True))
_OLD_SCORE_PREFIX = "score:"


@dataclass(frozen=True)
class AnswerEvidence:
    """An answer that made a rule fire (None: a required answer that is missing)."""

    link_id: str
    answer: Any


@dataclass(frozen=True)
class ScoreEvidence:
    """A score total that made a rule fire."""

    score: str
    total: int | None


Evidence = AnswerEvidence | ScoreEvidence


def evidence_to_json(evidence: Evidence) -> dict[str, Any]:
    """Return {"linkId", "answer"} for an answer, {"score", "total"} for a score."""
    if isinstance(evidence, ScoreEvidence):
        return {"score": evidence.score, "total": evidence.total}
    return {"linkId": evidence.link_id, "answer": evidence.answer}


def evidence_from_json(data: Mapping[str, Any]) -> Evidence:
    """Read one piece of evidence, in today's shape or the older "score:<name>" one."""
    if "score" in data:
        return ScoreEvidence(data["score"], data.get("total"))
    link_id = data["linkId"]
    if link_id.startswith(_OLD_SCORE_PREFIX):
        return ScoreEvidence(link_id.removeprefix(_OLD_SCORE_PREFIX), data.get("answer"))
    return AnswerEvidence(link_id, data.get("answer"))


@dataclass(frozen=True)
class Flag:
    """A rule that fired (or a finding of the core's own), with its evidence."""

    id: str
    severity: str
    reason: str
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the form stored with a submission and printed by the CLI."""
        return {
            "id": self.id,
            "severity": self.severity,
            "reason": self.reason,
            "evidence": [evidence_to_json(e) for e in self.evidence],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Flag:
        """Read a stored flag (either evidence shape)."""
        evidence = tuple(evidence_from_json(e) for e in data.get("evidence", []))
        return cls(data["id"], data["severity"], data["reason"], evidence)


def category_for(flags: Iterable[Flag]) -> str:
    """Return the category of the most severe flag (likely-eligible if none is above info)."""
    present = {flag.severity for flag in flags}
    return next((_CATEGORY_FOR_SEVERITY[s] for s in SEVERITIES[:4] if s in present), CATEGORIES[-1])
