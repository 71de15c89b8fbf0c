"""How long the questionnaire takes: the words to read and the answers to give on one path.

A path is what one set of answers makes the definition ask: the sections and items that apply.
Reading covers section titles, intros and notices, and each asked item's text, help and
options; answering is a few seconds per tap and longer per typed field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import enabled_items, enabled_sections, prune_answers
from .model import LocalizedText, Questionnaire

# Adults read non-fiction silently at about 240 words a minute (Brysbaert 2019, meta-analysis
# of 190 studies); questions are read closely, often on a phone: 200. Spanish reads at about
# the same rate per word (IReST, Trauzettel-Klosinski 2012: 218 vs 228 for English), its texts
# simply have more words.
WORDS_PER_MINUTE = 200
# Choosing an option once its text is read: a tap, a glance, sometimes a second thought.
SECONDS_PER_CHOICE = 3
# Typing on a phone keyboard: a name, a date, a phone number, a medicine or a sentence.
SECONDS_PER_TYPED_ANSWER = 15
CHOICE_TYPES = frozenset({"choice", "open-choice", "boolean"})


@dataclass(frozen=True)
class Walk:
    """One path through the questionnaire: answers asked, words to read, estimated minutes."""

    answers: int
    words: int
    minutes: float


def walk(q: Questionnaire, answers: Mapping[str, Any], lang: str = "en") -> Walk:
    """Return what these answers make the questionnaire ask, in `lang`, and how long it takes."""
    answers = prune_answers(q, answers)
    texts: list[LocalizedText | None] = []
    choices = typed = 0
    for section in enabled_sections(q, answers):
        texts += [section.title, section.intro, section.notice]
        for item in enabled_items(section, answers):
            texts += [item.text, item.help, *(option.display for option in item.options)]
            if item.type in CHOICE_TYPES:
                choices += 1
            elif item.type != "display":
                typed += 1
    words = sum(len(text.get(lang).split()) for text in texts if text is not None)
    seconds = words / WORDS_PER_MINUTE * 60 + choices * SECONDS_PER_CHOICE
    seconds += typed * SECONDS_PER_TYPED_ANSWER
    return Walk(choices + typed, words, round(seconds / 60, 1))


# Shown rounded up to 5 minutes: reading speed alone varies by a third between adults, so a
# figure to the minute would claim a precision the estimate does not have; up, because a
# promise of time should not be short.
SHOWN_STEP_MINUTES = 5


def shown_minutes(q: Questionnaire, lang: str = "en") -> int:
    """Return the figure the site promises: the path everyone is asked (no answer opening a
    follow-up), rounded up to 5 minutes. A calm adult's few follow-ups (pregnancy, two AUDIT-C
    questions) stay within the rounding; tests/questionnaire/test_estimate.py checks it."""
    minutes = walk(q, {}, lang).minutes
    return max(SHOWN_STEP_MINUTES, math.ceil(minutes / SHOWN_STEP_MINUTES) * SHOWN_STEP_MINUTES)
