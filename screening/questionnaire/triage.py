"""Triage: rules kept as data (rules.yaml) turn answers and scores into flags and a category.

Nothing here decides eligibility: the category only orders the clinician queue and says what
to ask first. A rule is a list of conditions in enableWhen form (on answers) or on scores,
combined with all/any; every flag keeps the answers that raised it so the clinician sees why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from screening.clock import today

from .conditions import compare, condition_holds, prune_answers
from .model import (
    ENABLE_BEHAVIORS,
    Condition,
    Questionnaire,
    check_condition_target,
    parse_condition,
    parse_yaml,
)
from .scoring import Score, available_scores, score_answers

SEVERITIES = ("urgent", "exclusion", "caution", "info")
CATEGORIES = ("urgent-safety", "likely-ineligible", "needs-review", "likely-eligible")
_CATEGORY_FOR_SEVERITY = dict(zip(SEVERITIES[:3], CATEGORIES[:3], strict=True))
SCORE_NAMES = ("phq9", "gad7", "auditc", "pcptsd5", "antidepressant_trials", "age")
POSITIVE_SCORES = ("auditc", "pcptsd5")
SCORE_OPERATORS = ("=", "!=", ">", "<", ">=", "<=")
_RULE_KEYS = {"id", "severity", "reason", "enableBehavior", "when"}
_RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RulesError(Exception):
    """The rules file is invalid; the message names the file and the rule id."""


@dataclass(frozen=True)
class ScoreCondition:
    """A condition on a score: `total <operator> value`, or `positive` for screens."""

    score: str
    operator: str | None = None
    value: int | None = None
    positive: bool | None = None


@dataclass(frozen=True)
class Rule:
    """One triage rule."""

    id: str
    severity: str
    reason: str
    enable_behavior: str
    when: tuple[Condition | ScoreCondition, ...]


@dataclass(frozen=True)
class RuleSet:
    """All rules, in file order, with the version each submission records."""

    version: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Evidence:
    """An answer (or score total, link_id "score:<name>") that made a rule fire."""

    link_id: str
    answer: Any


@dataclass(frozen=True)
class Flag:
    """A rule that fired, with its evidence."""

    id: str
    severity: str
    reason: str
    evidence: tuple[Evidence, ...]

    @property
    def link_ids(self) -> tuple[str, ...]:
        """Return the linkIds (or "score:<name>") that raised the flag, without repeats."""
        return tuple(dict.fromkeys(e.link_id for e in self.evidence))


@dataclass(frozen=True)
class TriageResult:
    """The category, the flags (most severe first) and the scores of one response."""

    category: str
    flags: tuple[Flag, ...]
    scores: Mapping[str, Score]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form stored with a submission and printed by the CLI."""
        return {
            "category": self.category,
            "flags": [
                {
                    "id": f.id,
                    "severity": f.severity,
                    "reason": f.reason,
                    "linkIds": list(f.link_ids),
                }
                for f in self.flags
            ],
            "scores": {name: score.to_dict() for name, score in self.scores.items()},
        }


class _Invalid(Exception):
    """Internal: a problem in one rule."""


def load_rules(path: str | Path, questionnaire: Questionnaire) -> RuleSet:
    """Load rules.yaml and check every rule against the questionnaire it will run on."""
    path = Path(path)
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, Mapping) or set(raw) != {"version", "rules"}:
        raise RulesError(f"{path}: the top level must have exactly 'version' and 'rules'")
    if not isinstance(raw["version"], str) or not raw["version"]:
        raise RulesError(f"{path}: 'version' must be a quoted string")
    if not isinstance(raw["rules"], list) or not raw["rules"]:
        raise RulesError(f"{path}: 'rules' must be a non-empty list")
    scores = available_scores(questionnaire)
    rules: list[Rule] = []
    for number, rule_raw in enumerate(raw["rules"], start=1):
        rule_id = rule_raw.get("id") if isinstance(rule_raw, Mapping) else None
        label = rule_id if isinstance(rule_id, str) else f"#{number}"
        try:
            rule = _parse_rule(rule_raw, questionnaire, scores)
        except _Invalid as exc:
            raise RulesError(f"{path}: rule {label}: {exc}") from None
        if any(existing.id == rule.id for existing in rules):
            raise RulesError(f"{path}: rule {label}: duplicate rule id")
        rules.append(rule)
    return RuleSet(raw["version"], tuple(rules))


def _parse_rule(raw: Any, q: Questionnaire, scores: set[str]) -> Rule:
    if not isinstance(raw, Mapping):
        raise _Invalid("a rule must be a mapping")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise _Invalid(f"unknown key(s) {unknown}")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
        raise _Invalid("id must be kebab-case")
    if raw.get("severity") not in SEVERITIES:
        raise _Invalid(f"severity must be one of {list(SEVERITIES)}")
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise _Invalid("a rule needs a reason for the clinician")
    behavior = raw.get("enableBehavior", "all")
    if behavior not in ENABLE_BEHAVIORS:
        raise _Invalid(f"enableBehavior must be one of {list(ENABLE_BEHAVIORS)}")
    when = raw.get("when")
    if not isinstance(when, list) or not when:
        raise _Invalid("'when' must be a non-empty list of conditions")
    conditions = tuple(_parse_condition(c, q, scores) for c in when)
    return Rule(rule_id, raw["severity"], reason.strip(), behavior, conditions)


