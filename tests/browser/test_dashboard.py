"""The clinic dashboard in Chromium at phone and laptop width: axe and the page checks pass with
the tables open, every chart is an image with a name, nothing breaks the CSP, and no request
leaves the clinic's own server.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from screening.clock import utcnow
from screening.database import new_session
from screening.intake.service import new_public_id
from screening.models import CallAttempt, Clinician, Submission
from tests.browser.checks import PageAudit, record_foreign_requests
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser

STATUSES = ("new", "in-review", "contacted", "evaluation-booked", "not-a-fit", "withdrawn")
SOURCES = ("search", "friend-family", "therapist", "doctor", "social-media", "other", None)


@pytest.fixture(scope="module")
def clinic_history(live_app, staff) -> None:  # type: ignore[no-untyped-def]
    """Half a year of made-up screenings, drafts and call attempts (plain columns only)."""
    rng = random.Random(15)
    now = utcnow()
    with live_app.app.app_context():
        db = new_session(write=True)
        clinician_id = db.scalars(select(Clinician.id)).first()
        for _ in range(400):
            sent = now - timedelta(hours=rng.uniform(1, 24 * 180))
            row = Submission(
                public_id=new_public_id(),
                state="submitted",
                definition_version="test",
                created_at=sent - timedelta(minutes=20),
                submitted_at=sent,
                category_rank=rng.choices(range(5), weights=(1, 1, 2, 6, 10))[0],
                status=rng.choice(STATUSES),
                referral_source=rng.choice(SOURCES),
                furthest_step=10,
            )
            db.add(row)
            db.flush()
            if rng.random() < 0.85:
                db.add(
                    CallAttempt(
                        submission_id=row.id,
                        clinician_id=clinician_id,
                        outcome="no-answer",
                        created_at=sent + timedelta(hours=rng.expovariate(1 / 40)),
                    )
                )
        for _ in range(120):
            db.add(
                Submission(
                    public_id=new_public_id(),
                    definition_version="test",
                    created_at=now - timedelta(hours=rng.uniform(1, 24 * 29)),
                    furthest_step=rng.randint(0, 10),
                )
            )
        db.commit()
        db.close()


def test_the_dashboard_passes_the_page_checks_at_phone_and_laptop_width(
    live_app, clinic_history, phone, admin_state
):  # type: ignore[no-untyped-def]
    tab = phone(storage_state=admin_state)
    refused: list[str] = []
    # Chromium logs "Refused to apply inline style…" for anything the CSP blocks.
    tab.on("console", lambda message: refused.append(message.text))
    foreign = record_foreign_requests(tab, live_app.url)
    tab.goto(f"{live_app.url}/portal/admin/dashboard")
    charts = tab.locator("svg[role=img]")
    assert charts.count() == 5
    for n in range(5):
        labelled = charts.nth(n).get_attribute("aria-labelledby") or ""
        assert all(tab.locator(f"[id='{part}']").count() == 1 for part in labelled.split())
        assert charts.nth(n).bounding_box()["width"] <= PHONE["width"]  # type: ignore[index]
    audit = PageAudit()
    audit.check(tab, "dashboard, phone", page_type="dashboard")
    for summary in tab.locator("details summary").all():
        summary.click()
    assert tab.locator("details[open] table").count() == 5
    assert "< 5" in tab.locator("details table").first.inner_text()
    audit.check(tab, "dashboard with tables, phone", page_type="dashboard tables")
    screenshot(tab, "dashboard")
    tab.set_viewport_size(DESKTOP)
    audit.check(
        tab,
        "dashboard with tables, laptop",
        page_type="dashboard tables at laptop width",
        widths=(DESKTOP["width"],),
    )
    screenshot(tab, "dashboard")
    audit.assert_clean()
    assert [text for text in refused if "Refused" in text] == [] and foreign == []
