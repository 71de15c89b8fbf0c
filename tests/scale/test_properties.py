"""Property tests of the public wizard and the staff pages: whatever arrives, nobody gets a
500, and the wizard's rules (step order, one submission per draft) hold over any sequence of
moves.

Runs on this run's database. Examples are derandomized (CI sees the same cases every run) and
capped so the file stays well under a minute.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select

from screening.auth import sessions
from screening.database import new_session
from screening.intake import service
from screening.intake.forms import OTHER_SUFFIX
from screening.models import DraftProgress, Submission, SubmissionState
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire.model import Item
from screening.questionnaire_registry import registry
from tests.auth.support import update_clinician
from tests.conftest import make_app
from tests.factories import make_submission
from tests.intake.wizard_driver import consent_formdata, section_formdata
from tests.portal_helpers import admin_client
from tests.questionnaire.factories import clean_answers

pytestmark = pytest.mark.scale

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REVEAL_NOTICE = b"there are a few more questions on this page"
ERROR_SUMMARY = b'class="error-summary"'


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory, module_database_url: str) -> Iterator[Flask]:
    """One migrated app for the module (Hypothesis calls each test many times)."""
    app = make_app(tmp_path_factory.mktemp("properties"), module_database_url)
    yield app
    app.extensions["db_engine"].dispose()


def step_ids(app: Flask) -> list[str]:
    """The steps someone with the factory's answers goes through, in order."""
    with app.app_context():
        return [s.link_id for s in service.wizard_steps(registry().current, clean_answers())]


def client_with_draft(app: Flask, completed: list[str]) -> FlaskClient:
    """A browser whose draft holds the factory's answers with `completed` steps done."""
    with app.app_context():
        db = new_session(write=True)
        try:
            q = registry().current
            draft, token = service.start_draft(db, q, "en")
            draft.answers = clean_answers()
            draft.progress = DraftProgress(completed=tuple(completed))
            db.commit()
        finally:
            db.close()
    client = app.test_client()
    with client.session_transaction() as session:
        session["draft_token"] = token
    return client


def section_items(app: Flask, section_id: str) -> list[Item]:
    """The answerable items of a section."""
    with app.app_context():
        section = registry().current.section(section_id)
    return [item for item in section.items if item.type != "display"]


def field_names(app: Flask, section_id: str) -> list[str]:
    """Every form field name a step accepts (plus the free-text "other" boxes)."""
    names = []
    for item in section_items(app, section_id):
        names.append(item.link_id)
        if item.type == "open-choice":
            names.append(item.link_id + OTHER_SUFFIX)
    return names


def encode_form(pairs: list[tuple[bytes, bytes]]) -> bytes:
    """URL-encode raw bytes, so lone surrogates and invalid UTF-8 reach the server as sent."""
    return b"&".join(
        quote_from_bytes(name).encode() + b"=" + quote_from_bytes(value).encode()
        for name, value in pairs
    )


