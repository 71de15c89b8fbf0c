"""Question markup: a cached skeleton filled in per request equals the macro's own rendering."""

from __future__ import annotations

from typing import Any

import pytest
from flask import get_template_attribute
from werkzeug.datastructures import MultiDict

from screening.intake.cache_keys import Same
from screening.intake.forms import answers_to_formdata, build_section_form, form_to_answers
from screening.intake.question_markup import questions_html, shape_of, skeleton
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
    """Render every question with the macro itself, as the templates did before the cache."""
    question = get_template_attribute("macros/fields.html", "question")
    return "".join(str(question(view)) for view in views)


def formdata_states(section_id: str) -> list[MultiDict]:
    """Empty, fully answered, and every text field holding markup-like typed text."""
    section = registry().current.section(section_id)
    answered = answers_to_formdata(list(section.items), walk_answers())
    typed = MultiDict(answered)
    for item in section.items:
        if item.type in {"string", "text", "email", "phone", "integer", "decimal", "date"}:
            typed.setlist(item.link_id, [TYPED])
        if item.type == "open-choice":
            typed.setlist(item.link_id + "__other", [TYPED])
    return [MultiDict(), answered, typed]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_step_renders_as_the_macro_does(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        for section in registry().current.sections:
            for formdata in formdata_states(section.link_id):
                views = views_for(section.link_id, lang, formdata)
                assert str(questions_html(views)) == macro_html(views), section.link_id
                views = views_for(section.link_id, lang, formdata, validate=True)
                assert str(questions_html(views)) == macro_html(views), section.link_id


@pytest.mark.parametrize("lang", ["en", "es"])
def test_review_consent_renders_as_the_macro_does(app, lang):
    """The review page binds only the consent questions that apply; the rest have no field."""
    with app.test_request_context(f"/?lang={lang}"):
        q = registry().current
        consent = q.section("consent")
        shown = enabled_items(consent, {})
        for formdata in (MultiDict(), MultiDict({"signature": TYPED, "consent-privacy": "yes"})):
            form = build_section_form(consent, shown, lang, DAY, formdata)
            views = question_views(consent, form, shown, {}, lang, q)
            assert str(questions_html(views)) == macro_html(views)


def test_spanish_after_english_is_spanish(app):
    with app.test_request_context("/?lang=en"):
        english = str(questions_html(views_for("concerns", "en", MultiDict())))
    with app.test_request_context("/?lang=es"):
        spanish = str(questions_html(views_for("concerns", "es", MultiDict())))
    with app.test_request_context("/?lang=en"):
        again = str(questions_html(views_for("concerns", "en", MultiDict())))
    assert spanish != english
    assert "(opcional)" in spanish
    assert "(optional)" not in spanish
    assert again == english


def test_typed_values_are_escaped_and_never_cached(app):
    with app.test_request_context("/?lang=en"):
        views = views_for("concerns", "en", formdata_states("concerns")[2])
        html = str(questions_html(views))
        assert "Zebra &lt;b&gt;&#34;bold&#34;&lt;/b&gt; &amp; &#39;quoted&#39;" in html
        for view in views:
            cached = skeleton(shape_of(view, "en", templates(app)))
            assert not any("Zebra" in text for text in cached.texts)


def test_questions_with_errors_show_the_error_next_to_the_field(app):
    with app.test_request_context("/?lang=en"):
        views = views_for("about-you", "en", MultiDict({"email": "nope"}), validate=True)
        html = str(questions_html(views))
    assert (
        'aria-describedby="email-error"' in html
        or 'aria-describedby="email-hint email-error"' in html
    )
    assert 'id="email-error"' in html
    assert 'aria-invalid="true"' in html


def templates(app) -> Any:  # type: ignore[no-untyped-def]
    """Return the templates a skeleton is keyed by."""
    env = app.jinja_env
    return (
        Same(env.get_template("macros/fields.html")),
        Same(env.get_template("intake/_crisis_panel.html")),
    )
