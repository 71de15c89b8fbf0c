"""Redis going away resets the rate limits and nothing else (docs/DEPLOY.md, Redis).

A Redis of the test's own on a free port is stopped mid-test; the shared one is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.auth.support import LOGIN, TWO_FACTOR
from tests.conftest import make_app
from tests.intake.wizard_driver import answer_steps, consent_formdata, location, start
from tests.questionnaire.factories import clean_answers
from tests.scale.live import free_port, require_service


@pytest.fixture
def own_redis() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A throwaway redis-server on a free port, without persistence."""
    binary = shutil.which("redis-server")
    require_service(binary is not None, "redis-server")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield process, port
    client.close()
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_limited_routes_keep_answering_from_memory_when_redis_stops(
    tmp_path: Path, database_url: str, own_redis, capfd
) -> None:
    process, port = own_redis
    app = make_app(
        tmp_path,
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0",
        RATELIMIT_SCREENING_START="3 per hour",
    )
    client = app.test_client()
    assert client.post("/screening/start").status_code == 302
    assert redis.Redis(port=port).keys("LIMITS*"), "the limit was not counted in Redis"

    process.terminate()
    process.wait(timeout=10)

    # Sign-in, two-factor, resume and submit answer as they would with Redis.
    assert (
        client.post(LOGIN, data={"email": "a@example.org", "password": "x" * 12}).status_code == 200
    )
    assert client.post(TWO_FACTOR, data={"code": "123456"}).status_code == 302
    assert location(client.get("/screening/resume/not-a-token")) == "/screening/"
    path = answer_steps(app, client, clean_answers(), start(client))
    assert location(client.post(path, data=consent_formdata(app))) == "/screening/done"
    assert "falling back to in-memory storage" in capfd.readouterr().err

    # The limits still hold, counted in memory: the start above was the first of three.
    codes = [client.post("/screening/start").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
