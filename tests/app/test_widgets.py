"""QuickSelect must write exactly what WTForms' own Select widget writes."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectChoice, SelectField
from wtforms.validators import InputRequired

from screening.widgets import QuickSelect, QuickSelectField

CHOICES = [
    SelectChoice("", "All"),
    SelectChoice("a&b", 'Fish "&" <chips>'),
    SelectChoice("new", "New"),
    SelectChoice("x", ""),  # an empty label shows the value
]


class Both(Form):
    quick = QuickSelectField("Quick", choices=CHOICES, validators=[InputRequired()])
    plain = SelectField("Plain", choices=CHOICES, validators=[InputRequired()])


@pytest.mark.parametrize("chosen", ["", "a&b", "new", "unknown"])
def test_same_markup_as_wtforms(chosen: str) -> None:
    form = Both(MultiDict({"quick": chosen, "plain": chosen}))
    quick = form.quick(**{"aria-describedby": "h e", "class_": "wide"})
    plain = form.plain(**{"aria-describedby": "h e", "class_": "wide"})
    assert str(quick).replace('name="quick"', "").replace('id="quick"', "") == str(plain).replace(
        'name="plain"', ""
    ).replace('id="plain"', "")
    assert "<chips>" not in quick and "&lt;chips&gt;" in quick
    assert "required" in quick


def test_selected_option_is_marked() -> None:
    form = Both(MultiDict({"quick": "new"}))
    assert '<option selected value="new">New</option>' in form.quick()


def test_option_groups_fall_back_to_wtforms() -> None:
    class Grouped(Form):
        pick = QuickSelectField("Pick", choices=[SelectChoice("1", "One", optgroup="Group")])

    form = Grouped()
    assert isinstance(form.pick.widget, QuickSelect)
    assert '<optgroup label="Group"><option value="1">One</option></optgroup>' in form.pick()


def test_option_attributes_fall_back_to_wtforms() -> None:
    class WithAttributes(Form):
        pick = QuickSelectField("Pick", choices=[SelectChoice("1", "One", {"disabled": True})])

    assert '<option disabled value="1">One</option>' in WithAttributes().pick()
