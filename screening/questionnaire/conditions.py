"""Evaluate enableWhen conditions: which sections and items apply, and prune the rest.

FHIR semantics throughout: an unanswered question makes every operator false except
`exists false`; with a multi-select answer `=` holds if any chosen code matches and `!=` holds
if none does. Triage rules reuse `condition_holds`, so both agree on what an answer means.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from .model import Condition, Item, Questionnaire, Section

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


def compare(symbol: str, left: Any, right: Any) -> bool:
    """Apply a comparison operator (=, !=, >, <, >=, <=) to two plain values."""
    return _COMPARE[symbol](left, right)


def is_answered(value: Any) -> bool:
    """Return True if a stored answer counts as given (not None, empty text or empty list)."""
    return value is not None and value != "" and value != []


def _comparable(value: Any, answer_type: str) -> Any:
    """Return the answer in a form comparable with the condition's, or None if it cannot be."""
    if answer_type in ("coding", "string"):
        return value if isinstance(value, str) else None
    if answer_type == "boolean":
        return value if isinstance(value, bool) else None
    if answer_type in ("integer", "decimal"):
        # bool is an int subclass; True must never equal 1 here.
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return value if is_number else None
    if answer_type == "date":
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    return None


def condition_holds(cond: Condition, answers: Mapping[str, Any]) -> bool:
    """Return True if one enableWhen condition holds for these answers."""
    value = answers.get(cond.question)
    if cond.operator == "exists":
        return is_answered(value) is cond.answer
    if not is_answered(value):
        return False
    values = value if isinstance(value, list) else [value]
    candidates = [_comparable(v, cond.answer_type) for v in values]
    target = _comparable(cond.answer, cond.answer_type)
    if cond.operator == "!=":
        return all(candidate != target for candidate in candidates)
    return any(
        candidate is not None and compare(cond.operator, candidate, target)
        for candidate in candidates
    )


def is_enabled(node: Section | Item, answers: Mapping[str, Any]) -> bool:
    """Return True if a section or item applies, combining its conditions with all/any."""
    if not node.enable_when:
        return True
    results = (condition_holds(cond, answers) for cond in node.enable_when)
    return any(results) if node.enable_behavior == "any" else all(results)


def enabled_sections(q: Questionnaire, answers: Mapping[str, Any]) -> list[Section]:
    """Return the sections that apply to these answers, in order."""
    return [section for section in q.sections if is_enabled(section, answers)]


def enabled_items(section: Section, answers: Mapping[str, Any]) -> list[Item]:
    """Return the items of a section that apply (none if the section itself does not).

    Pass pruned answers: a stale answer to a hidden question could otherwise switch on a
    follow-up that depends on it.
    """
    if not is_enabled(section, answers):
        return []
    return [item for item in section.items if is_enabled(item, answers)]


def prune_answers(q: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop answers to items that do not apply (and keys that are not answerable items)."""
    pruned = {
        link_id: value
        for link_id, value in answers.items()
        if q.has_item(link_id) and q.item(link_id).type != "display"
    }
    # Conditions chain (a hidden answer can hide its own follow-ups), so repeat until stable.
    # Walking in order and dropping as we go settles in one pass because the loader forbids
    # forward references; the loop guards hand-built questionnaires.
    while True:
        before = len(pruned)
        for section in q.sections:
            section_on = is_enabled(section, pruned)
            for item in section.items:
                if item.link_id in pruned and not (section_on and is_enabled(item, pruned)):
                    del pruned[item.link_id]
        if len(pruned) == before:
            return pruned
