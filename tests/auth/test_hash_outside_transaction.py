"""The password hash of a sign-in is checked while the request holds no open transaction.

On SQLite a write transaction holds the database's one write lock: a hash checked inside it
(tenths of a second at production settings) makes every screening save wait behind each
sign-in. Each check below looks from a connection of its own, at the moment the hash runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from screening.auth import passwords
from tests.auth.support import LOGIN, PASSWORD
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, sign_in

EMAIL = "clinician@example.org"
OPEN_TRANSACTIONS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
)


def transaction_probe(app: Flask) -> Callable[[], bool]:
    """Return a check of whether any other connection holds a transaction open right now."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":

        def sqlite_write_locked() -> bool:
            # timeout=0: a held write lock makes BEGIN IMMEDIATE fail at once instead of waiting.
            connection = sqlite3.connect(url.database or "", timeout=0, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                connection.close()

        return sqlite_write_locked
    # NullPool: the probe's connection closes after each look, so none outlives the test.
    engine = create_engine(url, poolclass=NullPool)

    def postgres_transaction_open() -> bool:
        with engine.connect() as connection:
            return bool(connection.scalar(OPEN_TRANSACTIONS))

    return postgres_transaction_open


@pytest.mark.parametrize("password", [DEFAULT_PASSWORD, "not the right password"])
def test_no_transaction_is_open_while_the_password_hash_is_checked(
    app: Flask, monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    create_clinician(app)
    probe = transaction_probe(app)
    seen: list[bool] = []
    real_verify = passwords.verify_password

    def verify_and_look(*args: Any) -> bool:
        seen.append(probe())
        return real_verify(*args)

    monkeypatch.setattr(passwords, "verify_password", verify_and_look)

    response = app.test_client().post(LOGIN, data={"email": EMAIL, "password": password})

    assert response.status_code == (302 if password == DEFAULT_PASSWORD else 200)
    assert seen == [False]


@pytest.mark.parametrize("current", [DEFAULT_PASSWORD, "not the right password"])
def test_no_transaction_is_open_while_a_password_change_hashes(
    app: Flask, monkeypatch: pytest.MonkeyPatch, current: str
) -> None:
    _, secret = create_clinician(app)
    client = app.test_client()
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    probe = transaction_probe(app)
    seen: list[bool] = []
    real_verify, real_hash = passwords.verify_password, passwords.hash_password

    def verify_and_look(*args: Any) -> bool:
        seen.append(probe())
        return real_verify(*args)

    def hash_and_look(*args: Any) -> str:
        seen.append(probe())
        return real_hash(*args)

    monkeypatch.setattr(passwords, "verify_password", verify_and_look)
    monkeypatch.setattr(passwords, "hash_password", hash_and_look)

    new = "another long passphrase"
    response = client.post(
        PASSWORD,
        data={"current_password": current, "new_password": new, "confirm_password": new},
    )

    assert response.status_code == (302 if current == DEFAULT_PASSWORD else 200)
    assert seen and not any(seen), seen
