"""In Chromium: a clinic's overlay file (instance/questionnaire.overrides.yaml) puts its own
words into the wizard, in English and Spanish, and the page stays accessible."""

from __future__ import annotations

import pytest
import yaml

from screening.intake import service as intake_service
from screening.questionnaire_registry import init_questionnaire, registry
from tests.browser.checks import PageAudit
from tests.browser.journey import resume_at

pytestmark = pytest.mark.browser

WORDS = {
    "title": {"en": "Our first questions for you", "es": "Nuestras primeras preguntas"},
    "text": {"en": "What should we call you, in full?", "es": "¿Cómo se llama, completo?"},
    "help": {"en": "As on your ID, please.", "es": "Como en su identificación, por favor."},
}


@pytest.fixture(scope="module")
def live_app_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Leave the overlay's path to the test, which writes it once it knows the first step."""
    folder = tmp_path_factory.mktemp("overrides")
    return {"QUESTIONNAIRE_OVERRIDES_PATH": str(folder / "questionnaire.overrides.yaml")}


def first_step(app):  # type: ignore[no-untyped-def]
    """The wizard's first step and its first question (whatever the definition's order)."""
    with app.app_context():
        section = intake_service.wizard_steps(registry().current, {})[0]
    return section, next(item for item in section.items if item.type != "display")


def test_the_overlay_words_show_in_the_wizard_in_both_languages(live_app, phone):
    app = live_app.app
    section, item = first_step(app)
    overlay = {
        section.link_id: {"title": WORDS["title"]},
        item.link_id: {"text": WORDS["text"], "help": WORDS["help"]},
    }
    path = app.config["QUESTIONNAIRE_OVERRIDES_PATH"]
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(overlay, handle, allow_unicode=True)
    # Read when the app starts: as after a restart in production.
    init_questionnaire(app)
    audit = PageAudit()
    for lang in ("en", "es"):
        tab = resume_at(phone, live_app, section.link_id, {}, lang, javascript=True)
        assert tab.locator("h1").inner_text().strip() == WORDS["title"][lang]
        label = tab.locator(f'label[for="{item.link_id}"], #{item.link_id}-legend, legend')
        assert WORDS["text"][lang] in label.first.inner_text()
        assert WORDS["help"][lang] in tab.locator("main").inner_text()
        audit.check(tab, f"first step with the clinic's words ({lang})", page_type="step")
    audit.assert_clean()
