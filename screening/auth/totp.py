"""TOTP second factor (RFC 6238) with replay rejection, QR codes and recovery codes.

A code is accepted for the current 30-second step or one step either side, and only for a
step later than the last one accepted for the account, so an overheard code is useless.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import time
from dataclasses import dataclass

import pyotp
import segno
from markupsafe import Markup

from screening.auth.passwords import readable_code

VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
TOTP_CODE = re.compile(r"^[0-9]{6}$")


class CodeCheck(enum.StrEnum):
    """The outcome of checking a TOTP code."""

    OK = "success"
    REPLAY = "replay"
    INVALID = "failure"


@dataclass(frozen=True)
class CodeResult:
    """A checked code and, when it matched, the time step it belongs to."""

    outcome: CodeCheck
    timecode: int | None = None


def new_secret() -> str:
    """Return a new random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> Markup:
    """Render a URI as an inline <svg> QR code (no data: URL, no external request)."""
    code = segno.make(uri, error="m")
    svg = code.svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr-code"
    )
    # segno builds the markup from the URI and escapes the title itself.
    return Markup(svg)  # noqa: S704  # nosec B704


def format_secret(secret: str) -> str:
    """Group a base32 secret in fours so it can be typed by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    """Drop the spaces people type or paste into a 6-digit code."""
    return re.sub(r"\s+", "", code or "")


def clock() -> float:
    """Return the time codes are checked against: the wall clock (a seam tests move forward)."""
    return time.time()


def check_code(
    secret: str, code: str, last_timecode: int | None, now: float | None = None
) -> CodeResult:
    """Check a 6-digit code against the steps around now, refusing replays."""
    code = normalise_code(code)
    if not TOTP_CODE.match(code):
        return CodeResult(CodeCheck.INVALID)
    totp = pyotp.TOTP(secret)
    moment = clock() if now is None else now
    current = int(moment // totp.interval)
    matched: int | None = None
    # Compare every candidate, without stopping early, so timing says nothing about which matched.
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and matched is None:
            matched = step
    if matched is None:
        return CodeResult(CodeCheck.INVALID)
    if last_timecode is not None and matched <= last_timecode:
        return CodeResult(CodeCheck.REPLAY, matched)
    return CodeResult(CodeCheck.OK, matched)


def generate_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Return fresh one-time recovery codes like `k3m9p-x2q7r` (50 bits each)."""
    return [readable_code(2) for _ in range(count)]


def normalise_recovery_code(code: str) -> str:
    """Fold case and drop spaces and dashes so a code typed loosely still matches."""
    return re.sub(r"[\s\-]+", "", (code or "").lower())


def hash_recovery_code(code: str) -> str:
    """Hash a recovery code for storage (random codes need no slow hash)."""
    return hashlib.sha256(normalise_recovery_code(code).encode("utf-8")).hexdigest()


def consume_recovery_code(stored: list[str] | None, code: str) -> list[str] | None:
    """Return the stored hashes without the one matching `code`, or None when none matches."""
    if not stored or not normalise_recovery_code(code):
        return None
    candidate = hash_recovery_code(code)
    remaining: list[str] = []
    found = False
    for stored_hash in stored:
        if not found and hmac.compare_digest(str(stored_hash), candidate):
            found = True
            continue
        remaining.append(str(stored_hash))
    return remaining if found else None
