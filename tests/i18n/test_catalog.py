"""The gettext catalogs: every interface string is extracted, translated, and not fuzzy."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from screening import i18n

PROJECT = Path(__file__).resolve().parents[2]
POT = i18n.TRANSLATIONS_DIR / "messages.pot"
SPANISH = i18n.TRANSLATIONS_DIR / "es" / "LC_MESSAGES" / "messages.po"
# The keywords `make translations` adds to Babel's defaults (see the Makefile).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
RUN = "run `make translations`, translate, then `make compile-translations`"


def load(path: Path) -> Catalog:
    """Read a .po or .pot file."""
    with path.open("rb") as handle:
        return read_po(handle, locale="es" if path.suffix == ".po" else None)


def ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    """The message ids of a catalog (plural ids as tuples), without the header."""
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_every_template_msgid_has_a_spanish_translation() -> None:
    spanish = load(SPANISH)
    untranslated = []
    for message in load(POT):
        if not message.id:
            continue
        translated = spanish.get(message.id)
        strings = () if translated is None else translated.string
        strings = (strings,) if isinstance(strings, str) else tuple(strings or ())
        if translated is None or not strings or not all(s.strip() for s in strings):
            untranslated.append(message.id)
        elif translated.fuzzy:
            untranslated.append(("fuzzy", message.id))
    assert not untranslated, f"untranslated or fuzzy in es/messages.po ({RUN}): {untranslated}"


def test_spanish_catalog_matches_the_template_and_is_not_fuzzy() -> None:
    spanish = load(SPANISH)
    assert ids(spanish) == ids(load(POT)), RUN
    assert not spanish.fuzzy, "the catalog header is marked fuzzy"
    assert spanish.num_plurals >= 2


def test_translations_keep_their_placeholders() -> None:
    # Babel's checkers compare %(name)s placeholders between msgid and msgstr.
    problems = [(message.id, errors) for message, errors in load(SPANISH).check() if errors]
    assert not problems, problems


def test_message_template_is_up_to_date_with_the_code() -> None:
    with (PROJECT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    extracted = {
        message if isinstance(message, str) else tuple(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PROJECT), method_map, options_map, keywords=KEYWORDS
        )
        if message
    }
    in_template = ids(load(POT))
    assert extracted - in_template == set(), f"new interface strings: {RUN}"
    assert in_template - extracted == set(), f"strings no longer used: {RUN}"


def test_compiled_catalog_check_reports_missing_and_stale_files(tmp_path, monkeypatch) -> None:
    source = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    source.parent.mkdir(parents=True)
    source.write_text("")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    assert i18n.compiled_catalogs_missing(("en", "es")) == ["es"]
    compiled = source.with_suffix(".mo")
    compiled.write_bytes(b"")
    assert i18n.compiled_catalogs_missing(("en", "es")) == []
