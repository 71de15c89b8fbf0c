"""Render a question's markup from its macro once per definition and language, then fill it in.

The `question` macro in templates/macros/fields.html stays the one definition of how a question
renders. Nearly all of its output (label, hint, options, crisis panel) depends only on the
item, the language and the templates, so it is rendered once with markers where per-request
state goes: whether the question is hidden, which options are checked, typed values and the
enableWhen data for wizard.js. Each request escapes its own values into those places, exactly
as the macro would. A question with errors is rendered by the macro itself: error markup
varies the most, and error pages are the rare path.

Only markup derived from the definition and templates is cached, never an answer: the key is
everything the macro reads that does not change from request to request.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import get_locale
from jinja2 import Template
from markupsafe import Markup, escape

from screening.intake.cache_keys import Same
from screening.presenters import OptionView, QuestionView
from screening.questionnaire.model import Item

MACROS = "macros/fields.html"
# Included by the macro for questions with a crisis-level answer.
CRISIS_PANEL = "intake/_crisis_panel.html"
# A marker holds a random word no definition text or translation can contain by chance, the
# slot's name and an option's index.
_WORD = secrets.token_hex(8)
_MARKER = re.compile(f"\\[{_WORD}:([a-z]+)([0-9]*)\\]")


class QuestionShape(NamedTuple):
    """What the question macro reads that is the same for every request."""

    item: Same[Item]
    text: str
    text_lang: str | None
    help: str | None
    options: tuple[tuple[str, str, bool, str | None], ...]
    has_field: bool
    has_other: bool
    has_conditions: bool
    # The interface language (the macro's own words) and the templates it renders.
    locale: str
    templates: tuple[Same[Template], Same[Template]]


def _marker(slot: str, index: int | str = "") -> Markup:
    return Markup("[{}:{}{}]").format(_WORD, slot, index)


class _FieldSlot:
    """Stands in for a bound field: its value becomes a marker."""

    def __init__(self, slot: str) -> None:
        self.slot = slot

    def _value(self) -> Markup:
        return _marker(self.slot)


@dataclass
class _OptionSlots(OptionView):
    index: int = 0

    @property
    def checked_attribute(self) -> Markup:  # type: ignore[override]
        """A marker for whether this option is checked."""
        return _marker("checked", self.index)


@dataclass
class _QuestionSlots(QuestionView):
    @property
    def hidden_attribute(self) -> Markup:  # type: ignore[override]
        """A marker for whether the question is hidden."""
        return _marker("hidden")


class Skeleton(NamedTuple):
    """A question's markup split at its markers: texts[0], slot 0, texts[1], slot 1, ..."""

    texts: tuple[Markup, ...]
    slots: tuple[tuple[str, int], ...]


def questions_html(views: list[QuestionView]) -> Markup:
    """Return the markup of these questions, as the `question` macro renders each."""
    env = current_app.jinja_env
    shared = (
        str(get_locale()),
        (Same(env.get_template(MACROS)), Same(env.get_template(CRISIS_PANEL))),
    )
    return Markup("").join(
        _macro()(view) if view.errors else fill(skeleton(shape_of(view, *shared)), view)
        for view in views
    )


def _macro() -> Any:
    return current_app.jinja_env.get_template(MACROS).module.question  # type: ignore[attr-defined]


def shape_of(
    view: QuestionView, locale: str, templates: tuple[Same[Template], Same[Template]]
) -> QuestionShape:
    """Return the request-independent part of a question's view: its skeleton's cache key."""
    return QuestionShape(
        item=Same(view.item),
        text=view.text,
        text_lang=view.text_lang,
        help=view.help,
        options=tuple((o.value, o.label, o.risk, o.lang) for o in view.options),
        has_field=view.field is not None,
        has_other=view.other is not None,
        has_conditions=view.enable_when is not None,
        locale=locale,
        templates=templates,
    )


@lru_cache(maxsize=2048)
def skeleton(shape: QuestionShape) -> Skeleton:
    """Render the macro once for this shape, with markers in place of per-request state."""
    options = [
        _OptionSlots(value, label, checked=False, risk=risk, lang=lang, index=index)
        for index, (value, label, risk, lang) in enumerate(shape.options)
    ]
    stand_in = _QuestionSlots(
        item=shape.item.obj,
        text=shape.text,
        text_lang=shape.text_lang,
        help=shape.help,
        field=_FieldSlot("value") if shape.has_field else None,  # type: ignore[arg-type]
        visible=False,
        errors=[],
        options=options,  # type: ignore[arg-type]
        other=_FieldSlot("other") if shape.has_other else None,  # type: ignore[arg-type]
        enable_when=_marker("when") if shape.has_conditions else None,
    )
    markup = _macro()(stand_in)
    texts, slots, start = [], [], 0
    for marker in _MARKER.finditer(markup):
        # Slicing Markup keeps it Markup: the macro's escaping stays as it was.
        texts.append(markup[start : marker.start()])
        slots.append((marker[1], int(marker[2] or 0)))
        start = marker.end()
    texts.append(markup[start:])
    return Skeleton(tuple(texts), tuple(slots))


def fill(parts: Skeleton, view: QuestionView) -> Markup:
    """Put one request's state into a skeleton, escaped as the macro escapes it."""
    out: list[str] = [parts.texts[0]]
    for (slot, index), text in zip(parts.slots, parts.texts[1:], strict=True):
        if slot == "hidden":
            out.append(view.hidden_attribute)
        elif slot == "checked":
            out.append(view.options[index].checked_attribute)
        elif slot == "when":
            out.append(escape(view.enable_when))
        elif slot == "value":
            out.append(escape(view.field._value()))  # type: ignore[union-attr]
        else:
            out.append(escape(view.other._value()))  # type: ignore[union-attr]
        out.append(text)
    return Markup("").join(out)
