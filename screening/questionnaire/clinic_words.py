"""The clinic's own words in the definition: {clinic_name}, {clinic_city} and {clinic_states}.

Definition texts name the clinic through these placeholders, filled from settings
(CLINIC_NAME, CLINIC_CITY, CLINIC_STATES) once, when the registry is built: every place that
shows a text (wizard, review, portal, CSV, FHIR) then reads the clinic's words. A placeholder
the app does not know stops start-up, naming the file and the linkId.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import LANGUAGES, DefinitionError, LocalizedText, Questionnaire

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# "California, Nevada or Oregon"; Spanish writes "u" before a word starting with an o sound.
_OR = {"en": "or", "es": "o"}


@dataclass(frozen=True)
class ClinicWords:
    """The clinic's name, city and the states where it may treat (in the order given)."""

    name: str
    city: str
    states: tuple[str, ...]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ClinicWords:
        """Read CLINIC_NAME, CLINIC_CITY and CLINIC_STATES (a list, or commas in a string)."""
        states = config["CLINIC_STATES"]
        if isinstance(states, str):
            states = states.split(",")
        states = tuple(state.strip() for state in states if state.strip())
        if not states:
            raise ValueError("CLINIC_STATES names no state: set the states the clinic treats in")
        return cls(config["CLINIC_NAME"], config["CLINIC_CITY"], states)

    def values(self, lang: str) -> dict[str, str]:
        """The placeholders' values in one language."""
        return {
            "clinic_name": self.name,
            "clinic_city": self.city,
            "clinic_states": join_or(self.states, lang),
        }


def join_or(words: tuple[str, ...], lang: str) -> str:
    """Join words as a list of alternatives: "A", "A or B", "A, B or C" (in `lang`)."""
    if len(words) == 1:
        return words[0]
    last = words[-1]
    conjunction = _OR.get(lang, "or")
    if lang == "es" and re.match(r"(?i)h?o", last):
        conjunction = "u"
    return f"{', '.join(words[:-1])} {conjunction} {last}"


def with_clinic_words(q: Questionnaire, words: ClinicWords) -> Questionnaire:
    """Return the definition with every placeholder filled in (DefinitionError if unknown)."""

    def fill(text: LocalizedText | None, where: str) -> LocalizedText | None:
        if text is None:
            return None
        filled = []
        for lang, value in text.texts:
            known = words.values(lang if lang in LANGUAGES else "en")
            unknown = sorted(set(PLACEHOLDER.findall(value)) - set(known))
            if unknown:
                raise DefinitionError(
                    f"{q.source}: {where}: unknown placeholder(s) {unknown} "
                    f"(known: {sorted(known)})"
                )
            filled.append((lang, PLACEHOLDER.sub(lambda m, k=known: k[m.group(1)], value)))
        return LocalizedText(tuple(filled))

    sections = []
    for section in q.sections:
        items = []
        for item in section.items:
            options = tuple(
                dataclasses.replace(option, display=fill(option.display, item.link_id))
                for option in item.options
            )
            items.append(
                dataclasses.replace(
                    item,
                    text=fill(item.text, item.link_id),
                    help=fill(item.help, item.link_id),
                    options=options,
                )
            )
        sections.append(
            dataclasses.replace(
                section,
                title=fill(section.title, section.link_id),
                intro=fill(section.intro, section.link_id),
                notice=fill(section.notice, section.link_id),
                items=tuple(items),
            )
        )
    return dataclasses.replace(q, title=fill(q.title, "title"), sections=tuple(sections))
