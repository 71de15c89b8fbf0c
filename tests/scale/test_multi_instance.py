"""Several stateless app instances behind one load balancer: two gunicorn processes on
different loopback ports sharing one PostgreSQL and one Redis.

Requests alternate between the instances (a balancer without sticky sessions), so anything
kept in one process's memory between requests would show up as a lost draft, a lost sign-in
or a rate limit counted twice over. PostgreSQL suite only (`make test-postgres`).
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
import redis
from sqlalchemy import select

from screening.database import new_session
from screening.models import Submission, SubmissionState
from tests.conftest import CREATED_APPS, TEST_AUDIT_KEY, TEST_KEY, make_app
from tests.intake.wizard_driver import STEP_PREFIX, section_formdata
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, unused_code
from tests.questionnaire.factories import clean_answers
from tests.scale.conftest import BLIND_INDEX_KEY, SECRET_KEY, on_postgres
from tests.scale.live import (
    REDIS_URL,
    GunicornServer,
    HttpPerson,
    gunicorn_available,
    path_of,
    redis_available,
    require_service,
    server_environment,
    write_instance_config,
)

pytestmark = [pytest.mark.scale, pytest.mark.postgres]

# A Redis database of its own, emptied before each test, so counts start at zero.
RATE_LIMIT_REDIS = f"{REDIS_URL}/13"
START_LIMIT = 5


# Both instances' settings: rate limits on, counted in that Redis database.
PAIR_SETTINGS = {"RATELIMIT_ENABLED": True, "RATELIMIT_SCREENING_START": f"{START_LIMIT} per hour"}
PAIR_ENV = {"RATELIMIT_STORAGE_URI": RATE_LIMIT_REDIS, "MIN_FILL_SECONDS": "0"}


def require_pair_services(database_url: str) -> None:
    """Skip on SQLite (several instances need a database server); need Redis."""
    if not on_postgres(database_url):
        pytest.skip("several instances need a shared database server: runs in make test-postgres")
    require_service(redis_available(), "Redis")


@pytest.fixture(scope="module")
def shared_pair(tmp_path_factory, module_database_url):  # type: ignore[no-untyped-def]
    """Two instances for the module's tests that leave them running: each gunicorn costs
    seconds of CPU to start, and nothing of a test stays in them (the point of the module;
    each test gets an emptied database and an emptied Redis database)."""
    require_pair_services(module_database_url)
    require_service(gunicorn_available(), "gunicorn")
    folder = tmp_path_factory.mktemp("instances")
    # Migrate first: the instances serve a database at head, as in a deployment.
    app = make_app(
        folder, module_database_url, SECRET_KEY=SECRET_KEY, BLIND_INDEX_KEY=BLIND_INDEX_KEY
    )
    CREATED_APPS.remove(app)
    app.extensions["db_engine"].dispose()
    write_instance_config(folder / "server-instance", PAIR_SETTINGS)
    env = server_environment(
        database_url=module_database_url,
        instance=folder / "server-instance",
        secret_key=SECRET_KEY,
        encryption_keys=TEST_KEY,
        blind_key=BLIND_INDEX_KEY,
        audit_keys=TEST_AUDIT_KEY,
        **PAIR_ENV,
    )
    with ExitStack() as stack:
        servers = [GunicornServer(env, folder / f"gunicorn-{n}.log") for n in (1, 2)]
        for server in servers:
            stack.callback(server.stop)
            server.launch()
        yield [server.wait_until_healthy() for server in servers]


@pytest.fixture
def instances(database_url, live_app, shared_pair):  # type: ignore[no-untyped-def]
    """Two instances sharing this run's PostgreSQL and one Redis, rate limits on; the
    database (live_app) and the Redis database emptied for this test."""
    redis.Redis.from_url(RATE_LIMIT_REDIS).flushdb()
    return shared_pair


@pytest.fixture
def own_instances(database_url, start_servers):  # type: ignore[no-untyped-def]
    """Two instances of this test's own, set up as the shared ones, for a test that stops them."""
    require_pair_services(database_url)
    redis.Redis.from_url(RATE_LIMIT_REDIS).flushdb()
    return start_servers(2, settings=PAIR_SETTINGS, **PAIR_ENV)


