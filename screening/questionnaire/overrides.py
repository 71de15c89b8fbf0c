"""Apply a clinic's overlay of words to the questionnaire definition.

A clinic changes a few texts in `instance/questionnaire.overrides.yaml` instead of copying the
whole definition: linkId → new words (per language). The overlay changes words only: codes,
types, conditions, roles and rules stay those of the definition, so triage, exports and stored
answers mean the same with or without it. A mistake (an unknown linkId or option code, a missing
or unknown language, a key that is not a text) stops the app at start-up, naming the file and
the linkId, like a mistake in the definition itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .model import (
    LANGUAGES,
    PRIVACY_VERSION_PLACEHOLDER,
    DefinitionError,
    Item,
    LocalizedText,
    Questionnaire,
    Section,
    read_yaml,
)

# What an overlay may change: words, never structure.
ITEM_KEYS = ("text", "help", "options")
SECTION_KEYS = ("title", "intro", "notice")


class OverrideError(DefinitionError):
    """The overlay file is invalid; the message names the file and the linkId."""


def load_overrides(path: Path) -> Mapping[str, Any] | None:
    """Read the overlay file, or return None when the clinic has none."""
    if not path.is_file():
        return None
    raw = read_yaml(path, OverrideError, "questionnaire overrides")
    if raw is None:  # an empty file (every line commented out) changes nothing
        return {}
    if not isinstance(raw, Mapping):
        raise OverrideError(f"{path}: the file must map linkIds to the words to change")
    return raw


def apply_overrides(
    questionnaire: Questionnaire, overrides: Mapping[str, Any], source: Path | str
) -> Questionnaire:
    """Return the definition with the overlay's words in place (raises OverrideError)."""
    own: dict[str, Mapping[str, Any]] = {}  # section linkId → its own words
    per_item: dict[str, dict[str, Mapping[str, Any]]] = {}  # section linkId → item changes
    for link_id, change in overrides.items():
        where = f"{source}: {link_id}"
        if not isinstance(change, Mapping) or not change:
            raise OverrideError(
                f"{where}: give the words to change, e.g. text: {{en: ..., es: ...}}"
            )
        if not isinstance(link_id, str):
            raise OverrideError(f"{where}: a linkId must be text")
        if questionnaire.has_item(link_id):
            per_item.setdefault(_section_of(questionnaire, link_id), {})[link_id] = change
        elif link_id in {section.link_id for section in questionnaire.sections}:
            own[link_id] = change
        else:
            raise OverrideError(f"{where}: no section or item has this linkId in the definition")
    sections = tuple(
        _override_section(
            section,
            own.get(section.link_id),
            per_item.get(section.link_id, {}),
            questionnaire,
            source,
        )
        for section in questionnaire.sections
    )
    return dataclasses.replace(questionnaire, sections=sections)


def _section_of(questionnaire: Questionnaire, link_id: str) -> str:
    return next(
        s.link_id for s in questionnaire.sections if any(i.link_id == link_id for i in s.items)
    )


def _override_section(
    section: Section,
    own: Mapping[str, Any] | None,
    items: dict[str, Mapping[str, Any]],
    questionnaire: Questionnaire,
    source: Path | str,
) -> Section:
    if own is None and not items:
        return section
    if section.instrument is not None:
        # A validated instrument is scored against its published wording (DOMAIN.md).
        link_id = section.link_id if own is not None else next(iter(items))
        raise OverrideError(
            f"{source}: {link_id}: is part of the validated instrument {section.instrument!r}, "
            "whose official wording must not be changed"
        )
    where = f"{source}: {section.link_id}"
    own = own or {}
    _check_keys(own, SECTION_KEYS, where, "a section")
    words = {
        key: _text(own[key], getattr(section, key), f"{where}: {key}", questionnaire)
        for key in SECTION_KEYS
        if key in own
    }
    changed = tuple(
        _override_item(item, items[item.link_id], questionnaire, source)
        if item.link_id in items
        else item
        for item in section.items
    )
    return dataclasses.replace(section, items=changed, **words)


def _override_item(
    item: Item, change: Mapping[str, Any], questionnaire: Questionnaire, source: Path | str
) -> Item:
    where = f"{source}: {item.link_id}"
    _check_keys(change, ITEM_KEYS, where, f"a {item.type} item")
    words: dict[str, Any] = {}
    if "text" in change:
        words["text"] = _text(change["text"], item.text, f"{where}: text", questionnaire)
    if "help" in change:
        if item.type == "display":
            raise OverrideError(f"{where}: help: a display item has no help")
        words["help"] = _text(change["help"], item.help, f"{where}: help", questionnaire)
    if "options" in change:
        words["options"] = _options(item, change["options"], where, questionnaire)
    return dataclasses.replace(item, **words)


def _options(item: Item, raw: Any, where: str, questionnaire: Questionnaire) -> tuple[Any, ...]:
    if not item.is_choice:
        raise OverrideError(f"{where}: options: a {item.type} item has no options")
    if not isinstance(raw, Mapping) or not raw:
        raise OverrideError(
            f"{where}: options: map option codes to their words, "
            "e.g. in-person: {en: ..., es: ...}"
        )
    unknown = [str(code) for code in raw if not isinstance(code, str) or item.option(code) is None]
    if unknown:
        known = ", ".join(option.code for option in item.options)
        raise OverrideError(
            f"{where}: options: unknown option code(s) {', '.join(unknown)} (known: {known}; "
            "quote codes such as 'yes' and 'no')"
        )
    return tuple(
        dataclasses.replace(
            option,
            display=_text(
                raw[option.code], option.display, f"{where}: option {option.code}", questionnaire
            ),
        )
        if option.code in raw
        else option
        for option in item.options
    )


def _check_keys(change: Mapping[str, Any], allowed: tuple[str, ...], where: str, what: str) -> None:
    unknown = sorted(str(key) for key in change if key not in allowed)
    if unknown:
        raise OverrideError(
            f"{where}: cannot change {', '.join(unknown)} of {what} (only the words: "
            f"{', '.join(allowed)})"
        )


def _text(
    raw: Any, original: LocalizedText | None, where: str, questionnaire: Questionnaire
) -> LocalizedText:
    """Check one overridden text: a language → words mapping covering the original's languages,
    so an English change never leaves the Spanish saying something else."""
    if not isinstance(raw, Mapping):
        raise OverrideError(
            f"{where}: must be a mapping of language to words, e.g. {{en: ..., es: ...}}"
        )
    unknown = sorted(str(lang) for lang in raw if lang not in LANGUAGES)
    if unknown:
        raise OverrideError(
            f"{where}: unknown language(s) {', '.join(unknown)} (allowed: {', '.join(LANGUAGES)})"
        )
    # A new text (help an item had none of) is needed in every language the site speaks.
    needed = [lang for lang in LANGUAGES if original is None or original.has(lang)]
    missing = [lang for lang in needed if lang not in raw]
    if missing:
        raise OverrideError(
            f"{where}: give the {', '.join(missing)} words too (every language must say the "
            "same thing)"
        )
    for lang, words in raw.items():
        if not isinstance(words, str) or not words.strip():
            raise OverrideError(f"{where}: the {lang} words must be a non-empty text")
    text = LocalizedText.of({str(lang): words for lang, words in raw.items()})
    if questionnaire.privacy_notice_version is not None:
        text = text.replace(PRIVACY_VERSION_PLACEHOLDER, questionnaire.privacy_notice_version)
    return text
