"""The question macro: the interface language, escaped typed values, errors by their field."""

from __future__ import annotations

from typing import Any

from flask import get_template_attribute
from werkzeug.datastructures import MultiDict

from screening.intake.forms import answers_to_formdata, build_section_form, form_to_answers
from screening.presenters import QuestionView, question_views
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire_registry import registry
from tests.i18n.conftest import walk_answers
from tests.intake.test_forms import DAY

TYPED = "Zebra <b>\"bold\"</b> & 'quoted'"


def views_for(section_id: str, lang: str, formdata: MultiDict, *, validate: bool = False) -> Any:
    """Build the question views of a step as the wizard does (in a request in `lang`)."""
    q = registry().current
    section = q.section(section_id)
    form = build_section_form(section, list(section.items), lang, DAY, formdata)
    answers = {**walk_answers(), **form_to_answers(list(section.items), form)}
    visible = enabled_items(section, answers)
    errors: dict[str, list[str]] = {}
    if validate:
        form.validate()
        errors = {name: list(messages) for name, messages in form.errors.items()}
    return question_views(section, form, visible, errors, lang, q, registry().risk_answers, answers)


def macro_html(views: list[QuestionView]) -> str:
    """Render every question with the macro, as the step and review pages do."""
    return str(get_template_attribute("macros/fields.html", "questions")(views))


def typed_formdata(section_id: str) -> MultiDict:
    """Every answer given, and every text field holding markup-like typed text."""
    section = registry().current.section(section_id)
    answered = answers_to_formdata(list(section.items), walk_answers())
    typed = MultiDict(answered)
    for item in section.items:
        if item.type in {"string", "text", "email", "phone", "integer", "decimal", "date"}:
            typed.setlist(item.link_id, [TYPED])
        if item.type == "open-choice":
            typed.setlist(item.link_id + "__other", [TYPED])
    return typed


def test_spanish_after_english_is_spanish(app):
    with app.test_request_context("/?lang=en"):
        english = macro_html(views_for("concerns", "en", MultiDict()))
    with app.test_request_context("/?lang=es"):
        spanish = macro_html(views_for("concerns", "es", MultiDict()))
    with app.test_request_context("/?lang=en"):
        again = macro_html(views_for("concerns", "en", MultiDict()))
    assert spanish != english
    assert "(opcional)" in spanish
    assert "(optional)" not in spanish
    assert again == english


def test_typed_values_are_escaped(app):
    with app.test_request_context("/?lang=en"):
        views = views_for("concerns", "en", typed_formdata("concerns"))
        html = macro_html(views)
    assert "Zebra &lt;b&gt;&#34;bold&#34;&lt;/b&gt; &amp; &#39;quoted&#39;" in html
    assert "<b>" not in html


def test_questions_with_errors_show_the_error_next_to_the_field(app):
    with app.test_request_context("/?lang=en"):
        views = views_for("about-you", "en", MultiDict({"email": "nope"}), validate=True)
        html = macro_html(views)
    assert (
        'aria-describedby="email-error"' in html
        or 'aria-describedby="email-hint email-error"' in html
    )
    assert 'id="email-error"' in html
    assert 'aria-invalid="true"' in html


def test_questions_that_do_not_apply_yet_are_hidden_and_answers_checked(app):
    with app.test_request_context("/?lang=en"):
        views = views_for("concerns", "en", typed_formdata("concerns"))
        html = macro_html(views)
    assert any(not view.visible for view in views) and any(view.visible for view in views)
    for view in views:
        opening = html.split(f'id="q-{view.link_id}"', 1)[1].split(">", 1)[0]
        assert ("hidden" in opening) is not view.visible, view.link_id
    checked = [o for view in views for o in view.options if o.checked]
    assert checked and html.count(" checked ") == len(checked)
