"""Staff sign-in: password, TOTP second factor, sessions with idle and absolute limits."""
