"""The words of the clinician workflow: statuses, categories and their labels.

Kept apart from the services so the queue, the forms, the exports and the templates agree on
one list. Labels are lazy so they translate in the clinician's interface language; templates
read them through the `label` filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

# new → in-review → contacted → evaluation-booked | not-a-fit | withdrawn → closed.
# Any move is allowed (people come back, mistakes get fixed); every move is audited.
STATUSES = (
    "new",
    "in-review",
    "contacted",
    "evaluation-booked",
    "not-a-fit",
    "withdrawn",
    "closed",
)
# Still waiting for a clinician to look: what the urgent banner counts.
OPEN_STATUSES = ("new", "in-review")
# Nothing more to do: a past follow-up date is no longer "overdue", and retention may purge it.
FINISHED_STATUSES = ("not-a-fit", "withdrawn", "closed")

STATUS_LABELS = {
    "new": _l("New"),
    "in-review": _l("In review"),
    "contacted": _l("Contacted"),
    "evaluation-booked": _l("Evaluation booked"),
    "not-a-fit": _l("Not a fit"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Closed"),
}
CATEGORY_LABELS = {
    "urgent-safety": _l("Urgent: safety"),
    "incomplete": _l("Incomplete: safety answers missing"),
    "likely-ineligible": _l("Likely ineligible"),
    "needs-review": _l("Needs review"),
    "likely-eligible": _l("Likely eligible"),
}
SEVERITY_LABELS = {
    "urgent": _l("Urgent"),
    "incomplete": _l("Incomplete"),
    "exclusion": _l("Exclusion"),
    "caution": _l("Caution"),
    "info": _l("Information"),
}
BAND_LABELS = {
    "minimal": _l("minimal"),
    "mild": _l("mild"),
    "moderate": _l("moderate"),
    "moderately-severe": _l("moderately severe"),
    "severe": _l("severe"),
}

# How an attempt to reach the person went; only "reached" is an answer.
CALL_OUTCOMES = (
    "reached",
    "no-answer",
    "left-voicemail",
    "wrong-number",
    "text-sent",
    "email-sent",
)
REACHED = "reached"
CALL_OUTCOME_LABELS = {
    "reached": _l("Reached"),
    "no-answer": _l("No answer"),
    "left-voicemail": _l("Left voicemail"),
    "wrong-number": _l("Wrong number"),
    "text-sent": _l("Text sent"),
    "email-sent": _l("Email sent"),
}


def status_label(status: str) -> str:
    """Return the display label of a status (the code itself if unknown)."""
    return str(STATUS_LABELS.get(status, status))


def label(code: str | None, labels: Mapping[str, Any]) -> str:
    """Return a code's translated label: the code itself if unknown, "-" for none."""
    text = labels.get(code or "")
    return str(text) if text is not None else (code or "-")
