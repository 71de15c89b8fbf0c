"""Section forms: labels and messages in the page's language, fresh data every time."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from screening.intake.forms import (
    build_section_form,
    validate_items,
)
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire_registry import registry

DAY = date(2026, 11, 27)


def about_you(app, lang):  # type: ignore[no-untyped-def]
    """Build the about-you form (every item, no data) in a request in `lang`."""
    with app.test_request_context(f"/?lang={lang}"):
        section = registry().current.section("about-you")
        form = build_section_form(section, list(section.items), lang, DAY, MultiDict())
        form.validate()
        return {field.name: (str(field.label.text), list(field.errors)) for field in form}


def test_spanish_form_after_english_has_spanish_labels_and_messages(app):
    english = about_you(app, "en")
    spanish = about_you(app, "es")
    assert english["full-name"][0] != spanish["full-name"][0]
    assert english["date-of-birth"][1] != spanish["date-of-birth"][1]
    assert about_you(app, "en") == english
    assert about_you(app, "es") == spanish


def test_age_check_uses_the_day_the_form_was_built_for(app):
    with app.test_request_context("/?lang=en"):
        section = registry().current.section("about-you")
        items = list(section.items)
        data = MultiDict({"date-of-birth": "2008-11-28"})
        day_before = build_section_form(section, items, "en", date(2026, 11, 27), data)
        birthday = build_section_form(section, items, "en", date(2026, 11, 28), data)
        assert not day_before["date-of-birth"].validate(day_before)
        assert birthday["date-of-birth"].validate(birthday)


def test_forms_of_one_section_keep_their_own_data(app):
    with app.test_request_context("/?lang=en"):
        section = registry().current.section("concerns")
        items = list(section.items)
        first = build_section_form(section, items, "en", DAY, MultiDict({"goals": "first"}))
        second = build_section_form(section, items, "en", DAY, MultiDict({"goals": "second"}))
        assert (first["goals"].data, second["goals"].data) == ("first", "second")


def test_validating_some_items_gives_the_errors_of_a_form_of_only_those(app):
    garbage = MultiDict(
        {"date-of-birth": "2999-01-01", "email": "nope", "phone": "12", "state": "mars"}
    )
    with app.test_request_context("/?lang=en"):
        section = registry().current.section("about-you")
        shown = enabled_items(section, {})
        whole = build_section_form(section, list(section.items), "en", DAY, garbage)
        only_shown = build_section_form(section, shown, "en", DAY, garbage)
        only_shown.validate()
        assert validate_items(whole, shown) == only_shown.errors
        assert "email" in only_shown.errors
