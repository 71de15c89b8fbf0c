"""The time estimate, walked through the definition for three people (issue 14's personas).

`pytest -s` shows each walk: answers asked, words to read and estimated minutes, in English
and Spanish. Each walk is held to a ceiling (what definition 2026.11.4 asks), so the path can
only get shorter. Issue 14's targets for a calm adult (at most 50 answers and 12 minutes) are
checked too, and are not met: with every clinical item of issue 13 kept and no validated
instrument shortened, the calm adult is still asked 69 answers (about 18 minutes). That test is
a strict xfail, so it fails the day the targets are met and someone must turn it into a plain
test.

Walks measured (answers; EN words, minutes; ES words, minutes), these personas:
  2026.11.3  calm 79; 2714, 20.9; 2991, 22.3   contraindications 83; 2838, 21.9; 3130, 23.4
             risk 90; 2981, 23.4; 3292, 25.0
  2026.11.4  calm 69; 2406, 18.5; 2652, 19.7   contraindications 78; 2752, 21.1; 3044, 22.5
             risk 80; 2673, 21.0; 2953, 22.4
"""

from __future__ import annotations

import math

import pytest

from screening.questionnaire.estimate import SHOWN_STEP_MINUTES, shown_minutes, walk
from screening.questionnaire.model import Questionnaire
from screening.questionnaire.triage import RuleSet, triage_response

from .factories import MORE_THAN_HALF, TODAY, clean_answers

CALM_ADULT = clean_answers()
CONTRAINDICATIONS = clean_answers(
    pregnancy="pregnant",
    high_blood_pressure="yes-not-controlled",
    bp_systolic=184,
    bp_diastolic=104,
    medical_conditions=["heart-attack", "heart-arrhythmia"],
    seizures="no",
    heart_attack_or_stroke_when="6-12-months",
    psychotic_symptoms=True,
    unusual_experiences_when="other-times",
    unusual_experiences_real="seemed-real",
    allergy_details="Penicillin: hives",
    ketamine_reaction="no",
)
RISK = clean_answers(
    reasons=["depression", "ptsd-trauma"],
    **{"phq9-9": MORE_THAN_HALF},
    safety_thoughts_now=False,
    safety_plan=True,
    safety_safe_now=True,
    safety_support="My sister, who lives with me",
    hospitalized=True,
    hospital_discharge="2026-11-10",
    hospitalization_details="A week at the county hospital after an overdose",
    suicidal_behavior="past-3-months",
    pcptsd5_event="yes",
    **{f"pcptsd5-{n}": "yes" for n in range(1, 6)},
)
PERSONAS = {
    "calm eligible adult": (CALM_ADULT, "likely-eligible"),
    "contraindications": (CONTRAINDICATIONS, "likely-ineligible"),
    "risk": (RISK, "urgent-safety"),
}
# What each persona is asked at most (English answers, minutes): a longer path fails here.
# "How did you hear about us?" (optional, last) stays for the dashboard's referral chart.
CEILINGS = {
    "calm eligible adult": (70, 18.6),
    "contraindications": (79, 21.2),
    "risk": (81, 21.1),
}
# Issue 14's targets for the calm eligible adult.
TARGET_ANSWERS, TARGET_MINUTES = 50, 12


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_walk(questionnaire: Questionnaire, rules: RuleSet, persona: str) -> None:
    answers, category = PERSONAS[persona]
    # The answer set is the person it claims to be.
    assert triage_response(questionnaire, rules, answers, TODAY).category == category
    walks = {lang: walk(questionnaire, answers, lang) for lang in ("en", "es")}
    en, es = walks["en"], walks["es"]
    print(
        f"\n{persona}: {en.answers} answers; EN {en.words} words, {en.minutes} min; "
        f"ES {es.words} words, {es.minutes} min"
    )
    # Spanish says the same in more words; both ask the same questions.
    assert es.answers == en.answers
    assert es.words > en.words
    most_answers, most_minutes = CEILINGS[persona]
    assert en.answers <= most_answers
    assert en.minutes <= most_minutes


@pytest.mark.xfail(
    strict=True,
    reason="issue 14's targets are not met without dropping clinical items (see module doc)",
)
def test_calm_adult_meets_the_issue_targets(questionnaire: Questionnaire) -> None:
    en = walk(questionnaire, CALM_ADULT, "en")
    assert en.answers <= TARGET_ANSWERS
    assert en.minutes <= TARGET_MINUTES


def nearest_step(minutes: float) -> int:
    return math.ceil(minutes / SHOWN_STEP_MINUTES) * SHOWN_STEP_MINUTES


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_figure_shown_is_the_calm_adults(questionnaire: Questionnaire, lang: str) -> None:
    assert shown_minutes(questionnaire, lang) == nearest_step(
        walk(questionnaire, CALM_ADULT, lang).minutes
    )


def test_each_answer_and_word_adds_time(questionnaire: Questionnaire) -> None:
    base = walk(questionnaire, CALM_ADULT, "en")
    # "Yes" to the trauma question opens a display text and five yes/no questions.
    trauma = walk(questionnaire, clean_answers(pcptsd5_event="yes"), "en")
    assert trauma.answers == base.answers + 5
    assert trauma.words > base.words
    assert trauma.minutes > base.minutes
    # Answers to questions that do not apply are not a path: they change nothing.
    assert walk(questionnaire, clean_answers(benzo_dose="not-sure"), "en") == base