def as_bytes(value: str | bytes) -> bytes:
    """Text as UTF-8, keeping lone surrogates (a browser would not, an attacker might)."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def post_raw(client: FlaskClient, path: str, body: bytes) -> Any:
    """POST an already encoded form body."""
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def max_body(app: Flask) -> int:
    """The request size limit (MAX_CONTENT_LENGTH)."""
    return int(app.config["MAX_CONTENT_LENGTH"])


# Anything a field might receive: ordinary and hostile text, lone surrogates, NUL, numbers
# that are not numbers, 100 KB strings, and raw bytes that are not UTF-8 at all.
ANY_VALUE = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=4),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "NaN",
            "inf",
            "-1",
            "1e309",
            "9" * 5000,
            "yes",
            "no",
            "true",
            "none",
            "2026-02-30",
            "0000-00-00",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u202etxt.exe",
        ]
    ),
    st.builds(lambda n, ch: ch * n, st.sampled_from([100_000, 140_000]), st.sampled_from("aé😀")),
    st.binary(max_size=16),
)


@FUZZ_SETTINGS
@given(data=st.data())
def test_any_input_on_any_step_gets_a_page_or_a_redirect_never_a_server_error(
    fuzz_app: Flask, data: st.DataObject
) -> None:
    steps = step_ids(fuzz_app)
    section_id = data.draw(st.sampled_from(steps), label="step")
    names = [*field_names(fuzz_app, section_id), "csrf_token", "website", "unknown-field"]
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(names), ANY_VALUE), max_size=10), label="fields"
    )
    action = data.draw(
        st.sampled_from(["next", "next", "back", "save", "autosave", "delete", "\x00"])
    )
    body = encode_form([(as_bytes(k), as_bytes(v)) for k, v in [*pairs, ("action", action)]])
    client = client_with_draft(fuzz_app, steps)

    response = post_raw(client, f"/screening/step/{section_id}", body)

    if len(body) > max_body(fuzz_app):
        assert response.status_code == 413
        assert b"more than we can accept" in response.data
        return
    if action == "autosave":
        # wizard.js keeping the step as it changes: kept, or refused where the step is closed.
        assert response.status_code in (204, 409), (response.status_code, response.data[:500])
        return
    assert response.status_code in (200, 302), (response.status_code, response.data[:500])
    if response.status_code == 200:
        # A page instead of a redirect always says why: errors to fix, or new questions.
        assert ERROR_SUMMARY in response.data or REVEAL_NOTICE in response.data


def bad_values(item: Item) -> st.SearchStrategy[list[str]]:
    """Values that are clearly wrong for this item, as the list of values posted for it."""
    printable = st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x2FFF), min_size=1, max_size=20
    )
    if item.type in {"choice", "open-choice", "boolean"}:
        codes = {o.code for o in item.options} if item.options else set()
        codes |= {"yes", "no"} if item.type == "boolean" else set()
        unknown = printable.filter(lambda v: v not in codes and v.strip() == v)
        if item.repeats:
            return st.tuples(st.sampled_from(sorted(codes)), unknown).map(list)
        return unknown.map(lambda v: [v])
    if item.type == "integer":
        # Digits of other scripts read as numbers ("٣" is 3, a fine height in feet): only
        # out of range are they wrong.
        return st.sampled_from(["abc", "12.5", "99999", "-5", "1e3", "٣٣٣٣٣"]).map(lambda v: [v])
    if item.type == "date":
        return st.sampled_from(
            ["31/12/1990", "yesterday", "1990-13-01", "2999-01-01", "1899-12-31"]
        ).map(lambda v: [v])
    if item.type == "email":
        return st.sampled_from(["not-an-email", "a@", "@b.example", "a b@c.example"]).map(
            lambda v: [v]
        )
    if item.type == "phone":
        return st.sampled_from(["12345", "call me maybe", "+1 (408) 555"]).map(lambda v: [v])
    limit = item.max_length or 2000
    return st.sampled_from([limit + 1, 100_000]).map(lambda n: ["x" * n])


def plausible_value(item: Item) -> str:
    """Some valid answer for an item (for questions a wrong value revealed)."""
    if item.options:
        return item.options[0].code
    return {"boolean": "no", "integer": str(item.min_value or 1), "date": "1990-01-01"}.get(
        item.type, "Something to say"
    )


def wrong_field_cases(app: Flask) -> list[tuple[str, Item]]:
    """Every (step, item) that is shown to someone answering with the factory's answers."""
    cases = []
    with app.app_context():
        q = registry().current
        for section_id in step_ids(app):
            section = q.section(section_id)
            for item in enabled_items(section, clean_answers()):
                if item.type != "display":
                    cases.append((section_id, item))
    return cases


