"""Application-level behaviour: configuration, health, migrations, CSRF, CLI, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from fhir.resources.R4B.questionnaire import Questionnaire
from sqlalchemy import inspect

from screening import create_app
from screening.cli import alembic_config
from screening.config import ConfigError
from tests.conftest import TEST_KEY, build_app, csrf_token_from, make_app
from tests.intake.wizard_driver import section_formdata
from tests.questionnaire.factories import clean_answers

CASES = Path(__file__).parent.parent / "questionnaire" / "cases"


def test_health_check_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_503_when_database_unreachable(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}",
            "SECRET_KEY": "x" * 40,
            "ENCRYPTION_KEYS": TEST_KEY,
            "BLIND_INDEX_KEY": "y" * 40,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_production_refuses_to_start_without_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("THRESHOLD_ENV", "production")
    monkeypatch.setenv("THRESHOLD_INSTANCE_PATH", str(tmp_path))
    for name in ("SECRET_KEY", "ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_KEYS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as error:
        create_app()
    message = str(error.value)
    assert "SECRET_KEY" in message and "ENCRYPTION_KEYS" in message
    assert "AUDIT_KEYS" in message
    assert not (tmp_path / "dev-secrets.json").exists()


def test_development_generates_secrets_once(monkeypatch, tmp_path):
    monkeypatch.setenv("THRESHOLD_INSTANCE_PATH", str(tmp_path))
    for name in ("SECRET_KEY", "ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_KEYS", "THRESHOLD_ENV"):
        monkeypatch.delenv(name, raising=False)
    first = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    second = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["AUDIT_KEYS"]) >= 32
    assert first.config["AUDIT_KEYS"] == second.config["AUDIT_KEYS"]
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o777 == 0o600


def test_instance_config_file_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("THRESHOLD_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text('CLINIC_NAME = "Valley Mind Clinic"\n')
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert app.config["CLINIC_NAME"] == "Valley Mind Clinic"


def test_migrations_upgrade_from_empty_and_downgrade(app):
    with app.app_context():
        config = alembic_config()
        engine = app.extensions["db_engine"]
        assert {"submissions", "clinicians", "audit_events", "notes"} <= set(
            inspect(engine).get_table_names()
        )
        command.downgrade(config, "base")
        assert "submissions" not in inspect(engine).get_table_names()
        command.upgrade(config, "head")
        assert "submissions" in inspect(engine).get_table_names()


def test_expired_csrf_token_rerenders_step_with_what_was_typed(tmp_path, database_url):
    app = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_from(client.get("/screening/").data.decode())
    client.post("/screening/start", data={"csrf_token": token})
    typed = clean_answers(reasons=["depression", "Rosa-typed-reason"])
    data = section_formdata(app, "concerns", typed)
    data["csrf_token"] = "expired-or-forged"
    page = client.post("/screening/step/concerns", data=data)
    assert page.status_code == 200
    html = page.data.decode()
    assert "press Next again" in html
    assert 'value="Rosa-typed-reason"' in html
    fresh = csrf_token_from(html)
    data["csrf_token"] = fresh
    assert client.post("/screening/step/about-you", data=data).status_code == 302


def test_post_without_csrf_token_elsewhere_is_a_friendly_400(tmp_path, database_url):
    app = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/screening/start")
    assert response.status_code == 400
    assert b"Reference:" in response.data


def test_cli_prints_a_valid_fhir_questionnaire(runner):
    result = runner.invoke(args=["screening", "questionnaire", "--lang", "en"])
    assert result.exit_code == 0, result.output
    resource = Questionnaire.model_validate(json.loads(result.output))
    assert resource.item and len(resource.item) >= 10


@pytest.mark.parametrize(
    ("case", "category"),
    [
        ("01-clean-likely-eligible", "likely-eligible"),
        ("39-recreational-ketamine-bladder", "needs-review"),
        ("27-schizophrenia", "likely-ineligible"),
        ("20-partial-without-medical-section", "incomplete"),
        ("09-plan", "urgent-safety"),
    ],
)
def test_cli_triage_prints_the_category_and_flags_in_their_stored_form(runner, case, category):
    result = runner.invoke(args=["screening", "triage", str(CASES / f"{case}.json")])
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["category"] == category
    assert {"phq9", "gad7"} <= set(output["scores"])
    for flag in output["flags"]:
        assert set(flag) == {"id", "severity", "reason", "evidence"}


def test_cli_triage_of_an_empty_response_says_incomplete(runner, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text('{"resourceType": "QuestionnaireResponse", "status": "completed"}')
    result = runner.invoke(args=["screening", "triage", str(empty)])
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["category"] == "incomplete"
    missing = {e["linkId"] for e in output["flags"][0]["evidence"]}
    assert {"phq9-9", "suicidal-behavior", "date-of-birth", "diagnoses-any"} <= missing


def test_cli_triage_scores_loinc_coded_response(runner):
    result = runner.invoke(
        args=["screening", "triage", str(CASES / "19-phq9-gad7-auditc-import-item9-positive.json")]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["scores"]["phq9"]["total"] is not None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"resourceType": "Patient"}',
        "[]",
        '{"resourceType": '
        '"QuestionnaireResponse", "status": "completed", "item": [{"answer": []}]}',
    ],
)
def test_cli_triage_rejects_bad_files_with_one_line_and_status_2(runner, tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = runner.invoke(args=["screening", "triage", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0


def test_cli_triage_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(args=["screening", "triage", str(tmp_path / "nope.json")])
    assert result.exit_code == 2


def test_unexpected_error_shows_reference_not_traceback(app):
    @app.get("/boom-for-test")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert b"secret internals" not in response.data
    assert b"Traceback" not in response.data
    assert b"Reference:" in response.data


def test_security_headers_on_public_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def _production_env(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("THRESHOLD_ENV", "production")
    monkeypatch.setenv("THRESHOLD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("ENCRYPTION_KEYS", TEST_KEY)
    monkeypatch.setenv("BLIND_INDEX_KEY", "b" * 40)
    monkeypatch.setenv("AUDIT_KEYS", "a" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://screening.example.org")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "true")
    monkeypatch.setenv("URGENT_ESCALATION_EMAIL", "on-call@example.org")
    monkeypatch.setenv("CLINIC_PHONE", "(669) 238-4410")
    monkeypatch.setenv("CLINIC_EMAIL", "hello@gilroy-kap.example")
    monkeypatch.setenv("CLINIC_INTAKE_EMAIL", "intake@gilroy-kap.example")


def test_production_refuses_debug_and_short_secret(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    with pytest.raises(ConfigError, match="debug"):
        create_app({"DEBUG": True})


def test_production_needs_shared_rate_limits_with_several_workers(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path)
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    app = create_app()
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_sends_hsts_and_secure_host_cookie(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path)
    app = create_app()
    app.test_cli_runner().invoke(args=["db", "upgrade"])
    client = app.test_client()
    response = client.get("/screening/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    client.post("/screening/start", base_url="https://localhost")
    cookie = response.headers.get("Set-Cookie") or ""
    assert "__Host-session" in cookie or client.get_cookie("__Host-session") is not None
    app.extensions["db_engine"].dispose()


def test_no_stack_trace_even_in_debug_mode(app):
    app.debug = True

    @app.get("/boom-debug-for-test")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("internal detail")

    response = app.test_client().get("/boom-debug-for-test")
    assert response.status_code == 500
    assert b"internal detail" not in response.data and b"Traceback" not in response.data


def test_proxy_hops_make_the_client_address_visible(tmp_path, database_url):
    from flask import request as current_request

    app = make_app(tmp_path, database_url, PROXY_FIX_HOPS=1)

    @app.get("/whoami-for-test")
    def whoami():  # type: ignore[no-untyped-def]
        return current_request.remote_addr or ""

    response = app.test_client().get("/whoami-for-test", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.data == b"203.0.113.9"


def test_rate_limiting_can_be_switched_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("THRESHOLD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert app.config["RATELIMIT_ENABLED"] is False


def test_request_lines_reach_stderr_without_a_logging_setup_of_the_server(app, capfd):
    # gunicorn configures only its own loggers: the app must bring a handler for its lines.
    app.test_client().get("/faq")
    err = capfd.readouterr().err
    assert "endpoint=public.page status=200" in err
    assert "/faq" not in err  # the endpoint name, never the path


def test_a_copied_test_database_has_the_schema_the_migrations_build(tmp_path):
    def schema(app):  # type: ignore[no-untyped-def]
        # Compared through the inspector: a batch migration may list constraints in any order.
        found = inspect(app.extensions["db_engine"])
        return {
            table: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
                sorted(str(i) for i in found.get_indexes(table)),
                sorted(str(u) for u in found.get_unique_constraints(table)),
                sorted(str(f) for f in found.get_foreign_keys(table)),
                found.get_pk_constraint(table),
            )
            for table in found.get_table_names()
        }

    (tmp_path / "copied").mkdir()
    (tmp_path / "migrated").mkdir()
    copied = make_app(tmp_path / "copied", f"sqlite:///{tmp_path / 'copied' / 'db.sqlite3'}")
    migrated = build_app(
        tmp_path / "migrated",
        f"sqlite:///{tmp_path / 'migrated' / 'db.sqlite3'}",
        {},
        copy_migrated=False,
    )
    assert schema(copied) == schema(migrated)
    assert {"submissions", "alembic_version"} <= set(schema(copied))
