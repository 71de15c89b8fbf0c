"""Load the questionnaire definition (YAML) into frozen dataclasses and validate it.

The definition drives the wizard, the review page, the clinician view, the FHIR export and the
triage inputs, so a mistake in it must stop the app at start-up with the file and the offending
linkId in the message, never surface later as a missing question in front of a client.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .instruments import INSTRUMENTS

try:  # libyaml's C loader, in PyYAML's wheels; the same safe subset, four times faster
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

LANGUAGES = ("en", "es")
CHOICE_TYPES = ("choice", "open-choice")
TEXT_TYPES = ("string", "text", "email", "phone")
NUMBER_TYPES = ("integer", "decimal")
OPERATORS = ("exists", "=", "!=", ">", "<", ">=", "<=")
ORDERED_OPERATORS = (">", "<", ">=", "<=")
ENABLE_BEHAVIORS = ("all", "any")
ANSWER_KEYS = {
    "answerCoding": "coding",
    "answerBoolean": "boolean",
    "answerInteger": "integer",
    "answerDecimal": "decimal",
    "answerString": "string",
    "answerDate": "date",
}
# Every item type that takes an answer, and the enableWhen answer types that fit it.
_ANSWER_TYPES_FOR_ITEM = {
    "choice": ("coding",),
    "open-choice": ("coding", "string"),
    "boolean": ("boolean",),
    "integer": ("integer",),
    "decimal": ("decimal", "integer"),
    "date": ("date",),
    "string": ("string",),
    "text": ("string",),
    "email": ("string",),
    "phone": ("string",),
}
ITEM_TYPES = (*_ANSWER_TYPES_FOR_ITEM, "display")
# HTML autocomplete tokens we expect on contact fields (WCAG 1.3.5); a typo here would silently
# switch autofill off, so unknown tokens are rejected.
AUTOCOMPLETE_TOKENS = frozenset(
    {
        "name",
        "given-name",
        "additional-name",
        "family-name",
        "nickname",
        "email",
        "tel",
        "bday",
        "sex",
        "street-address",
        "address-line1",
        "address-line2",
        "address-level1",
        "address-level2",
        "postal-code",
        "country",
        "country-name",
        "language",
        "off",
    }
)
# Roles let code find an item by purpose rather than by linkId, so a clinic's own definition
# works without code changes. Each role fits one item type and is used at most once.
ITEM_ROLES = {
    "name": "string",
    "preferred-name": "string",
    "pronouns": "string",
    "email": "email",
    "phone": "phone",
    "contact-method": "choice",
    "contact-times": "choice",
    "voicemail-ok": "boolean",
    "date-of-birth": "date",
    "sex-at-birth": "choice",
    "antidepressant-trials": "choice",
    "weight-pounds": "integer",
    "height-feet": "integer",
    "height-inches": "integer",
    "referral-source": "open-choice",
}
# The consent section is asked on the review page, not as a wizard step.
SECTION_ROLES = ("consent",)
PRIVACY_VERSION_PLACEHOLDER = "{privacyNoticeVersion}"
LINK_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_TOP_KEYS = {"id", "url", "version", "title", "privacyNoticeVersion", "sections"}
_TOP_REQUIRED = ("id", "url", "version", "title", "sections")
_SECTION_KEYS = {
    "linkId",
    "title",
    "intro",
    "notice",
    "instrument",
    "role",
    "enableWhen",
    "enableBehavior",
    "items",
}
_ITEM_KEYS = {
    "linkId",
    "type",
    "text",
    "help",
    "required",
    "repeats",
    "options",
    "code",
    "maxLength",
    "minValue",
    "maxValue",
    "autocomplete",
    "minAge",
    "role",
    "enableWhen",
    "enableBehavior",
}
_OPTION_KEYS = {"code", "display", "system", "ordinal"}
_CODING_KEYS = {"system", "code"}


class DefinitionError(Exception):
    """The questionnaire definition is invalid; the message names the file and linkId."""


@dataclass(frozen=True)
class LocalizedText:
    """A user-facing text in one or more languages; English is always present."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str | Mapping[str, str]) -> LocalizedText:
        """Build from a plain English string or a {lang: text} mapping (raises ValueError)."""
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, Mapping):
            raise ValueError("text must be a string or a mapping of language to string")
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language(s) {unknown} (allowed: {list(LANGUAGES)})")
        if "en" not in value:
            raise ValueError("text needs an English ('en') version")
        for lang, text in value.items():
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"text for '{lang}' must be a non-empty string")
        return cls(tuple((lang, value[lang].strip()) for lang in LANGUAGES if lang in value))

    def get(self, lang: str = "en") -> str:
        """Return the text in `lang` (or its base language), falling back to English."""
        texts = dict(self.texts)
        return texts.get(lang) or texts.get(lang.split("-")[0]) or texts["en"]

    def has(self, lang: str) -> bool:
        """Return True if a text exists for `lang` itself (no fallback)."""
        return any(code == lang for code, _ in self.texts)

    def replace(self, old: str, new: str) -> LocalizedText:
        """Return a copy with `old` replaced by `new` in every language."""
        return LocalizedText(tuple((lang, text.replace(old, new)) for lang, text in self.texts))

    def __str__(self) -> str:
        return self.get("en")


