"""The clinic dashboard: its counts (weeks on the clinic's clock, small counts as "< 5", the
funnel from plain progress, time to first contact), the columns submitting fills, the page's
access, audit and markup."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from screening.admin import charts, dashboard, panels
from screening.admin.charts import pygal  # without its import finder (see charts.py)
from screening.clock import utcnow
from screening.config import PACKAGE_DIR
from screening.database import new_session
from screening.intake import service as intake_service
from screening.models import Clinician, Submission
from screening.portal import service as portal_service
from screening.questionnaire.model import load_definition
from tests.factories import audit_events, load_submission, make_submission
from tests.portal_helpers import admin_client, clinician_client, create_clinician

LA = ZoneInfo("America/Los_Angeles")
# Wednesday 4 November 2026, noon in Gilroy: three days after clocks went back (1 November).
NOW = datetime(2026, 11, 4, 20, tzinfo=UTC)
ELIGIBLE = 4  # category rank of likely-eligible
URGENT = 0


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A write session inside the app's context."""
    with app.app_context():
        session = new_session(write=True)
        try:
            yield session
        finally:
            session.close()


def add(db: Session, count: int = 1, **columns: Any) -> list[Submission]:
    """Insert `count` screenings with these plain columns (submitted unless said)."""
    defaults: dict[str, Any] = {
        "state": "submitted",
        "definition_version": "test",
        "category_rank": ELIGIBLE,
        "status": "new",
    }
    if "submitted_at" in columns:
        defaults["created_at"] = columns["submitted_at"] - timedelta(minutes=20)
    rows = [
        Submission(public_id=intake_service.new_public_id(), **{**defaults, **columns})
        for _ in range(count)
    ]
    db.add_all(rows)
    db.commit()
    return rows


def test_only_counts_from_1_to_4_are_small() -> None:
    assert [dashboard.is_small(n) for n in range(7)] == [
        False,
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_small_counts_are_written_less_than_5(app: Flask) -> None:
    with app.test_request_context():
        assert [panels.count_text(n) for n in (0, 1, 4, 5, 1234)] == [
            "0",
            "< 5",
            "< 5",
            "5",
            "1,234",
        ]


def test_weeks_start_at_the_clinics_monday_midnight_across_a_dst_change() -> None:
    edges = dashboard.week_edges(NOW, LA, weeks=2)
    # Monday 26 October is still daylight time (UTC-7); Monday 2 November is standard (UTC-8).
    assert edges == [
        datetime(2026, 10, 26, 7, tzinfo=UTC),
        datetime(2026, 11, 2, 8, tzinfo=UTC),
        datetime(2026, 11, 9, 8, tzinfo=UTC),
    ]
    assert dashboard.local_days(edges, LA) == [date(2026, 10, 26), date(2026, 11, 2)]


def test_months_run_back_across_the_new_year() -> None:
    edges = dashboard.month_edges(datetime(2026, 2, 10, tzinfo=UTC), LA, months=3)
    assert [edge.astimezone(LA).date() for edge in edges] == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]


def test_a_sunday_night_screening_counts_in_the_clinics_week_not_the_utc_one(
    app: Flask, db: Session
) -> None:
    # Sunday 1 November, 11:30 pm in Gilroy is already Monday in UTC.
    add(db, 5, submitted_at=datetime(2026, 11, 2, 7, 30, tzinfo=UTC))
    add(db, 6, submitted_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # Monday 1 am
    add(db, 2, submitted_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC), category_rank=URGENT)
    add(db, 3, submitted_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC), state="draft")
    data = dashboard.weekly_by_category(db, NOW, LA)
    assert len(data.starts) == 26 and data.starts[-2:] == [date(2026, 10, 26), date(2026, 11, 2)]
    by_key = {series.key: series.counts for series in data.series}
    assert by_key["likely-eligible"][-2:] == [5, 6]
    assert by_key["urgent-safety"][-2:] == [0, 2]
    assert sum(sum(counts) for counts in by_key.values()) == 13  # drafts are not counted


