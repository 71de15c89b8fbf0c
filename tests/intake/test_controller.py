"""The wizard's step decision, tested as a pure function: no app, no request, no database."""

from __future__ import annotations

from typing import Any

import pytest

from screening.intake.controller import (
    Invalid,
    KeepTyped,
    Revealed,
    Save,
    StepPost,
    move_of,
    plan_step,
)
from screening.questionnaire import DEFINITION_PATH, RULES_PATH
from screening.questionnaire.model import Questionnaire, load_definition
from screening.questionnaire.triage import RuleSet, load_rules
from tests.questionnaire.factories import clean_answers

REQUIRED = ["This question needs an answer."]


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    """Load the shipped definition once for these tests."""
    return load_definition(DEFINITION_PATH)


@pytest.fixture(scope="module")
def rules(questionnaire: Questionnaire) -> RuleSet:
    """Load the shipped triage rules once for these tests."""
    return load_rules(RULES_PATH, questionnaire)


def section_answers(q: Questionnaire, section_id: str, **overrides: Any) -> dict[str, Any]:
    """The factory's answers to one section, with overrides (None removes)."""
    ids = {item.link_id for item in q.section(section_id).items}
    return {key: value for key, value in clean_answers(**overrides).items() if key in ids}


def plan(q, rules, section_id, post, saved=None, shown=None):  # type: ignore[no-untyped-def]
    """Plan a POST of a step with nothing saved or kept unless given."""
    saved = saved or {}
    return plan_step(q, rules, q.section(section_id), saved, shown or saved, post)


def test_next_with_valid_answers_saves_them_and_moves_on(questionnaire, rules):
    answers = section_answers(questionnaire, "about-you")
    result = plan(questionnaire, rules, "about-you", StepPost("next", answers, {}))
    assert result == Save(answers, move="next", disclosed={})


def test_next_with_a_risk_answer_saves_it_and_owes_crisis_resources(questionnaire, rules):
    answers = section_answers(questionnaire, "phq9", **{"phq9-9": "LA6569-3"})
    result = plan(questionnaire, rules, "phq9", StepPost("next", answers, {}))
    assert result == Save(answers, move="next", disclosed={"phq9-9": "LA6569-3"})
    assert result.crisis


def test_a_risk_answer_on_the_safety_step_owes_crisis_resources(questionnaire, rules):
    answers = {
        "safety-thoughts-now": True,
        "safety-plan": False,
        "safety-safe-now": True,
    }
    # The safety step applies because of PHQ-9 item 9, saved on an earlier step.
    post = StepPost("next", answers, {})
    result = plan(questionnaire, rules, "safety", post, saved={"phq9-9": "LA6569-3"})
    assert result == Save(answers, move="next", disclosed={"safety-thoughts-now": True})
    no_risk = StepPost("next", {**answers, "safety-thoughts-now": False}, {})
    result = plan(questionnaire, rules, "safety", no_risk, saved={"phq9-9": "LA6569-3"})
    assert isinstance(result, Save) and not result.crisis


def test_answers_to_questions_that_do_not_apply_are_not_saved(questionnaire, rules):
    answers = section_answers(questionnaire, "treatment-history", hospitalized=False)
    posted = {**answers, "hospitalization-details": "typed before changing the answer"}
    errors = {"hospitalization-details": ["Use at most 2000 characters."]}
    result = plan(questionnaire, rules, "treatment-history", StepPost("next", posted, errors))
    assert result == Save(answers, move="next", disclosed={})


def test_a_next_that_reveals_a_question_shows_the_page_again(questionnaire, rules):
    posted = section_answers(questionnaire, "treatment-history", hospitalized=True)
    result = plan(questionnaire, rules, "treatment-history", StepPost("next", posted, {}))
    assert result == Revealed({})


def test_with_javascript_a_question_that_appeared_and_was_left_blank_is_not_shown_again(
    questionnaire, rules
):
    # wizard.js showed the follow-ups as "hospitalized: yes" was chosen; the person skipped them.
    posted = section_answers(questionnaire, "treatment-history", hospitalized=True)
    post = StepPost("next", posted, {}, seen_live=True)
    assert plan(questionnaire, rules, "treatment-history", post) == Save(
        posted, move="next", disclosed={}
    )


def test_a_revealed_question_is_shown_again_even_when_the_page_has_errors(questionnaire, rules):
    posted = section_answers(
        questionnaire, "treatment-history", hospitalized=True, antidepressant_trials=None
    )
    post = StepPost("next", posted, {"antidepressant-trials": REQUIRED})
    assert plan(questionnaire, rules, "treatment-history", post) == Revealed({})


