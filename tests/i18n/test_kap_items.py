"""The KAP pre-evaluation items of definition 2026.11.3 reach every place a screening is shown.

One screening answered in Spanish through the wizard, with every new item (and the follow-ups
that only some people see) answered: its review page shows them in Spanish, the clinician's
page in English with the BMI, and the CSV and FHIR exports carry them. The BMI is for the
clinician only: the person never sees it.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from screening.questionnaire_registry import registry
from tests.i18n.conftest import read_page, squash, walk_answers
from tests.i18n.test_pages import walk_in_spanish
from tests.portal.test_exports import read_csv
from tests.portal_helpers import admin_client, clinician_client

NEW_ITEMS = (
    "lethal-means",
    "prescriber",
    "prescriber-contact-ok",
    "eating-disorder-current",
    "unusual-experiences-when",
    "unusual-experiences-real",
    "dissociation-experience",
    "heart-attack-or-stroke-when",
    "seizures",
    "weight",
    "height-feet",
    "height-inches",
    "support-person",
    "telehealth-location",
)
# Open the follow-ups a calm answer set hides, without raising an exclusion.
FOLLOW_UPS = {
    "diagnoses": ["eating-disorder"],
    "eating-disorder-current": False,
    "psychotic-symptoms": True,
    "unusual-experiences-when": "only-substance",
    "unusual-experiences-real": "knew-not-real",
    "medical-conditions": ["heart-attack"],
    "seizures": "no",
    "high-blood-pressure": "no",
    "heart-attack-or-stroke-when": "over-a-year",
    "lethal-means": ["medicines"],
    "visit-preference": "either",
    "telehealth-location": "california",
}


def texts(app: Flask, lang: str) -> dict[str, str]:
    """Each new item's question, as a page shows it (whitespace collapsed)."""
    with app.app_context():
        q = registry().current
    return {link_id: squash(q.item(link_id).text.get(lang)) for link_id in NEW_ITEMS}


def test_new_items_reach_review_portal_csv_and_fhir(
    app: Flask, spanish_client: FlaskClient
) -> None:
    seen = walk_in_spanish(app, spanish_client, walk_answers(**FOLLOW_UPS))
    review = read_page(seen["review"]).text
    missing = [link_id for link_id, text in texts(app, "es").items() if text not in review]
    assert missing == []
    for page in ("review", "done"):
        shown = read_page(seen[page]).text
        assert "IMC" not in shown and "BMI" not in shown, page

    rows = read_csv(admin_client(app).get("/portal/export.csv").get_data(as_text=True))
    assert len(rows) == 1 and set(NEW_ITEMS) <= set(rows[0])
    row = rows[0]
    assert (row["weight"], row["height-feet"], row["height-inches"]) == ("150", "5", "7")
    assert row["bmi"] == "23"  # the portal's figure, below
    assert row["unusual-experiences-when"].startswith("Only while under the effect")

    public_id = row["public_id"]
    portal = read_page(clinician_client(app).get(f"/portal/s/{public_id}").data).text
    missing = [link_id for link_id, text in texts(app, "en").items() if text not in portal]
    assert missing == []
    assert "BMI (from the weight and height given) 23" in portal

    resource = clinician_client(app).get(f"/portal/s/{public_id}/fhir").get_json()

    def link_ids(items: list[dict]) -> set[str]:
        found = set()
        for item in items:
            if "answer" in item:
                found.add(item["linkId"])
            found |= link_ids(item.get("item", []))
        return found

    assert set(NEW_ITEMS) <= link_ids(resource["item"])
