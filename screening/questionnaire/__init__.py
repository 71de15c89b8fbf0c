"""The questionnaire core: definition, conditions, scoring, triage and FHIR mapping.

Pure Python with no Flask or WTForms imports; the web layers call into it, never the reverse.
`DEFINITION_PATH` and `RULES_PATH` point at the shipped definition and rules.
"""

from pathlib import Path

from .conditions import (
    condition_holds,
    enabled_items,
    enabled_sections,
    is_enabled,
    prune_answers,
)
from .fhir import (
    ResponseError,
    answers_to_response,
    questionnaire_to_fhir,
    response_to_answers,
)
from .model import (
    Coding,
    Condition,
    DefinitionError,
    Item,
    LocalizedText,
    Option,
    Questionnaire,
    Section,
    load_definition,
)
from .scoring import Score, gad7_band, phq9_band, score_answers
from .triage import (
    CATEGORIES,
    Evidence,
    Flag,
    Rule,
    RulesError,
    RuleSet,
    TriageResult,
    load_rules,
    risk_present,
    triage_response,
    urgent_link_ids,
)

DATA_DIR = Path(__file__).parent / "data"
DEFINITION_PATH = DATA_DIR / "intake.yaml"
RULES_PATH = DATA_DIR / "rules.yaml"

__all__ = [
    "CATEGORIES",
    "DATA_DIR",
    "DEFINITION_PATH",
    "RULES_PATH",
    "Coding",
    "Condition",
    "DefinitionError",
    "Evidence",
    "Flag",
    "Item",
    "LocalizedText",
    "Option",
    "Questionnaire",
    "ResponseError",
    "Rule",
    "RuleSet",
    "RulesError",
    "Score",
    "Section",
    "TriageResult",
    "answers_to_response",
    "condition_holds",
    "enabled_items",
    "enabled_sections",
    "gad7_band",
    "is_enabled",
    "load_definition",
    "load_rules",
    "phq9_band",
    "prune_answers",
    "questionnaire_to_fhir",
    "response_to_answers",
    "risk_present",
    "score_answers",
    "triage_response",
    "urgent_link_ids",
]
