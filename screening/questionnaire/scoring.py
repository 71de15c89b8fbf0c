"""Score the instruments (PHQ-9, GAD-7, AUDIT-C, PC-PTSD-5) and a few derived numbers.

Instruments find their items through the section's `instrument` key and read each answer's
points from the option's `ordinal`, so the definition is the only place the scoring lives.
Items hidden by enableWhen count as 0 (AUDIT-C questions 2-3 after "Never", PC-PTSD-5 after
"No" to the trauma question), which is how both instruments are scored on paper.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import enabled_items, is_answered, is_enabled, prune_answers
from .model import Item, Questionnaire, Section

# The few items scoring needs by name; everything else is found through the definition.
SEX_AT_BIRTH = "sex-at-birth"
FEMALE = "female"
ANTIDEPRESSANT_TRIALS = "antidepressant-trials"

_PHQ9_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately-severe"))
_GAD7_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"))
PCPTSD5_POSITIVE = 3  # VA: 3+ "yes" answers; some services use 4.
AUDITC_POSITIVE = 4
AUDITC_POSITIVE_FEMALE = 3


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


def _band(total: int, bands: tuple[tuple[int, str], ...], top: str, maximum: int) -> str:
    if not 0 <= total <= maximum:
        raise ValueError(f"total {total} is outside 0-{maximum}")
    return next((name for upper, name in bands if total <= upper), top)


def phq9_band(total: int) -> str:
    """Return the PHQ-9 severity band for a total of 0-27."""
    return _band(total, _PHQ9_BANDS, "severe", 27)


def gad7_band(total: int) -> str:
    """Return the GAD-7 severity band for a total of 0-21 (15-21 is severe)."""
    return _band(total, _GAD7_BANDS, "severe", 21)


def _auditc_threshold(answers: Mapping[str, Any]) -> int:
    return AUDITC_POSITIVE_FEMALE if answers.get(SEX_AT_BIRTH) == FEMALE else AUDITC_POSITIVE


# Per instrument: how to band a total, and the positive-screen threshold for these answers.
_INSTRUMENTS: dict[str, tuple[Callable[[int], str] | None, Callable[..., int] | None]] = {
    "phq9": (phq9_band, None),
    "gad7": (gad7_band, None),
    "auditc": (None, _auditc_threshold),
    "pcptsd5": (None, lambda _answers: PCPTSD5_POSITIVE),
}


def _is_scored(item: Item) -> bool:
    return any(option.ordinal is not None for option in item.options)


def _score_instrument(name: str, section: Section, answers: Mapping[str, Any]) -> Score:
    """Sum the ordinals of the answered options; incomplete if a needed answer is missing.

    Needed: every scored item that applies, and every item a scored item depends on (the
    PC-PTSD-5 trauma question); other items sharing the section (substance use) do not count.
    """
    scored = [item for item in section.items if _is_scored(item)]
    gates = {cond.question for item in scored for cond in item.enable_when}
    total, complete = 0, True
    for item in enabled_items(section, answers):
        if not (_is_scored(item) or item.link_id in gates):
            continue
        value = answers.get(item.link_id)
        option = item.option(value) if isinstance(value, str) else None
        if not is_answered(value) or (_is_scored(item) and option is None):
            complete = False
        elif option is not None and option.ordinal is not None:
            total += option.ordinal
    if not complete:
        return Score(name, None, complete=False)
    band_of, threshold_of = _INSTRUMENTS[name]
    return Score(
        name,
        total,
        band=band_of(total) if band_of else None,
        positive=total >= threshold_of(answers) if threshold_of else None,
    )


def _ordinal_score(q: Questionnaire, link_id: str, name: str, answers: Mapping[str, Any]) -> Score:
    option = q.item(link_id).option(answers.get(link_id, ""))
    if option is None or option.ordinal is None:
        return Score(name, None, complete=False)
    return Score(name, option.ordinal)


def age_on(birth_date: date, today: date) -> int:
    """Return the age in whole years on `today`."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def _birth_date_item(q: Questionnaire) -> Item | None:
    # The date of birth is the date item that carries the minimum age.
    return next((i for i in q.items if i.type == "date" and i.min_age is not None), None)


def _age_score(item: Item, answers: Mapping[str, Any], today: date) -> Score:
    value = answers.get(item.link_id)
    try:
        birth_date = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        birth_date = None
    if birth_date is None:
        return Score("age", None, complete=False)
    return Score("age", age_on(birth_date, today))


def available_scores(q: Questionnaire) -> set[str]:
    """Return the score names this questionnaire can produce (for checking triage rules)."""
    names = {s.instrument for s in q.sections if s.instrument}
    if q.has_item(ANTIDEPRESSANT_TRIALS):
        names.add("antidepressant_trials")
    if _birth_date_item(q) is not None:
        names.add("age")
    return names


def score_answers(q: Questionnaire, answers: Mapping[str, Any], today: date) -> dict[str, Score]:
    """Score every instrument that applies, plus antidepressant trials and age."""
    answers = prune_answers(q, answers)
    scores: dict[str, Score] = {}
    for section in q.sections:
        # An instrument section hidden by enableWhen (PC-PTSD-5) was not asked: no score.
        if section.instrument and is_enabled(section, answers):
            scores[section.instrument] = _score_instrument(section.instrument, section, answers)
    if q.has_item(ANTIDEPRESSANT_TRIALS):
        scores["antidepressant_trials"] = _ordinal_score(
            q, ANTIDEPRESSANT_TRIALS, "antidepressant_trials", answers
        )
    birth_date_item = _birth_date_item(q)
    if birth_date_item is not None:
        scores["age"] = _age_score(birth_date_item, answers, today)
    return scores
