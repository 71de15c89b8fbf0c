"""Map the questionnaire and answers to FHIR R4 resources, and read responses back.

Export: a Questionnaire (one group per section) and a QuestionnaireResponse for a submission.
Import: a QuestionnaireResponse from us or from another system; items are matched by our
linkId or, for LOINC-coded items (PHQ-9, GAD-7, AUDIT-C), by the LOINC code used as linkId,
so a PHQ-9 captured elsewhere still scores and triages here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from .conditions import prune_answers
from .model import ANSWER_KEYS, TEXT_TYPES, Condition, Item, Option, Questionnaire, Section

LOINC = "http://loinc.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
RESPONSE_STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
# email and phone are plain strings in FHIR; the web layer adds the input type.
_FHIR_TYPE = {"email": "string", "phone": "string"}
_ANSWER_KEY = {answer_type: key for key, answer_type in ANSWER_KEYS.items()}
_VALUE_KEY = {
    kind: f"value{kind.capitalize()}" for kind in ("boolean", "integer", "decimal", "date")
}


# Look-ups for import: by our linkId, and by LOINC item code.
_Index = tuple[dict[str, Item], dict[str, Item]]


class ResponseError(Exception):
    """A QuestionnaireResponse could not be read; the message is one line."""


def _coding(option: Option, lang: str) -> dict[str, Any]:
    coding: dict[str, Any] = {}
    if option.system:
        coding["system"] = option.system
    coding["code"] = option.code
    coding["display"] = option.display.get(lang)
    if option.ordinal is not None:
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option.ordinal}]
    return coding


def _enable_when(q: Questionnaire, conditions: tuple[Condition, ...]) -> list[dict[str, Any]]:
    result = []
    for cond in conditions:
        entry: dict[str, Any] = {"question": cond.question, "operator": cond.operator}
        if cond.answer_type == "coding":
            option = q.item(cond.question).option(str(cond.answer))
            system = option.system if option else None
            entry["answerCoding"] = (
                {"system": system, "code": cond.answer} if system else {"code": cond.answer}
            )
        else:
            entry[_ANSWER_KEY[cond.answer_type]] = cond.answer
        result.append(entry)
    return result


def _add_enable_when(target: dict[str, Any], q: Questionnaire, node: Section | Item) -> None:
    if node.enable_when:
        target["enableWhen"] = _enable_when(q, node.enable_when)
        # FHIR requires enableBehavior once there is more than one condition; always say it.
        target["enableBehavior"] = node.enable_behavior


def _display_child(link_id: str, text: str, control: str | None = None) -> dict[str, Any]:
    child: dict[str, Any] = {"linkId": link_id, "type": "display", "text": text}
    if control:
        child["extension"] = [
            {
                "url": ITEM_CONTROL,
                "valueCodeableConcept": {
                    "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": control}]
                },
            }
        ]
    return child


def _question(q: Questionnaire, item: Item, lang: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "linkId": item.link_id,
        "type": _FHIR_TYPE.get(item.type, item.type),
        "text": item.text.get(lang),
    }
    if item.codes:
        entry["code"] = [
            {"system": c.system, "code": c.code} if c.system else {"code": c.code}
            for c in item.codes
        ]
    if item.required:
        entry["required"] = True
    if item.repeats:
        entry["repeats"] = True
    if item.max_length is not None:
        entry["maxLength"] = item.max_length
    value_key = "valueInteger" if item.type == "integer" else "valueDecimal"
    extensions = [
        {"url": url, value_key: value}
        for url, value in ((MIN_VALUE, item.min_value), (MAX_VALUE, item.max_value))
        if value is not None
    ]
    if extensions:
        entry["extension"] = extensions
    if item.options:
        entry["answerOption"] = [{"valueCoding": _coding(o, lang)} for o in item.options]
    _add_enable_when(entry, q, item)
    if item.help:
        # Dots never occur in our kebab-case linkIds, so these ids cannot collide.
        entry["item"] = [_display_child(f"{item.link_id}.help", item.help.get(lang), "help")]
    return entry


def _group(q: Questionnaire, section: Section, lang: str) -> dict[str, Any]:
    children = []
    if section.intro:
        children.append(_display_child(f"{section.link_id}.intro", section.intro.get(lang)))
    children += [_question(q, item, lang) for item in section.items]
    if section.notice:
        children.append(_display_child(f"{section.link_id}.notice", section.notice.get(lang)))
    group: dict[str, Any] = {
        "linkId": section.link_id,
        "type": "group",
        "text": section.title.get(lang),
        "item": children,
    }
    _add_enable_when(group, q, section)
    return group


def questionnaire_to_fhir(q: Questionnaire, lang: str = "en") -> dict[str, Any]:
    """Return the definition as a FHIR R4 Questionnaire, texts in `lang` (English fallback)."""
    return {
        "resourceType": "Questionnaire",
        "id": q.id,
        "url": q.url,
        "version": q.version,
        "language": lang,
        "status": "active",
        "title": q.title.get(lang),
        "item": [_group(q, section, lang) for section in q.sections],
    }


def _answer_entries(item: Item, value: Any, lang: str) -> list[dict[str, Any]]:
    values = value if isinstance(value, list) else [value]
    entries = []
    for single in values:
        if item.is_choice:
            option = item.option(single)
            # Free text in an open-choice item is a plain string answer.
            entry = {"valueCoding": _coding(option, lang)} if option else {"valueString": single}
        else:
            entry = {_VALUE_KEY.get(item.type, "valueString"): single}
        entries.append(entry)
    return entries


def answers_to_response(
    q: Questionnaire,
    answers: Mapping[str, Any],
    *,
    status: str,
    authored: datetime | None,
    lang: str = "en",
) -> dict[str, Any]:
    """Return the answers as a FHIR R4 QuestionnaireResponse grouped by section."""
    if status not in RESPONSE_STATUSES:
        raise ValueError(f"status must be one of {RESPONSE_STATUSES}")
    answers = prune_answers(q, answers)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{q.url}|{q.version}",
        "language": lang,
        "status": status,
    }
    if authored is not None:
        if authored.tzinfo is None:
            # FHIR dateTime with a time needs an offset; guessing one would misdate records.
            raise ValueError("authored must be timezone-aware")
        resource["authored"] = authored.isoformat()
    groups = []
    for section in q.sections:
        children = [
            {
                "linkId": item.link_id,
                "text": item.text.get(lang),
                "answer": _answer_entries(item, answers[item.link_id], lang),
            }
            for item in section.items
            if item.link_id in answers
        ]
        if children:
            groups.append(
                {"linkId": section.link_id, "text": section.title.get(lang), "item": children}
            )
    if groups:
        resource["item"] = groups
    return resource


def _item_index(q: Questionnaire) -> _Index:
    """Return look-ups by linkId and by LOINC item code."""
    by_link_id = {item.link_id: item for item in q.items if item.type != "display"}
    by_loinc = {
        coding.code: item
        for item in by_link_id.values()
        for coding in item.codes
        if coding.system == LOINC
    }
    return by_link_id, by_loinc


def _choice_value(item: Item, key: str, value: Any) -> str:
    if key == "valueCoding":
        code = value.get("code") if isinstance(value, Mapping) else None
        if isinstance(code, str) and item.option(code):
            return code
        raise ResponseError(f"unknown answer code {code!r} for '{item.link_id}'")
    if key == "valueInteger" and isinstance(value, int) and not isinstance(value, bool):
        # Other systems often send PHQ/GAD answers as their points; map back to the option.
        option = next((o for o in item.options if o.ordinal == value), None)
        if option is not None:
            return option.code
        raise ResponseError(f"no option with value {value} for '{item.link_id}'")
    if key == "valueString" and isinstance(value, str) and value:
        if item.option(value) or item.type == "open-choice":
            return value
        raise ResponseError(f"unknown answer {value!r} for '{item.link_id}'")
    raise ResponseError(f"'{item.link_id}' cannot take {key}")


def _scalar_value(item: Item, key: str, value: Any) -> Any:
    kind = item.type
    if kind == "boolean" and key == "valueBoolean" and isinstance(value, bool):
        return value
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "integer" and key == "valueInteger" and is_number and isinstance(value, int):
        return value
    if kind == "decimal" and key in ("valueDecimal", "valueInteger") and is_number:
        return float(value)
    if kind in TEXT_TYPES and key == "valueString" and isinstance(value, str):
        return value
    if kind == "date" and key == "valueDate" and isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ResponseError(f"'{item.link_id}' needs a full date, got {value!r}") from None
    raise ResponseError(f"'{item.link_id}' ({kind}) cannot take {key} {value!r}")


def _answer_value(item: Item, answer: Any) -> Any:
    if not isinstance(answer, Mapping):
        raise ResponseError(f"an answer of '{item.link_id}' is not an object")
    keys = [key for key in answer if key.startswith("value")]
    if len(keys) != 1:
        raise ResponseError(f"an answer of '{item.link_id}' needs exactly one value[x]")
    key = keys[0]
    if item.is_choice:
        return _choice_value(item, key, answer[key])
    return _scalar_value(item, key, answer[key])


def _resolve(link_id: str, index: _Index) -> Item | None:
    by_link_id, by_loinc = index
    if link_id in by_link_id:
        return by_link_id[link_id]
    # Accept "44260-8", "/44260-8" and "/44249-1/44260-8" (LHC-Forms style paths).
    return by_loinc.get(link_id.rstrip("/").rsplit("/", 1)[-1])


def _walk(entries: Any, index: _Index, answers: dict[str, Any], where: str) -> None:
    if not isinstance(entries, list):
        raise ResponseError(f"{where} must be a list")
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise ResponseError(f"{where} holds something that is not an object")
        link_id = entry.get("linkId")
        if not isinstance(link_id, str) or not link_id:
            raise ResponseError(f"{where} holds an item without a linkId")
        raw_answers = entry.get("answer", [])
        if not isinstance(raw_answers, list):
            raise ResponseError(f"answer of '{link_id}' must be a list")
        item = _resolve(link_id, index)
        if item is not None and raw_answers:
            if item.link_id in answers:
                raise ResponseError(f"'{item.link_id}' is answered more than once")
            values = [_answer_value(item, answer) for answer in raw_answers]
            if len(values) > 1 and not item.repeats:
                raise ResponseError(f"'{item.link_id}' takes one answer, got {len(values)}")
            answers[item.link_id] = values if item.repeats else values[0]
        # Unknown linkIds (groups, totals, other systems' items) are skipped, not their children.
        if "item" in entry:
            _walk(entry["item"], index, answers, f"item '{link_id}'")
        for answer in raw_answers:
            if isinstance(answer, Mapping) and "item" in answer:
                _walk(answer["item"], index, answers, f"answer of '{link_id}'")


def response_to_answers(q: Questionnaire, data: Any) -> dict[str, Any]:
    """Read a FHIR QuestionnaireResponse (ours or LOINC-coded) into an answers dict."""
    if not isinstance(data, Mapping):
        raise ResponseError("the response must be a JSON object")
    if data.get("resourceType") != "QuestionnaireResponse":
        raise ResponseError(f"expected a QuestionnaireResponse, got {data.get('resourceType')!r}")
    answers: dict[str, Any] = {}
    _walk(data.get("item", []), _item_index(q), answers, "item")
    return answers