def test_the_funnel_counts_how_far_screenings_came_since_a_moment(app: Flask, db: Session) -> None:
    since = NOW - timedelta(days=30)
    recent = NOW - timedelta(days=2)
    for furthest in (None, 0, 2, 2, 10):
        add(db, state="draft", created_at=recent, furthest_step=furthest)
    add(db, 3, submitted_at=recent)  # sent: every step finished
    add(db, submitted_at=recent, unfinished=True, furthest_step=4)  # in the queue, not sent
    add(db, state="draft", created_at=since - timedelta(hours=1), furthest_step=9)  # too old
    result = dashboard.funnel(db, since, steps=10)
    assert result.started == 9
    assert result.reached[:5] == [7, 7, 5, 5, 4]
    assert result.reached[9] == 4
    assert result.sent == 3


def test_first_contact_is_the_first_call_attempt_with_median_and_90th_percentile(
    app: Flask, db: Session
) -> None:
    clinician_id, _ = create_clinician(app)
    clinician = db.get(Clinician, clinician_id)
    sent = datetime(2026, 11, 2, 17, tzinfo=UTC)  # Monday 9 am in Gilroy

    def call(row: Submission, moment: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
        """Log a call through the portal's service, as if at `moment`."""
        monkeypatch.setattr(portal_service, "utcnow", lambda: moment)
        portal_service.log_call(db, row, "no-answer", "", None, actor=clinician, ip=None)

    with pytest.MonkeyPatch.context() as monkeypatch:
        for hours, row in enumerate(add(db, 10, submitted_at=sent), 1):
            for later in (0, 30):  # a second attempt later must not count
                call(row, sent + timedelta(hours=hours + later, minutes=20), monkeypatch)
        add(db, 2, submitted_at=sent)  # nobody has tried yet
        for row in add(db, 3, submitted_at=sent - timedelta(weeks=1)):
            call(row, sent, monkeypatch)
    weeks = dashboard.first_contact(db, NOW, LA)
    this_week, last_week = weeks[-1], weeks[-2]
    assert (this_week.contacted, this_week.waiting) == (10, 2)
    assert this_week.hours == {50: 5, 90: 9}
    assert (last_week.contacted, last_week.hours) == (3, {50: None, 90: None})


def test_percentiles_are_nearest_rank() -> None:
    histogram = Counter({1: 1, 2: 1, 3: 1, 40: 1})
    assert dashboard.percentile(histogram, 50) == 2
    assert dashboard.percentile(histogram, 90) == 40
    assert dashboard.percentile(Counter({7: 5}), 90) == 7


def test_outcomes_and_referrals_count_plain_columns(app: Flask, db: Session) -> None:
    add(db, 6, submitted_at=NOW - timedelta(days=1), status="contacted", referral_source="doctor")
    add(db, 2, submitted_at=NOW - timedelta(days=10), status="withdrawn")  # October
    months, referrals = dashboard.monthly(db, NOW, LA)
    outcomes = {s.key: s.counts for s in months.series}
    assert outcomes["contacted"][-1] == 6 and outcomes["withdrawn"][-2] == 2
    assert sum(outcomes["evaluation-booked"]) == 0
    assert referrals.counts == {"doctor": 6, None: 2}


def test_sending_records_the_referral_code_never_the_persons_own_words(app: Flask) -> None:
    chosen = make_submission(app, **{"referral-source": "therapist"})
    own_words = make_submission(app, **{"referral-source": "a podcast about my illness"})
    unanswered = make_submission(app, **{"referral-source": None})
    assert load_submission(app, chosen).referral_source == "therapist"
    assert load_submission(app, own_words).referral_source == "other"
    assert load_submission(app, unanswered).referral_source is None


def test_the_furthest_step_ignores_steps_that_depend_on_answers() -> None:
    q = load_definition(PACKAGE_DIR / "questionnaire" / "data" / "intake.yaml")
    steps = [step.link_id for step in intake_service.always_shown_steps(q)]
    assert "safety" not in steps and "consent" not in steps
    done = ("concerns", "treatment-history", "phq9", "gad7", "safety")
    assert intake_service.furthest_step(q, done, None) == 4
    assert intake_service.furthest_step(q, done[:2], 5) == 5  # going back keeps the furthest


def test_saving_a_step_records_how_far_the_draft_came(app: Flask, db: Session) -> None:
    from screening.questionnaire_registry import registry
    from tests.questionnaire.factories import clean_answers

    q = registry().current
    draft, _token = intake_service.start_draft(db, q, "en")
    first = q.sections[0]
    answers = {i.link_id: v for i, v in ((i, clean_answers().get(i.link_id)) for i in first.items)}
    intake_service.save_section(db, q, draft, first, {k: v for k, v in answers.items() if v})
    assert draft.furthest_step == 1


def test_refresh_dashboard_fills_the_columns_of_older_screenings(app: Flask) -> None:
    from dataclasses import replace

    from tests.factories import update_submission

    public_id = make_submission(app, **{"referral-source": "friend-family"})
    update_submission(app, public_id, referral_source=None)  # as sent before migration 0014
    with app.app_context():
        db = new_session(write=True)
        draft = add(db, state="draft")[0]
        draft.progress = replace(
            draft.progress, completed=("concerns", "treatment-history", "safety")
        )
        db.commit()
        draft_id = draft.public_id
        db.close()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["submissions", "refresh-dashboard"])
    assert "Refreshed the dashboard columns of 2 screenings." in result.output
    assert load_submission(app, public_id).referral_source == "friend-family"
    assert load_submission(app, draft_id).furthest_step == 2
    assert "of 0 screenings" in runner.invoke(args=["submissions", "refresh-dashboard"]).output
    assert [e.detail for e in audit_events(app, "submissions.dashboard-refreshed")] == [
        {"rows": 2},
        {"rows": 0},
    ]


