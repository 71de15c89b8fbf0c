"""A step's Next is one transaction: its answers and the crisis flag are saved together or not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from screening.database import new_session
from screening.intake import service
from tests.intake.wizard_driver import section_formdata, start
from tests.questionnaire.factories import clean_answers

RISK = clean_answers(**{"phq9-9": "LA6569-3"})
BEFORE_PHQ9 = ("concerns", "treatment-history")


@contextmanager
def commits(app: Flask, *, fail_flush: int | None = None) -> Iterator[list[int]]:
    """Count COMMITs of every session the app opens; make the `fail_flush`-th flush fail."""
    counted: list[int] = []
    flushes: list[int] = []
    makers = [app.extensions["db_sessions"], app.extensions["db_write_sessions"]]

    def after_commit(session: Any) -> None:
        counted.append(1)

    def before_flush(session: Any, flush_context: Any, instances: Any) -> None:
        flushes.append(1)
        if len(flushes) == fail_flush:
            # As the database would report a lost connection mid-write.
            raise OperationalError("UPDATE submissions", {}, Exception("injected failure"))

    for maker in makers:
        event.listen(maker, "after_commit", after_commit)
        event.listen(maker, "before_flush", before_flush)
    try:
        yield counted
    finally:
        for maker in makers:
            event.remove(maker, "after_commit", after_commit)
            event.remove(maker, "before_flush", before_flush)


def saved_draft(app: Flask, client: Any) -> tuple[dict[str, Any], bool]:
    """Return the browser's draft as stored: its answers and whether crisis help is owed."""
    with client.session_transaction() as cookie:
        token = cookie["draft_token"]
    with app.app_context():
        db = new_session()
        try:
            draft = service.find_draft(db, token)
            assert draft is not None
            return dict(draft.answers), draft.progress.crisis_pending
        finally:
            db.close()


def reach_phq9(app: Flask, client: Any) -> None:
    """Answer the steps before the PHQ-9."""
    start(client)
    for section in BEFORE_PHQ9:
        response = client.post(
            f"/screening/step/{section}", data=section_formdata(app, section, RISK)
        )
        assert response.status_code == 302


def test_a_next_with_a_risk_answer_is_one_commit_with_answers_and_crisis_flag(app, client):
    reach_phq9(app, client)
    with commits(app) as counted:
        response = client.post("/screening/step/phq9", data=section_formdata(app, "phq9", RISK))
    assert response.status_code == 302
    assert len(counted) == 1
    answers, crisis_pending = saved_draft(app, client)
    assert answers["phq9-9"] == "LA6569-3" and crisis_pending


def test_a_next_without_risk_is_one_commit(app, client):
    start(client)
    with commits(app) as counted:
        data = section_formdata(app, "concerns", clean_answers())
        assert client.post("/screening/step/concerns", data=data).status_code == 302
    assert len(counted) == 1


def test_a_next_whose_commit_fails_saves_neither_answers_nor_crisis_flag(app, client):
    reach_phq9(app, client)
    with commits(app, fail_flush=1) as counted:
        page = client.post("/screening/step/phq9", data=section_formdata(app, "phq9", RISK))
    assert page.status_code == 503
    assert b"press Next again" in page.data  # the person's input is shown back
    assert counted == []
    answers, crisis_pending = saved_draft(app, client)
    assert "phq9-9" not in answers and not crisis_pending


@pytest.mark.parametrize("fail_flush", [1, 2])
def test_a_failure_at_any_write_of_a_next_saves_both_or_neither(app, client, fail_flush):
    reach_phq9(app, client)
    with commits(app, fail_flush=fail_flush):
        client.post("/screening/step/phq9", data=section_formdata(app, "phq9", RISK))
    answers, crisis_pending = saved_draft(app, client)
    assert ("phq9-9" in answers) == crisis_pending
