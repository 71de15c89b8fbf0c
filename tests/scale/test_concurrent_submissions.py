"""200 people sending complete screenings at the same moment through a real gunicorn
(2 workers × 8 threads, gthread) on this run's database, SQLite or PostgreSQL.

Every success must be exactly one stored submission that decrypts to that person's answers;
nobody may see a 500, a 503 or "database is locked". The whole run is bounded: 50 client
threads, a per-request timeout and an overall deadline.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout

import pytest
from sqlalchemy import func, select

from screening.database import new_session
from screening.models import Submission, SubmissionState
from tests.intake.wizard_driver import consent_formdata, section_formdata
from tests.questionnaire.factories import clean_answers
from tests.scale.live import HttpPerson, path_of

pytestmark = pytest.mark.scale

PEOPLE = 200
CLIENT_THREADS = 50
DEADLINE_SECONDS = 150
TABS = 6
SAVE_ROUNDS = 25


def person_name(number: int) -> str:
    """A distinct name per person, so each stored row can be matched to who sent it."""
    return f"Person {number:04d} Load"


def send_one(app, base_url: str, number: int) -> tuple[str, list[int], str]:  # type: ignore[no-untyped-def]
    """One person from the intro to the confirmation; return (outcome, statuses, detail)."""
    person = HttpPerson(app, base_url)
    try:
        answers = clean_answers(full_name=person_name(number))
        response = person.complete(answers)
        if response.status_code == 302 and path_of(response) == "/screening/done":
            done = person.get("/screening/done")
            return ("sent" if done.status_code == 200 else "no-confirmation"), person.statuses, ""
        return "refused", person.statuses, response.text[:300]
    except Exception as error:  # any failure is reported per person, never hidden
        return "failed", person.statuses, f"{type(error).__name__}: {error}"[:500]
    finally:
        person.close()


def test_200_simultaneous_screenings_are_each_stored_exactly_once(
    live_app, start_servers, database_url, capsys
):
    (server,) = start_servers(1, settings={"RATELIMIT_ENABLED": False}, MIN_FILL_SECONDS="0")
    started = time.monotonic()
    outcomes: dict[int, tuple[str, list[int], str]] = {}
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        futures = {
            pool.submit(send_one, live_app, server.url, number): number for number in range(PEOPLE)
        }
        try:
            for future in as_completed(futures, timeout=DEADLINE_SECONDS):
                outcomes[futures[future]] = future.result()
        except FuturesTimeout:
            for future in futures:
                future.cancel()
            pytest.fail(f"only {len(outcomes)} of {PEOPLE} people finished in time")
    wall = time.monotonic() - started

    sent = {number for number, (outcome, _, _) in outcomes.items() if outcome == "sent"}
    problems = {n: (o, d) for n, (o, _, d) in outcomes.items() if o != "sent"}
    statuses = [status for _, seen, _ in outcomes.values() for status in seen]
    log = server.log_text()
    backend = database_url.split(":")[0].split("+")[0]
    with capsys.disabled():
        print(
            f"\n[scale] {PEOPLE} simultaneous screenings on {backend}: "
            f"{len(sent)} sent, {len(statuses)} requests in {wall:.1f} s"
        )

    assert not problems, (
        f"{len(problems)} people could not finish, e.g. {list(problems.items())[:3]}"
    )
    assert 500 not in statuses and 503 not in statuses
    assert "database is locked" not in log, log[-3000:]
    assert "unhandled error" not in log, log[-3000:]

    with live_app.app_context():
        db = new_session()
        try:
            submitted = db.scalars(
                select(Submission).where(Submission.state == SubmissionState.SUBMITTED)
            ).all()
            drafts = db.scalar(
                select(func.count())
                .select_from(Submission)
                .where(Submission.state == SubmissionState.DRAFT)
            )
            # Decrypting through the app's cipher proves each row is whole and readable.
            names = [row.answers["full-name"] for row in submitted]
            contacts = [row.contact["name"] for row in submitted if row.contact]
        finally:
            db.close()
    assert len(submitted) == len(sent) == PEOPLE
    assert sorted(names) == sorted(person_name(n) for n in sent)
    assert sorted(contacts) == sorted(names)
    assert drafts == 0


def test_send_pressed_in_several_tabs_at_once_stores_one_submission(live_app, start_servers):
    (server,) = start_servers(1, settings={"RATELIMIT_ENABLED": False}, MIN_FILL_SECONDS="0")
    person = HttpPerson(live_app, server.url)
    try:
        answers = clean_answers(full_name="Riley Manytabs")
        assert person.answer_steps(answers, person.start()) == "/screening/review"
        assert person.get("/screening/review").status_code == 200
        consent = consent_formdata(live_app, "Riley Manytabs")
        cookies = dict(person.client.cookies.items())
        token = person.csrf_token

        def press_send(_: int) -> tuple[int, str]:
            # Each tab is its own connection carrying the same session cookie.
            tab = HttpPerson(live_app, server.url)
            tab.client.cookies.update(cookies)
            tab.csrf_token = token
            try:
                response = tab.post("/screening/review", consent)
                return response.status_code, response.headers.get("location", "")
            finally:
                tab.close()

        with ThreadPoolExecutor(TABS) as pool:
            outcomes = list(pool.map(press_send, range(TABS), timeout=60))
    finally:
        person.close()

    # One tab sends; the others find the draft already sent and are redirected, never a 500.
    assert all(status == 302 for status, _ in outcomes), outcomes
    assert sum(location.endswith("/screening/done") for _, location in outcomes) >= 1
    with live_app.app_context():
        db = new_session()
        try:
            rows = db.scalars(select(Submission)).all()
            assert [(row.state, row.answers["full-name"]) for row in rows] == [
                (SubmissionState.SUBMITTED, "Riley Manytabs")
            ]
        finally:
            db.close()


def test_two_tabs_saving_different_steps_at_once_keep_both(live_app, start_servers):
    (server,) = start_servers(1, settings={"RATELIMIT_ENABLED": False}, MIN_FILL_SECONDS="0")
    person = HttpPerson(live_app, server.url)
    try:
        base = clean_answers()
        assert person.answer_steps(base, person.start()) == "/screening/review"
        cookies = dict(person.client.cookies.items())
        token = person.csrf_token
        tabs = [HttpPerson(live_app, server.url) for _ in range(2)]
        for tab in tabs:
            tab.client.cookies.update(cookies)
            tab.csrf_token = token
        lost = []
        with ThreadPoolExecutor(2) as pool:
            for round_number in range(SAVE_ROUNDS):
                answers = clean_answers(
                    full_name=f"Tab Name {round_number}", goals=f"Tab goals {round_number}"
                )
                barrier = threading.Barrier(2, timeout=30)

                def save(tab_and_step: tuple[HttpPerson, str], answers=answers, barrier=barrier):
                    tab, step = tab_and_step
                    data = section_formdata(live_app, step, answers)
                    barrier.wait()
                    return tab.post(f"/screening/step/{step}", data).status_code

                statuses = list(
                    pool.map(save, zip(tabs, ["about-you", "concerns"], strict=True), timeout=60)
                )
                assert statuses == [302, 302]
                saved = draft_answers(live_app)
                if (saved["full-name"], saved["goals"]) != (
                    answers["full-name"],
                    answers["goals"],
                ):
                    lost.append((round_number, saved["full-name"], saved["goals"]))
        for tab in tabs:
            tab.close()
    finally:
        person.close()
    assert not lost, f"a saved step was overwritten by the other tab: {lost[:3]}"


def draft_answers(app) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The answers of the one draft in the database."""
    with app.app_context():
        db = new_session()
        try:
            (draft,) = db.scalars(
                select(Submission).where(Submission.state == SubmissionState.DRAFT)
            ).all()
            return dict(draft.answers)
        finally:
            db.close()