def test_a_count_under_5_is_never_drawn() -> None:
    svg = charts.bar_chart(pygal.Bar, "c", ["a", "b"], [("x", [3, 17])], "T", "D")
    values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert "17" in values and "3" not in values
    assert svg.count('class="rect reactive') == 1  # 17's bar is drawn, 3's is not


def test_the_chart_css_is_pygals_for_our_style() -> None:
    static = Path(PACKAGE_DIR).parent / "static" / "css" / "charts.css"
    assert static.read_text() == charts.chart_css(), "regenerate: see screening/admin/charts.py"


def test_the_dashboard_is_for_admins_audited_and_needs_no_inline_style_or_script(
    app: Flask,
) -> None:
    # Requests made inside an app context would share its `g` (the signed-in user): none here.
    with app.app_context():
        db = new_session(write=True)
        add(db, 2, submitted_at=utcnow() - timedelta(hours=1), category_rank=URGENT)
        add(db, 7, submitted_at=utcnow() - timedelta(hours=1), referral_source="search")
        db.close()
    assert clinician_client(app).get("/portal/admin/dashboard").status_code == 403
    client = admin_client(app)
    queue = client.get("/portal/").get_data(as_text=True)
    assert 'href="/portal/admin/dashboard"' in queue
    response = client.get("/portal/admin/dashboard")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "&lt; 5" in page and ">7<" in page
    assert page.count('role="img"') == 5
    for chart_id in ("weekly", "funnel", "response", "outcomes", "referrals"):
        assert f'aria-labelledby="chart-{chart_id}-title chart-{chart_id}-desc"' in page
    assert not re.search(r"<script(?! src)|<style|\sstyle=", page)
    assert "kozea" not in page.lower()
    events = audit_events(app, "dashboard.viewed")
    assert len(events) == 1 and events[0].actor_id is not None
