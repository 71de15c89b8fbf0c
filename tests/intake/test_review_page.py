"""The review page folds its sections, writes dates the person's way, and the step pages say
"optional" once per question."""

from __future__ import annotations

import re

from flask import Flask

from screening.questionnaire_registry import registry
from tests.intake.wizard_driver import answer_steps, section_formdata, start, start_at
from tests.questionnaire.factories import clean_answers

SECTION = re.compile(r'<details class="review-section" id="review-([a-z0-9-]+)"( open)?>')
SAYS_OPTIONAL = re.compile(r"\s*(optional|opcional)\b", re.IGNORECASE)


def reach_review(app: Flask, client, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    """Answer every step in `lang` and arrive on the review page."""
    client.get(f"/screening/?lang={lang}")
    assert answer_steps(app, client, clean_answers(), start(client)) == "/screening/review"


def test_sections_are_folded_and_open_on_request(app, client):
    reach_review(app, client)
    html = client.get("/screening/review").data.decode()
    sections = SECTION.findall(html)
    assert len(sections) >= 5
    assert all(opened == "" for _, opened in sections)  # folded; <details> needs no script
    assert "<summary><h2>About you</h2>" in html
    assert 'href="/screening/review?open=all"' in html
    assert 'href="/screening/step/about-you?return=review"' in html
    everything = client.get("/screening/review?open=all").data.decode()
    assert all(opened == " open" for _, opened in SECTION.findall(everything))
    assert 'href="/screening/review">Fold all sections' in everything


def test_a_section_changed_from_review_comes_back_unfolded(app, client):
    reach_review(app, client)
    change = "/screening/step/concerns?return=review"
    data = section_formdata(app, "concerns", clean_answers(goals="Sleep through the night"))
    back = client.post(change, data=data)
    assert back.headers["Location"] == "/screening/review?open=concerns#review-concerns"
    html = client.get("/screening/review?open=concerns").data.decode()
    assert dict(SECTION.findall(html)) == {
        section: " open" if section == "concerns" else "" for section, _ in SECTION.findall(html)
    }
    assert "Sleep through the night" in html


def test_review_writes_the_date_of_birth_the_persons_way(app):
    english, spanish = app.test_client(), app.test_client()
    reach_review(app, english, "en")
    reach_review(app, spanish, "es")
    assert "April 12, 1988" in english.get("/screening/review").data.decode()
    assert "1988-04-12" not in english.get("/screening/review").data.decode()
    assert "12 de abril de 1988" in spanish.get("/screening/review").data.decode()


def test_optional_is_said_once_per_question(app):
    """The "(optional)" marker after a question says it; no hint of the definition says it
    again ("Optional. From 0 to 11.")."""
    with app.app_context():
        hints = [
            (item.link_id, item.help.get(lang))
            for section in registry().current.sections
            for item in section.items
            if item.help is not None
            for lang in ("en", "es")
        ]
    assert hints
    said_again = [(link_id, hint) for link_id, hint in hints if SAYS_OPTIONAL.match(hint)]
    assert said_again == []


def test_step_page_marks_an_optional_question_once(app, client):
    start_at(app, client, clean_answers())  # contact details come last
    html = client.get("/screening/step/about-you").data.decode()
    label = re.search(
        r'<label class="question-label" for="preferred-name">(.*?)</label>', html, re.S
    )
    assert label and "(optional)" in label.group(1)
    hint = re.search(r'<p class="hint" id="preferred-name-hint">(.*?)</p>', html, re.S)
    assert hint and "optional" not in hint.group(1).lower()
    assert hint.group(1).startswith("Leave blank")
