"""Fixtures the wizard's tests share."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture(params=["en", "es"])
def person(request: pytest.FixtureRequest, app: Flask) -> tuple[FlaskClient, str]:
    """A person answering in English, then in Spanish."""
    client = app.test_client()
    assert client.get(f"/?lang={request.param}").status_code == 200
    return client, request.param
