"""Triage: rules kept as data (rules.yaml) turn answers and scores into flags and a category.

Nothing here decides eligibility: the category only orders the clinician queue and says what
to ask first. A rule is a list of conditions in enableWhen form (on answers) or on scores,
combined with all/any; every flag keeps the answers that raised it so the clinician sees why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .conditions import (
    compare,
    condition_holds,
    enabled_items,
    enabled_sections,
    is_answered,
    prune_answers,
)
from .flags import (
    RULE_SEVERITIES,
    SEVERITIES,
    AnswerEvidence,
    Evidence,
    Flag,
    ScoreEvidence,
    category_for,
)
from .instruments import DERIVED_SCORES, INSTRUMENTS, SCORE_NAMES
from .model import (
    ENABLE_BEHAVIORS,
    Condition,
    Questionnaire,
    check_condition_target,
    parse_condition,
    read_yaml,
)
from .scoring import Score, available_scores, score_answers

SCORE_OPERATORS = ("=", "!=", ">", "<", ">=", "<=")
_RULE_KEYS = {"id", "severity", "reason", "enableBehavior", "when"}
_RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MISSING = "Required safety or contraindication questions were not answered: ask them first."
CHANGED = "Gave a risk answer earlier in this screening, then changed it: contact them today."


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
class RecentDate:
    """A date answer no more than `days` before the triage date (a future date counts too)."""

    question: str
    days: int


RuleCondition = Condition | ScoreCondition | RecentDate


@dataclass(frozen=True)
class Rule:
    """One triage rule."""

    id: str
    severity: str
    reason: str
    enable_behavior: str
    when: tuple[RuleCondition, ...]


@dataclass(frozen=True)
class RuleSet:
    """All rules, in file order, with the version each submission records."""

    version: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class TriageResult:
    """The category, the flags (most severe first) and the scores of one response."""

    category: str
    flags: tuple[Flag, ...]
    scores: Mapping[str, Score]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form printed by the CLI (flags in their stored form)."""
        return {
            "category": self.category,
            "flags": [flag.to_json() for flag in self.flags],
            "scores": {name: score.to_dict() for name, score in self.scores.items()},
        }


class _Invalid(Exception):
    """Internal: a problem in one rule."""


def load_rules(path: str | Path, questionnaire: Questionnaire) -> RuleSet:
    """Load rules.yaml and check every rule against the questionnaire it will run on."""
    path = Path(path)
    raw = read_yaml(path, RulesError, "rules")
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
    if raw.get("severity") not in RULE_SEVERITIES:
        raise _Invalid(f"severity must be one of {list(RULE_SEVERITIES)}")
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


def _parse_condition(raw: Any, q: Questionnaire, scores: set[str]) -> RuleCondition:
    if isinstance(raw, Mapping) and "score" in raw:
        return _parse_score_condition(raw, scores)
    if isinstance(raw, Mapping) and "withinDays" in raw:
        return _parse_recent_date(raw, q)
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


def _parse_recent_date(raw: Mapping[str, Any], q: Questionnaire) -> RecentDate:
    question, days = raw.get("question"), raw["withinDays"]
    if set(raw) != {"question", "withinDays"}:
        raise _Invalid("a recent-date condition is {question, withinDays}")
    if not (isinstance(question, str) and q.has_item(question) and q.item(question).type == "date"):
        raise _Invalid(f"withinDays needs a date question, not {question!r}")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise _Invalid(f"withinDays must be a whole number of days, not {days!r}")
    return RecentDate(question, days)


def _parse_score_condition(raw: Mapping[str, Any], scores: set[str]) -> ScoreCondition:
    name = raw["score"]
    if name not in SCORE_NAMES:
        raise _Invalid(f"unknown score {name!r} (known: {list(SCORE_NAMES)})")
    if name not in scores:
        raise _Invalid(f"score {name!r} is not produced by this questionnaire")
    if "positive" in raw:
        if set(raw) != {"score", "positive"} or not isinstance(raw["positive"], bool):
            raise _Invalid("a positive-screen condition is {score, positive: true|false}")
        if name not in INSTRUMENTS or INSTRUMENTS[name].positive_at is None:
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
    cond: RuleCondition, answers: Mapping[str, Any], scores: Mapping[str, Score], today: date
) -> Evidence | None:
    """Return the evidence if the condition holds, else None."""
    if isinstance(cond, ScoreCondition):
        score = scores.get(cond.score)
        return ScoreEvidence(cond.score, score.total) if _score_holds(cond, score) else None
    if isinstance(cond, RecentDate):
        since = (today - timedelta(days=cond.days)).isoformat()
        cond = Condition(cond.question, ">=", "date", since)
    if condition_holds(cond, answers):
        return AnswerEvidence(cond.question, answers.get(cond.question))
    return None


def _fire(
    rule: Rule, answers: Mapping[str, Any], scores: Mapping[str, Score], today: date
) -> Flag | None:
    results = [_evidence(cond, answers, scores, today) for cond in rule.when]
    hits = tuple(e for e in results if e is not None)
    fired = bool(hits) if rule.enable_behavior == "any" else len(hits) == len(results)
    return Flag(rule.id, rule.severity, rule.reason, hits) if fired else None