def stored_submissions(app):  # type: ignore[no-untyped-def]
    """Every submitted screening, decrypted through the app."""
    with app.app_context():
        db = new_session()
        try:
            rows = db.scalars(
                select(Submission).where(Submission.state == SubmissionState.SUBMITTED)
            ).all()
            return [(row.public_id, dict(row.answers)) for row in rows]
        finally:
            db.close()


def sign_in_over_http(person: HttpPerson, app, email: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Password on one instance, TOTP code on the next: the pending sign-in must carry over."""
    assert person.get("/portal/auth/login").status_code == 200
    response = person.post("/portal/auth/login", {"email": email, "password": DEFAULT_PASSWORD})
    assert path_of(response) == "/portal/auth/two-factor", response.text[:500]
    assert person.get("/portal/auth/two-factor").status_code == 200
    response = person.post("/portal/auth/two-factor", {"code": unused_code(app, email, secret)})
    assert response.status_code == 302, response.text[:500]
    assert path_of(response).startswith("/portal"), path_of(response)


def test_a_draft_started_on_one_instance_continues_and_submits_on_the_other(live_app, instances):
    first, second = instances
    person = HttpPerson(live_app, first.url, second.url)
    try:
        answers = clean_answers(full_name="Robin Twoservers")
        response = person.complete(answers)
        assert path_of(response) == "/screening/done"
        assert person.get("/screening/done").status_code == 200
        # Every step went to a different instance than the one before it.
        assert len(set(person.base_urls)) == 2 and len(person.statuses) > 10
    finally:
        person.close()
    stored = stored_submissions(live_app)
    assert [answers["full-name"] for _, answers in stored] == ["Robin Twoservers"]


def test_a_draft_survives_every_instance_being_replaced(live_app, own_instances, start_servers):
    first, second = own_instances
    person = HttpPerson(live_app, first.url, second.url)
    answers = clean_answers(full_name="Sam Restarted")
    try:
        path = person.start()
        first_step = section_formdata(live_app, path.removeprefix(STEP_PREFIX), answers)
        assert path_of(person.post(path, first_step)) == "/screening/step/treatment-history"
        first.stop()
        second.stop()
        (replacement,) = start_servers(1, MIN_FILL_SECONDS="0")
        person.base_urls = [replacement.url]
        page = person.get("/screening/step/concerns")
        assert answers["goals"] in page.text  # the saved step, read back from the database
        response = person.post("/screening/start")
        path = person.answer_steps(answers, path_of(response))
        assert path == "/screening/review"
        assert path_of(person.submit("Sam Restarted")) == "/screening/done"
    finally:
        person.close()
    assert [a["full-name"] for _, a in stored_submissions(live_app)] == ["Sam Restarted"]


def test_a_clinician_session_works_on_both_instances_and_logout_ends_it_on_both(
    live_app, instances
):
    first, second = instances
    person = HttpPerson(live_app, first.url, second.url)
    try:
        response = person.complete(clean_answers(full_name="Kim Reviewed"))
        assert path_of(response) == "/screening/done"
    finally:
        person.close()
    ((public_id, _),) = stored_submissions(live_app)

    _, secret = create_clinician(live_app, email="scale.clinician@example.org")
    staff = HttpPerson(live_app, first.url, second.url)
    try:
        sign_in_over_http(staff, live_app, "scale.clinician@example.org", secret)
        for base in (first.url, second.url):
            staff.base_urls = [base]
            queue = staff.get("/portal/")
            assert queue.status_code == 200, (base, queue.text[:300])
            page = staff.get(f"/portal/s/{public_id}")
            assert page.status_code == 200 and "Kim Reviewed" in page.text
        staff.base_urls = [first.url]
        assert path_of(staff.post("/portal/auth/logout")) == "/portal/auth/login"
        # The other instance must refuse the same cookie too: sign-out is server-side state.
        staff.base_urls = [second.url]
        after = staff.get("/portal/")
        assert after.status_code == 302 and "/portal/auth/login" in after.headers["location"]
    finally:
        staff.close()


def test_rate_limits_are_counted_once_across_both_instances(live_app, instances):
    first, second = instances
    codes = []
    for attempt in range(START_LIMIT + 2):
        person = HttpPerson(live_app, (first, second)[attempt % 2].url)
        try:
            # A fresh visitor each time: the intro page, then the start button.
            assert person.get("/screening/").status_code == 200
            codes.append(person.post("/screening/start").status_code)
        finally:
            person.close()
    assert codes == [302] * START_LIMIT + [429, 429]
