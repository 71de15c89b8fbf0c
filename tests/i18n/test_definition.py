"""Every questionnaire text a client sees has Spanish, except validated wordings still pending."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from screening.config import PACKAGE_DIR
from screening.questionnaire.model import LocalizedText, Questionnaire, load_definition

# Validated instruments are shown only in their official wording: never paraphrased, never
# machine-translated. A linkId listed here would be shown in English on Spanish pages (marked
# lang="en") until its official Spanish is confirmed. Empty since 2026.11.3: AUDIT-C uses the
# WHO's Spanish AUDIT, and PC-PTSD-5 a translation marked as pending verification against the
# VA's Spanish version (see intake.yaml and test_unverified_translation_says_so below).
OFFICIAL_WORDING_PENDING: dict[str, str] = {}


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    """The shipped definition."""
    return load_definition(PACKAGE_DIR / "questionnaire" / "data" / "intake.yaml")


def client_texts(q: Questionnaire) -> Iterator[tuple[str, str, LocalizedText]]:
    """Yield (linkId, what, text) for every text the wizard or review page shows a client."""
    yield "(title)", "title", q.title
    for section in q.sections:
        yield section.link_id, "title", section.title
        for what in ("intro", "notice"):
            text = getattr(section, what)
            if text is not None:
                yield section.link_id, what, text
        for item in section.items:
            yield item.link_id, "text", item.text
            if item.help is not None:
                yield item.link_id, "help", item.help
            for option in item.options:
                yield item.link_id, f"option {option.code}", option.display


def test_every_client_facing_text_has_spanish(questionnaire: Questionnaire) -> None:
    missing = [
        (link_id, what)
        for link_id, what, text in client_texts(questionnaire)
        if not text.has("es") and link_id not in OFFICIAL_WORDING_PENDING
    ]
    assert not missing, f"add the Spanish (es:) to intake.yaml: {missing}"


def test_pending_list_names_only_instrument_texts_that_still_lack_spanish(
    questionnaire: Questionnaire,
) -> None:
    # Once an official Spanish wording is added, its linkId must leave the list.
    lacking = {
        link_id for link_id, _what, text in client_texts(questionnaire) if not text.has("es")
    }
    assert set(OFFICIAL_WORDING_PENDING) <= lacking, set(OFFICIAL_WORDING_PENDING) - lacking
    for link_id in OFFICIAL_WORDING_PENDING:
        section = next(
            s
            for s in questionnaire.sections
            if link_id in {s.link_id, *(i.link_id for i in s.items)}
        )
        assert section.instrument in {"auditc", "pcptsd5"}, link_id


def test_pending_list_is_empty() -> None:
    assert OFFICIAL_WORDING_PENDING == {}


def test_unverified_translation_says_so(questionnaire: Questionnaire) -> None:
    # The PC-PTSD-5 Spanish is the clinic's own until checked against the VA's version: the
    # notice says so to Spanish readers, and the definition names what to verify against.
    notice = questionnaire.section("pcptsd5").notice
    assert notice is not None
    assert "pendiente de verificación" in notice.get("es")
    assert "Centro Nacional para el TEPT" in notice.get("es")
    source = (PACKAGE_DIR / "questionnaire" / "data" / "intake.yaml").read_text(encoding="utf-8")
    assert "translation pending verification against the VA National Center for PTSD" in source


def test_auditc_spanish_is_the_who_wording(questionnaire: Questionnaire) -> None:
    # WHO/MSD/MSB/01.6a (the WHO's Spanish AUDIT manual), questions 1-3 and answers unchanged.
    texts = [questionnaire.item(f"auditc-{n}").text.get("es") for n in (1, 2, 3)]
    assert texts == [
        "¿Con qué frecuencia consume alguna bebida alcohólica?",
        "¿Cuántas consumiciones de bebidas alcohólicas suele realizar en un día de consumo normal?",
        "¿Con qué frecuencia toma 6 o más bebidas alcohólicas en un solo día?",
    ]
    answers = [o.display.get("es") for o in questionnaire.item("auditc-3").options]
    assert answers == [
        "Nunca",
        "Menos de una vez al mes",
        "Mensualmente",
        "Semanalmente",
        "A diario o casi a diario",
    ]
    source = (PACKAGE_DIR / "questionnaire" / "data" / "intake.yaml").read_text(encoding="utf-8")
    assert "WHO/MSD/MSB/01.6a" in source


def test_validated_spanish_is_the_official_wording(questionnaire: Questionnaire) -> None:
    phq9, gad7 = questionnaire.section("phq9"), questionnaire.section("gad7")
    stem = (
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
        "siguientes problemas?"
    )
    assert phq9.intro is not None and gad7.intro is not None
    assert phq9.intro.get("es") == gad7.intro.get("es") == stem
    assert questionnaire.item("phq9-9").text.get("es") == (
        "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"
    )
    assert questionnaire.item("gad7-1").text.get("es") == (
        "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta"
    )
    assert gad7.notice is not None and "Pfizer Inc." in gad7.notice.get("es")
