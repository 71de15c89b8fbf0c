"""A clinic's overlay file changes words only, and a mistake in it stops the app naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from screening.questionnaire import DEFINITION_PATH, RULES_PATH
from screening.questionnaire.clinic_words import ClinicWords
from screening.questionnaire.model import Questionnaire
from screening.questionnaire.overrides import OverrideError, apply_overrides, load_overrides
from screening.questionnaire_registry import build_registry

WORDS = ClinicWords("Sierra Mind Clinic", "Reno", ("Nevada",))

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "questionnaire.overrides.example.yaml"


def choice_item(questionnaire: Questionnaire) -> str:
    """A choice item outside the validated instruments (its linkId)."""
    return next(
        item.link_id
        for section in questionnaire.sections
        if section.instrument is None
        for item in section.items
        if item.type == "choice"
    )


def test_the_documented_example_applies_to_the_shipped_definition(questionnaire):
    changed = apply_overrides(questionnaire, load_overrides(EXAMPLE), EXAMPLE)
    assert changed.item("goals").text.get("es").startswith("Con sus propias palabras, ¿qué es")
    assert "Monterey Street" in changed.item("visit-preference").option("in-person").display.get()
    assert changed.section("concerns").intro.get().endswith("as little as feels comfortable.")
    # Everything that is not words stays the definition's.
    assert changed.version == questionnaire.version
    assert [i.link_id for i in changed.items] == [i.link_id for i in questionnaire.items]
    before, after = questionnaire.item("visit-preference"), changed.item("visit-preference")
    assert [o.code for o in after.options] == [o.code for o in before.options]
    assert after.enable_when == before.enable_when and after.required == before.required
    assert after.option("telehealth") == before.option("telehealth")


def test_an_item_gets_help_it_did_not_have(questionnaire):
    link_id = next(i.link_id for i in questionnaire.items if i.help is None and i.type != "display")
    with pytest.raises(OverrideError, match=f"o.yaml: {link_id}: help: give the es words too"):
        apply_overrides(questionnaire, {link_id: {"help": {"en": "Ask us."}}}, "o.yaml")
    words = {"en": "Ask us.", "es": "Pregúntenos."}
    changed = apply_overrides(questionnaire, {link_id: {"help": words}}, "o.yaml")
    assert changed.item(link_id).help.get("es") == "Pregúntenos."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"no-such-item": {"text": {"en": "x", "es": "x"}}}, "o.yaml: no-such-item: no section"),
        ({"goals": {"type": "string"}}, "o.yaml: goals: cannot change type"),
        ({"goals": {"enableWhen": []}}, "o.yaml: goals: cannot change enableWhen"),
        ({"goals": {"text": "Plain words"}}, "o.yaml: goals: text: must be a mapping of language"),
        ({"goals": {"text": {"en": "Words"}}}, "o.yaml: goals: text: give the es words too"),
        ({"goals": {"text": {"en": "W", "es": "P", "fr": "M"}}}, "unknown language(s) fr"),
        ({"goals": {"text": {"en": "W", "es": ""}}}, "goals: text: the es words must be"),
        ({"goals": {"options": {"a": {"en": "x"}}}}, "goals: options: a text item has no options"),
        (
            {"visit-preference": {"options": {"on-the-moon": {"en": "x", "es": "x"}}}},
            "visit-preference: options: unknown option code(s) on-the-moon (known: in-person",
        ),
        ({"phq9-9": {"text": {"en": "x", "es": "x"}}}, "phq9-9: is part of the validated"),
        ({"phq9": {"intro": {"en": "x", "es": "x"}}}, "phq9: is part of the validated"),
        ({"concerns": {"items": []}}, "concerns: cannot change items of a section"),
        ({"goals": None}, "goals: give the words to change"),
    ],
)
def test_a_mistake_names_the_file_the_link_id_and_the_problem(questionnaire, overrides, message):
    with pytest.raises(OverrideError) as refused:
        apply_overrides(questionnaire, overrides, "o.yaml")
    assert message in str(refused.value)


def test_option_codes_are_checked_against_the_item(questionnaire):
    link_id = choice_item(questionnaire)
    code = questionnaire.item(link_id).options[0].code
    words = {"en": "Mine", "es": "Mía"}
    changed = apply_overrides(questionnaire, {link_id: {"options": {code: words}}}, "o.yaml")
    assert changed.item(link_id).options[0].display.get("es") == "Mía"


def test_the_registry_applies_the_file_and_reads_it_again_when_edited(tmp_path):
    overrides = tmp_path / "questionnaire.overrides.yaml"
    overrides.write_text(
        yaml.safe_dump(
            {"goals": {"text": {"en": "First words at {clinic_name}", "es": "Primeras"}}}
        ),
        encoding="utf-8",
    )
    first = build_registry(DEFINITION_PATH, RULES_PATH, WORDS, overrides).current
    # The clinic's own words may name it as the shipped ones do.
    assert first.item("goals").text.get() == "First words at Sierra Mind Clinic"
    overrides.write_text(
        yaml.safe_dump({"goals": {"text": {"en": "Second words, longer", "es": "Segundas"}}}),
        encoding="utf-8",
    )
    assert build_registry(DEFINITION_PATH, RULES_PATH, WORDS, overrides).current.item(
        "goals"
    ).text.get("es") == ("Segundas")
    # No file: the shipped words.
    plain = build_registry(DEFINITION_PATH, RULES_PATH, WORDS, tmp_path / "absent.yaml").current
    assert not plain.item("goals").text.get().startswith("First words")


def test_instance_folders_without_an_overlay_share_one_registry(tmp_path):
    # Every app (every test) has its own instance folder: with no overlay file in it, the
    # registry is the one built without an overlay, not built again for each folder.
    without = build_registry(DEFINITION_PATH, RULES_PATH, WORDS)
    for folder in ("one", "two"):
        absent = tmp_path / folder / "questionnaire.overrides.yaml"
        assert build_registry(DEFINITION_PATH, RULES_PATH, WORDS, absent) is without
    # The file once written is read.
    written = tmp_path / "one" / "questionnaire.overrides.yaml"
    written.parent.mkdir()
    written.write_text(yaml.safe_dump({"goals": {"help": {"en": "Hi", "es": "Hola"}}}), "utf-8")
    overlaid = build_registry(DEFINITION_PATH, RULES_PATH, WORDS, written)
    assert overlaid is not without and overlaid.current.item("goals").help.get() == "Hi"


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    overrides = tmp_path / "questionnaire.overrides.yaml"
    overrides.write_text("- goals\n", encoding="utf-8")
    with pytest.raises(OverrideError, match=r"questionnaire\.overrides\.yaml: the file must map"):
        load_overrides(overrides)
    overrides.write_text("goals: [\n", encoding="utf-8")
    with pytest.raises(OverrideError, match="not valid YAML"):
        load_overrides(overrides)
    overrides.write_text("# nothing yet\n", encoding="utf-8")
    assert load_overrides(overrides) == {}
