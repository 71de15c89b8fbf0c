"""Every staff page: one h1, labelled inputs, no inline script or style (CSP), no caching."""

from __future__ import annotations

from html.parser import HTMLParser

import pyotp
from flask import Flask

from tests.auth.support import ENROL, LOGIN, PASSWORD, RECOVERY, TWO_FACTOR, get_clinician
from tests.portal_helpers import DEFAULT_PASSWORD, admin_client, create_clinician


class PageAudit(HTMLParser):
    """Collect what the accessibility and CSP checks need from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.inline_scripts = 0
        self.style_attributes = 0
        self.style_elements = 0
        self.labels: set[str] = set()
        self.fields: list[dict[str, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if any(name == "style" for name, _ in attrs) or any(
            name.startswith("on") for name, _ in attrs
        ):
            self.style_attributes += 1
        if tag == "h1":
            self.h1 += 1
        elif tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1
        elif tag == "style":
            self.style_elements += 1
        elif tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))
        elif tag in {"input", "select", "textarea"} and attributes.get("type") != "hidden":
            self.fields.append(attributes)


def check_page(html: str) -> None:
    page = PageAudit()
    page.feed(html)
    assert page.h1 == 1
    assert page.inline_scripts == 0 and page.style_attributes == 0 and page.style_elements == 0
    for field in page.fields:
        assert field.get("id") in page.labels, f"unlabelled field {field}"
        for described in (field.get("aria-describedby") or "").split():
            assert described in page.ids, f"aria-describedby points nowhere: {described}"


def test_sign_in_pages_are_accessible_and_csp_clean(app: Flask) -> None:
    clinician_id, _ = create_clinician(app, enrolled=False)
    client = app.test_client()
    check_page(client.get(LOGIN).get_data(as_text=True))
    check_page(client.post(LOGIN, data={"email": "", "password": ""}).get_data(as_text=True))
    client.post(LOGIN, data={"email": "clinician@example.org", "password": DEFAULT_PASSWORD})
    check_page(client.get(ENROL).get_data(as_text=True))
    check_page(client.post(ENROL, data={"code": "12"}).get_data(as_text=True))
    secret = get_clinician(app, clinician_id).totp_secret or ""
    codes_page = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    check_page(codes_page.get_data(as_text=True))
    check_page(client.get(PASSWORD).get_data(as_text=True))
    check_page(client.post(PASSWORD, data={"current_password": "x"}).get_data(as_text=True))
    client.post("/portal/auth/logout")
    client.post(LOGIN, data={"email": "clinician@example.org", "password": DEFAULT_PASSWORD})
    two_factor = client.get(TWO_FACTOR).get_data(as_text=True)
    check_page(two_factor)
    assert 'autocomplete="one-time-code"' in two_factor and 'inputmode="numeric"' in two_factor
    check_page(client.post(TWO_FACTOR, data={"code": "abc"}).get_data(as_text=True))
    check_page(client.get(RECOVERY).get_data(as_text=True))


def test_admin_pages_are_accessible_and_csp_clean(app: Flask) -> None:
    client = admin_client(app)
    create_clinician(app, email="casey@example.org")
    for path in ("/portal/admin/accounts", "/portal/admin/accounts/invite", "/portal/admin/audit"):
        check_page(client.get(path).get_data(as_text=True))
    check_page(
        client.post("/portal/admin/accounts/invite", data={"name": ""}).get_data(as_text=True)
    )
    check_page(
        client.post(
            "/portal/admin/accounts/invite",
            data={"name": "Nina", "email": "nina@example.org", "role": "clinician"},
        ).get_data(as_text=True)
    )
    check_page(client.get("/portal/admin/audit?date_from=nonsense").get_data(as_text=True))


def test_staff_pages_are_never_cached(app: Flask) -> None:
    client = admin_client(app)
    for path in (LOGIN, "/portal/admin/accounts", "/portal/admin/audit"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert app.test_client().get(LOGIN).headers["Cache-Control"] == "no-store"