@FUZZ_SETTINGS
@given(data=st.data())
def test_a_wrong_value_in_any_field_is_named_in_an_error_on_that_field(
    fuzz_app: Flask, data: st.DataObject
) -> None:
    section_id, item = data.draw(st.sampled_from(wrong_field_cases(fuzz_app)), label="field")
    values = data.draw(bad_values(item), label="values")
    form = section_formdata(fuzz_app, section_id, clean_answers())
    form.setlist(item.link_id, values)
    client = client_with_draft(fuzz_app, step_ids(fuzz_app))
    path = f"/screening/step/{section_id}"

    response = client.post(path, data=form)
    if REVEAL_NOTICE in response.data:
        # The wrong value made more questions apply; a person answers them and presses Next.
        for other in section_items(fuzz_app, section_id):
            if other.link_id not in form:
                form.setlist(other.link_id, [plausible_value(other)])
        response = client.post(path, data=form)
    assert response.status_code == 200, (response.status_code, item.link_id, values[0][:80])
    assert f'id="{item.link_id}-error"'.encode() in response.data
    assert ERROR_SUMMARY in response.data


def test_a_body_over_the_size_limit_gets_a_clear_413(fuzz_app: Flask) -> None:
    client = client_with_draft(fuzz_app, [])
    body = encode_form([(b"goals", b"x" * (max_body(fuzz_app) + 1)), (b"action", b"next")])
    response = post_raw(client, "/screening/step/concerns", body)
    assert response.status_code == 413
    assert b"more than we can accept" in response.data and b"Reference:" in response.data


# ---------------------------------------------------------------------------------------
# The wizard as a state machine


def where(response: Any) -> str:
    """The path a redirect points at."""
    assert response.status_code == 302, (response.status_code, response.data[:300])
    return urlsplit(response.headers["Location"]).path


RESUME_LINK = re.compile(rb"/screening/resume/([A-Za-z0-9_-]+)")


