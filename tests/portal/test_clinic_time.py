"""Staff read times on the clinic's clock (CLINIC_TIMEZONE), across a change of daylight time.

Now is frozen at 2026-11-02 00:30 UTC: 4:30 PM on Sunday 1 November in Gilroy, the day
daylight time ended there (1:59 PDT was followed by 1:00 PST). UTC already says 2 November.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask_babel import force_locale

from screening import clock, create_app
from screening.config import ConfigError
from screening.portal.times import full_time, short_time
from tests.factories import make_submission
from tests.portal_helpers import clinician_client

NOW = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM/PM


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Stop the clinic's clock at NOW."""
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    return NOW


def said(app: Flask, moment: datetime, lang: str = "en") -> tuple[str, str]:
    """Return the short and full forms of `moment` at NOW, in `lang`."""
    with app.test_request_context(), force_locale(lang):
        now = NOW.astimezone(clock.clinic_zone())
        return short_time(moment, now), full_time(moment, now)


def test_times_are_worded_on_the_clinic_clock_across_the_end_of_daylight_time(app: Flask) -> None:
    # The two 1:30 AMs of 1 November: daylight time, then standard time an hour later.
    first, second = (
        datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    )
    assert said(app, first) == (
        f"Today 1:30{NNBSP}AM",
        f"Sunday, November 1, 2026, 1:30:00{NNBSP}AM Pacific Daylight Time",
    )
    assert said(app, second) == (
        f"Today 1:30{NNBSP}AM",
        f"Sunday, November 1, 2026, 1:30:00{NNBSP}AM Pacific Standard Time",
    )
    # 23:10 UTC on 31 October was 4:10 PM there (UTC-7); 06:30 UTC on 1 November was still
    # 31 October there.
    assert said(app, datetime(2026, 10, 31, 23, 10, tzinfo=UTC))[0] == f"Yesterday 4:10{NNBSP}PM"
    assert said(app, datetime(2026, 11, 1, 6, 30, tzinfo=UTC))[0] == f"Yesterday 11:30{NNBSP}PM"
    assert said(app, datetime(2026, 10, 26, 16, 12, tzinfo=UTC))[0] == f"Mon 9:12{NNBSP}AM"
    assert said(app, datetime(2026, 10, 20, 16, 12, tzinfo=UTC))[0] == "Oct 20, 2026"
    # SQLite hands timestamps back without a zone: they are UTC.
    assert said(app, datetime(2026, 11, 1, 23, 58))[0] == f"Today 3:58{NNBSP}PM"
    # Spanish: its own words and a 24-hour clock.
    assert said(app, datetime(2026, 11, 1, 23, 58, tzinfo=UTC), "es") == (
        "Hoy 15:58",
        "domingo, 1 de noviembre de 2026, 15:58:00 (hora estándar del Pacífico)",
    )
    assert said(app, datetime(2026, 10, 31, 23, 10, tzinfo=UTC), "es")[0] == "Ayer 16:10"
    assert said(app, datetime(2026, 10, 26, 16, 12, tzinfo=UTC), "es")[0] == "lun 9:12"


def test_queue_and_page_show_clinic_times_and_judge_overdue_by_the_clinic_date(
    app: Flask, frozen: datetime
) -> None:
    # Due 1 November: today at the clinic, though UTC is already on the 2nd.
    due_today = make_submission(app, submitted_at=datetime(2026, 11, 1, 23, 58, tzinfo=UTC))
    late = make_submission(app, submitted_at=datetime(2026, 10, 26, 16, 12, tzinfo=UTC))
    client = clinician_client(app)
    for public_id, on in ((due_today, "2026-11-01"), (late, "2026-10-31")):
        client.post(f"/portal/s/{public_id}/follow-up", data={"follow-up-follow_up_on": on})
    queue = html_lib.unescape(client.get("/portal/").get_data(as_text=True))
    assert (
        f'<time datetime="2026-11-01T15:58:00-08:00" title="Sunday, November 1, 2026, '
        f'3:58:00{NNBSP}PM Pacific Standard Time">today 3:58{NNBSP}PM</time>'
    ) in queue
    assert (
        f'title="Monday, October 26, 2026, 9:12:00{NNBSP}AM Pacific Daylight Time">Mon 9:12'
        in queue
    )

    def row(public_id: str) -> str:
        return re.search(rf"/portal/s/{public_id}\".*?</tr>", queue, re.S).group(0)

    assert "Overdue" not in row(due_today)
    assert "Overdue" in row(late)
    page = html_lib.unescape(client.get(f"/portal/s/{due_today}").get_data(as_text=True))
    assert f"Screening submitted today 3:58{NNBSP}PM" in page
    assert "Overdue" not in page
    assert "Overdue" in client.get(f"/portal/s/{late}").get_data(as_text=True)
    printed = html_lib.unescape(client.get(f"/portal/s/{due_today}/print").get_data(as_text=True))
    assert (
        f"Sunday, November 1, 2026, 3:58:00{NNBSP}PM Pacific Standard Time</time></h1>" in printed
    )
    assert f"Sunday, November 1, 2026, 4:30:00{NNBSP}PM Pacific Standard Time" in printed  # printed
    with app.test_request_context():
        assert clock.clinic_today() == date(2026, 11, 1)


def test_an_unknown_clinic_timezone_or_no_call_attempts_stops_the_app_at_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("THRESHOLD_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="CLINIC_TIMEZONE must be an IANA time zone name"):
        create_app({"CLINIC_TIMEZONE": "America/Gilroy", "TESTING": True})
    with pytest.raises(ConfigError, match="CALL_ATTEMPTS_BEFORE_WITHDRAW must be at least 1"):
        create_app({"CALL_ATTEMPTS_BEFORE_WITHDRAW": 0, "TESTING": True})
    app = create_app({"CLINIC_TIMEZONE": "Europe/Madrid", "TESTING": True})
    app.extensions["db_engine"].dispose()
    with app.app_context():
        assert str(clock.clinic_zone()) == "Europe/Madrid"
