"""Helpers for walking the screening in the browser: answer sets and how to fill a step."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from screening.database import new_session
from screening.models import Submission
from screening.questionnaire.conditions import enabled_items
from tests.browser.conftest import definition
from tests.factories import resume_token_at
from tests.questionnaire.factories import SEVERAL_DAYS, clean_answers

STEP_PATH = "/screening/step/"
NEXT = '.actions button[name="action"][value="next"]'
BACK = '.actions button[name="action"][value="back"]'
SAVE = '.actions button[name="action"][value="save"]'
START = 'form[action$="/screening/start"] button[type="submit"]'
SEND = '#review-form button[type="submit"]'
CONTINUE_AFTER_CRISIS = 'form[action$="/continue"] button[type="submit"]'
# The button on the page a resume link opens ("Continue my screening" / "Continue here").
CONTINUE_FROM_LINK = 'form[action*="/screening/resume"] button[type="submit"]'


def every_step_answers(**overrides: Any) -> dict[str, Any]:
    """Eligible answers that also open every conditional step and follow-up question.

    PHQ-9 item 9 "several days" opens the safety step (and the crisis page); PTSD among the
    reasons opens PC-PTSD-5; no therapist, a hospital stay, allergies and a known blood
    pressure open their follow-ups.
    """
    answers = clean_answers(
        reasons=["depression", "anxiety", "ptsd-trauma"],
        has_therapist=False,
        open_to_therapist="yes",
        psychotherapy_history="somewhat-helpful",
        hospitalized=True,
        hospital_discharge="2019-06-14",
        hospitalization_details="Once, for a week.",
        has_allergies="yes",
        allergy_details="Penicillin",
        ketamine_reaction="no",
        anesthesia_reaction="Felt sick after an operation once",
        **{
            "phq9-9": SEVERAL_DAYS,
            "safety-thoughts-now": False,
            "safety-plan": False,
            "safety-safe-now": True,
            "safety-support": "My sister",
            "pcptsd5-event": "yes",
            "pcptsd5-1": "yes",
            "pcptsd5-2": "no",
            "pcptsd5-3": "yes",
            "pcptsd5-4": "no",
            "pcptsd5-5": "no",
        },
    )
    answers.update(overrides)
    return answers


def path_of(url: str) -> str:
    """Return a URL's path (a fragment survives redirects, so it is dropped too)."""
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]


def section_id_of(url: str) -> str | None:
    """Return the step a wizard URL shows, or None off the steps."""
    path = path_of(url)
    if not path.startswith(STEP_PATH):
        return None
    return path.rsplit("/", 1)[-1]


