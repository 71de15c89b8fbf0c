"""Every clinically reasoned case in cases/ triages to the category its README row expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screening.questionnaire.fhir import response_to_answers
from screening.questionnaire.flags import CATEGORIES
from screening.questionnaire.model import Questionnaire
from screening.questionnaire.triage import RuleSet, triage_response
from tests.questionnaire.factories import TODAY

CASES = Path(__file__).parent / "cases"


def case_table() -> dict[str, tuple[str, str]]:
    """Read README.md's table: file -> (expected category, reason)."""
    rows = {}
    for line in (CASES / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].endswith(".json"):
            rows[cells[0]] = (cells[1], cells[2])
    return rows


TABLE = case_table()


def test_every_case_file_has_one_row_and_every_category_a_case() -> None:
    assert sorted(TABLE) == sorted(path.name for path in CASES.glob("*.json"))
    assert {expected for expected, _reason in TABLE.values()} == set(CATEGORIES)
    assert len(TABLE) >= 30


@pytest.mark.parametrize("file", sorted(TABLE))
def test_case_triages_to_its_expected_category(
    questionnaire: Questionnaire, rules: RuleSet, file: str
) -> None:
    expected, reason = TABLE[file]
    data = json.loads((CASES / file).read_text(encoding="utf-8"))
    QuestionnaireResponse.model_validate(data)
    result = triage_response(questionnaire, rules, response_to_answers(questionnaire, data), TODAY)
    assert result.category == expected, (reason, [flag.id for flag in result.flags])