@dataclass(frozen=True)
class Coding:
    """A code from a code system, e.g. a LOINC item code."""

    system: str | None
    code: str


@dataclass(frozen=True)
class Option:
    """One answer option of a choice item."""

    code: str
    display: LocalizedText
    system: str | None = None
    ordinal: int | None = None


@dataclass(frozen=True)
class Condition:
    """One enableWhen condition (FHIR semantics); `answer` holds a code for coding answers."""

    question: str
    operator: str
    answer_type: str
    answer: str | bool | int | float


@dataclass(frozen=True)
class Item:
    """One question (or display text) inside a section."""

    link_id: str
    type: str
    text: LocalizedText
    help: LocalizedText | None = None
    required: bool = False
    repeats: bool = False
    options: tuple[Option, ...] = ()
    codes: tuple[Coding, ...] = ()
    max_length: int | None = None
    min_value: int | float | None = None
    max_value: int | float | None = None
    autocomplete: str | None = None
    min_age: int | None = None
    role: str | None = None
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"

    @property
    def is_choice(self) -> bool:
        """True for choice and open-choice items."""
        return self.type in CHOICE_TYPES

    def option(self, code: str) -> Option | None:
        """Return the option with `code`, or None."""
        return self.options_by_code.get(code)

    @functools.cached_property
    def options_by_code(self) -> dict[str, Option]:
        """The options by code: every answer shown (record, export) looks one up."""
        return {option.code: option for option in self.options}


