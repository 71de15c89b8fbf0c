"""Every statistic on the public pages cites an entry on the reading list.

What counts as a statistic: a share of people stated as a figure, in the page's language.
- a percentage: "60%", "60 percent", "60 por ciento";
- a ratio: "6 in 10", "six out of ten", "6 de cada 10";
- a fraction: "half", "a third", "two thirds", "a quarter"; "la mitad", "un tercio",
  "dos tercios", "una cuarta parte".
Durations, ages and counts ("2 hours", "18 or over", "more than 20 years") are not statistics.

The citation form: in the same sentence, a Markdown link to ``reading-list#ref-<entry>``, where
``ref-<entry>`` is the anchor of an entry on the reading list in the same language (an entry
gets it from a line ``{#ref-<entry>}`` under its list item). On the reading list itself, a
figure inside an entry is that entry's own finding and needs no further link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from screening.public.content import CONTENT_DIR, PAGES, load_page

CLINIC = {"clinic_name": "Test Clinic", "clinic_city": "Gilroy"}
LANGS = ("en", "es")
CITATION = re.compile(r"/?reading-list#(ref-[a-z0-9-]+)")
# Block elements end a sentence as surely as a full stop does.
BLOCKS = {"p", "li", "td", "th", "h2", "h3", "h4", "blockquote", "ul", "ol", "table", "tr", "br"}
_EN_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_ES_NUMBER = r"(?:\d+|uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez)"
STATISTIC = {
    "en": re.compile(
        r"\d+(?:[.,]\d+)?\s*(?:%|percent\b|per cent\b)"
        rf"|\b{_EN_NUMBER}\s+(?:in|out\s+of)\s+(?:{_EN_NUMBER}|a\s+hundred)\b"
        r"|\b(?:half|(?:a|one|two)[\s-]thirds?|(?:a|one|three)[\s-]quarters?)\b",
        re.IGNORECASE,
    ),
    "es": re.compile(
        r"\d+(?:[.,]\d+)?\s*(?:%|por\s+ciento\b)"
        rf"|\b{_ES_NUMBER}\s+de\s+cada\s+(?:\d+|diez|cien)\b"
        r"|\b(?:la\s+mitad|un\s+tercio|dos\s+tercios|(?:una|tres)\s+cuartas?\s+partes?)\b",
        re.IGNORECASE,
    ),
}
_LINK_MARK = re.compile(r"\x00(\d+)\x00")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a rendered page, the anchors it cites and the entry it sits in."""

    text: str
    cites: frozenset[str]
    entry: str | None


class SentenceSplitter(HTMLParser):
    """Split a page's HTML into sentences, remembering each citation link by a marker."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sentences: list[Sentence] = []
        self.anchors: list[str] = []
        self._text: list[str] = []
        self._links: list[str] = []
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in BLOCKS:
            self._flush()
            if tag != "br":
                self._open.append((tag, values.get("id")))
        if values.get("id"):
            self.anchors.append(str(values["id"]))
        cited = CITATION.fullmatch(values.get("href") or "") if tag == "a" else None
        if cited:
            self._text.append(f"\x00{len(self._links)}\x00")
            self._links.append(cited.group(1))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._flush()
            if self._open and self._open[-1][0] == tag:
                self._open.pop()

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        """Turn the text gathered since the last block boundary into sentences."""
        text, self._text = " ".join("".join(self._text).split()), []
        entry = next((anchor for _, anchor in reversed(self._open) if anchor), None)
        for part in re.split(r"(?<=[.!?])\s+", text):
            cites = frozenset(self._links[int(n)] for n in _LINK_MARK.findall(part))
            if part.strip():
                self.sentences.append(Sentence(_LINK_MARK.sub("", part), cites, entry))


def split_page(html: str) -> SentenceSplitter:
    """Parse one page's HTML."""
    splitter = SentenceSplitter()
    splitter.feed(html)
    splitter.close()
    return splitter


