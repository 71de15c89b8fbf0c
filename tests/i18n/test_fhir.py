"""The Spanish FHIR Questionnaire from `flask screening questionnaire --lang es`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from flask import Flask
from flask.testing import FlaskCliRunner

from screening.questionnaire_registry import registry
from tests.i18n.test_definition import OFFICIAL_WORDING_PENDING


def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every item of a FHIR item tree, depth first."""
    for item in items:
        yield item
        yield from walk(item.get("item", []))


def test_cli_prints_a_valid_spanish_questionnaire(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["screening", "questionnaire", "--lang", "es"])
    assert result.exit_code == 0, result.output
    resource = json.loads(result.output)
    FhirQuestionnaire.model_validate(resource)
    assert resource["language"] == "es"
    assert resource["title"] == (
        "Threshold Ketamine-Assisted Psychotherapy: cuestionario de evaluación inicial"
    )
    shown = {item["linkId"]: item for item in walk(resource["item"])}
    with app.app_context():
        q = registry().current
    for section in q.sections:
        assert shown[section.link_id]["text"] == section.title.get("es")
        for item in section.items:
            expected = "en" if item.link_id in OFFICIAL_WORDING_PENDING else "es"
            fhir_item = shown[item.link_id]
            assert fhir_item["text"] == item.text.get(expected), item.link_id
            if item.help is not None:
                assert shown[f"{item.link_id}.help"]["text"] == item.help.get("es")
            displays = [o["valueCoding"]["display"] for o in fhir_item.get("answerOption", [])]
            assert displays == [o.display.get(expected) for o in item.options], item.link_id
    assert shown["phq9-9"]["text"].startswith("Pensamientos de que estaría mejor muerto(a)")
    assert shown["gad7-1"]["text"].startswith("Se ha sentido nervioso(a)")
    assert shown["full-name"]["text"] == "Su nombre completo"


def test_cli_refuses_an_unknown_language(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["screening", "questionnaire", "--lang", "fr"])
    assert result.exit_code != 0
