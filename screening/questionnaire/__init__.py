"""The questionnaire core: definition, conditions, scoring, triage and FHIR mapping.

Pure Python with no Flask or WTForms imports; the web layers call into it, never the reverse.
Import from the modules themselves; this package only says where the shipped files are.
"""

from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
DEFINITION_PATH = DATA_DIR / "intake.yaml"
RULES_PATH = DATA_DIR / "rules.yaml"