class WizardMachine(RuleBasedStateMachine):
    """One person's browser doing anything a browser can: next, back, typing step URLs,
    replaying POSTs, submitting twice, saving and resuming on another device.

    The model is the set of completed steps; the database must always agree with it, and
    the server must never show a step whose predecessors are not complete.
    """

    app: Flask  # set by the test before running

    @initialize()
    def open_browser(self) -> None:
        self.steps = step_ids(self.app)
        self.client = self.app.test_client()
        self.completed: set[str] = set()
        self.has_draft = False
        self.submitted = 0
        self.last_post: tuple[str, Any] | None = None
        self.submitted_before = self.count(SubmissionState.SUBMITTED)

    def count(self, state: str) -> int:
        with self.app.app_context():
            db = new_session()
            try:
                return int(
                    db.scalar(
                        select(func.count())
                        .select_from(Submission)
                        .where(Submission.state == state)
                    )
                    or 0
                )
            finally:
                db.close()

    def first_unfinished(self) -> str:
        for step in self.steps:
            if step not in self.completed:
                return f"/screening/step/{step}"
        return "/screening/review"

    def reachable(self) -> list[str]:
        """Steps the server must allow: every completed one and the first unfinished one."""
        out = []
        for step in self.steps:
            out.append(step)
            if step not in self.completed:
                break
        return out

    def form(self, step: str, action: str = "next") -> Any:
        data = section_formdata(self.app, step, clean_answers())
        data["action"] = action
        return data

    @rule()
    def start(self) -> None:
        response = self.client.post("/screening/start")
        if not self.has_draft:
            self.has_draft, self.completed = True, set()
        assert where(response) == self.first_unfinished()

    @precondition(lambda self: self.has_draft)
    @rule(data=st.data())
    def answer_a_reachable_step(self, data: st.DataObject) -> None:
        step = data.draw(st.sampled_from(self.reachable()))
        body = self.form(step)
        response = self.client.post(f"/screening/step/{step}", data=body)
        self.completed.add(step)
        following = self.steps.index(step) + 1
        expected = (
            f"/screening/step/{self.steps[following]}"
            if following < len(self.steps)
            else "/screening/review"
        )
        assert where(response) == expected
        self.last_post = (f"/screening/step/{step}", body)

    @precondition(lambda self: self.has_draft)
    @rule(data=st.data())
    def go_back(self, data: st.DataObject) -> None:
        step = data.draw(st.sampled_from(self.reachable()))
        response = self.client.post(f"/screening/step/{step}", data=self.form(step, "back"))
        self.completed.add(step)  # Back with valid answers keeps them (and the step is done)
        index = self.steps.index(step)
        expected = f"/screening/step/{self.steps[index - 1]}" if index else "/screening/"
        assert where(response) == expected

    @precondition(lambda self: self.has_draft and len(self.reachable()) < len(self.steps))
    @rule(data=st.data(), method=st.sampled_from(["GET", "POST"]))
    def skip_ahead_by_url(self, data: st.DataObject, method: str) -> None:
        later = [s for s in self.steps if s not in self.reachable()]
        step = data.draw(st.sampled_from(later))
        path = f"/screening/step/{step}"
        if method == "GET":
            response = self.client.get(path)
        else:
            response = self.client.post(path, data=self.form(step))
        assert where(response) == self.first_unfinished()

    @precondition(lambda self: self.has_draft)
    @rule(data=st.data())
    def view_a_step(self, data: st.DataObject) -> None:
        step = data.draw(st.sampled_from(self.steps))
        response = self.client.get(f"/screening/step/{step}")
        if step in self.reachable():
            assert response.status_code == 200
        else:
            assert where(response) == self.first_unfinished()

    @rule(data=st.data())
    def autosave_a_step(self, data: st.DataObject) -> None:
        # wizard.js keeps a step's answers as they change: kept where the step is open, refused
        # elsewhere, and never a step done (the invariant checks completed steps unchanged).
        step = data.draw(st.sampled_from(self.steps))
        response = self.client.post(f"/screening/step/{step}", data=self.form(step, "autosave"))
        expected = 204 if self.has_draft and step in self.reachable() else 409
        assert response.status_code == expected, (step, response.status_code)

    @precondition(lambda self: self.last_post is not None)
    @rule()
    def replay_the_last_post(self) -> None:
        assert self.last_post is not None
        path, body = self.last_post
        response = self.client.post(path, data=body)
        if self.has_draft and path.removeprefix("/screening/step/") in self.reachable():
            assert response.status_code == 302
        else:
            # After submitting, an old form posts into nothing: sent to the start, no 500.
            assert response.status_code == 302
            assert where(response) in {"/screening/", self.first_unfinished()}

    @rule(twice=st.booleans())
    def submit(self, twice: bool) -> None:
        consent = consent_formdata(self.app)
        responses = [self.client.post("/screening/review", data=consent)]
        if twice:
            responses.append(self.client.post("/screening/review", data=consent))
        if self.has_draft and len(self.completed) == len(self.steps):
            assert where(responses[0]) == "/screening/done"
            self.submitted += 1
            self.has_draft, self.completed = False, set()
            for again in responses[1:]:
                assert where(again) == "/screening/done"  # no second submission
        elif self.has_draft:
            for response in responses:
                assert where(response) == self.first_unfinished()
        else:
            for response in responses:
                assert where(response) in {"/screening/", "/screening/done"}

    @precondition(lambda self: self.has_draft)
    @rule(data=st.data())
    def save_and_resume_on_another_device(self, data: st.DataObject) -> None:
        step = data.draw(st.sampled_from(self.reachable()))
        response = self.client.post(f"/screening/step/{step}", data=self.form(step, "save"))
        assert where(response) == "/screening/saved"
        self.completed.add(step)
        link = RESUME_LINK.search(self.client.get("/screening/saved").data)
        assert link, "no resume link shown"
        old = self.client
        self.client = self.app.test_client()
        # The old device was used a moment ago: the new one asks, then continues there.
        opened = self.client.get(f"/screening/resume/{link.group(1).decode()}")
        assert where(opened) == "/screening/resume"
        asked = self.client.get("/screening/resume")
        assert b"open on another device" in asked.data
        resumed = self.client.post("/screening/resume")
        assert where(resumed) == self.first_unfinished()
        # The old device's session no longer reaches the draft, and is told why.
        lost = old.get(f"/screening/step/{self.steps[0]}")
        assert lost.status_code == 409
        assert b"continued on another device" in lost.data

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        if not hasattr(self, "steps"):
            return
        assert self.count(SubmissionState.SUBMITTED) - self.submitted_before == self.submitted
        if not self.has_draft:
            return
        with self.client.session_transaction() as session:
            token = session.get("draft_token")
        with self.app.app_context():
            db = new_session()
            try:
                draft = service.find_draft(db, token)
                assert draft is not None
                done = set(service.completed_sections(draft))
            finally:
                db.close()
        assert done == self.completed


