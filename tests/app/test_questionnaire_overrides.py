"""The app refuses to start with a mistaken overlay file, naming the file and the linkId."""

from __future__ import annotations

import pytest

from screening.questionnaire.overrides import OverrideError
from tests.conftest import make_app


def test_a_mistaken_overlay_stops_the_app_naming_the_file_and_the_link_id(tmp_path, database_url):
    overlay = tmp_path / "instance" / "questionnaire.overrides.yaml"
    overlay.parent.mkdir()
    overlay.write_text("goals:\n  text: {en: Only English}\n", encoding="utf-8")
    with pytest.raises(OverrideError) as refused:
        make_app(tmp_path, database_url)
    assert str(overlay) in str(refused.value)
    assert "goals: text: give the es words too" in str(refused.value)


def test_the_overlay_in_the_instance_folder_is_read_by_default(tmp_path, database_url):
    overlay = tmp_path / "instance" / "questionnaire.overrides.yaml"
    overlay.parent.mkdir()
    overlay.write_text(
        "goals:\n  text: {en: What would you change?, es: ¿Qué cambiaría?}\n", encoding="utf-8"
    )
    app = make_app(tmp_path, database_url)
    goals = app.extensions["questionnaire"].current.item("goals")
    assert (goals.text.get("en"), goals.text.get("es")) == (
        "What would you change?",
        "¿Qué cambiaría?",
    )
