"""Issue 12's safety pathway in Chromium, as a person and a clinician meet it.

Each flow runs in two of the four combinations of English/Spanish and with/without
JavaScript, so that every flow runs in both languages and, where JavaScript changes what the
person sees (the crisis panel beside the answer), in both modes. The clinician's queue is
checked in a tab signed in once for the module (`admin_state`). Each person opens the
screening from a resume link at the step the flow is about, the steps before it answered
through the service (typing them is what the other wizard tests do; here it would only add
seconds).

- a taken-back disclosure (item 9, then the safety step's answers, then item 9 back to "not at
  all") reaches the queue urgent, with its timeline on the submission page; Back and the done
  page on the way show every crisis resource;
- "Ask the clinic to contact me today" puts an urgent, unfinished record in the queue at once;
- a risk draft left after "Save and finish later" (whose page shows every crisis resource)
  enters the queue once `flask notify escalate` runs RISK_DRAFT_SURFACE_MINUTES later: the
  command's clock is moved, nothing sleeps;
- a person discharged from a psychiatric stay 9 days ago who answers item 9 "not at all" is
  asked the discharge date (asked of everyone), meets crisis resources, and reaches the queue
  urgent with the date kept in the disclosure timeline;
- an empty response (an import) is incomplete in the queue.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from screening import cli
from screening.clock import today, utcnow
from tests.browser.journey import (
    BACK,
    CONTINUE_AFTER_CRISIS,
    SAVE,
    SEND,
    STEP_PATH,
    fill_consent,
    fill_visible,
    is_crisis_page,
    path_of,
    resume_at,
    section_id_of,
    send_step,
    walk_to,
)
from tests.factories import make_submission
from tests.questionnaire.factories import (
    NEARLY_EVERY_DAY,
    NOT_AT_ALL,
    SEVERAL_DAYS,
    clean_answers,
    contact_first_definition,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_app_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Serve a definition that asks for contact details first, as a clinic may order it: the
    clinic's queue then shows each screening by the name given. (The shipped order, contact
    details last, asks for them on the contact-today page: test_contact_today_form.py.)"""
    definition = contact_first_definition(tmp_path_factory.mktemp("definition"))
    return {"QUESTIONNAIRE_PATH": str(definition)}


LINKS = ('a[href="tel:988"]', 'a[href="sms:741741"]', 'a[href="tel:911"]')
CONTACT_TODAY = 'form[action$="/screening/contact-today"] button[type="submit"]'
INLINE_CONTACT_TODAY = '#crisis-phq9-9 button[name="action"][value="reach"]'
BOTH_WAYS = [("en", True), ("es", False)]
OTHER_WAYS = [("en", False), ("es", True)]


def ids(combinations: list[tuple[str, bool]]) -> list[str]:
    """Name each combination: en-with-js, es-without-js..."""
    return [f"{lang}-{'with' if js else 'without'}-js" for lang, js in combinations]