def step_items(section_id: str, answers: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Return the questions of a step that apply with these answers."""
    return enabled_items(definition().section(section_id), answers)


def fill_step(tab, items, answers: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Answer the visible questions of a step the way a person would: click and type."""
    # Once parsed, with wizard.js listening (a click that navigated returns before that).
    tab.wait_for_load_state("domcontentloaded")
    for item in items:
        if item.link_id not in answers or item.type == "display":
            continue
        value = answers[item.link_id]
        if item.type == "boolean":
            tab.check(f'input[name="{item.link_id}"][value="{"yes" if value else "no"}"]')
        elif item.type in {"choice", "open-choice"}:
            for code in value if isinstance(value, list) else [value]:
                if item.option(code):
                    tab.check(f'input[name="{item.link_id}"][value="{code}"]')
                else:
                    tab.fill(f'[name="{item.link_id}__other"]', code)
        else:
            tab.fill(f'[name="{item.link_id}"]', str(value))


# Sets every answer of a step in one round trip, with the input and change events a click or
# keystroke fires (wizard.js reacts to them), for walks whose subject is not the typing itself.
ANSWER_JS = """
(answers) => {
  const fire = (el) => ['input', 'change'].forEach(
    (type) => el.dispatchEvent(new Event(type, { bubbles: true })));
  for (const [name, values, typed] of answers) {
    for (const value of values) {
      const el = typed
        ? document.querySelector(`[name="${CSS.escape(name)}"]`)
        : document.querySelector(`input[name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`);
      if (!el) throw new Error(`no field for ${name}=${value}`);
      if (typed) el.value = value; else el.checked = true;
      fire(el);
    }
  }
}
"""


def answer_step(tab, items, answers: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Answer the given questions of a step in one round trip (fill_step clicks and types)."""
    fields: list[tuple[str, list[str], bool]] = []
    for item in items:
        if item.link_id not in answers or item.type == "display":
            continue
        value = answers[item.link_id]
        if item.type == "boolean":
            fields.append((item.link_id, ["yes" if value else "no"], False))
        elif item.type in {"choice", "open-choice"}:
            for code in value if isinstance(value, list) else [value]:
                if item.option(code):
                    fields.append((item.link_id, [code], False))
                else:
                    fields.append((f"{item.link_id}__other", [code], True))
        else:
            fields.append((item.link_id, [str(value)], True))
    tab.evaluate(ANSWER_JS, fields)


def is_crisis_page(tab) -> bool:  # type: ignore[no-untyped-def]
    """Whether the server is showing crisis resources before the next step."""
    tab.wait_for_load_state("domcontentloaded")  # a count on a half-parsed page says 0
    return tab.locator(CONTINUE_AFTER_CRISIS).count() == 1


def fill_visible(tab, section_id: str, answers: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Answer the questions of a step that are on screen (without JavaScript, fewer are)."""
    # A click that navigates returns once the next page starts loading: wait until it is
    # parsed and wizard.js has run, or the last questions may not be there yet (a CI run
    # found item 9 unanswered and its crisis panel not shown).
    tab.wait_for_load_state("domcontentloaded")
    # One round trip for the whole page, rather than one per question.
    shown = set(tab.locator(".question:visible").evaluate_all("nodes => nodes.map(n => n.id)"))
    items = step_items(section_id, answers)
    answer_step(tab, [item for item in items if f"q-{item.link_id}" in shown], answers)


def send_step(tab, section_id: str, answers: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Answer a step and press Next; without JavaScript, answer the follow-up questions the
    server shows next and press it again."""
    for _ in range(2):
        fill_visible(tab, section_id, answers)
        tab.click(NEXT)
        if is_crisis_page(tab) or section_id_of(tab.url) != section_id:
            return
    raise AssertionError(f"{section_id} did not move on")


def walk_to(tab, answers: dict[str, Any], path: str) -> None:  # type: ignore[no-untyped-def]
    """Answer step after step, passing crisis pages with Continue, until the wizard shows
    `path` itself (not crisis resources before it), with JavaScript or without."""
    for _ in range(60):
        if is_crisis_page(tab):
            tab.click(CONTINUE_AFTER_CRISIS)
            continue
        if path_of(tab.url) == path:
            return
        section_id = section_id_of(tab.url)
        assert section_id is not None, tab.url
        send_step(tab, section_id, answers)
    raise AssertionError(f"the wizard never reached {path}: at {tab.url}")


def fill_consent(tab, name: str = "Alex Rivera") -> None:  # type: ignore[no-untyped-def]
    """Agree to both statements and sign on the review page."""
    tab.check('input[name="consent-accuracy"][value="yes"]')
    tab.check('input[name="consent-privacy"][value="yes"]')
    tab.fill('[name="signature"]', name)


def latest_submission_answers(app: Flask) -> dict[str, Any]:
    """Return the answers of the most recent submitted screening."""
    with app.app_context():
        db = new_session()
        try:
            submission = db.scalars(
                select(Submission)
                .where(Submission.submitted_at.is_not(None))
                .order_by(Submission.id.desc())
            ).first()
            assert submission is not None
            return dict(submission.answers)
        finally:
            db.close()


def resume_at(
    phone, live_app, section_id: str, answers: dict[str, Any], lang: str, javascript: bool
):  # type: ignore[no-untyped-def]
    """Open, on a phone in `lang`, a screening answered up to step `section_id` (through the
    service) from its resume link; return the tab showing that step.

    Cheaper than typing the steps before it, which other tests walk.
    """
    token = resume_token_at(live_app.app, section_id, answers, lang)
    tab = phone(javascript=javascript)
    tab.goto(f"{live_app.url}/screening/resume/{token}?lang={lang}")
    tab.click(CONTINUE_FROM_LINK)
    assert section_id_of(tab.url) == section_id, tab.url
    return tab
