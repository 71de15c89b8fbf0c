"""The screening wizard for prospective clients."""
