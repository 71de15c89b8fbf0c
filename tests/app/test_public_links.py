"""Links in pages and emails come from PUBLIC_BASE_URL, never from Host or X-Forwarded-Host."""

from __future__ import annotations

import pytest

from screening import create_app
from screening.config import ConfigError, settings_from_environment
from tests.conftest import TEST_KEY, make_app
from tests.intake.wizard_driver import resume_link_in, section_formdata
from tests.questionnaire.factories import clean_answers

FORGED_HOST = "http://evil.example"
FORGED_FORWARDED_HOST = {"X-Forwarded-Host": "evil.example"}


def test_resume_link_ignores_a_forged_host(tmp_path, database_url):
    app = make_app(
        tmp_path, database_url, PROXY_FIX_HOPS=1, PUBLIC_BASE_URL="https://screening.example.org"
    )
    client = app.test_client()
    # Every request with a forged Host (and X-Forwarded-Host), so the cookie jar follows it.
    forged = {"base_url": FORGED_HOST, "headers": FORGED_FORWARDED_HOST}
    client.post("/screening/start", **forged)
    data = section_formdata(app, "concerns", clean_answers())
    data["action"] = "save"
    saving = client.post("/screening/step/concerns", data=data, **forged)
    assert saving.status_code == 302
    link = resume_link_in(client.get("/screening/saved", **forged).data.decode())
    assert link.startswith("https://screening.example.org/screening/resume/")
    assert "evil.example" not in link


def test_forwarded_host_is_not_trusted_behind_the_proxy(tmp_path, database_url):
    from flask import request

    app = make_app(tmp_path, database_url, PROXY_FIX_HOPS=1)

    @app.get("/host-for-test")
    def host():  # type: ignore[no-untyped-def]
        return request.host

    response = app.test_client().get("/host-for-test", headers={"X-Forwarded-Host": "evil.example"})
    assert response.data == b"localhost"


def test_development_links_follow_the_port_served_on():
    assert settings_from_environment({"PORT": "5123"})["PUBLIC_BASE_URL"] == (
        "http://127.0.0.1:5123"
    )
    given = {"PORT": "5123", "PUBLIC_BASE_URL": "https://screening.example.org"}
    assert settings_from_environment(given)["PUBLIC_BASE_URL"] == "https://screening.example.org"


def test_production_refuses_a_public_address_without_https(monkeypatch, tmp_path):
    monkeypatch.setenv("THRESHOLD_ENV", "production")
    monkeypatch.setenv("THRESHOLD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("ENCRYPTION_KEYS", TEST_KEY)
    monkeypatch.setenv("BLIND_INDEX_KEY", "b" * 40)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app()