def rendered(slug: str, lang: str, package_dir: Path = CONTENT_DIR) -> SentenceSplitter:
    """Render a shipped page and split it into sentences."""
    page = load_page(slug, lang, package_dir=package_dir, override_dir=None, clinic=CLINIC)
    return split_page(page.html)


def uncited_statistics(lang: str, package_dir: Path = CONTENT_DIR) -> list[tuple[str, str]]:
    """Return (page, sentence) for every statistic without a citation to a reading-list entry."""
    entries = set(rendered("reading-list", lang, package_dir).anchors)
    missing = []
    for slug in PAGES:
        for sentence in rendered(slug, lang, package_dir).sentences:
            if not STATISTIC[lang].search(sentence.text):
                continue
            own_finding = slug == "reading-list" and sentence.entry in entries
            if not own_finding and not sentence.cites & entries:
                missing.append((slug, sentence.text))
    return missing


@pytest.mark.parametrize("lang", LANGS)
def test_every_statistic_cites_a_reading_list_entry(lang: str) -> None:
    assert uncited_statistics(lang) == []
    # The check means something only while the pages do state figures.
    home = rendered("home", lang).sentences
    assert sum(bool(STATISTIC[lang].search(s.text)) for s in home) >= 2


@pytest.mark.parametrize("lang", LANGS)
def test_every_citation_names_an_entry_that_exists(lang: str) -> None:
    entries = set(rendered("reading-list", lang).anchors)
    sentences = [s for slug in PAGES for s in rendered(slug, lang).sentences]
    cited = {anchor for sentence in sentences for anchor in sentence.cites}
    assert cited and cited <= entries, cited - entries


def test_reading_list_anchors_are_the_same_in_every_language() -> None:
    english, spanish = (rendered("reading-list", lang).anchors for lang in LANGS)
    assert english == spanish
    assert len(set(english)) == len(english)


@pytest.mark.parametrize(
    ("lang", "text", "is_statistic"),
    [
        ("en", "Roughly 6 in 10 people respond well.", True),
        ("en", "About half improved; a third did not; 60% and 45 percent.", True),
        ("en", "Six out of ten.", True),
        (
            "en",
            "Sessions last 2 hours or more, for adults 18 or over, studied for 20 years.",
            False,
        ),
        ("en", "Can I stop halfway?", False),
        ("es", "Aproximadamente 6 de cada 10 personas responden bien.", True),
        ("es", "Alrededor de la mitad mejoró; un tercio no; el 60 por ciento.", True),
        ("es", "Dura 2 horas o más, para mayores de 18 años, desde hace 20 años.", False),
    ],
)
def test_what_counts_as_a_statistic(lang: str, text: str, is_statistic: bool) -> None:
    assert bool(STATISTIC[lang].search(text)) is is_statistic


def test_a_citation_counts_only_in_its_own_sentence_and_to_a_real_entry() -> None:
    html = (
        '<p>About half respond (<a href="reading-list#ref-han-2016">Han</a>). '
        "Most feel better, about half of them for weeks.</p>"
        '<ul><li id="ref-own">Pooled: about half responded.</li></ul>'
    )
    sentences = split_page(html).sentences
    assert [(s.cites, s.entry) for s in sentences] == [
        (frozenset({"ref-han-2016"}), None),
        (frozenset(), None),
        (frozenset(), "ref-own"),
    ]


def test_yesterdays_pages_fail_the_check(tmp_path: Path) -> None:
    # The figure the clinic used to state as fact, with no source, on its home page.
    package = tmp_path / "content"
    lines = {"en": "Roughly 6 in 10 people respond well.",
             "es": "Aproximadamente 6 de cada 10 personas responden bien."}  # fmt: skip
    for lang, line in lines.items():
        folder = package if lang == "en" else package / lang
        folder.mkdir(parents=True, exist_ok=True)
        for slug in PAGES:
            source = (CONTENT_DIR if lang == "en" else CONTENT_DIR / lang) / f"{slug}.md"
            text = source.read_text("utf-8")
            (folder / f"{slug}.md").write_text(text + ("\n\n" + line if slug == "home" else ""))
        assert uncited_statistics(lang, package) == [("home", line)]
