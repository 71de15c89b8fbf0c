"""Fixtures for the questionnaire core tests: the shipped definition and rules."""

from __future__ import annotations

import pytest

from screening.questionnaire import DEFINITION_PATH, RULES_PATH
from screening.questionnaire.model import Questionnaire, load_definition
from screening.questionnaire.triage import RuleSet, load_rules


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    """Load the shipped definition once per test session."""
    return load_definition(DEFINITION_PATH)


@pytest.fixture(scope="session")
def rules(questionnaire: Questionnaire) -> RuleSet:
    """Load the shipped triage rules once per test session."""
    return load_rules(RULES_PATH, questionnaire)
