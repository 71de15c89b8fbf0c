"""Build a WTForms form for one section of the questionnaire, straight from the definition.

WTForms parses and validates; templates render every question through the same macros.
Stored answers round-trip through `answers_to_formdata` so a saved draft is re-validated
exactly like a fresh POST.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DecimalField,
    Field,
    Form,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from screening.questionnaire.conditions import enabled_items
from screening.questionnaire.model import Item, Section
from screening.questionnaire.scoring import age_on

OTHER_SUFFIX = "__other"
OTHER_MAX_LENGTH = 200
NONE_CODE = "none"
PHONE_PATTERN = re.compile(r"^[0-9+().\-\s]{7,30}$")


def required_message(item: Item) -> str:
    """Say what is missing, in words that fit the kind of question."""
    if item.type in {"choice", "open-choice", "boolean"}:
        return str(_l("Choose an answer."))
    if item.type == "date":
        return str(_l("Enter the full date: month, day and year."))
    if item.type == "email":
        return str(_l("Enter your email address."))
    if item.type == "phone":
        return str(_l("Enter your phone number."))
    return str(_l("Enter an answer."))


class AllowedCodes:
    """Accept only codes the definition offers; anything else is tampering or a stale page."""

    def __init__(self, codes: set[str]) -> None:
        self.codes = codes

    def __call__(self, form: Form, field: Field) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in self.codes for value in values if value not in (None, "")):
            raise StopValidation(str(_l("Choose one of the answers shown.")))


class NoneIsExclusive:
    """ "None of these" cannot be ticked together with another answer."""

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, list) and NONE_CODE in field.data and len(field.data) > 1:
            raise StopValidation(
                str(_l('Choose "None" on its own, or untick it and keep the others.'))
            )


class ValidEmail:
    """Check an email address's form (not its deliverability: no network calls)."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        try:
            validate_email(field.data, check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(
                str(_l("Enter an email address like name@example.com."))
            ) from error


class ValidPhone:
    """Accept the usual ways people write a phone number, with at least ten digits."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        digits = re.sub(r"\D", "", field.data)
        if not PHONE_PATTERN.match(field.data) or len(digits) < 10:
            raise ValidationError(str(_l("Enter a phone number like (408) 555-0123.")))


class AdultOnDate:
    """A date must not be in the future; a date of birth must make the person `min_age` today."""

    def __init__(self, min_age: int | None, today: date) -> None:
        self.min_age = min_age
        self.today = today

    def __call__(self, form: Form, field: Field) -> None:
        born = field.data
        if born is None:
            return
        if born > self.today or born.year < 1900:
            if self.min_age is None:
                raise ValidationError(str(_l("Enter a real date, today or earlier.")))
            raise ValidationError(str(_l("Enter a real date of birth.")))
        if self.min_age and age_on(born, self.today) < self.min_age:
            message = _l(
                "This screening is for adults aged %(age)s and over. If you need "
                "support now, call or text 988.",
                age=self.min_age,
            )
            raise ValidationError(str(message))


def number_range(item: Item) -> NumberRange:
    """Keep a number within the item's bounds, saying so in words people use."""
    if item.min_value is not None and item.max_value is not None:
        message = _l("Enter a number from %(min)s to %(max)s.")
    elif item.min_value is not None:
        message = _l("Enter a number of at least %(min)s.")
    else:
        message = _l("Enter a number of at most %(max)s.")
    return NumberRange(min=item.min_value, max=item.max_value, message=str(message))


def presence(item: Item) -> Any:
    """Return the validator that makes a field required or optional."""
    if item.required:
        return InputRequired(message=required_message(item))
    return Optional()


def field_for(item: Item, lang: str, today: date, agreement: bool = False) -> Field | None:
    """Create the unbound WTForms field for one item (None for display items); `agreement`:
    a consent statement, one box to tick ("yes") that must be ticked when required."""
    label = item.text.get(lang)
    first = presence(item)
    if agreement:
        if item.required:
            first = InputRequired(
                message=str(_l("Tick the box to agree. You need to agree to send."))
            )
        return RadioField(
            label,
            choices=[SelectChoice("yes", label)],
            validators=[first, AllowedCodes({"yes"})],
            validate_choice=False,
        )
    if item.is_choice:
        choices = [SelectChoice(option.code, option.display.get(lang)) for option in item.options]
        codes = {option.code for option in item.options}
        if item.repeats:
            return SelectMultipleField(
                label,
                choices=choices,
                validators=[first, AllowedCodes(codes), NoneIsExclusive()],
                validate_choice=False,
            )
        return RadioField(
            label, choices=choices, validators=[first, AllowedCodes(codes)], validate_choice=False
        )
    if item.type == "boolean":
        return RadioField(
            label,
            choices=[SelectChoice("yes", str(_l("Yes"))), SelectChoice("no", str(_l("No")))],
            validators=[first, AllowedCodes({"yes", "no"})],
            validate_choice=False,
        )
    if item.type == "integer":
        return IntegerField(
            label,
            validators=[first, number_range(item)],
            invalid_value_message=str(_l("Enter a whole number, using digits only.")),
        )
    if item.type == "decimal":
        return DecimalField(
            label,
            validators=[first, number_range(item)],
            invalid_value_message=str(_l("Enter a number using digits, for example 2.5.")),
        )
    if item.type == "date":
        return DateField(
            label,
            format="%Y-%m-%d",
            validators=[first, AdultOnDate(item.min_age, today)],
            invalid_value_message=str(_l("Enter the full date: month, day and year.")),
        )
    length = Length(max=item.max_length or 2000, message=str(_l("Use at most %(max)d characters.")))
    if item.type == "text":
        return TextAreaField(label, validators=[first, length])
    if item.type == "email":
        return StringField(label, validators=[first, length, ValidEmail()])
    if item.type == "phone":
        return StringField(label, validators=[first, length, ValidPhone()])
    if item.type == "string":
        return StringField(label, validators=[first, length])
    return None


def build_section_form(
    section: Section, items: list[Item], lang: str, today: date, formdata: MultiDict | None
) -> Form:
    """Build and bind a form holding the given (enabled) items of a section.

    Labels follow `lang`, messages the request's locale, the age check `today`.
    """
    attrs: dict[str, Any] = {}
    for item in items:
        agreement = section.role == "consent" and item.type == "boolean"
        field = field_for(item, lang, today, agreement)
        if field is not None:
            attrs[item.link_id] = field
        if item.type == "open-choice":
            attrs[item.link_id + OTHER_SUFFIX] = StringField(
                str(_l("Other (please describe)")),
                validators=[
                    Optional(),
                    Length(
                        max=OTHER_MAX_LENGTH, message=str(_l("Use at most %(max)d characters."))
                    ),
                ],
            )
    form_class = type(f"Section_{section.link_id}", (Form,), attrs)
    return form_class(formdata=formdata if formdata is not None else MultiDict())


def field_names(items: list[Item]) -> list[str]:
    """Return the names of the form fields these items are answered in."""
    names = []
    for item in items:
        if item.type != "display":
            names.append(item.link_id)
        if item.type == "open-choice":
            names.append(item.link_id + OTHER_SUFFIX)
    return names


def validate_items(form: Form, items: list[Item]) -> dict[str, list[str]]:
    """Validate only these items' fields of a form; return their errors (empty when valid).

    Each field's validators look at that field alone, so this gives exactly the errors a
    form holding just these items would.
    """
    errors: dict[str, list[str]] = {}
    for name in field_names(items):
        field = form[name]
        if not field.validate(form):
            errors[name] = list(field.errors)
    return errors


def clean_text(value: str) -> str:
    """Trim and drop characters a database or a reader should never see."""
    return "".join(ch for ch in value.strip() if ch == "\n" or ch == "\t" or ord(ch) >= 32)


def form_to_answers(items: list[Item], form: Form) -> dict[str, Any]:
    """Turn a validated form into stored answers (unanswered items are left out)."""
    answers: dict[str, Any] = {}
    for item in items:
        if item.type == "display":
            continue
        data = form[item.link_id].data
        if item.type == "boolean":
            if data in {"yes", "no"}:
                answers[item.link_id] = data == "yes"
        elif item.is_choice:
            values = list(data or []) if item.repeats else ([data] if data else [])
            if item.type == "open-choice":
                other = clean_text(form[item.link_id + OTHER_SUFFIX].data or "")
                if other:
                    values.append(other)
            if values:
                answers[item.link_id] = values if item.repeats else values[-1]
        elif item.type == "date":
            if data is not None:
                answers[item.link_id] = data.isoformat()
        elif item.type == "decimal":
            if data is not None:
                answers[item.link_id] = float(data)
        elif item.type == "integer":
            if data is not None:
                answers[item.link_id] = int(data)
        elif isinstance(data, str) and clean_text(data):
            answers[item.link_id] = clean_text(data)
    return answers


def answers_to_formdata(items: list[Item], answers: dict[str, Any]) -> MultiDict:
    """Turn stored answers back into form data, to show them again or re-validate them."""
    formdata: MultiDict = MultiDict()
    for item in items:
        if item.link_id not in answers:
            continue
        value = answers[item.link_id]
        if item.type == "boolean":
            formdata.add(item.link_id, "yes" if value else "no")
        elif item.is_choice:
            codes = {option.code for option in item.options}
            for entry in value if isinstance(value, list) else [value]:
                if entry in codes:
                    formdata.add(item.link_id, entry)
                else:
                    formdata.add(item.link_id + OTHER_SUFFIX, entry)
        else:
            formdata.add(item.link_id, str(value))
    return formdata


def raw_input(items: list[Item], formdata: MultiDict) -> dict[str, list[str]]:
    """Keep exactly what was typed for these items, valid or not, so nothing is lost."""
    kept: dict[str, list[str]] = {}
    for item in items:
        for name in (item.link_id, item.link_id + OTHER_SUFFIX):
            values = [clean_text(v)[:20_000] for v in formdata.getlist(name)]
            if any(values):
                kept[name] = values
    return kept


def first_invalid_section(
    sections: list[Section], answers: dict[str, Any], lang: str, today: date
) -> Section | None:
    """Re-validate saved answers section by section, as if freshly posted."""
    for section in sections:
        items = enabled_items(section, answers)
        form = build_section_form(section, items, lang, today, answers_to_formdata(items, answers))
        if not form.validate():
            return section
    return None
