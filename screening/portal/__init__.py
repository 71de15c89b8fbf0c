"""The clinician portal: triage queue, submission review, notes, exports."""
