"""The public informational site."""
