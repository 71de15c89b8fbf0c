"""What one POST of a wizard step does: save, keep what was typed, or show the page again.

Pure: a decision over the definition, the draft's saved answers and the post as its form read
it. No request, no database; the view carries the decision out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from screening.clock import today
from screening.intake.forms import field_names
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire.flags import AnswerEvidence
from screening.questionnaire.model import Item, Questionnaire, Section
from screening.questionnaire.triage import RuleSet, urgent_flags

# Where the person asked to go: the next step, the previous one, away with a resume link, or
# to the clinic now (the button beside the crisis resources).
Move = Literal["next", "back", "save", "reach"]
MOVES: tuple[Move, ...] = ("next", "back", "save", "reach")


@dataclass(frozen=True)
class StepPost:
    """One POST of a step, read through the step's form (every question, valid or not)."""

    move: Move
    # Every question's answer as the form reads it, without validating.
    answers: dict[str, Any]
    # Every field's errors; only those of questions that apply count.
    errors: dict[str, list[str]]
    # Sent by wizard.js: every question was shown the moment it applied, so one left blank
    # was seen and skipped, not hidden (without it the page is shown again with it).
    seen_live: bool = False


@dataclass(frozen=True)
class Save:
    """Save the step's answers, record any risk they disclose, then move."""

    answers: dict[str, Any]
    move: Move
    # The risk answers among those posted: recorded, and crisis resources come before any page.
    disclosed: dict[str, Any]

    @property
    def crisis(self) -> bool:
        """Whether crisis resources are owed before the next page."""
        return bool(self.disclosed)


@dataclass(frozen=True)
class KeepTyped:
    """Keep what was typed, unvalidated, and move anyway (Back or Save with errors)."""

    move: Move
    disclosed: dict[str, Any]

    @property
    def crisis(self) -> bool:
        """Whether crisis resources are owed before the next page."""
        return bool(self.disclosed)


@dataclass(frozen=True)
class Revealed:
    """Keep what was typed and show the step again: answers on it opened new questions."""

    disclosed: dict[str, Any]


@dataclass(frozen=True)
class Invalid:
    """Keep what was typed and show the step again with these errors."""

    errors: dict[str, list[str]]
    disclosed: dict[str, Any]


StepPlan = Save | KeepTyped | Revealed | Invalid


def move_of(action: str | None) -> Move:
    """Return the move a button asked for; anything else (Enter, no button) is Next."""
    return next((move for move in MOVES if move == action), "next")


def plan_step(
    q: Questionnaire,
    rules: RuleSet,
    section: Section,
    saved: dict[str, Any],
    shown: dict[str, Any],
    post: StepPost,
) -> StepPlan:
    """Decide what a POST of `section` does.

    `saved`: the draft's answers; `shown`: the answers the page was shown with (saved ones
    plus input kept from an earlier attempt at the step), to tell which questions are new.
    """
    applying = enabled_items(section, {**saved, **post.answers})
    applying_ids = {item.link_id for item in applying}
    applying_fields = set(field_names(applying))
    errors = {name: messages for name, messages in post.errors.items() if name in applying_fields}
    answers = {key: value for key, value in post.answers.items() if key in applying_ids}
    # Whatever the button and however the rest is filled in: a risk answer given is kept.
    disclosed = disclosed_answers(q, rules, answers)
    if post.move != "next":
        if errors:
            return KeepTyped(post.move, disclosed)
        return Save(answers, move=post.move, disclosed=disclosed)
    if not post.seen_live and revealed_questions(section, shown, applying, post.answers):
        return Revealed(disclosed)
    if errors:
        return Invalid(errors, disclosed)
    return Save(answers, move="next", disclosed=disclosed)


def typed_disclosures(
    q: Questionnaire, rules: RuleSet, section: Section, saved: dict[str, Any], typed: dict[str, Any]
) -> dict[str, Any]:
    """Return the risk answers among those on a step as it stands (wizard.js keeps them as
    they change), counting only the questions that apply."""
    applying = {item.link_id for item in enabled_items(section, {**saved, **typed})}
    return disclosed_answers(q, rules, {k: v for k, v in typed.items() if k in applying})


def disclosed_answers(q: Questionnaire, rules: RuleSet, answers: dict[str, Any]) -> dict[str, Any]:
    """Return the answers that raise an urgent flag; empty when none does.

    The triage rules decide, not a list here: the answers each urgent flag names as its
    evidence, else (a flag raised by a score alone) all the answers posted.
    """
    flags = urgent_flags(q, rules, answers, today())
    named = {e.link_id for flag in flags for e in flag.evidence if isinstance(e, AnswerEvidence)}
    if not flags:
        return {}
    return {key: value for key, value in answers.items() if key in named} or dict(answers)


def revealed_questions(
    section: Section, shown: dict[str, Any], applying: list[Item], posted: dict[str, Any]
) -> list[str]:
    """Return questions that apply now, were hidden when the page was shown, and are unanswered.

    Without JavaScript such a question was never seen, so the page is shown again with it
    instead of saving the step as complete (or failing it as unanswered).
    """
    visible_before = {item.link_id for item in enabled_items(section, shown)}
    return [
        item.link_id
        for item in applying
        if item.link_id not in visible_before
        and item.link_id not in posted
        and item.type != "display"
    ]
