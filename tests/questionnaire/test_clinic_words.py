"""The clinic's own words: placeholders in the definition filled from settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.questionnaire import DEFINITION_PATH, RULES_PATH
from screening.questionnaire.clinic_words import ClinicWords, join_or, with_clinic_words
from screening.questionnaire.fhir import questionnaire_to_fhir
from screening.questionnaire.model import DefinitionError, load_definition
from screening.questionnaire_registry import build_registry

RENO = ClinicWords("Sierra Mind Clinic", "Reno", ("Nevada", "Oregon"))


def test_lists_of_states_read_naturally() -> None:
    assert join_or(("California",), "en") == "California"
    assert join_or(("Nevada", "Oregon"), "en") == "Nevada or Oregon"
    assert join_or(("Arizona", "Nevada", "California"), "es") == "Arizona, Nevada o California"
    assert join_or(("Nevada", "Oregón"), "es") == "Nevada u Oregón"


def test_settings_give_the_states_as_a_list_or_with_commas() -> None:
    config = {"CLINIC_NAME": "A", "CLINIC_CITY": "B", "CLINIC_STATES": " Nevada, Oregon ,"}
    assert ClinicWords.from_config(config).states == ("Nevada", "Oregon")
    assert ClinicWords.from_config({**config, "CLINIC_STATES": ["Utah"]}).states == ("Utah",)
    with pytest.raises(ValueError, match="CLINIC_STATES"):
        ClinicWords.from_config({**config, "CLINIC_STATES": " , "})


def test_every_text_names_the_clinic_from_settings() -> None:
    q = build_registry(DEFINITION_PATH, RULES_PATH, RENO).current
    visit = q.item("visit-preference").option("in-person")
    assert visit is not None and visit.display.get("en") == "In person at our Reno office"
    assert visit.display.get("es") == "En persona en nuestra oficina de Reno"
    place = q.item("telehealth-location")
    assert "while you are in Nevada or Oregon" in str(place.help)
    consent = q.item("consent-privacy").text
    assert "I agree to Sierra Mind Clinic using my answers" in consent.get("en")
    assert "acepto que Sierra Mind Clinic use mis respuestas" in consent.get("es")
    # Nothing of the shipped clinic is left, in any text, in either language (FHIR shows all).
    for lang in ("en", "es"):
        exported = str(questionnaire_to_fhir(q, lang))
        for word in ("Threshold", "Gilroy", "California", "{clinic"):
            assert word not in exported, (lang, word)


def test_an_unknown_placeholder_stops_start_up(tmp_path: Path) -> None:
    text = DEFINITION_PATH.read_text("utf-8").replace("{clinic_city} office", "{clinic_town}", 1)
    path = tmp_path / "intake.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(
        DefinitionError, match=r"visit-preference: unknown placeholder.*clinic_town"
    ):
        with_clinic_words(load_definition(path), RENO)
