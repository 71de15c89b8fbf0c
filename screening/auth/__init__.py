"""Staff sign-in: password, TOTP second factor, sessions with idle and absolute limits."""

from screening.auth import schema  # noqa: F401  (declares Clinician.must_change_password)
