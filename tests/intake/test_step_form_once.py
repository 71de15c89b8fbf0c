"""A step request binds the section's form once, however the POST turns out."""

from __future__ import annotations

from typing import Any

import pytest

from screening.intake import forms, pages
from tests.intake.wizard_driver import section_formdata, start, start_at
from tests.questionnaire.factories import clean_answers


@pytest.fixture
def form_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every step form built (the real builder still runs)."""
    built: list[str] = []

    def build(section: Any, *args: Any, **kwargs: Any) -> Any:
        built.append(section.link_id)
        return forms.build_section_form(section, *args, **kwargs)

    monkeypatch.setattr(pages, "build_section_form", build)
    return built


def test_a_step_post_with_errors_builds_its_form_once(app, client, form_builds):
    start_at(app, client, clean_answers())
    data = section_formdata(app, "about-you", clean_answers(email="not-an-email"))
    for _attempt in range(2):  # the second attempt also reads the input kept from the first
        form_builds.clear()
        page = client.post("/screening/step/about-you", data=data)
        assert page.status_code == 200 and b'id="email-error"' in page.data
        assert form_builds == ["about-you"]


def test_a_step_post_that_reveals_questions_builds_its_form_once(app, client, form_builds):
    start(client)
    answers = clean_answers(hospitalized=True)
    for section in ("concerns",):
        client.post(f"/screening/step/{section}", data=section_formdata(app, section, answers))
    data = section_formdata(app, "treatment-history", clean_answers(hospitalized=True))
    form_builds.clear()
    page = client.post("/screening/step/treatment-history", data=data)
    assert b"a few more questions on this page" in page.data
    assert form_builds == ["treatment-history"]


def test_showing_a_step_builds_its_form_once(app, client, form_builds):
    start(client)
    form_builds.clear()
    assert client.get("/screening/step/concerns").status_code == 200
    assert form_builds == ["concerns"]