@dataclass(frozen=True)
class Section:
    """A step of the wizard: a titled, flat list of items."""

    link_id: str
    title: LocalizedText
    intro: LocalizedText | None = None
    notice: LocalizedText | None = None
    instrument: str | None = None
    role: str | None = None
    items: tuple[Item, ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"


@dataclass(frozen=True)
class Questionnaire:
    """The whole definition: ordered sections, with look-ups by linkId."""

    id: str
    url: str
    version: str
    title: LocalizedText
    privacy_notice_version: str | None
    sections: tuple[Section, ...]
    source: str = ""
    _items: dict[str, Item] = field(init=False, repr=False, compare=False)
    _sections: dict[str, Section] = field(init=False, repr=False, compare=False)
    _roles: dict[str, Item | Section] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen, so the indexes are set once here rather than rebuilt on every look-up.
        object.__setattr__(self, "_sections", {s.link_id: s for s in self.sections})
        items = {i.link_id: i for s in self.sections for i in s.items}
        object.__setattr__(self, "_items", items)
        nodes = [*self.sections, *items.values()]
        object.__setattr__(self, "_roles", {n.role: n for n in nodes if n.role})

    @property
    def items(self) -> tuple[Item, ...]:
        """Return every item in questionnaire order."""
        return tuple(self._items.values())

    def has_item(self, link_id: str) -> bool:
        """Return True if an item (not a section) has this linkId."""
        return link_id in self._items

    def item(self, link_id: str) -> Item:
        """Return the item with this linkId (KeyError if none)."""
        return self._items[link_id]

    def section(self, link_id: str) -> Section:
        """Return the section with this linkId (KeyError if none)."""
        return self._sections[link_id]

    def role_item(self, role: str) -> Item | None:
        """Return the item that has this role, if the definition gives it to one."""
        node = self._roles.get(role)
        return node if isinstance(node, Item) else None

    def role_answer(self, role: str, answers: Mapping[str, Any]) -> Any:
        """Return the answer to the item with this role (None if unanswered or no such item)."""
        item = self.role_item(role)
        return answers.get(item.link_id) if item is not None else None

    def role_section(self, role: str) -> Section | None:
        """Return the section that has this role, if the definition gives it to one."""
        node = self._roles.get(role)
        return node if isinstance(node, Section) else None


def parse_condition(raw: Any) -> Condition:
    """Parse one enableWhen-form mapping into a Condition (raises ValueError)."""
    if not isinstance(raw, Mapping):
        raise ValueError("a condition must be a mapping")
    unknown = sorted(set(raw) - {"question", "operator"} - set(ANSWER_KEYS))
    if unknown:
        raise ValueError(f"unknown condition key(s) {unknown}")
    question = raw.get("question")
    if not isinstance(question, str) or not question:
        raise ValueError("a condition needs a 'question' linkId")
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise ValueError(f"bad operator {operator!r} (allowed: {list(OPERATORS)})")
    answer_keys = [key for key in ANSWER_KEYS if key in raw]
    if len(answer_keys) != 1:
        raise ValueError(f"condition on '{question}' needs exactly one answer[x] key")
    answer_type = ANSWER_KEYS[answer_keys[0]]
    answer = _condition_answer(answer_type, raw[answer_keys[0]], question)
    if operator == "exists" and answer_type != "boolean":
        raise ValueError(f"'exists' on '{question}' takes answerBoolean: true|false")
    if operator in ORDERED_OPERATORS and answer_type not in ("integer", "decimal", "date"):
        raise ValueError(f"operator {operator!r} on '{question}' needs a number or date answer")
    return Condition(question, operator, answer_type, answer)


def _condition_answer(answer_type: str, value: Any, question: str) -> str | bool | int | float:
    """Check and normalise a condition's answer value for its declared type."""
    # YAML reads unquoted yes/no/0 as bool/int, so codes must be quoted strings.
    if answer_type in ("coding", "string") and isinstance(value, str) and value:
        return value
    if answer_type == "boolean" and isinstance(value, bool):
        return value
    if answer_type == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if answer_type == "decimal" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if answer_type == "date":
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
    raise ValueError(f"condition on '{question}' has a bad {answer_type} answer {value!r}")


def check_condition_target(condition: Condition, target: Item) -> None:
    """Check that a condition fits the item it points at (raises ValueError)."""
    if target.type == "display":
        raise ValueError(f"condition points at display item '{target.link_id}'")
    if condition.operator == "exists":
        return
    allowed = _ANSWER_TYPES_FOR_ITEM[target.type]
    if condition.answer_type not in allowed:
        raise ValueError(
            f"condition on '{target.link_id}' ({target.type}) cannot use a "
            f"{condition.answer_type} answer"
        )
    if condition.answer_type == "coding" and target.option(str(condition.answer)) is None:
        raise ValueError(
            f"code {condition.answer!r} is not among the options of '{target.link_id}'"
        )


def load_definition(path: str | Path) -> Questionnaire:
    """Load and validate a questionnaire definition YAML file (parsed once per file version)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot read the definition: {exc}") from exc
    return _load_definition_version(path, stat.st_mtime_ns, stat.st_size)


# Keyed by modification time and size, so an edited file is read again; the result is frozen,
# so every app (and every test) built on the same file can share it.
@functools.lru_cache(maxsize=16)
def _load_definition_version(path: Path, mtime_ns: int, size: int) -> Questionnaire:
    raw = read_yaml(path, DefinitionError, "definition")
    try:
        return _Builder(str(path)).build(raw)
    except _Invalid as exc:
        raise DefinitionError(f"{path}: {exc.where}: {exc.problem}") from None


def read_yaml(path: Path, error: type[Exception], what: str) -> Any:
    """Parse a YAML file safely (libyaml's C loader, 4x faster); `error` names the file."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc


class _Invalid(Exception):
    """Internal: a validation problem at `where` (a linkId or a top-level key)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class _Builder:
    """Turn the parsed YAML into dataclasses, collecting state needed for cross-checks."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.privacy_version: str | None = None
        self.seen: set[str] = set()
        self.roles: set[str] = set()

    def build(self, raw: Any) -> Questionnaire:
        """Validate the top level, then sections, then cross-references."""
        if not isinstance(raw, Mapping):
            raise _Invalid("(top level)", "the definition must be a mapping")
        self._check_keys(raw, _TOP_KEYS, "(top level)")
        for key in _TOP_REQUIRED:
            if key not in raw:
                raise _Invalid("(top level)", f"missing '{key}'")
        for key in ("id", "url", "version"):
            if not isinstance(raw[key], str) or not raw[key]:
                raise _Invalid(key, f"'{key}' must be a non-empty string (quote versions)")
        privacy = raw.get("privacyNoticeVersion")
        if privacy is not None and not isinstance(privacy, str):
            raise _Invalid("privacyNoticeVersion", "must be a quoted string")
        self.privacy_version = privacy
        sections = raw["sections"]
        if not isinstance(sections, list) or not sections:
            raise _Invalid("sections", "must be a non-empty list")
        questionnaire = Questionnaire(
            id=raw["id"],
            url=raw["url"],
            version=raw["version"],
            title=self._text(raw["title"], "title"),
            privacy_notice_version=privacy,
            sections=tuple(self._section(s, n) for n, s in enumerate(sections, start=1)),
            source=self.source,
        )
        self._check_conditions(questionnaire)
        return questionnaire

    def _check_keys(self, raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise _Invalid(where, f"unknown key(s) {unknown}")

    def _link_id(self, raw: Mapping[str, Any], fallback: str) -> str:
        link_id = raw.get("linkId")
        if not isinstance(link_id, str) or not LINK_ID_PATTERN.match(link_id):
            raise _Invalid(str(link_id or fallback), "linkId must be kebab-case (a-z, 0-9, -)")
        # Sections and items share one namespace: section ids appear in URLs and FHIR groups.
        if link_id in self.seen:
            raise _Invalid(link_id, "duplicate linkId")
        self.seen.add(link_id)
        return link_id

    def _text(self, raw: Any, where: str) -> LocalizedText:
        try:
            text = LocalizedText.of(raw)
        except ValueError as exc:
            raise _Invalid(where, str(exc)) from None
        if any(PRIVACY_VERSION_PLACEHOLDER in t for _, t in text.texts):
            if self.privacy_version is None:
                raise _Invalid(where, "uses {privacyNoticeVersion} but none is defined")
            # Substituted here so the notice version is written once, at the top of the file.
            text = text.replace(PRIVACY_VERSION_PLACEHOLDER, self.privacy_version)
        return text

    def _optional_text(self, raw: Mapping[str, Any], key: str, where: str) -> LocalizedText | None:
        return self._text(raw[key], where) if key in raw else None

    def _section(self, raw: Any, number: int) -> Section:
        if not isinstance(raw, Mapping):
            raise _Invalid(f"section {number}", "must be a mapping")
        link_id = self._link_id(raw, f"section {number}")
        self._check_keys(raw, _SECTION_KEYS, link_id)
        if "title" not in raw:
            raise _Invalid(link_id, "a section needs a title")
        instrument = raw.get("instrument")
        if instrument is not None and instrument not in INSTRUMENTS:
            raise _Invalid(link_id, f"unknown instrument {instrument!r}")
        items = raw.get("items")
        if not isinstance(items, list) or not items:
            raise _Invalid(link_id, "a section needs a non-empty 'items' list")
        enable_when, behavior = self._enable_when(raw, link_id)
        return Section(
            link_id=link_id,
            title=self._text(raw["title"], link_id),
            intro=self._optional_text(raw, "intro", link_id),
            notice=self._optional_text(raw, "notice", link_id),
            instrument=instrument,
            role=self._role(raw, link_id, SECTION_ROLES),
            items=tuple(self._item(item, link_id) for item in items),
            enable_when=enable_when,
            enable_behavior=behavior,
        )

    def _enable_when(self, raw: Mapping[str, Any], where: str) -> tuple[tuple[Condition, ...], str]:
        behavior = raw.get("enableBehavior", "all")
        if behavior not in ENABLE_BEHAVIORS:
            raise _Invalid(where, f"enableBehavior must be one of {list(ENABLE_BEHAVIORS)}")
        conditions = raw.get("enableWhen", [])
        if not isinstance(conditions, list):
            raise _Invalid(where, "enableWhen must be a list")
        try:
            return tuple(parse_condition(c) for c in conditions), behavior
        except ValueError as exc:
            raise _Invalid(where, f"enableWhen: {exc}") from None

    def _item(self, raw: Any, section_id: str) -> Item:
        if not isinstance(raw, Mapping):
            raise _Invalid(section_id, "every item must be a mapping")
        link_id = self._link_id(raw, f"item in {section_id}")
        self._check_keys(raw, _ITEM_KEYS, link_id)
        item_type = raw.get("type")
        if item_type not in ITEM_TYPES:
            raise _Invalid(link_id, f"unknown type {item_type!r}")
        if "text" not in raw:
            raise _Invalid(link_id, "an item needs text")
        for key in ("required", "repeats"):
            if not isinstance(raw.get(key, False), bool):
                raise _Invalid(link_id, f"'{key}' must be true or false")
        self._check_type_specific_keys(raw, link_id, item_type)
        enable_when, behavior = self._enable_when(raw, link_id)
        return Item(
            link_id=link_id,
            type=item_type,
            text=self._text(raw["text"], link_id),
            help=self._optional_text(raw, "help", link_id),
            required=raw.get("required", False),
            repeats=raw.get("repeats", False),
            options=self._options(raw, link_id, item_type),
            codes=self._codings(raw.get("code", []), link_id),
            max_length=raw.get("maxLength"),
            min_value=raw.get("minValue"),
            max_value=raw.get("maxValue"),
            autocomplete=raw.get("autocomplete"),
            min_age=raw.get("minAge"),
            role=self._role(raw, link_id, ITEM_ROLES, item_type),
            enable_when=enable_when,
            enable_behavior=behavior,
        )

    def _check_type_specific_keys(self, raw: Mapping[str, Any], link_id: str, kind: str) -> None:
        """Reject keys that make no sense for the item's type and require maxLength on texts."""
        if kind == "display" and (raw.get("required") or "help" in raw):
            raise _Invalid(link_id, "display items cannot be required or have help")
        if raw.get("repeats") and kind not in CHOICE_TYPES:
            raise _Invalid(link_id, "only choice and open-choice items can repeat")
        if "options" in raw and kind not in CHOICE_TYPES:
            raise _Invalid(link_id, f"a {kind} item cannot have options")
        if kind in TEXT_TYPES:
            max_length = raw.get("maxLength")
            if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
                raise _Invalid(link_id, f"a {kind} item needs a positive integer maxLength")
        elif "maxLength" in raw:
            raise _Invalid(link_id, f"a {kind} item cannot have maxLength")
        for key in ("minValue", "maxValue"):
            if key not in raw:
                continue
            value = raw[key]
            if kind not in NUMBER_TYPES:
                raise _Invalid(link_id, f"a {kind} item cannot have {key}")
            number_types = int if kind == "integer" else int | float
            if not isinstance(value, number_types) or isinstance(value, bool):
                raise _Invalid(link_id, f"{key} must be a {kind}")
        if "minValue" in raw and "maxValue" in raw and raw["minValue"] > raw["maxValue"]:
            raise _Invalid(link_id, "minValue is greater than maxValue")
        autocomplete = raw.get("autocomplete")
        if autocomplete is not None and autocomplete not in AUTOCOMPLETE_TOKENS:
            raise _Invalid(link_id, f"unknown autocomplete token {autocomplete!r}")
        if "minAge" in raw:
            min_age = raw["minAge"]
            if kind != "date":
                raise _Invalid(link_id, "only a date item can have minAge")
            if not isinstance(min_age, int) or isinstance(min_age, bool) or min_age < 0:
                raise _Invalid(link_id, "minAge must be a whole number of years")

    def _role(
        self, raw: Mapping[str, Any], link_id: str, known: Any, kind: str | None = None
    ) -> str | None:
        """Check a role is known, fits the item's type and is not used twice."""
        role = raw.get("role")
        if role is None:
            return None
        if role not in known:
            raise _Invalid(link_id, f"unknown role {role!r} (known: {sorted(known)})")
        if kind is not None and kind != known[role]:
            raise _Invalid(link_id, f"role {role!r} needs a {known[role]} item")
        if role in self.roles:
            raise _Invalid(link_id, f"role {role!r} is given to more than one item")
        self.roles.add(role)
        return role

    def _options(self, raw: Mapping[str, Any], link_id: str, kind: str) -> tuple[Option, ...]:
        if kind not in CHOICE_TYPES:
            return ()
        options = raw.get("options")
        if not isinstance(options, list) or not options:
            raise _Invalid(link_id, f"a {kind} item needs a non-empty options list")
        parsed: list[Option] = []
        for number, option in enumerate(options, start=1):
            where = f"{link_id} option {number}"
            if not isinstance(option, Mapping):
                raise _Invalid(where, "an option must be a mapping")
            self._check_keys(option, _OPTION_KEYS, where)
            code = option.get("code")
            # YAML turns unquoted yes/no/0 into bool/int, so insist on quoted strings.
            if not isinstance(code, str) or not code:
                raise _Invalid(where, "every option needs a code (a quoted string)")
            if any(existing.code == code for existing in parsed):
                raise _Invalid(link_id, f"duplicate option code {code!r}")
            if "display" not in option:
                raise _Invalid(where, "every option needs a display")
            ordinal = option.get("ordinal")
            if ordinal is not None and (not isinstance(ordinal, int) or isinstance(ordinal, bool)):
                raise _Invalid(where, "ordinal must be an integer")
            system = option.get("system")
            if system is not None and not isinstance(system, str):
                raise _Invalid(where, "system must be a string")
            parsed.append(Option(code, self._text(option["display"], where), system, ordinal))
        return tuple(parsed)

    def _codings(self, raw: Any, link_id: str) -> tuple[Coding, ...]:
        if not isinstance(raw, list):
            raise _Invalid(link_id, "'code' must be a list of {system, code}")
        codings = []
        for coding in raw:
            if not isinstance(coding, Mapping):
                raise _Invalid(link_id, "each code must be a mapping")
            self._check_keys(coding, _CODING_KEYS, link_id)
            code, system = coding.get("code"), coding.get("system")
            if not isinstance(code, str) or not code:
                raise _Invalid(link_id, "each code needs a quoted 'code' string")
            if system is not None and not isinstance(system, str):
                raise _Invalid(link_id, "a code's system must be a string")
            codings.append(Coding(system, code))
        return tuple(codings)

    def _check_conditions(self, questionnaire: Questionnaire) -> None:
        """Check every enableWhen points at an existing, earlier item with a fitting answer."""
        position = {item.link_id: n for n, item in enumerate(questionnaire.items)}
        for section in questionnaire.sections:
            first_item = position[section.items[0].link_id]
            nodes = [(section.link_id, section.enable_when, first_item)]
            nodes += [(i.link_id, i.enable_when, position[i.link_id]) for i in section.items]
            for link_id, conditions, own_position in nodes:
                for condition in conditions:
                    target = condition.question
                    if target not in position:
                        kind = "a section" if target in self.seen else "a missing item"
                        raise _Invalid(link_id, f"enableWhen points at {kind} '{target}'")
                    # Only earlier items: the wizard asks in order and pruning stays one pass.
                    if position[target] >= own_position:
                        raise _Invalid(link_id, f"enableWhen points forward to '{target}'")
                    try:
                        check_condition_target(condition, questionnaire.item(target))
                    except ValueError as exc:
                        raise _Invalid(link_id, f"enableWhen: {exc}") from None
