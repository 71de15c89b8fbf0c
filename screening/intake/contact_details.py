"""The contact-today page's short form: a name, and a phone number or an email address.

Asked only when the screening has neither yet (a clinic's definition may ask for contact
details late or last), so that "Ask the clinic to contact me today" never files a record no
one can act on. The questions are the definition's own, found by role; their answers are
saved as answers, so the wizard later shows them already filled in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form

from screening.clock import today
from screening.i18n import current_language
from screening.intake.forms import build_section_form, form_to_answers, validate_items
from screening.intake.pages import questionnaire, unfinished_or_review_url
from screening.models import Submission
from screening.presenters import question_views
from screening.questionnaire.model import Item, LocalizedText, Questionnaire, Section

ROLES = ("name", "phone", "email")
REACH_ROLES = ("phone", "email")


def section(q: Questionnaire) -> Section | None:
    """Return the form's questions as one page: the name required, phone and email optional
    on their own (one of them is required); None when the definition asks for neither."""
    items = [item for item in map(q.role_item, ROLES) if item is not None]
    if not any(item.role in REACH_ROLES for item in items):
        return None
    return Section(
        link_id="contact-today",
        title=LocalizedText.of("Contact details"),  # the page has its own translated heading
        items=tuple(replace(item, required=item.role == "name", enable_when=()) for item in items),
    )


def reachable(q: Questionnaire, answers: dict[str, Any]) -> bool:
    """Whether the clinic has a phone number or an email address (or cannot ask for one)."""
    if section(q) is None:
        return True
    return any(q.role_answer(role, answers) for role in REACH_ROLES)


def bind(page: Section, formdata: MultiDict) -> Form:
    """Bind the form's fields to what was sent (or to the answers saved so far)."""
    return build_section_form(page, list(page.items), current_language(), today(), formdata)


def errors(page: Section, form: Form) -> dict[str, list[str]]:
    """Validate each field, then ask for a phone number or an email if both are empty."""
    found = validate_items(form, list(page.items))
    if not any(form_to_answers(reach_items(page), form).values()):
        message = str(_l("Enter a phone number or an email address, so the clinic can reach you."))
        for item in reach_items(page):
            found.setdefault(item.link_id, []).append(message)
    return found


def reach_items(page: Section) -> list[Item]:
    """The phone and email questions of the form."""
    return [item for item in page.items if item.role in REACH_ROLES]


def answers(page: Section, form: Form) -> dict[str, Any]:
    """The validated form's answers, by linkId."""
    return form_to_answers(list(page.items), form)


def render(
    draft: Submission,
    page: Section,
    form: Form,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
) -> str:
    """The contact-today form beside every crisis resource, with errors next to the fields."""
    q = questionnaire()
    return render_template(
        "intake/contact_today.html",
        questions=question_views(page, form, list(page.items), errors or {}, current_language(), q),
        continue_url=unfinished_or_review_url(q, draft),
        notice=notice,
    )
