"""Security building blocks: field encryption, blind indexes, headers and audit."""
