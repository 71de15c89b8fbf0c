"""enableWhen evaluation (FHIR semantics), enabled sections and items, and pruning."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from screening.questionnaire.conditions import (
    condition_holds,
    enabled_items,
    enabled_sections,
    is_enabled,
    prune_answers,
)
from screening.questionnaire.model import (
    Condition,
    Item,
    LocalizedText,
    Questionnaire,
    load_definition,
)
from tests.questionnaire.factories import NOT_AT_ALL, SEVERAL_DAYS, clean_answers


def cond(operator: str, answer_type: str, answer, question: str = "q") -> Condition:
    return Condition(question, operator, answer_type, answer)


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        # = and != on single answers
        (cond("=", "coding", "a"), {"q": "a"}, True),
        (cond("=", "coding", "a"), {"q": "b"}, False),
        (cond("!=", "coding", "a"), {"q": "b"}, True),
        (cond("!=", "coding", "a"), {"q": "a"}, False),
        # list answers: = holds if any element equals, != if none does
        (cond("=", "coding", "a"), {"q": ["b", "a"]}, True),
        (cond("=", "coding", "a"), {"q": ["b", "c"]}, False),
        (cond("!=", "coding", "a"), {"q": ["b", "c"]}, True),
        (cond("!=", "coding", "a"), {"q": ["b", "a"]}, False),
        # a missing answer makes everything false except exists false
        (cond("=", "coding", "a"), {}, False),
        (cond("!=", "coding", "a"), {}, False),
        (cond(">", "integer", 1), {}, False),
        (cond("exists", "boolean", True), {}, False),
        (cond("exists", "boolean", False), {}, True),
        (cond("exists", "boolean", True), {"q": False}, True),
        (cond("exists", "boolean", False), {"q": 0}, False),
        (cond("exists", "boolean", True), {"q": []}, False),
        (cond("exists", "boolean", True), {"q": ""}, False),
        (cond("!=", "coding", "a"), {"q": []}, False),
        # booleans
        (cond("=", "boolean", False), {"q": False}, True),
        (cond("=", "boolean", True), {"q": False}, False),
        (cond("!=", "boolean", True), {"q": False}, True),
        # True must not pass for 1, nor 1 for True
        (cond("=", "integer", 1), {"q": True}, False),
        (cond("=", "boolean", True), {"q": 1}, False),
        # ordered comparisons on numbers
        (cond(">", "integer", 5), {"q": 6}, True),
        (cond(">", "integer", 5), {"q": 5}, False),
        (cond(">=", "integer", 5), {"q": 5}, True),
        (cond("<", "integer", 5), {"q": 4}, True),
        (cond("<", "integer", 5), {"q": 5}, False),
        (cond("<=", "integer", 5), {"q": 5}, True),
        (cond(">=", "decimal", 2.5), {"q": 2.5}, True),
        (cond("<", "decimal", 2.5), {"q": 2}, True),
        (cond(">", "integer", 5), {"q": "6"}, False),
        # dates compare as dates
        (cond("<", "date", "2000-01-01"), {"q": "1999-12-31"}, True),
        (cond(">=", "date", "2000-01-01"), {"q": "2000-01-01"}, True),
        (cond(">", "date", "2000-01-01"), {"q": "not a date"}, False),
        (cond("=", "date", "2000-01-01"), {"q": "2000-01-01"}, True),
        # strings (open-choice free text)
        (cond("=", "string", "grief"), {"q": ["depression", "grief"]}, True),
        (cond("!=", "string", "grief"), {"q": "depression"}, True),
    ],
)
def test_condition_holds(condition: Condition, answers: dict, expected: bool) -> None:
    assert condition_holds(condition, answers) is expected


def node(behavior: str, *conditions: Condition) -> Item:
    return Item(
        "n", "boolean", LocalizedText.of("N"), enable_when=conditions, enable_behavior=behavior
    )


def test_enable_behavior_all_needs_every_condition() -> None:
    item = node("all", cond("=", "coding", "a", "x"), cond("=", "coding", "b", "y"))
    assert is_enabled(item, {"x": "a", "y": "b"})
    assert not is_enabled(item, {"x": "a", "y": "c"})


def test_enable_behavior_any_needs_one_condition() -> None:
    item = node("any", cond("=", "coding", "a", "x"), cond("=", "coding", "b", "y"))
    assert is_enabled(item, {"x": "z", "y": "b"})
    assert not is_enabled(item, {"x": "z", "y": "c"})


def test_item_without_conditions_is_always_enabled() -> None:
    assert is_enabled(node("all"), {})


def test_safety_section_follows_phq9_item9(questionnaire: Questionnaire) -> None:
    ids = [s.link_id for s in enabled_sections(questionnaire, clean_answers())]
    assert "safety" not in ids
    risky = clean_answers(**{"phq9-9": SEVERAL_DAYS})
    assert "safety" in [s.link_id for s in enabled_sections(questionnaire, risky)]


def test_pcptsd5_section_is_asked_whatever_the_reasons(questionnaire: Questionnaire) -> None:
    # Trauma history shapes every dosing-session plan, not only for those seeking PTSD care.
    for reasons in (["depression"], ["anxiety", "ptsd-trauma"]):
        answers = clean_answers(reasons=reasons)
        assert "pcptsd5" in [s.link_id for s in enabled_sections(questionnaire, answers)]


def test_enabled_items_respects_item_conditions(questionnaire: Questionnaire) -> None:
    section = questionnaire.section("concerns")
    with_therapist = [i.link_id for i in enabled_items(section, clean_answers())]
    assert "open-to-therapist" not in with_therapist
    without = clean_answers(has_therapist=False)
    assert "open-to-therapist" in [i.link_id for i in enabled_items(section, without)]


def test_enabled_items_is_empty_for_a_disabled_section(questionnaire: Questionnaire) -> None:
    assert enabled_items(questionnaire.section("safety"), clean_answers()) == []


def test_pregnancy_question_skips_only_male_sex(questionnaire: Questionnaire) -> None:
    section = questionnaire.section("medical")
    for sex, asked in [
        ("female", True),
        ("intersex", True),
        ("prefer-not-to-say", True),
        ("male", False),
    ]:
        answers = clean_answers(sex_at_birth=sex)
        assert ("pregnancy" in [i.link_id for i in enabled_items(section, answers)]) is asked


def test_clean_answers_survive_pruning(questionnaire: Questionnaire) -> None:
    answers = clean_answers()
    assert prune_answers(questionnaire, answers) == answers


def test_prune_drops_unknown_keys_sections_and_display_items(
    questionnaire: Questionnaire,
) -> None:
    answers = clean_answers(**{"phq9": "x", "no-such-item": 1, "pcptsd5-past-month": "x"})
    assert prune_answers(questionnaire, answers) == clean_answers()


def test_prune_drops_answers_of_a_disabled_section(questionnaire: Questionnaire) -> None:
    answers = clean_answers(**{"phq9-9": NOT_AT_ALL, "safety-plan": True, "safety-safe-now": False})
    pruned = prune_answers(questionnaire, answers)
    assert "safety-plan" not in pruned and "safety-safe-now" not in pruned


def test_prune_drops_a_follow_up_whose_trigger_changed(questionnaire: Questionnaire) -> None:
    answers = clean_answers(has_therapist=True, open_to_therapist="no")
    assert "open-to-therapist" not in prune_answers(questionnaire, answers)


def test_prune_follows_chains_through_sections(questionnaire: Questionnaire) -> None:
    # phq9-9 -> safety section -> its items; pcptsd5-event "no" -> pcptsd5-1..5
    answers = clean_answers(
        **{"safety-plan": True, "pcptsd5-event": "no", "pcptsd5-1": "yes", "pcptsd5-2": "no"}
    )
    pruned = prune_answers(questionnaire, answers)
    assert "safety-plan" not in pruned
    assert [key for key in pruned if key.startswith("pcptsd5")] == ["pcptsd5-event"]


def test_prune_does_not_change_its_input(questionnaire: Questionnaire) -> None:
    answers = clean_answers(has_therapist=True, open_to_therapist="no")
    prune_answers(questionnaire, answers)
    assert answers["open-to-therapist"] == "no"


CHAIN = {
    "id": "chain",
    "url": "https://example.org/Questionnaire/chain",
    "version": "1",
    "title": "Chain",
    "sections": [
        {
            "linkId": "s1",
            "title": "S1",
            "items": [
                {"linkId": "a", "type": "boolean", "text": "A"},
                {
                    "linkId": "b",
                    "type": "boolean",
                    "text": "B",
                    "enableWhen": [{"question": "a", "operator": "=", "answerBoolean": True}],
                },
                {
                    "linkId": "c",
                    "type": "boolean",
                    "text": "C",
                    "enableWhen": [{"question": "b", "operator": "=", "answerBoolean": True}],
                },
                {
                    "linkId": "d",
                    "type": "boolean",
                    "text": "D only when C was not answered",
                    "enableWhen": [{"question": "c", "operator": "exists", "answerBoolean": False}],
                },
            ],
        },
        {
            "linkId": "s2",
            "title": "S2",
            "enableWhen": [{"question": "c", "operator": "=", "answerBoolean": True}],
            "items": [{"linkId": "e", "type": "boolean", "text": "E"}],
        },
    ],
}


@pytest.fixture
def chain(tmp_path: Path) -> Questionnaire:
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(CHAIN), encoding="utf-8")
    return load_definition(path)


def test_prune_follows_a_chain_of_follow_ups(chain: Questionnaire) -> None:
    stale = {"a": False, "b": True, "c": True, "d": True, "e": True}
    # a=False hides b; without b, c is hidden; without c, d applies and s2 does not.
    assert prune_answers(chain, stale) == {"a": False, "d": True}


def test_prune_keeps_a_chain_that_holds(chain: Questionnaire) -> None:
    answers = {"a": True, "b": True, "c": True, "e": False}
    assert prune_answers(chain, answers) == answers
