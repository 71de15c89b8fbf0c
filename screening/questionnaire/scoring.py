"""Score the instruments (PHQ-9, GAD-7, AUDIT-C, PC-PTSD-5) and a few derived numbers.

Instruments find their items through the section's `instrument` key and read each answer's
points from the option's `ordinal`, so the definition is the only place the scoring lives.
Items hidden by enableWhen count as 0 (AUDIT-C questions 2-3 after "Never", PC-PTSD-5 after
"No" to the trauma question), which is how both instruments are scored on paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import enabled_items, is_answered, is_enabled, prune_answers
from .instruments import DERIVED_SCORES, INSTRUMENTS, Instrument
from .model import Item, Questionnaire, Section


@dataclass(frozen=True)
class Score:
    """One score: a total, and where the instrument defines them a band or a positive screen."""

    name: str
    total: int | None
    band: str | None = None
    positive: bool | None = None
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return the non-None of total, band and positive, plus complete."""
        data = {"total": self.total, "band": self.band, "positive": self.positive}
        known = {key: value for key, value in data.items() if value is not None}
        return {**known, "complete": self.complete}


def _score_instrument(
    q: Questionnaire, instrument: Instrument, section: Section, answers: Mapping[str, Any]
) -> Score:
    """Sum the ordinals of the answered options; incomplete if a needed answer is missing.

    Needed: every scored item that applies, and every item a scored item depends on (the
    PC-PTSD-5 trauma question); other items sharing the section (substance use) do not count.
    """
    scored = instrument.items(q)
    gates = {cond.question for item in scored for cond in item.enable_when}
    total, complete = 0, True
    for item in enabled_items(section, answers):
        if not (item in scored or item.link_id in gates):
            continue
        value = answers.get(item.link_id)
        option = item.option(value) if isinstance(value, str) else None
        if not is_answered(value) or (item in scored and option is None):
            complete = False
        elif option is not None and option.ordinal is not None:
            total += option.ordinal
    if not complete:
        return Score(instrument.name, None, complete=False)
    positive = instrument.positive(total, q, answers)
    return Score(instrument.name, total, instrument.band(total), positive)


def _ordinal_score(item: Item, name: str, answers: Mapping[str, Any]) -> Score:
    option = item.option(answers.get(item.link_id, ""))
    if option is None or option.ordinal is None:
        return Score(name, None, complete=False)
    return Score(name, option.ordinal)


def age_on(birth_date: date, today: date) -> int:
    """Return the age in whole years on `today`."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def _age_score(item: Item, answers: Mapping[str, Any], today: date) -> Score:
    value = answers.get(item.link_id)
    try:
        birth_date = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        birth_date = None
    if birth_date is None:
        return Score("age", None, complete=False)
    return Score("age", age_on(birth_date, today))


def _bmi_score(q: Questionnaire, answers: Mapping[str, Any]) -> Score | None:
    """Body-mass index to the nearest whole number; None unless weight and height were given.

    Both are optional, so a missing one means no BMI, never an incomplete score. A blank inches
    field with feet given counts as 0 inches ("5 feet").
    """
    pounds = q.role_answer("weight-pounds", answers)
    feet = q.role_answer("height-feet", answers)
    inches = q.role_answer("height-inches", answers) or 0
    if not all(isinstance(n, int) for n in (pounds, feet, inches)) or feet < 1:
        return None
    return Score("bmi", round(703 * pounds / (feet * 12 + inches) ** 2))


def available_scores(q: Questionnaire) -> set[str]:
    """Return the score names this questionnaire can produce (for checking triage rules)."""
    names = {s.instrument for s in q.sections if s.instrument}
    return names | {
        name for name, roles in DERIVED_SCORES.items() if all(q.role_item(r) for r in roles)
    }


def score_answers(q: Questionnaire, answers: Mapping[str, Any], today: date) -> dict[str, Score]:
    """Score every instrument that applies, plus antidepressant trials, age and BMI."""
    answers = prune_answers(q, answers)
    scores: dict[str, Score] = {}
    for section in q.sections:
        # An instrument section hidden by enableWhen (PC-PTSD-5) was not asked: no score.
        if section.instrument and is_enabled(section, answers):
            instrument = INSTRUMENTS[section.instrument]
            scores[instrument.name] = _score_instrument(q, instrument, section, answers)
    derived = available_scores(q)
    if "antidepressant_trials" in derived:
        trials = q.role_item("antidepressant-trials")
        scores["antidepressant_trials"] = _ordinal_score(trials, "antidepressant_trials", answers)
    if "age" in derived:
        scores["age"] = _age_score(q.role_item("date-of-birth"), answers, today)
    if "bmi" in derived and (bmi := _bmi_score(q, answers)):
        scores["bmi"] = bmi
    return scores
