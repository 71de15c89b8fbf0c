"""Load the questionnaire definition and triage rules once at start-up and hand them out.

A definition that fails validation stops the app from starting, naming the file and item.
Earlier definition versions kept in `data/archive/` stay readable for old submissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from screening.questionnaire.estimate import shown_minutes
from screening.questionnaire.model import LANGUAGES, Questionnaire, load_definition
from screening.questionnaire.triage import RuleSet, load_rules, risk_answers


@dataclass(frozen=True)
class QuestionnaireRegistry:
    """The current definition and rules, and every archived definition by version."""

    current: Questionnaire
    rules: RuleSet
    by_version: dict[str, Questionnaire]
    # Form values of the current definition that raise an urgent flag on their own.
    risk_answers: dict[str, frozenset[str]]
    # The time the site promises for the current definition, per language ("about N minutes").
    minutes: dict[str, int]

    def for_version(self, version: str) -> Questionnaire:
        """Return the definition a submission was answered under (current if unknown)."""
        return self.by_version.get(version, self.current)


def build_registry(definition_path: Path, rules_path: Path) -> QuestionnaireRegistry:
    """Load and validate the definition, its rules and any archived versions beside it."""
    current = load_definition(definition_path)
    rules = load_rules(rules_path, current)
    by_version = {current.version: current}
    archive = definition_path.parent / "archive"
    if archive.is_dir():
        for path in sorted(archive.glob("*.yaml")):
            older = load_definition(path)
            by_version.setdefault(older.version, older)
    return QuestionnaireRegistry(
        current=current,
        rules=rules,
        by_version=by_version,
        risk_answers=risk_answers(current, rules),
        minutes={lang: shown_minutes(current, lang) for lang in LANGUAGES},
    )


def init_questionnaire(app: Flask) -> None:
    """Build the registry for the configured files."""
    app.extensions["questionnaire"] = build_registry(
        Path(app.config["QUESTIONNAIRE_PATH"]), Path(app.config["RULES_PATH"])
    )


def registry() -> QuestionnaireRegistry:
    """Return the running app's registry."""
    return current_app.extensions["questionnaire"]
