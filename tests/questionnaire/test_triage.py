"""Triage rules: each shipped rule fires when it should, categories, results and the loader."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from screening.questionnaire import RULES_PATH
from screening.questionnaire.flags import AnswerEvidence, Flag, ScoreEvidence, category_for
from screening.questionnaire.model import Questionnaire, load_definition
from screening.questionnaire.triage import (
    RulesError,
    RuleSet,
    load_rules,
    triage_inputs,
    triage_response,
    urgent_flags,
)
from tests.questionnaire.factories import (
    NOT_AT_ALL,
    SEVERAL_DAYS,
    TODAY,
    clean_answers,
    gad7_answers,
    phq9_answers,
)

ITEM9 = {"phq9-9": SEVERAL_DAYS}
HOSPITALIZED = {"hospitalized": True}


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


MILD_PHQ9 = phq9_answers(1, 1, 1, 1, 1, 1, 1, 0, 0)  # 6

# Per rule: a minimal answer set that makes it fire (with whatever enables its questions).
RULE_TRIGGERS: dict[str, dict[str, Any]] = {
    # urgent
    "phq9-item9-positive": ITEM9,
    "suicidal-thoughts-now": {**ITEM9, "safety-thoughts-now": True},
    "suicide-plan": {**ITEM9, "safety-plan": True},
    "recent-suicidal-behavior": {"suicidal-behavior": "past-3-months"},
    "recent-psychiatric-discharge": {**HOSPITALIZED, "hospital-discharge": days_ago(3)},
    "not-safe-now": {**ITEM9, "safety-safe-now": False},
    # exclusion
    "psychotic-disorder": {
        "diagnoses-any": "yes",
        "diagnoses": ["bipolar-2", "other-psychotic-disorder"],
    },
    "psychotic-symptoms": {
        "psychotic-symptoms": True,
        "unusual-experiences-when": "other-times",
        "unusual-experiences-real": "seemed-real",
    },
    "unusual-experiences": {"psychotic-symptoms": True},
    "family-psychosis-unsure": {"family-psychosis": "not-sure"},
    "eating-disorder-active": {
        "diagnoses-any": "yes",
        "diagnoses": ["eating-disorder"],
        "eating-disorder-current": True,
    },
    "dissociative-disorder": {"diagnoses-any": "yes", "diagnoses": ["dissociative-disorder"]},
    "dissociation-distressing": {"dissociation-experience": "often-without-cause"},
    "recent-heart-attack-or-stroke": {
        "heart-brain-any": "yes",
        "medical-conditions": ["stroke"],
        "heart-attack-or-stroke-when": "not-sure",
    },
    "recent-seizure": {"heart-brain-any": "yes", "seizures": "past-year"},
    "no-support-person-telehealth": {
        "support-person": "no",
        "visit-preference": "telehealth",
        "telehealth-location": "california",
    },
    "telehealth-outside-california": {
        "visit-preference": "either",
        "telehealth-location": "outside-california",
    },
    "aneurysm-or-avm": {"heart-brain-any": "yes", "medical-conditions": ["avm"]},
    "brain-bleed": {"heart-brain-any": "yes", "medical-conditions": ["brain-bleed"]},
    "prior-stroke": {"heart-brain-any": "yes", "medical-conditions": ["stroke"]},
    "uncontrolled-hypertension": {
        "heart-brain-any": "yes",
        "high-blood-pressure": "yes-not-controlled",
    },
    "bp-reading-very-high": {
        "heart-brain-any": "yes",
        "high-blood-pressure": "not-sure",
        "bp-diastolic": 100,
    },
    "ketamine-allergy": {"has-allergies": "yes", "ketamine-reaction": "yes"},
    "pregnancy-or-breastfeeding": {"sex-at-birth": "female", "pregnancy": "breastfeeding"},
    "pre-eclampsia": {"other-conditions-any": "yes", "other-conditions": ["pre-eclampsia"]},
    "under-18": {"date-of-birth": "2008-11-28"},
    # caution: relative contraindications
    "bipolar-disorder": {"reasons": ["bipolar-depression"]},
    "recent-mania": {"mania-past-year": True},
    "family-psychosis": {"family-psychosis": "yes"},
    "substance-use-disorder": {"substance-concern": "concerned"},
    "non-prescribed-drug-use": {"substances-any": "yes", "substances-past-year": ["opioids"]},
    "recreational-ketamine": {"prior-ketamine": "both"},
    "bladder-symptoms": {"other-conditions-any": "yes", "bladder-symptoms": True},
    "auditc-positive": {
        "sex-at-birth": "male",
        "auditc-1": "LA18928-4",
        "auditc-2": "LA15695-2",
        "auditc-3": "LA6270-8",
    },
    "heart-disease": {"heart-brain-any": "yes", "medical-conditions": ["heart-arrhythmia"]},
    "raised-icp-head-injury-brain-mass": {
        "heart-brain-any": "yes",
        "medical-conditions": ["head-injury"],
    },
    "glaucoma": {"other-conditions-any": "yes", "other-conditions": ["glaucoma"]},
    "hyperthyroidism": {
        "other-conditions-any": "yes",
        "other-conditions": ["hyperthyroidism-untreated"],
    },
    "liver-disease": {"other-conditions-any": "yes", "other-conditions": ["liver-disease"]},
    "bladder-disease": {"other-conditions-any": "yes", "other-conditions": ["bladder-disease"]},
    "personality-disorder": {"diagnoses-any": "yes", "diagnoses": ["personality-disorder"]},
    "respiratory-or-sleep-apnea": {
        "other-conditions-any": "yes",
        "other-conditions": ["sleep-apnea-untreated"],
    },
    "bp-reading-raised-systolic": {
        "heart-brain-any": "yes",
        "high-blood-pressure": "yes-controlled",
        "bp-systolic": 140,
    },
    "bp-reading-raised-diastolic": {
        "heart-brain-any": "yes",
        "high-blood-pressure": "yes-controlled",
        "bp-diastolic": 99,
    },
    "ketamine-reaction-unsure": {"has-allergies": "yes", "ketamine-reaction": "not-sure"},
    "planning-pregnancy": {"sex-at-birth": "intersex", "pregnancy": "planning"},
    "no-sober-driver": {"sober-driver": "no"},
    "out-of-state": {"state": "other-state"},
    "no-therapist-not-open": {"has-therapist": False, "open-to-therapist": "no"},
    "past-suicidal-behavior": {"suicidal-behavior": "over-3-months"},
    "psychiatric-hospitalization": {**HOSPITALIZED, "hospital-discharge": "2019-06-01"},
    # caution: interactions
    "benzodiazepines": {"medication-classes": ["benzodiazepines"]},
    "benzodiazepines-high-dose": {
        "medication-classes": ["benzodiazepines"],
        "benzo-dose": "8mg-or-more",
    },
    "lamotrigine": {"medication-classes": ["lamotrigine"]},
    "maoi": {"medication-classes": ["maoi"]},
    "stimulant-medication": {"medication-classes": ["stimulants"]},
    "opioid-medication": {"medication-classes": ["opioids"]},
    "other-cns-depressants": {"medication-classes": ["other-cns-depressants"]},
    "naltrexone": {"medication-classes": ["naltrexone"]},
    # info
    "treatment-resistant-depression": {"antidepressant-trials": "2"},
    "phq9-moderate-or-worse": phq9_answers(2, 2, 2, 1, 1, 1, 1, 0, 0),
    "phq9-severe": phq9_answers(3, 3, 3, 3, 2, 2, 2, 2, 0),
    "gad7-moderate-or-worse": gad7_answers(2, 2, 2, 1, 1, 1, 1),
    "pcptsd5-positive": {
        "reasons": ["ptsd-trauma"],
        "pcptsd5-event": "yes",
        "pcptsd5-1": "yes",
        "pcptsd5-2": "yes",
        "pcptsd5-3": "yes",
        "pcptsd5-4": "no",
        "pcptsd5-5": "no",
    },
    "eating-disorder-history": {
        "diagnoses-any": "yes",
        "diagnoses": ["eating-disorder"],
        "eating-disorder-current": False,
    },
    "bmi-high": {"weight": 300, "height-feet": 6, "height-inches": 0},
    "bmi-low": {"weight": 100, "height-feet": 5, "height-inches": 8},
    "seizure-history": {"heart-brain-any": "not-sure", "seizures": "longer-ago"},
    "heart-attack-or-stroke-timing": {
        "heart-brain-any": "yes",
        "medical-conditions": ["heart-attack"],
        "heart-attack-or-stroke-when": "over-a-year",
    },
    "lethal-means-access": {"lethal-means": ["medicines"]},
    "telehealth-location-unsure": {
        "visit-preference": "telehealth",
        "telehealth-location": "not-sure",
    },
    "support-person-unsure": {"support-person": "not-sure"},
    "other-substance-use": {"substances-any": "yes", "substances-past-year": ["cannabis"]},
    "in-recovery": {"substance-concern": "in-recovery"},
    "antipsychotic-or-lithium": {"medication-classes": ["lithium"]},
    "blood-pressure-check": {"heart-brain-any": "yes", "high-blood-pressure": "yes-controlled"},
    "sober-driver-unsure": {"sober-driver": "not-sure"},
    "no-time-for-sessions": {"session-time": False},
    "medicine-only-interest": {"psychotherapy-openness": "medicine-only"},
}
# The clean baseline has a moderate PHQ-9; this rule is tested against a mild one instead.
BASELINE_OVERRIDES: dict[str, dict[str, Any]] = {"phq9-moderate-or-worse": MILD_PHQ9}


def flag_ids(q: Questionnaire, rules: RuleSet, answers: dict[str, Any]) -> list[str]:
    return [flag.id for flag in triage_response(q, rules, answers, TODAY).flags]


def test_every_shipped_rule_has_a_trigger(rules: RuleSet) -> None:
    assert set(RULE_TRIGGERS) == {rule.id for rule in rules.rules}


def test_shipped_rules_version(rules: RuleSet) -> None:
    assert rules.version == "2026.11.4"


@pytest.mark.parametrize("rule_id", sorted(RULE_TRIGGERS))
def test_rule_fires_on_its_minimal_answers(
    questionnaire: Questionnaire, rules: RuleSet, rule_id: str
) -> None:
    assert rule_id in flag_ids(questionnaire, rules, RULE_TRIGGERS[rule_id])


@pytest.mark.parametrize("rule_id", sorted(RULE_TRIGGERS))
def test_rule_stays_quiet_on_the_clean_baseline_and_fires_when_added(
    questionnaire: Questionnaire, rules: RuleSet, rule_id: str
) -> None:
    baseline = {**clean_answers(), **BASELINE_OVERRIDES.get(rule_id, {})}
    assert rule_id not in flag_ids(questionnaire, rules, baseline)
    assert rule_id in flag_ids(questionnaire, rules, {**baseline, **RULE_TRIGGERS[rule_id]})


def test_clean_answers_are_likely_eligible(questionnaire: Questionnaire, rules: RuleSet) -> None:
    result = triage_response(questionnaire, rules, clean_answers(), TODAY)
    assert result.category == "likely-eligible"
    assert [f.id for f in result.flags] == ["phq9-moderate-or-worse"]


@pytest.mark.parametrize(
    ("answers", "fires", "quiet"),
    [
        (
            {"heart-brain-any": "yes", "high-blood-pressure": "yes-controlled", "bp-systolic": 139},
            set(),
            {"bp-reading-raised-systolic"},
        ),
        (
            {"heart-brain-any": "yes", "high-blood-pressure": "yes-controlled", "bp-systolic": 179},
            {"bp-reading-raised-systolic"},
            {"bp-reading-very-high"},
        ),
        (
            {"heart-brain-any": "yes", "high-blood-pressure": "yes-controlled", "bp-systolic": 180},
            {"bp-reading-very-high"},
            {"bp-reading-raised-systolic"},
        ),
        (
            {"heart-brain-any": "yes", "high-blood-pressure": "yes-controlled", "bp-diastolic": 89},
            set(),
            {"bp-reading-raised-diastolic"},
        ),
        (
            {
                "heart-brain-any": "yes",
                "high-blood-pressure": "yes-controlled",
                "bp-diastolic": 100,
            },
            {"bp-reading-very-high"},
            {"bp-reading-raised-diastolic"},
        ),
        ({"date-of-birth": "2008-11-27"}, set(), {"under-18"}),  # 18 today
        ({"antidepressant-trials": "1"}, set(), {"treatment-resistant-depression"}),
        ({"antidepressant-trials": "3-plus"}, {"treatment-resistant-depression"}, set()),
        (phq9_answers(3, 3, 3, 2, 2, 2, 2, 2, 0), {"phq9-moderate-or-worse"}, {"phq9-severe"}),
        (gad7_answers(2, 2, 1, 1, 1, 1, 1), set(), {"gad7-moderate-or-worse"}),  # 9
        (
            {"suicidal-behavior": "over-3-months"},
            {"past-suicidal-behavior"},
            {"recent-suicidal-behavior"},
        ),
        # 4 weeks is the last day of "recent"; a discharge date in the future counts too
        (
            {**HOSPITALIZED, "hospital-discharge": days_ago(28)},
            {"recent-psychiatric-discharge"},
            set(),
        ),
        (
            {**HOSPITALIZED, "hospital-discharge": days_ago(29)},
            set(),
            {"recent-psychiatric-discharge"},
        ),
        (
            {**HOSPITALIZED, "hospital-discharge": days_ago(-1)},
            {"recent-psychiatric-discharge"},
            set(),
        ),
        ({"prior-ketamine": "medical"}, set(), {"recreational-ketamine"}),
        (
            {"substances-any": "yes", "substances-past-year": ["ketamine-recreational"]},
            {"recreational-ketamine"},
            set(),
        ),
        ({"has-therapist": False, "open-to-therapist": "maybe"}, set(), {"no-therapist-not-open"}),
        (
            {"medication-classes": ["benzodiazepines"], "benzo-dose": "under-8mg"},
            {"benzodiazepines"},
            {"benzodiazepines-high-dose"},
        ),
        # follow-ups that no longer apply are pruned before the non-urgent rules run...
        ({"has-therapist": True, "open-to-therapist": "no"}, set(), {"no-therapist-not-open"}),
        # ...but urgent rules read every answer given, hidden or not
        ({"phq9-9": NOT_AT_ALL, "safety-plan": True}, {"suicide-plan"}, {"phq9-item9-positive"}),
        (
            {"hospitalized": False, "hospital-discharge": days_ago(2)},
            {"recent-psychiatric-discharge"},
            {"psychiatric-hospitalization"},
        ),
        ({"sex-at-birth": "male", "pregnancy": "pregnant"}, set(), {"pregnancy-or-breastfeeding"}),
        # a reading is asked of everyone, so it counts whatever they were told before
        (
            {"heart-brain-any": "yes", "high-blood-pressure": "no", "bp-systolic": 200},
            {"bp-reading-very-high"},
            set(),
        ),
        # the broad question alone never files someone as likely-ineligible...
        (
            {
                "psychotic-symptoms": True,
                "unusual-experiences-when": "only-substance",
                "unusual-experiences-real": "seemed-real",
            },
            {"unusual-experiences"},
            {"psychotic-symptoms"},
        ),
        (
            {
                "psychotic-symptoms": True,
                "unusual-experiences-when": "other-times",
                "unusual-experiences-real": "not-sure",
            },
            {"unusual-experiences"},
            {"psychotic-symptoms"},
        ),
        # ...and follow-ups left over after a "no" are pruned
        (
            {
                "psychotic-symptoms": False,
                "unusual-experiences-when": "other-times",
                "unusual-experiences-real": "seemed-real",
            },
            set(),
            {"psychotic-symptoms", "unusual-experiences"},
        ),
        # BMI is kept to the nearest whole number: 39.3 (5 ft 7 in) and 17.5 (5 ft 10 in) are quiet
        ({"weight": 251}, set(), {"bmi-high"}),
        ({"weight": 122, "height-feet": 5, "height-inches": 10}, set(), {"bmi-low"}),
        (
            {"support-person": "no", "visit-preference": "in-person"},
            set(),
            {"no-support-person-telehealth"},
        ),
        (
            {
                "heart-brain-any": "yes",
                "medical-conditions": ["heart-attack"],
                "heart-attack-or-stroke-when": "6-12-months",
            },
            {"heart-disease"},
            {"recent-heart-attack-or-stroke"},
        ),
    ],
)
def test_rule_boundaries(
    questionnaire: Questionnaire,
    rules: RuleSet,
    answers: dict[str, Any],
    fires: set[str],
    quiet: set[str],
) -> None:
    ids = set(flag_ids(questionnaire, rules, {**clean_answers(), **answers}))
    assert fires <= ids
    assert not quiet & ids


def make_flag(severity: str) -> Flag:
    return Flag(severity, severity, "reason", ())


@pytest.mark.parametrize(
    ("severities", "category"),
    [
        ((), "likely-eligible"),
        (("info",), "likely-eligible"),
        (("info", "caution"), "needs-review"),
        (("caution", "exclusion", "info"), "likely-ineligible"),
        (("exclusion", "urgent", "caution"), "urgent-safety"),
        (("urgent",), "urgent-safety"),
        (("exclusion", "incomplete", "info"), "incomplete"),
        (("incomplete", "urgent"), "urgent-safety"),
    ],
)
def test_category_precedence(severities: tuple[str, ...], category: str) -> None:
    assert category_for([make_flag(s) for s in severities]) == category


def test_urgent_beats_exclusion_and_caution_on_real_answers(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    follow_ups = {"safety-thoughts-now": False, "safety-plan": False, "safety-safe-now": True}
    answers = clean_answers(state="other-state", ketamine_reaction="yes", **ITEM9, **follow_ups)
    result = triage_response(questionnaire, rules, answers, TODAY)
    assert result.category == "urgent-safety"
    severities = [flag.severity for flag in result.flags]
    order = ["urgent", "incomplete", "exclusion", "caution", "info"]
    assert severities == sorted(severities, key=order.index)
    assert severities[:3] == ["urgent", "exclusion", "caution"]


def test_flags_of_one_severity_keep_rule_order(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    answers = clean_answers(
        sober_driver="no", state="other-state", medication_classes=["naltrexone", "maoi"]
    )
    ids = flag_ids(questionnaire, rules, answers)
    rule_order = [rule.id for rule in rules.rules]
    cautions = [i for i in ids if i in {"no-sober-driver", "out-of-state", "maoi", "naltrexone"}]
    assert cautions == sorted(cautions, key=rule_order.index)


def test_flags_carry_their_evidence(questionnaire: Questionnaire, rules: RuleSet) -> None:
    answers = clean_answers(medical_conditions=["glaucoma", "avm"], antidepressant_trials="2")
    result = triage_response(questionnaire, rules, answers, TODAY)
    flags = {flag.id: flag for flag in result.flags}
    assert flags["aneurysm-or-avm"].evidence == (
        AnswerEvidence("medical-conditions", ["glaucoma", "avm"]),
    )
    assert flags["treatment-resistant-depression"].evidence == (
        ScoreEvidence("antidepressant_trials", 2),
    )
    assert flags["phq9-moderate-or-worse"].evidence == (ScoreEvidence("phq9", 12),)


def test_evidence_lists_each_question_once(questionnaire: Questionnaire, rules: RuleSet) -> None:
    answers = clean_answers(has_therapist=False, open_to_therapist="no")
    result = triage_response(questionnaire, rules, answers, TODAY)
    flag = next(f for f in result.flags if f.id == "no-therapist-not-open")
    assert flag.evidence == (
        AnswerEvidence("has-therapist", False),
        AnswerEvidence("open-to-therapist", "no"),
    )


def test_triage_result_to_dict_shape(questionnaire: Questionnaire, rules: RuleSet) -> None:
    answers = clean_answers(sober_driver="no")
    data = triage_response(questionnaire, rules, answers, TODAY).to_dict()
    assert set(data) == {"category", "flags", "scores"}
    assert data["category"] == "needs-review"
    assert data["flags"][0] == {
        "id": "no-sober-driver",
        "severity": "caution",
        "reason": "No sober adult available to take them home after dosing sessions.",
        "evidence": [{"linkId": "sober-driver", "answer": "no"}],
    }
    assert data["scores"]["phq9"] == {"total": 12, "band": "moderate", "complete": True}
    assert data["scores"]["auditc"] == {"total": 1, "positive": False, "complete": True}
    assert data["scores"]["age"] == {"total": 38, "complete": True}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, False),
        ({"phq9-9": NOT_AT_ALL}, False),
        ({"phq9-9": SEVERAL_DAYS}, True),
        # one section's answers on their own, as the wizard saves them
        ({"safety-thoughts-now": False, "safety-plan": True}, True),
        ({"safety-safe-now": False}, True),
        ({"suicidal-behavior": "over-3-months", "safety-safe-now": True}, False),
        ({"suicidal-behavior": "past-3-months"}, True),
        ({"hospital-discharge": days_ago(10)}, True),
        ({"state": "other-state", "ketamine-reaction": "yes"}, False),
    ],
)
def test_risk_present(
    questionnaire: Questionnaire, rules: RuleSet, answers: dict, expected: bool
) -> None:
    assert bool(urgent_flags(questionnaire, rules, answers, TODAY)) is expected


# --- The loader -----------------------------------------------------------------------------


def write_rules(tmp_path: Path, rules: list[dict], version: str = "1") -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"version": version, "rules": rules}), encoding="utf-8")
    return path


def rule(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "sample",
        "severity": "caution",
        "reason": "Sample.",
        "when": [{"question": "sober-driver", "operator": "=", "answerCoding": "no"}],
    }
    return base | overrides


@pytest.mark.parametrize(
    ("rules_data", "message"),
    [
        (
            [rule(when=[{"question": "nope", "operator": "=", "answerBoolean": True}])],
            "unknown question linkId 'nope'",
        ),
        (
            [rule(when=[{"question": "sober-driver", "operator": "=", "answerCoding": "maybe"}])],
            "'maybe' is not among the options",
        ),
        ([rule(when=[{"score": "phq10", "operator": ">=", "value": 3}])], "unknown score 'phq10'"),
        ([rule(when=[{"score": "phq9", "positive": True}])], "has no positive screen"),
        ([rule(when=[{"score": "phq9", "operator": ">=", "value": "ten"}])], "whole number"),
        ([rule(when=[{"score": "phq9", "operator": "~", "value": 3}])], "bad score operator"),
        ([rule(), rule()], "duplicate rule id"),
        ([rule(severity="critical")], "severity must be one of"),
        ([rule(severity="incomplete")], "severity must be one of"),
        (
            [rule(when=[{"question": "sober-driver", "withinDays": 28}])],
            "withinDays needs a date question",
        ),
        (
            [rule(when=[{"question": "hospital-discharge", "withinDays": "4 weeks"}])],
            "whole number of days",
        ),
        ([rule(reason="")], "needs a reason"),
        ([rule(when=[])], "non-empty list of conditions"),
        ([rule(enableBehavior="some")], "enableBehavior must be one of"),
        ([rule(extra=1)], "unknown key(s) ['extra']"),
        (
            [rule(when=[{"question": "sober-driver", "operator": "like", "answerCoding": "no"}])],
            "bad operator",
        ),
        (
            [rule(when=[{"question": "bp-systolic", "operator": "=", "answerCoding": "no"}])],
            "cannot use a coding answer",
        ),
    ],
)
def test_rules_loader_names_file_and_rule(
    tmp_path: Path, questionnaire: Questionnaire, rules_data: list[dict], message: str
) -> None:
    path = write_rules(tmp_path, rules_data)
    with pytest.raises(RulesError) as error:
        load_rules(path, questionnaire)
    assert str(error.value).startswith(f"{path}: rule sample: "), str(error.value)
    assert message in str(error.value)


def test_rules_loader_rejects_scores_the_questionnaire_cannot_produce(
    tmp_path: Path,
) -> None:
    definition = tmp_path / "mini.yaml"
    definition.write_text(
        yaml.safe_dump(
            {
                "id": "mini",
                "url": "https://example.org/Questionnaire/mini",
                "version": "1",
                "title": "Mini",
                "sections": [
                    {
                        "linkId": "s",
                        "title": "S",
                        "items": [{"linkId": "a", "type": "boolean", "text": "A"}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    path = write_rules(tmp_path, [rule(when=[{"score": "pcptsd5", "positive": True}])])
    with pytest.raises(RulesError, match="not produced by this questionnaire"):
        load_rules(path, load_definition(definition))


def test_rules_loader_rejects_a_bad_top_level(tmp_path: Path, questionnaire: Questionnaire) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(RulesError, match=str(path)):
        load_rules(path, questionnaire)


def test_shipped_rules_file_is_the_default(questionnaire: Questionnaire) -> None:
    assert len(load_rules(RULES_PATH, questionnaire).rules) == len(RULE_TRIGGERS)


def test_risk_answers_mark_every_answer_that_alone_raises_an_urgent_flag(questionnaire, rules):
    from screening.questionnaire.triage import risk_answers

    risky = risk_answers(questionnaire, rules)
    assert risky["phq9-9"] == {"LA6569-3", "LA6570-1", "LA6571-9"}
    assert "yes" in risky["safety-thoughts-now"]
    assert "phq9-1" not in risky


# --- Failing closed, changed answers and the flag's one JSON form ----------------------------


def test_missing_required_safety_answers_make_the_response_incomplete(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    result = triage_response(questionnaire, rules, clean_answers(diagnoses_any=None), TODAY)
    assert result.category == "incomplete"
    assert result.flags[0].id == "required-answers-missing"
    assert result.flags[0].evidence == (AnswerEvidence("diagnoses-any", None),)


# Every gate in front of a list whose answers triage reads, and the list.
GATES = {
    "diagnoses-any": "diagnoses",
    "substances-any": "substances-past-year",
    "heart-brain-any": "medical-conditions",
    "other-conditions-any": "other-conditions",
    "has-allergies": "ketamine-reaction",
}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_gates_fail_closed(questionnaire: Questionnaire, rules: RuleSet, gate: str) -> None:
    def category(**answers: object) -> str:
        return triage_response(questionnaire, rules, clean_answers(**answers), TODAY).category

    key = gate.replace("-", "_")
    # "No" stands for "none of these": the list is not asked and nothing is missing.
    assert category(**{key: "no"}) == "likely-eligible"
    # Unanswered, the gate is a missing answer: never likely-eligible.
    assert category(**{key: None}) == "incomplete"
    # "Yes" or "not sure" opens the list, which must then be answered.
    for opened in ("yes", "not-sure"):
        assert category(**{key: opened}) == "incomplete"
    # The list is what the rules read; its gate is a triage input because it guards it.
    assert {gate, GATES[gate]} <= triage_inputs(questionnaire, rules)


def test_missing_optional_or_info_only_answers_do_not_make_it_incomplete(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    # pronouns is optional; GAD-7 items are required but only info rules read them.
    answers = clean_answers(pronouns=None, **{"gad7-1": None})
    assert triage_response(questionnaire, rules, answers, TODAY).category == "likely-eligible"


def test_a_risk_answer_changed_later_is_still_urgent(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    # DESIGN.md §4: a disclosure ever recorded makes the screening urgent, whatever came after.
    earlier = {"suicidal-behavior": "past-3-months"}
    result = triage_response(questionnaire, rules, clean_answers(), TODAY, disclosed=[earlier])
    assert result.category == "urgent-safety"
    changed = next(flag for flag in result.flags if flag.id == "risk-answer-changed")
    assert changed.evidence == (AnswerEvidence("suicidal-behavior", "past-3-months"),)


def test_a_disclosure_still_given_stays_urgent_without_a_changed_flag(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    answers = clean_answers(suicidal_behavior="past-3-months")
    disclosed = [{"suicidal-behavior": "past-3-months"}]
    result = triage_response(questionnaire, rules, answers, TODAY, disclosed=disclosed)
    assert result.category == "urgent-safety"
    assert "risk-answer-changed" not in [flag.id for flag in result.flags]


def test_flag_json_round_trips_and_reads_the_older_score_shape() -> None:
    flag = Flag(
        "phq9-severe",
        "info",
        "PHQ-9 of 20 or more.",
        (ScoreEvidence("phq9", 22), AnswerEvidence("phq9-9", "LA6568-5")),
    )
    data = flag.to_json()
    assert data["evidence"] == [
        {"score": "phq9", "total": 22},
        {"linkId": "phq9-9", "answer": "LA6568-5"},
    ]
    assert Flag.from_json(data) == flag
    stored_before = {**data, "evidence": [{"linkId": "score:phq9", "answer": 22}]}
    assert Flag.from_json(stored_before).evidence == (ScoreEvidence("phq9", 22),)
