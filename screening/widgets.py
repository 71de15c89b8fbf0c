"""A faster drop-in for WTForms' `<select>` widget, for the staff pages' selects.

WTForms' own widget inspects `render_option`'s signature and sorts every option's attributes
on each render; the queue draws four selects on every view, and its filter fields took about
a quarter of its template time. This one writes the same markup (attributes sorted the same
way, values and labels escaped) for single selects without option groups, which is all the
portal uses.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.widgets import Select, html_params


class QuickSelect(Select):
    """A single `<select>` whose options are written with one f-string each."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if self.multiple or field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = True
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for choice in field._iter_choices_normalized():
            if choice.render_kw:
                html.append(Select.render_option(choice))
                continue
            value = escape(choice.value)
            label = escape(choice.label or choice.value)
            selected = " selected" if choice.selected else ""
            # html_params sorts attributes: "selected" comes after nothing, "value" last.
            html.append(f'<option{selected} value="{value}">{label}</option>')
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704  # nosec B704 - every part escaped above


class QuickSelectField(SelectField):
    """WTForms' SelectField drawn with QuickSelect."""

    widget = QuickSelect()
