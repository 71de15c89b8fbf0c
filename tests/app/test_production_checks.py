"""Production refuses settings a small clinic could get wrong without noticing."""

from __future__ import annotations

import pytest

from screening import create_app
from screening.config import ConfigError
from tests.app.test_app import _production_env
from tests.conftest import TEST_KEY
from tests.scale.live import (
    GunicornServer,
    gunicorn_available,
    require_service,
    server_environment,
)


def test_production_refuses_in_memory_rate_limits_unless_one_process_is_declared(
    monkeypatch, tmp_path
):
    _production_env(monkeypatch, tmp_path)
    monkeypatch.delenv("RATELIMIT_SINGLE_PROCESS")
    with pytest.raises(ConfigError, match="RATELIMIT_SINGLE_PROCESS=true") as refused:
        create_app()
    assert "redis://" in str(refused.value)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app()
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "true")
    create_app().extensions["db_engine"].dispose()
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY"):
        create_app()


@pytest.mark.parametrize(
    ("setting", "placeholder"),
    [
        ("CLINIC_PHONE", "(408) 555-0100"),
        ("CLINIC_EMAIL", "intake@example.org"),
        ("CLINIC_INTAKE_EMAIL", "intake@example.org"),
    ],
)
def test_production_refuses_the_example_clinics_phone_and_emails(
    monkeypatch, tmp_path, setting, placeholder
):
    _production_env(monkeypatch, tmp_path)
    monkeypatch.setenv(setting, placeholder)
    with pytest.raises(ConfigError) as refused:
        create_app()
    assert f"set {setting} to the clinic's own" in str(refused.value)
    assert placeholder in str(refused.value)
    monkeypatch.delenv(setting)  # the built-in default is the same example
    with pytest.raises(ConfigError, match=setting):
        create_app()


def test_gunicorn_with_two_workers_and_no_redis_refuses_to_start_in_production(tmp_path):
    require_service(gunicorn_available(), "gunicorn")
    env = server_environment(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        instance=tmp_path / "instance",
        secret_key="k" * 48,
        encryption_keys=TEST_KEY,
        blind_key="b" * 40,
        audit_keys="a" * 40,
        THRESHOLD_ENV="production",
    )
    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_SINGLE_PROCESS", "WEB_CONCURRENCY"):
        env.pop(name, None)
    server = GunicornServer(env, tmp_path / "gunicorn.log")
    with pytest.raises(RuntimeError, match="exited early") as refused:
        server.start()
    assert "RATELIMIT_STORAGE_URI" in server.log_text()
    assert "--workers 4" in str(refused.value)