def test_a_question_already_shown_is_not_revealed_again(questionnaire, rules):
    posted = section_answers(questionnaire, "treatment-history", hospitalized=True)
    # The page was shown with "hospitalized: yes" kept from an earlier attempt at it.
    result = plan(
        questionnaire,
        rules,
        "treatment-history",
        StepPost("next", posted, {}),
        shown={"hospitalized": True},
    )
    assert result == Save(posted, move="next", disclosed={})


def test_a_revealed_question_answered_in_the_same_post_is_saved(questionnaire, rules):
    posted = section_answers(
        questionnaire,
        "treatment-history",
        hospitalized=True,
        hospital_discharge="2019-06-14",
        hospitalization_details="Two weeks in 2019",
    )
    result = plan(questionnaire, rules, "treatment-history", StepPost("next", posted, {}))
    assert result == Save(posted, move="next", disclosed={})


def test_a_next_with_errors_keeps_what_was_typed_and_shows_them(questionnaire, rules):
    posted = section_answers(questionnaire, "about-you", email=None)
    errors = {"email": REQUIRED}
    result = plan(questionnaire, rules, "about-you", StepPost("next", posted, errors))
    assert result == Invalid(errors, {})


def test_a_risk_answer_on_a_page_with_errors_is_disclosed_but_not_yet_saved(questionnaire, rules):
    posted = section_answers(questionnaire, "phq9", **{"phq9-9": "LA6569-3", "phq9-1": None})
    errors = {"phq9-1": REQUIRED}
    result = plan(questionnaire, rules, "phq9", StepPost("next", posted, errors))
    assert result == Invalid(errors, {"phq9-9": "LA6569-3"})


@pytest.mark.parametrize("move", ["back", "save"])
def test_leaving_with_a_risk_answer_owes_crisis_resources(questionnaire, rules, move):
    posted = section_answers(questionnaire, "phq9", **{"phq9-9": "LA6570-1"})
    result = plan(questionnaire, rules, "phq9", StepPost(move, posted, {}))
    assert result == Save(posted, move=move, disclosed={"phq9-9": "LA6570-1"})
    assert result.crisis
    post = StepPost(move, {**posted, "phq9-1": None}, {"phq9-1": REQUIRED})
    kept = plan(questionnaire, rules, "phq9", post)
    assert kept == KeepTyped(move, {"phq9-9": "LA6570-1"}) and kept.crisis


def test_an_answer_that_raises_no_urgent_flag_is_not_a_disclosure(questionnaire, rules):
    posted = section_answers(questionnaire, "phq9", **{"phq9-9": "LA6568-5", "phq9-1": "LA6571-9"})
    assert plan(questionnaire, rules, "phq9", StepPost("back", posted, {})).disclosed == {}


def test_back_with_errors_keeps_what_was_typed(questionnaire, rules):
    posted = section_answers(questionnaire, "about-you", email=None)
    post = StepPost("back", posted, {"email": REQUIRED})
    assert plan(questionnaire, rules, "about-you", post) == KeepTyped("back", {})


def test_back_with_valid_answers_saves_them(questionnaire, rules):
    answers = section_answers(questionnaire, "about-you")
    result = plan(questionnaire, rules, "about-you", StepPost("back", answers, {}))
    assert isinstance(result, Save)
    assert (result.answers, result.move) == (answers, "back")


def test_back_does_not_wait_for_revealed_questions(questionnaire, rules):
    posted = section_answers(questionnaire, "treatment-history", hospitalized=True)
    result = plan(questionnaire, rules, "treatment-history", StepPost("back", posted, {}))
    assert isinstance(result, Save) and result.move == "back"


def test_save_for_later_saves_valid_answers_and_keeps_invalid_ones_as_typed(questionnaire, rules):
    answers = section_answers(questionnaire, "about-you")
    saved = plan(questionnaire, rules, "about-you", StepPost("save", answers, {}))
    assert isinstance(saved, Save) and saved.move == "save"
    post = StepPost("save", {**answers, "email": None}, {"email": REQUIRED})
    assert plan(questionnaire, rules, "about-you", post) == KeepTyped("save", {})


def test_a_later_answer_on_the_page_uses_the_saved_answers_to_decide_what_applies(
    questionnaire, rules
):
    # The safety step applies only after a PHQ-9 item 9 answer saved on an earlier step.
    saved = {"phq9-9": "LA6569-3"}
    posted = {"safety-thoughts-now": False, "safety-plan": False}
    post = StepPost("next", posted, {"safety-safe-now": REQUIRED})
    result = plan(questionnaire, rules, "safety", post, saved=saved)
    assert result == Invalid({"safety-safe-now": REQUIRED}, {})


@pytest.mark.parametrize(
    ("action", "move"),
    [("next", "next"), ("back", "back"), ("save", "save"), (None, "next"), ("other", "next")],
)
def test_any_button_but_back_or_save_means_next(action, move):
    assert move_of(action) == move
