"""The shipped definition loads cleanly, and the loader rejects each kind of mistake loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from screening.questionnaire import DEFINITION_PATH
from screening.questionnaire.model import (
    ITEM_ROLES,
    LINK_ID_PATTERN,
    TEXT_TYPES,
    DefinitionError,
    LocalizedText,
    Questionnaire,
    load_definition,
)

PACKAGE_DIR = Path(DEFINITION_PATH).parents[1]
# What the person came for first, the questionnaires next, contact details last (issue 14).
SECTION_ORDER = [
    "concerns",
    "treatment-history",
    "phq9",
    "gad7",
    "safety",
    "pcptsd5",
    "mental-health",
    "substance-use",
    "medical",
    "medications",
    "practicalities",
    "about-you",
    "consent",
]
# Validated instruments stay English until their official Spanish wording is confirmed.
ENGLISH_ONLY_SECTIONS = {"pcptsd5", "substance-use"}
ENGLISH_ONLY_ITEMS = {"auditc-1", "auditc-2", "auditc-3"}
PHQ9_LOINC = {
    "phq9-1": "44250-9",
    "phq9-2": "44255-8",
    "phq9-3": "44259-0",
    "phq9-4": "44254-1",
    "phq9-5": "44251-7",
    "phq9-6": "44258-2",
    "phq9-7": "44252-5",
    "phq9-8": "44253-3",
    "phq9-9": "44260-8",
    "phq9-difficulty": "69722-7",
}
GAD7_LOINC = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]


def test_shipped_definition_has_sections_in_order(questionnaire: Questionnaire) -> None:
    assert [s.link_id for s in questionnaire.sections] == SECTION_ORDER
    assert questionnaire.id == "threshold-intake"
    assert questionnaire.url == "https://threshold.example/fhir/Questionnaire/threshold-intake"
    assert questionnaire.version == "2026.11.4"
    assert questionnaire.privacy_notice_version == "2026-11"
    assert questionnaire.source == str(DEFINITION_PATH)


def test_link_ids_are_kebab_case_and_unique_across_sections_and_items(
    questionnaire: Questionnaire,
) -> None:
    ids = [s.link_id for s in questionnaire.sections] + [i.link_id for i in questionnaire.items]
    assert len(ids) == len(set(ids))
    assert all(LINK_ID_PATTERN.match(link_id) for link_id in ids)


def test_every_free_text_item_has_a_max_length(questionnaire: Questionnaire) -> None:
    for item in questionnaire.items:
        if item.type in TEXT_TYPES:
            assert item.max_length, item.link_id


def test_contact_fields_carry_autocomplete_tokens(questionnaire: Questionnaire) -> None:
    tokens = {i.link_id: i.autocomplete for i in questionnaire.items if i.autocomplete}
    assert tokens["full-name"] == "name"
    assert tokens["email"] == "email"
    assert tokens["phone"] == "tel"
    assert tokens["date-of-birth"] == "bday"
    assert tokens["state"] == "address-level1"
    assert tokens["signature"] == "name"
    assert questionnaire.item("date-of-birth").min_age == 18


def test_phq9_items_carry_loinc_codes_and_ordinals(questionnaire: Questionnaire) -> None:
    for link_id, code in PHQ9_LOINC.items():
        item = questionnaire.item(link_id)
        assert [(c.system, c.code) for c in item.codes] == [("http://loinc.org", code)]
    options = questionnaire.item("phq9-1").options
    assert [(o.code, o.ordinal) for o in options] == [
        ("LA6568-5", 0),
        ("LA6569-3", 1),
        ("LA6570-1", 2),
        ("LA6571-9", 3),
    ]
    assert all(o.ordinal is None for o in questionnaire.item("phq9-difficulty").options)


def test_gad7_items_carry_loinc_codes(questionnaire: Questionnaire) -> None:
    codes = [questionnaire.item(f"gad7-{n}").codes[0].code for n in range(1, 8)]
    assert codes == GAD7_LOINC


def test_instrument_notices_and_official_stems(questionnaire: Questionnaire) -> None:
    phq9 = questionnaire.section("phq9")
    assert phq9.intro is not None and phq9.notice is not None
    assert str(phq9.intro) == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert "No permission required to reproduce, translate, display or distribute." in str(
        phq9.notice
    )
    assert str(questionnaire.item("phq9-9").text) == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert questionnaire.section("gad7").notice == phq9.notice


def test_non_instrument_texts_have_spanish(questionnaire: Questionnaire) -> None:
    for section in questionnaire.sections:
        assert section.title.has("es"), section.link_id
        if section.link_id in ENGLISH_ONLY_SECTIONS:
            continue
        for item in section.items:
            if item.link_id in ENGLISH_ONLY_ITEMS:
                continue
            assert item.text.has("es"), item.link_id
            if item.help:
                assert item.help.has("es"), item.link_id
            for option in item.options:
                # Proper names read the same in both languages.
                assert option.display.has("es") or option.code == "california", item.link_id


def test_gad7_spanish_is_the_official_pfizer_wording(questionnaire: Questionnaire) -> None:
    # The Pfizer Spanish (USA) form, word for word: a validated scale must not drift.
    gad7 = questionnaire.section("gad7")
    assert gad7.intro is not None and gad7.intro.get("es") == (
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
        "siguientes problemas?"
    )
    assert [item.text.get("es") for item in gad7.items] == [
        "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
        "No ha sido capaz de parar o controlar su preocupación",
        "Se ha preocupado demasiado por motivos diferentes",
        "Ha tenido dificultad para relajarse",
        "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)",
        "Se ha molestado o irritado fácilmente",
        "Ha tenido miedo de que algo terrible fuera a pasar",
    ]
    for item in gad7.items:
        assert [o.display.get("es") for o in item.options] == [
            "Ningún día",
            "Varios días",
            "Más de la mitad de los días",
            "Casi todos los días",
        ]


def test_privacy_notice_version_is_substituted_into_the_consent_help(
    questionnaire: Questionnaire,
) -> None:
    help_text = questionnaire.item("consent-privacy").help
    assert help_text is not None
    assert help_text.get("en") == "Privacy notice version 2026-11."
    assert "2026-11" in help_text.get("es")


def test_lookups_by_link_id(questionnaire: Questionnaire) -> None:
    assert questionnaire.item("phq9-9").option("LA6571-9").ordinal == 3  # type: ignore[union-attr]
    assert questionnaire.item("phq9-9").option("nope") is None
    assert questionnaire.item("reasons").is_choice
    assert not questionnaire.item("goals").is_choice
    assert questionnaire.has_item("goals") and not questionnaire.has_item("phq9")
    with pytest.raises(KeyError):
        questionnaire.item("phq9")
    with pytest.raises(KeyError):
        questionnaire.section("phq9-1")


def test_localized_text_falls_back_to_english() -> None:
    text = LocalizedText.of({"en": "Hello", "es": "Hola"})
    assert text.get("es") == "Hola"
    assert text.get("es-MX") == "Hola"
    assert text.get("fr") == "Hello"
    assert text.get() == "Hello"
    assert str(text) == "Hello"
    assert text.has("es") and not text.has("fr")
    plain = LocalizedText.of("Only English")
    assert plain.get("es") == "Only English" and not plain.has("es")


def test_package_never_imports_flask_or_wtforms() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(flask|wtforms)\b", re.MULTILINE)
    for source in (PACKAGE_DIR).glob("*.py"):
        assert not pattern.search(source.read_text(encoding="utf-8")), source.name


# --- The validator --------------------------------------------------------------------------


def minimal_definition() -> dict:
    """Return a small valid definition to break in one place per test."""
    return {
        "id": "mini",
        "url": "https://example.org/Questionnaire/mini",
        "version": "1",
        "title": "Mini",
        "sections": [
            {
                "linkId": "first",
                "title": "First",
                "items": [
                    {
                        "linkId": "pet",
                        "type": "choice",
                        "text": "Do you have a pet?",
                        "options": [
                            {"code": "yes", "display": "Yes"},
                            {"code": "no", "display": "No"},
                        ],
                    },
                    {
                        "linkId": "pet-name",
                        "type": "string",
                        "text": "Its name",
                        "maxLength": 50,
                        "enableWhen": [{"question": "pet", "operator": "=", "answerCoding": "yes"}],
                    },
                ],
            },
            {
                "linkId": "second",
                "title": "Second",
                "items": [{"linkId": "age", "type": "integer", "text": "Age"}],
            },
        ],
    }


def write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "definition.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def items_of(data: dict, section: int = 0) -> list[dict]:
    return data["sections"][section]["items"]


def test_shipped_roles_point_at_the_contact_and_consent_items(
    questionnaire: Questionnaire,
) -> None:
    roles = {role: questionnaire.role_item(role) for role in ITEM_ROLES}
    assert {role: item.link_id for role, item in roles.items() if item} == {
        "name": "full-name",
        "preferred-name": "preferred-name",
        "pronouns": "pronouns",
        "email": "email",
        "phone": "phone",
        "contact-method": "contact-method",
        "contact-times": "contact-times",
        "voicemail-ok": "voicemail-ok",
        "date-of-birth": "date-of-birth",
        "sex-at-birth": "sex-at-birth",
        "antidepressant-trials": "antidepressant-trials",
        "weight-pounds": "weight",
        "height-feet": "height-feet",
        "height-inches": "height-inches",
        "referral-source": "referral-source",
    }
    assert questionnaire.role_section("consent") == questionnaire.section("consent")
    assert questionnaire.role_item("consent") is None
    assert questionnaire.role_answer("email", {"email": "a@example.org"}) == "a@example.org"


def test_minimal_definition_loads(tmp_path: Path) -> None:
    q = load_definition(write(tmp_path, minimal_definition()))
    assert [i.link_id for i in q.items] == ["pet", "pet-name", "age"]


def test_an_edited_definition_is_read_again_and_an_unchanged_one_is_shared(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, minimal_definition())
    first = load_definition(path)
    assert load_definition(path) is first
    edited = minimal_definition()
    items_of(edited, 1)[0]["text"] = "Your age in years"
    write(tmp_path, edited)
    assert load_definition(path).item("age").text.get("en") == "Your age in years"


def break_duplicate_item(d: dict) -> None:
    items_of(d, 1).append({"linkId": "pet", "type": "boolean", "text": "Again"})


def break_section_item_clash(d: dict) -> None:
    items_of(d, 1).append({"linkId": "first", "type": "boolean", "text": "Clash"})


def break_unknown_type(d: dict) -> None:
    items_of(d, 1)[0]["type"] = "number"


def break_choice_without_options(d: dict) -> None:
    del items_of(d)[0]["options"]


def break_option_without_code(d: dict) -> None:
    del items_of(d)[0]["options"][1]["code"]


def break_unquoted_code(d: dict) -> None:
    items_of(d)[0]["options"][1]["code"] = False  # what YAML makes of an unquoted `no`


def break_duplicate_option_code(d: dict) -> None:
    items_of(d)[0]["options"][1]["code"] = "yes"


def break_missing_target(d: dict) -> None:
    items_of(d)[1]["enableWhen"][0]["question"] = "cat"


def break_section_target(d: dict) -> None:
    items_of(d)[1]["enableWhen"][0]["question"] = "first"


def break_forward_reference(d: dict) -> None:
    items_of(d)[0]["enableWhen"] = [{"question": "age", "operator": ">", "answerInteger": 3}]


def break_self_reference(d: dict) -> None:
    items_of(d, 1)[0]["enableWhen"] = [{"question": "age", "operator": ">", "answerInteger": 3}]


def break_section_forward_reference(d: dict) -> None:
    d["sections"][1]["enableWhen"] = [
        {"question": "age", "operator": "exists", "answerBoolean": True}
    ]


def break_code_not_among_options(d: dict) -> None:
    items_of(d)[1]["enableWhen"][0]["answerCoding"] = "maybe"


def break_bad_operator(d: dict) -> None:
    items_of(d)[1]["enableWhen"][0]["operator"] = "=="


def break_ordered_operator_on_coding(d: dict) -> None:
    items_of(d)[1]["enableWhen"][0]["operator"] = ">"


def break_answer_type_mismatch(d: dict) -> None:
    items_of(d)[1]["enableWhen"][0] = {"question": "pet", "operator": "=", "answerBoolean": True}


def break_missing_max_length(d: dict) -> None:
    del items_of(d)[1]["maxLength"]


def break_unknown_item_key(d: dict) -> None:
    items_of(d)[1]["maxlength"] = 50


def break_unknown_section_key(d: dict) -> None:
    d["sections"][1]["intro_text"] = "Hi"


def break_unknown_top_key(d: dict) -> None:
    d["titel"] = "Typo"


def break_unknown_option_key(d: dict) -> None:
    items_of(d)[0]["options"][0]["label"] = "Yes"


def break_unknown_language(d: dict) -> None:
    items_of(d, 1)[0]["text"] = {"en": "Age", "sp": "Edad"}


def break_missing_english(d: dict) -> None:
    items_of(d, 1)[0]["text"] = {"es": "Edad"}


def break_bad_link_id(d: dict) -> None:
    items_of(d, 1)[0]["linkId"] = "Age_Years"


def break_repeats_on_boolean(d: dict) -> None:
    items_of(d, 1).append({"linkId": "ok", "type": "boolean", "text": "OK?", "repeats": True})


def break_bad_autocomplete(d: dict) -> None:
    items_of(d)[1]["autocomplete"] = "nmae"


def break_min_over_max(d: dict) -> None:
    items_of(d, 1)[0].update(minValue=10, maxValue=5)


def break_bad_enable_behavior(d: dict) -> None:
    items_of(d)[1]["enableBehavior"] = "either"


def break_privacy_placeholder_without_version(d: dict) -> None:
    items_of(d, 1)[0]["text"] = "Notice {privacyNoticeVersion}"


def break_unknown_role(d: dict) -> None:
    items_of(d)[1]["role"] = "nick"


def break_role_on_wrong_type(d: dict) -> None:
    items_of(d, 1)[0]["role"] = "email"


def break_role_twice(d: dict) -> None:
    items_of(d)[1]["role"] = "name"
    items_of(d, 1).append({"linkId": "alias", "type": "string", "text": "A", "maxLength": 9})
    items_of(d, 1)[1]["role"] = "name"


def break_item_role_on_section(d: dict) -> None:
    d["sections"][1]["role"] = "name"


@pytest.mark.parametrize(
    ("breaker", "link_id", "message"),
    [
        (break_unknown_role, "pet-name", "unknown role 'nick'"),
        (break_role_on_wrong_type, "age", "role 'email' needs a email item"),
        (break_role_twice, "alias", "role 'name' is given to more than one item"),
        (break_item_role_on_section, "second", "unknown role 'name'"),
        (break_duplicate_item, "pet", "duplicate linkId"),
        (break_section_item_clash, "first", "duplicate linkId"),
        (break_unknown_type, "age", "unknown type 'number'"),
        (break_choice_without_options, "pet", "needs a non-empty options list"),
        (break_option_without_code, "pet option 2", "needs a code"),
        (break_unquoted_code, "pet option 2", "quoted string"),
        (break_duplicate_option_code, "pet", "duplicate option code 'yes'"),
        (break_missing_target, "pet-name", "points at a missing item 'cat'"),
        (break_section_target, "pet-name", "points at a section 'first'"),
        (break_forward_reference, "pet", "points forward to 'age'"),
        (break_self_reference, "age", "points forward to 'age'"),
        (break_section_forward_reference, "second", "points forward to 'age'"),
        (break_code_not_among_options, "pet-name", "'maybe' is not among the options of 'pet'"),
        (break_bad_operator, "pet-name", "bad operator '=='"),
        (break_ordered_operator_on_coding, "pet-name", "needs a number or date answer"),
        (break_answer_type_mismatch, "pet-name", "cannot use a boolean answer"),
        (break_missing_max_length, "pet-name", "needs a positive integer maxLength"),
        (break_unknown_item_key, "pet-name", "unknown key(s) ['maxlength']"),
        (break_unknown_section_key, "second", "unknown key(s) ['intro_text']"),
        (break_unknown_top_key, "(top level)", "unknown key(s) ['titel']"),
        (break_unknown_option_key, "pet option 1", "unknown key(s) ['label']"),
        (break_unknown_language, "age", "unknown language(s) ['sp']"),
        (break_missing_english, "age", "needs an English"),
        (break_bad_link_id, "Age_Years", "kebab-case"),
        (break_repeats_on_boolean, "ok", "only choice and open-choice items can repeat"),
        (break_bad_autocomplete, "pet-name", "unknown autocomplete token 'nmae'"),
        (break_min_over_max, "age", "minValue is greater than maxValue"),
        (break_bad_enable_behavior, "pet-name", "enableBehavior must be one of"),
        (break_privacy_placeholder_without_version, "age", "none is defined"),
    ],
)
def test_validator_names_file_and_link_id(
    tmp_path: Path, breaker, link_id: str, message: str
) -> None:
    data = minimal_definition()
    breaker(data)
    path = write(tmp_path, data)
    with pytest.raises(DefinitionError) as error:
        load_definition(path)
    text = str(error.value)
    assert text.startswith(f"{path}: {link_id}: "), text
    assert message in text


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "sections: [unclosed\n")
    with pytest.raises(DefinitionError, match=re.escape(str(path))):
        load_definition(path)


def test_missing_file_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read"):
        load_definition(tmp_path / "nowhere.yaml")


def test_yaml_anchors_share_options(tmp_path: Path) -> None:
    text = """
id: mini
url: https://example.org/Questionnaire/mini
version: "1"
title: Mini
sections:
  - linkId: only
    title: Only
    items:
      - linkId: a
        type: choice
        text: A
        options: &yes-no
          - {code: "yes", display: "Yes"}
          - {code: "no", display: "No"}
      - linkId: b
        type: choice
        text: B
        options: *yes-no
"""
    q = load_definition(write(tmp_path, text))
    assert q.item("a").options == q.item("b").options
