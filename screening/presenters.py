"""Shape questions and answers for templates: the wizard, the review page and the portal.

Every question renders through one macro, so this module gathers what it needs: the bound
field, whether it applies yet, its errors, and the data JavaScript uses to reveal follow-ups
and crisis resources on the same page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from wtforms import Field, Form

from screening.intake.forms import OTHER_SUFFIX
from screening.questionnaire.conditions import condition_holds, enabled_items, enabled_sections
from screening.questionnaire.model import Item, Questionnaire, Section


@dataclass
class OptionView:
    """One radio button or checkbox."""

    value: str
    label: str
    checked: bool
    risk: bool
    lang: str | None = None


@dataclass
class QuestionView:
    """Everything the question macro needs to render one item accessibly."""

    item: Item
    text: str
    help: str | None
    field: Field | None
    visible: bool
    errors: list[str]
    options: list[OptionView] = field(default_factory=list)
    other: Field | None = None
    enable_when: str | None = None
    # Set when the text falls back to English on a page in another language (WCAG 3.1.2).
    text_lang: str | None = None
    # A consent statement: one box to tick ("I agree..."), not Yes/No radios.
    agreement: bool = False
    # The statement split around the words that link to the privacy notice, if it names it.
    linked: tuple[str, str, str] | None = None

    @property
    def link_id(self) -> str:
        """The item's stable id, also its form field name."""
        return self.item.link_id


def _field_values(form_field: Field) -> list[str]:
    data = form_field.data
    if isinstance(data, list):
        return [str(value) for value in data]
    return [] if data in (None, "") else [str(data)]


def _client_conditions(item: Item, section: Section, answers: dict[str, Any]) -> str | None:
    """Serialise enableWhen for the browser; conditions on other pages are decided here."""
    if not item.enable_when:
        return None
    on_page = {i.link_id for i in section.items}
    conditions = []
    for condition in item.enable_when:
        if condition.question in on_page:
            answer = condition.answer
            if condition.answer_type == "boolean" and condition.operator != "exists":
                answer = "yes" if condition.answer else "no"
            conditions.append(
                {"question": condition.question, "operator": condition.operator, "answer": answer}
            )
        else:
            conditions.append({"fixed": condition_holds(condition, answers)})
    return json.dumps({"behavior": item.enable_behavior, "conditions": conditions})


def question_views(
    section: Section,
    form: Form,
    visible_items: list[Item],
    errors: dict[str, list[str]],
    lang: str,
    q: Questionnaire,
    risk_answers: Mapping[str, frozenset[str]] | None = None,
    answers: dict[str, Any] | None = None,
) -> list[QuestionView]:
    """Build a view for every item of the section, marking those that do not apply yet."""
    visible = {item.link_id for item in visible_items}
    views = []
    for item in section.items:
        form_field = form._fields.get(item.link_id)
        chosen = _field_values(form_field) if form_field is not None else []
        risky = risk_answers.get(item.link_id, frozenset()) if risk_answers else frozenset()
        view = QuestionView(
            item=item,
            text=item.text.get(lang),
            text_lang="en" if lang != "en" and not item.text.has(lang) else None,
            help=item.help.get(lang) if item.help else None,
            field=form_field,
            visible=item.link_id in visible,
            errors=errors.get(item.link_id, []) + errors.get(item.link_id + OTHER_SUFFIX, []),
            enable_when=_client_conditions(item, section, answers or {}),
        )
        if is_agreement(section, item):
            view.agreement = True
            view.linked = _split_on(view.text, _("privacy notice"))
        elif item.type == "boolean":
            view.options = [
                OptionView("yes", _("Yes"), "yes" in chosen, "yes" in risky),
                OptionView("no", _("No"), "no" in chosen, "no" in risky),
            ]
        elif item.options:
            view.options = [
                OptionView(
                    o.code,
                    o.display.get(lang),
                    o.code in chosen,
                    o.code in risky,
                    "en" if lang != "en" and not o.display.has(lang) else None,
                )
                for o in item.options
            ]
        if item.type == "open-choice" and item.link_id + OTHER_SUFFIX in form:
            view.other = form[item.link_id + OTHER_SUFFIX]
        views.append(view)
    return views


def is_agreement(section: Section, item: Item) -> bool:
    """A yes/no question of the consent section is a statement to agree to, with one box."""
    return section.role == "consent" and item.type == "boolean"


def _split_on(text: str, phrase: str) -> tuple[str, str, str] | None:
    """Split a text around the first occurrence of `phrase` (any case), if it has one."""
    at = text.lower().find(phrase.lower())
    if at < 0 or not phrase:
        return None
    return text[:at], text[at : at + len(phrase)], text[at + len(phrase) :]


def format_answer(item: Item, value: Any, lang: str, *, long_dates: bool = False) -> str:
    """Render a stored answer as the person would read it.

    `long_dates`: dates as the person writes them in their language ("April 12, 1988"), as
    the review page shows them; otherwise English keeps year-month-day.
    """
    if value is None:
        return ""
    if item.type == "boolean":
        return _("Yes") if value else _("No")
    if item.is_choice:
        values = value if isinstance(value, list) else [value]
        shown = []
        for entry in values:
            option = item.option(entry) if isinstance(entry, str) else None
            shown.append(option.display.get(lang) if option else str(entry))
        return ", ".join(shown)
    if item.type == "date" and (long_dates or lang != "en") and isinstance(value, str):
        # In the person's own way of writing dates ("27 de marzo de 1985"); the clinician,
        # who always reads English, keeps the unambiguous year-month-day.
        try:
            return format_date(date.fromisoformat(value), format="long")
        except ValueError:
            return value
    return str(value)


@dataclass
class AnsweredSection:
    """A section's questions and answers, for the review page and the clinician."""

    section: Section
    title: str
    rows: list[tuple[Item, str, str]]


def answered_sections(
    q: Questionnaire,
    answers: dict[str, Any],
    lang: str,
    skip: set[str] | None = None,
    *,
    long_dates: bool = False,
) -> list[AnsweredSection]:
    """List every enabled section with each applicable question and its answer."""
    result = []
    for section in enabled_sections(q, answers):
        if skip and section.link_id in skip:
            continue
        rows = [
            (
                item,
                item.text.get(lang),
                format_answer(item, answers.get(item.link_id), lang, long_dates=long_dates)
                if item.link_id in answers
                else _("Not answered"),
            )
            for item in enabled_items(section, answers)
            if item.type != "display"
        ]
        result.append(AnsweredSection(section, section.title.get(lang), rows))
    return result
