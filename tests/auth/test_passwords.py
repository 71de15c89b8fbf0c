"""Password hashing with argon2id, rehashing when parameters change, and the policy."""

from __future__ import annotations

from flask import Flask

from screening.auth import passwords
from screening.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from tests.auth.support import LOGIN, get_clinician
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician


def test_hash_is_argon2id_and_verifies(app: Flask) -> None:
    with app.app_context():
        stored = hash_password("a perfectly fine passphrase")
        assert stored.startswith("$argon2id$")
        assert verify_password(stored, "a perfectly fine passphrase")
        assert not verify_password(stored, "a perfectly fine passphrasE")


def test_verify_without_an_account_checks_a_dummy_hash_and_fails(app: Flask, monkeypatch) -> None:
    used = []
    real_dummy = passwords.dummy_hash

    def recording_dummy() -> str:
        used.append(True)
        return real_dummy()

    monkeypatch.setattr(passwords, "dummy_hash", recording_dummy)
    with app.app_context():
        # Even the dummy's own password must not pass for a missing account.
        assert verify_password(None, "whatever it is") is False
        assert verify_password("", "whatever it is") is False
    # A full argon2 verification ran, so timing does not reveal whether the account exists.
    assert len(used) == 2


def test_verify_rejects_a_malformed_hash(app: Flask) -> None:
    with app.app_context():
        assert verify_password("not-a-hash", "whatever it is") is False


def test_needs_rehash_when_parameters_change(app: Flask) -> None:
    with app.app_context():
        stored = hash_password("a perfectly fine passphrase")
        assert not needs_rehash(stored)
        app.config["ARGON2_TIME_COST"] = passwords.hasher().time_cost + 1
        assert needs_rehash(stored)


def test_sign_in_rehashes_with_new_parameters(app: Flask, client) -> None:
    clinician_id, _ = create_clinician(app)
    before = get_clinician(app, clinician_id).password_hash
    app.config["ARGON2_TIME_COST"] = 4
    response = client.post(
        LOGIN, data={"email": "clinician@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    after = get_clinician(app, clinician_id).password_hash
    assert after != before
    assert ",t=4," in after
    with app.app_context():
        assert verify_password(after, DEFAULT_PASSWORD)


def test_passwords_need_at_least_12_characters(app: Flask) -> None:
    with app.test_request_context():
        assert password_problems("elevenchars") != []
        assert password_problems("twelve chars") == []


def test_passwords_longer_than_256_characters_are_refused(app: Flask) -> None:
    with app.test_request_context():
        assert password_problems("x" * 256) == []
        assert password_problems("x" * 257) != []


def test_password_equal_to_the_email_is_refused(app: Flask) -> None:
    with app.test_request_context():
        assert password_problems("Casey@Example.org", "casey@example.org") != []


def test_temporary_passwords_meet_the_policy_and_differ(app: Flask) -> None:
    with app.test_request_context():
        first = passwords.generate_temporary_password()
        second = passwords.generate_temporary_password()
        assert password_problems(first) == []
        assert first != second