def assert_crisis_resources(tab, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The page, in `lang`, shows every crisis resource as a link a phone can tap."""
    tab.wait_for_load_state("domcontentloaded")  # after a click, the page may be half parsed
    assert tab.locator("html").get_attribute("lang") == lang
    for link in LINKS:
        assert tab.locator(f"main .crisis-panel {link}").first.is_visible(), (tab.url, link)


def queue_row(portal, live_app, name: str, *, reload: bool = True):  # type: ignore[no-untyped-def]
    """Return the queue's row of the screening signed `name` (None if absent), reloading
    the queue first unless told not to."""
    if reload:
        portal.goto(f"{live_app.url}/portal/")
    rows = portal.locator("tbody tr").filter(has=portal.get_by_role("link", name=name, exact=True))
    assert rows.count() <= 1
    return rows.first if rows.count() else None


def assert_urgent(row, *, unfinished: bool) -> None:  # type: ignore[no-untyped-def]
    """The row sits among the urgent ones, marked unfinished or not."""
    assert row is not None
    assert "row-urgent" in (row.get_attribute("class") or "")
    assert row.locator(".badge-unfinished").count() == int(unfinished)


def send_and_see_help(tab, answers, name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Walk on to the review page, sign and send: the ending of an urgent screening says what
    happens today and shows every crisis resource."""
    walk_to(tab, answers, "/screening/review")
    fill_consent(tab, name)
    tab.click(SEND)
    assert path_of(tab.url) == "/screening/done"
    assert_crisis_resources(tab, lang)


def open_urgent_screening(phone, admin_state, live_app, name: str):  # type: ignore[no-untyped-def]
    """As a clinician, find the screening signed `name` among the urgent ones and open it;
    return that tab."""
    portal = phone(storage_state=admin_state)
    row = queue_row(portal, live_app, name)
    assert_urgent(row, unfinished=False)
    row.get_by_role("link", name=name).click()
    expect(portal.locator(".triage-banner.triage-urgent-safety")).to_be_visible()
    return portal


@pytest.mark.parametrize(("lang", "javascript"), BOTH_WAYS, ids=ids(BOTH_WAYS))
def test_a_disclosure_taken_back_reaches_the_clinician(
    live_app, phone, admin_state, lang, javascript
):
    name = f"Taken Back {lang.upper()} {javascript}"
    answers = clean_answers(
        full_name=name,
        **{
            "phq9-9": SEVERAL_DAYS,
            "safety-thoughts-now": True,
            "safety-plan": False,
            "safety-safe-now": True,
        },
    )
    tab = resume_at(phone, live_app, "phq9", answers, lang, javascript)
    fill_visible(tab, "phq9", answers)
    # wizard.js shows the panel the moment the answer is chosen; without it, the next page.
    assert tab.locator("#crisis-phq9-9").is_visible() is javascript
    send_step(tab, "phq9", answers)
    assert is_crisis_page(tab)
    assert_crisis_resources(tab, lang)
    tab.click(CONTINUE_AFTER_CRISIS)
    walk_to(tab, answers, STEP_PATH + "safety")
    fill_visible(tab, "safety", answers)
    tab.click(BACK)
    # Back after a risk answer passes through every crisis resource.
    assert is_crisis_page(tab) and section_id_of(tab.url) == "gad7"
    assert_crisis_resources(tab, lang)
    tab.click(CONTINUE_AFTER_CRISIS)
    tab.click(BACK)
    assert section_id_of(tab.url) == "phq9"
    taken_back = {**answers, "phq9-9": NOT_AT_ALL}
    send_step(tab, "phq9", taken_back)
    send_and_see_help(tab, taken_back, name, lang)

    portal = open_urgent_screening(phone, admin_state, live_app, name)
    # Item 9 on the PHQ-9 step, then "thoughts now" on the safety step: both kept.
    timeline = portal.locator(".disclosure-list > li")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("PHQ-9")


@pytest.mark.parametrize(("lang", "javascript"), OTHER_WAYS, ids=ids(OTHER_WAYS))
def test_contact_today_puts_an_urgent_unfinished_record_in_the_queue(
    live_app, phone, admin_state, lang, javascript
):
    name = f"Call Today {lang.upper()} {javascript}"
    answers = clean_answers(full_name=name, **{"phq9-9": NEARLY_EVERY_DAY})
    tab = resume_at(phone, live_app, "phq9", answers, lang, javascript)
    portal = phone(storage_state=admin_state)
    fill_visible(tab, "phq9", answers)
    if javascript:
        tab.click(INLINE_CONTACT_TODAY)  # beside the answer, in the panel wizard.js shows
    else:
        send_step(tab, "phq9", answers)
        assert is_crisis_page(tab)
        tab.click(CONTACT_TODAY)
    assert path_of(tab.url) == "/screening/contact-today"
    assert_crisis_resources(tab, lang)
    # Right after that one request, the clinic's queue has it.
    assert_urgent(queue_row(portal, live_app, name), unfinished=True)


@pytest.mark.parametrize(("lang", "javascript"), OTHER_WAYS, ids=ids(OTHER_WAYS))
def test_an_abandoned_risk_draft_reaches_the_queue_after_the_set_minutes(
    live_app, phone, admin_state, monkeypatch, lang, javascript
):
    name = f"Left Idle {lang.upper()} {javascript}"
    answers = clean_answers(full_name=name, **{"phq9-9": SEVERAL_DAYS})
    tab = resume_at(phone, live_app, "phq9", answers, lang, javascript)
    fill_visible(tab, "phq9", answers)
    tab.click(SAVE)
    assert path_of(tab.url) == "/screening/saved"
    assert_crisis_resources(tab, lang)
    left_at = utcnow()
    minutes = live_app.app.config["RISK_DRAFT_SURFACE_MINUTES"]
    portal = phone(storage_state=admin_state)

    def escalate_at(moment) -> str:  # type: ignore[no-untyped-def]
        """Run `flask notify escalate` (cron's job every minute) with its clock at `moment`."""
        monkeypatch.setattr(cli, "utcnow", lambda: moment)
        result = live_app.app.test_cli_runner().invoke(args=["notify", "escalate"])
        assert result.exit_code == 0, result.output
        return result.output

    escalate_at(left_at + timedelta(minutes=minutes - 1))
    assert queue_row(portal, live_app, name) is None
    assert "Queued 1 idle risk screening" in escalate_at(left_at + timedelta(minutes=minutes + 1))
    assert_urgent(queue_row(portal, live_app, name), unfinished=True)


@pytest.mark.parametrize(("lang", "javascript"), OTHER_WAYS, ids=ids(OTHER_WAYS))
def test_a_person_discharged_last_week_who_denies_ideation_is_urgent(
    live_app, phone, admin_state, lang, javascript
):
    # Asked of everyone now, not behind item 9: the weeks after discharge are the riskiest.
    name = f"Recent Discharge {lang.upper()} {javascript}"
    answers = clean_answers(
        full_name=name,
        hospitalized=True,
        hospital_discharge=(today() - timedelta(days=9)).isoformat(),
        hospitalization_details="Ten days, after an overdose.",
        **{"phq9-9": NOT_AT_ALL},
    )
    tab = resume_at(phone, live_app, "treatment-history", answers, lang, javascript)
    send_step(tab, "treatment-history", answers)  # the date appears once "yes" is chosen
    # A discharge this recent is urgent, so crisis resources come before the next step.
    assert is_crisis_page(tab)
    assert_crisis_resources(tab, lang)
    send_and_see_help(tab, answers, name, lang)

    portal = open_urgent_screening(phone, admin_state, live_app, name)
    # The discharge date alone made it urgent (item 9 "not at all"), and it is kept as given.
    expect(portal.locator(".flag-urgent")).to_have_count(1)
    expect(portal.locator(".disclosure-list > li")).to_have_count(1)
    expect(portal.locator(".disclosure-list > li")).to_contain_text(answers["hospital-discharge"])


def test_an_empty_response_is_incomplete_in_the_queue(live_app, phone, admin_state):
    # An import that answers nothing is never filed as likely eligible.
    empty = make_submission(live_app.app, answers={})
    portal = phone(storage_state=admin_state)
    portal.goto(f"{live_app.url}/portal/")
    empty_row = portal.locator("tbody tr").filter(has=portal.locator(f'a[href$="/s/{empty}"]'))
    assert empty_row.locator(".badge-incomplete").is_visible()
