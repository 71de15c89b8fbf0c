"""Load the questionnaire definition and triage rules once at start-up and hand them out.

A definition that fails validation stops the app from starting, naming the file and item.
Earlier definition versions kept in `data/archive/` stay readable for old submissions.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from flask import Flask, current_app

from screening.questionnaire.clinic_words import ClinicWords, with_clinic_words
from screening.questionnaire.estimate import shown_minutes
from screening.questionnaire.model import LANGUAGES, Questionnaire, load_definition
from screening.questionnaire.overrides import apply_overrides, load_overrides
from screening.questionnaire.triage import RuleSet, load_rules, risk_answers


@dataclass(frozen=True)
class QuestionnaireRegistry:
    """The current definition and rules, and every archived definition by version."""

    current: Questionnaire
    rules: RuleSet
    by_version: Mapping[str, Questionnaire]
    # Form values of the current definition that raise an urgent flag on their own.
    risk_answers: Mapping[str, frozenset[str]]
    # The time the site promises for the current definition, per language ("about N minutes").
    minutes: Mapping[str, int]

    def for_version(self, version: str) -> Questionnaire:
        """Return the definition a submission was answered under (current if unknown)."""
        return self.by_version.get(version, self.current)


def build_registry(
    definition_path: Path,
    rules_path: Path,
    words: ClinicWords,
    overrides_path: Path | None = None,
) -> QuestionnaireRegistry:
    """Load and validate the definition with the clinic's overlay of words and its own words
    filled in, its rules and any archived versions beside it (once per version of those files
    and words: every app, and every test, on the same files shares it)."""
    if overrides_path is not None and not overrides_path.exists():
        # No overlay file is no overlay: every instance folder without one shares a registry.
        overrides_path = None
    archive = definition_path.parent / "archive"
    archived = tuple(sorted(archive.glob("*.yaml"))) if archive.is_dir() else ()
    files = (definition_path, rules_path, overrides_path, *archived)
    versions = tuple(file_version(path) if path else (0, 0) for path in files)
    return _build_registry(definition_path, rules_path, overrides_path, archived, versions, words)


def file_version(path: Path) -> tuple[int, int]:
    """A file's modification time and size: an edited file is read again."""
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)  # load_definition and load_rules say what is wrong with it
    return (stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _build_registry(
    definition_path: Path,
    rules_path: Path,
    overrides_path: Path | None,
    archived: tuple[Path, ...],
    versions: tuple[tuple[int, int], ...],
    words: ClinicWords,
) -> QuestionnaireRegistry:
    current = load_definition(definition_path)
    overrides = load_overrides(overrides_path) if overrides_path else None
    if overrides:
        # Words only: the version, codes and conditions stay, so stored answers keep meaning.
        current = apply_overrides(current, overrides, overrides_path)
    # After the overlay, so a clinic's own words may use the placeholders too.
    current = with_clinic_words(current, words)
    rules = load_rules(rules_path, current)
    by_version = {current.version: current}
    for path in archived:
        older = with_clinic_words(load_definition(path), words)
        by_version.setdefault(older.version, older)
    # Read-only views: the registry is shared by every app built on the same files.
    return QuestionnaireRegistry(
        current=current,
        rules=rules,
        by_version=MappingProxyType(by_version),
        risk_answers=MappingProxyType(risk_answers(current, rules)),
        minutes=MappingProxyType({lang: shown_minutes(current, lang) for lang in LANGUAGES}),
    )


def init_questionnaire(app: Flask) -> None:
    """Build the registry for the configured files."""
    overrides = app.config.get("QUESTIONNAIRE_OVERRIDES_PATH")
    app.extensions["questionnaire"] = build_registry(
        Path(app.config["QUESTIONNAIRE_PATH"]),
        Path(app.config["RULES_PATH"]),
        ClinicWords.from_config(app.config),
        Path(overrides) if overrides else None,
    )


def registry() -> QuestionnaireRegistry:
    """Return the running app's registry."""
    return current_app.extensions["questionnaire"]