def test_wizard_state_machine_keeps_step_order_and_one_submission_per_draft(
    fuzz_app: Flask,
) -> None:
    WizardMachine.app = fuzz_app
    machine_settings = settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(WizardMachine, settings=machine_settings)


def test_fuzz_app_fixture_uses_this_runs_database(fuzz_app: Flask, tmp_path: Path) -> None:
    """Guard: the property tests exercise PostgreSQL in the PostgreSQL suite, not SQLite."""
    import os

    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    assert fuzz_app.config["DATABASE_URL"].startswith(expected)


def test_an_optional_question_revealed_by_an_answer_can_be_left_empty(fuzz_app: Flask) -> None:
    client = client_with_draft(fuzz_app, ["concerns"])
    form = section_formdata(fuzz_app, "treatment-history", clean_answers())
    form["prior-ketamine"] = "medical"  # reveals the optional "tell us more" box
    form["prior-ketamine-experience"] = ""  # what a browser sends for an empty textarea
    responses = [client.post("/screening/step/treatment-history", data=form) for _ in range(3)]
    assert 302 in [response.status_code for response in responses]


# ---------------------------------------------------------------------------------------
# The staff pages: every form field and query parameter gets a page, a redirect, a field
# error or a 400, never a 500 (on this run's database: PostgreSQL refuses NUL, for one).
# The @examples are inputs that once gave a 500; Hypothesis explores around them.

STAFF_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Dates at and past the edges of what date arithmetic and the database can hold, and text
# a database or a parser may refuse.
HOSTILE = st.sampled_from(
    [
        "9999-12-31",
        "0001-01-01",
        "2999-12-31",
        "10000-01-01",
        "2026-02-29",
        "\x00",
        "a\x00b",
        "\x1b[2J",
        "-1",
        "1e309",
        "9" * 5000,
        "email." + "0" * 64,
        "open",
    ]
)
STAFF_VALUE = st.one_of(HOSTILE, st.text(max_size=30), st.binary(max_size=12))
STAFF_QUERIES = {
    "/portal/": ["category", "status", "assigned", "from_date", "to_date", "sort", "match", "page"],
    "/portal/export.csv": ["category", "status", "assigned", "from_date", "to_date", "match"],
    "/portal/admin/audit": ["action", "actor", "date_from", "date_to", "submission", "page"],
}
QUERY_NAMES = sorted({name for names in STAFF_QUERIES.values() for name in names})


@dataclass
class StaffFuzz:
    """An admin's signed-in browser, a screening to work on and the admin's account id."""

    client: FlaskClient
    public_id: str
    clinician_id: int


@pytest.fixture(scope="module")
def staff(fuzz_app: Flask) -> StaffFuzz:
    """Sign an admin in once for the module and give them a screening."""
    public_id = make_submission(fuzz_app)
    client = admin_client(fuzz_app)
    with client.session_transaction() as session:
        clinician_id = int(session["_user_id"])
    return StaffFuzz(client, public_id, clinician_id)