def urgent_flags(
    q: Questionnaire, rules: RuleSet, answers: Mapping[str, Any], today: date
) -> list[Flag]:
    """Run the urgent rules on every answer given, whether or not it still applies.

    Not pruned on purpose: a risk answer hidden by a later change (or sent on its own, as the
    wizard saves one section at a time) still needs a clinician today.
    """
    urgent = [rule for rule in rules.rules if rule.severity == "urgent"]
    needs_scores = any(isinstance(c, ScoreCondition) for rule in urgent for c in rule.when)
    scores = score_answers(q, answers, today) if needs_scores else {}
    return [flag for rule in urgent if (flag := _fire(rule, answers, scores, today))]


def triage_inputs(q: Questionnaire, rules: RuleSet) -> set[str]:
    """Return the linkIds that can move the category: what non-info rules read, and gates."""
    found: set[str] = set()
    for rule in rules.rules:
        if rule.severity == "info":
            continue
        for cond in rule.when:
            if not isinstance(cond, ScoreCondition):
                found.add(cond.question)
            elif cond.score in INSTRUMENTS:
                found |= {item.link_id for item in INSTRUMENTS[cond.score].items(q)}
            else:
                roles = DERIVED_SCORES[cond.score]
                found |= {item.link_id for role in roles if (item := q.role_item(role))}
    # An unanswered gate hides the question it guards, so the gate is needed as well. Gates
    # come before what they guard (the loader insists), so one backward pass finds them all.
    for section in reversed(q.sections):
        for item in reversed(section.items):
            if item.link_id in found:
                found |= {c.question for c in (*item.enable_when, *section.enable_when)}
    return found


def answer_severity(rules: RuleSet, link_id: str, value: Any) -> str | None:
    """Return the most severe rule above info that this one answer satisfies on its own."""
    found = []
    for rule in rules.rules:
        own = [c for c in rule.when if isinstance(c, Condition) and c.question == link_id]
        results = [condition_holds(c, {link_id: value}) for c in own]
        if (
            own
            and rule.severity != "info"
            and (any if rule.enable_behavior == "any" else all)(results)
        ):
            found.append(rule.severity)
    return min(found, key=SEVERITIES.index, default=None)


def missing_answers(q: Questionnaire, rules: RuleSet, pruned: Mapping[str, Any]) -> list[str]:
    """Return the required questions that apply, could move the category and are unanswered."""
    inputs = triage_inputs(q, rules)
    return [
        item.link_id
        for section in enabled_sections(q, pruned)
        for item in enabled_items(section, pruned)
        if item.required and item.link_id in inputs and not is_answered(pruned.get(item.link_id))
    ]


def triage_response(
    q: Questionnaire,
    rules: RuleSet,
    answers: Mapping[str, Any],
    today: date,
    disclosed: Iterable[Mapping[str, Any]] = (),
) -> TriageResult:
    """Score the answers, run every rule and pick the category; a missing answer never helps.

    Urgent rules see every answer; the others see the answers that still apply. `disclosed`
    holds risk answers recorded earlier in the screening: a disclosure is a fact, so if the
    answers sent no longer raise an urgent flag, the earlier ones still make it urgent.
    """
    urgent = urgent_flags(q, rules, answers, today)
    pruned = prune_answers(q, answers)
    scores = score_answers(q, pruned, today)
    flags = urgent + [
        flag
        for rule in rules.rules
        if rule.severity != "urgent" and (flag := _fire(rule, pruned, scores, today))
    ]
    missing = missing_answers(q, rules, pruned)
    if missing:
        evidence = tuple(AnswerEvidence(link_id, None) for link_id in missing)
        flags.append(Flag("required-answers-missing", "incomplete", MISSING, evidence))
    earlier: list[Evidence] = []
    for then in disclosed:
        for flag in urgent_flags(q, rules, then, today):
            earlier += [e for e in flag.evidence if e not in earlier]
    if earlier and not urgent:
        flags.append(Flag("risk-answer-changed", "urgent", CHANGED, tuple(earlier)))
    # sort() is stable, so rules of one severity keep their file order.
    flags.sort(key=lambda flag: SEVERITIES.index(flag.severity))
    return TriageResult(category_for(flags), tuple(flags), scores)


def risk_answers(q: Questionnaire, rules: RuleSet) -> dict[str, frozenset[str]]:
    """Map each item to the form values that, on their own, raise an urgent flag.

    Booleans are given as "yes"/"no", choices as option codes. The wizard marks these
    answers so the crisis panel can appear the moment one is chosen.
    """
    found: dict[str, frozenset[str]] = {}
    today = date.today()
    for item in q.items:
        risky: set[str] = set()
        if item.type == "boolean":
            for value, answer in (("yes", True), ("no", False)):
                if urgent_flags(q, rules, {item.link_id: answer}, today):
                    risky.add(value)
        for option in item.options:
            answer_value: Any = [option.code] if item.repeats else option.code
            if urgent_flags(q, rules, {item.link_id: answer_value}, today):
                risky.add(option.code)
        if risky:
            found[item.link_id] = frozenset(risky)
    return found
