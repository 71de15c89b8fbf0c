"""Every public page and screening step is light (under 100 KB) and asks no other host.

People often arrive on a phone with a poor connection, and a health site that calls other
hosts leaks who visits it. The browser cache is off (routing every request disables it), so
each page is weighed as a first visit: HTML, CSS, JavaScript and images, uncompressed. The
table is printed and written to tests/browser/screenshots/weights.txt.
"""

from __future__ import annotations

import pytest

from screening.public.content import PAGES
from tests.browser.checks import PHONE, WeightLog, write_weights
from tests.browser.journey import (
    CONTINUE_AFTER_CRISIS,
    CONTINUE_FROM_LINK,
    NEXT,
    SAVE,
    SEND,
    START,
    every_step_answers,
    fill_consent,
    fill_step,
    is_crisis_page,
    section_id_of,
    step_items,
)

pytestmark = pytest.mark.browser

BUDGET = 100 * 1024


def test_every_page_is_under_100_kb_and_served_from_one_origin(live_app, browser):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.set_default_timeout(5000)
    context.route("**/*", lambda route: route.continue_())  # no cache: weigh first visits
    tab = context.new_page()
    log = WeightLog(live_app.url)
    log.attach(tab)
    rows: list[tuple[str, int]] = []

    def weigh(name: str) -> None:
        tab.wait_for_load_state("load")
        # The icon is fetched last, after the load event; wait for it rather than for idle.
        for _ in range(50):
            if any(url.endswith("/favicon.svg") for url, _size in log.responses):
                break
            tab.wait_for_timeout(20)
        rows.append((name, log.take()))

    for lang in ("en", "es"):
        for slug in PAGES:
            log.take()
            tab.goto(f"{live_app.url}{'/' if slug == 'home' else '/' + slug}?lang={lang}")
            weigh(f"{slug} ({lang})")
    log.take()
    tab.goto(f"{live_app.url}/screening/?lang=en")
    weigh("screening intro")

    answers = every_step_answers()
    log.take()
    tab.click(START)
    saved = False
    for _ in range(30):
        section_id = section_id_of(tab.url)
        if section_id is None:
            break
        weigh("crisis page" if is_crisis_page(tab) else f"step {section_id}")
        if is_crisis_page(tab):
            tab.click(CONTINUE_AFTER_CRISIS)
            continue
        fill_step(tab, step_items(section_id, answers), answers)
        log.take()
        if section_id == "practicalities" and not saved:
            saved = True
            tab.click(SAVE)
            weigh("saved")
            link = tab.input_value("#resume-link")
            log.take()
            tab.goto(link)
            tab.click(CONTINUE_FROM_LINK)
            if is_crisis_page(tab):  # a resumed draft with a risk answer shows help first
                weigh("crisis page after resuming")
                tab.click(CONTINUE_AFTER_CRISIS)
            continue
        tab.click(NEXT)
    weigh("review")
    fill_consent(tab)
    log.take()
    tab.click(SEND)
    weigh("confirmation")
    context.close()

    table = write_weights(rows)
    print("\n" + table)
    assert not log.foreign, f"requests to other hosts: {log.foreign}"
    heavy = [(name, size) for name, size in rows if size >= BUDGET]
    assert not heavy, f"pages over 100 KB: {heavy}"
    assert len(rows) >= 20 + 1 + 11 + 4, [name for name, _ in rows]