def encode_pairs(pairs: list[tuple[str, str | bytes]]) -> bytes:
    """Encode names and values as a form body or query string, raw bytes kept as sent."""
    return encode_form([(as_bytes(k), as_bytes(v)) for k, v in pairs])


@STAFF_SETTINGS
@given(
    path=st.sampled_from(sorted(STAFF_QUERIES)),
    pairs=st.lists(st.tuples(st.sampled_from(QUERY_NAMES), STAFF_VALUE), max_size=5),
)
@example(path="/portal/", pairs=[("to_date", "9999-12-31")])
@example(path="/portal/export.csv", pairs=[("to_date", "9999-12-31")])
@example(path="/portal/admin/audit", pairs=[("date_to", "9999-12-31")])
@example(path="/portal/admin/audit", pairs=[("action", "a\x00"), ("submission", "\x00")])
def test_any_query_on_the_queue_export_or_audit_trail_gets_a_page_or_a_400(
    fuzz_app: Flask, staff: StaffFuzz, path: str, pairs: list[tuple[str, str | bytes]]
) -> None:
    response = staff.client.get(f"{path}?{encode_pairs(pairs).decode()}")
    body = response.get_data()  # an export streams: read it all

    allowed = (200, 400) if path.endswith(".csv") else (200,)
    assert response.status_code in allowed, (response.status_code, body[:300])


STAFF_FORMS = {
    "sign-in": ("/portal/auth/login", ["email", "password"]),
    "two-factor": ("/portal/auth/two-factor", ["code"]),
    "recovery": ("/portal/auth/recovery", ["code"]),
    "search": ("/portal/search", ["search-q"]),
    "note": ("/portal/s/{public_id}/notes", ["note-body"]),
    "status": ("/portal/s/{public_id}/status", ["status-status"]),
    "follow-up": ("/portal/s/{public_id}/follow-up", ["follow-up-follow_up_on"]),
    "assignee": ("/portal/s/{public_id}/assignee", ["assignee-assignee"]),
}
FORM_FIELDS = sorted({name for _, names in STAFF_FORMS.values() for name in names})


def half_signed_in(app: Flask, clinician_id: int) -> FlaskClient:
    """A browser between the password and the code, on an account not locked out."""
    update_clinician(app, clinician_id, failed_logins=0, locked_until=None)
    client = app.test_client()
    with client.session_transaction() as session:
        session[sessions.PENDING] = {"id": clinician_id, "ver": 1, "at": time.time()}
    return client


@STAFF_SETTINGS
@given(
    form=st.sampled_from(sorted(STAFF_FORMS)),
    pairs=st.lists(
        st.tuples(st.sampled_from(FORM_FIELDS), st.one_of(STAFF_VALUE, ANY_VALUE)), max_size=5
    ),
)
@example(form="sign-in", pairs=[("email", "a\x00@example.org"), ("password", "x")])
@example(form="follow-up", pairs=[("follow-up-follow_up_on", "9999-12-31")])
def test_any_staff_form_post_gets_a_page_a_redirect_or_a_400(
    fuzz_app: Flask, staff: StaffFuzz, form: str, pairs: list[tuple[str, str | bytes]]
) -> None:
    path, _names = STAFF_FORMS[form]
    body = encode_pairs(pairs)
    if form == "sign-in":
        client = fuzz_app.test_client()
    elif form in {"two-factor", "recovery"}:
        client = half_signed_in(fuzz_app, staff.clinician_id)
    else:
        client = staff.client

    response = post_raw(client, path.format(public_id=staff.public_id), body)

    if len(body) > max_body(fuzz_app):
        assert response.status_code == 413
        return
    assert response.status_code in (200, 302, 400), (form, response.status_code)
    if response.status_code == 400:
        assert b"Something was wrong with that request" in response.data or (
            ERROR_SUMMARY in response.data
        ), form
