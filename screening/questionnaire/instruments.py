"""The instrument registry: every validated instrument the core knows, in one place.

A definition section names its instrument (`instrument: phq9`); its items are the section's
scored items (options with an `ordinal`). Scoring, triage rules, the clinician view and the
queue all read the instrument's label, bands and positive-screen rule from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the model imports this module to validate instrument names
    from .model import Item, Questionnaire, Section

# Numbers that are not instruments but that rules test and clinicians see: each score's name
# and the roles of the definition items it is read from (the questionnaire must have them all).
DERIVED_SCORES = {
    "antidepressant_trials": ("antidepressant-trials",),
    "age": ("date-of-birth",),
    # For the clinician only (dosing, airway risk); never shown to the person.
    "bmi": ("weight-pounds", "height-feet", "height-inches"),
}


@dataclass(frozen=True)
class Instrument:
    """A validated instrument: name, label, severity bands and positive-screen rule."""

    name: str
    label: str
    # (highest total of the band, band name), ascending; the last band ends at the maximum.
    bands: tuple[tuple[int, str], ...] = ()
    # The positive-screen threshold for these answers (None: the instrument has no screen).
    positive_at: Callable[[Questionnaire, Mapping[str, Any]], int] | None = None
    # Whether the clinician sees each item's answer and points under the total.
    itemised: bool = False

    def band(self, total: int) -> str | None:
        """Return the severity band of a total (ValueError outside the instrument's range)."""
        if not self.bands:
            return None
        if not 0 <= total <= self.bands[-1][0]:
            raise ValueError(f"total {total} is outside 0-{self.bands[-1][0]}")
        return next(name for upper, name in self.bands if total <= upper)

    def positive(self, total: int, q: Questionnaire, answers: Mapping[str, Any]) -> bool | None:
        """Return whether a total is a positive screen (None if there is no screen)."""
        return total >= self.positive_at(q, answers) if self.positive_at else None

    def section(self, q: Questionnaire) -> Section | None:
        """Return the definition's section for this instrument, if it has one."""
        return next((s for s in q.sections if s.instrument == self.name), None)

    def items(self, q: Questionnaire) -> tuple[Item, ...]:
        """Return the scored items (options with ordinals) of this instrument's section."""
        section = self.section(q)
        items = section.items if section else ()
        return tuple(i for i in items if any(o.ordinal is not None for o in i.options))


def _auditc_threshold(q: Questionnaire, answers: Mapping[str, Any]) -> int:
    # 4+ for men, 3+ for women. Only an answer of "male" (sex assigned at birth, found by its
    # role) earns the higher cut-off: intersex, "rather not say" and no answer get 3, so a
    # missing answer never hides a positive screen.
    return 4 if q.role_answer("sex-at-birth", answers) == "male" else 3


INSTRUMENTS: dict[str, Instrument] = {
    i.name: i
    for i in (
        Instrument(
            "phq9",
            "PHQ-9",
            bands=(
                (4, "minimal"),
                (9, "mild"),
                (14, "moderate"),
                (19, "moderately-severe"),
                (27, "severe"),
            ),
            itemised=True,
        ),
        Instrument(
            "gad7",
            "GAD-7",
            bands=((4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe")),
            itemised=True,
        ),
        Instrument("auditc", "AUDIT-C", positive_at=_auditc_threshold),
        # VA: 3+ "yes" answers (some services use 4).
        Instrument("pcptsd5", "PC-PTSD-5", positive_at=lambda _q, _answers: 3),
    )
}
SCORE_NAMES = (*INSTRUMENTS, *DERIVED_SCORES)
