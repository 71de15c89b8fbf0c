"""FHIR R4 export (validated with fhir.resources R4B) and QuestionnaireResponse import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirQuestionnaireResponse,
)

from screening.questionnaire.fhir import (
    ORDINAL_VALUE,
    ResponseError,
    answers_to_response,
    questionnaire_to_fhir,
    response_to_answers,
)
from screening.questionnaire.model import Questionnaire
from screening.questionnaire.scoring import score_answers
from screening.questionnaire.triage import RuleSet, triage_response
from tests.questionnaire.factories import SEVERAL_DAYS, TODAY, clean_answers

LOINC_CODED = Path(__file__).parent / "cases" / "19-phq9-gad7-auditc-import-item9-positive.json"
AUTHORED = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)


def walk(items: list[dict]) -> list[dict]:
    """Return every item of a nested FHIR item list, depth first."""
    return [found for item in items for found in [item, *walk(item.get("item", []))]]


def find(items: list[dict], link_id: str) -> dict:
    """Find an item by linkId anywhere in a nested FHIR item list (KeyError if absent)."""
    for item in walk(items):
        if item["linkId"] == link_id:
            return item
    raise KeyError(link_id)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_questionnaire_export_is_valid_r4(questionnaire: Questionnaire, lang: str) -> None:
    resource = questionnaire_to_fhir(questionnaire, lang=lang)
    FhirQuestionnaire.model_validate(resource)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["status"] == "active"
    assert resource["url"] == questionnaire.url
    assert resource["version"] == questionnaire.version


def test_questionnaire_export_has_one_group_per_section(questionnaire: Questionnaire) -> None:
    resource = questionnaire_to_fhir(questionnaire)
    groups = resource["item"]
    assert [g["linkId"] for g in groups] == [s.link_id for s in questionnaire.sections]
    assert all(g["type"] == "group" for g in groups)
    safety = find(groups, "safety")
    assert safety["enableWhen"] == [
        {
            "question": "phq9-9",
            "operator": "!=",
            "answerCoding": {"system": "http://loinc.org", "code": "LA6568-5"},
        }
    ]
    assert safety["enableBehavior"] == "all"


def test_questionnaire_export_maps_item_details(questionnaire: Questionnaire) -> None:
    items = questionnaire_to_fhir(questionnaire)["item"]
    assert find(items, "email")["type"] == "string"
    assert find(items, "email")["maxLength"] == 254
    assert find(items, "phone")["type"] == "string"
    assert find(items, "reasons")["type"] == "open-choice"
    assert find(items, "reasons")["repeats"] is True
    assert find(items, "pcptsd5-past-month")["type"] == "display"
    phq9_1 = find(items, "phq9-1")
    assert phq9_1["required"] is True
    assert phq9_1["code"] == [{"system": "http://loinc.org", "code": "44250-9"}]
    assert phq9_1["answerOption"][2]["valueCoding"] == {
        "system": "http://loinc.org",
        "code": "LA6570-1",
        "display": "More than half the days",
        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": 2}],
    }
    open_to = find(items, "open-to-therapist")
    assert open_to["enableWhen"] == [
        {"question": "has-therapist", "operator": "=", "answerBoolean": False}
    ]
    assert find(items, "state")["answerOption"][0]["valueCoding"] == {
        "code": "california",
        "display": "California",
    }
    systolic = find(items, "bp-systolic")
    assert {e["url"].rsplit("/", 1)[-1]: e["valueInteger"] for e in systolic["extension"]} == {
        "minValue": 60,
        "maxValue": 260,
    }
    help_child = find(items, "voicemail-ok.help")
    assert help_child["type"] == "display"
    assert find(items, "phq9.intro")["text"].startswith("Over the last 2 weeks")
    assert "Pfizer" in find(items, "phq9.notice")["text"]


def test_questionnaire_export_in_spanish(questionnaire: Questionnaire) -> None:
    items = questionnaire_to_fhir(questionnaire, lang="es")["item"]
    assert find(items, "phq9-1")["text"] == "Poco interés o placer en hacer cosas"
    assert find(items, "gad7-4")["text"] == "Ha tenido dificultad para relajarse"
    assert (
        find(items, "auditc-1")["text"] == "¿Con qué frecuencia consume alguna bebida alcohólica?"
    )
    assert find(items, "pcptsd5-event")["text"] == "¿Alguna vez ha vivido este tipo de evento?"
    assert find(items, "about-you")["text"] == "Sobre usted"
    assert find(items, "weight")["text"] == "Su peso, en libras"


def test_response_export_is_valid_r4(questionnaire: Questionnaire) -> None:
    answers = clean_answers(reasons=["depression", "Grief after my father died"])
    resource = answers_to_response(questionnaire, answers, status="completed", authored=AUTHORED)
    FhirQuestionnaireResponse.model_validate(resource)
    assert resource["questionnaire"] == f"{questionnaire.url}|{questionnaire.version}"
    assert resource["status"] == "completed"
    assert resource["authored"] == "2026-11-27T17:30:00+00:00"
    reasons = find(resource["item"], "reasons")["answer"]
    assert reasons[0]["valueCoding"]["code"] == "depression"
    assert reasons[1] == {"valueString": "Grief after my father died"}
    assert find(resource["item"], "voicemail-ok")["answer"] == [{"valueBoolean": False}]
    assert find(resource["item"], "date-of-birth")["answer"] == [{"valueDate": "1988-04-12"}]
    phq9_1 = find(resource["item"], "phq9-1")["answer"][0]["valueCoding"]
    assert phq9_1["extension"] == [{"url": ORDINAL_VALUE, "valueDecimal": 2}]


def test_response_export_of_a_draft_needs_no_author_time(questionnaire: Questionnaire) -> None:
    resource = answers_to_response(questionnaire, {}, status="in-progress", authored=None)
    FhirQuestionnaireResponse.model_validate(resource)
    assert "authored" not in resource and "item" not in resource


def test_response_export_leaves_out_answers_that_do_not_apply(
    questionnaire: Questionnaire,
) -> None:
    answers = clean_answers(open_to_therapist="no")  # has-therapist is true
    resource = answers_to_response(questionnaire, answers, status="completed", authored=AUTHORED)
    with pytest.raises(KeyError):
        find(resource["item"], "open-to-therapist")


def test_response_export_rejects_naive_time_and_bad_status(questionnaire: Questionnaire) -> None:
    with pytest.raises(ValueError, match="timezone"):
        answers_to_response(
            questionnaire, {}, status="completed", authored=datetime(2026, 11, 27, 12, 0)
        )
    with pytest.raises(ValueError, match="status"):
        answers_to_response(questionnaire, {}, status="done", authored=None)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_response_round_trips(questionnaire: Questionnaire, lang: str) -> None:
    answers = clean_answers(
        reasons=["depression", "Grief after my father died"],
        high_blood_pressure="yes-controlled",
        bp_systolic=132,
        **{"phq9-9": SEVERAL_DAYS, "safety-plan": False},
    )
    resource = answers_to_response(
        questionnaire, answers, status="completed", authored=AUTHORED, lang=lang
    )
    assert response_to_answers(questionnaire, json.loads(json.dumps(resource))) == answers


def test_loinc_coded_response_scores_and_triages(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    data = json.loads(LOINC_CODED.read_text(encoding="utf-8"))
    FhirQuestionnaireResponse.model_validate(data)
    answers = response_to_answers(questionnaire, data)
    # Bare, "/code" and "/panel/code" linkIds all land on our items; totals are ignored.
    assert answers["phq9-1"] == "LA6569-3"
    assert answers["phq9-5"] == "LA6568-5"  # sent as valueInteger 0
    assert answers["phq9-9"] == "LA6569-3"
    assert set(answers) == {f"phq9-{n}" for n in range(1, 10)} | {
        f"gad7-{n}" for n in range(1, 8)
    } | {"auditc-1", "auditc-2", "auditc-3"}
    scores = score_answers(questionnaire, answers, TODAY)
    assert (scores["phq9"].total, scores["phq9"].band) == (11, "moderate")
    assert (scores["gad7"].total, scores["gad7"].band) == (8, "mild")
    assert (scores["auditc"].total, scores["auditc"].positive) == (1, False)
    result = triage_response(questionnaire, rules, answers, TODAY)
    assert result.category == "urgent-safety"
    assert result.flags[0].id == "phq9-item9-positive"


def loinc_item(link_id: str, *answers: dict) -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [{"linkId": link_id, "answer": list(answers)}],
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (loinc_item("44260-8", {"valueInteger": 3}), {"phq9-9": "LA6571-9"}),
        (loinc_item("/44260-8", {"valueCoding": {"code": "LA6568-5"}}), {"phq9-9": "LA6568-5"}),
        (loinc_item("a/b/44260-8/", {"valueCoding": {"code": "LA6569-3"}}), {"phq9-9": "LA6569-3"}),
        (loinc_item("phq9-9", {"valueString": "LA6570-1"}), {"phq9-9": "LA6570-1"}),
        (loinc_item("bp-systolic", {"valueInteger": 150}), {"bp-systolic": 150}),
        (loinc_item("reasons", {"valueString": "Grief"}), {"reasons": ["Grief"]}),
        (loinc_item("something-else", {"valueString": "x"}), {}),
        (loinc_item("goals"), {}),
        ({"resourceType": "QuestionnaireResponse", "status": "completed"}, {}),
    ],
)
def test_response_import_accepts_common_shapes(
    questionnaire: Questionnaire, data: dict[str, Any], expected: dict
) -> None:
    assert response_to_answers(questionnaire, data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"resourceType": "Questionnaire"}, "expected a QuestionnaireResponse"),
        ({"resourceType": "QuestionnaireResponse", "item": {}}, "must be a list"),
        ({"resourceType": "QuestionnaireResponse", "item": ["x"]}, "not an object"),
        ({"resourceType": "QuestionnaireResponse", "item": [{"text": "Hi"}]}, "without a linkId"),
        (loinc_item("phq9-1", {"valueCoding": {"code": "LA0000-0"}}), "unknown answer code"),
        (loinc_item("phq9-1", {"valueInteger": 4}), "no option with value 4"),
        (loinc_item("state", {"valueString": "nevada"}), "unknown answer 'nevada'"),
        (loinc_item("state", {"valueBoolean": True}), "cannot take valueBoolean"),
        (loinc_item("voicemail-ok", {"valueString": "yes"}), "cannot take valueString"),
        (loinc_item("bp-systolic", {"valueInteger": True}), "cannot take valueInteger"),
        (loinc_item("date-of-birth", {"valueDate": "1988-04"}), "needs a full date"),
        (loinc_item("goals", {"valueString": "a"}, {"valueString": "b"}), "takes one answer"),
        (loinc_item("goals", {}), "exactly one value[x]"),
        (loinc_item("goals", "text"), "not an object"),
        (
            {"resourceType": "QuestionnaireResponse", "item": [{"linkId": "goals", "answer": {}}]},
            "must be a list",
        ),
        (
            {
                "resourceType": "QuestionnaireResponse",
                "item": [
                    {"linkId": "phq9-9", "answer": [{"valueInteger": 0}]},
                    {"linkId": "/44260-8", "answer": [{"valueInteger": 1}]},
                ],
            },
            "answered more than once",
        ),
    ],
)
def test_response_import_rejects_malformed_input(
    questionnaire: Questionnaire, data: Any, message: str
) -> None:
    with pytest.raises(ResponseError) as error:
        response_to_answers(questionnaire, data)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_response_import_walks_nested_answer_items(questionnaire: Questionnaire) -> None:
    data = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {
                "linkId": "hospitalized",
                "answer": [
                    {
                        "valueBoolean": True,
                        "item": [
                            {
                                "linkId": "hospitalization-details",
                                "answer": [{"valueString": "Twice"}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    assert response_to_answers(questionnaire, data) == {
        "hospitalized": True,
        "hospitalization-details": "Twice",
    }
