"""Profile one page in-process with pyinstrument, on the database the last `make bench` left.

    python -m bench.profile /portal/                 # the queue, signed in as a new admin
    python -m bench.profile /portal/s/FIRST          # a submission page
    python -m bench.profile /what-is-kap
    python -m bench.profile /screening/step/concerns # a step GET, on a fresh draft
    python -m bench.profile --post /screening/step/about-you

Requests go through Flask's test client (no gunicorn, no network), so the profile shows the
application's own time: templates, queries, decryption. CSRF is off here only.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from bench.common import WORK_DIR


def main() -> None:
    """Sign in if needed, warm up, then profile N requests and print the call tree."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--post", action="store_true", help="POST the step's valid answers")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    settings = json.loads((WORK_DIR / "env.json").read_text(encoding="utf-8"))
    os.environ.update(settings)
    os.environ["LOG_LEVEL"] = "WARNING"

    from pyinstrument import Profiler
    from sqlalchemy import select

    from screening import create_app
    from screening.database import new_session
    from screening.models import Submission, SubmissionState
    from tests.intake.wizard_driver import section_formdata
    from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, sign_in
    from tests.questionnaire.factories import clean_answers

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    path = args.path
    if path.startswith("/portal"):
        email = f"profile-{int(time.time())}@example.org"
        _, secret = create_clinician(app, email=email, role="admin")
        sign_in(client, email, DEFAULT_PASSWORD, secret)
        if path.endswith("/FIRST"):
            with app.app_context():
                db = new_session()
                try:
                    first = db.scalars(
                        select(Submission.public_id)
                        .where(Submission.state == SubmissionState.SUBMITTED)
                        .limit(1)
                    ).one()
                finally:
                    db.close()
            path = path.removesuffix("FIRST") + first
    elif path.startswith("/screening/step/"):
        # Every step before the one profiled is answered first (the wizard refuses to skip).
        step = client.post("/screening/start").headers["Location"]
        while step.startswith("/screening/step/") and step != path:
            section = step.removeprefix("/screening/step/")
            step = client.post(step, data=section_formdata(app, section, clean_answers()))
            step = step.headers["Location"]
    body = (
        section_formdata(app, path.removeprefix("/screening/step/"), clean_answers())
        if args.post
        else None
    )

    def once() -> int:
        response = client.post(path, data=body) if args.post else client.get(path)
        return response.status_code

    for _ in range(10):
        once()
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    statuses = {once() for _ in range(args.requests)}
    profiler.stop()
    elapsed = (time.perf_counter() - started) / args.requests * 1000
    print(f"{path}: {elapsed:.2f} ms per request in-process, statuses {sorted(statuses)}")
    print(profiler.output_text(unicode=False, color=False))
    app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
