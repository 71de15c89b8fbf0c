"""Instrument scores, severity bands and the derived numbers (trials, age)."""

from __future__ import annotations

from datetime import date

import pytest

from screening.questionnaire.instruments import INSTRUMENTS
from screening.questionnaire.model import Questionnaire
from screening.questionnaire.scoring import Score, age_on, available_scores, score_answers
from tests.questionnaire.factories import (
    TODAY,
    clean_answers,
    gad7_answers,
    phq9_answers,
)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately-severe"),
        (19, "moderately-severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    assert INSTRUMENTS["phq9"].band(total) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    assert INSTRUMENTS["gad7"].band(total) == band


@pytest.mark.parametrize(("name", "total"), [("phq9", 28), ("phq9", -1), ("gad7", 22)])
def test_bands_reject_impossible_totals(name: str, total: int) -> None:
    with pytest.raises(ValueError):
        INSTRUMENTS[name].band(total)


def test_screens_without_bands_have_no_band() -> None:
    assert INSTRUMENTS["auditc"].band(12) is None
    assert INSTRUMENTS["phq9"].positive_at is None


def test_clean_answers_score_moderate_phq9_mild_gad7_negative_auditc(
    questionnaire: Questionnaire,
) -> None:
    scores = score_answers(questionnaire, clean_answers(), TODAY)
    assert scores["phq9"] == Score("phq9", 12, band="moderate")
    assert scores["gad7"] == Score("gad7", 7, band="mild")
    assert scores["auditc"] == Score("auditc", 1, positive=False)
    assert scores["antidepressant_trials"] == Score("antidepressant_trials", 1)
    assert scores["age"] == Score("age", 38)
    assert scores["pcptsd5"] == Score("pcptsd5", 0, positive=False)  # asked of everyone
    assert scores["bmi"] == Score("bmi", 23)  # 150 lb, 5 ft 7 in


def test_instrument_scores_read_ordinals_from_the_options(questionnaire: Questionnaire) -> None:
    answers = clean_answers(
        **phq9_answers(3, 3, 3, 3, 3, 3, 3, 3, 3), **gad7_answers(3, 3, 3, 3, 3, 3, 3)
    )
    scores = score_answers(questionnaire, answers, TODAY)
    assert (scores["phq9"].total, scores["phq9"].band) == (27, "severe")
    assert (scores["gad7"].total, scores["gad7"].band) == (21, "severe")


def test_phq9_difficulty_item_is_not_scored(questionnaire: Questionnaire) -> None:
    with_difficulty = clean_answers(**{"phq9-difficulty": "LA6574-3"})
    without = clean_answers(**{"phq9-difficulty": None})
    totals = {
        score_answers(questionnaire, a, TODAY)["phq9"].total for a in (with_difficulty, without)
    }
    assert totals == {12}


def test_incomplete_instrument_has_no_total(questionnaire: Questionnaire) -> None:
    scores = score_answers(questionnaire, clean_answers(**{"phq9-4": None}), TODAY)
    assert scores["phq9"] == Score("phq9", None, complete=False)
    assert scores["phq9"].to_dict() == {"complete": False}


def test_unknown_code_makes_an_instrument_incomplete(questionnaire: Questionnaire) -> None:
    scores = score_answers(questionnaire, clean_answers(**{"gad7-2": "LA-bogus"}), TODAY)
    assert scores["gad7"].complete is False


def auditc(sex: str | None, q1: str, q2: str | None = None, q3: str | None = None) -> dict:
    return clean_answers(sex_at_birth=sex, **{"auditc-1": q1, "auditc-2": q2, "auditc-3": q3})


@pytest.mark.parametrize(
    ("answers", "total", "positive"),
    [
        # 2-4 times a month (2) + 3 or 4 (1) + never (0) = 3: positive unless answered male
        (auditc("female", "LA18927-6", "LA15695-2", "LA6270-8"), 3, True),
        (auditc("male", "LA18927-6", "LA15695-2", "LA6270-8"), 3, False),
        (auditc("intersex", "LA18927-6", "LA15695-2", "LA6270-8"), 3, True),
        (auditc("prefer-not-to-say", "LA18927-6", "LA15695-2", "LA6270-8"), 3, True),
        (auditc(None, "LA18927-6", "LA15695-2", "LA6270-8"), 3, True),
        # 2-3 times a week (3) + 1 or 2 (0) + less than monthly (1) = 4: positive for everyone
        (auditc("male", "LA18928-4", "LA15694-5", "LA18933-4"), 4, True),
        (auditc("female", "LA18926-8", "LA15694-5", "LA6270-8"), 1, False),
        # "Never" skips questions 2 and 3, which then count as 0
        (auditc("female", "LA6270-8"), 0, False),
        (auditc("male", "LA18929-2", "LA18932-6", "LA18934-2"), 12, True),
    ],
)
def test_auditc_threshold_depends_on_sex_at_birth(
    questionnaire: Questionnaire, answers: dict, total: int, positive: bool
) -> None:
    score = score_answers(questionnaire, answers, TODAY)["auditc"]
    assert (score.total, score.positive, score.complete) == (total, positive, True)


def test_auditc_stale_answers_after_never_are_ignored(questionnaire: Questionnaire) -> None:
    answers = auditc("male", "LA6270-8", "LA18932-6", "LA18934-2")
    assert score_answers(questionnaire, answers, TODAY)["auditc"].total == 0


def test_auditc_missing_follow_up_is_incomplete(questionnaire: Questionnaire) -> None:
    answers = auditc("male", "LA18928-4", "LA15694-5", None)
    assert score_answers(questionnaire, answers, TODAY)["auditc"].complete is False


def pcptsd5(event: str | None, *yes_no: str) -> dict:
    items = {f"pcptsd5-{n}": v for n, v in enumerate(yes_no, start=1)}
    return clean_answers(reasons=["ptsd-trauma"], **{"pcptsd5-event": event}, **items)


@pytest.mark.parametrize(
    ("answers", "total", "positive", "complete"),
    [
        (pcptsd5("no"), 0, False, True),
        (pcptsd5("yes", "yes", "yes", "no", "no", "no"), 2, False, True),
        (pcptsd5("yes", "yes", "yes", "yes", "no", "no"), 3, True, True),
        (pcptsd5("yes", "yes", "yes", "yes", "yes", "yes"), 5, True, True),
        (pcptsd5("yes", "yes", "yes"), None, None, False),
        (pcptsd5(None), None, None, False),
    ],
)
def test_pcptsd5_counts_yes_after_the_trauma_question(
    questionnaire: Questionnaire, answers: dict, total, positive, complete: bool
) -> None:
    score = score_answers(questionnaire, answers, TODAY)["pcptsd5"]
    assert (score.total, score.positive, score.complete) == (total, positive, complete)


@pytest.mark.parametrize(("code", "trials"), [("0", 0), ("1", 1), ("2", 2), ("3-plus", 3)])
def test_antidepressant_trials(questionnaire: Questionnaire, code: str, trials: int) -> None:
    answers = clean_answers(antidepressant_trials=code)
    assert score_answers(questionnaire, answers, TODAY)["antidepressant_trials"].total == trials


def test_unanswered_trials_and_age_are_incomplete(questionnaire: Questionnaire) -> None:
    answers = clean_answers(antidepressant_trials=None, date_of_birth=None)
    scores = score_answers(questionnaire, answers, TODAY)
    assert scores["antidepressant_trials"] == Score("antidepressant_trials", None, complete=False)
    assert scores["age"] == Score("age", None, complete=False)


@pytest.mark.parametrize(
    ("born", "age"),
    [
        (date(2008, 11, 27), 18),  # 18th birthday today
        (date(2008, 11, 28), 17),  # 18th birthday tomorrow
        (date(1988, 4, 12), 38),
        (date(2000, 2, 29), 26),
    ],
)
def test_age_in_whole_years(born: date, age: int) -> None:
    assert age_on(born, TODAY) == age


def test_age_is_read_from_the_date_of_birth_item(questionnaire: Questionnaire) -> None:
    answers = clean_answers(date_of_birth="2008-11-28")
    assert score_answers(questionnaire, answers, TODAY)["age"].total == 17


def test_score_to_dict_keeps_only_what_is_known() -> None:
    assert Score("phq9", 12, band="moderate").to_dict() == {
        "total": 12,
        "band": "moderate",
        "complete": True,
    }
    assert Score("auditc", 0, positive=False).to_dict() == {
        "total": 0,
        "positive": False,
        "complete": True,
    }


def test_available_scores(questionnaire: Questionnaire) -> None:
    assert available_scores(questionnaire) == {
        "phq9",
        "gad7",
        "auditc",
        "pcptsd5",
        "antidepressant_trials",
        "age",
        "bmi",
    }


@pytest.mark.parametrize(
    ("pounds", "feet", "inches", "bmi"),
    [
        (150, 5, 7, 23),  # 703 x 150 / 67^2 = 23.49
        (258, 5, 6, 42),
        (110, 5, 10, 16),
        (120, 5, None, 23),  # "5 feet" with the inches left blank
    ],
)
def test_bmi_from_pounds_feet_and_inches(
    questionnaire: Questionnaire, pounds: int, feet: int, inches: int | None, bmi: int
) -> None:
    answers = clean_answers(weight=pounds, height_feet=feet, height_inches=inches)
    assert score_answers(questionnaire, answers, TODAY)["bmi"] == Score("bmi", bmi)


def test_no_bmi_without_weight_or_height(questionnaire: Questionnaire) -> None:
    # Both are optional: no answer means no number, never an incomplete flag.
    for missing in ("weight", "height_feet"):
        answers = clean_answers(**{missing: None})
        assert "bmi" not in score_answers(questionnaire, answers, TODAY)


def test_auditc_ignores_other_questions_in_its_section(questionnaire: Questionnaire) -> None:
    answers = clean_answers(substances_past_year=None, substance_concern=None)
    assert score_answers(questionnaire, answers, TODAY)["auditc"].complete is True
