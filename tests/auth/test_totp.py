"""TOTP codes with a one-step window and replay rejection; recovery codes."""

from __future__ import annotations

import pyotp
import pytest

from screening.auth import totp
from screening.auth.totp import CodeCheck, check_code

NOW = 1_800_000_015.0  # the middle of a 30-second step


def step_of(moment: float) -> int:
    return int(moment // 30)


def test_current_code_is_accepted_with_its_step() -> None:
    secret = totp.new_secret()
    result = check_code(secret, pyotp.TOTP(secret).at(NOW), None, now=NOW)
    assert result.outcome is CodeCheck.OK
    assert result.timecode == step_of(NOW)


def test_codes_one_step_either_side_are_accepted_but_not_two() -> None:
    secret = totp.new_secret()
    generator = pyotp.TOTP(secret)
    assert check_code(secret, generator.at(NOW - 30), None, now=NOW).outcome is CodeCheck.OK
    assert check_code(secret, generator.at(NOW + 30), None, now=NOW).outcome is CodeCheck.OK
    assert check_code(secret, generator.at(NOW - 60), None, now=NOW).outcome is CodeCheck.INVALID
    assert check_code(secret, generator.at(NOW + 60), None, now=NOW).outcome is CodeCheck.INVALID


def test_code_for_an_already_used_step_is_a_replay() -> None:
    secret = totp.new_secret()
    generator = pyotp.TOTP(secret)
    used = step_of(NOW)
    assert check_code(secret, generator.at(NOW), used, now=NOW).outcome is CodeCheck.REPLAY
    assert check_code(secret, generator.at(NOW - 30), used, now=NOW).outcome is CodeCheck.REPLAY
    assert check_code(secret, generator.at(NOW + 30), used, now=NOW).outcome is CodeCheck.OK


def test_without_now_codes_are_checked_against_the_module_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = totp.new_secret()
    generator = pyotp.TOTP(secret)
    monkeypatch.setattr(totp, "clock", lambda: NOW)
    assert check_code(secret, generator.at(NOW), None).timecode == step_of(NOW)
    assert check_code(secret, generator.at(NOW + 60), None).outcome is CodeCheck.INVALID


def test_malformed_codes_are_invalid() -> None:
    secret = totp.new_secret()
    for code in ("", "12345", "1234567", "abcdef", "12 34 5x"):
        assert check_code(secret, code, None, now=NOW).outcome is CodeCheck.INVALID


def test_spaces_in_a_code_are_ignored() -> None:
    secret = totp.new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    assert check_code(secret, f" {code[:3]} {code[3:]} ", None, now=NOW).outcome is CodeCheck.OK


def test_recovery_code_is_consumed_once() -> None:
    codes = totp.generate_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = [totp.hash_recovery_code(code) for code in codes]
    remaining = totp.consume_recovery_code(stored, codes[3].upper().replace("-", " "))
    assert remaining is not None and len(remaining) == 9
    assert totp.consume_recovery_code(remaining, codes[3]) is None
    assert totp.consume_recovery_code(stored, "aaaaa-aaaaa") is None
    assert totp.consume_recovery_code(None, codes[0]) is None


def test_qr_code_is_inline_svg() -> None:
    svg = str(
        totp.qr_svg(totp.provisioning_uri(totp.new_secret(), "a@example.org", "Clinic"), "QR")
    )
    assert svg.startswith("<svg") and "data:" not in svg and "style=" not in svg