def _parse_condition(raw: Any, q: Questionnaire, scores: set[str]) -> Condition | ScoreCondition:
    if isinstance(raw, Mapping) and "score" in raw:
        return _parse_score_condition(raw, scores)
    try:
        condition = parse_condition(raw)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    if not q.has_item(condition.question):
        raise _Invalid(f"unknown question linkId '{condition.question}'")
    try:
        check_condition_target(condition, q.item(condition.question))
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    return condition


def _parse_score_condition(raw: Mapping[str, Any], scores: set[str]) -> ScoreCondition:
    name = raw["score"]
    if name not in SCORE_NAMES:
        raise _Invalid(f"unknown score {name!r} (known: {list(SCORE_NAMES)})")
    if name not in scores:
        raise _Invalid(f"score {name!r} is not produced by this questionnaire")
    if "positive" in raw:
        if set(raw) != {"score", "positive"} or not isinstance(raw["positive"], bool):
            raise _Invalid("a positive-screen condition is {score, positive: true|false}")
        if name not in POSITIVE_SCORES:
            raise _Invalid(f"score {name!r} has no positive screen")
        return ScoreCondition(name, positive=raw["positive"])
    if set(raw) != {"score", "operator", "value"}:
        raise _Invalid("a score condition is {score, operator, value}")
    value = raw["value"]
    if raw["operator"] not in SCORE_OPERATORS:
        raise _Invalid(f"bad score operator {raw['operator']!r}")
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid(f"score value must be a whole number, not {value!r}")
    return ScoreCondition(name, operator=raw["operator"], value=value)


def _score_holds(cond: ScoreCondition, score: Score | None) -> bool:
    if score is None or score.total is None:
        return False
    if cond.positive is not None:
        return score.positive is cond.positive
    return compare(str(cond.operator), score.total, cond.value)


def _evidence(
    cond: Condition | ScoreCondition, answers: Mapping[str, Any], scores: Mapping[str, Score]
) -> Evidence | None:
    """Return the evidence if the condition holds, else None."""
    if isinstance(cond, ScoreCondition):
        score = scores.get(cond.score)
        if _score_holds(cond, score):
            return Evidence(f"score:{cond.score}", score.total if score else None)
        return None
    if condition_holds(cond, answers):
        return Evidence(cond.question, answers.get(cond.question))
    return None


def _fire(rule: Rule, answers: Mapping[str, Any], scores: Mapping[str, Score]) -> Flag | None:
    results = [_evidence(cond, answers, scores) for cond in rule.when]
    hits = tuple(e for e in results if e is not None)
    fired = bool(hits) if rule.enable_behavior == "any" else len(hits) == len(results)
    return Flag(rule.id, rule.severity, rule.reason, hits) if fired else None


def category_for(flags: tuple[Flag, ...] | list[Flag]) -> str:
    """Return the category of the most severe flag (likely-eligible if none is above info)."""
    present = {flag.severity for flag in flags}
    return next((_CATEGORY_FOR_SEVERITY[s] for s in SEVERITIES[:3] if s in present), CATEGORIES[-1])


def triage_response(
    q: Questionnaire, rules: RuleSet, answers: Mapping[str, Any], today: date
) -> TriageResult:
    """Prune the answers, score them, run every rule and pick the category."""
    pruned = prune_answers(q, answers)
    scores = score_answers(q, pruned, today)
    flags = [flag for rule in rules.rules if (flag := _fire(rule, pruned, scores))]
    # sort() is stable, so rules of one severity keep their file order.
    flags.sort(key=lambda flag: SEVERITIES.index(flag.severity))
    return TriageResult(category_for(flags), tuple(flags), scores)


def urgent_link_ids(rules: RuleSet) -> set[str]:
    """Return the linkIds that urgent rules look at (answering them may show crisis help)."""
    return {
        cond.question
        for rule in rules.rules
        if rule.severity == "urgent"
        for cond in rule.when
        if isinstance(cond, Condition)
    }


def risk_present(q: Questionnaire, rules: RuleSet, answers: Mapping[str, Any]) -> bool:
    """Return True if any urgent rule fires on these (possibly partial) answers."""
    # Deliberately not pruned: the wizard asks about one section at a time (the safety
    # follow-ups arrive without the PHQ-9 answer that enables them), and showing crisis
    # resources once too often is far cheaper than missing them.
    urgent = [rule for rule in rules.rules if rule.severity == "urgent"]
    needs_scores = any(isinstance(c, ScoreCondition) for rule in urgent for c in rule.when)
    scores = score_answers(q, answers, today()) if needs_scores else {}
    return any(_fire(rule, answers, scores) for rule in urgent)


def risk_answers(q: Questionnaire, rules: RuleSet) -> dict[str, frozenset[str]]:
    """Map each item to the form values that, on their own, raise an urgent flag.

    Booleans are given as "yes"/"no", choices as option codes. The wizard marks these
    answers so the crisis panel can appear the moment one is chosen.
    """
    found: dict[str, frozenset[str]] = {}
    for item in q.items:
        risky: set[str] = set()
        if item.type == "boolean":
            for value, answer in (("yes", True), ("no", False)):
                if risk_present(q, rules, {item.link_id: answer}):
                    risky.add(value)
        for option in item.options:
            answer_value: Any = [option.code] if item.repeats else option.code
            if risk_present(q, rules, {item.link_id: answer_value}):
                risky.add(option.code)
        if risky:
            found[item.link_id] = frozenset(risky)
    return found
