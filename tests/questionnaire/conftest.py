"""Fixtures for the questionnaire core tests: the shipped definition and rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.config import default_settings
from screening.questionnaire import DEFINITION_PATH, RULES_PATH
from screening.questionnaire.clinic_words import ClinicWords, with_clinic_words
from screening.questionnaire.model import Questionnaire, load_definition
from screening.questionnaire.triage import RuleSet, load_rules


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    """Load the shipped definition once per test session, with the default clinic's words
    filled in as the app does."""
    words = ClinicWords.from_config(default_settings(Path(".")))
    return with_clinic_words(load_definition(DEFINITION_PATH), words)


@pytest.fixture(scope="session")
def rules(questionnaire: Questionnaire) -> RuleSet:
    """Load the shipped triage rules once per test session."""
    return load_rules(RULES_PATH, questionnaire)
