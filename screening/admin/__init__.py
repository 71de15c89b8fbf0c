"""Admin pages: staff accounts and the audit trail."""
