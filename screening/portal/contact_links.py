"""Tappable links for reaching a person the way they asked: tel:, sms: or mailto:."""

from __future__ import annotations


def dial_string(phone: str | None) -> str:
    """The digits (and a leading +) of a typed phone number, as a tel: or sms: link needs."""
    return "".join(ch for ch in phone or "" if ch.isdigit() or ch == "+")


def contact_link(method: str | None, phone: str | None, email: str | None) -> str | None:
    """Link for their preferred way (a call when they did not say); email when there is no
    phone number, and None when there is neither."""
    dial = dial_string(phone)
    if method == "email" or not dial:
        return f"mailto:{email}" if email else None
    return f"{'sms' if method == 'text' else 'tel'}:{dial}"
